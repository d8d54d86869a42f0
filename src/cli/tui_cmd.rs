//! Starting the full-screen interface, and the dashboard as text.

use super::{CmdResult, Ctx, Fail, config_dir};
use crate::app::App;
use crate::app::keymap::{ConfigError, Keymap};
use crate::input as parse;
use crate::tr;
use clap::Args;
use ratatui::layout::Rect;
use std::io::IsTerminal;

#[derive(Debug, Args)]
pub struct DashboardArgs {
    /// The plan year to show [default: this year]
    #[arg(long)]
    pub year: Option<String>,
    /// Width in columns
    #[arg(long, default_value = "100")]
    pub width: u16,
}

/// The key map: defaults, with `keys.toml` laid over them if it exists.
fn keymap(ctx: &Ctx) -> Result<Keymap, Fail> {
    let Some(path) = config_dir().map(|d| d.join("keys.toml")) else {
        return Ok(Keymap::default());
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Keymap::default());
    };
    Keymap::from_toml(&text).map_err(|e| {
        let detail = match e {
            ConfigError::Syntax(s) => s,
            ConfigError::UnknownAction(a) => tr!(ctx.lang, "keys.unknown_action", action = a),
            ConfigError::UnknownKey(k) => tr!(ctx.lang, "keys.unknown_key", key = k),
        };
        Fail::file("keys.bad_file", &path, detail)
    })
}

fn app(ctx: &Ctx, size: Rect) -> Result<App, Fail> {
    let keys = keymap(ctx)?;
    App::new(ctx.data_dir.clone(), ctx.options(), ctx.lang, keys, size).map_err(Fail::Store)
}

/// `bangfu` alone: the full-screen interface on a terminal; on a pipe, the
/// one-line overview.
pub fn interface(ctx: &Ctx) -> CmdResult {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return super::setup::overview(ctx);
    }
    let mut app = app(ctx, Rect::new(0, 0, 80, 24))?;
    app.lang_file = config_dir().map(|d| d.join(super::LANG_FILE));
    // Listen for members and sync in the background while the screen is
    // up (and from the moment a workspace is created or joined).
    app.network = true;
    app.start_sync();
    crate::tui::run(&mut app)
        .map_err(|e| Fail::said("tui.terminal_error", vec![("detail", e.to_string())]))
}

pub fn dashboard(ctx: &Ctx, a: DashboardArgs) -> CmdResult {
    let mut app = app(ctx, Rect::new(0, 0, a.width, 40))?;
    if app.workspace().is_none() {
        // Same words as every other command without a workspace.
        ctx.open()?;
    }
    if let Some(y) = parse::opt_year(ctx.lang, &a.year)? {
        app.set_year(y);
    }
    let width = a.width.clamp(60, 400);
    super::output::out(&crate::tui::dashboard_text(&app, width, 30));
    Ok(())
}

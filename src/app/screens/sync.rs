//! The sync screen: this device, its peers and what was refused; sync now,
//! invite a device. What it shows is read from the running sync or, without
//! one (tests, `--offline`), from the workspace, before drawing: drawing
//! never queries.

use super::Ctx;
use crate::app::action::Action;
use crate::store::Workspace;
use crate::sync::agent::{self, Agent, State, Status};
use crate::tr;

/// The sync screen's state: its first peer row on screen.
#[derive(Debug, Clone, Default)]
pub struct SyncScreen {
    pub scroll: usize,
}

impl SyncScreen {
    pub const ACTIONS: &'static [Action] = &[
        Action::SyncNow,
        Action::Select,
        Action::Add,
        Action::StartOver,
    ];

    pub fn apply(&mut self, a: Action, cx: &mut Ctx<'_>, members: usize) {
        match a {
            Action::Select | Action::SyncNow => sync_now(cx),
            Action::Add => crate::app::invite::open_form(cx),
            Action::StartOver => start_over(cx),
            Action::Up => self.scroll(-1, members),
            Action::Down => self.scroll(1, members),
            Action::PageUp => self.scroll(-(cx.capacity as isize), members),
            Action::PageDown => self.scroll(cx.capacity as isize, members),
            Action::Home => self.scroll(isize::MIN / 2, members),
            Action::End => self.scroll(isize::MAX / 2, members),
            _ => {}
        }
    }

    /// No further than the last peer (the other members bound the list),
    /// however often End is pressed.
    pub fn scroll(&mut self, by: isize, members: usize) {
        let last = members.saturating_sub(1);
        self.scroll = self.scroll.saturating_add_signed(by).min(last);
    }
}

/// N: back to the first-run menu, asked once first; only from a
/// workspace nobody has used yet or from demo data, which is set aside
/// (renamed, not deleted). A workspace in use is never left this way.
fn start_over(cx: &mut Ctx<'_>) {
    let lang = cx.lang;
    let may = cx
        .ws
        .unused()
        .and_then(|unused| Ok(unused || cx.ws.is_demo()?));
    match may {
        Ok(true) => {}
        Ok(false) => return cx.say(tr!(lang, "start_over.in_use")),
        Err(e) => return cx.say(crate::i18n::store_error(lang, &e)),
    }
    let said = tr!(lang, "start_over.what");
    // One workspace: the step is asked about under a fixed id.
    let id = crate::domain::Id::from_random_bytes([0; 16]);
    if cx.confirmed(Action::StartOver, &id, said) {
        cx.asked.start_over = true;
    }
}

/// S (anywhere), Enter here: sync with every known peer now.
pub fn sync_now(cx: &mut Ctx<'_>) {
    let said = match cx.sync {
        Some(a) => {
            a.sync_now();
            tr!(cx.lang, "tui.syncing")
        }
        None => tr!(cx.lang, "tui.sync_unavailable"),
    };
    cx.say(said);
}

/// The sync status for the next frame: the running sync's, or the peers
/// and refusals as the workspace knows them while the sync screen is shown.
pub fn status(sync: Option<&Agent>, shown: bool, ws: &Workspace, me: Option<&str>) -> Status {
    match sync {
        Some(a) => a.status(),
        None if shown => stored_status(ws, me),
        None => Status::default(),
    }
}

fn stored_status(ws: &Workspace, me: Option<&str>) -> Status {
    let listed = match me {
        Some(me) => agent::peer_list(ws, me, &[]),
        None => Ok(Vec::new()),
    };
    let refusals = ws.refusals(agent::RECENT_REFUSALS);
    let (peers, refusals, store_error) = match (listed, refusals) {
        (Ok(p), Ok(r)) => (p, r, None),
        (Err(e), _) | (_, Err(e)) => (Vec::new(), Vec::new(), Some(e.to_string())),
    };
    Status {
        state: State::Off(String::new()),
        peers,
        store_error,
        refusals,
        ..Status::default()
    }
}

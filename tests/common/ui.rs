//! Driving the interface in-process: an `App` in a test terminal, keys
//! sent one at a time, the screen read back as text.
#![allow(dead_code)]

use bangfu::app::keymap::Keymap;
use bangfu::app::{App, Event};
use bangfu::demo::{self, Scale};
use bangfu::i18n::Lang;
use bangfu::store::Options;
use chrono::NaiveDate;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")
}

pub fn options() -> Options {
    Options::new("测试员", today())
}

/// A small demo workspace (fixed seed and today) in a fresh directory.
pub fn demo_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    demo::create(dir.path(), Scale::Small, 7, options()).expect("demo");
    dir
}

pub fn app(dir: &std::path::Path, lang: Lang, w: u16, h: u16) -> App {
    App::new(
        dir.to_path_buf(),
        options(),
        lang,
        Keymap::default(),
        Rect::new(0, 0, w, h),
    )
    .expect("app")
}

pub fn draw(app: &App) -> Terminal<TestBackend> {
    let Ok(mut t) = Terminal::new(TestBackend::new(app.size.width, app.size.height));
    let Ok(_) = t.draw(|f| {
        bangfu::ui::draw(f, app);
    });
    t
}

/// Draws as the terminal does and tells the app what was laid out; the
/// screen's text.
pub fn show(app: &mut App) -> String {
    let Ok(mut t) = Terminal::new(TestBackend::new(app.size.width, app.size.height));
    let mut drawn = bangfu::app::Drawn::default();
    let Ok(_) = t.draw(|f| drawn = bangfu::ui::draw(f, app));
    app.set_drawn(drawn);
    bangfu::tui::buffer_text(t.backend().buffer())
}

pub fn text(app: &App) -> String {
    bangfu::tui::buffer_text(draw(app).backend().buffer())
}

/// A key as the interface takes it: handled, then any slow work it asked
/// for done (the real loop draws a frame in between).
pub fn key(app: &mut App, code: KeyCode) {
    app.handle(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    app.run_later();
}

pub fn ch(app: &mut App, c: char) {
    key(app, KeyCode::Char(c));
}

pub fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        ch(app, c);
    }
}

pub fn ctrl(app: &mut App, c: char) {
    app.handle(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
}

/// Moves the form's focus to the field named `key`.
pub fn focus(app: &mut App, field: &str) {
    for _ in 0..30 {
        let at = app
            .form()
            .and_then(|f| f.fields.get(f.focus).map(|x| x.key));
        if at == Some(field) {
            return;
        }
        key(app, KeyCode::Tab);
    }
    panic!("no field {field}");
}

/// Chooses the first real option of a pick list (the first one says that
/// nothing is chosen yet).
pub fn pick(app: &mut App, field: &str) {
    focus(app, field);
    key(app, KeyCode::Right);
}

pub fn clear_field(app: &mut App) {
    for _ in 0..40 {
        key(app, KeyCode::Backspace);
    }
}

/// The open form's field `key`.
pub fn form_field<'a>(app: &'a App, field: &str) -> &'a bangfu::app::form::Field {
    match app.form() {
        Some(f) => f.field(field).unwrap_or_else(|| panic!("no field {field}")),
        None => panic!("no form open"),
    }
}

/// Chooses the option labelled `label` (or whose value it is) of a pick
/// list, or ticks it in a list of several.
pub fn choose(app: &mut App, field: &str, label: &str) {
    use bangfu::app::form::Input;
    focus(app, field);
    for _ in 0..400 {
        let is = |o: &bangfu::app::form::Opt| o.label == label || o.value == label;
        match &form_field(app, field).input {
            Input::Choice { options, index } => {
                if options.get(*index).is_some_and(is) {
                    return;
                }
            }
            Input::Multi {
                options, cursor, ..
            } => {
                if options.get(*cursor).is_some_and(is) {
                    ch(app, ' ');
                    return;
                }
            }
            _ => panic!("{field} is not a pick list"),
        }
        key(app, KeyCode::Right);
    }
    panic!("no option {label} in {field}");
}

/// Replaces the text of a line or note field.
pub fn fill(app: &mut App, field: &str, text: &str) {
    focus(app, field);
    clear_field(app);
    typed(app, text);
}

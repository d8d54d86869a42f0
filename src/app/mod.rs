//! The interface's state and everything that changes it, apart from
//! drawing. One entry point: [`App::handle`] takes an event (a key, a click,
//! a paste, a resize, a tick) and updates the state; `ui::draw` then draws
//! it without changing anything.
//!
//! The application is in one of two phases ([`Phase`]): the first-run
//! screen, or an open workspace. An open workspace shows one of the
//! screens (`screens`, one component each) and perhaps a dialog over it
//! (`dialog`). Keys become named actions (`keymap`); the few that mean the
//! same everywhere are handled here, the rest by the screen or dialog that
//! has the keyboard, through a [`ctx::Ctx`]. Writes go through the store,
//! their outcome shown as the save state in the status bar.

pub mod action;
mod background;
pub mod ctx;
pub mod dialog;
mod districts;
pub mod evidence;
mod first_run;
pub mod form;
mod forms;
pub mod import;
mod invite;
pub mod keymap;
pub mod later;
pub mod layout;
mod leave;
mod mouse;
pub mod screens;
mod undo;
mod view;

pub use crate::domain::HistoryEntry;
use crate::domain::*;
use crate::i18n::Lang;
use crate::store::{Options, StoreError, Workspace};
use crate::sync::agent::{Agent, Status};
use crate::tr;
use action::Action;
use ctx::{Asked, Ctx, Go};
pub use dialog::Dialog;
pub use first_run::{FirstRun, FirstRunChoice, Joining};
use keymap::Keymap;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent};
use ratatui::layout::Rect;
pub use screens::{ListState, Rows, Screen, Screens};
use std::path::PathBuf;
pub use view::View;

/// Where the last save stands (status bar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    /// Nothing saved in this session yet.
    Idle,
    Saved,
    /// A save failed, and why.
    Failed(String),
}

/// Why an edit or a form was not saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsaved {
    /// The rules refused it: each problem names its field.
    Refused(Vec<Problem>),
    /// What was typed could not be read; each field shows why already.
    Shown,
    /// The store failed (said in the status bar, in these words).
    Failed(String),
}

/// Something that happened outside the keyboard handler's control.
#[derive(Debug, Clone)]
pub enum Event {
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Time passed: look for other processes' writes.
    Tick,
}

/// Where the application is.
pub enum Phase {
    /// No workspace in the data directory yet.
    FirstRun(Box<FirstRun>),
    Open(Box<Open>),
}

/// An open workspace and the interface over it.
pub struct Open {
    pub ws: Workspace,
    /// This device's id (None until it has a key).
    pub me: Option<String>,
    pub save: SaveState,
    /// Background sync, while `network` is on.
    pub sync: Option<Agent>,
    /// What the sync screen and the status bar show, read after every
    /// event (drawing reads this, never the store).
    pub sync_status: Status,
    pub screen: Screen,
    pub screens: Screens,
    pub dialog: Option<Dialog>,
    /// A step asked once (sign, file, submit, accept), done if its key
    /// comes again next.
    pub pending: Option<(Action, Id)>,
    /// This device's changes no peer is known to have yet.
    pub unsynced: usize,
    /// Quitting asked about unsynced changes.
    pub leaving: Option<leave::Leaving>,
    /// This session's changes, newest last (Ctrl-Z).
    pub undo: Vec<undo::Step>,
    /// Slow work asked for, done after the next frame (`later.rs`).
    pub later: Option<later::Later>,
}

/// The whole interface state.
pub struct App {
    pub lang: Lang,
    pub data_dir: PathBuf,
    pub options: Options,
    /// Where exported reports and invite tickets are written.
    pub export_dir: PathBuf,
    pub keymap: Keymap,
    pub size: Rect,
    /// A one-line message for the status bar (what just happened).
    pub message: Option<String>,
    pub quit: bool,
    /// Start background sync whenever a workspace is open (the interface
    /// does; tests and `bangfu dashboard` do not).
    pub network: bool,
    /// Look for the inviter on the local network by multicast DNS when
    /// joining (off with `BANGFU_NO_MDNS`, and in tests).
    pub lan_discovery: bool,
    /// What the last drawing laid out.
    pub drawn: Drawn,
    pub phase: Phase,
    /// Where the language chosen with `L` is remembered (the interface
    /// started by `bangfu`; none in tests).
    pub lang_file: Option<PathBuf>,
}

/// What a drawing laid out, for the keys that follow it: the state never
/// guesses a size the screen decides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drawn {
    /// How far the open dialog (help, history, report) can scroll: its
    /// lines beyond those that fit.
    pub dialog_scroll_max: Option<usize>,
}

impl App {
    /// Opens the workspace in `data_dir` (or the first-run screen if there
    /// is none). A workspace that cannot be read is an error: the caller
    /// says so and never starts the full screen.
    pub fn new(
        data_dir: PathBuf,
        options: Options,
        lang: Lang,
        keymap: Keymap,
        size: Rect,
    ) -> Result<App, StoreError> {
        // A save's upkeep (history index, compaction) waits for the next
        // tick: a user waits on the save, not on that.
        let options = Options {
            upkeep_when_idle: true,
            ..options
        };
        let ws = match Workspace::open(&data_dir, options.clone()) {
            Ok(ws) => Some(ws),
            Err(StoreError::NoWorkspace { .. }) => None,
            Err(e) => return Err(e),
        };
        let mut app = App {
            lang,
            data_dir,
            options,
            export_dir: ctx::export_dir(),
            keymap,
            size,
            message: None,
            quit: false,
            network: false,
            lan_discovery: std::env::var_os("BANGFU_NO_MDNS").is_none(),
            drawn: Drawn::default(),
            phase: Phase::FirstRun(Box::default()),
            lang_file: None,
        };
        if let Some(ws) = ws {
            app.open(ws);
        }
        Ok(app)
    }

    /// The open workspace's interface, if one is open.
    pub fn opened(&self) -> Option<&Open> {
        match &self.phase {
            Phase::Open(o) => Some(o),
            Phase::FirstRun(_) => None,
        }
    }

    fn opened_mut(&mut self) -> Option<&mut Open> {
        match &mut self.phase {
            Phase::Open(o) => Some(o),
            Phase::FirstRun(_) => None,
        }
    }

    pub fn workspace(&self) -> Option<&Workspace> {
        self.opened().map(|o| &o.ws)
    }

    pub fn model(&self) -> Option<&Model> {
        self.workspace().map(|w| w.model())
    }

    /// The screen shown (none on first run).
    pub fn screen(&self) -> Option<Screen> {
        self.opened().map(|o| o.screen)
    }

    /// The dialog open: over a screen, or the first-run join form.
    pub fn form(&self) -> Option<&form::Form> {
        match &self.phase {
            Phase::Open(o) => match &o.dialog {
                Some(Dialog::Form(f)) => Some(f),
                _ => None,
            },
            Phase::FirstRun(f) => f.form.as_ref(),
        }
    }

    /// A list screen's list, read again first if the data changed since.
    pub fn list(&mut self, screen: Screen) -> Option<&ListState> {
        self.freshen(screen);
        self.opened().and_then(|o| o.screens.list(screen))
    }

    pub fn list_mut(&mut self, screen: Screen) -> Option<&mut ListState> {
        self.opened_mut().and_then(|o| o.screens.list_mut(screen))
    }

    /// This device's id, once a workspace is open and it has a key.
    pub fn me(&self) -> Option<&str> {
        self.opened().and_then(|o| o.me.as_deref())
    }

    /// The dialog open over the screen.
    pub fn dialog(&self) -> Option<&Dialog> {
        self.opened().and_then(|o| o.dialog.as_ref())
    }

    /// Whether a form or dialog is open (on either phase).
    pub fn has_dialog(&self) -> bool {
        self.dialog().is_some() || self.form().is_some()
    }

    /// The background sync, if running.
    pub fn agent(&self) -> Option<&Agent> {
        self.opened().and_then(|o| o.sync.as_ref())
    }

    /// Whether a join is running (first run).
    pub fn joining(&self) -> bool {
        matches!(&self.phase, Phase::FirstRun(f) if f.joining.is_some())
    }

    pub fn today(&self) -> chrono::NaiveDate {
        self.options.today
    }

    /// The year the dashboard shows (`bangfu dashboard --year`; a year
    /// outside the programme shows its first).
    pub fn set_year(&mut self, year: i32) {
        if let Some(o) = self.opened_mut() {
            o.screens.dashboard.year = year;
        }
    }

    /// Takes in what the drawing laid out (`ui::draw` returns it); a
    /// dialog scrolled past its end comes back to it.
    pub fn set_drawn(&mut self, d: Drawn) {
        self.drawn = d;
        if let Some(dialog) = self.opened_mut().and_then(|o| o.dialog.as_mut()) {
            dialog.scroll_by(0, d.dialog_scroll_max);
        }
    }

    /// Rows a list shows at once.
    fn capacity(&self) -> usize {
        layout::list_capacity(layout::areas(self.size).list)
    }

    /// A workspace was opened (at start, or made or joined on the
    /// first-run screen).
    fn open(&mut self, ws: Workspace) {
        let me = crate::identity::load(&self.data_dir)
            .ok()
            .flatten()
            .map(|k| crate::identity::endpoint_hex(&k));
        let mut open = Open {
            ws,
            me,
            save: SaveState::Idle,
            sync: None,
            sync_status: Status::default(),
            screen: Screen::Dashboard,
            screens: Screens::default(),
            dialog: None,
            pending: None,
            unsynced: 0,
            leaving: None,
            undo: Vec::new(),
            later: None,
        };
        let p = open.ws.model().programme.clone();
        open.screens
            .dashboard
            .show_year(chrono::Datelike::year(&self.options.today), &p);
        self.phase = Phase::Open(Box::new(open));
        self.rebuild_rows();
        self.count_unsynced();
    }

    /// Which dialog is open (its kind), to see when another opens.
    fn dialog_kind(&self) -> Option<std::mem::Discriminant<Dialog>> {
        self.dialog().map(std::mem::discriminant)
    }

    /// Handles one event.
    pub fn handle(&mut self, event: Event) {
        let before = self.dialog_kind();
        self.event(event);
        if let Some(shown) = self.screen() {
            self.freshen(shown);
        }
        // What the last drawing laid out was of another dialog: unknown
        // until the next drawing (several events may come between two).
        if self.dialog_kind() != before {
            self.drawn.dialog_scroll_max = None;
        }
        self.refresh_sync_status();
    }

    fn event(&mut self, event: Event) {
        // Esc and the key after it, arriving together (a slow link, a busy
        // machine), reach us as one Alt-key: taken as the two keys, unless
        // the key map binds that Alt-key.
        if let Event::Key(k) = &event
            && k.modifiers.contains(KeyModifiers::ALT)
            && matches!(k.code, KeyCode::Char(_))
            && self.keymap.normal_action(k).is_none()
            && self.keymap.form_action(k).is_none()
        {
            let plain = KeyEvent::new(k.code, k.modifiers.difference(KeyModifiers::ALT));
            self.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
            return self.key(plain);
        }
        match event {
            Event::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
                let cap = self.capacity();
                if let Some(o) = self.opened_mut() {
                    for s in Screen::ALL {
                        if let Some(l) = o.screens.list_mut(s) {
                            l.clamp(cap);
                        }
                    }
                }
            }
            Event::Tick => {
                self.poll_join();
                self.refresh(false);
                if matches!(self.dialog(), Some(Dialog::Evidence(_))) {
                    self.with_ctx(|_, _, cx| evidence::tick(cx));
                }
                self.count_unsynced();
                self.leaving_tick();
            }
            Event::Paste(text) => self.paste(&text),
            Event::Mouse(m) => self.mouse(m),
            Event::Key(k) => self.key(k),
        }
    }

    fn key(&mut self, k: KeyEvent) {
        let (cap, max) = (self.capacity(), self.drawn.dialog_scroll_max);
        let Phase::Open(o) = &mut self.phase else {
            return self.first_run_key(k);
        };
        match &mut o.dialog {
            Some(Dialog::Form(form)) => {
                let filled = dialog::form_key(form, k, &self.keymap, self.lang);
                return self.form_filled(filled);
            }
            // Dialogs with keys of their own.
            Some(d @ (Dialog::Import(_) | Dialog::Evidence(_))) => {
                let keys = match d {
                    Dialog::Import(_) => import::key,
                    _ => evidence::key,
                };
                let mut quit = false;
                self.with_ctx(|_, _, cx| quit = keys(cx, k));
                if quit {
                    self.leave(Action::Quit);
                }
                return;
            }
            Some(d) => {
                return match d.read_key(&k, &self.keymap, max) {
                    dialog::Reading::Stay => {}
                    dialog::Reading::Close => o.dialog = None,
                    dialog::Reading::Quit => self.leave(Action::Quit),
                    dialog::Reading::OnReport(a) => {
                        self.message = None;
                        self.with_ctx(|s, _, cx| {
                            let open = cx.dialog.as_ref().and_then(|d| d.report()).cloned();
                            s.reports.apply(a, cx, open.as_ref());
                        });
                    }
                };
            }
            None => {}
        }
        if let Some(l) = o.screens.list_mut(o.screen)
            && l.filtering
        {
            match l.filter_key(k, cap) {
                screens::FilterKey::Changed => self.rebuild_rows(),
                screens::FilterKey::Kept => {}
                screens::FilterKey::Quit => self.leave(Action::Quit),
            }
            return;
        }
        if let Some(a) = self.keymap.normal_action(&k) {
            self.apply(a);
        }
    }

    /// A key on the open form: saved, cancelled, or typed into.
    fn form_filled(&mut self, filled: dialog::Filling) {
        match filled {
            dialog::Filling::Save => self.submit_form(),
            dialog::Filling::Cancel => {
                if let Some(o) = self.opened_mut() {
                    o.dialog = None;
                }
            }
            dialog::Filling::Quit => self.leave(Action::Quit),
            dialog::Filling::Changed(key) => {
                let lang = self.lang;
                if let Some(o) = self.opened_mut()
                    && let Some(Dialog::Form(form)) = &mut o.dialog
                {
                    forms::follow(form, key, o.ws.model(), lang);
                }
            }
            dialog::Filling::Stay => {}
        }
    }

    /// Ctrl-S: saves the open form; on any problem it stays open with
    /// what was typed and the problem by its field.
    fn submit_form(&mut self) {
        let Some(Dialog::Form(mut form)) = self.opened_mut().and_then(|o| o.dialog.take()) else {
            return;
        };
        let lang = self.lang;
        self.message = None;
        self.with_ctx(|_, _, cx| {
            let outcome = forms::submit(cx, &mut form);
            match &outcome {
                Ok(Some((screen, id, what))) => {
                    let said = tr!(
                        lang,
                        "cli.saved",
                        what = crate::i18n::entity(lang, *what),
                        id = id.short(),
                        detail = ""
                    );
                    // A message set while saving says more.
                    if cx.message.is_none() {
                        cx.say(said);
                    }
                    cx.asked.go = Some(Go::To(*screen));
                    cx.asked.select = Some((*screen, id.clone()));
                }
                Ok(None) => {}
                Err(_) => *cx.dialog = Some(Dialog::Form(form)),
            }
        });
    }

    /// Runs a named action: the ones that mean the same everywhere here,
    /// the rest by the screen shown.
    pub fn apply(&mut self, a: Action) {
        self.message = None;
        let today = self.options.today;
        let Phase::Open(o) = &mut self.phase else {
            return;
        };
        // A step asked once waits for the same key; any other leaves it.
        if !matches!(
            a,
            Action::Sign | Action::File | Action::Confirm | Action::Delete | Action::StartOver
        ) {
            o.pending = None;
        }
        if (o.leaving.is_some() && a == Action::SyncNow) || a == Action::Quit {
            return self.leave(a);
        }
        o.leaving = None;
        if let Some(s) = Screen::of_action(a) {
            o.screen = s;
            return;
        }
        match a {
            Action::Help => o.dialog = Some(Dialog::Help { scroll: 0 }),
            Action::NextTab => o.screen = o.screen.next(1),
            Action::PrevTab => o.screen = o.screen.next(Screen::ALL.len() - 1),
            Action::PrevYear | Action::NextYear => {
                let p = o.ws.model().programme.clone();
                o.screens.dashboard.step_year(a, &p);
            }
            Action::PrevMonth | Action::NextMonth => {
                let first = o.ws.model().programme.start_year;
                o.screens
                    .visits
                    .step_month(a == Action::PrevMonth, today, first);
                o.screen = Screen::Visits;
                self.rebuild_rows();
            }
            Action::AllMonths => {
                o.screens.visits.show_all();
                self.rebuild_rows();
            }
            Action::ToggleLanguage => {
                self.toggle_language();
                self.rebuild_rows();
            }
            Action::Refresh => self.refresh(true),
            Action::SyncNow => self.with_ctx(|_, _, cx| screens::sync_now(cx)),
            Action::Undo => self.with_ctx(|_, _, cx| undo::undo(cx)),
            Action::Save | Action::NextField | Action::PrevField => {}
            _ => self.with_ctx(|s, screen, cx| s.apply(screen, a, cx)),
        }
    }

    /// `L`: the other language, remembered for the next start.
    pub(super) fn toggle_language(&mut self) {
        self.lang = self.lang.other();
        let Some(path) = &self.lang_file else { return };
        let text = format!("lang = \"{}\"\n", self.lang.code());
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| crate::export::write_file_atomically(path, text.as_bytes()));
        if let Err(e) = written {
            self.message = Some(tr!(
                self.lang,
                "tui.lang_not_remembered",
                path = path.display().to_string(),
                detail = e.to_string()
            ));
        }
    }

    /// Runs `f` on the screens with a context of this key press, then does
    /// what it asked: go elsewhere, read the lists again, select a record.
    fn with_ctx(&mut self, f: impl FnOnce(&mut Screens, Screen, &mut Ctx<'_>)) {
        let capacity = self.capacity();
        let Phase::Open(o) = &mut self.phase else {
            return;
        };
        let o = &mut **o;
        let mut cx = Ctx {
            lang: self.lang,
            keymap: &self.keymap,
            options: &self.options,
            data_dir: &self.data_dir,
            export_dir: &self.export_dir,
            capacity,
            ws: &mut o.ws,
            me: o.me.as_deref(),
            sync: o.sync.as_ref(),
            save: &mut o.save,
            message: &mut self.message,
            dialog: &mut o.dialog,
            waiting: o.pending.take(),
            undo: &mut o.undo,
            asked: Asked::default(),
        };
        f(&mut o.screens, o.screen, &mut cx);
        let asked = cx.asked;
        self.carry_out(asked);
    }

    /// Does what a screen or dialog asked (see [`Asked`]).
    fn carry_out(&mut self, asked: Asked) {
        if asked.start_over {
            return self.start_over();
        }
        let capacity = self.capacity();
        let Some(o) = self.opened_mut() else { return };
        o.pending = asked.wait;
        o.later = asked.later.or(o.later.take());
        let reread = asked.reread || matches!(asked.go, Some(Go::VisitsOf(_)));
        match asked.go {
            Some(Go::To(s)) => o.screen = s,
            Some(Go::VisitsOf(id)) => {
                o.screens.visits.show_pairing(id);
                o.screen = Screen::Visits;
            }
            None => {}
        }
        if reread {
            self.rebuild_rows();
            self.count_unsynced();
        }
        if let Some((screen, id)) = asked.select {
            self.freshen(screen);
            if let Some(l) = self.opened_mut().and_then(|o| o.screens.list_mut(screen)) {
                l.select(&id, capacity);
            }
        }
    }

    /// Reads the list shown again from the model and the filters; the
    /// others when they are shown.
    pub fn rebuild_rows(&mut self) {
        self.with_rows(|screens, shown, rows| screens.rebuild(shown, rows));
    }

    /// Reads the list of `screen` again if the data changed since.
    fn freshen(&mut self, screen: Screen) {
        self.with_rows(|screens, _, rows| screens.freshen(screen, rows));
    }

    /// Runs `f` on the screens, the screen shown, and what lists are read
    /// against.
    fn with_rows(&mut self, f: impl FnOnce(&mut Screens, Screen, &Rows<'_>)) {
        let capacity = self.capacity();
        let (lang, today) = (self.lang, self.options.today);
        let Some(o) = self.opened_mut() else { return };
        let model = o.ws.model();
        let rows = Rows {
            model,
            me: o.me.as_deref().and_then(|d| model.active_member(d)),
            today,
            lang,
            capacity,
        };
        f(&mut o.screens, o.screen, &rows);
    }

    fn paste(&mut self, text: &str) {
        match &mut self.phase {
            Phase::FirstRun(f) => {
                if let Some(form) = &mut f.form {
                    form.paste(text);
                }
            }
            Phase::Open(o) => {
                if let Some(Dialog::Form(f)) = &mut o.dialog {
                    return f.paste(text);
                }
                if o.screens.list_mut(o.screen).is_some_and(|l| l.paste(text)) {
                    self.rebuild_rows();
                }
            }
        }
    }
}

//! The interface's state and everything that changes it, apart from
//! drawing. One entry point: [`App::handle`] takes an event (a key, a click,
//! a paste, a resize, a tick) and updates the state; `ui::draw` then draws
//! it without changing anything. Writes go through the store and come back
//! as the save state shown in the status bar.

pub mod action;
mod first_run;
pub mod form;
mod forms;
mod invite;
pub mod keymap;
pub mod layout;
mod lists;
mod mouse;
mod records;
mod reports;
mod sync_view;

use crate::domain::*;
use crate::i18n::Lang;
pub use crate::store::HistoryEntry;
use crate::store::{EditError, Options, StoreError, Workspace};
use crate::sync::agent::Agent;
use crate::tr;
use action::Action;
pub use first_run::{FirstRunChoice, Joining};
use form::Form;
use keymap::Keymap;
pub use lists::ListState;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use std::path::PathBuf;

/// The main screens, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Dashboard,
    Kindergartens,
    Pairings,
    Visits,
    Inspections,
    Reports,
    Sync,
}

impl Screen {
    pub const ALL: [Screen; 7] = [
        Screen::Dashboard,
        Screen::Kindergartens,
        Screen::Pairings,
        Screen::Visits,
        Screen::Inspections,
        Screen::Reports,
        Screen::Sync,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Screen::Dashboard => "dashboard",
            Screen::Kindergartens => "kindergartens",
            Screen::Pairings => "pairings",
            Screen::Visits => "visits",
            Screen::Inspections => "inspections",
            Screen::Reports => "reports",
            Screen::Sync => "sync",
        }
    }

    pub fn label(self, lang: Lang) -> String {
        let key = format!("screen.{}", self.code());
        rust_i18n::t!(key.as_str(), locale = lang.code()).into_owned()
    }

    /// The screen `by` tabs to the right, round the end.
    fn next(self, by: usize) -> Screen {
        let at = Screen::ALL.iter().position(|s| *s == self).unwrap_or(0);
        let n = Screen::ALL.len();
        Screen::ALL
            .get(at.saturating_add(by) % n)
            .copied()
            .unwrap_or(Screen::Dashboard)
    }

    /// The actions this screen answers to, as the help lists them.
    pub fn actions(self) -> &'static [Action] {
        match self {
            Screen::Dashboard => &[Action::PrevYear, Action::NextYear, Action::Add],
            Screen::Kindergartens => &[
                Action::Add,
                Action::Edit,
                Action::Select,
                Action::Filter,
                Action::History,
            ],
            Screen::Pairings => &[
                Action::Add,
                Action::Edit,
                Action::Sign,
                Action::Confirm,
                Action::File,
                Action::Select,
                Action::Filter,
                Action::History,
            ],
            Screen::Visits => &[
                Action::Add,
                Action::Edit,
                Action::Confirm,
                Action::PrevMonth,
                Action::NextMonth,
                Action::AllMonths,
                Action::Filter,
                Action::History,
            ],
            Screen::Inspections => &[Action::Add, Action::Edit, Action::Filter, Action::History],
            Screen::Reports => &[
                Action::Select,
                Action::Edit,
                Action::Sign,
                Action::Confirm,
                Action::Return,
                Action::Restat,
                Action::Export,
                Action::Filter,
                Action::History,
            ],
            Screen::Sync => &[Action::SyncNow, Action::Select, Action::Add],
        }
    }
}

/// Where the last save stands (status bar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    /// Nothing saved in this session yet.
    Idle,
    Saved,
    /// A save failed; the message says why.
    Failed(String),
}

/// Why an edit or a form was not saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsaved {
    /// The rules refused it: each problem names its field.
    Refused(Vec<Problem>),
    /// What was typed could not be read; the form shows why by each
    /// field already.
    Shown,
    /// The store failed (said in the status bar, in these words).
    Failed(String),
    /// No workspace is open.
    NoWorkspace,
}

/// What is drawn over the screen.
#[derive(Debug, Clone)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    History {
        title: String,
        entries: Vec<HistoryEntry>,
        scroll: usize,
    },
    Form(Box<Form>),
    /// An invite ticket just made, and the file it was also written to.
    Ticket {
        title: String,
        ticket: String,
        path: Option<String>,
    },
    /// One report, whole: facts, figures, sections.
    Report {
        key: crate::domain::reports::ReportKey,
        scroll: usize,
    },
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

/// The whole interface state.
pub struct App {
    pub lang: Lang,
    pub data_dir: PathBuf,
    pub options: Options,
    /// `None` until a workspace exists (first run).
    pub ws: Option<Workspace>,
    pub first_run: usize,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    /// The year the dashboard shows.
    pub year: i32,
    pub kindergartens: ListState,
    pub pairings: ListState,
    pub visits: ListState,
    pub inspections: ListState,
    /// The reports list; its rows are report ids, each listed here with
    /// where it stands for this member.
    pub reports: ListState,
    pub report_rows: std::collections::BTreeMap<Id, crate::domain::reports::Listed>,
    /// Where exported reports are written.
    pub export_dir: PathBuf,
    /// Visit log: only this month, if set.
    pub visit_month: Option<(i32, u32)>,
    /// Visit log: only this pairing, if set.
    pub visit_pairing: Option<Id>,
    pub save: SaveState,
    /// A one-line message for the status bar (what just happened).
    pub message: Option<String>,
    pub size: Rect,
    pub keymap: Keymap,
    pub quit: bool,
    /// This device's id (None until it has a key).
    pub me: Option<String>,
    /// Start background sync whenever a workspace is open (the interface
    /// does; tests and `bangfu dashboard` do not).
    pub network: bool,
    /// Background sync, while a workspace is open and `network` is on.
    pub sync: Option<Agent>,
    /// What the sync screen and the status bar show, read after every
    /// event (drawing reads this, never the store).
    pub sync_status: crate::sync::agent::Status,
    /// The sync screen's first peer row on screen.
    pub sync_scroll: usize,
    /// A join with an invite running in the background (first run).
    pub joining: Option<Joining>,
    /// Look for the inviter on the local network by multicast DNS when
    /// joining (off with `BANGFU_NO_MDNS`, and in tests).
    pub lan_discovery: bool,
    /// What the last drawing laid out.
    pub drawn: Drawn,
}

/// What a drawing laid out, for the keys that follow it: the state never
/// guesses a size the screen decides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drawn {
    /// How far the open overlay (help, history, report) can scroll: its
    /// lines beyond those that fit.
    pub overlay_scroll_max: Option<usize>,
}

impl App {
    /// Takes in what the drawing laid out (`ui::draw` returns it); an
    /// overlay scrolled past its end comes back to it.
    pub fn set_drawn(&mut self, d: Drawn) {
        self.drawn = d;
        if let (Some(scroll), Some(max)) = (self.overlay_scroll(), d.overlay_scroll_max) {
            *scroll = (*scroll).min(max);
        }
    }

    /// The open overlay's scroll position, if it scrolls.
    fn overlay_scroll(&mut self) -> Option<&mut usize> {
        match &mut self.overlay {
            Some(Overlay::History { scroll, .. })
            | Some(Overlay::Help { scroll })
            | Some(Overlay::Report { scroll, .. }) => Some(scroll),
            _ => None,
        }
    }

    /// Opens the workspace in `data_dir` (or the first-run menu if there is
    /// none). A workspace that cannot be read is an error: the caller says
    /// so and never starts the full screen.
    pub fn new(
        data_dir: PathBuf,
        options: Options,
        lang: Lang,
        keymap: Keymap,
        size: Rect,
    ) -> Result<App, StoreError> {
        let ws = match Workspace::open(&data_dir, options.clone()) {
            Ok(ws) => Some(ws),
            Err(StoreError::NoWorkspace { .. }) => None,
            Err(e) => return Err(e),
        };
        let mut app = App {
            lang,
            data_dir,
            year: chrono::Datelike::year(&options.today),
            options,
            ws,
            first_run: 0,
            screen: Screen::Dashboard,
            overlay: None,
            kindergartens: ListState::default(),
            pairings: ListState::default(),
            visits: ListState::default(),
            inspections: ListState::default(),
            reports: ListState::default(),
            report_rows: std::collections::BTreeMap::new(),
            export_dir: export_dir(),
            visit_month: None,
            visit_pairing: None,
            save: SaveState::Idle,
            message: None,
            size,
            keymap,
            quit: false,
            me: None,
            network: false,
            sync: None,
            sync_status: Default::default(),
            sync_scroll: 0,
            joining: None,
            lan_discovery: std::env::var_os("BANGFU_NO_MDNS").is_none(),
            drawn: Drawn::default(),
        };
        app.me = crate::identity::load(&app.data_dir)
            .ok()
            .flatten()
            .map(|k| crate::identity::endpoint_hex(&k));
        app.clamp_year();
        app.rebuild_rows();
        Ok(app)
    }

    pub fn model(&self) -> Option<&Model> {
        self.ws.as_ref().map(|w| w.model())
    }

    pub fn today(&self) -> chrono::NaiveDate {
        self.options.today
    }

    fn clamp_year(&mut self) {
        if let Some(m) = self.model() {
            let (a, b) = (m.programme.start_year, m.programme.end_year);
            self.year = self.year.clamp(a.min(b), b.max(a));
        }
    }

    /// Handles one event.
    pub fn handle(&mut self, event: Event) {
        match event {
            Event::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
                let cap = self.capacity();
                for s in Screen::ALL {
                    if let Some(l) = self.list_mut(s) {
                        l.clamp(cap);
                    }
                }
            }
            Event::Tick => {
                self.poll_join();
                self.refresh(false);
            }
            Event::Paste(text) => self.paste(&text),
            Event::Mouse(m) => self.mouse(m),
            Event::Key(k) => self.key(k),
        }
        self.refresh_sync_status();
    }

    fn key(&mut self, k: KeyEvent) {
        if let Some(Overlay::Form(_)) = &self.overlay {
            return self.form_key(k);
        }
        if self.ws.is_none() {
            return self.first_run_key(k);
        }
        if let Some(Overlay::Report { .. }) = &self.overlay
            && let Some(
                a @ (Action::Edit
                | Action::Sign
                | Action::Confirm
                | Action::Return
                | Action::Export
                | Action::Restat),
            ) = self.keymap.normal_action(&k)
        {
            return self.apply(a);
        }
        if self.overlay.is_some() {
            return match self.keymap.normal_action(&k) {
                Some(Action::Quit) if form::is_control(&k) => self.quit = true,
                Some(Action::Up) => self.scroll_overlay(-1),
                Some(Action::Down) => self.scroll_overlay(1),
                Some(Action::PageUp) => self.scroll_overlay(-10),
                Some(Action::PageDown) => self.scroll_overlay(10),
                _ => self.overlay = None,
            };
        }
        if self.list(self.screen).is_some_and(|l| l.filtering) {
            return self.filter_key(k);
        }
        if let Some(a) = self.keymap.normal_action(&k) {
            self.apply(a);
        }
    }

    /// Scrolls the open overlay by `by` lines, within what the last
    /// drawing showed it can (unbounded before the first drawing, which
    /// then brings it back).
    fn scroll_overlay(&mut self, by: isize) {
        let max = self.drawn.overlay_scroll_max.unwrap_or(usize::MAX);
        if let Some(scroll) = self.overlay_scroll() {
            *scroll = scroll.saturating_add_signed(by).min(max);
        }
    }

    fn filter_key(&mut self, k: KeyEvent) {
        let screen = self.screen;
        let cap = self.capacity();
        let Some(l) = self.list_mut(screen) else {
            return;
        };
        match k.code {
            KeyCode::Esc => {
                l.filter.clear();
                l.filtering = false;
            }
            KeyCode::Enter => l.filtering = false,
            KeyCode::Backspace => {
                l.filter.pop();
            }
            KeyCode::Up => return l.move_by(-1, cap),
            KeyCode::Down => return l.move_by(1, cap),
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                self.quit = true;
                return;
            }
            KeyCode::Char(c) => l.filter.push(c),
            _ => return,
        }
        l.selected = 0;
        l.offset = 0;
        self.rebuild_list(screen);
    }

    fn paste(&mut self, text: &str) {
        if let Some(Overlay::Form(f)) = &mut self.overlay {
            f.paste(text);
            return;
        }
        let screen = self.screen;
        if let Some(l) = self.list_mut(screen)
            && l.filtering
        {
            l.filter.push_str(text.lines().next().unwrap_or(""));
            l.selected = 0;
            self.rebuild_list(screen);
        }
    }

    /// Runs a named action.
    pub fn apply(&mut self, a: Action) {
        let cap = self.capacity();
        self.message = None;
        match a {
            Action::Quit => self.quit = true,
            Action::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::NextTab => self.screen = self.screen.next(1),
            Action::PrevTab => self.screen = self.screen.next(Screen::ALL.len() - 1),
            Action::Dashboard => self.screen = Screen::Dashboard,
            Action::Kindergartens => self.screen = Screen::Kindergartens,
            Action::Pairings => self.screen = Screen::Pairings,
            Action::Visits => self.screen = Screen::Visits,
            Action::Inspections => self.screen = Screen::Inspections,
            Action::Reports => self.screen = Screen::Reports,
            Action::Sync => self.screen = Screen::Sync,
            Action::SyncNow => self.sync_now(),
            Action::Up => self.move_selection(-1, cap),
            Action::Down => self.move_selection(1, cap),
            Action::PageUp => self.move_selection(-(cap as isize), cap),
            Action::PageDown => self.move_selection(cap as isize, cap),
            Action::Home => self.move_selection(isize::MIN / 2, cap),
            Action::End => self.move_selection(isize::MAX / 2, cap),
            Action::Select => self.select(),
            Action::Back => self.back(),
            Action::Add => self.open_add(),
            Action::Edit => self.open_edit(),
            Action::History => self.open_history(),
            Action::Filter => {
                let screen = self.screen;
                if let Some(l) = self.list_mut(screen) {
                    l.filtering = true;
                }
            }
            Action::Sign if self.screen == Screen::Reports => self.report_step(Action::Sign),
            Action::Sign => self.agreement_step(Action::Sign),
            Action::Confirm => match self.screen {
                Screen::Visits => self.confirm_visit(),
                Screen::Reports => self.report_step(Action::Confirm),
                _ => self.agreement_step(Action::Confirm),
            },
            Action::Return | Action::Export | Action::Restat => {
                if self.screen == Screen::Reports {
                    self.report_step(a);
                }
            }
            Action::File => self.agreement_step(Action::File),
            Action::PrevYear => {
                self.year -= 1;
                self.clamp_year();
            }
            Action::NextYear => {
                self.year += 1;
                self.clamp_year();
            }
            Action::PrevMonth | Action::NextMonth => self.step_month(a == Action::PrevMonth),
            Action::AllMonths => {
                self.visit_month = None;
                self.visit_pairing = None;
                self.rebuild_rows();
            }
            Action::ToggleLanguage => {
                self.lang = if self.lang == Lang::Zh {
                    Lang::En
                } else {
                    Lang::Zh
                };
                self.rebuild_rows();
            }
            Action::Refresh => self.refresh(true),
            Action::Save | Action::NextField | Action::PrevField => {}
        }
    }

    /// `<` `>`: the visits of the month before or after the one shown
    /// (the first press shows the current month).
    fn step_month(&mut self, back: bool) {
        let (y, m) = self.visit_month.unwrap_or_else(|| {
            let t = self.today();
            (chrono::Datelike::year(&t), chrono::Datelike::month(&t))
        });
        let shifted = match (back, m) {
            (true, 1) => (y.saturating_sub(1), 12),
            (true, _) => (y, m - 1),
            (false, 12) => (y.saturating_add(1), 1),
            (false, _) => (y, m + 1),
        };
        self.visit_month = Some(if self.visit_month.is_none() {
            (y, m)
        } else {
            shifted
        });
        self.screen = Screen::Visits;
        self.visits.selected = 0;
        self.rebuild_rows();
    }

    /// Enter: a pairing opens its visits; elsewhere the edit form.
    fn select(&mut self) {
        match self.screen {
            Screen::Pairings => {
                if let Some(id) = self.pairings.selected_id().cloned() {
                    self.visit_pairing = Some(id);
                    self.visit_month = None;
                    self.visits.selected = 0;
                    self.screen = Screen::Visits;
                    self.rebuild_rows();
                }
            }
            Screen::Kindergartens | Screen::Visits | Screen::Inspections => self.open_edit(),
            Screen::Reports => self.open_report(),
            Screen::Sync => self.sync_now(),
            _ => {}
        }
    }

    /// Starts background sync if the interface runs with the network and a
    /// workspace is open.
    pub fn start_sync(&mut self) {
        if self.network && self.sync.is_none() && self.ws.is_some() {
            self.sync = Some(Agent::start(&self.data_dir, self.options.clone()));
        }
    }

    fn sync_now(&mut self) {
        match &self.sync {
            Some(a) => {
                a.sync_now();
                self.message = Some(tr!(self.lang, "tui.syncing"));
            }
            None => self.message = Some(tr!(self.lang, "tui.sync_unavailable")),
        }
    }

    fn back(&mut self) {
        let screen = self.screen;
        if let Some(l) = self.list_mut(screen)
            && !l.filter.is_empty()
        {
            l.filter.clear();
            self.rebuild_rows();
            return;
        }
        if self.screen == Screen::Visits
            && (self.visit_pairing.is_some() || self.visit_month.is_some())
        {
            self.visit_pairing = None;
            self.visit_month = None;
            self.rebuild_rows();
        }
    }

    /// Loads what other processes wrote (every tick, and on request).
    fn refresh(&mut self, say: bool) {
        let Some(ws) = self.ws.as_mut() else { return };
        let before = ws.model().tally();
        match ws.refresh() {
            Ok(true) => {
                let after = ws.model().tally();
                self.rebuild_rows();
                self.message = Some(if after == before {
                    tr!(self.lang, "tui.refreshed")
                } else {
                    crate::present::arrivals(self.lang, &before, &after)
                });
            }
            Ok(false) if say => self.message = Some(tr!(self.lang, "tui.up_to_date")),
            Ok(false) => {}
            Err(e) => self.save = SaveState::Failed(crate::i18n::store_error(self.lang, &e)),
        }
    }

    /// Runs an edit; reports the outcome in the status bar. Says why when
    /// nothing was saved.
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&mut crate::store::Writer<'_>) -> Result<T, EditError>,
    ) -> Result<T, Unsaved> {
        let Some(ws) = self.ws.as_mut() else {
            return Err(Unsaved::NoWorkspace);
        };
        match ws.write(f) {
            Ok(v) => {
                self.save = SaveState::Saved;
                if let Some(a) = &self.sync {
                    a.edited();
                }
                self.rebuild_rows();
                Ok(v)
            }
            Err(EditError::Invalid(p)) => Err(Unsaved::Refused(p)),
            Err(EditError::Store(e)) => {
                let said = crate::i18n::store_error(self.lang, &e);
                self.save = SaveState::Failed(said.clone());
                Err(Unsaved::Failed(said))
            }
        }
    }
}

/// Which records each list shows, in which order.
/// Where the interface writes exported reports: `BANGFU_EXPORT_DIR`, or
/// `bangfu-exports` in the home directory.
fn export_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("BANGFU_EXPORT_DIR") {
        return PathBuf::from(d);
    }
    directories::UserDirs::new()
        .map(|u| u.home_dir().join("bangfu-exports"))
        .unwrap_or_else(|| PathBuf::from("bangfu-exports"))
}

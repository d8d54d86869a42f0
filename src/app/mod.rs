//! The interface's state and everything that changes it, apart from
//! drawing. One entry point: [`App::handle`] takes an event (a key, a click,
//! a paste, a resize, a tick) and updates the state; `ui::draw` then draws
//! it without changing anything. Writes go through the store and come back
//! as the save state shown in the status bar.

pub mod action;
pub mod form;
mod forms;
mod invite;
pub mod keymap;
pub mod layout;
mod reports;
mod sync_view;

use crate::domain::*;
use crate::i18n::Lang;
pub use crate::store::HistoryEntry;
use crate::store::{EditError, Options, StoreError, Workspace};
use crate::sync::agent::Agent;
use crate::tr;
use action::Action;
use form::Form;
use keymap::Keymap;
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

    fn index(self) -> usize {
        Screen::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// A list of records: which ones (filtered, sorted), which is selected,
/// and which is the first on screen.
#[derive(Debug, Clone, Default)]
pub struct ListState {
    pub rows: Vec<Id>,
    pub selected: usize,
    pub offset: usize,
    /// Typed filter (substring of names, places, notes).
    pub filter: String,
    /// The filter line has the keyboard.
    pub filtering: bool,
}

impl ListState {
    pub fn selected_id(&self) -> Option<&Id> {
        self.rows.get(self.selected)
    }

    fn clamp(&mut self, capacity: usize) {
        if self.rows.is_empty() {
            self.selected = 0;
            self.offset = 0;
            return;
        }
        self.selected = self.selected.min(self.rows.len() - 1);
        if self.selected < self.offset {
            self.offset = self.selected;
        }
        if self.selected >= self.offset + capacity {
            self.offset = self.selected + 1 - capacity;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(1));
    }

    fn move_by(&mut self, delta: isize, capacity: usize) {
        let n = self.rows.len() as isize;
        if n == 0 {
            return;
        }
        self.selected = (self.selected as isize + delta).clamp(0, n - 1) as usize;
        self.clamp(capacity);
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

/// The first-run menu, when the data directory holds no workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstRunChoice {
    Panjin,
    Empty,
    Demo,
    Join,
}

impl FirstRunChoice {
    pub const ALL: [FirstRunChoice; 4] = [
        FirstRunChoice::Panjin,
        FirstRunChoice::Empty,
        FirstRunChoice::Demo,
        FirstRunChoice::Join,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FirstRunChoice::Panjin => "panjin",
            FirstRunChoice::Empty => "empty",
            FirstRunChoice::Demo => "demo",
            FirstRunChoice::Join => "join",
        }
    }
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
}

/// A join running on its own thread: the first-run screen waits for it
/// without waiting on the network.
pub struct Joining {
    rx: std::sync::mpsc::Receiver<Result<(), String>>,
}

impl Joining {
    fn start(
        dir: PathBuf,
        ticket: String,
        name: String,
        options: Options,
        lang: Lang,
        mdns: bool,
    ) -> Joining {
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("bangfu-join".into())
            .spawn({
                let tx = tx.clone();
                move || {
                    let outcome =
                        crate::sync::node::join_blocking(&dir, &ticket, &name, options, mdns)
                            .map_err(|e| crate::i18n::sync_error(lang, &e));
                    let _ = tx.send(outcome);
                }
            });
        if let Err(e) = spawned {
            let _ = tx.send(Err(e.to_string()));
        }
        Joining { rx }
    }
}

impl App {
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

    pub fn list(&self, screen: Screen) -> Option<&ListState> {
        match screen {
            Screen::Dashboard | Screen::Sync => None,
            Screen::Kindergartens => Some(&self.kindergartens),
            Screen::Pairings => Some(&self.pairings),
            Screen::Visits => Some(&self.visits),
            Screen::Inspections => Some(&self.inspections),
            Screen::Reports => Some(&self.reports),
        }
    }

    fn list_mut(&mut self, screen: Screen) -> Option<&mut ListState> {
        match screen {
            Screen::Dashboard | Screen::Sync => None,
            Screen::Kindergartens => Some(&mut self.kindergartens),
            Screen::Pairings => Some(&mut self.pairings),
            Screen::Visits => Some(&mut self.visits),
            Screen::Inspections => Some(&mut self.inspections),
            Screen::Reports => Some(&mut self.reports),
        }
    }

    fn capacity(&self) -> usize {
        layout::list_capacity(layout::areas(self.size).list)
    }

    /// Recomputes every list from the model and the filters, keeping the
    /// selected record selected where it is still listed.
    pub fn rebuild_rows(&mut self) {
        for s in Screen::ALL {
            self.rebuild_list(s);
        }
    }

    /// Recomputes one list (a filter key changes only its own list).
    fn rebuild_list(&mut self, screen: Screen) {
        let cap = self.capacity();
        let Some(model) = self.ws.as_ref().map(|w| w.model()) else {
            return;
        };
        let ids = match screen {
            Screen::Dashboard | Screen::Sync => return,
            Screen::Kindergartens => rows::kindergartens(model, &self.kindergartens.filter),
            Screen::Pairings => rows::pairings(model, &self.pairings.filter),
            Screen::Visits => rows::visits(
                model,
                &self.visits.filter,
                self.visit_month,
                self.visit_pairing.as_ref(),
            ),
            Screen::Inspections => rows::inspections(model, &self.inspections.filter),
            Screen::Reports => {
                let me = self.me.as_ref().and_then(|d| model.active_member(d));
                let listed = rows::reports(
                    model,
                    me,
                    self.options.today,
                    &self.reports.filter,
                    self.lang,
                );
                let ids = listed.iter().map(|x| x.key.id()).collect();
                self.report_rows = listed.into_iter().map(|x| (x.key.id(), x)).collect();
                ids
            }
        };
        if let Some(l) = self.list_mut(screen) {
            let keep = l.selected_id().cloned();
            l.rows = ids;
            if let Some(k) = keep
                && let Some(i) = l.rows.iter().position(|x| *x == k)
            {
                l.selected = i;
            }
            l.clamp(cap);
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

    fn scroll_overlay(&mut self, by: isize) {
        let (scroll, len) = match &mut self.overlay {
            Some(Overlay::History {
                scroll, entries, ..
            }) => (scroll, entries.len()),
            // The help is shorter than 60 rows; the drawing stops at its end.
            Some(Overlay::Help { scroll }) => (scroll, 60),
            // A report is shorter than 200 lines; the drawing stops at its end.
            Some(Overlay::Report { scroll, .. }) => (scroll, 200),
            _ => return,
        };
        *scroll = (*scroll as isize + by).clamp(0, len.saturating_sub(1) as isize) as usize;
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
            Action::NextTab => self.go((self.screen.index() + 1) % Screen::ALL.len()),
            Action::PrevTab => {
                self.go((self.screen.index() + Screen::ALL.len() - 1) % Screen::ALL.len())
            }
            Action::Dashboard => self.go(0),
            Action::Kindergartens => self.go(1),
            Action::Pairings => self.go(2),
            Action::Visits => self.go(3),
            Action::Inspections => self.go(4),
            Action::Reports => self.go(5),
            Action::Sync => self.go(6),
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
            Action::PrevMonth | Action::NextMonth => {
                let (y, m) = self.visit_month.unwrap_or_else(|| {
                    let t = self.today();
                    (chrono::Datelike::year(&t), chrono::Datelike::month(&t))
                });
                let shifted = if a == Action::PrevMonth {
                    if m == 1 { (y - 1, 12) } else { (y, m - 1) }
                } else if m == 12 {
                    (y + 1, 1)
                } else {
                    (y, m + 1)
                };
                // The first press shows the current month.
                self.visit_month = Some(if self.visit_month.is_none() {
                    (y, m)
                } else {
                    shifted
                });
                self.screen = Screen::Visits;
                self.visits.selected = 0;
                self.rebuild_rows();
            }
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

    fn go(&mut self, index: usize) {
        self.screen = Screen::ALL[index % Screen::ALL.len()];
    }

    fn move_selection(&mut self, by: isize, cap: usize) {
        if self.screen == Screen::Sync {
            // No further than the last peer (the other members bound the
            // list), however often End is pressed.
            let last = self
                .ws
                .as_ref()
                .map_or(0, |w| w.model().members.len().saturating_sub(1));
            self.sync_scroll = self.sync_scroll.saturating_add_signed(by).min(last);
            return;
        }
        let screen = self.screen;
        if let Some(l) = self.list_mut(screen) {
            l.move_by(by, cap);
        }
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

    /// Picks up the end of a join started on the first-run screen.
    fn poll_join(&mut self) {
        let Some(j) = &self.joining else { return };
        let outcome = match j.rx.try_recv() {
            Ok(o) => o,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Err(String::new()),
        };
        self.joining = None;
        match outcome.and_then(|()| {
            Workspace::open(&self.data_dir, self.options.clone())
                .map_err(|e| crate::i18n::store_error(self.lang, &e))
        }) {
            Ok(ws) => self.opened(ws, tr!(self.lang, "tui.joined")),
            Err(m) => self.message = Some(m),
        }
    }

    /// A workspace was created or joined on the first-run screen.
    fn opened(&mut self, ws: Workspace, message: String) {
        self.ws = Some(ws);
        self.me = crate::identity::load(&self.data_dir)
            .ok()
            .flatten()
            .map(|k| crate::identity::endpoint_hex(&k));
        self.clamp_year();
        self.rebuild_rows();
        self.message = Some(message);
        self.start_sync();
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

    /// Runs an edit; reports the outcome in the status bar. Returns the
    /// problems when the edit broke a rule.
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&mut crate::store::Writer<'_>) -> Result<T, EditError>,
    ) -> Result<T, Vec<Problem>> {
        let Some(ws) = self.ws.as_mut() else {
            return Err(Vec::new());
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
            Err(EditError::Invalid(p)) => Err(p),
            Err(EditError::Store(e)) => {
                self.save = SaveState::Failed(crate::i18n::store_error(self.lang, &e));
                Err(Vec::new())
            }
        }
    }

    fn open_history(&mut self) {
        let (what, id) = match self.screen {
            Screen::Kindergartens => (Entity::Kindergarten, self.kindergartens.selected_id()),
            Screen::Pairings => (Entity::Pairing, self.pairings.selected_id()),
            Screen::Visits => (Entity::Visit, self.visits.selected_id()),
            Screen::Inspections => (Entity::Inspection, self.inspections.selected_id()),
            Screen::Reports => match self.current_report() {
                Some(crate::domain::reports::ReportKey::Monthly { .. }) => {
                    (Entity::MonthlyReport, self.reports.selected_id())
                }
                Some(_) => (Entity::AnnualSummary, self.reports.selected_id()),
                None => return,
            },
            Screen::Dashboard | Screen::Sync => return,
        };
        let Some(id) = id.cloned() else { return };
        let lang = self.lang;
        let Some(ws) = self.ws.as_mut() else { return };
        match ws.history(what, &id) {
            Ok(entries) => {
                let title = tr!(
                    lang,
                    "history.heading",
                    what = crate::i18n::entity(lang, what),
                    id = id.short(),
                    count = entries.len()
                );
                self.overlay = Some(Overlay::History {
                    title,
                    entries,
                    scroll: 0,
                });
            }
            Err(e) => self.save = SaveState::Failed(crate::i18n::store_error(lang, &e)),
        }
    }

    fn confirm_visit(&mut self) {
        let Some(id) = self.visits.selected_id().cloned() else {
            return;
        };
        let stamp = Stamp {
            by: self.options.person.clone(),
            on: self.today(),
        };
        match self.write(|w| w.confirm_visit(&id, stamp)) {
            Ok(()) => self.message = Some(tr!(self.lang, "visit.confirmed")),
            Err(problems) => self.say_problems(&problems),
        }
    }

    /// Sign or file the selected agreement at once; confirming asks which
    /// bureau.
    fn agreement_step(&mut self, step: Action) {
        if self.screen != Screen::Pairings {
            return;
        }
        let Some(id) = self.pairings.selected_id().cloned() else {
            return;
        };
        let stamp = Stamp {
            by: self.options.person.clone(),
            on: self.today(),
        };
        let result = match step {
            Action::Sign => self.write(|w| w.sign(&id, stamp)),
            Action::File => self.write(|w| w.file(&id, stamp)),
            _ => return self.open_confirm(&id),
        };
        match result {
            Ok(()) => {
                let status = self
                    .model()
                    .and_then(|m| m.pairing(&id))
                    .map(|p| crate::i18n::label(self.lang, p.agreement.status))
                    .unwrap_or_default();
                self.message = Some(tr!(self.lang, "tui.agreement_now", status = status));
            }
            Err(problems) => self.say_problems(&problems),
        }
    }

    /// Shows rule problems in the status bar (for actions without a form).
    fn say_problems(&mut self, problems: &[Problem]) {
        if let Some(p) = problems.first() {
            self.message = Some(crate::i18n::problem(self.lang, p));
        }
    }

    fn first_run_key(&mut self, k: KeyEvent) {
        if self.joining.is_some() {
            if self.keymap.normal_action(&k) == Some(Action::Quit) {
                self.quit = true;
            }
            return;
        }
        match self.keymap.normal_action(&k) {
            Some(Action::Up) => self.first_run = self.first_run.saturating_sub(1),
            Some(Action::Down) => {
                self.first_run = (self.first_run + 1).min(FirstRunChoice::ALL.len() - 1);
            }
            Some(Action::Quit) | Some(Action::Back) => self.quit = true,
            Some(Action::Select) => self.first_run_choose(),
            Some(Action::ToggleLanguage) => {
                self.lang = if self.lang == Lang::Zh {
                    Lang::En
                } else {
                    Lang::Zh
                };
            }
            Some(Action::Help) => {}
            _ => {}
        }
    }

    fn first_run_choose(&mut self) {
        use crate::domain::plan;
        let choice = FirstRunChoice::ALL[self.first_run.min(FirstRunChoice::ALL.len() - 1)];
        let made = match choice {
            FirstRunChoice::Panjin => {
                Workspace::init(&self.data_dir, &plan::panjin(), self.options.clone())
            }
            FirstRunChoice::Empty => {
                let y = chrono::Datelike::year(&self.today());
                let setup = plan::empty(
                    &tr!(self.lang, "tui.new_programme"),
                    &[tr!(self.lang, "tui.new_district")],
                    y,
                    y + 2,
                );
                Workspace::init(&self.data_dir, &setup, self.options.clone())
            }
            FirstRunChoice::Demo => crate::demo::create(
                &self.data_dir,
                crate::demo::Scale::City,
                1,
                self.options.clone(),
            )
            .and_then(|_| {
                Workspace::open(&self.data_dir, self.options.clone()).map_err(EditError::from)
            }),
            FirstRunChoice::Join => {
                self.overlay = Some(Overlay::Form(Box::new(forms::join_form(
                    self.lang,
                    &self.options.person,
                ))));
                return;
            }
        };
        match made {
            Ok(ws) => self.opened(ws, tr!(self.lang, "tui.created")),
            Err(EditError::Store(e)) => {
                self.message = Some(crate::i18n::store_error(self.lang, &e))
            }
            Err(EditError::Invalid(p)) => self.say_problems(&p),
        }
    }

    fn mouse(&mut self, m: MouseEvent) {
        if self.ws.is_none() {
            return;
        }
        match m.kind {
            MouseEventKind::ScrollDown => self.on_list_or_overlay(3),
            MouseEventKind::ScrollUp => self.on_list_or_overlay(-3),
            MouseEventKind::Down(MouseButton::Left) => {
                if self.overlay.is_some() {
                    return;
                }
                let a = layout::areas(self.size);
                if m.row == a.tabs.y {
                    if let Some((s, _, _)) = layout::tabs(self.lang, a.tabs)
                        .into_iter()
                        .find(|(_, _, r)| m.column >= r.x && m.column < r.x + r.width)
                    {
                        self.screen = s;
                    }
                    return;
                }
                let list = a.list;
                // The first row of the list area is its header.
                if self.screen != Screen::Dashboard
                    && m.column >= list.x
                    && m.column < list.x + list.width
                    && m.row > list.y
                    && m.row < list.y + list.height
                {
                    let cap = self.capacity();
                    let screen = self.screen;
                    if let Some(l) = self.list_mut(screen) {
                        let i = l.offset + usize::from(m.row - list.y - 1);
                        if i < l.rows.len() {
                            l.selected = i;
                            l.clamp(cap);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn on_list_or_overlay(&mut self, by: isize) {
        if self.overlay.is_some() {
            self.scroll_overlay(by);
        } else {
            let cap = self.capacity();
            self.move_selection(by, cap);
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

mod rows {
    use crate::domain::lists::{self, Query, Words};
    use crate::domain::*;

    /// The reports a member sees (what waits on it first), filtered by
    /// their titles.
    pub fn reports(
        m: &Model,
        me: Option<&Member>,
        today: chrono::NaiveDate,
        filter: &str,
        lang: crate::i18n::Lang,
    ) -> Vec<crate::domain::reports::Listed> {
        let f = Words::new(filter);
        crate::domain::reports::listed(m, me, today)
            .into_iter()
            .filter(|x| {
                f.matches(&[
                    &crate::export::title(lang, m, &x.key),
                    &crate::export::short_title(lang, m, &x.key),
                ])
            })
            .collect()
    }

    pub fn kindergartens(m: &Model, filter: &str) -> Vec<Id> {
        let ks = lists::kindergartens(m, &Query::words(filter));
        ks.into_iter().map(|k| k.id.clone()).collect()
    }

    pub fn pairings(m: &Model, filter: &str) -> Vec<Id> {
        let ps = lists::pairings(m, &Query::words(filter));
        ps.into_iter().map(|p| p.id.clone()).collect()
    }

    pub fn visits(
        m: &Model,
        filter: &str,
        month: Option<(i32, u32)>,
        pairing: Option<&Id>,
    ) -> Vec<Id> {
        let q = Query {
            month,
            pairing: pairing.cloned(),
            ..Query::words(filter)
        };
        let vs = lists::visits(m, &q);
        vs.into_iter().map(|v| v.id.clone()).collect()
    }

    pub fn inspections(m: &Model, filter: &str) -> Vec<Id> {
        let is = lists::inspections(m, &Query::words(filter));
        is.into_iter().map(|i| i.id.clone()).collect()
    }
}

//! The main screens, one component each: its state, the actions it
//! answers to (what the help lists), and what each does. Drawing is in
//! `ui`, from the same state. The list screens share [`ListState`] and the
//! keys that move in a list.

mod dashboard;
mod inspections;
mod kindergartens;
mod list;
mod pairings;
pub mod reports;
mod sync;
mod visits;

pub use dashboard::{Dashboard, Figures as DashboardFigures};
pub use inspections::Inspections;
pub use kindergartens::Kindergartens;
pub use list::{FilterKey, ListState};
pub use pairings::Pairings;
pub use reports::Reports;
pub use sync::{SyncScreen, status as sync_status, sync_now};
pub use visits::Visits;

use super::action::Action;
use super::ctx::Ctx;
use super::dialog::Dialog;
use crate::domain::*;
use crate::i18n::Lang;
use crate::tr;

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
    pub fn next(self, by: usize) -> Screen {
        let at = Screen::ALL.iter().position(|s| *s == self).unwrap_or(0);
        let n = Screen::ALL.len();
        Screen::ALL
            .get(at.saturating_add(by) % n)
            .copied()
            .unwrap_or(Screen::Dashboard)
    }

    /// The screen a screen-switching action names.
    pub fn of_action(a: Action) -> Option<Screen> {
        Some(match a {
            Action::Dashboard => Screen::Dashboard,
            Action::Kindergartens => Screen::Kindergartens,
            Action::Pairings => Screen::Pairings,
            Action::Visits => Screen::Visits,
            Action::Inspections => Screen::Inspections,
            Action::Reports => Screen::Reports,
            Action::Sync => Screen::Sync,
            _ => return None,
        })
    }

    /// The screen that lists records of a kind.
    pub fn of_entity(what: Entity) -> Option<Screen> {
        Some(match what {
            Entity::Kindergarten => Screen::Kindergartens,
            Entity::Pairing => Screen::Pairings,
            Entity::Visit => Screen::Visits,
            Entity::Inspection => Screen::Inspections,
            Entity::MonthlyReport | Entity::AnnualSummary => Screen::Reports,
            Entity::District | Entity::Attachment => return None,
        })
    }

    /// The actions this screen answers to, as the help lists them.
    pub fn actions(self) -> &'static [Action] {
        match self {
            Screen::Dashboard => Dashboard::ACTIONS,
            Screen::Kindergartens => Kindergartens::ACTIONS,
            Screen::Pairings => Pairings::ACTIONS,
            Screen::Visits => Visits::ACTIONS,
            Screen::Inspections => Inspections::ACTIONS,
            Screen::Reports => Reports::ACTIONS,
            Screen::Sync => SyncScreen::ACTIONS,
        }
    }
}

/// What the lists are read against.
pub struct Rows<'a> {
    pub model: &'a Model,
    /// This device's member record.
    pub me: Option<&'a Member>,
    pub today: chrono::NaiveDate,
    pub lang: Lang,
    pub capacity: usize,
}

/// Every screen's component.
#[derive(Debug, Default)]
pub struct Screens {
    pub dashboard: Dashboard,
    pub kindergartens: Kindergartens,
    pub pairings: Pairings,
    pub visits: Visits,
    pub inspections: Inspections,
    pub reports: Reports,
    pub sync: SyncScreen,
}

impl Screens {
    pub fn list(&self, screen: Screen) -> Option<&ListState> {
        match screen {
            Screen::Dashboard | Screen::Sync => None,
            Screen::Kindergartens => Some(&self.kindergartens.list),
            Screen::Pairings => Some(&self.pairings.list),
            Screen::Visits => Some(&self.visits.list),
            Screen::Inspections => Some(&self.inspections.list),
            Screen::Reports => Some(&self.reports.list),
        }
    }

    pub fn list_mut(&mut self, screen: Screen) -> Option<&mut ListState> {
        match screen {
            Screen::Dashboard | Screen::Sync => None,
            Screen::Kindergartens => Some(&mut self.kindergartens.list),
            Screen::Pairings => Some(&mut self.pairings.list),
            Screen::Visits => Some(&mut self.visits.list),
            Screen::Inspections => Some(&mut self.inspections.list),
            Screen::Reports => Some(&mut self.reports.list),
        }
    }

    /// Reads the list `shown` again (the data changed) and marks the
    /// others to be read when they are shown: a province's lists of every
    /// screen took a tenth of the interface's first frame.
    pub fn rebuild(&mut self, shown: Screen, r: &Rows<'_>) {
        for s in Screen::ALL {
            if s == shown {
                self.rebuild_one(s, r);
            } else if let Some(l) = self.list_mut(s) {
                l.stale = true;
            } else if s == Screen::Dashboard {
                self.dashboard.stale = true;
            }
        }
    }

    /// Reads the list of `screen` (the dashboard's figures) again if the
    /// data changed since.
    pub fn freshen(&mut self, screen: Screen, r: &Rows<'_>) {
        let stale = match screen {
            Screen::Dashboard => self.dashboard.stale || self.dashboard.figures.is_none(),
            _ => self.list(screen).is_some_and(|l| l.stale),
        };
        if stale {
            self.rebuild_one(screen, r);
        }
    }

    /// Reads one list again (its filter changed).
    pub fn rebuild_one(&mut self, screen: Screen, r: &Rows<'_>) {
        match screen {
            Screen::Dashboard => self.dashboard.rebuild(r),
            Screen::Sync => {}
            Screen::Kindergartens => self.kindergartens.rebuild(r),
            Screen::Pairings => self.pairings.rebuild(r),
            Screen::Visits => self.visits.rebuild(r),
            Screen::Inspections => self.inspections.rebuild(r),
            Screen::Reports => self.reports.rebuild(r),
        }
    }

    /// Runs an action on `screen`: the keys every list shares first, then
    /// the screen's own. The report in `open` is the one on screen, if
    /// any (its keys act on it).
    pub fn apply(&mut self, screen: Screen, a: Action, cx: &mut Ctx<'_>) {
        let cap = cx.capacity;
        let members = cx.model().members.len();
        if screen == Screen::Sync {
            return self.sync.apply(a, cx, members);
        }
        if let Some(l) = self.list_mut(screen) {
            let by = match a {
                Action::Up => Some(-1),
                Action::Down => Some(1),
                Action::PageUp => Some(-(cap as isize)),
                Action::PageDown => Some(cap as isize),
                Action::Home => Some(isize::MIN / 2),
                Action::End => Some(isize::MAX / 2),
                _ => None,
            };
            if let Some(by) = by {
                return l.move_by(by, cap);
            }
            if a == Action::Filter {
                l.filtering = true;
                return;
            }
            if a == Action::Back && l.clear_filter() {
                cx.asked.reread = true;
                return;
            }
        }
        match screen {
            Screen::Dashboard => self.dashboard.apply(a, cx),
            Screen::Kindergartens => self.kindergartens.apply(a, cx),
            Screen::Pairings => self.pairings.apply(a, cx),
            Screen::Visits => self.visits.apply(a, cx),
            Screen::Inspections => self.inspections.apply(a, cx),
            Screen::Reports => self.reports.apply(a, cx, None),
            Screen::Sync => {}
        }
    }

    /// Scrolls the screen's list (or the sync screen's peers) by `by`.
    pub fn scroll(&mut self, screen: Screen, by: isize, cap: usize, members: usize) {
        if screen == Screen::Sync {
            return self.sync.scroll(by, members);
        }
        if let Some(l) = self.list_mut(screen) {
            l.move_by(by, cap);
        }
    }
}

/// `d`: deletes the selected record, asked once first (the same key again
/// deletes it). Who deleted it and when stay in its history.
pub(super) fn delete(cx: &mut Ctx<'_>, what: Entity, id: Option<&Id>) {
    let Some(id) = id.cloned() else { return };
    let lang = cx.lang;
    let name = crate::present::record_name(lang, cx.model(), what, &id);
    let said = tr!(
        lang,
        "confirm.delete",
        what = crate::i18n::entity(lang, what),
        name = name.as_str()
    );
    if !cx.confirmed(Action::Delete, &id, said) {
        return;
    }
    let before = crate::app::undo::snapshot(cx.model(), what, &id);
    match cx.write(|w| w.delete(what, &id)) {
        Ok(()) => {
            crate::app::undo::note(cx, what, &id, before);
            cx.say(tr!(
                lang,
                "tui.deleted",
                what = crate::i18n::entity(lang, what),
                name = name
            ));
        }
        Err(why) => cx.say_unsaved(why),
    }
}

/// `p`: settles a conflict of the selected record (its first): a form to
/// pick the value kept. A report started on two devices needs no pick.
pub(super) fn pick(cx: &mut Ctx<'_>, id: Option<&Id>) {
    let Some(id) = id else { return };
    let lang = cx.lang;
    let Some(c) = cx.ws.conflicts_of(id).first().map(|c| (*c).clone()) else {
        return cx.say(tr!(lang, "conflict.none"));
    };
    if c.is_start() {
        return cx.say(crate::present::conflicts::values(lang, &c));
    }
    crate::app::forms::pick_conflict(cx, c);
}

/// `h`: the selected record's history, read after a frame has said so (it
/// decodes the record's whole document: most of a second at city scale).
pub(super) fn open_history(cx: &mut Ctx<'_>, what: Entity, id: Option<&Id>) {
    let Some(id) = id.cloned() else { return };
    *cx.message = Some(tr!(cx.lang, "history.reading"));
    cx.asked.later = Some(crate::app::later::Later::History(what, id));
}

/// The history dialog of a record, read now.
pub fn show_history(cx: &mut Ctx<'_>, what: Entity, id: Id) {
    let lang = cx.lang;
    match cx.ws.history(what, &id) {
        Ok(entries) => {
            let title = tr!(
                lang,
                "history.heading",
                what = crate::i18n::entity(lang, what),
                id = id.short(),
                count = entries.len()
            );
            cx.open(Dialog::History {
                title,
                entries,
                scroll: 0,
            });
        }
        Err(e) => *cx.save = super::SaveState::Failed(crate::i18n::store_error(lang, &e)),
    }
}

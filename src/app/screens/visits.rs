//! The visit log: all visits, one month's, or one pairing's; the helped
//! side confirms a visit here.

use super::{Ctx, ListState, Rows, open_history};
use crate::app::action::Action;
use crate::app::forms;
use crate::domain::lists::{self, Query};
use crate::domain::*;
use crate::tr;

/// The visit log's state.
#[derive(Debug, Clone, Default)]
pub struct Visits {
    pub list: ListState,
    /// Only this month, if set.
    pub month: Option<(i32, u32)>,
    /// Only this pairing, if set.
    pub pairing: Option<Id>,
}

impl Visits {
    pub const ACTIONS: &'static [Action] = &[
        Action::Add,
        Action::Edit,
        Action::Confirm,
        Action::PrevMonth,
        Action::NextMonth,
        Action::AllMonths,
        Action::Filter,
        Action::History,
        Action::Delete,
        Action::Pick,
        Action::Evidence,
    ];

    pub fn rebuild(&mut self, r: &Rows<'_>) {
        let q = Query {
            month: self.month,
            pairing: self.pairing.clone(),
            ..Query::words(&self.list.filter)
        };
        let ids = lists::visits(r.model, &q)
            .into_iter()
            .map(|v| v.id.clone())
            .collect();
        self.list.set_rows(ids, r.capacity);
    }

    /// One pairing's visits.
    pub fn show_pairing(&mut self, id: Id) {
        self.pairing = Some(id);
        self.month = None;
        self.list.selected = 0;
    }

    /// Every visit again (no month, no pairing); false if that was shown.
    pub fn show_all(&mut self) -> bool {
        let narrowed = self.pairing.is_some() || self.month.is_some();
        self.pairing = None;
        self.month = None;
        narrowed
    }

    /// `<` `>`: the visits of the month before or after the one shown
    /// (the first press shows the current month), from January of the
    /// programme's first year to this month: there are no visits after.
    pub fn step_month(&mut self, back: bool, today: chrono::NaiveDate, first_year: i32) {
        let (y, m) = self.month.unwrap_or_else(|| {
            (
                chrono::Datelike::year(&today),
                chrono::Datelike::month(&today),
            )
        });
        let shifted = match (back, m) {
            (true, 1) => (y.saturating_sub(1), 12),
            (true, _) => (y, m - 1),
            (false, 12) => (y.saturating_add(1), 1),
            (false, _) => (y, m + 1),
        };
        let now = (
            chrono::Datelike::year(&today),
            chrono::Datelike::month(&today),
        );
        let wanted = if self.month.is_none() {
            (y, m)
        } else {
            shifted
        };
        self.month = Some(wanted.clamp((first_year.min(now.0), 1), now));
        self.list.selected = 0;
    }

    /// The pairing a new visit is most likely for: the one whose visits
    /// are shown, or that of the selected visit.
    fn likely_pairing(&self, m: &Model) -> Option<Id> {
        self.pairing.clone().or_else(|| {
            self.list
                .selected_id()
                .and_then(|v| m.visit(v))
                .map(|v| v.pairing_id.clone())
        })
    }

    pub fn apply(&mut self, a: Action, cx: &mut Ctx<'_>) {
        let selected = self.list.selected_id();
        match a {
            Action::Add => {
                let likely = self.likely_pairing(cx.model());
                forms::new_visit(cx, likely);
            }
            Action::Edit | Action::Select => {
                if let Some(id) = selected {
                    forms::edit_visit(cx, id);
                }
            }
            Action::Confirm => {
                if let Some(id) = selected.cloned() {
                    confirm(cx, &id);
                }
            }
            Action::Evidence => crate::app::evidence::open(cx, AttachedTo::Visit, selected),
            Action::History => open_history(cx, Entity::Visit, selected),
            Action::Delete => super::delete(cx, Entity::Visit, selected),
            Action::Pick => super::pick(cx, selected),
            Action::Back if self.show_all() => cx.asked.reread = true,
            _ => {}
        }
    }
}

/// The helped side confirms that the visit took place.
fn confirm(cx: &mut Ctx<'_>, id: &Id) {
    let stamp = cx.stamp();
    match cx.write(|w| w.confirm_visit(id, stamp)) {
        Ok(()) => {
            let said = tr!(cx.lang, "visit.confirmed");
            cx.say(said);
        }
        Err(why) => cx.say_unsaved(why),
    }
}

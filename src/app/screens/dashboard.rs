//! The dashboard: one year's targets, shares, visits and deadlines.

use super::{Ctx, Screen};
use crate::app::action::Action;
use crate::app::ctx::Go;
use crate::domain::Programme;

/// The dashboard's state: the year it shows.
#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    pub year: i32,
}

impl Dashboard {
    pub const ACTIONS: &'static [Action] = &[
        Action::PrevYear,
        Action::NextYear,
        Action::Edit,
        Action::Add,
        Action::Select,
        Action::Districts,
    ];

    /// Shows `year`, within the programme's years.
    pub fn show_year(&mut self, year: i32, p: &Programme) {
        let (a, b) = (p.start_year, p.end_year);
        self.year = year.clamp(a.min(b), b.max(a));
    }

    /// `[` `]` (from any screen): the year before or after.
    pub fn step_year(&mut self, a: Action, p: &Programme) {
        let by = if a == Action::PrevYear { -1 } else { 1 };
        self.show_year(self.year.saturating_add(by), p);
    }

    pub fn apply(&mut self, a: Action, cx: &mut Ctx<'_>) {
        match a {
            // A new kindergarten, on its list.
            Action::Add => {
                crate::app::forms::new_kindergarten(cx);
                cx.asked.go = Some(Go::To(Screen::Kindergartens));
            }
            // The targets of the year shown.
            Action::Edit => crate::app::forms::edit_plan(cx, self.year),
            // A district's name and towns, or its deletion.
            Action::Districts => crate::app::districts::open(cx),
            // Every deadline, whole.
            Action::Select => cx.open(crate::app::Dialog::Deadlines { scroll: 0 }),
            _ => {}
        }
    }
}

//! The dashboard: one year's targets, shares, visits and deadlines.

use super::{Ctx, Rows, Screen};
use crate::app::action::Action;
use crate::app::ctx::Go;
use crate::domain::calendar::{self, Deadline};
use crate::domain::plan::{self, YearStatus};
use crate::domain::{Code, Model, Programme, Reach, SupportForm};
use chrono::Datelike;
use std::collections::BTreeMap;

/// The dashboard's state: the year it shows, and its figures as the data
/// last stood.
#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    pub year: i32,
    /// Read again when the data changes, not for each frame: a province's
    /// took 37 ms a frame (p99 of 300 keys), a city's under 1 ms.
    pub figures: Option<Box<Figures>>,
    /// The data changed since `figures` were read.
    pub stale: bool,
}

/// What the dashboard shows of the data, for whose work the figures count.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// Each year of the programme.
    pub years: Vec<YearStatus>,
    /// Visits by month, for each year that has any.
    pub by_month: BTreeMap<i32, [u64; 12]>,
    /// This month's visits by form.
    pub this_month: Vec<(SupportForm, usize)>,
    pub deadlines: Vec<Deadline>,
}

impl Figures {
    pub fn of(m: &Model, today: chrono::NaiveDate, reach: &Reach) -> Figures {
        let years = (m.programme.start_year..=m.programme.end_year)
            .map(|y| plan::year_status(m, y, reach))
            .collect();
        let mut by_month: BTreeMap<i32, [u64; 12]> = BTreeMap::new();
        let mut forms: BTreeMap<SupportForm, usize> = BTreeMap::new();
        for v in reach.visits(m) {
            let months = by_month.entry(v.date.year()).or_default();
            if let Some(n) = months.get_mut(v.date.month0() as usize) {
                *n = n.saturating_add(1);
            }
            if v.date.year() == today.year() && v.date.month() == today.month() {
                let n = forms.entry(v.form).or_default();
                *n = n.saturating_add(1);
            }
        }
        let this_month = SupportForm::ALL
            .iter()
            .map(|f| (*f, forms.get(f).copied().unwrap_or(0)))
            .collect();
        Figures {
            years,
            by_month,
            this_month,
            deadlines: calendar::deadlines(m, today, reach),
        }
    }
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

    /// Reads the figures again from the data.
    pub fn rebuild(&mut self, r: &Rows<'_>) {
        let reach = Reach::of(r.model, r.me);
        self.figures = Some(Box::new(Figures::of(r.model, r.today, &reach)));
        self.stale = false;
    }

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

//! The list screens' state: each list's rows (one query per list,
//! `domain::lists`), selection and scroll, rebuilt when the data or a
//! filter changes.

use super::*;

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

    pub(super) fn clamp(&mut self, capacity: usize) {
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

    pub(super) fn move_by(&mut self, delta: isize, capacity: usize) {
        let n = self.rows.len() as isize;
        if n == 0 {
            return;
        }
        self.selected = (self.selected as isize + delta).clamp(0, n - 1) as usize;
        self.clamp(capacity);
    }
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

impl App {
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

    pub(super) fn list_mut(&mut self, screen: Screen) -> Option<&mut ListState> {
        match screen {
            Screen::Dashboard | Screen::Sync => None,
            Screen::Kindergartens => Some(&mut self.kindergartens),
            Screen::Pairings => Some(&mut self.pairings),
            Screen::Visits => Some(&mut self.visits),
            Screen::Inspections => Some(&mut self.inspections),
            Screen::Reports => Some(&mut self.reports),
        }
    }

    pub(super) fn capacity(&self) -> usize {
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
    pub(super) fn rebuild_list(&mut self, screen: Screen) {
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

    pub(super) fn move_selection(&mut self, by: isize, cap: usize) {
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
}

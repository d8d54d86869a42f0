//! Actions on the selected record: its history, confirming a visit, the
//! agreement's steps (sign, confirm, file).

use super::*;

impl App {
    pub(super) fn open_history(&mut self) {
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

    pub(super) fn confirm_visit(&mut self) {
        let Some(id) = self.visits.selected_id().cloned() else {
            return;
        };
        let stamp = Stamp {
            by: self.options.person.clone(),
            on: self.today(),
        };
        match self.write(|w| w.confirm_visit(&id, stamp)) {
            Ok(()) => self.message = Some(tr!(self.lang, "visit.confirmed")),
            Err(why) => self.say_unsaved(why),
        }
    }

    /// Sign or file the selected agreement at once; confirming asks which
    /// bureau.
    pub(super) fn agreement_step(&mut self, step: Action) {
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
            Err(why) => self.say_unsaved(why),
        }
    }

    /// Says in the status bar why an action without a form saved nothing
    /// (a store failure is said by the save state already).
    pub(super) fn say_unsaved(&mut self, why: Unsaved) {
        if let Unsaved::Refused(problems) = why {
            self.say_problems(&problems);
        }
    }

    /// Shows rule problems in the status bar (for actions without a form).
    pub(super) fn say_problems(&mut self, problems: &[Problem]) {
        if let Some(p) = problems.first() {
            self.message = Some(crate::i18n::problem(self.lang, p));
        }
    }
}

//! The reports screen's actions: open a report, write its sections, submit,
//! accept, return with a comment, refresh a summary's statistics, export.

use super::Unsaved;
use super::form::{Field, Form, FormKind};
use super::{App, Overlay, Screen, action::Action};
use crate::domain::reports::{self, ReportKey};
use crate::domain::*;
use crate::export::{self, FileFormat};
use crate::tr;

/// Rows each section takes in the report form: a paragraph or two in view.
const SECTION_ROWS: u16 = 7;

impl App {
    /// The report selected in the list, or the one open.
    pub(super) fn current_report(&self) -> Option<ReportKey> {
        if let Some(Overlay::Report { key, .. }) = &self.overlay {
            return Some(key.clone());
        }
        if self.screen != Screen::Reports {
            return None;
        }
        self.reports
            .selected_id()
            .and_then(|id| self.report_rows.get(id))
            .map(|x| x.key.clone())
    }

    fn member(&self) -> Option<Member> {
        let m = self.model()?;
        m.active_member(self.me.as_deref()?).cloned()
    }

    /// Enter: the report, whole. A member of the level it goes to is
    /// recorded as having seen it.
    pub(super) fn open_report(&mut self) {
        let Some(key) = self.current_report() else {
            return;
        };
        if let Some(me) = self.member()
            && self
                .model()
                .is_some_and(|m| reports::unseen_by(m, &me, &key))
        {
            // Only a note of the day; failing to write it hides nothing.
            let _ = self.write(|w| w.mark_seen(&key));
        }
        self.overlay = Some(Overlay::Report { key, scroll: 0 });
    }

    /// e: the sections, each a multi-line field.
    pub(super) fn open_report_form(&mut self) {
        let lang = self.lang;
        let Some(key) = self.current_report() else {
            return;
        };
        let Some(m) = self.model() else { return };
        let problems = reports::check_edit(m, self.member().as_ref(), &key);
        if !problems.is_empty() {
            return self.say_problems(&problems);
        }
        let Some(report) = reports::Report::get_or_new(m, &key) else {
            return;
        };
        let fields = reports::sections(&key)
            .iter()
            .map(|s| {
                Field::note(
                    s.code(),
                    export::section_heading(lang, &key, *s),
                    report.text(*s).unwrap_or_default(),
                )
                .tall(SECTION_ROWS)
            })
            .collect();
        let title = export::title(lang, m, &key);
        self.overlay = Some(Overlay::Form(Box::new(Form::new(
            FormKind::ReportSections(key),
            title,
            fields,
        ))));
    }

    /// Saves the sections form.
    pub(super) fn save_report_form(&mut self, form: &Form, key: &ReportKey) -> Result<(), Unsaved> {
        let texts: Vec<(Section, String)> = reports::sections(key)
            .iter()
            .map(|s| (*s, form.text(s.code())))
            .collect();
        self.write(|w| w.set_report_text(key, &texts))?;
        self.message = Some(tr!(
            self.lang,
            "report.written",
            title = self.report_title(key)
        ));
        Ok(())
    }

    /// Saves the return form: the comment goes with the report.
    pub(super) fn save_return_form(&mut self, form: &Form, key: &ReportKey) -> Result<(), Unsaved> {
        let by = self.options.person.clone();
        let comment = form.text("comment");
        self.write(|w| w.review_report(key, false, &by, &comment))?;
        self.message = Some(tr!(
            self.lang,
            "report.returned_done",
            title = self.report_title(key)
        ));
        Ok(())
    }

    fn report_title(&self, key: &ReportKey) -> String {
        self.model()
            .map(|m| export::title(self.lang, m, key))
            .unwrap_or_default()
    }

    /// s submit, c accept, r return (asks why), u refresh statistics,
    /// x export.
    pub(super) fn report_step(&mut self, step: Action) {
        let Some(key) = self.current_report() else {
            return;
        };
        let me = self.member();
        let by = self.options.person.clone();
        let lang = self.lang;
        let (result, done) = match step {
            Action::Sign => (
                self.write(|w| w.submit_report(&key, &by)),
                "report.submitted_done",
            ),
            Action::Confirm => (
                self.write(|w| w.review_report(&key, true, &by, "")),
                "report.accepted_done",
            ),
            Action::Restat => {
                if !matches!(key, ReportKey::Annual { .. }) {
                    self.message = Some(tr!(lang, "report.refresh_annual_only"));
                    return;
                }
                (self.write(|w| w.refresh_stats(&key)), "report.refreshed")
            }
            Action::Return => {
                let Some(m) = self.model() else { return };
                let problems = reports::check_review(m, me.as_ref(), &key, false);
                if !problems.is_empty() {
                    return self.say_problems(&problems);
                }
                let title = tr!(lang, "form.return_report", title = self.report_title(&key));
                let field = Field::note("comment", crate::i18n::field(lang, "comment"), "");
                self.overlay = Some(Overlay::Form(Box::new(Form::new(
                    FormKind::ReturnReport(key),
                    title,
                    vec![field],
                ))));
                return;
            }
            Action::Export => return self.export_report(&key),
            _ => return,
        };
        match result {
            Ok(()) => {
                self.message = Some(tr!(lang, done, title = self.report_title(&key)));
                self.rebuild_rows();
            }
            Err(why) => self.say_unsaved(why),
        }
    }

    /// Writes the report as the bureaus exchange it (a monthly report as
    /// Excel, a summary as Word) and as Markdown, and says where.
    fn export_report(&mut self, key: &ReportKey) {
        let lang = self.lang;
        let Some(m) = self.model() else { return };
        let Some(doc) = export::report_doc(lang, m, key, self.today()) else {
            return;
        };
        let main = match key {
            ReportKey::Monthly { .. } => FileFormat::Xlsx,
            ReportKey::Annual { .. } => FileFormat::Docx,
        };
        let stem: String = doc
            .title
            .chars()
            .map(|c| if "/\\:*?\"<>|".contains(c) { '_' } else { c })
            .collect();
        let dir = self.export_dir.clone();
        let outcome = std::fs::create_dir_all(&dir)
            .map_err(|e| e.to_string())
            .and_then(|()| {
                let mut written = Vec::new();
                for (format, ext) in [
                    (
                        main,
                        if main == FileFormat::Xlsx {
                            "xlsx"
                        } else {
                            "docx"
                        },
                    ),
                    (FileFormat::Markdown, "md"),
                ] {
                    let bytes = export::report_file(&doc, format).map_err(|e| e.to_string())?;
                    let path = dir.join(format!("{stem}.{ext}"));
                    export::write_file_atomically(&path, &bytes).map_err(|e| e.to_string())?;
                    written.push(path);
                }
                Ok(written)
            });
        self.message = Some(match outcome {
            Ok(paths) => tr!(
                lang,
                "report.exported",
                path = paths
                    .first()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ),
            Err(e) => tr!(lang, "export.failed", detail = e),
        });
    }
}

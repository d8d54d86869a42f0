//! The reports screen: what waits on this member first; open a report,
//! write its sections, submit, accept, return with a comment, refresh a
//! summary's statistics, export.

use super::{Ctx, ListState, Rows, open_history};
use crate::app::Unsaved;
use crate::app::action::Action;
use crate::app::dialog::Dialog;
use crate::app::form::{Field, Form, FormKind};
use crate::domain::lists::Words;
use crate::domain::reports::{self, Listed, ReportKey};
use crate::domain::*;
use crate::export::{self, FileFormat};
use crate::input::records::sections;
use crate::tr;
use std::collections::BTreeMap;

/// Rows each section takes in the report form: a paragraph or two in view.
const SECTION_ROWS: u16 = 7;

/// The reports list; its rows are report ids, each listed in `rows` with
/// where it stands for this member.
#[derive(Debug, Clone, Default)]
pub struct Reports {
    pub list: ListState,
    pub rows: BTreeMap<Id, Listed>,
}

impl Reports {
    pub const ACTIONS: &'static [Action] = &[
        Action::Select,
        Action::Edit,
        Action::Sign,
        Action::Confirm,
        Action::Return,
        Action::Restat,
        Action::Export,
        Action::Filter,
        Action::History,
        Action::Pick,
        Action::Delete,
    ];

    /// The reports this member sees (what waits on it first), filtered by
    /// their titles and where they stand (`逾期`, `已接收` find them).
    pub fn rebuild(&mut self, r: &Rows<'_>) {
        let f = Words::new(&self.list.filter);
        let listed: Vec<Listed> = reports::listed(r.model, r.me, r.today)
            .into_iter()
            .filter(|x| {
                f.matches(&[
                    &export::title(r.lang, r.model, &x.key),
                    &export::short_title(r.lang, r.model, &x.key),
                    &export::status_text(r.lang, x.status, x.standing),
                    &export::waiting_text(r.lang, x),
                ])
            })
            .collect();
        let ids = listed.iter().map(|x| x.key.id()).collect();
        self.rows = listed.into_iter().map(|x| (x.key.id(), x)).collect();
        self.list.set_rows(ids, r.capacity);
    }

    /// The report selected in the list.
    fn selected(&self) -> Option<ReportKey> {
        self.list
            .selected_id()
            .and_then(|id| self.rows.get(id))
            .map(|x| x.key.clone())
    }

    /// Runs an action on the report `open` on screen, or else the one
    /// selected.
    pub fn apply(&mut self, a: Action, cx: &mut Ctx<'_>, open: Option<&ReportKey>) {
        let Some(key) = open.cloned().or_else(|| self.selected()) else {
            return;
        };
        match a {
            Action::Select => open_report(cx, key),
            Action::Add | Action::Edit => sections_form(cx, key),
            Action::History => open_history(cx, reports::report_entity(&key), Some(&key.id())),
            Action::Delete => delete(cx, &key),
            Action::Return => return_form(cx, key),
            Action::Export => export_report(cx, &key),
            Action::Pick => super::pick(cx, Some(&key.id())),
            // Submitting and accepting lock the report: asked first.
            Action::Sign | Action::Confirm => {
                let words = if a == Action::Sign {
                    "confirm.submit"
                } else {
                    "confirm.accept"
                };
                let what = tr!(cx.lang, words, title = title(cx, &key));
                if cx.confirmed(a, &key.id(), what) {
                    step(cx, a, &key);
                }
            }
            Action::Restat => step(cx, a, &key),
            _ => {}
        }
    }
}

/// d: a report started by mistake, never submitted, is deleted after
/// asking once.
fn delete(cx: &mut Ctx<'_>, key: &ReportKey) {
    let lang = cx.lang;
    let problems = reports::check_delete(cx.model(), cx.member().as_ref(), key);
    if !problems.is_empty() {
        return cx.say_problems(&problems);
    }
    let what = crate::i18n::entity(lang, reports::report_entity(key));
    let name = title(cx, key);
    let step = tr!(
        lang,
        "confirm.delete",
        what = what.as_str(),
        name = name.as_str()
    );
    if !cx.confirmed(Action::Delete, &key.id(), step) {
        return;
    }
    match cx.write(|w| w.delete_report(key)) {
        Ok(()) => {
            cx.say(tr!(lang, "tui.deleted", what = what, name = name));
            cx.asked.reread = true;
        }
        Err(why) => cx.say_unsaved(why),
    }
}

fn title(cx: &Ctx<'_>, key: &ReportKey) -> String {
    export::title(cx.lang, cx.model(), key)
}

/// Enter: the report, whole. A member of the level it goes to is recorded
/// as having seen it.
fn open_report(cx: &mut Ctx<'_>, key: ReportKey) {
    if let Some(me) = cx.member()
        && reports::unseen_by(cx.model(), &me, &key)
    {
        // Only a note of the day; failing to write it hides nothing.
        let _ = cx.write(|w| w.mark_seen(&key));
    }
    cx.open(Dialog::Report { key, scroll: 0 });
}

/// e: the sections, each a multi-line field.
fn sections_form(cx: &mut Ctx<'_>, key: ReportKey) {
    let lang = cx.lang;
    let problems = reports::check_edit(cx.model(), cx.member().as_ref(), &key);
    if !problems.is_empty() {
        return cx.say_problems(&problems);
    }
    let Some(report) = reports::Report::get_or_new(cx.model(), &key) else {
        return;
    };
    // The sections' fields (`input::records::sections`), under the
    // headings this kind of report gives them.
    let fields = reports::sections(&key)
        .iter()
        .map(|s| {
            Field::note(
                sections::field(*s).key,
                export::section_heading(lang, &key, *s),
                report.text(*s).unwrap_or_default(),
            )
            .tall(SECTION_ROWS)
        })
        .collect();
    let title = title(cx, &key);
    cx.open(Dialog::Form(Box::new(Form::new(
        FormKind::ReportSections(key),
        title,
        fields,
    ))));
}

/// r: why the report goes back, asked in a form.
fn return_form(cx: &mut Ctx<'_>, key: ReportKey) {
    let lang = cx.lang;
    let problems = reports::check_review(cx.model(), cx.member().as_ref(), &key, false);
    if !problems.is_empty() {
        return cx.say_problems(&problems);
    }
    let title = tr!(lang, "form.return_report", title = title(cx, &key));
    let field = Field::note("comment", crate::i18n::field(lang, "comment"), "");
    cx.open(Dialog::Form(Box::new(Form::new(
        FormKind::ReturnReport(key),
        title,
        vec![field],
    ))));
}

/// Saves the sections form, read as the command line's `report edit`.
pub fn save_sections(cx: &mut Ctx<'_>, form: &mut Form, key: &ReportKey) -> Result<(), Unsaved> {
    let texts =
        crate::app::forms::read_form(cx, form, |raw, input| sections::read(raw, input, key))?;
    cx.write(|w| w.set_report_text(key, &texts))?;
    let said = tr!(cx.lang, "report.written", title = title(cx, key));
    cx.say(said);
    Ok(())
}

/// Saves the return form: the comment goes with the report.
pub fn save_return(cx: &mut Ctx<'_>, form: &Form, key: &ReportKey) -> Result<(), Unsaved> {
    let by = cx.options.person.clone();
    let comment = form.text("comment");
    cx.write(|w| w.review_report(key, false, &by, &comment))?;
    let said = tr!(cx.lang, "report.returned_done", title = title(cx, key));
    cx.say(said);
    Ok(())
}

/// s submit, c accept, u refresh a summary's statistics.
fn step(cx: &mut Ctx<'_>, step: Action, key: &ReportKey) {
    let by = cx.options.person.clone();
    let (result, done) = match step {
        Action::Sign => (
            cx.write(|w| w.submit_report(key, &by)),
            "report.submitted_done",
        ),
        Action::Confirm => (
            cx.write(|w| w.review_report(key, true, &by, "")),
            "report.accepted_done",
        ),
        Action::Restat => {
            if !matches!(key, ReportKey::Annual { .. }) {
                let said = tr!(cx.lang, "report.refresh_annual_only");
                return cx.say(said);
            }
            (cx.write(|w| w.refresh_stats(key)), "report.refreshed")
        }
        _ => return,
    };
    match result {
        Ok(()) => {
            let said = tr!(cx.lang, done, title = title(cx, key));
            cx.say(said);
        }
        Err(why) => cx.say_unsaved(why),
    }
}

/// x: writes the report as the bureaus exchange it (a monthly report as
/// Excel, a summary as Word) and as Markdown, and says where.
fn export_report(cx: &mut Ctx<'_>, key: &ReportKey) {
    let lang = cx.lang;
    let Some(mut doc) = export::report_doc(lang, cx.model(), key, cx.today()) else {
        return;
    };
    doc.author.clone_from(&cx.options.person);
    let blobs = cx.ws.blobs();
    export::with_evidence(&mut doc, cx.model(), key, |b| blobs.read(b));
    // A monthly report as Excel, and as Word when it has photos to show.
    let mut files = match key {
        ReportKey::Monthly { .. } => vec![(FileFormat::Xlsx, "xlsx")],
        ReportKey::Annual { .. } => vec![(FileFormat::Docx, "docx")],
    };
    if matches!(key, ReportKey::Monthly { .. }) && !doc.evidence.photos.is_empty() {
        files.push((FileFormat::Docx, "docx"));
    }
    files.push((FileFormat::Markdown, "md"));
    let stem: String = doc
        .title
        .chars()
        .map(|c| if "/\\:*?\"<>|".contains(c) { '_' } else { c })
        .collect();
    let dir = cx.export_dir;
    let outcome = std::fs::create_dir_all(dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            let mut written = Vec::new();
            for (format, ext) in files {
                let bytes = export::report_file(&doc, format).map_err(|e| e.to_string())?;
                let path = dir.join(format!("{stem}.{ext}"));
                export::write_file_atomically(&path, &bytes).map_err(|e| e.to_string())?;
                written.push(path);
            }
            Ok(written)
        });
    let said = match outcome {
        Ok(paths) => {
            // The whole paths, on lines of their own: the status bar cuts
            // them at the terminal's width.
            cx.open(Dialog::Written {
                title: export::title(lang, cx.model(), key),
                paths: paths.iter().map(|p| p.display().to_string()).collect(),
                folder: dir.display().to_string(),
            });
            tr!(
                lang,
                "report.exported",
                path = paths
                    .first()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            )
        }
        Err(e) => tr!(lang, "export.failed", detail = e),
    };
    cx.say(said);
}

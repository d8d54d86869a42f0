//! Reports and lists as files bureaus exchange: Markdown, Excel (`.xlsx`),
//! Word (`.docx`) and CSV; kindergarten lists read from `.xlsx` and `.csv`.
//!
//! Every report is first laid out as a [`ReportDoc`] in the user's
//! language — title, facts, figures, sections — and each format (and the
//! terminal, and the interface) draws that same document, so they cannot
//! disagree.

pub mod docx;
pub mod lists;
pub mod markdown;
pub mod papers;
pub mod text;
pub mod xlsx;

use crate::domain::figures::Figures;
use crate::domain::reports::{self, Report, ReportKey, Standing};
use crate::domain::*;
use crate::i18n::{self, Lang, label};
use crate::present::{Column, Width};
use crate::tr;
use chrono::NaiveDate;
use std::path::Path;

/// A figure's value: a count, or a mean score (none without inspections).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Count(i64),
    Score(Option<f64>),
}

impl Value {
    pub fn text(self) -> String {
        match self {
            Value::Count(n) => n.to_string(),
            Value::Score(Some(x)) => format!("{x:.2}"),
            Value::Score(None) => "-".to_string(),
        }
    }
}

/// One line of the figures table; `sub` lines break down the line above.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRow {
    pub label: String,
    pub value: Value,
    pub sub: bool,
}

/// A report laid out for reading, in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportDoc {
    pub lang: Lang,
    pub title: String,
    /// Facts under the title: subject, period, due day, status, who and when.
    pub facts: Vec<(String, String)>,
    /// Heading of the figures table, saying as of when they were compiled.
    pub figures_heading: String,
    pub figures: Vec<FigureRow>,
    /// What a reader of the figures must know (one visit may count under
    /// several tasks).
    pub figures_note: Option<String>,
    /// Headed sections people wrote; empty text stays empty.
    pub sections: Vec<(Section, String, String)>,
    /// For a district's or the city's summary: the summaries below it and
    /// where each stands.
    pub below: Option<(String, Vec<(String, String)>)>,
    /// Who issues it (发文机关署名): the district's bureau, the
    /// kindergarten, the city's bureau.
    pub issuer: String,
    /// 成文日期: the day it was submitted, or today for one not yet
    /// submitted.
    pub dated: NaiveDate,
    /// Who made the file (its properties); set by whoever writes it.
    pub author: String,
    /// Its annex: photos of the period's activities and the list of its
    /// supporting documents; filled by whoever holds the files
    /// ([`with_evidence`]).
    pub evidence: Evidence,
}

/// A report's annex (附件).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// Photos of typical cases (典型事例), each with its caption (date,
    /// place, activity, what it shows).
    pub photos: Vec<(docx::Picture, String)>,
    /// Every supporting document of the period: caption and file name.
    pub documents: Vec<String>,
}

/// At most this many photos go into a report's annex.
pub const ANNEX_PHOTOS: usize = 12;

/// The report's annex from the evidence on the visits of its period and
/// scope: the newest photos (at most [`ANNEX_PHOTOS`], those here), and a
/// line for every file. `read` gives a file's bytes when this device has
/// them.
pub fn with_evidence(
    doc: &mut ReportDoc,
    model: &Model,
    key: &ReportKey,
    read: impl Fn(&crate::domain::Blob) -> Option<Vec<u8>>,
) {
    let l = doc.lang;
    let visits = reports::visits_of(model, key);
    let mut photos = Vec::new();
    let mut documents = Vec::new();
    for v in visits.iter().rev() {
        let place = v
            .place_id
            .as_ref()
            .and_then(|p| model.kindergarten(p))
            .map(|k| k.name.clone())
            .unwrap_or_default();
        for a in model.attachments_of(&v.id) {
            let form = label(l, v.form);
            let what = match a.caption.as_str() {
                "" => form,
                c if c.starts_with(&form) => c.to_string(),
                c => format!("{form}：{c}"),
            };
            let caption = format!("{} {place} {what}", docx::date_text(l, v.date));
            documents.push(tr!(
                l,
                "doc.annex_item",
                caption = caption.as_str(),
                kind = label(l, a.kind),
                name = crate::present::printable(&a.name).into_owned()
            ));
            let photo = a.format != crate::domain::FileFormat::Pdf && photos.len() < ANNEX_PHOTOS;
            if let (true, Some(pixels), Some(jpeg)) = (photo, a.pixels, read(&a.file)) {
                photos.push((docx::Picture { jpeg, pixels }, caption));
            }
        }
    }
    doc.evidence = Evidence { photos, documents };
}

fn count(n: usize) -> Value {
    Value::Count(n as i64)
}

/// The figures table of a period.
pub fn figure_rows(lang: Lang, f: &Figures) -> Vec<FigureRow> {
    let l = lang;
    let row = |key: &str, value: Value| FigureRow {
        label: i18n::text(l, key),
        value,
        sub: false,
    };
    let sub = |label: String, value: Value| FigureRow {
        label,
        value,
        sub: true,
    };
    let mut out = vec![
        row("figures.pairings_active", count(f.pairings_active)),
        row("figures.helpers", count(f.helpers)),
        row("figures.helped", count(f.helped)),
        row("figures.visits", count(f.visits)),
    ];
    for (form, n) in &f.by_form {
        out.push(sub(label(l, *form), count(*n)));
    }
    out.push(row("figures.by_task", count(f.visits)));
    for (task, n) in &f.by_task {
        out.push(sub(label(l, *task), count(*n)));
    }
    out.extend([
        row("figures.teachers_reached", Value::Count(f.teachers_reached)),
        row("figures.children_reached", Value::Count(f.children_reached)),
        row("figures.toys", Value::Count(f.materials.toys)),
        row(
            "figures.play_materials",
            Value::Count(f.materials.play_materials),
        ),
        row(
            "figures.picture_books",
            Value::Count(f.materials.picture_books),
        ),
        row("figures.inspections", count(f.inspections)),
        row("figures.average", Value::Score(f.scores.map(|s| s.overall))),
    ]);
    for area in Area::ALL {
        out.push(sub(
            label(l, *area),
            Value::Score(f.scores.map(|s| s.get(*area))),
        ));
    }
    out.extend([
        row("figures.agreements_signed", count(f.agreements_signed)),
        row("figures.agreements_filed", count(f.agreements_filed)),
    ]);
    out
}

/// "草稿", "已提交（逾期）" …: a report's status with its standing.
pub fn status_text(lang: Lang, status: Option<ReportStatus>, standing: Standing) -> String {
    let status = match status {
        None => tr!(lang, "report.not_started"),
        Some(s) => label(lang, s),
    };
    match standing {
        Standing::Late(_) => tr!(lang, "report.late", status = status),
        Standing::Missing => tr!(lang, "report.overdue", status = status),
        Standing::OnTime(_) | Standing::NotDue => status,
    }
}

/// What a listed report waits on this member for: "待审核", "待填报", or
/// nothing.
pub fn waiting_text(lang: Lang, x: &reports::Listed) -> String {
    if x.to_review {
        tr!(lang, "report.to_review")
    } else if x.yours {
        tr!(lang, "report.to_write")
    } else {
        String::new()
    }
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl ReportDoc {
    /// A fact as one line: `县区：大洼区`, `district: …`.
    pub fn fact_line(&self, k: &str, v: &str) -> String {
        tr!(self.lang, "report.fact", key = k, value = v)
    }
}

/// The report's title.
pub fn title(lang: Lang, model: &Model, key: &ReportKey) -> String {
    let subject = key.subject_name(model);
    match key {
        ReportKey::Monthly { month, .. } => tr!(
            lang,
            "report.title_monthly",
            subject = subject,
            year = month.year,
            month = month.month
        ),
        ReportKey::Annual { year, .. } => {
            tr!(lang, "report.title_annual", subject = subject, year = year)
        }
    }
}

fn workflow_facts(lang: Lang, w: &Workflow, out: &mut Vec<(String, String)>) {
    let l = lang;
    let stamp = |s: &Stamp| tr!(l, "report.stamp", by = s.by.as_str(), on = date(s.on));
    if let Some(s) = &w.first_submitted
        && w.submitted.as_ref() != Some(s)
    {
        out.push((tr!(l, "report.first_submitted"), stamp(s)));
    }
    if let Some(s) = &w.submitted {
        out.push((tr!(l, "report.submitted"), stamp(s)));
    }
    if let Some(seen) = w.first_seen() {
        out.push((tr!(l, "report.first_seen"), date(seen)));
    }
    if let Some(r) = &w.reviewed {
        let what = if w.status == ReportStatus::Returned {
            tr!(l, "report.returned_by")
        } else {
            tr!(l, "report.reviewed_by")
        };
        let mut text = tr!(l, "report.stamp", by = r.by.as_str(), on = date(r.on));
        if !r.comment.is_empty() {
            text = tr!(
                l,
                "report.with_comment",
                stamp = text,
                comment = r.comment.as_str()
            );
        }
        out.push((what, text));
    }
}

/// The reports list's columns (the command line's `report list` and the
/// reports screen): headed `report.<key>` in tables, `list.col.<key>` on
/// screen.
pub const REPORT_COLUMNS: &[Column<reports::Listed>] = &[
    Column::new("due", |x, _, _| x.due.to_string(), Some(Width::Chars(10))),
    Column::new(
        "report",
        |x, l, m| short_title(l, m, &x.key),
        Some(Width::Share(1)),
    ),
    Column::new(
        "status",
        |x, l, _| status_text(l, x.status, x.standing),
        Some(Width::Chars(16)),
    ),
    Column::new(
        "for_you",
        |x, l, _| waiting_text(l, x),
        Some(Width::Chars(8)),
    ),
    Column::new("command", |x, _, m| which_args(m, &x.key), None),
];

/// The command line that names a report, for the list's last column.
pub fn which_args(model: &Model, key: &ReportKey) -> String {
    match key {
        ReportKey::Monthly { district, month } => format!(
            "--district {} --month {month}",
            model.district_name(district)
        ),
        ReportKey::Annual {
            level: Level::City,
            year,
            ..
        } => format!("--level city --year {year}"),
        ReportKey::Annual { level, year, .. } => format!(
            "--level {} --id {} --year {year}",
            level.code(),
            key.subject_name(model)
        ),
    }
}

/// The report's name in lists: shorter than its title.
pub fn short_title(lang: Lang, model: &Model, key: &ReportKey) -> String {
    let subject = key.subject_name(model);
    match key {
        ReportKey::Monthly { month, .. } => tr!(
            lang,
            "report.short_monthly",
            subject = subject,
            year = month.year,
            month = format!("{:02}", month.month)
        ),
        ReportKey::Annual { year, .. } => {
            tr!(lang, "report.short_annual", subject = subject, year = year)
        }
    }
}

/// An annual summary's figures: the year's targets and pairings (when
/// known), then what was done.
fn stats_rows(l: Lang, st: &AnnualStats) -> Vec<FigureRow> {
    let count = |key: &str, n: i64| FigureRow {
        label: i18n::field(l, key),
        value: Value::Count(n),
        sub: false,
    };
    let mut rows = Vec::new();
    if let Some((h, d)) = st.target {
        rows.push(count("target_helpers", h));
        rows.push(count("target_helped", d));
    }
    if let Some((h, d)) = st.paired {
        rows.push(count("actual_helpers", h));
        rows.push(count("actual_helped", d));
    }
    rows.extend(figure_rows(l, &st.figures));
    rows
}

/// Who issues a report: a district's bureau for its monthly report and
/// summary, the city's bureau for the city's, the kindergarten for its own.
fn issuer(l: Lang, model: &Model, key: &ReportKey) -> String {
    match key {
        ReportKey::Monthly { .. }
        | ReportKey::Annual {
            level: Level::District,
            ..
        } => papers::bureau(l, &key.subject_name(model)),
        ReportKey::Annual {
            level: Level::City, ..
        } => papers::bureau(l, &model.programme.city),
        ReportKey::Annual { .. } => key.subject_name(model),
    }
}

/// Lays out a report, started or not, as of `today`.
pub fn report_doc(
    lang: Lang,
    model: &Model,
    key: &ReportKey,
    today: NaiveDate,
) -> Option<ReportDoc> {
    let l = lang;
    let report = Report::get_or_new(model, key)?;
    let stored = key.workflow(model).is_some();
    let w = report.workflow();
    let standing = reports::standing(model, key, today);
    let mut facts = Vec::new();
    let level_field = match key {
        ReportKey::Monthly { .. } => i18n::field(l, "district"),
        ReportKey::Annual { level, .. } => label(l, *level),
    };
    facts.push((level_field, key.subject_name(model)));
    let (figures_heading, figures, below) = match &report {
        Report::Monthly(r) => {
            facts.push((
                tr!(l, "report.period"),
                tr!(l, "report.from_to", from = date(r.from), to = date(r.to)),
            ));
            facts.push((tr!(l, "report.due"), date(r.due)));
            let f = reports::monthly_figures(model, r);
            let heading = if r.figures.is_some() {
                tr!(l, "report.figures_submitted")
            } else {
                tr!(l, "report.figures_live", today = date(today))
            };
            (heading, figure_rows(l, &f), None)
        }
        Report::Annual(s) => {
            facts.push((
                tr!(l, "report.period"),
                tr!(l, "report.year_period", year = s.year),
            ));
            facts.push((tr!(l, "report.due"), date(s.due)));
            let (heading, rows) = match &s.stats {
                Some(st) => (
                    tr!(l, "report.stats_as_of", on = date(st.refreshed_on)),
                    stats_rows(l, st),
                ),
                None => (tr!(l, "report.stats_none"), Vec::new()),
            };
            (heading, rows, summaries_below(l, model, key, today))
        }
    };
    facts.push((
        tr!(l, "report.status"),
        status_text(l, stored.then_some(w.status), standing),
    ));
    workflow_facts(l, w, &mut facts);
    let issuer = issuer(l, model, key);
    let figures_note = (!figures.is_empty()).then(|| tr!(l, "doc.note_by_task"));
    let sections = reports::sections(key)
        .iter()
        .map(|s| {
            (
                *s,
                section_heading(l, key, *s),
                report.text(*s).unwrap_or_default().to_string(),
            )
        })
        .collect();
    Some(ReportDoc {
        lang: l,
        title: title(l, model, key),
        facts,
        figures_heading,
        figures,
        figures_note,
        sections,
        below,
        issuer,
        dated: w.submitted.as_ref().map(|s| s.on).unwrap_or(today),
        author: String::new(),
        evidence: Evidence::default(),
    })
}

/// A section's heading, as the form of this kind of report names it.
pub fn section_heading(lang: Lang, key: &ReportKey, s: Section) -> String {
    let kind = match key {
        ReportKey::Monthly { .. } => "monthly",
        ReportKey::Annual { .. } => "annual",
    };
    i18n::text(lang, &format!("section.{kind}.{}", s.code()))
}

/// The summaries one level below a district's or the city's, and where each
/// stands.
fn summaries_below(
    lang: Lang,
    model: &Model,
    key: &ReportKey,
    today: NaiveDate,
) -> Option<(String, Vec<(String, String)>)> {
    let ReportKey::Annual {
        level,
        subject,
        year,
    } = key
    else {
        return None;
    };
    let (below, heading) = match level {
        Level::Kindergarten => return None,
        Level::District => (Level::Kindergarten, "report.below_kindergartens"),
        Level::City => (Level::District, "report.below_districts"),
    };
    let rows = reports::summary_subjects(model, *year, below)
        .into_iter()
        .filter(|s| {
            // A district's summary lists its own kindergartens.
            *level == Level::City
                || s.as_ref()
                    .and_then(|k| model.kindergarten(k))
                    .is_some_and(|k| Some(&k.district_id) == subject.as_ref())
        })
        .map(|s| {
            let k = ReportKey::Annual {
                level: below,
                subject: s,
                year: *year,
            };
            let status = k.workflow(model).map(|w| w.status);
            (
                k.subject_name(model),
                status_text(lang, status, reports::standing(model, &k, today)),
            )
        })
        .collect();
    Some((tr!(lang, heading), rows))
}

/// The formats a report can be written in, by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Markdown,
    Xlsx,
    Docx,
    Csv,
}

impl FileFormat {
    pub fn of(path: &Path) -> Option<FileFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "md" | "markdown" => Some(FileFormat::Markdown),
            "xlsx" => Some(FileFormat::Xlsx),
            "docx" => Some(FileFormat::Docx),
            "csv" => Some(FileFormat::Csv),
            _ => None,
        }
    }
}

/// Why a file could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Xlsx(String),
    #[error("{0}")]
    Docx(String),
    #[error("{0}")]
    Csv(String),
}

/// A report as the bytes of a file of `format`.
pub fn report_file(doc: &ReportDoc, format: FileFormat) -> Result<Vec<u8>, ExportError> {
    match format {
        FileFormat::Markdown => Ok(markdown::report(doc).into_bytes()),
        FileFormat::Xlsx => xlsx::report(doc),
        FileFormat::Docx => papers::report_docx(doc),
        FileFormat::Csv => lists::report_csv(doc),
    }
}

/// Writes a file under a temporary name and renames it into place, so a
/// reader never sees half a file.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

//! `bangfu report …`: monthly reports, annual summaries, their workflow,
//! timeliness, settings and exports.

use super::fields::{Changes, SectionsSpec};
use super::output::{Format, Table, out, print_json, table_text};
use super::{CmdResult, Ctx, Fail, FormatArg};
use crate::domain::reports::{self, ReportKey, Standing, YearMonth};
use crate::domain::*;
use crate::export::{self, FileFormat};
use crate::i18n::{self, Lang, label};
use crate::input as parse;
use crate::input::records::sections;
use crate::store::Workspace;
use crate::tr;
use clap::{Args, Subcommand};
use serde_json::json;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// A district's monthly report (月报表): period, figures, sections, status
    Monthly(ShowArgs),
    /// An annual summary (年度总结) of a kindergarten, a district or the city
    Annual(ShowArgs),
    /// Reports due, overdue and waiting for you, newest first
    List(FormatArg),
    /// Write sections of a report (starts it if nobody has)
    Edit(EditArgs),
    /// Submit a report to the level above; it is locked until returned
    Submit(Which),
    /// Accept a submitted report (the level above)
    Accept {
        #[command(flatten)]
        which: Which,
        /// A remark kept with the acceptance
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Return a submitted report with what to change; it is unlocked again
    Return {
        #[command(flatten)]
        which: Which,
        /// What to change (required)
        #[arg(long)]
        comment: String,
    },
    /// Regenerate an annual summary's statistics from the data (the
    /// sections people wrote are kept)
    Refresh(Which),
    /// Delete a report started by mistake and never submitted
    Delete(Which),
    /// Expected, submitted and on-time reports per district and month
    Timeliness {
        /// Year [default: this year]
        #[arg(long)]
        year: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Show or change the due days and the monthly period
    Settings(SettingsArgs),
}

/// Names one report: `--district D --month YYYY-MM` for a monthly report,
/// `--level L [--id ID] --year Y` for an annual summary.
#[derive(Debug, Clone, Args)]
pub struct Which {
    /// A monthly report's district (name or id)
    #[arg(long)]
    pub district: Option<String>,
    /// The month a monthly report is due in: YYYY-MM
    #[arg(long)]
    pub month: Option<String>,
    /// An annual summary's level: kindergarten, district or city
    #[arg(long)]
    pub level: Option<String>,
    /// The kindergarten or district summarised (name or id)
    #[arg(long)]
    pub id: Option<String>,
    /// An annual summary's year
    #[arg(long)]
    pub year: Option<String>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub which: Which,
    /// Also write it to a file: .xlsx, .docx, .md or .csv
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    #[command(flatten)]
    pub which: Which,
    #[command(flatten)]
    pub sections: Changes<SectionsSpec>,
}

#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Day of the month monthly reports are due (1–28)
    #[arg(long)]
    pub due_day: Option<String>,
    /// First day of a monthly period, in the month before (1–28)
    #[arg(long)]
    pub period_start: Option<String>,
    /// Kindergarten summaries due: MM-DD
    #[arg(long)]
    pub kindergarten_due: Option<String>,
    /// District summaries due: MM-DD
    #[arg(long)]
    pub district_due: Option<String>,
    /// The city's summary due: MM-DD
    #[arg(long)]
    pub city_due: Option<String>,
}

impl Which {
    /// Whether any of its options was given.
    pub fn named(&self) -> bool {
        [
            &self.district,
            &self.month,
            &self.level,
            &self.id,
            &self.year,
        ]
        .iter()
        .any(|o| o.is_some())
    }
}

/// The report a `Which` names.
pub fn key(l: Lang, model: &Model, w: &Which) -> Result<ReportKey, Fail> {
    if let Some(month) = &w.month {
        let district = w
            .district
            .as_deref()
            .ok_or_else(|| Fail::said("report.which", vec![]))?;
        let month = YearMonth::parse(month)
            .ok_or_else(|| Fail::said("parse.month", vec![("value", month.to_string())]))?;
        return Ok(ReportKey::Monthly {
            district: parse::district(l, model, district)?,
            month,
        });
    }
    let (Some(level), Some(year)) = (&w.level, &w.year) else {
        return Err(Fail::said("report.which", vec![]));
    };
    let level: Level = parse::code(l, "level", level)?;
    let year = parse::year(l, year)?;
    let subject = match (level, &w.id) {
        (Level::City, _) => None,
        (Level::Kindergarten, Some(k)) => Some(parse::kindergarten(l, model, k)?),
        (Level::District, Some(d)) => Some(parse::district(l, model, d)?),
        (_, None) => return Err(Fail::said("report.id_needed", vec![])),
    };
    Ok(ReportKey::Annual {
        level,
        subject,
        year,
    })
}

fn me(ws: &Workspace) -> Option<Member> {
    ws.model().active_member(&ws.author().device).cloned()
}

pub fn report(ctx: &Ctx, cmd: ReportCmd) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    let me = me(&ws);
    match cmd {
        ReportCmd::Monthly(a) | ReportCmd::Annual(a) => show(ctx, &mut ws, me.as_ref(), a),
        ReportCmd::List(f) => list(ctx, &ws, me.as_ref(), ctx.format(&f)?),
        ReportCmd::Edit(a) => {
            let key = key(l, ws.model(), &a.which)?;
            let read = sections::read(&a.sections.raw, ctx.input(ws.model()), &key);
            let texts = read.map_err(Changes::<SectionsSpec>::fail)?;
            ws.write(|w| w.set_report_text(&key, &texts))
                .map_err(|e| ctx.edit(e))?;
            done(ctx, &ws, &key, "report.written")
        }
        ReportCmd::Submit(which) => {
            let key = key(l, ws.model(), &which)?;
            let by = ctx.person.clone();
            ws.write(|w| w.submit_report(&key, &by))
                .map_err(|e| ctx.edit(e))?;
            done(ctx, &ws, &key, "report.submitted_done")
        }
        ReportCmd::Accept { which, comment } => review(ctx, &mut ws, &which, true, &comment),
        ReportCmd::Return { which, comment } => review(ctx, &mut ws, &which, false, &comment),
        ReportCmd::Refresh(which) => {
            let key = key(l, ws.model(), &which)?;
            if !matches!(key, ReportKey::Annual { .. }) {
                return Err(Fail::said("report.refresh_annual_only", vec![]));
            }
            ws.write(|w| w.refresh_stats(&key))
                .map_err(|e| ctx.edit(e))?;
            done(ctx, &ws, &key, "report.refreshed")
        }
        ReportCmd::Delete(which) => {
            let key = key(l, ws.model(), &which)?;
            let title = export::title(l, ws.model(), &key);
            ws.write(|w| w.delete_report(&key))
                .map_err(|e| ctx.edit(e))?;
            super::output::out(&tr!(l, "report.deleted", title = title));
            Ok(())
        }
        ReportCmd::Timeliness { year, format } => {
            let year = parse::opt_year(l, &year)?.unwrap_or(chrono::Datelike::year(&ctx.today));
            timeliness(ctx, ws.model(), year, ctx.format(&format)?);
            Ok(())
        }
        ReportCmd::Settings(a) => settings(ctx, &mut ws, me.as_ref(), a),
    }
}

fn done(ctx: &Ctx, ws: &Workspace, key: &ReportKey, msg: &str) -> CmdResult {
    let title = export::title(ctx.lang, ws.model(), key);
    out(&tr!(ctx.lang, msg, title = title));
    Ok(())
}

fn review(ctx: &Ctx, ws: &mut Workspace, which: &Which, accept: bool, comment: &str) -> CmdResult {
    let key = key(ctx.lang, ws.model(), which)?;
    let by = ctx.person.clone();
    ws.write(|w| w.review_report(&key, accept, &by, comment))
        .map_err(|e| ctx.edit(e))?;
    done(
        ctx,
        ws,
        &key,
        if accept {
            "report.accepted_done"
        } else {
            "report.returned_done"
        },
    )
}

fn key_json(model: &Model, key: &ReportKey) -> serde_json::Value {
    match key {
        ReportKey::Monthly { district, month } => json!({
            "kind": "monthly",
            "district_id": district,
            "district": model.district_name(district),
            "month": month.to_string(),
        }),
        ReportKey::Annual {
            level,
            subject,
            year,
        } => json!({
            "kind": "annual",
            "level": level.code(),
            "subject_id": subject,
            "subject": key.subject_name(model),
            "year": year,
        }),
    }
}

fn show(ctx: &Ctx, ws: &mut Workspace, me: Option<&Member>, a: ShowArgs) -> CmdResult {
    let l = ctx.lang;
    let key = key(l, ws.model(), &a.which)?;
    let format = ctx.format(&a.format)?;
    // The receiving level opening a submitted report: note the day.
    if let Some(m) = me
        && reports::unseen_by(ws.model(), m, &key)
    {
        ws.write(|w| w.mark_seen(&key)).map_err(|e| ctx.edit(e))?;
    }
    let model = ws.model();
    let mut doc = export::report_doc(l, model, &key, ctx.today)
        .ok_or_else(|| Fail::said("report.which", vec![]))?;
    doc.author.clone_from(&ctx.person);
    match format {
        Format::Json => {
            let report = reports::Report::get_or_new(model, &key);
            let figures = match &report {
                Some(reports::Report::Monthly(r)) => {
                    serde_json::to_value(reports::monthly_figures(model, r)).unwrap_or_default()
                }
                Some(reports::Report::Annual(s)) => {
                    serde_json::to_value(&s.stats).unwrap_or_default()
                }
                None => serde_json::Value::Null,
            };
            let w = key.workflow(model);
            print_json(&json!({
                "id": key.id(),
                "report": key_json(model, &key),
                "title": doc.title,
                "due": key.due_in(model),
                "status": w.map(|w| w.status.code()),
                "standing": reports::standing(model, &key, ctx.today).code(),
                "workflow": w,
                "figures": figures,
                "sections": doc.sections.iter().map(|(s, _, t)| (s.code().to_string(), json!(t))).collect::<serde_json::Map<_, _>>(),
            }));
        }
        Format::Csv => {
            let bytes = crate::export::lists::report_csv(&doc)
                .map_err(|e| Fail::said("export.failed", vec![("detail", e.to_string())]))?;
            // Without the byte-order mark: this goes to a terminal or a pipe.
            let text = String::from_utf8_lossy(&bytes);
            out(text.trim_start_matches('\u{feff}').trim_end());
        }
        Format::Table => out(crate::export::text::report_text(l, &doc).trim_end()),
    }
    if let Some(path) = &a.export {
        let format = FileFormat::of(path).ok_or_else(|| {
            Fail::said(
                "report.bad_export",
                vec![("path", path.display().to_string())],
            )
        })?;
        let blobs = ws.blobs();
        export::with_evidence(&mut doc, model, &key, |b| blobs.read(b));
        let bytes = export::report_file(&doc, format)
            .map_err(|e| Fail::said("export.failed", vec![("detail", e.to_string())]))?;
        super::export::save(ctx, path, &bytes)?;
    }
    Ok(())
}

fn list(ctx: &Ctx, ws: &Workspace, me: Option<&Member>, format: Format) -> CmdResult {
    let l = ctx.lang;
    let model = ws.model();
    let items = reports::listed(model, me, ctx.today);
    let columns = export::REPORT_COLUMNS;
    let table = Table {
        headers: columns
            .iter()
            .map(|c| i18n::text(l, &format!("report.{}", c.key)))
            .collect(),
        rows: items
            .iter()
            .map(|x| columns.iter().map(|c| (c.cell)(x, l, model)).collect())
            .collect(),
    };
    let json = serde_json::Value::Array(
        items
            .iter()
            .map(|x| {
                json!({
                    "id": x.key.id(),
                    "report": key_json(model, &x.key),
                    "due": x.due,
                    "status": x.status.map(|s| s.code()),
                    "standing": x.standing.code(),
                    "to_write": x.to_write,
                    "to_review": x.to_review,
                    "yours": x.yours,
                })
            })
            .collect(),
    );
    super::output::print_list(format, &table, json);
    Ok(())
}

fn cell(l: Lang, s: Standing) -> String {
    match s {
        Standing::NotDue => String::new(),
        other => i18n::text(l, &format!("standing.{}", other.code())),
    }
}

fn percent(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.0}%")).unwrap_or_default()
}

/// The timeliness tables: monthly reports by district and month (with
/// a total), and summaries by level.
fn timeliness_tables(l: Lang, t: &reports::Timeliness) -> (Table, Table) {
    let rate_cells = |r: &reports::Rate| {
        vec![
            r.expected.to_string(),
            r.submitted.to_string(),
            r.on_time.to_string(),
            percent(r.on_time_percent()),
        ]
    };
    let rate_headers = || {
        vec![
            tr!(l, "timeliness.expected"),
            tr!(l, "timeliness.submitted"),
            tr!(l, "timeliness.on_time"),
            tr!(l, "timeliness.rate"),
        ]
    };
    let mut headers = vec![i18n::field(l, "district")];
    headers.extend(
        t.months
            .iter()
            .map(|m| tr!(l, "timeliness.month", month = m.month)),
    );
    headers.extend(rate_headers());
    let mut rows: Vec<Vec<String>> = t
        .districts
        .iter()
        .map(|d| {
            let mut row = vec![d.name.clone()];
            row.extend(d.months.iter().map(|(_, s)| cell(l, *s)));
            row.extend(rate_cells(&d.rate));
            row
        })
        .collect();
    let mut total = vec![tr!(l, "timeliness.total")];
    total.extend(t.months.iter().map(|_| String::new()));
    total.extend(rate_cells(&t.monthly));
    rows.push(total);
    let monthly = Table { headers, rows };
    let mut headers = vec![tr!(l, "timeliness.summaries")];
    headers.extend(rate_headers());
    let summaries = Table {
        headers,
        rows: t
            .summaries
            .iter()
            .map(|(level, r)| {
                let mut row = vec![label(l, *level)];
                row.extend(rate_cells(r));
                row
            })
            .collect(),
    };
    (monthly, summaries)
}

/// The timeliness figures as JSON.
fn timeliness_json(year: i32, t: &reports::Timeliness) -> serde_json::Value {
    let rate_json = |r: &reports::Rate| json!({"expected": r.expected, "submitted": r.submitted, "on_time": r.on_time});
    json!({
        "year": year,
        "districts": t.districts.iter().map(|d| json!({
            "district_id": d.district_id,
            "district": d.name,
            "months": d.months.iter().map(|(m, s)| (m.to_string(), json!(s.code()))).collect::<serde_json::Map<_, _>>(),
            "rate": rate_json(&d.rate),
        })).collect::<Vec<_>>(),
        "monthly": rate_json(&t.monthly),
        "summaries": t.summaries.iter().map(|(level, r)| json!({"level": level.code(), "rate": rate_json(r)})).collect::<Vec<_>>(),
    })
}

fn timeliness(ctx: &Ctx, model: &Model, year: i32, format: Format) {
    let l = ctx.lang;
    let t = reports::timeliness(model, year, ctx.today);
    let (monthly, summaries) = timeliness_tables(l, &t);
    match format {
        Format::Json => print_json(&timeliness_json(year, &t)),
        Format::Csv => {
            out(&super::output::csv_text(&monthly));
        }
        Format::Table => {
            out(&tr!(l, "timeliness.title", year = year));
            out("");
            if t.months.is_empty() {
                out(&tr!(l, "timeliness.no_months", year = year));
            } else {
                out(&table_text(&monthly));
            }
            out("");
            out(&table_text(&summaries));
            out("");
            out(&tr!(l, "timeliness.legend"));
        }
    }
}

fn settings(ctx: &Ctx, ws: &mut Workspace, me: Option<&Member>, a: SettingsArgs) -> CmdResult {
    let l = ctx.lang;
    let mut p = ws.model().programme.clone();
    let day = |field: &str, s: &Option<String>| -> Result<Option<u32>, Fail> {
        match parse::opt_int(l, field, s)? {
            None => Ok(None),
            Some(n) => Ok(Some(u32::try_from(n).unwrap_or(0))),
        }
    };
    let month_day = |s: &Option<String>| -> Result<Option<MonthDay>, Fail> {
        s.as_ref()
            .map(|v| {
                MonthDay::parse(v)
                    .ok_or_else(|| Fail::said("parse.month_day", vec![("value", v.to_string())]))
            })
            .transpose()
    };
    let mut changed = false;
    if let Some(d) = day("report_due_day", &a.due_day)? {
        p.report_due_day = d;
        changed = true;
    }
    if let Some(d) = day("period_start_day", &a.period_start)? {
        p.period_start_day = d;
        changed = true;
    }
    for (arg, slot) in [
        (&a.kindergarten_due, &mut p.summary_due.kindergarten),
        (&a.district_due, &mut p.summary_due.district),
        (&a.city_due, &mut p.summary_due.city),
    ] {
        if let Some(md) = month_day(arg)? {
            *slot = md;
            changed = true;
        }
    }
    if changed {
        if me.is_none_or(|m| m.role != MemberRole::CityAdmin) {
            return Err(Fail::said("report.settings_city_only", vec![]));
        }
        ws.write(|w| w.set_programme(p)).map_err(|e| ctx.edit(e))?;
    }
    let p = &ws.model().programme;
    let example = YearMonth::of(ctx.today);
    let period = reports::monthly_period(p, example);
    out(&tr!(
        l,
        "report.settings",
        due_day = p.report_due_day,
        start = p.period_start_day,
        month = example.to_string(),
        from = period.map(|x| x.from.to_string()).unwrap_or_default(),
        to = period.map(|x| x.to.to_string()).unwrap_or_default(),
        kindergarten = p.summary_due.kindergarten.to_string(),
        district = p.summary_due.district.to_string(),
        city = p.summary_due.city.to_string()
    ));
    Ok(())
}

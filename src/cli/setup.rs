//! Commands over the workspace as a whole: creating it, districts and
//! plans, history, health, export, import.

use super::output::{Table, out, print_json, print_list, table_text};
use super::{CmdResult, Ctx, Fail, FormatArg, output::Format};
use crate::domain::plan::{self, YearStatus};
use crate::domain::*;
use crate::i18n::{self, Lang};
use crate::input as parse;
use crate::input::records::kindergarten as kindergarten_fields;
use crate::input::{FieldSpec, Raw, Why};
use crate::store::{self, EditError, Workspace};
use crate::tr;
use clap::{Args, Subcommand};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// A built-in plan: `panjin` (盘锦市 2024–2026, from the notice)
    #[arg(long, conflicts_with_all = ["programme", "district", "years"])]
    pub plan: Option<String>,
    /// Name of a new, empty programme
    #[arg(long, requires_all = ["district", "years"])]
    pub programme: Option<String>,
    /// A district of the new programme; repeat for each
    #[arg(long)]
    pub district: Vec<String>,
    /// Years of the programme, e.g. 2024-2026
    #[arg(long)]
    pub years: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// small, city (≈60 kindergartens, ≥5,000 visits) or province (≥100,000 visits)
    #[arg(long, default_value = "small")]
    pub scale: String,
    /// Seed: the same seed gives the same data
    #[arg(long, default_value = "1")]
    pub seed: u64,
    /// Replace demo data already in the directory (never real data)
    #[arg(long)]
    pub replace: bool,
}

#[derive(Debug, Subcommand)]
pub enum DistrictCmd {
    /// List districts and their towns
    List {
        #[command(flatten)]
        format: FormatArg,
    },
    /// Add a district
    Add { name: String },
}

#[derive(Debug, Subcommand)]
pub enum PlanCmd {
    /// Set a district's target and/or the city's stated total and share for a year
    Set {
        #[arg(long)]
        year: String,
        #[arg(long, requires_all = ["helpers", "helped"])]
        district: Option<String>,
        /// Helper kindergartens planned (参与帮扶)
        #[arg(long, allow_negative_numbers = true, requires = "district")]
        helpers: Option<String>,
        /// Helped kindergartens planned (被帮扶)
        #[arg(long, allow_negative_numbers = true, requires = "district")]
        helped: Option<String>,
        /// The city's stated total of kindergartens in pairs
        #[arg(long, allow_negative_numbers = true)]
        stated_total: Option<String>,
        /// The target share of rural kindergartens taking part, in percent
        #[arg(long, allow_negative_numbers = true)]
        share: Option<String>,
    },
    /// Targets against actual pairings, per year
    Show {
        #[arg(long)]
        year: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Any record's id (a unique prefix)
    pub id: String,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// json (the whole workspace), or csv / xlsx (one list, see --what)
    #[arg(long, default_value = "json")]
    pub format: String,
    /// With csv or xlsx: kindergartens, pairings, visits or inspections
    #[arg(long, value_name = "LIST")]
    pub what: Option<String>,
    /// File to write, or `-` for standard output (json and csv)
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum DebugCmd {
    /// Write kindergartens one by one, printing `saved ID` after each is on disk
    WriteStream {
        #[arg(long, default_value = "1000")]
        count: u64,
    },
}

fn edit_fail(ctx: &Ctx, e: EditError) -> Fail {
    ctx.edit(e)
}

pub fn init(ctx: &Ctx, a: InitArgs) -> CmdResult {
    let l = ctx.lang;
    let setup = match (&a.plan, &a.programme) {
        (Some(p), _) if p.trim().eq_ignore_ascii_case("panjin") || p.trim() == "盘锦" => {
            plan::panjin()
        }
        (Some(p), _) => return Err(Fail::line(tr!(l, "init.unknown_plan", value = p.as_str()))),
        (None, Some(name)) => {
            let years = a.years.clone().unwrap_or_default();
            let (start, end) = years
                .split_once(['-', '–'])
                .and_then(|(s, e)| Some((s.trim().parse().ok()?, e.trim().parse().ok()?)))
                .ok_or_else(|| Fail::line(tr!(l, "init.bad_years", value = years.as_str())))?;
            plan::empty(name, &a.district, start, end)
        }
        (None, None) => return Err(Fail::line(tr!(l, "init.what"))),
    };
    let ws =
        Workspace::init(&ctx.data_dir, &setup, ctx.options()).map_err(|e| edit_fail(ctx, e))?;
    out(&tr!(
        l,
        "init.done",
        name = ws.model().programme.name.as_str(),
        dir = ctx.data_dir.display().to_string(),
        districts = ws.model().districts.len()
    ));
    Ok(())
}

pub fn demo(ctx: &Ctx, a: DemoArgs) -> CmdResult {
    let l = ctx.lang;
    let scale = crate::demo::Scale::parse(&a.scale)
        .ok_or_else(|| Fail::line(tr!(l, "demo.bad_scale", value = a.scale.as_str())))?;
    if a.replace {
        store::remove_demo(&ctx.data_dir).map_err(|e| ctx.store(&e))?;
    }
    let started = std::time::Instant::now();
    let summary = crate::demo::create(&ctx.data_dir, scale, a.seed, ctx.options())
        .map_err(|e| edit_fail(ctx, e))?;
    out(&tr!(
        l,
        "demo.done",
        dir = ctx.data_dir.display().to_string(),
        districts = summary.districts,
        kindergartens = summary.kindergartens,
        pairings = summary.pairings,
        visits = summary.visits,
        inspections = summary.inspections,
        seconds = format!("{:.1}", started.elapsed().as_secs_f64())
    ));
    Ok(())
}

pub fn district(ctx: &Ctx, cmd: DistrictCmd) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    match cmd {
        DistrictCmd::Add { name } => {
            let id = ws
                .write(|w| w.add_district(&name))
                .map_err(|e| edit_fail(ctx, e))?;
            out(&tr!(
                l,
                "cli.saved",
                what = i18n::entity(l, Entity::District),
                id = id.short(),
                detail = name.as_str()
            ));
        }
        DistrictCmd::List { format } => {
            let format = ctx.format(&format)?;
            let model = ws.model();
            let ds = model.districts_in_order();
            let count = |d: &District| model.data.get(&d.id).map_or(0, |x| x.kindergartens.len());
            let table = Table {
                headers: ["id", "name", "kindergartens", "towns"]
                    .iter()
                    .map(|f| i18n::field(l, f))
                    .collect(),
                rows: ds
                    .iter()
                    .map(|d| {
                        vec![
                            d.id.short().to_string(),
                            d.name.clone(),
                            count(d).to_string(),
                            d.towns.join(l.sep()),
                        ]
                    })
                    .collect(),
            };
            let json = ds
                .iter()
                .map(|d| json!({"id": d.id, "name": d.name, "towns": d.towns, "kindergartens": count(d)}))
                .collect();
            print_list(format, &table, json);
        }
    }
    Ok(())
}

pub fn plan(ctx: &Ctx, cmd: PlanCmd) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    match cmd {
        PlanCmd::Set {
            year,
            district,
            helpers,
            helped,
            stated_total,
            share,
        } => {
            let year = parse::year(l, &year)?;
            let model = ws.model();
            let target = match &district {
                Some(d) => Some(PlanTarget {
                    year,
                    district_id: parse::district(l, model, d)?,
                    helpers: parse::opt_int(l, "helpers", &helpers)?.unwrap_or(0),
                    helped: parse::opt_int(l, "helped", &helped)?.unwrap_or(0),
                }),
                None => None,
            };
            let stated_total = parse::opt_int(l, "stated_total", &stated_total)?;
            let share = parse::opt_int(l, "share", &share)?;
            let year_plan = (stated_total.is_some() || share.is_some()).then(|| {
                let old = model.years.get(&year);
                YearPlan {
                    year,
                    stated_total: stated_total.or(old.and_then(|y| y.stated_total)),
                    target_share_percent: share.or(old.and_then(|y| y.target_share_percent)),
                }
            });
            if target.is_none() && year_plan.is_none() {
                return Err(Fail::line(tr!(l, "plan.nothing_to_set")));
            }
            ws.write(|w| {
                if let Some(t) = target {
                    w.set_target(t)?;
                }
                if let Some(y) = year_plan {
                    w.set_year_plan(y)?;
                }
                Ok(())
            })
            .map_err(|e| edit_fail(ctx, e))?;
            out(&tr!(l, "plan.saved", year = year));
        }
        PlanCmd::Show { year, format } => {
            let format = ctx.format(&format)?;
            let model = ws.model();
            let years: Vec<i32> = match parse::opt_year(l, &year)? {
                Some(y) => vec![y],
                None => (model.programme.start_year..=model.programme.end_year).collect(),
            };
            let statuses: Vec<YearStatus> =
                years.iter().map(|y| plan::year_status(model, *y)).collect();
            match format {
                Format::Json => {
                    print_json(&json!(statuses.iter().map(year_json).collect::<Vec<_>>()))
                }
                Format::Csv => {
                    let mut t = year_table(l, &statuses[0]);
                    for s in &statuses[1..] {
                        t.rows.extend(year_table(l, s).rows);
                    }
                    print_list(Format::Csv, &t, serde_json::Value::Null);
                }
                Format::Table => {
                    for (i, s) in statuses.iter().enumerate() {
                        if i > 0 {
                            out("");
                        }
                        out(&year_text(l, s));
                    }
                }
            }
        }
    }
    Ok(())
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |p| format!("{p:.1}%"))
}

fn year_table(l: Lang, s: &YearStatus) -> Table {
    let headers = [
        "year",
        "district",
        "target_helpers",
        "target_helped",
        "actual_helpers",
        "actual_helped",
        "pairings",
        "rural",
    ];
    let mut rows: Vec<Vec<String>> = s
        .districts
        .iter()
        .map(|d| {
            let t = |f: fn(&PlanTarget) -> i64| {
                d.target
                    .as_ref()
                    .map_or_else(|| "-".to_string(), |t| f(t).to_string())
            };
            vec![
                s.year.to_string(),
                d.name.clone(),
                t(|t| t.helpers),
                t(|t| t.helped),
                d.actual_helpers.to_string(),
                d.actual_helped.to_string(),
                d.pairings.to_string(),
                d.rural.to_string(),
            ]
        })
        .collect();
    let sum =
        |f: fn(&plan::DistrictYear) -> i64| s.districts.iter().map(f).sum::<i64>().to_string();
    rows.push(vec![
        s.year.to_string(),
        tr!(l, "plan.total"),
        sum(|d| d.target.as_ref().map_or(0, |t| t.helpers)),
        sum(|d| d.target.as_ref().map_or(0, |t| t.helped)),
        sum(|d| d.actual_helpers),
        sum(|d| d.actual_helped),
        sum(|d| d.pairings as i64),
        s.rural_total.to_string(),
    ]);
    Table {
        headers: headers.iter().map(|h| i18n::field(l, h)).collect(),
        rows,
    }
}

fn year_text(l: Lang, s: &YearStatus) -> String {
    let mut lines = Vec::new();
    let stated = s.plan.as_ref().and_then(|p| p.stated_total);
    let share = s.plan.as_ref().and_then(|p| p.target_share_percent);
    lines.push(tr!(
        l,
        "plan.heading",
        year = s.year,
        stated = stated.map_or_else(|| "-".to_string(), |n| n.to_string()),
        share = share.map_or_else(|| "-".to_string(), |n| format!("{n}%"))
    ));
    let mut t = year_table(l, s);
    for r in &mut t.rows {
        r.remove(0);
    }
    t.headers.remove(0);
    lines.push(table_text(&t));
    if let Some((sum, stated)) = s.mismatch {
        lines.push(tr!(
            l,
            "plan.mismatch",
            year = s.year,
            sum = sum,
            stated = stated
        ));
    }
    lines.push(tr!(
        l,
        "plan.share",
        in_pairs = s.in_pairs,
        rural = s.rural_total,
        share = pct(s.share_percent),
        target = share.map_or_else(|| "-".to_string(), |n| format!("{n}%"))
    ));
    lines.push(tr!(
        l,
        "plan.cumulative",
        in_pairs = s.cumulative_in_pairs,
        share = pct(s.cumulative_share_percent),
        target = s
            .cumulative_target_percent
            .map_or_else(|| "-".to_string(), |n| format!("{n}%"))
    ));
    lines.join("\n")
}

fn year_json(s: &YearStatus) -> serde_json::Value {
    json!({
        "year": s.year,
        "stated_total": s.plan.as_ref().and_then(|p| p.stated_total),
        "target_share_percent": s.plan.as_ref().and_then(|p| p.target_share_percent),
        "target_sum": s.target_sum,
        "mismatch": s.mismatch.map(|(sum, stated)| json!({"sum": sum, "stated": stated})),
        "districts": s.districts.iter().map(|d| json!({
            "district": d.name,
            "district_id": d.district_id,
            "target_helpers": d.target.as_ref().map(|t| t.helpers),
            "target_helped": d.target.as_ref().map(|t| t.helped),
            "actual_helpers": d.actual_helpers,
            "actual_helped": d.actual_helped,
            "pairings": d.pairings,
            "rural": d.rural,
        })).collect::<Vec<_>>(),
        "in_pairs": s.in_pairs,
        "rural_total": s.rural_total,
        "share_percent": s.share_percent,
        "cumulative_in_pairs": s.cumulative_in_pairs,
        "cumulative_share_percent": s.cumulative_share_percent,
        "cumulative_target_percent": s.cumulative_target_percent,
    })
}

pub fn history(ctx: &Ctx, a: HistoryArgs) -> CmdResult {
    let l = ctx.lang;
    let format = ctx.format(&a.format)?;
    let mut ws = ctx.open()?;
    let (what, id) = ws
        .model()
        .resolve_any(&a.id)
        .map_err(|e| Fail::line(i18n::prefix_error(l, None, &a.id, &e)))?;
    let entries = ws.history(what, &id).map_err(|e| ctx.store(&e))?;
    let table = Table {
        headers: crate::present::headers(l, &crate::present::HISTORY_COLUMNS),
        rows: entries
            .iter()
            .map(|e| crate::present::history_row(l, e))
            .collect(),
    };
    if format == Format::Table {
        out(&tr!(
            l,
            "history.heading",
            what = i18n::entity(l, what),
            id = id.as_str(),
            count = entries.len()
        ));
    }
    print_list(format, &table, json!(entries));
    Ok(())
}

pub fn doctor(ctx: &Ctx) -> CmdResult {
    let l = ctx.lang;
    let report = store::doctor(&ctx.data_dir, ctx.options()).map_err(|e| ctx.store(&e))?;
    let mut healthy = true;
    match &report.file {
        Ok(()) => out(&tr!(
            l,
            "doctor.file_ok",
            path = report.path.display().to_string()
        )),
        Err(e) => {
            healthy = false;
            out(&tr!(
                l,
                "doctor.file_bad",
                path = report.path.display().to_string(),
                detail = e.as_str()
            ));
        }
    }
    for d in &report.docs {
        let name = d.name.clone().unwrap_or_else(|| d.id.clone());
        match &d.result {
            Ok(stats) => out(&tr!(
                l,
                "doctor.doc_ok",
                doc = name,
                changes = stats.changes,
                chunks = stats.chunks,
                records = stats.records
            )),
            Err(e) => {
                healthy = false;
                out(&tr!(
                    l,
                    "doctor.doc_bad",
                    doc = name,
                    detail = i18n::store_error(l, e)
                ));
            }
        }
    }
    for dmg in &report.damaged {
        healthy = false;
        out(&tr!(
            l,
            "doctor.record_bad",
            doc = dmg.doc.as_str(),
            collection = dmg.collection.as_str(),
            key = dmg.key.as_str(),
            detail = dmg.detail.as_str()
        ));
    }
    let m = &report.membership;
    match &m.root {
        Some(root) => out(&tr!(
            l,
            "doctor.membership",
            root = crate::identity::short(root),
            certs = m.certs,
            members = m.members
        )),
        None => out(&tr!(l, "doctor.no_membership")),
    }
    // Refused certificates are attacks (or mistakes) already stopped: shown,
    // not counted as damage.
    for (hash, issuer, why) in &m.refused {
        out(&tr!(
            l,
            "doctor.cert_refused",
            cert = crate::identity::short(hash),
            issuer = crate::identity::short(issuer),
            why = i18n::cert_refusal(l, why)
        ));
    }
    // Refused changes too: stopped before they were merged.
    if report.refused_total == 0 {
        out(&tr!(l, "doctor.no_refusals"));
    } else {
        out(&tr!(l, "doctor.refusals", count = report.refused_total));
        for r in &report.refusals {
            let line = i18n::refusal(l, &m.known, r);
            out(&format!(
                "  {line}  {}",
                tr!(
                    l,
                    "refusal.source",
                    source = source_label(l, &m.known, &r.source)
                )
            ));
        }
    }
    if healthy {
        out(&tr!(l, "doctor.healthy"));
        Ok(())
    } else {
        Err(Fail::line(tr!(l, "doctor.unhealthy")))
    }
}

/// Where a refused change came from: a member (by name), a bundle of one,
/// or a revocation learnt later.
fn source_label(
    l: Lang,
    known: &std::collections::BTreeMap<String, crate::domain::Member>,
    source: &str,
) -> String {
    if source == "revocation" {
        return tr!(l, "refusal.revocation");
    }
    match source.strip_prefix("bundle:") {
        Some(id) => format!("bundle {}", i18n::device_label(known, id)),
        None => i18n::device_label(known, source),
    }
}

pub fn export(ctx: &Ctx, a: ExportArgs) -> CmdResult {
    use crate::export::lists;
    let l = ctx.lang;
    let format = a.format.trim().to_ascii_lowercase();
    let bytes = match (format.as_str(), &a.what) {
        ("json", None) => {
            let ws = ctx.open()?;
            (serde_json::to_string_pretty(&crate::present::export_json(&ws)).unwrap_or_default()
                + "\n")
                .into_bytes()
        }
        ("csv" | "xlsx", Some(what)) => {
            let what = lists::What::parse(what)
                .ok_or_else(|| Fail::line(tr!(l, "export.bad_what", value = what.as_str())))?;
            let ws = ctx.open()?;
            let table = lists::table(l, ws.model(), what);
            let made = if format == "csv" {
                lists::csv_file(&table)
            } else {
                crate::export::xlsx::table(
                    &i18n::entity(l, what.entity()),
                    &table.headers,
                    &table.rows,
                )
            };
            made.map_err(|e| Fail::line(tr!(l, "export.failed", detail = e.to_string())))?
        }
        ("csv" | "xlsx", None) => return Err(Fail::line(tr!(l, "export.what_needed"))),
        ("json", Some(_)) => return Err(Fail::line(tr!(l, "export.json_whole"))),
        _ => {
            return Err(Fail::line(tr!(
                l,
                "export.bad_format",
                value = a.format.as_str()
            )));
        }
    };
    save(ctx, &a.file, &bytes)
}

/// Writes an exported file (or standard output for `-`) and says where.
pub fn save(ctx: &Ctx, file: &Path, bytes: &[u8]) -> CmdResult {
    let l = ctx.lang;
    if file.as_os_str() == "-" {
        let mut o = std::io::stdout().lock();
        let _ = o.write_all(bytes);
        return Ok(());
    }
    write_file_atomically(file, bytes).map_err(|e| {
        Fail::line(tr!(
            l,
            "export.io",
            path = file.display().to_string(),
            detail = e.to_string()
        ))
    })?;
    eprintln!(
        "{}",
        tr!(
            l,
            "export.done",
            path = file.display().to_string(),
            bytes = bytes.len()
        )
    );
    Ok(())
}

pub use crate::export::write_file_atomically;

pub fn debug(ctx: &Ctx, cmd: DebugCmd) -> CmdResult {
    match cmd {
        DebugCmd::WriteStream { count } => {
            let mut ws = ctx.open()?;
            let Some(district) = ws.model().districts.keys().next().cloned() else {
                return Err(Fail::line("no district"));
            };
            let pid = std::process::id();
            for i in 0..count {
                let id = ws
                    .write(|w| {
                        let id = w.new_id();
                        w.put_kindergarten(Kindergarten {
                            id,
                            name: format!("压力测试园 {pid}-{i}"),
                            district_id: district.clone(),
                            town: "测试镇".into(),
                            village: String::new(),
                            ownership: Ownership::Public,
                            category: Category::Town,
                            stars: None,
                            rural: true,
                            children: i as i64,
                            teachers: 1,
                            contact: String::new(),
                            phone: String::new(),
                        })
                    })
                    .map_err(|e| edit_fail(ctx, e))?;
                let mut o = std::io::stdout().lock();
                let _ = writeln!(o, "saved {id}");
                let _ = o.flush();
            }
            Ok(())
        }
    }
}

/// With no command: what this workspace holds and what to do next.
pub fn overview(ctx: &Ctx) -> CmdResult {
    let l = ctx.lang;
    let ws = match Workspace::open(&ctx.data_dir, ctx.options()) {
        Ok(ws) => ws,
        Err(store::StoreError::NoWorkspace { .. }) => {
            out(&tr!(
                l,
                "overview.none",
                dir = ctx.data_dir.display().to_string()
            ));
            return Ok(());
        }
        Err(e) => return Err(ctx.store(&e)),
    };
    let m = ws.model();
    out(&tr!(
        l,
        "overview.summary",
        name = m.programme.name.as_str(),
        start = m.programme.start_year,
        end = m.programme.end_year,
        districts = m.districts.len(),
        kindergartens = m.kindergartens().count(),
        pairings = m.pairings().count(),
        visits = m.visits().count(),
        inspections = m.inspections().count()
    ));
    out(&tr!(l, "overview.next"));
    Ok(())
}

/// Column names a kindergarten list may use, in Chinese or English, for
/// the kindergarten's fields (`input::records::kindergarten`).
fn column(header: &str) -> Option<&'static str> {
    use crate::input::records::kindergarten as k;
    let h = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    let pairs: [(&[&str], &FieldSpec); 12] = [
        (&["园名", "幼儿园", "幼儿园名称", "名称", "name"], &k::NAME),
        (&["县区", "县(区)", "区县", "district"], &k::DISTRICT),
        (&["乡镇", "镇", "town"], &k::TOWN),
        (&["村", "村屯", "village"], &k::VILLAGE),
        (&["性质", "办园性质", "ownership"], &k::OWNERSHIP),
        (&["类别", "类型", "category"], &k::CATEGORY),
        (&["星级", "stars"], &k::STARS),
        (&["农村", "农村园", "是否农村", "rural"], &k::RURAL),
        (&["幼儿数", "在园幼儿数", "children"], &k::CHILDREN),
        (&["教师数", "专任教师数", "teachers"], &k::TEACHERS),
        (&["联系人", "contact"], &k::CONTACT),
        (&["电话", "联系电话", "phone"], &k::PHONE),
    ];
    pairs
        .iter()
        .find(|(names, _)| names.contains(&h.as_str()))
        .map(|(_, f)| f.key)
}

/// Imports a kindergarten list (附表) from `.xlsx` or `.csv`: every row
/// checked first; one bad row and nothing is written (each bad row is named
/// by its row number), unless `only_good` asks for the good rows alone.
pub fn import_kindergartens(
    ctx: &Ctx,
    ws: &mut Workspace,
    file: &Path,
    district: Option<String>,
    dry_run: bool,
    only_good: bool,
) -> CmdResult {
    let l = ctx.lang;
    let table = crate::export::rows::read(file).map_err(|e| {
        Fail::line(tr!(
            l,
            "import.unreadable",
            path = file.display().to_string(),
            detail = e
        ))
    })?;
    let columns: Vec<Option<&str>> = table.headers.iter().map(|h| column(h)).collect();
    if !columns.contains(&Some("name")) {
        return Err(Fail::line(tr!(l, "import.no_name_column")));
    }
    let default_district = district
        .map(|d| parse::district(l, ws.model(), &d))
        .transpose()?;
    let mut rows = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    let mut bad_lines = std::collections::BTreeSet::new();
    for (line, rec) in table.rows {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                bad.push(tr!(l, "import.bad_row", line = line, detail = e));
                bad_lines.insert(line);
                continue;
            }
        };
        let mut raw = Raw::new();
        for (col, value) in columns.iter().zip(rec.iter()) {
            if let Some(key) = col {
                raw.put(key, value.trim());
            }
        }
        if let Some(d) = &default_district
            && !raw.given(kindergarten_fields::DISTRICT.key)
        {
            raw.put(kindergarten_fields::DISTRICT.key, d.as_str());
        }
        match kindergarten_fields::read(&raw, ctx.input(ws.model())) {
            Ok(k) => rows.push((line, k)),
            Err(problems) => {
                bad_lines.insert(line);
                for b in problems {
                    let detail = match b.why {
                        Why::Invalid(msg) => msg,
                        Why::Missing => {
                            tr!(l, "import.missing", field = i18n::field(l, b.field))
                        }
                    };
                    bad.push(tr!(l, "import.bad_row", line = line, detail = detail));
                }
            }
        }
    }
    // Check every row against the rules (and the rows before it) in one
    // write that is rolled back unless everything is good.
    // A row that breaks a rule with the good rows before it is bad too; a
    // rule-breaking row is skipped, so the rows after it are checked
    // against the good ones only.
    let mut checked = Vec::new();
    let result = ws.write_or_undo(|w| {
        for (line, k) in &rows {
            match w.add_kindergarten(k.clone()) {
                Ok(id) => checked.extend(w.model().kindergarten(&id).cloned()),
                Err(EditError::Invalid(ps)) => {
                    bad_lines.insert(*line);
                    for p in ps {
                        bad.push(tr!(
                            l,
                            "import.bad_row",
                            line = line,
                            detail = i18n::problem(l, &p)
                        ));
                    }
                }
                Err(e) => return Err(Rollback::Store(e)),
            }
        }
        if !dry_run && (bad.is_empty() || only_good) {
            Ok(())
        } else {
            Err(Rollback::Checked)
        }
    });
    match result {
        Ok(()) => {
            for b in &bad {
                eprintln!("{b}");
            }
            out(&tr!(l, "import.done", count = checked.len()));
            if !bad_lines.is_empty() {
                out(&tr!(l, "import.skipped", bad = bad_lines.len()));
            }
            Ok(())
        }
        Err(Rollback::Checked) if dry_run => {
            let refs: Vec<&Kindergarten> = checked.iter().collect();
            out(&table_text(&crate::present::table(l, ws.model(), &refs)));
            for b in &bad {
                out(b);
            }
            out(&tr!(
                l,
                "import.dry_run",
                count = checked.len(),
                bad = bad_lines.len()
            ));
            if bad_lines.is_empty() {
                Ok(())
            } else {
                Err(Fail::line(tr!(
                    l,
                    "import.dry_run_bad",
                    bad = bad_lines.len()
                )))
            }
        }
        Err(Rollback::Checked) => {
            bad.push(tr!(l, "import.nothing_written", bad = bad_lines.len()));
            Err(Fail(bad))
        }
        Err(Rollback::Store(e)) => Err(ctx.edit(e)),
    }
}

/// Why an import's write is rolled back.
enum Rollback {
    /// Only checking, or a bad row and not only the good ones: nothing
    /// is kept.
    Checked,
    Store(EditError),
}

impl From<crate::store::StoreError> for Rollback {
    fn from(e: crate::store::StoreError) -> Rollback {
        Rollback::Store(EditError::Store(e))
    }
}

//! Commands over the workspace as a whole: creating it (init, demo),
//! districts, the overview, exporting it.

use super::output::{Table, out, print_list};
use super::{CmdResult, Ctx, Fail, FormatArg};
use crate::domain::plan::{self};
use crate::domain::*;
use crate::i18n::{self};
use crate::store::{self, Workspace};
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

pub fn init(ctx: &Ctx, a: InitArgs) -> CmdResult {
    let l = ctx.lang;
    let setup = match (&a.plan, &a.programme) {
        (Some(p), _) if p.trim().eq_ignore_ascii_case("panjin") || p.trim() == "盘锦" => {
            plan::panjin()
        }
        (Some(p), _) => {
            return Err(Fail::said(
                "init.unknown_plan",
                vec![("value", p.to_string())],
            ));
        }
        (None, Some(name)) => {
            let years = a.years.clone().unwrap_or_default();
            let (start, end) = years
                .split_once(['-', '–'])
                .and_then(|(s, e)| Some((s.trim().parse().ok()?, e.trim().parse().ok()?)))
                .ok_or_else(|| Fail::said("init.bad_years", vec![("value", years.to_string())]))?;
            plan::empty(name, &a.district, start, end)
        }
        (None, None) => return Err(Fail::said("init.what", vec![])),
    };
    let ws = Workspace::init(&ctx.data_dir, &setup, ctx.options()).map_err(|e| ctx.edit(e))?;
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
        .ok_or_else(|| Fail::said("demo.bad_scale", vec![("value", a.scale.to_string())]))?;
    if a.replace {
        store::remove_demo(&ctx.data_dir).map_err(Fail::Store)?;
    }
    let started = std::time::Instant::now();
    let summary = crate::demo::create(&ctx.data_dir, scale, a.seed, ctx.options())
        .map_err(|e| ctx.edit(e))?;
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
                .map_err(|e| ctx.edit(e))?;
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

pub fn export(ctx: &Ctx, a: ExportArgs) -> CmdResult {
    use crate::export::lists;
    let l = ctx.lang;
    let format = a.format.trim().to_ascii_lowercase();
    let bytes = match (format.as_str(), &a.what) {
        ("json", None) => {
            let ws = ctx.open()?;
            (serde_json::to_string_pretty(&crate::present::export_json(
                ws.model(),
                ws.workspace_id(),
            ))
            .unwrap_or_default()
                + "\n")
                .into_bytes()
        }
        ("csv" | "xlsx", Some(what)) => {
            let what = lists::What::parse(what)
                .ok_or_else(|| Fail::said("export.bad_what", vec![("value", what.to_string())]))?;
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
            made.map_err(|e| Fail::said("export.failed", vec![("detail", e.to_string())]))?
        }
        ("csv" | "xlsx", None) => return Err(Fail::said("export.what_needed", vec![])),
        ("json", Some(_)) => return Err(Fail::said("export.json_whole", vec![])),
        _ => {
            return Err(Fail::said(
                "export.bad_format",
                vec![("value", a.format.to_string())],
            ));
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
        Fail::said(
            "export.io",
            vec![
                ("path", file.display().to_string()),
                ("detail", e.to_string()),
            ],
        )
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
        Err(e) => return Err(Fail::Store(e)),
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

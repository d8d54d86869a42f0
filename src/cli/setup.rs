//! Setting up a workspace: creating it (init, demo), and the overview
//! printed when `bangfu` runs without a terminal (what it holds, what next).

use super::output::out;
use super::{CmdResult, Ctx, Fail};
use crate::domain::plan;
use crate::store::{self, Workspace};
use crate::tr;
use clap::Args;

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

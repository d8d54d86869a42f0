//! Yearly plans and targets: setting them, and a year's targets against
//! what was paired.

use super::fields::{Fields, PlanSpec};
use super::output::{Table, out, print_json, print_list, table_text};
use super::{CmdResult, Ctx, FormatArg, output::Format};
use crate::domain::plan::{self, YearStatus};
use crate::domain::*;
use crate::i18n::{self, Lang};
use crate::input as parse;
use crate::store::Workspace;
use crate::tr;
use clap::Subcommand;
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum PlanCmd {
    /// Set a district's target and/or the city's stated total and share for a year
    Set {
        #[command(flatten)]
        fields: Fields<PlanSpec>,
    },
    /// Targets against actual pairings, per year
    Show {
        #[arg(long)]
        year: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
}

pub fn plan(ctx: &Ctx, cmd: PlanCmd) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    match cmd {
        PlanCmd::Set { fields } => {
            let read = crate::input::records::plan::read(&fields.raw, ctx.input(ws.model()));
            let draft = read.map_err(Fields::<PlanSpec>::fail)?;
            ws.write(|w| w.set_plan(&draft)).map_err(|e| ctx.edit(e))?;
            out(&tr!(l, "plan.saved", year = draft.year));
        }
        PlanCmd::Show { year, format } => show(ctx, &ws, &year, &format)?,
    }
    Ok(())
}

/// Prints each year's targets against what was done (one year, or all).
fn show(ctx: &Ctx, ws: &Workspace, year: &Option<String>, format: &FormatArg) -> CmdResult {
    let l = ctx.lang;
    let format = ctx.format(format)?;
    let model = ws.model();
    let years: Vec<i32> = match parse::opt_year(l, year)? {
        Some(y) => vec![y],
        None => (model.programme.start_year..=model.programme.end_year).collect(),
    };
    let me = model.active_member(&ws.author().device);
    let reach = Reach::of(model, me);
    let statuses: Vec<YearStatus> = years
        .iter()
        .map(|y| plan::year_status(model, *y, &reach))
        .collect();
    match format {
        Format::Json => print_json(&json!(
            statuses
                .iter()
                .map(|s| year_json(s, &reach, model))
                .collect::<Vec<_>>()
        )),
        Format::Csv => {
            let mut tables = statuses.iter().map(|s| year_table(l, s));
            if let Some(mut t) = tables.next() {
                for more in tables {
                    t.rows.extend(more.rows);
                }
                print_list(Format::Csv, &t, serde_json::Value::Null);
            }
        }
        Format::Table => {
            if !reach.is_city() {
                out(&tr!(l, "plan.scope", reach = i18n::reach(l, &reach, model)));
                out("");
            }
            for (i, s) in statuses.iter().enumerate() {
                if i > 0 {
                    out("");
                }
                out(&year_text(l, s));
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

/// A year's status, with whose figures they are (`scope`: city,
/// district or kindergarten).
fn year_json(s: &YearStatus, reach: &Reach, model: &Model) -> serde_json::Value {
    json!({
        "year": s.year,
        "scope": reach.code(),
        "scope_name": reach.name(model),
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

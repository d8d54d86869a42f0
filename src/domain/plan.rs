//! Yearly targets (年度目标) against what was actually paired, and the
//! built-in plan of the Panjin notice.

use super::id::Id;
use super::model::Model;
use super::reach::Reach;
use super::records::*;
use std::collections::BTreeSet;

/// One district in one year: its target and what its pairings reached.
#[derive(Debug, Clone, PartialEq)]
pub struct DistrictYear {
    pub district_id: Id,
    pub name: String,
    pub target: Option<PlanTarget>,
    /// Distinct helper kindergartens of the district's pairings of the year.
    pub actual_helpers: i64,
    /// Distinct helped kindergartens of the district's pairings of the year.
    pub actual_helped: i64,
    pub pairings: usize,
    /// Rural kindergartens in the district.
    pub rural: i64,
}

/// The city in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct YearStatus {
    pub year: i32,
    pub plan: Option<YearPlan>,
    pub districts: Vec<DistrictYear>,
    /// Sum of the districts' targets, helpers plus helped.
    pub target_sum: i64,
    /// `Some((sum, stated))` when the districts' targets do not add up to the
    /// stated city total (Panjin 2024: 21 ≠ 22). Shown, never hidden.
    pub mismatch: Option<(i64, i64)>,
    /// Distinct kindergartens (any side) in pairings of this year's cohort.
    pub in_pairs: i64,
    /// Rural kindergartens in the city.
    pub rural_total: i64,
    /// `in_pairs / rural_total`, in percent; `None` with no rural kindergartens.
    pub share_percent: Option<f64>,
    /// Sum of the target shares of this and earlier years.
    pub cumulative_target_percent: Option<i64>,
    /// Distinct kindergartens in pairings of this or earlier cohorts.
    pub cumulative_in_pairs: i64,
    pub cumulative_share_percent: Option<f64>,
}

fn percent(n: i64, of: i64) -> Option<f64> {
    (of > 0).then(|| n as f64 * 100.0 / of as f64)
}

/// Targets against actual pairings for `year`, over the districts of
/// `reach`: a bureau or a kindergarten sees its own district's figures,
/// never the city's computed from the documents it happens to hold.
pub fn year_status(model: &Model, year: i32, reach: &Reach) -> YearStatus {
    let districts: Vec<DistrictYear> = reach
        .districts(model)
        .into_iter()
        .map(|d| district_year(model, year, d))
        .collect();
    let target_sum: i64 = districts
        .iter()
        .filter_map(|d| d.target.as_ref())
        .map(|t| t.helpers + t.helped)
        .sum();
    let plan = model.years.get(&year).cloned();
    // The stated total is the city's: only the city's sum is held to it.
    let mismatch = plan
        .as_ref()
        .and_then(|p| p.stated_total)
        .filter(|stated| reach.is_city() && *stated != target_sum)
        .map(|stated| (target_sum, stated));
    // Kindergartens of the reach's districts in pairings of these cohorts.
    let in_cohorts = |pred: &dyn Fn(i32) -> bool| -> i64 {
        model
            .pairings()
            .filter(|p| pred(p.cohort))
            .flat_map(|p| p.members())
            .filter(|k| {
                model
                    .kindergarten(k)
                    .is_some_and(|k| reach.has_district(&k.district_id))
            })
            .collect::<BTreeSet<_>>()
            .len() as i64
    };
    let in_pairs = in_cohorts(&|c| c == year);
    let cumulative_in_pairs = in_cohorts(&|c| c <= year);
    let rural_total = reach
        .district_kindergartens(model)
        .filter(|k| k.rural)
        .count() as i64;
    let shares: Vec<i64> = model
        .years
        .values()
        .filter(|y| y.year <= year)
        .filter_map(|y| y.target_share_percent)
        .collect();
    YearStatus {
        year,
        plan,
        districts,
        target_sum,
        mismatch,
        in_pairs,
        rural_total,
        share_percent: percent(in_pairs, rural_total),
        cumulative_target_percent: (!shares.is_empty()).then(|| shares.iter().sum()),
        cumulative_in_pairs,
        cumulative_share_percent: percent(cumulative_in_pairs, rural_total),
    }
}

/// One district's target and the pairings of its document in `year`.
fn district_year(model: &Model, year: i32, d: &District) -> DistrictYear {
    let target = model.targets.get(&(year, d.id.clone())).cloned();
    let (mut helpers, mut helped, mut pairings) = (BTreeSet::new(), BTreeSet::new(), 0);
    let data = model.data.get(&d.id);
    for p in data
        .into_iter()
        .flat_map(|data| data.pairings.values())
        .filter(|p| p.cohort == year)
    {
        pairings += 1;
        helpers.extend(p.helpers.iter());
        helped.extend(p.helped.iter());
    }
    let rural = data.map_or(0, |data| {
        data.kindergartens.values().filter(|k| k.rural).count() as i64
    });
    DistrictYear {
        district_id: d.id.clone(),
        name: d.name.clone(),
        target,
        actual_helpers: helpers.len() as i64,
        actual_helped: helped.len() as i64,
        pairings,
        rural,
    }
}

/// A programme to create: its settings, districts, and yearly plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammeSetup {
    pub programme: Programme,
    pub districts: Vec<String>,
    pub years: Vec<YearPlan>,
    /// (year, district name, helpers, helped)
    pub targets: Vec<(i32, String, i64, i64)>,
}

/// The plan of 《盘锦市农村幼儿园帮扶工作方案》 (2024-09-18), as written:
/// the 2024 district figures add up to 21 while the stated total is 22, and
/// that mismatch is kept so it shows.
pub fn panjin() -> ProgrammeSetup {
    let (ps, sz, dw, xlt) = ("盘山县", "双台子区", "大洼区", "兴隆台区");
    ProgrammeSetup {
        programme: Programme {
            name: "盘锦市农村幼儿园帮扶工作".into(),
            city: "盘锦市".into(),
            start_year: 2024,
            end_year: 2026,
            report_due_day: 20,
            period_start_day: 20,
            summary_due: SummaryDue::default(),
        },
        districts: vec![ps.into(), sz.into(), dw.into(), xlt.into()],
        years: vec![
            YearPlan {
                year: 2024,
                stated_total: Some(22),
                target_share_percent: Some(40),
            },
            YearPlan {
                year: 2025,
                stated_total: Some(20),
                target_share_percent: Some(35),
            },
            YearPlan {
                year: 2026,
                stated_total: Some(14),
                target_share_percent: Some(25),
            },
        ],
        targets: vec![
            (2024, ps.into(), 3, 3),
            (2024, sz.into(), 1, 1),
            (2024, dw.into(), 6, 7),
            (2025, ps.into(), 3, 3),
            (2025, dw.into(), 7, 7),
            (2026, ps.into(), 2, 2),
            (2026, sz.into(), 1, 1),
            (2026, dw.into(), 4, 4),
        ],
    }
}

/// An empty programme: a name, districts and years, no targets yet.
pub fn empty(name: &str, districts: &[String], start_year: i32, end_year: i32) -> ProgrammeSetup {
    ProgrammeSetup {
        programme: Programme {
            name: name.to_string(),
            city: String::new(),
            start_year,
            end_year,
            report_due_day: 20,
            period_start_day: 20,
            summary_due: SummaryDue::default(),
        },
        districts: districts.to_vec(),
        years: (start_year..=end_year)
            .map(|year| YearPlan {
                year,
                stated_total: None,
                target_share_percent: None,
            })
            .collect(),
        targets: Vec::new(),
    }
}

//! The figures of a report (统计数据): what a district, a kindergarten or the
//! city did between two days, compiled from the records. Pure: the same
//! model and period always give the same figures.

use super::codes::*;
use super::id::Id;
use super::model::Model;
use super::records::*;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Whose work the figures count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything in the programme.
    City,
    /// The pairings kept in one district's document (those whose helped
    /// kindergartens are in it), their visits, and the inspections it holds.
    District(Id),
    /// The pairings a kindergarten is in, on either side, their visits, and
    /// inspections of it or of its pairings.
    Kindergarten(Id),
}

/// Mean scores of the inspections of a period (评估平均分), 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AverageScores {
    pub philosophy: f64,
    pub care_education: f64,
    pub environment: f64,
    pub management: f64,
    /// The mean of the four areas.
    pub overall: f64,
}

impl AverageScores {
    pub fn get(&self, area: Area) -> f64 {
        match area {
            Area::Philosophy => self.philosophy,
            Area::CareEducation => self.care_education,
            Area::Environment => self.environment,
            Area::Management => self.management,
        }
    }
}

/// What was done in a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// First day counted.
    pub from: NaiveDate,
    /// Last day counted.
    pub to: NaiveDate,
    /// Pairings whose agreement is signed (or filed) and runs on some day of
    /// the period (在帮扶期内的结对).
    pub pairings_active: usize,
    /// Distinct helper kindergartens of those pairings (帮扶园).
    pub helpers: usize,
    /// Distinct helped kindergartens of those pairings (被帮扶园).
    pub helped: usize,
    /// Support activities held in the period (帮扶活动).
    pub visits: usize,
    /// Activities by form, every form listed in the programme's order.
    pub by_form: Vec<(SupportForm, usize)>,
    /// Activities by task; an activity serving two tasks counts for both.
    pub by_task: Vec<(Task, usize)>,
    /// 受益教师 (sum over the activities)
    pub teachers_reached: i64,
    /// 受益幼儿 (sum over the activities)
    pub children_reached: i64,
    /// Materials donated (捐赠物资)
    pub materials: Materials,
    /// Inspections held in the period (检查评估).
    pub inspections: usize,
    /// Their mean scores; none without inspections.
    pub scores: Option<AverageScores>,
    /// Agreements signed in the period (签订协议).
    pub agreements_signed: usize,
    /// Agreements filed by the bureau in the period (审核备案).
    pub agreements_filed: usize,
}

fn within(d: NaiveDate, from: NaiveDate, to: NaiveDate) -> bool {
    from <= d && d <= to
}

/// The pairings of a scope: all, a district's, or a kindergarten's.
fn scope_pairings<'a>(model: &'a Model, scope: &Scope) -> Vec<&'a Pairing> {
    match scope {
        Scope::City => model.pairings().collect(),
        Scope::District(d) => model
            .data
            .get(d)
            .map(|data| data.pairings.values().collect())
            .unwrap_or_default(),
        Scope::Kindergarten(k) => model
            .pairings()
            .filter(|p| p.members().any(|m| m == k))
            .collect(),
    }
}

/// Whether an inspection counts in a scope (`pairings`: the scope's).
fn in_scope(i: &Inspection, scope: &Scope, pairings: &BTreeSet<&Id>) -> bool {
    match scope {
        Scope::City => true,
        Scope::District(d) => &i.district_id == d,
        Scope::Kindergarten(k) => {
            i.kindergarten_id.as_ref() == Some(k)
                || i.pairing_id.as_ref().is_some_and(|p| pairings.contains(p))
        }
    }
}

/// Each area's mean score and the overall mean (none without
/// inspections).
fn average_scores(inspections: &[&Inspection]) -> Option<AverageScores> {
    if inspections.is_empty() {
        return None;
    }
    let n = inspections.len() as f64;
    let mean = |a: Area| {
        inspections
            .iter()
            .map(|i| i.scores.get(a) as f64)
            .sum::<f64>()
            / n
    };
    let [philosophy, care_education, environment, management] = [
        Area::Philosophy,
        Area::CareEducation,
        Area::Environment,
        Area::Management,
    ]
    .map(mean);
    Some(AverageScores {
        philosophy,
        care_education,
        environment,
        management,
        overall: (philosophy + care_education + environment + management) / 4.0,
    })
}

/// The visits of a scope between two days (inclusive), oldest first.
pub fn visits_in<'a>(
    model: &'a Model,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<&'a Visit> {
    let mut v = visits_of_pairings(model, &scope_pairings(model, scope), from, to);
    v.sort_by_key(|x| x.date);
    v
}

/// The visits of `pairings` between two days. A visit lives in its
/// pairing's document (a record's district is the document holding it), so
/// only the documents of those pairings are read: a district's figures cost
/// what its own records cost, not the programme's.
fn visits_of_pairings<'a>(
    model: &'a Model,
    pairings: &[&Pairing],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<&'a Visit> {
    let mut by_district: BTreeMap<&Id, BTreeSet<&Id>> = BTreeMap::new();
    for p in pairings {
        by_district.entry(&p.district_id).or_default().insert(&p.id);
    }
    by_district
        .into_iter()
        .filter_map(|(d, ids)| model.data.get(d).map(|data| (data, ids)))
        .flat_map(|(data, ids)| {
            data.visits
                .values()
                .filter(move |v| ids.contains(&v.pairing_id) && within(v.date, from, to))
        })
        .collect()
}

/// The inspections of a scope held between two days. A district's are in
/// its own document.
fn inspections_in<'a>(
    model: &'a Model,
    scope: &Scope,
    pairing_ids: &BTreeSet<&Id>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<&'a Inspection> {
    let held: Box<dyn Iterator<Item = &'a Inspection>> = match scope {
        Scope::District(d) => Box::new(
            model
                .data
                .get(d)
                .into_iter()
                .flat_map(|x| x.inspections.values()),
        ),
        _ => Box::new(model.inspections()),
    };
    held.filter(|i| within(i.date, from, to) && in_scope(i, scope, pairing_ids))
        .collect()
}

/// The figures of `scope` from `from` to `to`, both days included.
pub fn compile(model: &Model, scope: &Scope, from: NaiveDate, to: NaiveDate) -> Figures {
    let pairings = scope_pairings(model, scope);
    let pairing_ids: BTreeSet<&Id> = pairings.iter().map(|p| &p.id).collect();
    let active: Vec<&&Pairing> = pairings
        .iter()
        .filter(|p| {
            p.agreement.status != AgreementStatus::Draft
                && p.agreement.start <= to
                && p.agreement.end >= from
        })
        .collect();
    let helpers: BTreeSet<&Id> = active.iter().flat_map(|p| p.helpers.iter()).collect();
    let helped: BTreeSet<&Id> = active.iter().flat_map(|p| p.helped.iter()).collect();

    let visits = visits_of_pairings(model, &pairings, from, to);
    let by_form = SupportForm::ALL
        .iter()
        .map(|f| (*f, visits.iter().filter(|v| v.form == *f).count()))
        .collect();
    let by_task = Task::ALL
        .iter()
        .map(|t| (*t, visits.iter().filter(|v| v.tasks.contains(t)).count()))
        .collect();
    let mut materials = Materials::default();
    for v in &visits {
        materials.toys = materials.toys.saturating_add(v.materials.toys);
        materials.play_materials = materials
            .play_materials
            .saturating_add(v.materials.play_materials);
        materials.picture_books = materials
            .picture_books
            .saturating_add(v.materials.picture_books);
    }

    let inspections = inspections_in(model, scope, &pairing_ids, from, to);
    let scores = average_scores(&inspections);
    let stamped = |s: &Option<Stamp>| s.as_ref().is_some_and(|s| within(s.on, from, to));

    Figures {
        from,
        to,
        pairings_active: active.len(),
        helpers: helpers.len(),
        helped: helped.len(),
        visits: visits.len(),
        by_form,
        by_task,
        teachers_reached: visits.iter().map(|v| v.teachers_reached).sum(),
        children_reached: visits.iter().map(|v| v.children_reached).sum(),
        materials,
        inspections: inspections.len(),
        scores,
        agreements_signed: pairings
            .iter()
            .filter(|p| stamped(&p.agreement.signed))
            .count(),
        agreements_filed: pairings
            .iter()
            .filter(|p| stamped(&p.agreement.filed))
            .count(),
    }
}

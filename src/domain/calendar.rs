//! The programme's calendar (推进计划): which deadlines are coming and which
//! have passed with work undone.

use super::codes::*;
use super::model::Model;
use super::reach::Reach;
use super::records::Pairing;
use super::reports;
use chrono::{Datelike, Days, NaiveDate};

/// What is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeadlineKind {
    /// Counties send the yearly pairing plan table to the city (9月5日前).
    PlanTable,
    /// Pairs sign their agreements (9月25日前).
    AgreementsSigned,
    /// Counties send the signed, filed agreements to the city (10月15日前).
    AgreementsFiled,
    /// Each county's monthly report to the city (每月20日前).
    MonthlyReport,
    /// Kindergartens' annual summaries (12月上旬).
    KindergartenSummaries,
    /// Counties' annual summaries (12月中旬).
    DistrictSummaries,
    /// The city's annual summary (12月下旬).
    CitySummary,
    /// Visits not yet confirmed by the helped side two weeks on.
    UnconfirmedVisits,
}

impl DeadlineKind {
    /// Locale-key suffix (`deadline.<code>`).
    pub fn code(self) -> &'static str {
        match self {
            DeadlineKind::PlanTable => "plan_table",
            DeadlineKind::AgreementsSigned => "agreements_signed",
            DeadlineKind::AgreementsFiled => "agreements_filed",
            DeadlineKind::MonthlyReport => "monthly_report",
            DeadlineKind::KindergartenSummaries => "kindergarten_summaries",
            DeadlineKind::DistrictSummaries => "district_summaries",
            DeadlineKind::CitySummary => "city_summary",
            DeadlineKind::UnconfirmedVisits => "unconfirmed_visits",
        }
    }
}

/// A deadline and the work still open against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub date: NaiveDate,
    pub kind: DeadlineKind,
    /// The year (cohort or summary year) it belongs to.
    pub year: i32,
    /// Items not done yet (pairings not signed, summaries missing, …); 0
    /// when the deadline only announces itself.
    pub pending: usize,
    /// Passed with work undone.
    pub overdue: bool,
}

/// How far ahead an upcoming deadline is shown.
pub const LOOKAHEAD_DAYS: u64 = 45;
/// A visit unconfirmed longer than this is flagged.
pub const CONFIRM_WITHIN_DAYS: u64 = 14;

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A deadline before it is known whether it shows.
struct Due {
    date: Option<NaiveDate>,
    kind: DeadlineKind,
    year: i32,
    pending: usize,
    /// Shown ahead only while work is open.
    needs_work: bool,
}

impl Due {
    /// The deadline, when it is overdue with work undone or due by
    /// `horizon`.
    fn shown(self, today: NaiveDate, horizon: NaiveDate) -> Option<Deadline> {
        let date = self.date?;
        let overdue = date < today && self.pending > 0;
        let upcoming = date >= today && date <= horizon && (self.pending > 0 || !self.needs_work);
        (overdue || upcoming).then_some(Deadline {
            date,
            kind: self.kind,
            year: self.year,
            pending: self.pending,
            overdue,
        })
    }
}

/// Deadlines of the work `reach` answers for, overdue (with work undone)
/// and due within [`LOOKAHEAD_DAYS`], overdue first, then by date.
pub fn deadlines(model: &Model, today: NaiveDate, reach: &Reach) -> Vec<Deadline> {
    let p = &model.programme;
    let horizon = today + Days::new(LOOKAHEAD_DAYS);
    let mut out: Vec<Deadline> = (p.start_year..=p.end_year)
        .flat_map(|year| dues_of_year(model, year, reach))
        .filter_map(|d| d.shown(today, horizon))
        .collect();
    out.extend(monthly_deadlines(model, today, horizon, reach));
    out.extend(unconfirmed_visits(model, today, reach));
    out.sort_by_key(|a| (!a.overdue, a.date, a.kind));
    out
}

/// A year's agreement and summary deadlines, with what is still open.
fn dues_of_year(model: &Model, year: i32, reach: &Reach) -> Vec<Due> {
    let cohort: Vec<_> = reach.pairings(model).filter(|x| x.cohort == year).collect();
    let open = |f: &dyn Fn(&&Pairing) -> bool| cohort.iter().filter(|x| f(x)).count();
    let due = |date, kind, pending, needs_work| Due {
        date,
        kind,
        year,
        pending,
        needs_work,
    };
    let mut out = vec![
        due(
            date(year, 9, 25),
            DeadlineKind::AgreementsSigned,
            open(&|x| x.agreement.status == AgreementStatus::Draft),
            true,
        ),
        due(
            date(year, 10, 15),
            DeadlineKind::AgreementsFiled,
            open(&|x| x.agreement.status != AgreementStatus::Filed),
            true,
        ),
    ];
    // The plan table is announced only before it is due, and only to
    // those who draw it up.
    if !matches!(reach, Reach::Kindergarten { .. }) {
        out.push(due(date(year, 9, 5), DeadlineKind::PlanTable, 0, false));
    }
    // December summaries: one per kindergarten in a pairing still running
    // in December, one per district with such pairings, one for the city;
    // pending are those of the reach not in yet.
    for (level, kind) in [
        (Level::Kindergarten, DeadlineKind::KindergartenSummaries),
        (Level::District, DeadlineKind::DistrictSummaries),
        (Level::City, DeadlineKind::CitySummary),
    ] {
        let pending = reports::summary_subjects(model, year, level)
            .into_iter()
            .filter(|subject| match (level, subject) {
                (Level::Kindergarten, Some(k)) => reach.has_kindergarten(k, model),
                (Level::District, Some(d)) => {
                    !matches!(reach, Reach::Kindergarten { .. }) && reach.has_district(d)
                }
                _ => reach.is_city(),
            })
            .filter(|subject| {
                let key = reports::ReportKey::Annual {
                    level,
                    subject: subject.clone(),
                    year,
                };
                !key.workflow(model).is_some_and(|w| w.locked())
            })
            .count();
        let date = model.programme.summary_due.of(level).in_year(year);
        out.push(due(date, kind, pending, true));
    }
    out
}

/// Monthly reports: every month gone by that a district of the reach owes
/// and has not sent, and the next one due (by `horizon`). A kindergarten
/// sends none.
fn monthly_deadlines(
    model: &Model,
    today: NaiveDate,
    horizon: NaiveDate,
    reach: &Reach,
) -> Vec<Deadline> {
    if matches!(reach, Reach::Kindergarten { .. }) {
        return Vec::new();
    }
    let p = &model.programme;
    let districts = reach.districts(model);
    let not_in = |month: reports::YearMonth| {
        districts
            .iter()
            .filter(|d| {
                let key = reports::ReportKey::Monthly {
                    district: d.id.clone(),
                    month,
                };
                reports::pending(model, &key)
            })
            .count()
    };
    let mut out = Vec::new();
    let mut next_shown = false;
    for m in reports::report_months(p) {
        let Some(due) = reports::monthly_period(p, m).map(|x| x.due) else {
            continue;
        };
        if due >= today && (next_shown || due > horizon) {
            break;
        }
        next_shown |= due >= today;
        let pending = not_in(m);
        if pending > 0 {
            out.push(Deadline {
                date: due,
                kind: DeadlineKind::MonthlyReport,
                year: m.year,
                pending,
                overdue: due < today,
            });
        }
    }
    out
}

/// Visits of the reach unconfirmed for longer than
/// [`CONFIRM_WITHIN_DAYS`], if any.
fn unconfirmed_visits(model: &Model, today: NaiveDate, reach: &Reach) -> Option<Deadline> {
    let stale = today.checked_sub_days(Days::new(CONFIRM_WITHIN_DAYS))?;
    let unconfirmed = reach
        .visits(model)
        .into_iter()
        .filter(|v| v.confirmed.is_none() && v.date < stale)
        .count();
    (unconfirmed > 0).then(|| Deadline {
        date: stale,
        kind: DeadlineKind::UnconfirmedVisits,
        year: stale.year(),
        pending: unconfirmed,
        overdue: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan;
    use crate::domain::{District, Id, Stamp};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn at(m: &Model, today: NaiveDate) -> Vec<Deadline> {
        deadlines(m, today, &Reach::City)
    }

    #[test]
    fn a_new_workspace_owes_nothing() {
        let m = Model::new(plan::panjin().programme);
        assert!(at(&m, d("2026-11-28")).is_empty());
        let mut m = m;
        add_district(&mut m);
        assert!(
            at(&m, d("2026-12-03")).is_empty(),
            "no agreement has run: no monthly report is owed"
        );
    }

    #[test]
    fn in_late_november_the_december_summaries_and_the_monthly_report_are_coming() {
        let m = with_a_pairing(2026, AgreementStatus::Filed);
        let ds = at(&m, d("2026-11-28"));
        let monthly: Vec<_> = ds
            .iter()
            .filter(|x| x.kind == DeadlineKind::MonthlyReport)
            .collect();
        // October and November's reports were owed and never sent; December's
        // is next.
        let dates: Vec<_> = monthly.iter().map(|x| (x.date, x.overdue)).collect();
        assert_eq!(
            dates,
            vec![
                (d("2026-10-20"), true),
                (d("2026-11-20"), true),
                (d("2026-12-20"), false)
            ]
        );
        assert!(
            ds.iter()
                .any(|x| x.kind == DeadlineKind::KindergartenSummaries && !x.overdue)
        );
    }

    #[test]
    fn before_the_20th_the_report_is_due_this_month_and_not_after_the_programme() {
        let m = with_a_pairing(2024, AgreementStatus::Filed);
        let next = |today| {
            at(&m, d(today))
                .into_iter()
                .find(|x| x.kind == DeadlineKind::MonthlyReport && !x.overdue)
                .map(|x| x.date)
        };
        assert_eq!(next("2025-03-20"), Some(d("2025-03-20")));
        assert_eq!(next("2025-03-21"), Some(d("2025-04-20")));
        assert_eq!(next("2027-01-05"), None);
        assert!(at(&m, d("2024-06-01")).is_empty(), "before September 2024");
    }

    #[test]
    fn a_month_sent_is_no_longer_overdue_and_a_kindergarten_sends_none() {
        use crate::domain::reports::YearMonth;
        let mut m = with_a_pairing(2026, AgreementStatus::Filed);
        let month = YearMonth {
            year: 2026,
            month: 10,
        };
        let Some(mut r) = reports::new_monthly(&m, &district(), month) else {
            panic!("October 2026 is a report month");
        };
        r.workflow.first_submitted = Some(Stamp {
            by: "x".into(),
            on: d("2026-10-19"),
        });
        m.data
            .entry(district())
            .or_default()
            .monthly_reports
            .insert(r.id.clone(), r);
        let overdue: Vec<_> = at(&m, d("2026-11-28"))
            .into_iter()
            .filter(|x| x.kind == DeadlineKind::MonthlyReport && x.overdue)
            .map(|x| x.date)
            .collect();
        assert_eq!(overdue, vec![d("2026-11-20")]);
        let kg = Reach::Kindergarten {
            id: Id::from_random_bytes([4; 16]),
            district: Some(district()),
        };
        assert!(
            !deadlines(&m, d("2026-11-28"), &kg)
                .iter()
                .any(|x| x.kind == DeadlineKind::MonthlyReport)
        );
    }

    /// 大洼区, as the model's only district.
    fn add_district(m: &mut Model) {
        m.districts.insert(
            district(),
            District {
                id: district(),
                name: "大洼区".into(),
                position: 0,
                towns: vec![],
                directory: Default::default(),
            },
        );
    }

    fn district() -> Id {
        Id::from_random_bytes([2; 16])
    }

    fn with_a_pairing(cohort: i32, status: AgreementStatus) -> Model {
        use crate::domain::*;
        let mut m = Model::new(plan::panjin().programme);
        let id = Id::from_random_bytes([1; 16]);
        let p = Pairing {
            id: id.clone(),
            district_id: district(),
            helpers: vec![Id::from_random_bytes([3; 16])],
            helped: vec![Id::from_random_bytes([4; 16])],
            cohort,
            mode: Mode::Town,
            agreement: Agreement {
                status,
                start: d(&format!("{cohort}-09-25")),
                end: d(&format!("{}-12-31", cohort + 2)),
                forms: vec![],
                tasks: vec![],
                goals: String::new(),
                rights: String::new(),
                schedule: String::new(),
                fees: 0,
                signed: None,
                confirmations: vec![],
                filed: None,
            },
        };
        add_district(&mut m);
        m.data
            .entry(p.district_id.clone())
            .or_default()
            .pairings
            .insert(id, p);
        m
    }

    #[test]
    fn december_summaries_are_due_for_every_kindergarten_in_a_running_pairing() {
        let m = with_a_pairing(2024, AgreementStatus::Filed);
        let ds = at(&m, d("2026-11-28"));
        let k = ds
            .iter()
            .find(|x| x.kind == DeadlineKind::KindergartenSummaries && x.year == 2026)
            .expect("due");
        assert_eq!((k.date, k.pending, k.overdue), (d("2026-12-10"), 2, false));
        // Last year's were never written: overdue.
        let late = ds
            .iter()
            .find(|x| x.kind == DeadlineKind::KindergartenSummaries && x.year == 2025)
            .expect("overdue");
        assert_eq!(
            (late.date, late.pending, late.overdue),
            (d("2025-12-10"), 2, true)
        );
        assert!(
            ds.iter()
                .any(|x| x.kind == DeadlineKind::DistrictSummaries && x.pending == 1)
        );
        assert!(
            ds.iter()
                .any(|x| x.kind == DeadlineKind::CitySummary && x.pending == 1)
        );
    }

    #[test]
    fn unfiled_agreements_are_overdue_after_october_15() {
        let m = with_a_pairing(2026, AgreementStatus::Signed);
        let ds = at(&m, d("2026-11-28"));
        assert_eq!(
            (ds[0].kind, ds[0].overdue, ds[0].pending),
            (DeadlineKind::AgreementsFiled, true, 1)
        );
        let filed = with_a_pairing(2026, AgreementStatus::Filed);
        assert!(
            !at(&filed, d("2026-11-28"))
                .iter()
                .any(|x| x.overdue && x.kind == DeadlineKind::AgreementsFiled)
        );
    }

    #[test]
    fn in_late_august_the_plan_table_and_signing_window_are_announced() {
        let m = Model::new(plan::panjin().programme);
        let ds = at(&m, d("2025-08-25"));
        assert!(
            ds.iter()
                .any(|x| x.kind == DeadlineKind::PlanTable && x.date == d("2025-09-05"))
        );
    }
}

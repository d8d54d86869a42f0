//! The programme's calendar (推进计划): which deadlines are coming and which
//! have passed with work undone.

use super::codes::*;
use super::model::Model;
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

/// Deadlines overdue (with work undone) and those due within
/// [`LOOKAHEAD_DAYS`], overdue first, then by date.
pub fn deadlines(model: &Model, today: NaiveDate) -> Vec<Deadline> {
    let p = &model.programme;
    let horizon = today + Days::new(LOOKAHEAD_DAYS);
    let mut out = Vec::new();
    // `needs_work`: shown ahead only while work is open. `tracked`: can be
    // overdue. Summaries cannot be submitted in bangfu until the reports
    // work lands, so for now they are announced, never marked overdue.
    let mut push = |date: Option<NaiveDate>, kind, year, pending: usize, needs_work: bool| {
        let Some(date) = date else { return };
        let tracked = !matches!(
            kind,
            DeadlineKind::KindergartenSummaries
                | DeadlineKind::DistrictSummaries
                | DeadlineKind::CitySummary
        );
        let overdue = tracked && date < today && pending > 0;
        let upcoming = date >= today && date <= horizon && (pending > 0 || !needs_work);
        if overdue || upcoming {
            out.push(Deadline {
                date,
                kind,
                year,
                pending,
                overdue,
            });
        }
    };
    for year in p.start_year..=p.end_year {
        let cohort: Vec<_> = model.pairings().filter(|x| x.cohort == year).collect();
        let unsigned = cohort
            .iter()
            .filter(|x| x.agreement.status == AgreementStatus::Draft)
            .count();
        let unfiled = cohort
            .iter()
            .filter(|x| x.agreement.status != AgreementStatus::Filed)
            .count();
        // The plan table is announced only before it is due.
        push(date(year, 9, 5), DeadlineKind::PlanTable, year, 0, false);
        push(
            date(year, 9, 25),
            DeadlineKind::AgreementsSigned,
            year,
            unsigned,
            true,
        );
        push(
            date(year, 10, 15),
            DeadlineKind::AgreementsFiled,
            year,
            unfiled,
            true,
        );
        // December summaries: one per kindergarten in a pairing still
        // running in December, one per district with such pairings, one
        // for the city.
        let running: Vec<_> = model
            .pairings()
            .filter(|x| x.cohort <= year && date(year, 12, 1).is_some_and(|d| x.agreement.end >= d))
            .collect();
        let summaries = |level: Level| {
            model
                .data
                .values()
                .flat_map(|d| d.annual_summaries.values())
                .chain(model.city_summaries.values())
                .filter(|s| s.year == year && s.level == level)
                .filter(|s| matches!(s.status, ReportStatus::Submitted | ReportStatus::Accepted))
                .count()
        };
        let kgs: std::collections::BTreeSet<_> = running.iter().flat_map(|x| x.members()).collect();
        let districts: std::collections::BTreeSet<_> =
            running.iter().map(|x| &x.district_id).collect();
        let missing = |expected: usize, level| expected.saturating_sub(summaries(level));
        push(
            date(year, 12, 10),
            DeadlineKind::KindergartenSummaries,
            year,
            missing(kgs.len(), Level::Kindergarten),
            true,
        );
        push(
            date(year, 12, 20),
            DeadlineKind::DistrictSummaries,
            year,
            missing(districts.len(), Level::District),
            true,
        );
        push(
            date(year, 12, 31),
            DeadlineKind::CitySummary,
            year,
            missing(usize::from(!running.is_empty()), Level::City),
            true,
        );
    }
    // The next monthly report, while the programme runs (from September of
    // its first year to December of its last).
    let due_day = p.report_due_day.clamp(1, 28);
    let this_month = date(today.year(), today.month(), due_day);
    let next_due = match this_month {
        Some(d) if d >= today => Some(d),
        _ => this_month.and_then(|d| d.checked_add_months(chrono::Months::new(1))),
    };
    let runs =
        |d: NaiveDate| Some(d) >= date(p.start_year, 9, 1) && Some(d) <= date(p.end_year, 12, 31);
    if let Some(d) = next_due.filter(|d| runs(*d)) {
        out.push(Deadline {
            date: d,
            kind: DeadlineKind::MonthlyReport,
            year: d.year(),
            pending: model.districts.len(),
            overdue: false,
        });
    }
    let stale = today.checked_sub_days(Days::new(CONFIRM_WITHIN_DAYS));
    let unconfirmed = model
        .visits()
        .filter(|v| v.confirmed.is_none() && Some(v.date) < stale)
        .count();
    if let Some(s) = stale
        && unconfirmed > 0
    {
        out.push(Deadline {
            date: s,
            kind: DeadlineKind::UnconfirmedVisits,
            year: s.year(),
            pending: unconfirmed,
            overdue: true,
        });
    }
    out.sort_by_key(|a| (!a.overdue, a.date, a.kind));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn kinds(ds: &[Deadline]) -> Vec<(DeadlineKind, bool)> {
        ds.iter().map(|x| (x.kind, x.overdue)).collect()
    }

    #[test]
    fn in_late_november_the_december_summaries_and_the_monthly_report_are_coming() {
        let m = Model::new(plan::panjin().programme);
        let ds = deadlines(&m, d("2026-11-28"));
        assert_eq!(ds[0].kind, DeadlineKind::MonthlyReport);
        assert_eq!(ds[0].date, d("2026-12-20"));
        // No pairings yet: nothing to summarise, so no summary deadlines.
        assert_eq!(kinds(&ds), vec![(DeadlineKind::MonthlyReport, false)]);
    }

    #[test]
    fn before_the_20th_the_report_is_due_this_month_and_not_after_the_programme() {
        let m = Model::new(plan::panjin().programme);
        assert_eq!(deadlines(&m, d("2025-03-20"))[0].date, d("2025-03-20"));
        assert_eq!(deadlines(&m, d("2025-03-21"))[0].date, d("2025-04-20"));
        assert!(deadlines(&m, d("2027-01-05")).is_empty());
        assert!(
            deadlines(&m, d("2024-06-01")).is_empty(),
            "before September 2024"
        );
    }

    fn with_a_pairing(cohort: i32, status: AgreementStatus) -> Model {
        use crate::domain::*;
        let mut m = Model::new(plan::panjin().programme);
        let id = Id::from_random_bytes([1; 16]);
        let p = Pairing {
            id: id.clone(),
            district_id: Id::from_random_bytes([2; 16]),
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
        let ds = deadlines(&m, d("2026-11-28"));
        let k = ds
            .iter()
            .find(|x| x.kind == DeadlineKind::KindergartenSummaries)
            .expect("due");
        assert_eq!((k.date, k.pending, k.overdue), (d("2026-12-10"), 2, false));
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
        let ds = deadlines(&m, d("2026-11-28"));
        assert_eq!(
            (ds[0].kind, ds[0].overdue, ds[0].pending),
            (DeadlineKind::AgreementsFiled, true, 1)
        );
        let filed = with_a_pairing(2026, AgreementStatus::Filed);
        assert!(!deadlines(&filed, d("2026-11-28")).iter().any(|x| x.overdue));
    }

    #[test]
    fn in_late_august_the_plan_table_and_signing_window_are_announced() {
        let m = Model::new(plan::panjin().programme);
        let ds = deadlines(&m, d("2025-08-25"));
        assert!(
            ds.iter()
                .any(|x| x.kind == DeadlineKind::PlanTable && x.date == d("2025-09-05"))
        );
    }
}

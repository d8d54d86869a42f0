//! The programme's calendar (推进计划): which deadlines are coming and which
//! have passed with work undone.

use super::codes::*;
use super::model::Model;
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

/// Deadlines overdue (with work undone) and those due within
/// [`LOOKAHEAD_DAYS`], overdue first, then by date.
pub fn deadlines(model: &Model, today: NaiveDate) -> Vec<Deadline> {
    let p = &model.programme;
    let horizon = today + Days::new(LOOKAHEAD_DAYS);
    let mut out: Vec<Deadline> = (p.start_year..=p.end_year)
        .flat_map(|year| dues_of_year(model, year))
        .filter_map(|d| d.shown(today, horizon))
        .collect();
    out.extend(monthly_deadlines(model, today, horizon));
    out.extend(unconfirmed_visits(model, today));
    out.sort_by_key(|a| (!a.overdue, a.date, a.kind));
    out
}

/// A year's agreement and summary deadlines, with what is still open.
fn dues_of_year(model: &Model, year: i32) -> Vec<Due> {
    let cohort: Vec<_> = model.pairings().filter(|x| x.cohort == year).collect();
    let open = |f: &dyn Fn(&&Pairing) -> bool| cohort.iter().filter(|x| f(x)).count();
    let due = |date, kind, pending, needs_work| Due {
        date,
        kind,
        year,
        pending,
        needs_work,
    };
    let mut out = vec![
        // The plan table is announced only before it is due.
        due(date(year, 9, 5), DeadlineKind::PlanTable, 0, false),
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
    // December summaries: one per kindergarten in a pairing still running
    // in December, one per district with such pairings, one for the city;
    // pending are those not in yet.
    for (level, kind) in [
        (Level::Kindergarten, DeadlineKind::KindergartenSummaries),
        (Level::District, DeadlineKind::DistrictSummaries),
        (Level::City, DeadlineKind::CitySummary),
    ] {
        let pending = reports::summary_subjects(model, year, level)
            .into_iter()
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

/// Monthly reports: the last one due, while districts have not sent it,
/// and the next one (by `horizon`).
fn monthly_deadlines(model: &Model, today: NaiveDate, horizon: NaiveDate) -> Vec<Deadline> {
    let p = &model.programme;
    let months = reports::report_months(p);
    let not_in = |month: reports::YearMonth| {
        model
            .districts
            .keys()
            .filter(|d| {
                let key = reports::ReportKey::Monthly {
                    district: (*d).clone(),
                    month,
                };
                key.workflow(model)
                    .is_none_or(|w| w.first_submitted.is_none())
            })
            .count()
    };
    let due = |m: reports::YearMonth| reports::monthly_period(p, m).map(|x| x.due);
    let mut out = Vec::new();
    let last_due = months
        .iter()
        .rev()
        .find(|m| due(**m).is_some_and(|d| d < today));
    if let Some(m) = last_due {
        let last = Due {
            date: due(*m),
            kind: DeadlineKind::MonthlyReport,
            year: m.year,
            pending: not_in(*m),
            needs_work: true,
        };
        out.extend(last.shown(today, horizon));
    }
    let next = months.iter().find(|m| due(**m).is_some_and(|d| d >= today));
    if let Some(m) = next
        && let Some(d) = due(*m)
        && d <= horizon
    {
        out.push(Deadline {
            date: d,
            kind: DeadlineKind::MonthlyReport,
            year: m.year,
            pending: not_in(*m),
            overdue: false,
        });
    }
    out
}

/// Visits unconfirmed for longer than [`CONFIRM_WITHIN_DAYS`], if any.
fn unconfirmed_visits(model: &Model, today: NaiveDate) -> Option<Deadline> {
    let stale = today.checked_sub_days(Days::new(CONFIRM_WITHIN_DAYS))?;
    let unconfirmed = model
        .visits()
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

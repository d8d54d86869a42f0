//! What is expected of whom, where each report stands, and how timely
//! each level's reports were.

use super::*;

/// Who owes an annual summary for `year` at `level`: kindergartens in a
/// pairing still running in December, districts with such pairings, and
/// the city when there is any.
pub fn summary_subjects(model: &Model, year: i32, level: Level) -> Vec<Option<Id>> {
    let Some(december) = NaiveDate::from_ymd_opt(year, 12, 1) else {
        return Vec::new();
    };
    let running: Vec<&Pairing> = model
        .pairings()
        .filter(|p| p.cohort <= year && p.agreement.end >= december)
        .collect();
    match level {
        Level::Kindergarten => running
            .iter()
            .flat_map(|p| p.members())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|k| Some(k.clone()))
            .collect(),
        Level::District => running
            .iter()
            .map(|p| &p.district_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|d| Some(d.clone()))
            .collect(),
        Level::City => {
            if running.is_empty() {
                Vec::new()
            } else {
                vec![None]
            }
        }
    }
}

/// Whether `district` owes the monthly report of `month`: a pairing kept
/// in its document had a signed agreement running in the report's period.
/// A district with nothing running has nothing to report, so a new
/// workspace owes nothing for the months before its first agreement.
pub fn owes_monthly(model: &Model, district: &Id, month: YearMonth) -> bool {
    let Some(period) = monthly_period(&model.programme, month) else {
        return false;
    };
    model.data.get(district).is_some_and(|data| {
        data.pairings.values().any(|p| {
            p.agreement.status != AgreementStatus::Draft
                && p.agreement.start <= period.to
                && p.agreement.end >= period.from
        })
    })
}

/// Where one expected report stands against its due day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Not due yet (or not owed at all: a month no agreement of its
    /// district ran in) and not in.
    NotDue,
    /// In, first submitted on the day given, on or before the due day.
    OnTime(NaiveDate),
    /// In, first submitted after the due day.
    Late(NaiveDate),
    /// Due and not in.
    Missing,
}

impl Standing {
    pub fn code(self) -> &'static str {
        match self {
            Standing::NotDue => "not_due",
            Standing::OnTime(_) => "on_time",
            Standing::Late(_) => "late",
            Standing::Missing => "missing",
        }
    }
}

/// Whether a report is owed at all: a monthly report by the rule of
/// [`owes_monthly`] (the one the overview's deadlines follow); a summary
/// by those [`summary_subjects`] names.
fn owed(model: &Model, key: &ReportKey) -> bool {
    match key {
        ReportKey::Monthly { district, month } => owes_monthly(model, district, *month),
        ReportKey::Annual { .. } => true,
    }
}

/// Whether a report is owed and not in (never submitted): what deadlines
/// count and what is missing once its due day has passed.
pub fn pending(model: &Model, key: &ReportKey) -> bool {
    owed(model, key)
        && key
            .workflow(model)
            .is_none_or(|w| w.first_submitted.is_none())
}

/// The standing of a report as of `today`: a report not owed is never
/// missing.
pub fn standing(model: &Model, key: &ReportKey, today: NaiveDate) -> Standing {
    let due = key.due_in(model);
    let first = key
        .workflow(model)
        .and_then(|w| w.first_submitted.as_ref())
        .map(|s| s.on);
    match (first, due) {
        (Some(on), Some(due)) if on <= due => Standing::OnTime(on),
        (Some(on), _) => Standing::Late(on),
        (None, Some(due)) if due < today && pending(model, key) => Standing::Missing,
        (None, _) => Standing::NotDue,
    }
}

/// Expected, submitted and on time, over some reports (应报、已报、按时).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rate {
    /// Reports whose due day has come (or that are in early).
    pub expected: usize,
    pub submitted: usize,
    pub on_time: usize,
}

impl Rate {
    fn add(&mut self, s: Standing) {
        match s {
            Standing::NotDue => return,
            Standing::OnTime(_) => {
                self.submitted += 1;
                self.on_time += 1;
            }
            Standing::Late(_) => self.submitted += 1,
            Standing::Missing => {}
        }
        self.expected += 1;
    }

    /// On time, in percent of expected.
    pub fn on_time_percent(&self) -> Option<f64> {
        (self.expected > 0).then(|| self.on_time as f64 * 100.0 / self.expected as f64)
    }
}

/// One district's monthly reports of a year.
#[derive(Debug, Clone, PartialEq)]
pub struct DistrictTimeliness {
    pub district_id: Id,
    pub name: String,
    pub months: Vec<(YearMonth, Standing)>,
    pub rate: Rate,
}

/// The timeliness of a year (报送及时率): each district's monthly reports
/// month by month, and the annual summaries of each level.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeliness {
    pub year: i32,
    pub months: Vec<YearMonth>,
    pub districts: Vec<DistrictTimeliness>,
    /// All districts' monthly reports.
    pub monthly: Rate,
    pub summaries: Vec<(Level, Rate)>,
}

pub fn timeliness(model: &Model, year: i32, today: NaiveDate) -> Timeliness {
    let months: Vec<YearMonth> = report_months(&model.programme)
        .into_iter()
        .filter(|m| m.year == year)
        .collect();
    let mut monthly = Rate::default();
    let districts = model
        .districts_in_order()
        .into_iter()
        .map(|d| {
            let mut rate = Rate::default();
            let cells = months
                .iter()
                .map(|m| {
                    let key = ReportKey::Monthly {
                        district: d.id.clone(),
                        month: *m,
                    };
                    let s = standing(model, &key, today);
                    rate.add(s);
                    monthly.add(s);
                    (*m, s)
                })
                .collect();
            DistrictTimeliness {
                district_id: d.id.clone(),
                name: d.name.clone(),
                months: cells,
                rate,
            }
        })
        .collect();
    let summaries = Level::ALL
        .iter()
        .map(|level| {
            let mut rate = Rate::default();
            for subject in summary_subjects(model, year, *level) {
                let key = ReportKey::Annual {
                    level: *level,
                    subject,
                    year,
                };
                rate.add(standing(model, &key, today));
            }
            (*level, rate)
        })
        .collect();
    Timeliness {
        year,
        months,
        districts,
        monthly,
        summaries,
    }
}

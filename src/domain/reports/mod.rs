//! Reports that run the programme (报表与总结): which reports are expected
//! when, what period each covers, who writes, who accepts, and whether they
//! came in on time. Pure, like the rest of the domain.

use super::access::Member;
use super::authz;
use super::codes::*;
use super::figures::{self, Scope};
use super::id::Id;
use super::model::Model;
use super::records::*;
use super::rules::{Problem, ProblemKind};
use chrono::{Datelike, Days, Months, NaiveDate};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fmt;

mod listing;
mod timeliness;
mod workflow;

pub use listing::*;
pub use timeliness::*;
pub use workflow::*;

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

impl YearMonth {
    /// Reads `2024-10` (or `2024-9`).
    pub fn parse(s: &str) -> Option<YearMonth> {
        let (y, m) = s.trim().split_once('-')?;
        let ym = YearMonth {
            year: y.trim().parse().ok()?,
            month: m.trim().parse().ok()?,
        };
        ym.first_day().map(|_| ym)
    }

    pub fn of(d: NaiveDate) -> YearMonth {
        YearMonth {
            year: d.year(),
            month: d.month(),
        }
    }

    pub fn first_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
    }

    /// Day `day` of this month, or its last day when the month is shorter.
    pub fn day(self, day: u32) -> Option<NaiveDate> {
        let first = self.first_day()?;
        let last = first.checked_add_months(Months::new(1))? - Days::new(1);
        NaiveDate::from_ymd_opt(self.year, self.month, day.clamp(1, last.day()))
    }

    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn previous(self) -> YearMonth {
        if self.month == 1 {
            YearMonth {
                year: self.year - 1,
                month: 12,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month - 1,
            }
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The days a monthly report covers and the day it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub due: NaiveDate,
}

/// The period of the report due in `month`: by default from the 20th of the
/// month before to the 19th of `month`, due on the 20th of `month`.
pub fn monthly_period(p: &Programme, month: YearMonth) -> Option<Period> {
    let start = p.period_start_day.clamp(1, 28);
    let from = month.previous().day(start)?;
    let to = month.day(start)? - Days::new(1);
    let due = month.day(p.report_due_day.clamp(1, 31))?;
    Some(Period { from, to, due })
}

/// The months a monthly report is due in: from September of the
/// programme's first year to December of its last (每月20日前报送).
pub fn report_months(p: &Programme) -> Vec<YearMonth> {
    let mut out = Vec::new();
    let mut m = YearMonth {
        year: p.start_year,
        month: 9,
    };
    let last = YearMonth {
        year: p.end_year,
        month: 12,
    };
    while m <= last {
        out.push(m);
        m = m.next();
    }
    out
}

/// One report, whether anyone has started it or not.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReportKey {
    /// A district's monthly report (月报表).
    Monthly { district: Id, month: YearMonth },
    /// An annual summary (年度总结); the subject is the kindergarten or the
    /// district, none for the city.
    Annual {
        level: Level,
        subject: Option<Id>,
        year: i32,
    },
}

impl ReportKey {
    /// The record id: the same on every device, so a report started on
    /// two machines is one record once they sync.
    pub fn id(&self) -> Id {
        let name = match self {
            ReportKey::Monthly { district, month } => format!("monthly/{district}/{month}"),
            ReportKey::Annual {
                level,
                subject,
                year,
            } => format!(
                "annual/{}/{}/{year}",
                level.code(),
                subject.as_ref().map(Id::as_str).unwrap_or("city")
            ),
        };
        let digest = Sha256::digest(name.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        Id::from_random_bytes(bytes)
    }

    /// The level that writes it.
    pub fn level(&self) -> Level {
        match self {
            ReportKey::Monthly { .. } => Level::District,
            ReportKey::Annual { level, .. } => *level,
        }
    }

    /// The district document it lives in; none for the city's summary
    /// (kept in the programme document).
    pub fn home(&self, model: &Model) -> Option<Id> {
        match self {
            ReportKey::Monthly { district, .. } => Some(district.clone()),
            ReportKey::Annual {
                level: Level::Kindergarten,
                subject,
                ..
            } => subject
                .as_ref()
                .and_then(|k| model.kindergarten(k))
                .map(|k| k.district_id.clone()),
            ReportKey::Annual {
                level: Level::District,
                subject,
                ..
            } => subject.clone(),
            ReportKey::Annual {
                level: Level::City, ..
            } => None,
        }
    }

    /// The day it is due: as stored when the report was started, else as
    /// the programme's settings say now.
    pub fn due_in(&self, model: &Model) -> Option<NaiveDate> {
        let id = self.id();
        let stored = match self {
            ReportKey::Monthly { .. } => monthly(model, &id).map(|r| r.due),
            ReportKey::Annual { .. } => annual(model, &id).map(|s| s.due),
        };
        stored.or_else(|| self.due(&model.programme))
    }

    /// The day it is due by the programme's settings.
    pub fn due(&self, p: &Programme) -> Option<NaiveDate> {
        match self {
            ReportKey::Monthly { month, .. } => monthly_period(p, *month).map(|x| x.due),
            ReportKey::Annual { level, year, .. } => p.summary_due.of(*level).in_year(*year),
        }
    }

    /// Whose work its figures count.
    pub fn scope(&self) -> Scope {
        match self {
            ReportKey::Monthly { district, .. } => Scope::District(district.clone()),
            ReportKey::Annual {
                subject: Some(s),
                level: Level::Kindergarten,
                ..
            } => Scope::Kindergarten(s.clone()),
            ReportKey::Annual {
                subject: Some(s),
                level: Level::District,
                ..
            } => Scope::District(s.clone()),
            ReportKey::Annual { .. } => Scope::City,
        }
    }

    /// Its title's subject: the district's, the kindergarten's name, or the
    /// city's.
    pub fn subject_name(&self, model: &Model) -> String {
        match self {
            ReportKey::Monthly { district, .. } => model.district_name(district),
            ReportKey::Annual {
                subject: Some(s),
                level: Level::Kindergarten,
                ..
            } => model.kindergarten_name(s),
            ReportKey::Annual {
                subject: Some(s), ..
            } => model.district_name(s),
            ReportKey::Annual { .. } => model.programme.city.clone(),
        }
    }

    /// The report's workflow, if someone has started it.
    pub fn workflow<'m>(&self, model: &'m Model) -> Option<&'m Workflow> {
        let id = self.id();
        match self {
            ReportKey::Monthly { district, .. } => model
                .data
                .get(district)
                .and_then(|d| d.monthly_reports.get(&id))
                .map(|r| &r.workflow),
            ReportKey::Annual { .. } => annual(model, &id).map(|s| &s.workflow),
        }
    }

    /// The key of a stored monthly report.
    pub fn of_monthly(r: &MonthlyReport) -> Option<ReportKey> {
        Some(ReportKey::Monthly {
            district: r.district_id.clone(),
            month: YearMonth::parse(&r.month)?,
        })
    }

    pub fn of_annual(s: &AnnualSummary) -> ReportKey {
        ReportKey::Annual {
            level: s.level,
            subject: s.subject_id.clone(),
            year: s.year,
        }
    }
}

/// A stored annual summary, wherever it lives.
pub fn annual<'m>(model: &'m Model, id: &Id) -> Option<&'m AnnualSummary> {
    model
        .city_summaries
        .get(id)
        .or_else(|| model.data.values().find_map(|d| d.annual_summaries.get(id)))
}

/// A stored monthly report.
pub fn monthly<'m>(model: &'m Model, id: &Id) -> Option<&'m MonthlyReport> {
    model.data.values().find_map(|d| d.monthly_reports.get(id))
}

/// The sections people write (叙述部分), in the order of the form.
pub fn sections(level_of: &ReportKey) -> &'static [Section] {
    match level_of {
        ReportKey::Monthly { .. } => &[
            Section::Progress,
            Section::Problems,
            Section::Practices,
            Section::Cases,
        ],
        ReportKey::Annual { .. } => &[
            Section::Progress,
            Section::Results,
            Section::Problems,
            Section::Plan,
        ],
    }
}

/// A report's written sections, by name.
pub trait Written {
    fn parts(&self) -> [(Section, &String); 4];
    fn parts_mut(&mut self) -> [(Section, &mut String); 4];

    /// Adds below each section the text another start of this report holds
    /// and this one lacks (two devices started it before either had the
    /// other's start); true if anything was added. Merging twice adds
    /// nothing more.
    fn merge_start(&mut self, other: &Self) -> bool {
        let theirs = other.parts();
        let mut gained = false;
        for ((_, mine), (_, their)) in self.parts_mut().into_iter().zip(theirs) {
            let add = their.trim();
            if add.is_empty() || mine.contains(add) {
                continue;
            }
            if !mine.trim().is_empty() {
                mine.push('\n');
            }
            mine.push_str(add);
            gained = true;
        }
        gained
    }

    /// A section's text; none if this kind of report has no such section.
    fn text(&self, s: Section) -> Option<&str> {
        self.parts()
            .into_iter()
            .find(|(x, _)| *x == s)
            .map(|(_, t)| t.as_str())
    }

    /// Sets a section; false if this kind of report has no such section.
    fn set_text(&mut self, s: Section, text: String) -> bool {
        match self.parts_mut().into_iter().find(|(x, _)| *x == s) {
            Some((_, slot)) => {
                *slot = text;
                true
            }
            None => false,
        }
    }
}

impl Written for MonthlyReport {
    fn parts(&self) -> [(Section, &String); 4] {
        [
            (Section::Progress, &self.progress),
            (Section::Problems, &self.problems),
            (Section::Practices, &self.practices),
            (Section::Cases, &self.cases),
        ]
    }
    fn parts_mut(&mut self) -> [(Section, &mut String); 4] {
        [
            (Section::Progress, &mut self.progress),
            (Section::Problems, &mut self.problems),
            (Section::Practices, &mut self.practices),
            (Section::Cases, &mut self.cases),
        ]
    }
}

impl Written for AnnualSummary {
    fn parts(&self) -> [(Section, &String); 4] {
        [
            (Section::Progress, &self.progress),
            (Section::Results, &self.results),
            (Section::Problems, &self.problems),
            (Section::Plan, &self.plan),
        ]
    }
    fn parts_mut(&mut self) -> [(Section, &mut String); 4] {
        [
            (Section::Progress, &mut self.progress),
            (Section::Results, &mut self.results),
            (Section::Problems, &mut self.problems),
            (Section::Plan, &mut self.plan),
        ]
    }
}

/// A monthly report not started yet: the period as the settings say today.
pub fn new_monthly(model: &Model, district: &Id, month: YearMonth) -> Option<MonthlyReport> {
    let period = monthly_period(&model.programme, month)?;
    let key = ReportKey::Monthly {
        district: district.clone(),
        month,
    };
    Some(MonthlyReport {
        id: key.id(),
        district_id: district.clone(),
        month: month.to_string(),
        from: period.from,
        to: period.to,
        due: period.due,
        workflow: Workflow::default(),
        progress: String::new(),
        problems: String::new(),
        practices: String::new(),
        cases: String::new(),
        figures: None,
    })
}

/// An annual summary not started yet.
pub fn new_annual(
    model: &Model,
    level: Level,
    subject: Option<Id>,
    year: i32,
) -> Option<AnnualSummary> {
    let key = ReportKey::Annual {
        level,
        subject: subject.clone(),
        year,
    };
    Some(AnnualSummary {
        id: key.id(),
        level,
        subject_id: subject,
        year,
        due: key.due(&model.programme)?,
        workflow: Workflow::default(),
        progress: String::new(),
        results: String::new(),
        problems: String::new(),
        plan: String::new(),
        stats: None,
    })
}

/// The visits a report covers (its scope and period), oldest first: those
/// whose evidence goes into its annex.
pub fn visits_of<'a>(model: &'a Model, key: &ReportKey) -> Vec<&'a Visit> {
    let period = match key {
        ReportKey::Monthly { month, .. } => {
            monthly_period(&model.programme, *month).map(|p| (p.from, p.to))
        }
        ReportKey::Annual { year, .. } => {
            NaiveDate::from_ymd_opt(*year, 1, 1).zip(NaiveDate::from_ymd_opt(*year, 12, 31))
        }
    };
    match period {
        Some((from, to)) => figures::visits_in(model, &key.scope(), from, to),
        None => Vec::new(),
    }
}

/// The figures of a monthly report: as submitted, or compiled now.
pub fn monthly_figures(model: &Model, r: &MonthlyReport) -> figures::Figures {
    r.figures.clone().unwrap_or_else(|| {
        figures::compile(model, &Scope::District(r.district_id.clone()), r.from, r.to)
    })
}

/// The statistics block of an annual summary as of `today`.
pub fn annual_stats(model: &Model, key: &ReportKey, today: NaiveDate) -> Option<AnnualStats> {
    let ReportKey::Annual {
        level,
        subject,
        year,
    } = key
    else {
        return None;
    };
    let from = NaiveDate::from_ymd_opt(*year, 1, 1)?;
    let to = NaiveDate::from_ymd_opt(*year, 12, 31)?;
    let status = super::plan::year_status(model, *year, &super::reach::Reach::City);
    let (target, paired) = match (level, subject) {
        (Level::District, Some(d)) => {
            let row = status.districts.iter().find(|x| &x.district_id == d);
            (
                row.and_then(|r| r.target.as_ref())
                    .map(|t| (t.helpers, t.helped)),
                row.map(|r| (r.actual_helpers, r.actual_helped)),
            )
        }
        (Level::City, _) => {
            let sum = |f: fn(&PlanTarget) -> i64| {
                status
                    .districts
                    .iter()
                    .filter_map(|d| d.target.as_ref())
                    .map(f)
                    .sum::<i64>()
            };
            let any = status.districts.iter().any(|d| d.target.is_some());
            (
                any.then(|| (sum(|t| t.helpers), sum(|t| t.helped))),
                Some((
                    status.districts.iter().map(|d| d.actual_helpers).sum(),
                    status.districts.iter().map(|d| d.actual_helped).sum(),
                )),
            )
        }
        _ => (None, None),
    };
    Some(AnnualStats {
        refreshed_on: today,
        figures: figures::compile(model, &key.scope(), from, to),
        target,
        paired,
    })
}

/// A stored report of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Monthly(MonthlyReport),
    Annual(AnnualSummary),
}

impl Report {
    /// The report as stored, or a new one for its key.
    pub fn get_or_new(model: &Model, key: &ReportKey) -> Option<Report> {
        let id = key.id();
        match key {
            ReportKey::Monthly { district, month } => monthly(model, &id)
                .cloned()
                .or_else(|| new_monthly(model, district, *month))
                .map(Report::Monthly),
            ReportKey::Annual {
                level,
                subject,
                year,
            } => annual(model, &id)
                .cloned()
                .or_else(|| new_annual(model, *level, subject.clone(), *year))
                .map(Report::Annual),
        }
    }

    pub fn workflow(&self) -> &Workflow {
        match self {
            Report::Monthly(r) => &r.workflow,
            Report::Annual(s) => &s.workflow,
        }
    }

    pub fn workflow_mut(&mut self) -> &mut Workflow {
        match self {
            Report::Monthly(r) => &mut r.workflow,
            Report::Annual(s) => &mut s.workflow,
        }
    }

    pub fn text(&self, s: Section) -> Option<&str> {
        match self {
            Report::Monthly(r) => r.text(s),
            Report::Annual(a) => a.text(s),
        }
    }

    pub fn set_text(&mut self, s: Section, text: String) -> bool {
        match self {
            Report::Monthly(r) => r.set_text(s, text),
            Report::Annual(a) => a.set_text(s, text),
        }
    }

    pub fn id(&self) -> &Id {
        match self {
            Report::Monthly(r) => &r.id,
            Report::Annual(s) => &s.id,
        }
    }
}

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
    let status = super::plan::year_status(model, *year);
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

// ---------- who writes, who accepts ----------

/// Whether `m` may write and submit the report: its own level, or a
/// bureau above it (a district bureau for its kindergartens, the city for
/// all). The matrix's `WriteReport` cell (`authz.rs`).
pub fn may_write(model: &Model, m: &Member, key: &ReportKey) -> bool {
    authz::allowed(
        m,
        authz::Write::WriteReport,
        &authz::Target::report(key, key.home(model)),
    )
}

/// Whether `m` may accept or return the report: the level above it (the
/// district bureau for a kindergarten's summary, the city for a district's
/// reports). The city's summary goes to nobody.
pub fn may_review(model: &Model, m: &Member, key: &ReportKey) -> bool {
    key.level() != Level::City
        && authz::allowed(
            m,
            authz::Write::AcceptReport,
            &authz::Target::report(key, key.home(model)),
        )
}

/// Whether `m`, of the level a submitted report goes to, opens it for the
/// first time since it came in: the day is then noted as "first seen".
pub fn unseen_by(model: &Model, m: &Member, key: &ReportKey) -> bool {
    may_review(model, m, key)
        && key
            .workflow(model)
            .is_some_and(|w| w.status == ReportStatus::Submitted && !w.seen.contains_key(&m.id))
}

fn refuse(field: &'static str, kind: ProblemKind) -> Vec<Problem> {
    vec![Problem { field, kind }]
}

/// The report as a permission target, with its kind and id for messages.
fn report_target(model: &Model, key: &ReportKey) -> authz::Target {
    authz::Target::report(key, key.home(model))
}

fn report_entity(key: &ReportKey) -> super::model::Entity {
    match key {
        ReportKey::Monthly { .. } => super::model::Entity::MonthlyReport,
        ReportKey::Annual { .. } => super::model::Entity::AnnualSummary,
    }
}

/// May `m` change the sections of this report now?
pub fn check_edit(model: &Model, m: Option<&Member>, key: &ReportKey) -> Vec<Problem> {
    let id = key.id();
    let denied = authz::check(
        m,
        authz::Write::WriteReport,
        &report_target(model, key),
        Some((report_entity(key), &id)),
    );
    if !denied.is_empty() {
        return denied;
    }
    match key.workflow(model) {
        Some(w) if w.locked() => refuse("report", ProblemKind::ReportLocked { status: w.status }),
        _ => Vec::new(),
    }
}

/// May `m` submit this report now, with these sections?
pub fn check_submit(
    model: &Model,
    m: Option<&Member>,
    key: &ReportKey,
    texts: &[(Section, &str)],
    today: NaiveDate,
) -> Vec<Problem> {
    let mut out = check_edit(model, m, key);
    if !out.is_empty() {
        return out;
    }
    if let ReportKey::Monthly { month, .. } = key
        && let Some(p) = monthly_period(&model.programme, *month)
        && p.from > today
    {
        out.push(Problem {
            field: "month",
            kind: ProblemKind::PeriodNotStarted { from: p.from },
        });
    }
    // A monthly report needs at least its progress; a summary all four.
    for (s, text) in texts {
        let needed = matches!(key, ReportKey::Annual { .. }) || *s == Section::Progress;
        if needed && text.trim().is_empty() {
            out.push(Problem {
                field: s.code(),
                kind: ProblemKind::Required,
            });
        }
    }
    out
}

/// May `m` accept (or, `accept` false, return) this report now?
pub fn check_review(
    model: &Model,
    m: Option<&Member>,
    key: &ReportKey,
    accept: bool,
) -> Vec<Problem> {
    if matches!(
        key,
        ReportKey::Annual {
            level: Level::City,
            ..
        }
    ) {
        return refuse("report", ProblemKind::NothingAbove);
    }
    let write = if accept {
        authz::Write::AcceptReport
    } else {
        authz::Write::ReturnReport
    };
    let id = key.id();
    let denied = authz::check(
        m,
        write,
        &report_target(model, key),
        Some((report_entity(key), &id)),
    );
    if !denied.is_empty() {
        return denied;
    }
    match key.workflow(model).map(|w| w.status) {
        Some(ReportStatus::Submitted) => Vec::new(),
        status => refuse(
            "report",
            ProblemKind::NotSubmitted {
                status: status.unwrap_or_default(),
            },
        ),
    }
}

// ---------- what is expected, and timeliness ----------

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

/// Where one expected report stands against its due day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Not due yet and not in.
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

/// The standing of a report as of `today`.
pub fn standing(model: &Model, key: &ReportKey, today: NaiveDate) -> Standing {
    let due = key.due_in(model);
    let first = key
        .workflow(model)
        .and_then(|w| w.first_submitted.as_ref())
        .map(|s| s.on);
    match (first, due) {
        (Some(on), Some(due)) if on <= due => Standing::OnTime(on),
        (Some(on), _) => Standing::Late(on),
        (None, Some(due)) if due < today => Standing::Missing,
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

/// A report as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub key: ReportKey,
    pub due: NaiveDate,
    pub status: Option<ReportStatus>,
    pub standing: Standing,
    /// This member may write and submit it now.
    pub to_write: bool,
    /// It is this member's own to write (its level's), and not in.
    pub yours: bool,
    /// This member may accept or return it now.
    pub to_review: bool,
}

/// The reports a member sees, due up to `LIST_AHEAD_DAYS` from today:
/// those it must accept or return first, then its own to write, then the
/// rest, newest due first in each. Which reports: a kindergarten its
/// own summaries; a district bureau its district's reports and its
/// kindergartens' summaries; the city, inspectors and viewers every report
/// they may read.
pub fn listed(model: &Model, m: Option<&Member>, today: NaiveDate) -> Vec<Listed> {
    let readable = match m {
        Some(m) if m.role == MemberRole::DistrictAdmin => m.district.iter().cloned().collect(),
        Some(m) => super::access::readable_districts(model, m),
        None => model.districts.keys().cloned().collect(),
    };
    let concerns = |key: &ReportKey| match m {
        Some(m) if m.role == MemberRole::Kindergarten => own(m, key),
        _ => true,
    };
    let horizon = today + Days::new(LIST_AHEAD_DAYS);
    let mut keys = Vec::new();
    for month in report_months(&model.programme) {
        for d in model.districts_in_order() {
            if readable.contains(&d.id) {
                keys.push(ReportKey::Monthly {
                    district: d.id.clone(),
                    month,
                });
            }
        }
    }
    for year in model.programme.start_year..=model.programme.end_year {
        for level in Level::ALL {
            for subject in summary_subjects(model, year, *level) {
                let key = ReportKey::Annual {
                    level: *level,
                    subject,
                    year,
                };
                let visible = match key.home(model) {
                    Some(d) => readable.contains(&d),
                    None => true,
                };
                if visible {
                    keys.push(key);
                }
            }
        }
    }
    let mut out: Vec<Listed> = keys
        .into_iter()
        .filter(|key| concerns(key))
        .filter_map(|key| {
            let due = key.due_in(model)?;
            if due > horizon {
                return None;
            }
            let w = key.workflow(model);
            let locked = w.is_some_and(|w| w.locked());
            let status = w.map(|w| w.status);
            let to_write = !locked && m.is_some_and(|m| may_write(model, m, &key));
            let to_review = status == Some(ReportStatus::Submitted)
                && m.is_some_and(|m| may_review(model, m, &key));
            let yours = !locked && m.is_some_and(|m| own(m, &key));
            Some(Listed {
                yours,
                standing: standing(model, &key, today),
                key,
                due,
                status,
                to_write,
                to_review,
            })
        })
        .collect();
    // Others waiting on this member first, then its own to write, then
    // the rest; newest first within each.
    out.sort_by(|a, b| {
        let rank = |l: &Listed| (!l.to_review, !l.yours, std::cmp::Reverse(l.due));
        (rank(a), &a.key).cmp(&(rank(b), &b.key))
    });
    out
}

/// Whether the report is written at the member's own level: the city's
/// summary for a city admin, its district's reports for a district admin,
/// its own summary for a kindergarten.
pub fn own(m: &Member, key: &ReportKey) -> bool {
    match (m.role, key) {
        (MemberRole::CityAdmin, ReportKey::Annual { level, .. }) => *level == Level::City,
        (MemberRole::DistrictAdmin, ReportKey::Monthly { district, .. }) => {
            m.district.as_ref() == Some(district)
        }
        (
            MemberRole::DistrictAdmin,
            ReportKey::Annual {
                level: Level::District,
                subject,
                ..
            },
        ) => m.district.is_some() && m.district == *subject,
        (
            MemberRole::Kindergarten,
            ReportKey::Annual {
                level: Level::Kindergarten,
                subject,
                ..
            },
        ) => m.kindergarten.is_some() && m.kindergarten == *subject,
        _ => false,
    }
}

/// How far ahead the reports list shows what is coming.
pub const LIST_AHEAD_DAYS: u64 = 45;

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

//! The programme's records, in its own words.

use super::codes::*;
use super::id::Id;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The programme (帮扶工作方案): one city, one cycle of years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Programme {
    /// e.g. 盘锦市农村幼儿园帮扶工作
    pub name: String,
    /// e.g. 盘锦市
    pub city: String,
    pub start_year: i32,
    pub end_year: i32,
    /// Day of the month by which districts send the monthly report (月报表), 20.
    pub report_due_day: u32,
    /// First day of a monthly report's period, in the month before the one
    /// it is due in; the period ends the day before this day of the due
    /// month. 20: from the 20th of M−1 to the 19th of M.
    pub period_start_day: u32,
    /// When the annual summaries are due (年度总结): kindergartens in early
    /// December, districts mid December, the city late December.
    pub summary_due: SummaryDue,
}

/// A day of the year without the year: `12-10`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

impl MonthDay {
    /// Reads `MM-DD` (`12-10`, `12-1`); `None` unless it is a day of every
    /// year (29 February is not).
    pub fn parse(s: &str) -> Option<MonthDay> {
        let (m, d) = s.trim().split_once('-')?;
        let md = MonthDay {
            month: m.trim().parse().ok()?,
            day: d.trim().parse().ok()?,
        };
        NaiveDate::from_ymd_opt(2023, md.month, md.day).map(|_| md)
    }

    /// This day in `year`.
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
    }
}

impl std::fmt::Display for MonthDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

/// Due days of the annual summaries, one per level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryDue {
    pub kindergarten: MonthDay,
    pub district: MonthDay,
    pub city: MonthDay,
}

impl Default for SummaryDue {
    /// The notice's 12月上旬 / 中旬 / 下旬, as their last days.
    fn default() -> SummaryDue {
        SummaryDue {
            kindergarten: MonthDay { month: 12, day: 10 },
            district: MonthDay { month: 12, day: 20 },
            city: MonthDay { month: 12, day: 31 },
        }
    }
}

impl SummaryDue {
    pub fn of(&self, level: Level) -> MonthDay {
        match level {
            Level::Kindergarten => self.kindergarten,
            Level::District => self.district,
            Level::City => self.city,
        }
    }
}

/// A county or district (县区) and the towns (镇) in it. Districts are data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct District {
    pub id: Id,
    pub name: String,
    /// Where it comes in lists: the notice's order (盘山县, 双台子区, 大洼区 …).
    pub position: i64,
    /// Town names, sorted; kept up to date as kindergartens are added.
    pub towns: Vec<String>,
    /// The names of its kindergartens (名录), kept up to date as they are
    /// saved: every device holds the programme document, so a record of a
    /// district whose document it lacks still names them.
    #[serde(default)]
    pub directory: std::collections::BTreeMap<Id, String>,
}

/// The city-wide plan of one year (年度目标): the stated total of kindergartens
/// in pairs and the share of rural kindergartens that should take part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearPlan {
    pub year: i32,
    /// 全市规划参与帮扶结对的幼儿园共 N 所
    pub stated_total: Option<i64>,
    /// 农村幼儿园帮扶参与占比达 P%
    pub target_share_percent: Option<i64>,
}

/// One district's target for one year (年度目标): how many helper (帮扶) and
/// helped (被帮扶) kindergartens it plans to pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanTarget {
    pub year: i32,
    pub district_id: Id,
    pub helpers: i64,
    pub helped: i64,
}

/// A kindergarten (幼儿园).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kindergarten {
    pub id: Id,
    pub name: String,
    pub district_id: Id,
    /// 乡镇 (may be empty for urban kindergartens)
    pub town: String,
    /// 村 (empty unless a village kindergarten or point)
    pub village: String,
    pub ownership: Ownership,
    pub category: Category,
    /// 星级 1–5, if rated
    pub stars: Option<i64>,
    /// 农村幼儿园
    pub rural: bool,
    /// 幼儿数
    pub children: i64,
    /// 教师数
    pub teachers: i64,
    /// 联系人
    pub contact: String,
    /// 联系电话
    pub phone: String,
}

/// A dated signature or confirmation (签字/确认).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub by: String,
    pub on: NaiveDate,
}

/// A supervising bureau's confirmation of an agreement (主管教育局确认).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub district_id: Id,
    pub by: String,
    pub on: NaiveDate,
}

/// The agreement of a pairing (帮扶协议).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    pub status: AgreementStatus,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// 帮扶形式
    pub forms: Vec<SupportForm>,
    /// 帮扶任务
    pub tasks: Vec<Task>,
    /// 帮扶目标
    pub goals: String,
    /// 双方权利义务
    pub rights: String,
    /// 时间安排
    pub schedule: String,
    /// Fees charged, in yuan. The notice forbids any (不得收取品牌费、挂钩费): must be 0.
    pub fees: i64,
    pub signed: Option<Stamp>,
    /// One per supervising bureau, sorted by district id.
    pub confirmations: Vec<Confirmation>,
    /// 审核备案: once set, the agreement is locked.
    pub filed: Option<Stamp>,
}

/// A pairing (帮扶结对): one helper and several helped (一对多) or several
/// helpers and one helped (多对一).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pairing {
    pub id: Id,
    /// The district of the helped kindergartens: the pairing lives in its document.
    pub district_id: Id,
    /// 帮扶园
    pub helpers: Vec<Id>,
    /// 被帮扶园
    pub helped: Vec<Id>,
    /// The plan year this pairing counts towards (结对年度).
    pub cohort: i32,
    pub mode: Mode,
    pub agreement: Agreement,
}

impl Pairing {
    /// Every kindergarten of the pairing, helpers first.
    pub fn members(&self) -> impl Iterator<Item = &Id> {
        self.helpers.iter().chain(self.helped.iter())
    }
}

/// Someone who took part in a visit (参与人员).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub name: String,
    /// A [`Role`] code, or free text for other roles.
    pub role: String,
}

/// Materials donated during a visit (捐赠物资), as counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Materials {
    /// 玩教具
    pub toys: i64,
    /// 游戏材料
    pub play_materials: i64,
    /// 图画书
    pub picture_books: i64,
}

/// A support activity (帮扶活动记录): a visit, a training, an online session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub id: Id,
    pub pairing_id: Id,
    pub district_id: Id,
    pub date: NaiveDate,
    pub form: SupportForm,
    pub tasks: Vec<Task>,
    /// Where it took place: one of the pairing's kindergartens.
    pub place_id: Option<Id>,
    pub participants: Vec<Participant>,
    /// 受益教师数
    pub teachers_reached: i64,
    /// 受益幼儿数
    pub children_reached: i64,
    pub materials: Materials,
    /// 活动记录 (free text, edited together)
    pub note: String,
    /// 后续跟进
    pub follow_up: String,
    /// Confirmation by the helped side (被帮扶园确认).
    pub confirmed: Option<Stamp>,
}

impl Visit {
    /// A visit `id` of `form` on `date` for a pairing, at its first helped
    /// kindergarten, with nothing else filled in.
    pub fn of_pairing(
        id: Id,
        pairing: &Pairing,
        date: NaiveDate,
        form: SupportForm,
        note: &str,
    ) -> Visit {
        Visit {
            id,
            pairing_id: pairing.id.clone(),
            district_id: pairing.district_id.clone(),
            date,
            form,
            tasks: Vec::new(),
            place_id: pairing.helped.first().cloned(),
            participants: Vec::new(),
            teachers_reached: 0,
            children_reached: 0,
            materials: Materials::default(),
            note: note.to_string(),
            follow_up: String::new(),
            confirmed: None,
        }
    }
}

/// Scores 1–5 in the four areas (四个领域评分).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scores {
    pub philosophy: i64,
    pub care_education: i64,
    pub environment: i64,
    pub management: i64,
}

impl Scores {
    /// The mean of the four areas (in floating point: a score that came
    /// from elsewhere may be any number).
    pub fn mean(&self) -> f64 {
        let sum: f64 = Area::ALL.iter().map(|a| self.get(*a) as f64).sum();
        sum / 4.0
    }

    pub fn get(&self, area: Area) -> i64 {
        match area {
            Area::Philosophy => self.philosophy,
            Area::CareEducation => self.care_education,
            Area::Environment => self.environment,
            Area::Management => self.management,
        }
    }
}

/// An inspection by the county bureau (检查评估).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    pub id: Id,
    pub district_id: Id,
    /// The pairing inspected, if any.
    pub pairing_id: Option<Id>,
    /// The kindergarten inspected, if any (at least one of the two is set).
    pub kindergarten_id: Option<Id>,
    pub date: NaiveDate,
    pub inspector: String,
    pub scores: Scores,
    /// 发现的问题
    pub findings: String,
    /// 指导意见
    pub guidance: String,
    /// 整改期限
    pub follow_up_due: Option<NaiveDate>,
}

/// A decision of the level above on a submitted report: accepted, or
/// returned with what to change (审核意见).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub by: String,
    pub on: NaiveDate,
    pub comment: String,
}

/// Where a report stands on its way up (报送): draft → submitted (locked) →
/// accepted, or returned (unlocked again) and submitted anew.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    pub status: ReportStatus,
    /// The first submission, on the author's clock: timeliness is judged by it.
    pub first_submitted: Option<Stamp>,
    /// The latest submission.
    pub submitted: Option<Stamp>,
    /// The latest decision of the level above.
    pub reviewed: Option<Review>,
    /// The day each member of the receiving level first saw it after a
    /// submission, by endpoint id.
    pub seen: std::collections::BTreeMap<String, NaiveDate>,
}

impl Workflow {
    /// Submitted and not sent back since (so it counts as in); such a
    /// report cannot be edited.
    pub fn locked(&self) -> bool {
        matches!(
            self.status,
            ReportStatus::Submitted | ReportStatus::Accepted
        )
    }

    /// When the receiving level first saw it.
    pub fn first_seen(&self) -> Option<NaiveDate> {
        self.seen.values().min().copied()
    }

    /// Submitted for the first time on or before `due`.
    pub fn on_time(&self, due: NaiveDate) -> bool {
        self.first_submitted.as_ref().is_some_and(|s| s.on <= due)
    }
}

/// A district's monthly report to the city (月报表): the figures of its
/// period and what the bureau writes about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthlyReport {
    pub id: Id,
    pub district_id: Id,
    /// `YYYY-MM`, the month the report is due in.
    pub month: String,
    /// First and last day the report covers, and the day it is due, as the
    /// programme's settings said when it was started.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub due: NaiveDate,
    pub workflow: Workflow,
    /// 工作进展
    pub progress: String,
    /// 存在问题
    pub problems: String,
    /// 好做法
    pub practices: String,
    /// 典型事例
    pub cases: String,
    /// The figures as submitted; until then they are compiled afresh.
    pub figures: Option<super::figures::Figures>,
}

/// The generated statistics block of an annual summary (统计数据), as of
/// the day it was last refreshed. Refreshing never touches the sections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualStats {
    pub refreshed_on: NaiveDate,
    pub figures: super::figures::Figures,
    /// A district's target for the year (helpers, helped), or the sum of
    /// the districts' for the city.
    pub target: Option<(i64, i64)>,
    /// Helpers and helped of the year's pairings (district and city).
    pub paired: Option<(i64, i64)>,
}

/// An annual summary (年度帮扶工作总结) of a kindergarten, a district or the city.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualSummary {
    pub id: Id,
    pub level: Level,
    /// The kindergarten or district summarised; none for the city.
    pub subject_id: Option<Id>,
    pub year: i32,
    pub due: NaiveDate,
    pub workflow: Workflow,
    /// 进展情况
    pub progress: String,
    /// 取得的成效
    pub results: String,
    /// 存在的问题
    pub problems: String,
    /// 下一步工作计划
    pub plan: String,
    pub stats: Option<AnnualStats>,
}

/// One change to a record, as its history lists it (read from the
/// change's operations by the store).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HistoryEntry {
    /// Milliseconds since 1970, as recorded by the author's clock.
    pub time_ms: i64,
    pub person: String,
    pub device: String,
    /// The change's hash (hex).
    pub change: String,
    /// The record was created by this change.
    pub created: bool,
    /// The record was deleted by this change (删除: who and when).
    #[serde(default)]
    pub deleted: bool,
    /// Fields set or edited, sorted.
    pub fields: Vec<String>,
    pub message: Option<String>,
}

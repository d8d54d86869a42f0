//! The reports a member sees, what waits on it first.

use super::*;
use crate::domain::reach::Reach;

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
/// rest, newest due first in each. Which reports: those of the member's
/// [`Reach`] ([`in_reach`]).
pub fn listed(model: &Model, m: Option<&Member>, today: NaiveDate) -> Vec<Listed> {
    let reach = Reach::of(model, m);
    let horizon = today + Days::new(LIST_AHEAD_DAYS);
    let mut keys = Vec::new();
    for month in report_months(&model.programme) {
        for d in model.districts_in_order() {
            keys.push(ReportKey::Monthly {
                district: d.id.clone(),
                month,
            });
        }
    }
    for year in model.programme.start_year..=model.programme.end_year {
        for level in Level::ALL {
            for subject in summary_subjects(model, year, *level) {
                keys.push(ReportKey::Annual {
                    level: *level,
                    subject,
                    year,
                });
            }
        }
    }
    let mut out: Vec<Listed> = keys
        .into_iter()
        .filter(|key| in_reach(&reach, model, key))
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

/// Whether a report is of a reach's work: every report for the city; a
/// bureau's (or an inspector's) districts' monthly reports and summaries,
/// those of their kindergartens, and the city's summary; a kindergarten's
/// own summaries only.
pub fn in_reach(reach: &Reach, model: &Model, key: &ReportKey) -> bool {
    match (reach, key) {
        (Reach::Kindergarten { id, .. }, ReportKey::Annual { level, subject, .. }) => {
            *level == Level::Kindergarten && subject.as_ref() == Some(id)
        }
        (Reach::Kindergarten { .. }, ReportKey::Monthly { .. }) => false,
        _ => key.home(model).is_none_or(|d| reach.has_district(&d)),
    }
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

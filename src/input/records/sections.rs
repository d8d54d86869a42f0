//! The fields of the written sections of a report, and how they are read into a draft.

use super::*;
use crate::domain::reports::{self, ReportKey};
pub const PROGRESS: FieldSpec = spec(
    "progress",
    "progress",
    Kind::Note,
    D::Nothing,
    "工作进展 / 进展情况",
);
pub const PROBLEMS: FieldSpec = spec("problems", "problems", Kind::Note, D::Nothing, "存在问题");
pub const PRACTICES: FieldSpec = spec(
    "practices",
    "practices",
    Kind::Note,
    D::Nothing,
    "好做法 (monthly)",
);
pub const CASES: FieldSpec = spec(
    "cases",
    "cases",
    Kind::Note,
    D::Nothing,
    "典型事例 (monthly)",
);
pub const RESULTS: FieldSpec = spec(
    "results",
    "results",
    Kind::Note,
    D::Nothing,
    "取得的成效 (annual)",
);
pub const PLAN: FieldSpec = spec(
    "plan",
    "plan",
    Kind::Note,
    D::Nothing,
    "下一步工作计划 (annual)",
);

/// Every section of every kind of report (the command line offers
/// them all; a report takes its own, `fields`).
pub const FIELDS: &[FieldSpec] = &[PROGRESS, PROBLEMS, PRACTICES, CASES, RESULTS, PLAN];

/// The field of a section: its key is the section's code.
pub fn field(s: Section) -> &'static FieldSpec {
    FIELDS
        .iter()
        .find(|f| f.key == s.code())
        .unwrap_or(&PROGRESS)
}

/// The sections of this kind of report, in order.
pub fn fields(key: &ReportKey) -> impl Iterator<Item = &'static FieldSpec> {
    reports::sections(key).iter().map(|s| field(*s))
}

/// The sections typed (a blank one clears it), each one this kind of
/// report has; at least one.
pub fn read(
    raw: &Raw,
    cx: Context<'_>,
    key: &ReportKey,
) -> Result<Vec<(Section, String)>, Vec<Bad>> {
    let mut r = Reader::new(raw, cx);
    let mut texts = Vec::new();
    for s in Section::ALL {
        let f = field(*s);
        if !r.has(f) {
            continue;
        }
        if reports::sections(key).contains(s) {
            texts.push((*s, r.text(f)));
        } else {
            let why = crate::tr!(cx.lang, "report.no_such_section", section = s.code());
            r.refuse(f, why);
        }
    }
    if texts.is_empty() && r.bad.is_empty() {
        let why = crate::tr!(cx.lang, "report.nothing_to_write");
        r.refuse(&PROGRESS, why);
    }
    r.finish(Some(texts))
}

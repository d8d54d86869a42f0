//! The fields of inspections, and how they are read into a draft.

use super::*;
pub const PAIRING: FieldSpec = spec(
    "pairing",
    "pairing",
    Kind::One(Pick::Pairing),
    D::Nothing,
    "The pairing inspected (id prefix)",
);
pub const KINDERGARTEN: FieldSpec = spec(
    "kindergarten",
    "kindergarten",
    Kind::One(Pick::Kindergarten),
    D::Nothing,
    "The kindergarten inspected (id prefix or exact name)",
);
pub const DATE: FieldSpec = spec("date", "date", Kind::Date, D::Today, "Date (YYYY-MM-DD)");
pub const INSPECTOR: FieldSpec = spec(
    "inspector",
    "inspector",
    Kind::Line,
    D::Person,
    "Inspector's name [default: the --as name]",
);
pub const PHILOSOPHY: FieldSpec = spec(
    "philosophy",
    "philosophy",
    Kind::One(Pick::Score),
    D::Required,
    "Score 1-5: philosophy (办园理念)",
);
pub const CARE_EDUCATION: FieldSpec = spec(
    "care_education",
    "care-education",
    Kind::One(Pick::Score),
    D::Required,
    "Score 1-5: care and education (保育教育)",
);
pub const ENVIRONMENT: FieldSpec = spec(
    "environment",
    "environment",
    Kind::One(Pick::Score),
    D::Required,
    "Score 1-5: environment (环境创设)",
);
pub const MANAGEMENT: FieldSpec = spec(
    "management",
    "management",
    Kind::One(Pick::Score),
    D::Required,
    "Score 1-5: management (内部管理)",
);
pub const FINDINGS: FieldSpec = spec(
    "findings",
    "findings",
    Kind::Note,
    D::Nothing,
    "What was found",
);
pub const GUIDANCE: FieldSpec = spec(
    "guidance",
    "guidance",
    Kind::Note,
    D::Nothing,
    "Guidance given",
);
pub const FOLLOW_UP_DUE: FieldSpec = spec(
    "follow_up_due",
    "follow-up-due",
    Kind::Date,
    D::Nothing,
    "Follow-up due date (YYYY-MM-DD)",
);

/// The four area scores, in the order `--scores` takes them.
pub const SCORES: [FieldSpec; 4] = [PHILOSOPHY, CARE_EDUCATION, ENVIRONMENT, MANAGEMENT];

pub const FIELDS: &[FieldSpec] = &[
    PAIRING,
    KINDERGARTEN,
    DATE,
    INSPECTOR,
    PHILOSOPHY,
    CARE_EDUCATION,
    ENVIRONMENT,
    MANAGEMENT,
    FINDINGS,
    GUIDANCE,
    FOLLOW_UP_DUE,
];

pub fn read(raw: &Raw, cx: Context<'_>) -> Result<InspectionDraft, Vec<Bad>> {
    let mut r = Reader::new(raw, cx);
    let pairing_id = r.record(&PAIRING, Entity::Pairing);
    let kindergarten_id = r.kindergarten(&KINDERGARTEN);
    let date = r.date(&DATE);
    let inspector = r.text(&INSPECTOR);
    let scores = SCORES.map(|f| r.count(&f));
    let follow_up_due = r.date(&FOLLOW_UP_DUE);
    let due_ok = follow_up_due.is_some() || !r.given(&FOLLOW_UP_DUE);
    let draft = match (date, scores, due_ok) {
        (Some(date), [Some(p), Some(c), Some(e), Some(m)], true) => Some(InspectionDraft {
            pairing_id,
            kindergarten_id,
            date,
            inspector,
            scores: Scores {
                philosophy: p,
                care_education: c,
                environment: e,
                management: m,
            },
            findings: r.text(&FINDINGS),
            guidance: r.text(&GUIDANCE),
            follow_up_due,
        }),
        _ => None,
    };
    r.finish(draft)
}

pub fn raw_of(i: &Inspection) -> Raw {
    let mut raw = Raw::new();
    if let Some(p) = &i.pairing_id {
        raw.put(PAIRING.key, p.as_str());
    }
    if let Some(k) = &i.kindergarten_id {
        raw.put(KINDERGARTEN.key, k.as_str());
    }
    raw.put(DATE.key, i.date.to_string());
    raw.put(INSPECTOR.key, &i.inspector);
    for (f, area) in SCORES.iter().zip(Area::ALL) {
        raw.put(f.key, i.scores.get(*area).to_string());
    }
    raw.put(FINDINGS.key, &i.findings);
    raw.put(GUIDANCE.key, &i.guidance);
    if let Some(d) = i.follow_up_due {
        raw.put(FOLLOW_UP_DUE.key, d.to_string());
    }
    raw
}

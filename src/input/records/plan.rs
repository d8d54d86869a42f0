//! The fields of yearly plans and targets, and how they are read into a draft.

use super::*;
pub const YEAR: FieldSpec = spec("year", "year", Kind::Year, D::Required, "The year");
pub const DISTRICT: FieldSpec = spec(
    "district",
    "district",
    Kind::One(Pick::District),
    D::Nothing,
    "The district whose target this is (with --helpers and --helped)",
);
pub const HELPERS: FieldSpec = spec(
    "target_helpers",
    "helpers",
    Kind::Count,
    D::Nothing,
    "Helper kindergartens planned (参与帮扶)",
);
pub const HELPED: FieldSpec = spec(
    "target_helped",
    "helped",
    Kind::Count,
    D::Nothing,
    "Helped kindergartens planned (被帮扶)",
);
pub const STATED_TOTAL: FieldSpec = spec(
    "stated_total",
    "stated-total",
    Kind::Count,
    D::Nothing,
    "The city's stated total of kindergartens in pairs",
);
pub const SHARE: FieldSpec = spec(
    "target_share_percent",
    "share",
    Kind::Count,
    D::Nothing,
    "The target share of rural kindergartens taking part, in percent",
);

pub const FIELDS: &[FieldSpec] = &[YEAR, DISTRICT, HELPERS, HELPED, STATED_TOTAL, SHARE];

/// A district's target needs its district and both counts; the total
/// and the share stand alone; something must be given.
pub fn read(raw: &Raw, cx: Context<'_>) -> Result<PlanDraft, Vec<Bad>> {
    let mut r = Reader::new(raw, cx);
    let year = r.year(&YEAR);
    let district = r.district(&DISTRICT);
    let counts = [&HELPERS, &HELPED];
    if r.given(&DISTRICT) || counts.iter().any(|f| r.given(f)) {
        r.needed(&DISTRICT);
        counts.iter().for_each(|f| r.needed(f));
    }
    let helpers = r.count(&HELPERS);
    let helped = r.count(&HELPED);
    let stated_total = r.count(&STATED_TOTAL);
    let share_percent = r.count(&SHARE);
    let target = match (district, helpers, helped) {
        (Some(d), Some(h), Some(k)) => Some((d, h, k)),
        _ => None,
    };
    if target.is_none() && stated_total.is_none() && share_percent.is_none() && r.bad.is_empty() {
        let why = crate::tr!(cx.lang, "plan.nothing_to_set");
        r.refuse(&DISTRICT, why);
    }
    let draft = year.map(|year| PlanDraft {
        year,
        target,
        stated_total,
        share_percent,
    });
    r.finish(draft)
}

/// A year's plan and one district's target as text (for a form that
/// starts from what is stored).
pub fn raw_of(m: &Model, year: i32, district: Option<&Id>) -> Raw {
    let mut raw = Raw::new();
    raw.put(YEAR.key, year.to_string());
    if let Some(d) = district {
        raw.put(DISTRICT.key, d.as_str());
        if let Some(t) = m.targets.get(&(year, d.clone())) {
            raw.put(HELPERS.key, t.helpers.to_string());
            raw.put(HELPED.key, t.helped.to_string());
        }
    }
    if let Some(y) = m.years.get(&year) {
        if let Some(n) = y.stated_total {
            raw.put(STATED_TOTAL.key, n.to_string());
        }
        if let Some(p) = y.target_share_percent {
            raw.put(SHARE.key, p.to_string());
        }
    }
    raw
}

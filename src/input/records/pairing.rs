//! The fields of pairings, and how they are read into a draft.

use super::*;
pub const HELPERS: FieldSpec = spec(
    "helpers",
    "helper",
    Kind::Many(Pick::Kindergarten),
    D::Required,
    "Helper kindergarten (帮扶园): id prefix or exact name; repeat or separate with commas",
);
pub const HELPED: FieldSpec = spec(
    "helped",
    "helped",
    Kind::Many(Pick::Kindergarten),
    D::Required,
    "Helped kindergarten (被帮扶园): id prefix or exact name; repeat or separate with commas",
);
pub const MODE: FieldSpec = spec(
    "mode",
    "mode",
    Kind::One(Pick::Mode),
    D::Required,
    "town, district or cross-region",
);
pub const COHORT: FieldSpec = spec(
    "cohort",
    "cohort",
    Kind::Year,
    D::Derived("pick.auto.cohort"),
    "Plan year the pairing counts towards [default: the start date's year]",
);

/// The pairing's own fields; its agreement's follow (`terms::FIELDS`).
pub const OWN: &[FieldSpec] = &[HELPERS, HELPED, MODE, COHORT];

pub fn fields() -> impl Iterator<Item = &'static FieldSpec> {
    OWN.iter().chain(terms::FIELDS)
}

pub fn read(raw: &Raw, cx: Context<'_>) -> Result<PairingDraft, Vec<Bad>> {
    let mut r = Reader::new(raw, cx);
    let helpers = r.kindergartens(&HELPERS);
    let helped = r.kindergartens(&HELPED);
    let mode = r.code::<Mode>(&MODE);
    let cohort = r.year(&COHORT);
    let terms = terms::read_with(&mut r);
    let draft = match (mode, terms) {
        (Some(mode), Some(terms)) => Some(PairingDraft {
            helpers,
            helped,
            mode,
            cohort: cohort.unwrap_or_else(|| chrono::Datelike::year(&terms.start)),
            terms,
        }),
        _ => None,
    };
    r.finish(draft)
}

//! The fields of a list import (the interface's import dialog): the
//! file, and what rows that say nothing get.

use super::*;
pub const FILE: FieldSpec = spec(
    "file",
    "file",
    Kind::Line,
    D::Required,
    "The list: .xlsx, .xls, .ods or .csv",
);
pub const DISTRICT: FieldSpec = spec(
    "district",
    "district",
    Kind::One(Pick::District),
    D::Derived("pick.auto.import_district"),
    "The district of rows that name none",
);
pub const CATEGORY: FieldSpec = spec(
    "category",
    "category",
    Kind::One(Pick::Category),
    D::Derived("pick.auto.import_category"),
    "The category of rows that say none (otherwise inferred)",
);

pub const FIELDS: &[FieldSpec] = &[FILE, DISTRICT, CATEGORY];

/// A list to import, and what its rows get when they say nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportDraft {
    pub file: std::path::PathBuf,
    pub district: Option<Id>,
    pub category: Option<Category>,
}

pub fn read(raw: &Raw, cx: Context<'_>) -> Result<ImportDraft, Vec<Bad>> {
    let mut r = Reader::new(raw, cx);
    let file = r.text(&FILE);
    let district = r.district(&DISTRICT);
    let category = r.code::<Category>(&CATEGORY);
    let draft = (!file.is_empty()).then(|| ImportDraft {
        file: std::path::PathBuf::from(crate::input::paths::one(&file)),
        district,
        category,
    });
    r.finish(draft)
}

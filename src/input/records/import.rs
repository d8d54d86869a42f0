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
        file: std::path::PathBuf::from(strip_quotes(&file)),
        district,
        category,
    });
    r.finish(draft)
}

/// A path as a file manager pastes it: in quotes, or as a `file://` URL
/// (dropped onto the terminal).
fn strip_quotes(path: &str) -> String {
    let p = path.trim();
    let p = p
        .strip_prefix('\'')
        .and_then(|q| q.strip_suffix('\''))
        .or_else(|| p.strip_prefix('"').and_then(|q| q.strip_suffix('"')))
        .unwrap_or(p);
    match p.strip_prefix("file://") {
        // `%20` and the like, as a dropped file's URL writes them.
        Some(url) => percent_encoding::percent_decode_str(url)
            .decode_utf8()
            .map_or_else(|_| url.to_string(), |d| d.into_owned()),
        None => p.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_or_quoted_path_is_read_as_the_path() {
        assert_eq!(
            strip_quotes("'/home/a/名单 2024.xlsx'"),
            "/home/a/名单 2024.xlsx"
        );
        assert_eq!(strip_quotes("\"/tmp/x.csv\" "), "/tmp/x.csv");
        assert_eq!(
            strip_quotes("file:///home/a/%E5%90%8D%E5%8D%95%202024.xlsx"),
            "/home/a/名单 2024.xlsx"
        );
        assert_eq!(strip_quotes("/tmp/100%.csv"), "/tmp/100%.csv");
    }
}

//! Attaching files in the interface: which files, and what they show.

use super::*;

pub const FILES: FieldSpec = spec(
    "files",
    "files",
    Kind::Paths,
    D::Required,
    "Files or folders: JPEG or PNG photos, PDF scans",
);
pub const CAPTION: FieldSpec = spec(
    "caption",
    "caption",
    Kind::Line,
    D::Nothing,
    "What the files show",
);

pub const FIELDS: &[FieldSpec] = &[FILES, CAPTION];

/// Files to attach to a record.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachDraft {
    pub files: Vec<std::path::PathBuf>,
    pub caption: String,
}

pub fn read(raw: &Raw, cx: Context<'_>) -> Result<AttachDraft, Vec<Bad>> {
    let mut r = Reader::new(raw, cx);
    let files = crate::input::paths::several(&r.text(&FILES));
    let caption = r.text(&CAPTION);
    let draft = (!files.is_empty()).then(|| AttachDraft {
        files: files.into_iter().map(std::path::PathBuf::from).collect(),
        caption,
    });
    r.finish(draft)
}

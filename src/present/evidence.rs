//! Attachments in words: a record's files as a list, their sizes, and
//! the names a clerk understands when they are written out
//! (`2024-10-15_北沟村幼儿园_送教下乡_1.jpg`).

use crate::domain::*;
use crate::i18n::{self, Lang};
use crate::tr;

/// What this device holds of an attachment's bytes (the store says;
/// words are made here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Here {
    Present,
    /// Only the thumbnail has arrived.
    ThumbnailOnly,
    Missing,
}

/// The columns of a record's attachments.
pub const COLUMNS: [&str; 8] = [
    "id",
    "file_name",
    "evidence_kind",
    "size",
    "pixels",
    "taken",
    "added",
    "here",
];

/// A size as people read it: 812 B, 312 KB, 1.4 MB.
pub fn size_text(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", b.div_ceil(1024)),
        b => format!("{:.1} MB", b as f64 / 1_048_576.0),
    }
}

fn here_text(l: Lang, h: Here) -> String {
    tr!(
        l,
        match h {
            Here::Present => "evidence.here.present",
            Here::ThumbnailOnly => "evidence.here.thumbnail",
            Here::Missing => "evidence.here.missing",
        }
    )
}

/// One attachment as a row under [`COLUMNS`].
pub fn row(l: Lang, a: &Attachment, here: Here) -> Vec<String> {
    vec![
        a.id.short().to_string(),
        super::printable(&a.name).into_owned(),
        i18n::label(l, a.kind),
        size_text(a.file.bytes),
        a.pixels
            .map(|(w, h)| format!("{w}×{h}"))
            .unwrap_or_default(),
        a.taken
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default(),
        format!("{} {}", a.added.on, super::printable(&a.added.by)),
        here_text(l, here),
    ]
}

/// Where a file not here yet can come from: the device of whoever added
/// it, or any member's that took it since; none for a file here.
pub fn source(l: Lang, a: &Attachment, here: Here) -> Option<String> {
    (here != Here::Present).then(|| {
        tr!(
            l,
            "evidence.source",
            by = super::printable(&a.added.by).into_owned()
        )
    })
}

/// A record's files in one line for its detail: `照片 课堂_1.jpg（72 KB）、
/// 签到表 签到表.pdf（15 B）`; none when it has none.
pub fn summary(l: Lang, m: &Model, record: &Id) -> Option<String> {
    let on = m.attachments_of(record);
    if on.is_empty() {
        return None;
    }
    let items: Vec<String> = on
        .iter()
        .map(|a| {
            tr!(
                l,
                "evidence.item",
                kind = i18n::label(l, a.kind),
                name = super::printable(&a.name).into_owned(),
                size = size_text(a.file.bytes)
            )
        })
        .collect();
    Some(items.join(l.sep()))
}

/// An attachment as JSON (`attachments --format json`).
pub fn json(a: &Attachment, here: Here) -> serde_json::Value {
    serde_json::json!({
        "id": a.id,
        "to": a.to,
        "record": a.record,
        "kind": a.kind,
        "format": a.format,
        "name": a.name,
        "hash": a.file.hash,
        "bytes": a.file.bytes,
        "thumbnail": a.thumbnail,
        "pixels": a.pixels,
        "taken": a.taken.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
        "caption": a.caption,
        "added_by": a.added.by,
        "added_on": a.added.on,
        "here": match here {
            Here::Present => "present",
            Here::ThumbnailOnly => "thumbnail",
            Here::Missing => "missing",
        },
    })
}

/// What the record an attachment is on is, in a file name: the date,
/// the (helped) kindergarten and the activity of a visit; the parties of
/// a pairing; the date and what was inspected; the report's subject.
fn record_words(l: Lang, m: &Model, a: &Attachment) -> Vec<String> {
    match a.to {
        AttachedTo::Visit => m.visit(&a.record).map_or_else(Vec::new, |v| {
            let helped = m
                .pairing(&v.pairing_id)
                .and_then(|p| p.helped.first())
                .map(|k| m.kindergarten_name(k))
                .unwrap_or_default();
            vec![v.date.to_string(), helped, i18n::label(l, v.form)]
        }),
        AttachedTo::Inspection => m.inspection(&a.record).map_or_else(Vec::new, |i| {
            let what = i
                .kindergarten_id
                .as_ref()
                .map(|k| m.kindergarten_name(k))
                .unwrap_or_else(|| i18n::entity(l, Entity::Inspection));
            vec![i.date.to_string(), what]
        }),
        _ => vec![super::record_name(l, m, a.to.entity(), &a.record)],
    }
}

/// What the names of a record's files begin with:
/// `2024-10-15_北沟村幼儿园_送教下乡`.
pub fn clerk_stem(l: Lang, m: &Model, a: &Attachment) -> String {
    record_words(l, m, a)
        .iter()
        .filter(|w| !w.is_empty())
        .map(|w| super::file_stem(w))
        .collect::<Vec<_>>()
        .join("_")
}

/// The name a clerk understands for the `n`th file (from 1) of those
/// whose names begin with `stem` ([`clerk_stem`]):
/// `2024-10-15_北沟村幼儿园_送教下乡_1.jpg`.
pub fn clerk_name(stem: &str, a: &Attachment, n: usize) -> String {
    let ext = match a.format {
        FileFormat::Jpeg => "jpg",
        FileFormat::Png => "png",
        FileFormat::Pdf => "pdf",
    };
    match stem {
        "" => format!("{n}.{ext}"),
        s => format!("{s}_{n}.{ext}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_text(812), "812 B");
        assert_eq!(size_text(312 * 1024), "312 KB");
        assert_eq!(size_text(1_468_006), "1.4 MB");
    }
}

//! Evidence (佐证材料) attached to records: photos of a 送教下乡 lesson, the
//! sign-in sheet, the signed and sealed agreement, an inspection's score
//! sheet, a report's appendices.
//!
//! A record holds references; the bytes live in the workspace's
//! content-addressed store (`store::blobs`), named by their BLAKE3 hash,
//! so a reference says exactly which bytes it means and any copy can be
//! checked. A reference lives in the document of the record it is
//! attached to and is never deleted from it: removing one stamps it
//! removed (who, when), as history shows.

use super::codes::*;
use super::id::Id;
use super::model::{Entity, Model};
use super::records::Stamp;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// A file's bytes as the store keeps them: BLAKE3 hash (64 hex digits)
/// and length.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Blob {
    pub hash: String,
    pub bytes: u64,
}

/// One file attached to a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: Id,
    /// The district whose document holds it (and the record).
    pub district_id: Id,
    /// The record it is attached to.
    pub to: AttachedTo,
    pub record: Id,
    pub kind: EvidenceKind,
    pub format: FileFormat,
    /// The file's name as it was given (a clerk's name for it).
    pub name: String,
    /// The bytes as stored: for a photo, after it was made smaller.
    pub file: Blob,
    /// A small JPEG of a photo or image, shown before the file arrives.
    pub thumbnail: Option<Blob>,
    /// Width × height of an image.
    pub pixels: Option<(u32, u32)>,
    /// When a photo was taken, from its EXIF data.
    pub taken: Option<NaiveDateTime>,
    pub caption: String,
    pub added: Stamp,
    pub removed: Option<Stamp>,
}

impl Attachment {
    /// The files the store keeps for it: the file and its thumbnail.
    pub fn blobs(&self) -> impl Iterator<Item = &Blob> {
        std::iter::once(&self.file).chain(&self.thumbnail)
    }

    /// The day it shows: taken, else added.
    pub fn day(&self) -> NaiveDate {
        self.taken.map_or(self.added.on, |t| t.date())
    }
}

impl AttachedTo {
    pub fn entity(self) -> Entity {
        match self {
            AttachedTo::Pairing => Entity::Pairing,
            AttachedTo::Visit => Entity::Visit,
            AttachedTo::Inspection => Entity::Inspection,
            AttachedTo::MonthlyReport => Entity::MonthlyReport,
            AttachedTo::AnnualSummary => Entity::AnnualSummary,
        }
    }

    /// The kind of record, if evidence can be attached to it.
    pub fn of(e: Entity) -> Option<AttachedTo> {
        Some(match e {
            Entity::Pairing => AttachedTo::Pairing,
            Entity::Visit => AttachedTo::Visit,
            Entity::Inspection => AttachedTo::Inspection,
            Entity::MonthlyReport => AttachedTo::MonthlyReport,
            Entity::AnnualSummary => AttachedTo::AnnualSummary,
            Entity::District | Entity::Kindergarten | Entity::Attachment => return None,
        })
    }

    /// The kind a file attached here is, unless said otherwise.
    pub fn usual(self, format: FileFormat) -> EvidenceKind {
        match (self, format) {
            (_, FileFormat::Jpeg | FileFormat::Png) => EvidenceKind::Photo,
            (AttachedTo::Pairing, FileFormat::Pdf) => EvidenceKind::SealedAgreement,
            (AttachedTo::Inspection, FileFormat::Pdf) => EvidenceKind::ScoreSheet,
            (AttachedTo::Visit, FileFormat::Pdf) => EvidenceKind::SignIn,
            (_, FileFormat::Pdf) => EvidenceKind::Appendix,
        }
    }
}

/// A file ready to keep (`media::prepare`): its bytes as kept, a
/// thumbnail, what was read of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub format: FileFormat,
    pub bytes: Vec<u8>,
    pub thumbnail: Option<Vec<u8>>,
    pub pixels: Option<(u32, u32)>,
    pub taken: Option<NaiveDateTime>,
    /// The name to keep: a photo turned into JPEG ends in `.jpg`.
    pub name: String,
}

/// The most bytes one file may have as given (before a photo is made
/// smaller): 20 MB.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// The most bytes a record's files may have together, as stored: 60 MB.
pub const MAX_RECORD_BYTES: u64 = 60 * 1024 * 1024;
/// The most files one record may have.
pub const MAX_RECORD_FILES: usize = 40;

impl Model {
    /// Every attachment, in every document this device holds.
    pub fn attachments(&self) -> impl Iterator<Item = &Attachment> {
        self.data.values().flat_map(|d| d.attachments.values())
    }

    pub fn attachment(&self, id: &Id) -> Option<&Attachment> {
        self.data.values().find_map(|d| d.attachments.get(id))
    }

    /// A record's attachments not removed, oldest first.
    pub fn attachments_of(&self, record: &Id) -> Vec<&Attachment> {
        let mut v: Vec<&Attachment> = self
            .attachments()
            .filter(|a| &a.record == record && a.removed.is_none())
            .collect();
        v.sort_by(|a, b| (a.added.on, &a.name).cmp(&(b.added.on, &b.name)));
        v
    }

    /// The district whose document holds a record evidence can be
    /// attached to, if it is here.
    pub fn home_of(&self, to: AttachedTo, record: &Id) -> Option<Id> {
        self.data.iter().find_map(|(d, data)| {
            let here = match to {
                AttachedTo::Pairing => data.pairings.contains_key(record),
                AttachedTo::Visit => data.visits.contains_key(record),
                AttachedTo::Inspection => data.inspections.contains_key(record),
                AttachedTo::MonthlyReport => data.monthly_reports.contains_key(record),
                AttachedTo::AnnualSummary => data.annual_summaries.contains_key(record),
            };
            here.then(|| d.clone())
        })
    }
}

impl Model {
    /// Attaching to (or removing from) a record: the district whose
    /// document holds it, and the kind of write it is with what it
    /// touches (`judge::attaching`). None when the record is not here.
    pub fn attaching_to(
        &self,
        to: AttachedTo,
        record: &Id,
    ) -> Option<(Id, super::authz::Write, super::authz::Target)> {
        use super::judge::{AttachedRecord as R, attaching};
        let home = self.home_of(to, record)?;
        let data = self.data.get(&home)?;
        let on = match to {
            AttachedTo::Pairing => R::Pairing(data.pairings.get(record)?),
            AttachedTo::Visit => {
                let v = data.visits.get(record)?;
                R::Visit(v, self.pairing(&v.pairing_id))
            }
            AttachedTo::Inspection => {
                let i = data.inspections.get(record)?;
                R::Inspection(i, i.pairing_id.as_ref().and_then(|p| self.pairing(p)))
            }
            AttachedTo::MonthlyReport => R::Monthly(data.monthly_reports.get(record)?),
            AttachedTo::AnnualSummary => R::Annual(data.annual_summaries.get(record)?, Some(&home)),
        };
        let (write, target) = attaching(on);
        Some((home, write, target))
    }

    /// Whether `me` may attach to (or remove from) a record: the district
    /// whose document holds it, or why not (the record is not here, or
    /// the matrix refuses).
    pub fn may_attach(
        &self,
        me: Option<&super::access::Member>,
        to: AttachedTo,
        record: &Id,
    ) -> Result<Id, Vec<super::rules::Problem>> {
        let Some((home, write, target)) = self.attaching_to(to, record) else {
            return Err(vec![super::rules::Problem {
                field: "record",
                kind: super::rules::ProblemKind::UnknownId {
                    what: to.entity(),
                    id: record.to_string(),
                },
            }]);
        };
        let refused = super::authz::check(me, write, &target, Some((to.entity(), record)));
        if refused.is_empty() {
            Ok(home)
        } else {
            Err(refused)
        }
    }
}

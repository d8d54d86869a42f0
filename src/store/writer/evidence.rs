//! The writer's edits of evidence: a file's reference attached to a
//! record (its bytes already kept, `Workspace::attach`), its removal
//! (stamped, never deleted).

use super::*;
use crate::domain::evidence::{MAX_RECORD_BYTES, MAX_RECORD_FILES};

impl Writer<'_> {
    /// Refuses unless this member may attach to the record; the district
    /// whose document holds it.
    fn may_attach(&self, to: AttachedTo, record: &Id) -> Result<Id, EditError> {
        self.model()
            .may_attach(self.me(), to, record)
            .map_err(EditError::Invalid)
    }

    /// Adds a file's reference to its record (`a.record`), within the
    /// record's limits of files and bytes; returns its new id.
    pub fn add_attachment(&mut self, a: Attachment) -> Result<Id, EditError> {
        let home = self.may_attach(a.to, &a.record)?;
        let on = self.model().attachments_of(&a.record);
        let kept: u64 = on
            .iter()
            .flat_map(|x| x.blobs())
            .chain(a.blobs())
            .map(|b| b.bytes)
            .fold(0u64, u64::saturating_add);
        let mut problems = Vec::new();
        if on.len() >= MAX_RECORD_FILES {
            problems.push(Problem {
                field: "file",
                kind: ProblemKind::TooManyFiles {
                    max: MAX_RECORD_FILES,
                },
            });
        }
        if kept > MAX_RECORD_BYTES {
            problems.push(Problem {
                field: "file",
                kind: ProblemKind::FilesTooLarge {
                    mb: kept / 1_048_576,
                    max: MAX_RECORD_BYTES / 1_048_576,
                },
            });
        }
        check(problems)?;
        let a = Attachment {
            id: self.new_id(),
            district_id: home.clone(),
            ..a
        };
        self.put_record(&home, &a, "attach")?;
        Ok(a.id)
    }

    /// Removes an attachment from its record: stamped removed (who, when),
    /// its reference kept, so history shows it.
    pub fn remove_attachment(&mut self, id: &Id, stamp: Stamp) -> Result<(), EditError> {
        let a = self.attachment_here(id)?;
        if a.removed.is_some() {
            return Ok(());
        }
        let home = self.may_attach(a.to, &a.record)?;
        let a = Attachment {
            removed: Some(stamp),
            ..a
        };
        self.put_record(&home, &a, "remove")
    }

    fn attachment_here(&self, id: &Id) -> Result<Attachment, EditError> {
        self.model()
            .attachment(id)
            .cloned()
            .ok_or_else(|| unknown("id", Entity::Attachment, id))
    }
}

//! Attaching files to records: every file's bytes kept durably first
//! (`blobs.rs`), then all the references in one write, so a crash at any
//! moment leaves either both or only bytes nothing refers to, never a
//! reference without its bytes.

use super::blobs::Blobs;
use super::*;
use crate::domain::evidence::Prepared;

/// A file to attach, ready to keep (`media::prepare`).
#[derive(Debug, Clone)]
pub struct NewFile {
    pub prepared: Prepared,
    /// What it is; by default what files of its format usually are on
    /// such a record (a PDF on an agreement: the sealed agreement).
    pub kind: Option<EvidenceKind>,
    pub caption: String,
}

impl Workspace {
    /// The workspace's attached files.
    pub fn blobs(&self) -> Blobs {
        Blobs::in_dir(&self.dir)
    }

    /// Attaches files to a record (its kind and id); their new ids.
    /// Refused before a byte is kept when the record is not here or this
    /// member may not attach to it.
    pub fn attach(
        &mut self,
        to: AttachedTo,
        record: &Id,
        files: Vec<NewFile>,
    ) -> Result<Vec<Id>, EditError> {
        let model = &self.state.model;
        let me = model.active_member(&self.state.author.device);
        let home = model
            .may_attach(me, to, record)
            .map_err(EditError::Invalid)?;
        let blobs = self.blobs();
        let io = |source| {
            EditError::Store(StoreError::Io {
                path: self.dir.join("blobs"),
                source,
            })
        };
        let added = Stamp {
            by: self.options.person.clone(),
            on: self.options.today,
        };
        let mut refs = Vec::new();
        for f in files {
            let p = f.prepared;
            let file = blobs.put(&p.bytes).map_err(io)?;
            let thumbnail = match &p.thumbnail {
                Some(t) => Some(blobs.put(t).map_err(io)?),
                None => None,
            };
            refs.push(Attachment {
                // Both given by the writer.
                id: record.clone(),
                district_id: home.clone(),
                to,
                record: record.clone(),
                kind: f.kind.unwrap_or_else(|| to.usual(p.format)),
                format: p.format,
                name: p.name,
                file,
                thumbnail,
                pixels: p.pixels,
                taken: p.taken,
                caption: f.caption,
                added: added.clone(),
                removed: None,
            });
        }
        self.write(|w| refs.into_iter().map(|a| w.add_attachment(a)).collect())
    }
}

/// What `doctor` finds of the attached files.
#[derive(Debug, Clone, Default)]
pub struct FilesHealth {
    /// Files (and thumbnails) here with exactly their bytes.
    pub sound: usize,
    /// Attachments whose file is not here yet (another member has it).
    pub missing: Vec<Attachment>,
    /// Attachments whose file is here with other bytes than it names.
    pub damaged: Vec<Attachment>,
    /// Files kept that no attachment refers to (left by an attach cut
    /// short, or of attachments removed).
    pub unreferenced: usize,
}

impl Workspace {
    /// Reads every attached file whole against its hash.
    pub fn check_files(&self) -> FilesHealth {
        let blobs = self.blobs();
        let mut h = FilesHealth::default();
        let mut named = std::collections::BTreeSet::new();
        for a in self.model().attachments() {
            let mut state = None;
            for b in a.blobs() {
                named.insert(b.hash.clone());
                match blobs.verify(b) {
                    super::blobs::Held::Present => h.sound = h.sound.saturating_add(1),
                    super::blobs::Held::Damaged => state = Some(true),
                    super::blobs::Held::Missing if b == &a.file => {
                        state = state.or(Some(false));
                    }
                    super::blobs::Held::Missing => {}
                }
            }
            match state {
                Some(true) => h.damaged.push(a.clone()),
                Some(false) if a.removed.is_none() => h.missing.push(a.clone()),
                _ => {}
            }
        }
        h.unreferenced = blobs
            .hashes()
            .iter()
            .filter(|x| !named.contains(*x))
            .count();
        h
    }
}

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

/// A file records here name that is not here yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub blob: Blob,
    /// It is a photo's thumbnail (fetched before any full file).
    pub thumbnail: bool,
}

impl Workspace {
    /// The files this device lacks: the thumbnails of every attachment
    /// here, then the files themselves; each group smallest first (which
    /// of them a link fetches is `sync::files::FilesPolicy`'s to say).
    /// Removed attachments are not fetched.
    pub fn files_lacking(&self) -> Vec<Wanted> {
        let blobs = self.blobs();
        let mut seen = BTreeSet::new();
        let mut out: Vec<Wanted> = Vec::new();
        for a in self.model().attachments().filter(|a| a.removed.is_none()) {
            let wanted = a
                .thumbnail
                .iter()
                .map(|t| (t, true))
                .chain(std::iter::once((&a.file, false)));
            for (b, thumbnail) in wanted {
                if blobs.held(b) != super::blobs::Held::Present && seen.insert(b.hash.clone()) {
                    out.push(Wanted {
                        blob: b.clone(),
                        thumbnail,
                    });
                }
            }
        }
        out.sort_by_key(|w| (!w.thumbnail, w.blob.bytes));
        out
    }

    /// The files here that `peer` may read (those of attachments in the
    /// documents it may read), by hash with their length. Nothing for a
    /// device that is not an active member.
    pub fn files_readable(&self, peer: &str) -> BTreeMap<String, u64> {
        let Some(member) = self.model().active_member(peer) else {
            return BTreeMap::new();
        };
        let docs = self.readable_docs(member);
        let blobs = self.blobs();
        self.model()
            .attachments()
            .filter(|a| a.removed.is_none())
            .filter(|a| docs.contains(&super::layout::district_doc_id(&a.district_id)))
            .flat_map(|a| a.blobs())
            .filter(|b| blobs.held(b) == super::blobs::Held::Present)
            .map(|b| (b.hash.clone(), b.bytes))
            .collect()
    }
}

/// The setting that lists full files asked for one by one.
const ASKED: &str = "files.asked";

impl Workspace {
    /// Full files asked for one by one (fetched even on a thumbnails-only
    /// link), that are not here yet.
    pub fn files_asked_for(&self) -> BTreeSet<String> {
        let blobs = self.blobs();
        let asked = self.setting(ASKED).ok().flatten().unwrap_or_default();
        asked
            .split_whitespace()
            .filter(|h| {
                blobs
                    .path(h)
                    .is_some_and(|p| !std::fs::metadata(p).is_ok_and(|m| m.is_file()))
            })
            .map(str::to_string)
            .collect()
    }

    /// Asks for an attachment's full file at the next sync; whether it is
    /// still to come (false: it is here already).
    pub fn ask_for_file(&mut self, attachment: &Attachment) -> Result<bool, StoreError> {
        if self.blobs().held(&attachment.file) == super::blobs::Held::Present {
            return Ok(false);
        }
        let mut asked = self.files_asked_for();
        asked.insert(attachment.file.hash.clone());
        let list: Vec<String> = asked.into_iter().collect();
        self.set_setting(ASKED, &list.join(" "))?;
        Ok(true)
    }
}

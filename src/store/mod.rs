//! The durable workspace: a programme document and one document per
//! district, kept in one SQLite file (see [`db`] and docs/STORAGE.md).
//!
//! Guarantees:
//! - [`Workspace::write`] returns `Ok` only after its changes are committed
//!   to disk (SQLite WAL, `synchronous=FULL`); on any error nothing of it is
//!   kept, on disk or in memory.
//! - Several processes may share a workspace: each write first takes the
//!   write lock and loads what others wrote, so both keep their writes; a
//!   compaction happens under the same lock, so it never drops a chunk
//!   another process just wrote.
//! - Opening reads only. A document that does not load, or loads without
//!   reaching its recorded heads, is reported by name and left untouched.

mod db;
mod doctor;
mod error;
mod exchange;
mod history;
pub mod layout;
mod mapping;
mod state;
mod verify;
mod view;
mod writer;

pub use db::{PeerRow, RefusalRow};
pub use doctor::{DocFigures, DocHealth, DoctorReport, Membership, doctor};
pub use error::{EditError, StoreError};
pub use exchange::{Outgoing, Received, valid_doc_id};
pub use history::HistoryEntry;
pub use layout::Damaged;
pub use verify::{Reason, Refused};
pub use writer::Writer;

use crate::domain::plan::ProgrammeSetup;
use crate::domain::*;
use automerge::{Author, ChangeHash};
use chrono::NaiveDate;
use db::Db;
use layout::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use state::{State, sqlite_err};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The workspace file inside a data directory.
pub const DB_FILE: &str = "workspace.db";

/// How a workspace is used by this process.
#[derive(Debug, Clone)]
pub struct Options {
    /// The person making changes, recorded as the author of each change.
    pub person: String,
    /// Today's date, for rules such as "not in the future".
    pub today: NaiveDate,
    /// Compact a document once it has this many incremental chunks.
    pub compact_after: i64,
    /// Read documents from their cached views when those are fresh (see
    /// `view.rs`); off, every document is read from its automerge data.
    pub use_views: bool,
}

impl Options {
    pub fn new(person: impl Into<String>, today: NaiveDate) -> Options {
        Options {
            person: person.into(),
            today,
            compact_after: 256,
            use_views: true,
        }
    }
}

/// Who made a change: a person on a device. Stored in each change's author
/// field as JSON, e.g. `{"person":"张老师","device":"3f2a…"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuthorInfo {
    pub person: String,
    pub device: String,
}

impl AuthorInfo {
    fn to_author(&self) -> Author<'static> {
        Author::from(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads an author field; foreign or old authors show as hex.
    pub fn from_author(a: &Author<'_>) -> AuthorInfo {
        serde_json::from_slice(a.as_bytes()).unwrap_or_else(|_| AuthorInfo {
            person: a.to_hex_string(),
            device: String::new(),
        })
    }
}

/// Where new record ids come from.
pub(crate) enum IdSource {
    Random,
    /// Reproducible ids, for demo data.
    Seeded(Box<ChaCha8Rng>),
}

impl IdSource {
    fn next(&mut self) -> Id {
        let mut bytes = [0u8; 16];
        match self {
            IdSource::Random => rand::rng().fill(&mut bytes),
            IdSource::Seeded(r) => r.fill(&mut bytes),
        }
        Id::from_random_bytes(bytes)
    }
}

/// What a write transaction works with.
pub(crate) struct Tx<'a> {
    pub conn: &'a rusqlite::Connection,
    pub path: &'a Path,
    pub state: &'a mut State,
    pub ids: &'a mut IdSource,
    /// Heads of each document before its first change here.
    pub touched: &'a mut BTreeMap<String, Vec<ChangeHash>>,
    /// Documents created here.
    pub created: &'a mut BTreeSet<String>,
}

/// An open workspace.
pub struct Workspace {
    dir: PathBuf,
    db: Db,
    state: State,
    ids: IdSource,
    options: Options,
}

/// Milliseconds since 1970, the time recorded in each change.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn new_random_id() -> Id {
    IdSource::Random.next()
}

impl Workspace {
    /// Creates a new workspace in `dir` with the given programme. Fails if
    /// one exists there already.
    pub fn init(
        dir: &Path,
        setup: &ProgrammeSetup,
        options: Options,
    ) -> Result<Workspace, EditError> {
        Self::init_with_ids(dir, setup, options, None)
    }

    /// Like [`Workspace::init`], with reproducible ids from `seed`.
    pub fn init_with_ids(
        dir: &Path,
        setup: &ProgrammeSetup,
        options: Options,
        seed: Option<u64>,
    ) -> Result<Workspace, EditError> {
        let path = dir.join(DB_FILE);
        if path.exists() {
            return Err(StoreError::AlreadyExists {
                dir: dir.to_path_buf(),
            }
            .into());
        }
        EditError::invalid(writer::check_setup(setup))?;
        let mut ids = match seed {
            Some(s) => IdSource::Seeded(Box::new(ChaCha8Rng::seed_from_u64(s))),
            None => IdSource::Random,
        };
        // With a seed the workspace id is reproducible too, so two demo
        // workspaces made from one seed export identically.
        let workspace_id = match seed {
            Some(_) => ids.next().to_string(),
            None => new_random_id().to_string(),
        };
        // This device's key: its public half is the device id and the first
        // member, the programme's city-admin.
        let key = crate::identity::load_or_create(dir).map_err(|source| StoreError::Io {
            path: crate::identity::key_path(dir),
            source,
        })?;
        let device_id = crate::identity::endpoint_hex(&key);
        let districts: Vec<District> = setup
            .districts
            .iter()
            .enumerate()
            .map(|(i, name)| District {
                id: ids.next(),
                name: name.trim().to_string(),
                position: i as i64 + 1,
                towns: Vec::new(),
            })
            .collect();
        let targets: Vec<PlanTarget> = setup
            .targets
            .iter()
            .filter_map(|(year, name, helpers, helped)| {
                districts
                    .iter()
                    .find(|d| &d.name == name)
                    .map(|d| PlanTarget {
                        year: *year,
                        district_id: d.id.clone(),
                        helpers: *helpers,
                        helped: *helped,
                    })
            })
            .collect();
        let time = now_ms();
        let author = AuthorInfo {
            person: options.person.clone(),
            device: device_id.clone(),
        };
        let mut docs = Vec::new();
        let first = Member {
            id: device_id.clone(),
            name: options.person.clone(),
            role: MemberRole::CityAdmin,
            district: None,
            kindergarten: None,
            districts: Vec::new(),
            added_by: String::new(),
            added_on: options.today,
            revoked: false,
        };
        let made = Made {
            workspace: &workspace_id,
            time,
            author: &author,
        };
        let programme = new_programme_doc(
            &made,
            &setup.programme,
            &districts,
            &setup.years,
            &targets,
            &[first],
        )?;
        docs.push((PROGRAMME_DOC.to_string(), programme));
        for d in &districts {
            let am = new_district_doc(&made, &d.id)?;
            docs.push((district_doc_id(&d.id), am));
        }
        let rows: Vec<(String, Vec<u8>, Vec<ChangeHash>)> = docs
            .iter()
            .map(|(id, am)| (id.clone(), am.save(), am.get_heads()))
            .collect();
        let created = time.to_string();
        let seed_text = seed.map(|s| s.to_string());
        let mut meta = vec![
            ("workspace_id", workspace_id.as_str()),
            ("device_id", device_id.as_str()),
            ("created_ms", created.as_str()),
        ];
        // Reproducible ids mean demo data: marked so `demo --replace` may
        // delete this workspace and no other.
        if let Some(s) = &seed_text {
            meta.push(("demo_seed", s.as_str()));
        }
        Db::create(&path, &meta, &rows)?;
        // Opening makes the creator the root of the membership log.
        let mut ws = Workspace::open(dir, options)?;
        ws.ids = ids;
        Ok(ws)
    }

    /// Opens the workspace in `dir`. Reads only (until the process closes
    /// it and refreshes stale views); a damaged store is reported and left
    /// exactly as it was.
    pub fn open(dir: &Path, options: Options) -> Result<Workspace, StoreError> {
        let mut db = Db::open(&dir.join(DB_FILE))?;
        let path = db.path.clone();
        let key = crate::identity::load(dir).ok().flatten();
        let state = {
            let tx = db.begin_read()?;
            // The device key's public half, else the id made with the file.
            let device = match &key {
                Some(k) => crate::identity::endpoint_hex(k),
                None => db::meta_get(&tx, "device_id")
                    .map_err(sqlite_err(&path))?
                    .unwrap_or_default(),
            };
            let author = AuthorInfo {
                person: options.person.clone(),
                device,
            };
            let mut state = State::load(&tx, &path, author, options.use_views)?;
            state.key = key;
            state
        };
        let mut ws = Workspace {
            dir: dir.to_path_buf(),
            db,
            state,
            ids: IdSource::Random,
            options,
        };
        ws.upgrade_membership()?;
        ws.upgrade_signing()?;
        Ok(ws)
    }

    /// A workspace a version without signed changes wrote holds unsigned
    /// changes no receiver would take. Its root device vouches for them
    /// once, with a checkpoint of the documents as they stand; every
    /// change after it is signed. (Another device's unsigned changes that
    /// had not reached the root by then are refused: sync every device
    /// with the root before upgrading it, see docs/SECURITY.md.)
    fn upgrade_signing(&mut self) -> Result<(), StoreError> {
        const FLAG: &str = "signed_changes";
        if !self.state.damaged.is_empty()
            || db::meta_get(&self.db.conn, FLAG)
                .map_err(sqlite_err(&self.db.path))?
                .is_some()
        {
            return Ok(());
        }
        let me = self.state.key.as_ref().map(crate::identity::endpoint_hex);
        let is_root = me.is_some() && me.as_deref() == self.state.trust.root.as_deref();
        // A workspace made by this version has just had its checkpoint
        // made (upgrade_membership): nothing unsigned came after it.
        let fresh = self.state.trust.roster.as_ref().is_some_and(|r| {
            self.state.docs.iter().all(|(id, d)| {
                let vouched: Vec<String> = r.checkpoint.get(id).cloned().unwrap_or_default();
                d.heads.iter().all(|h| vouched.contains(&h.to_string()))
            })
        });
        let result = self.write(|w| {
            if is_root && !fresh {
                w.checkpoint()?;
            }
            db::meta_pin(w.conn(), FLAG, "1").map_err(sqlite_err(w.path()))?;
            Ok(())
        });
        match result {
            Ok(()) | Err(EditError::Invalid(_)) => Ok(()),
            Err(EditError::Store(e)) => Err(e),
        }
    }

    /// A workspace just made by `init`, or one an older version wrote,
    /// keeps its members in the programme document. Its first member's
    /// device (the creator) turns them into the membership log, once: the root's certificate, a grant
    /// (and revocation) per member, a checkpoint of the documents. Any
    /// other device pins the creator as the root and takes the log at its
    /// next sync; until then it goes by the members it had. A damaged
    /// workspace is left exactly as it is.
    fn upgrade_membership(&mut self) -> Result<(), StoreError> {
        if self.state.trust.root.is_some() || !self.state.damaged.is_empty() {
            return Ok(());
        }
        let Some(creator) = self
            .state
            .model
            .members
            .values()
            .find(|m| m.added_by.is_empty())
            .map(|m| m.id.clone())
        else {
            return Ok(());
        };
        let me = self.state.key.as_ref().map(crate::identity::endpoint_hex);
        let result = if me.as_deref() == Some(creator.as_str()) {
            self.write(|w| w.establish_root())
        } else {
            self.pin_root(&creator).map_err(EditError::from)
        };
        match result {
            Ok(()) => Ok(()),
            Err(EditError::Store(e)) => Err(e),
            // The root's own grants are never refused.
            Err(EditError::Invalid(_)) => Ok(()),
        }
    }

    /// Pins `root` as the programme's root device (a device that joined,
    /// or was upgraded, before it received the log). Only the first pin
    /// counts.
    pub fn pin_root(&mut self, root: &str) -> Result<(), StoreError> {
        if self.state.trust.root.is_some() {
            return Ok(());
        }
        let path = self.db.path.clone();
        let tx = self.db.begin_write()?;
        db::meta_pin(&tx, "root", root).map_err(sqlite_err(&path))?;
        self.state.catch_up_trust(&tx, &path)?;
        tx.commit().map_err(sqlite_err(&path))
    }

    /// The acting device's key (signs its changes, certificates, bundles).
    pub fn key(&self) -> Option<&iroh::SecretKey> {
        self.state.key.as_ref()
    }

    /// The programme's root device, once known.
    pub fn root(&self) -> Option<&str> {
        self.state.trust.root.as_deref()
    }

    /// The membership certificates this device holds, as stored.
    pub fn certs(&self) -> &[crate::trust::Cert] {
        &self.state.trust.certs
    }

    /// Certificates of the membership log that do not count, and why.
    pub fn refused_certs(&self) -> Vec<(String, crate::trust::Refusal)> {
        self.state
            .trust
            .roster
            .as_ref()
            .map(|r| r.refused.clone())
            .unwrap_or_default()
    }

    /// The programme's root: the one pinned here, else the issuer of a
    /// root certificate among `certs` (a device that has not pinned one
    /// yet).
    pub(crate) fn root_with(&self, certs: &[crate::trust::Cert]) -> Option<String> {
        self.state.trust.root.clone().or_else(|| {
            certs.iter().find_map(|c| match c.body.kind {
                crate::trust::Kind::Root { .. } => Some(c.body.issuer.clone()),
                _ => None,
            })
        })
    }

    /// Takes in certificates a peer or a bundle brought: each is checked
    /// (signature, workspace) and stored once; the roster is computed
    /// anew. A device that has no root yet pins the root of the log it
    /// receives. Returns how many were new.
    pub fn add_certs(&mut self, certs: &[Vec<u8>]) -> Result<usize, StoreError> {
        let known: BTreeSet<&str> = self.certs().iter().map(|c| c.hash.as_str()).collect();
        let decoded: Vec<crate::trust::Cert> = certs
            .iter()
            .filter_map(|b| crate::trust::Cert::decode(b).ok())
            .filter(|c| c.body.workspace == self.state.workspace_id)
            .filter(|c| !known.contains(c.hash.as_str()))
            .collect();
        if decoded.is_empty() {
            return Ok(0);
        }
        let root = self.root_with(&decoded);
        // Kept: certificates by the root or by a device the log ever made
        // a member (a stranger cannot fill the store), up to a bound no
        // honest province reaches.
        let mut all: Vec<crate::trust::Cert> = self.certs().to_vec();
        all.extend(decoded.iter().cloned());
        let roster = root
            .as_deref()
            .map(|r| crate::trust::roster(&self.state.workspace_id, r, &all));
        let keep: Vec<&crate::trust::Cert> = decoded
            .iter()
            .filter(|c| {
                Some(c.body.issuer.as_str()) == root.as_deref()
                    || roster
                        .as_ref()
                        .is_some_and(|r| r.members.contains_key(&c.body.issuer))
            })
            .take(crate::trust::MAX_CERTS.saturating_sub(self.certs().len()))
            .collect();
        let path = self.db.path.clone();
        let revoked_before = self.revocations();
        let tx = self.db.begin_write()?;
        let err = sqlite_err(&path);
        let mut added = 0;
        for c in keep {
            if db::put_cert(&tx, &c.hash, c.bytes()).map_err(&err)? {
                added += 1;
            }
        }
        if let Some(root) = &root {
            db::meta_pin(&tx, "root", root).map_err(&err)?;
        }
        self.state.catch_up_trust(&tx, &path)?;
        tx.commit().map_err(sqlite_err(&path))?;
        // Only news of a revocation can make merged changes void.
        if self.revocations() != revoked_before {
            self.purge_revoked()?;
        }
        Ok(added)
    }

    /// The revocations the log holds, as they bear on changes.
    fn revocations(&self) -> BTreeMap<String, crate::trust::Revocation> {
        self.state
            .trust
            .roster
            .as_ref()
            .map(|r| r.revoked.clone())
            .unwrap_or_default()
    }

    /// Takes out of every document the changes a revoked device made after
    /// its revocation's cut-off (merged here before the revocation was
    /// known), and everything built on them, so this device ends as every
    /// device that heard of the revocation first. Each is recorded as
    /// refused. Nothing to do, and nothing read, without revocations.
    pub fn purge_revoked(&mut self) -> Result<usize, StoreError> {
        let Some(roster) = self.state.trust.roster.clone() else {
            return Ok(0);
        };
        if roster.revoked.is_empty() {
            return Ok(0);
        }
        let path = self.db.path.clone();
        let tx = self.db.begin_write()?;
        self.state.catch_up(&tx, &path)?;
        let ids: Vec<String> = self.state.docs.keys().cloned().collect();
        let author = self.state.author.clone();
        let through = self.state.last_seq;
        let mut purged = Vec::new();
        for id in ids {
            let cutoffs: BTreeMap<automerge::ActorId, (String, u64)> = roster
                .revoked
                .iter()
                .map(|(dev, r)| {
                    (
                        crate::trust::changes::actor_for(dev, &id),
                        (dev.clone(), r.cutoff.get(&id).copied().unwrap_or(0)),
                    )
                })
                .collect();
            let am = self.state.loaded(&tx, &path, &id)?;
            let metas = am.get_changes_meta(&[]);
            let mut bad: BTreeMap<ChangeHash, String> = metas
                .iter()
                .filter_map(|m| {
                    let (dev, cut) = cutoffs.get(&*m.actor)?;
                    (m.seq > *cut).then(|| (m.hash, dev.clone()))
                })
                .collect();
            if bad.is_empty() {
                continue;
            }
            // What builds on them goes too.
            loop {
                let more: Vec<(ChangeHash, String)> = metas
                    .iter()
                    .filter(|m| !bad.contains_key(&m.hash))
                    .filter(|m| m.deps.iter().any(|d| bad.contains_key(d)))
                    .map(|m| (m.hash, m.actor.to_hex_string()))
                    .collect();
                if more.is_empty() {
                    break;
                }
                bad.extend(more);
            }
            let kept: BTreeSet<ChangeHash> = metas
                .iter()
                .map(|m| m.hash)
                .filter(|h| !bad.contains_key(h))
                .collect();
            let depended: BTreeSet<ChangeHash> = metas
                .iter()
                .filter(|m| kept.contains(&m.hash))
                .flat_map(|m| m.deps.iter().copied())
                .collect();
            let heads: Vec<ChangeHash> = kept.difference(&depended).copied().collect();
            let mut clean = am.fork_at(&heads).map_err(|e| StoreError::Automerge {
                doc: id.clone(),
                detail: e.to_string(),
            })?;
            state::writes_as(&mut clean, &id, &author);
            db::rewrite_doc(&tx, &id, &clean.save(), &clean.get_heads(), through)
                .map_err(sqlite_err(&path))?;
            *am = clean;
            let now = now_ms();
            for (hash, author) in bad {
                self.state.refused.insert(hash);
                purged.push(RefusalRow {
                    at_ms: now,
                    source: "revocation".into(),
                    doc: id.clone(),
                    change: hash.to_string(),
                    author,
                    record: None,
                    reason: Reason::Revoked.code(),
                });
            }
            if let Some(d) = self.state.docs.get_mut(&id) {
                d.generation = d.generation.saturating_add(1);
            }
            self.state.reread(&id)?;
        }
        db::put_refusals(&tx, &purged).map_err(sqlite_err(&path))?;
        tx.commit().map_err(sqlite_err(&path))?;
        Ok(purged.len())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The programme as last read or written by this process.
    pub fn model(&self) -> &Model {
        &self.state.model
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    pub fn workspace_id(&self) -> &str {
        &self.state.workspace_id
    }

    pub fn author(&self) -> &AuthorInfo {
        &self.state.author
    }

    /// Records that could not be read (kept on disk as they are).
    pub fn damaged(&self) -> &[Damaged] {
        &self.state.damaged
    }

    /// Acts as another device from now on: its key decides which member
    /// the following writes are checked as and recorded for. `None` goes
    /// back to this data directory's own key. For tests and tools that
    /// hold another device's key; the command line never offers it.
    pub fn act_as(&mut self, key: Option<&iroh::SecretKey>) -> Result<(), StoreError> {
        let device = match key {
            Some(k) => crate::identity::endpoint_hex(k),
            None => match crate::identity::load(&self.dir) {
                Ok(Some(k)) => crate::identity::endpoint_hex(&k),
                _ => db::meta_get(&self.db.conn, "device_id")
                    .map_err(sqlite_err(&self.db.path))?
                    .unwrap_or_default(),
            },
        };
        self.state.set_author(AuthorInfo {
            person: self.options.person.clone(),
            device,
        });
        self.state.key = match key {
            Some(k) => Some(k.clone()),
            None => crate::identity::load(&self.dir).ok().flatten(),
        };
        Ok(())
    }

    /// Makes new ids reproducible from `seed` (demo data).
    pub fn seed_ids(&mut self, seed: u64) {
        self.ids = IdSource::Seeded(Box::new(ChaCha8Rng::seed_from_u64(seed)));
    }

    /// Loads what other processes wrote since we last looked. Returns whether
    /// anything changed.
    pub fn refresh(&mut self) -> Result<bool, StoreError> {
        let path = self.db.path.clone();
        let tx = self.db.begin_read()?;
        let changed = self.state.catch_up(&tx, &path)?;
        Ok(!changed.is_empty())
    }

    /// Makes one or more edits, all saved together or not at all.
    ///
    /// The closure sees the latest model (including other processes' writes)
    /// and edits through the [`Writer`]; each edit is checked against the
    /// programme's rules. `Ok` means everything is on disk.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T, EditError>,
    ) -> Result<T, EditError> {
        self.write_or_undo(f)
    }

    /// Like `write`, for callers with their own error type: any error
    /// rolls the whole write back (an import that only checks its rows,
    /// for one).
    pub fn write_or_undo<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let today = self.options.today;
        self.transaction(|tx| {
            let mut w = Writer::new(
                tx.conn, tx.path, tx.state, tx.ids, today, tx.touched, tx.created,
            );
            f(&mut w)
        })
    }

    /// The frame of every write: the write lock, catching up with other
    /// processes, the changes, one chunk per touched document, COMMIT. On
    /// any error nothing is kept, on disk or in memory.
    pub(crate) fn transaction<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let path = self.db.path.clone();
        let mut touched = BTreeMap::new();
        let mut created = BTreeSet::new();
        let result = (|| {
            let tx = self.db.begin_write()?;
            self.state.catch_up(&tx, &path)?;
            let mut t = Tx {
                conn: &tx,
                path: &path,
                state: &mut self.state,
                ids: &mut self.ids,
                touched: &mut touched,
                created: &mut created,
            };
            let value = f(&mut t)?;
            self.state.persist(&tx, &path, &touched, &created)?;
            tx.commit().map_err(|source| StoreError::Sqlite {
                path: path.clone(),
                source,
            })?;
            Ok(value)
        })();
        let issued = std::mem::take(&mut self.state.trust.dirty);
        match result {
            Ok(value) => {
                // The data is safe; compaction is housekeeping that the next
                // write retries if it fails now.
                let _ = self.compact_if_needed(touched.keys());
                Ok(value)
            }
            Err(e) => {
                // Drop in-memory changes that did not reach the disk.
                if !touched.is_empty() || !created.is_empty() || issued {
                    let tx = self.db.begin_read()?;
                    let author = self.state.author.clone();
                    let key = self.state.key.take();
                    self.state = State::load(&tx, &path, author, self.options.use_views)?;
                    self.state.key = key;
                }
                Err(e)
            }
        }
    }

    fn compact_if_needed<'a>(
        &mut self,
        docs: impl Iterator<Item = &'a String>,
    ) -> Result<(), StoreError> {
        // Many small chunks cost a lookup each; a few big ones (a bulk
        // write) cost a replay of every change in them. Either way a fresh
        // snapshot loads faster.
        let due: Vec<String> = docs
            .filter(|d| {
                db::chunk_stats(&self.db.conn, d).is_ok_and(|(count, bytes, snapshot)| {
                    count >= self.options.compact_after || bytes >= snapshot.max(256 * 1024)
                })
            })
            .cloned()
            .collect();
        for doc in due {
            self.compact(&doc)?;
        }
        Ok(())
    }

    /// Gives the space of old snapshots back to the file system (after a
    /// bulk load). Waits for other processes' writes like any write.
    pub fn vacuum(&mut self) -> Result<(), StoreError> {
        self.db
            .conn
            .execute_batch("VACUUM")
            .map_err(sqlite_err(&self.db.path))
    }

    /// Folds a document's chunks into a new snapshot. Under the write lock:
    /// first load every chunk anyone wrote, then replace exactly those.
    pub fn compact(&mut self, doc: &str) -> Result<(), StoreError> {
        let path = self.db.path.clone();
        let tx = self.db.begin_write()?;
        self.state.catch_up(&tx, &path)?;
        if !self.state.docs.contains_key(doc) {
            return Ok(());
        }
        let snapshot = self.state.loaded(&tx, &path, doc)?.save();
        db::replace_snapshot(&tx, doc, &snapshot, self.state.last_seq)
            .map_err(sqlite_err(&path))?;
        tx.commit().map_err(sqlite_err(&path))?;
        if let Some(d) = self.state.docs.get_mut(doc) {
            d.generation += 1;
        }
        Ok(())
    }

    /// Compacts every document (after a bulk load such as demo data, so the
    /// next open reads snapshots instead of replaying each change).
    pub fn compact_all(&mut self) -> Result<(), StoreError> {
        let ids: Vec<String> = self.state.docs.keys().cloned().collect();
        for id in ids {
            self.compact(&id)?;
        }
        Ok(())
    }

    /// The change history of one record, oldest first. Loads the record's
    /// document if only its view was read.
    pub fn history(&mut self, what: Entity, id: &Id) -> Result<Vec<HistoryEntry>, StoreError> {
        let path = self.db.path.clone();
        let tx = self.db.begin_read()?;
        self.state.catch_up(&tx, &path)?;
        let Some(doc) = history::document_of(&self.state, what, id) else {
            return Ok(Vec::new());
        };
        self.state.loaded(&tx, &path, &doc)?;
        history::history(&self.state, what, id)
    }

    /// Writes the views of documents this process read or changed whose
    /// stored view is out of date, so the next open is fast. A cache: it
    /// waits for another process's write only briefly and may be skipped.
    pub fn save_views(&mut self) -> Result<(), StoreError> {
        if !self.state.docs.values().any(|d| d.view_stale) {
            return Ok(());
        }
        let path = self.db.path.clone();
        let err = sqlite_err(&path);
        self.db
            .conn
            .busy_timeout(Duration::from_millis(300))
            .map_err(&err)?;
        let result = (|| {
            let tx = self.db.begin_write()?;
            self.state.save_views(&tx, &path)?;
            tx.commit().map_err(&err)
        })();
        self.db.conn.busy_timeout(db::BUSY_TIMEOUT).map_err(&err)?;
        result
    }
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("dir", &self.dir)
            .field("workspace_id", &self.state.workspace_id)
            .finish_non_exhaustive()
    }
}

impl Drop for Workspace {
    /// Refreshes stale views, best effort: they are a cache.
    fn drop(&mut self) {
        let _ = self.save_views();
    }
}

/// Deletes the workspace in `dir` if it holds demo data (made with a seed);
/// refuses to touch any other. Returns whether one was deleted.
pub fn remove_demo(dir: &Path) -> Result<bool, StoreError> {
    let path = dir.join(DB_FILE);
    if !path.exists() {
        return Ok(false);
    }
    let is_demo = {
        let db = Db::open(&path)?;
        db::meta_get(&db.conn, "demo_seed")
            .map_err(sqlite_err(&path))?
            .is_some()
    };
    if !is_demo {
        return Err(StoreError::NotDemo {
            dir: dir.to_path_buf(),
        });
    }
    for suffix in ["", "-wal", "-shm"] {
        let p = dir.join(format!("{DB_FILE}{suffix}"));
        if p.exists() {
            std::fs::remove_file(&p).map_err(|source| StoreError::Io {
                path: p.clone(),
                source,
            })?;
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests;

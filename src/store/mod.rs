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

mod append;
mod aside;
pub mod blobs;
mod conflicts;
mod db;
mod doctor;
mod edit;
mod error;
mod evidence;
mod exchange;
mod history;
pub mod layout;
mod mapping;
mod membership;
mod order;
mod quick;
mod state;
mod verify;
mod view;
mod writer;

pub use crate::domain::Conflict;
pub use crate::domain::HistoryEntry;
pub use aside::{remove_demo, set_aside, set_aside_unused};
pub use db::{KeptRow, PeerRow, RefusalRow};
pub use doctor::{DocFigures, DocHealth, DoctorReport, Membership, doctor};
pub use error::{EditError, StoreError};
pub use evidence::{FilesHealth, NewFile, Wanted};
pub use exchange::{Outgoing, Received, Waiting, valid_doc_id};
pub use layout::Damaged;
pub use quick::{RecordHistory, quick_history};
pub use verify::panic_is_contained;
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
    /// Compact documents as writes go (off for a bulk load that compacts
    /// everything once at its end: the province demo spent a fifth of its
    /// time compacting documents it was still filling).
    pub auto_compact: bool,
    /// Read documents from their cached views when those are fresh (see
    /// `view.rs`); off, every document is read from its automerge data.
    pub use_views: bool,
    /// What of each document the model holds.
    pub records: Records,
    /// Keep the history index up, and compact, when this process is idle
    /// (`Workspace::upkeep`), not in each write: for the interface, whose
    /// saves a user waits on. Off, each write does both (a command writes
    /// once and exits).
    pub upkeep_when_idle: bool,
}

/// What of each document a process's model holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Records {
    /// Every record: what screens, commands and reports read.
    #[default]
    All,
    /// What syncing reads and no more: the programme document whole
    /// (members, used invites, districts) and each district's
    /// kindergartens, pairings and attachments (who may read which
    /// document, which files to fetch or offer), not its visits,
    /// inspections, reports or summaries. Changes that arrive are judged
    /// from the roster and the documents themselves (`verify.rs`), so
    /// nothing left out is read. For the interface's background sync, a
    /// second handle on a workspace the interface holds whole. Such a
    /// workspace never writes views (they would lack what it left out),
    /// keeps no conflicts, and must make no record writes whose rules read
    /// what it left out: it receives, offers and admits members.
    ForSync,
}

impl Options {
    pub fn new(person: impl Into<String>, today: NaiveDate) -> Options {
        Options {
            person: person.into(),
            today,
            compact_after: 256,
            auto_compact: true,
            use_views: true,
            records: Records::All,
            upkeep_when_idle: false,
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

/// A new programme's districts (in the order given, ids drawn from
/// `ids`) and its targets of those districts.
fn setup_records(setup: &ProgrammeSetup, ids: &mut IdSource) -> (Vec<District>, Vec<PlanTarget>) {
    let districts: Vec<District> = setup
        .districts
        .iter()
        .zip(1i64..)
        .map(|(name, position)| District {
            id: ids.next(),
            name: name.trim().to_string(),
            position,
            towns: Vec::new(),
            directory: Default::default(),
        })
        .collect();
    let targets = setup
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
    (districts, targets)
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
        data_dir_ok(dir)?;
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
        let (districts, targets) = setup_records(setup, &mut ids);
        let time = now_ms();
        let author = AuthorInfo {
            person: options.person.clone(),
            device: device_id.clone(),
        };
        let first = Member::root(&device_id, &options.person, options.today);
        let made = Made {
            workspace: &workspace_id,
            time,
            author: &author,
        };
        let mut docs = vec![(
            PROGRAMME_DOC.to_string(),
            new_programme_doc(
                &made,
                &setup.programme,
                &districts,
                &setup.years,
                &targets,
                &[first],
            )?,
        )];
        for d in &districts {
            docs.push((district_doc_id(&d.id), new_district_doc(&made, &d.id)?));
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
        ws.index_every_document()?;
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
            let author = state::author_of(&tx, &path, key.as_ref(), &options)?;
            let mut state = State::load(&tx, &path, author, &options)?;
            state.key = key;
            // What an interface killed before its upkeep left undone.
            if options.upkeep_when_idle {
                let pending = db::upkeep_pending(&tx).map_err(sqlite_err(&path))?;
                state.awaiting_upkeep = pending
                    .into_iter()
                    .filter(|d| state.docs.contains_key(d))
                    .collect();
            }
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

    /// Values two devices set differently while apart, not yet settled
    /// (`Writer::pick`): the record, the field, the value shown and those
    /// set aside.
    pub fn conflicts(&self) -> &[Conflict] {
        &self.state.conflicts
    }

    /// The open conflicts of one record.
    pub fn conflicts_of(&self, id: &Id) -> Vec<&Conflict> {
        let key = id.to_string();
        self.state
            .conflicts
            .iter()
            .filter(|c| c.record == key)
            .collect()
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
        // Undone with the write: a document listed only by it is not
        // marked on disk either.
        let awaiting = self.state.awaiting_upkeep.clone();
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
                // write retries if it fails now (or `upkeep` does).
                if !self.options.upkeep_when_idle {
                    let _ = self.compact_if_needed(touched.keys());
                }
                Ok(value)
            }
            Err(e) => {
                // Drop in-memory changes that did not reach the disk.
                if !touched.is_empty() || !created.is_empty() || issued {
                    let tx = self.db.begin_read()?;
                    let author = self.state.author.clone();
                    let key = self.state.key.take();
                    let scope = self.state.scope.clone();
                    let options = &self.options;
                    self.state = State::load_scoped(&tx, &path, author, options, scope)?;
                    self.state.key = key;
                }
                self.state.awaiting_upkeep = awaiting;
                Err(e)
            }
        }
    }

    fn compact_if_needed<'a>(
        &mut self,
        docs: impl Iterator<Item = &'a String>,
    ) -> Result<(), StoreError> {
        if !self.options.auto_compact {
            return Ok(());
        }
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

    /// The upkeep of the documents this process wrote with
    /// `Options::upkeep_when_idle`: their history index brought up to
    /// date, then compaction where due. The interface calls it when idle,
    /// and closing does. Nothing to do, nothing read, when it wrote none.
    pub fn upkeep(&mut self) -> Result<(), StoreError> {
        if self.state.awaiting_upkeep.is_empty() {
            return Ok(());
        }
        let path = self.db.path.clone();
        let err = sqlite_err(&path);
        let tx = self.db.begin_write()?;
        self.state.catch_up(&tx, &path)?;
        let docs: Vec<String> = self.state.awaiting_upkeep.iter().cloned().collect();
        for doc in &docs {
            let Some(d) = self.state.docs.get(doc) else {
                continue;
            };
            // Records added without loading the document, indexed from
            // their changes while the index reaches up to the first.
            if let (None, Some(u)) = (&d.am, self.state.unindexed.get(doc))
                && history::follow_appended(&tx, doc, &u.before, &u.changes, &u.tips, &u.places)
                    .map_err(&err)?
            {
                continue;
            }
            let am = self.state.loaded(&tx, &path, doc)?;
            history::keep_up(&tx, doc, am).map_err(&err)?;
        }
        db::fold_recent_sigs(&tx).map_err(&err)?;
        db::clear_upkeep_pending(&tx, &self.state.awaiting_upkeep).map_err(&err)?;
        tx.commit().map_err(&err)?;
        self.state.awaiting_upkeep.clear();
        self.state.unindexed.clear();
        self.compact_if_needed(docs.iter())
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
        let am = self.state.loaded(&tx, &path, doc)?;
        let snapshot = am.save();
        // Compaction is upkeep: the history index is brought up to date too.
        history::keep_up(&tx, doc, am).map_err(sqlite_err(&path))?;
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

    /// The change history of one record, oldest first: rows of the history
    /// index, brought up to date first if it is behind.
    pub fn history(&mut self, what: Entity, id: &Id) -> Result<Vec<HistoryEntry>, StoreError> {
        let path = self.db.path.clone();
        let err = sqlite_err(&path);
        let tx = self.db.begin_read()?;
        self.state.catch_up(&tx, &path)?;
        let Some((doc, collection)) = history::location(&self.state, what, id) else {
            return Ok(Vec::new());
        };
        let rows = if history::is_current(&tx, &self.state, &doc).map_err(&err)? {
            db::history_rows(&tx, &doc, id.as_str()).map_err(&err)?
        } else {
            drop(tx);
            self.index_rows(&doc, id)?
        };
        Ok(history::entries(&self.state, &doc, collection, &rows))
    }

    /// The index rows of record `id` in document `doc`, reading the index
    /// as it is when it is up to date.
    fn history_rows(&mut self, doc: &str, id: &Id) -> Result<db::HistoryRows, StoreError> {
        let path = self.db.path.clone();
        let err = sqlite_err(&path);
        let tx = self.db.begin_read()?;
        self.state.catch_up(&tx, &path)?;
        if history::is_current(&tx, &self.state, doc).map_err(&err)? {
            return db::history_rows(&tx, doc, id.as_str()).map_err(&err);
        }
        drop(tx);
        self.index_rows(doc, id)
    }

    /// The index rows of record `id` in document `doc` once the index is
    /// brought up to date under the write lock; a workspace this process
    /// may not write is read from the document itself.
    fn index_rows(&mut self, doc: &str, id: &Id) -> Result<db::HistoryRows, StoreError> {
        let path = self.db.path.clone();
        if let Ok(tx) = self.db.begin_write() {
            self.state.catch_up(&tx, &path)?;
            let am = self.state.loaded(&tx, &path, doc)?;
            let kept = history::keep_up(&tx, doc, am)
                .and_then(|()| db::history_rows(&tx, doc, id.as_str()));
            if let Ok(rows) = kept
                && tx.commit().is_ok()
            {
                return Ok(rows);
            }
        }
        let tx = self.db.begin_read()?;
        self.state.catch_up(&tx, &path)?;
        let am = self.state.loaded(&tx, &path, doc)?;
        Ok(history::unindexed(am, id.as_str()))
    }

    /// The history of a record no longer here (deleted): looked for in
    /// every document, as district, kindergarten, pairing, visit or
    /// inspection; the kind and the entries of the first found.
    pub fn deleted_history(
        &mut self,
        id: &Id,
    ) -> Result<Option<(Entity, Vec<HistoryEntry>)>, StoreError> {
        let path = self.db.path.clone();
        let tx = self.db.begin_read()?;
        self.state.catch_up(&tx, &path)?;
        drop(tx);
        let docs: Vec<String> = self
            .state
            .docs
            .keys()
            .filter(|d| d.as_str() == PROGRAMME_DOC || district_of_doc(d).is_some())
            .cloned()
            .collect();
        for doc in &docs {
            let rows = self.history_rows(doc, id)?;
            for what in [
                Entity::District,
                Entity::Visit,
                Entity::Inspection,
                Entity::Pairing,
                Entity::Kindergarten,
                Entity::MonthlyReport,
                Entity::AnnualSummary,
            ] {
                let collection = history::collection_of(what);
                let entries = history::entries(&self.state, doc, collection, &rows);
                if !entries.is_empty() {
                    return Ok(Some((what, entries)));
                }
            }
        }
        Ok(None)
    }

    /// Writes the views of documents this process read or changed whose
    /// stored view is out of date, so the next open is fast. A cache: it
    /// waits for another process's write only briefly and may be skipped.
    pub fn save_views(&mut self) -> Result<(), StoreError> {
        if !self.state.writes_views() {
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
    /// Indexes what it wrote and refreshes stale views, best effort: they
    /// are caches.
    fn drop(&mut self) {
        let _ = self.upkeep();
        let _ = self.save_views();
    }
}

/// A visit as the map its district's document holds under `visits` (the
/// bench writes the same map to a plain automerge document as the
/// baseline of a save).
pub fn visit_map(v: &Visit) -> automerge::hydrate::Map {
    use mapping::Record;
    v.to_map()
}

/// Refuses a data directory that exists and is not a directory (a file
/// named by mistake), before anything is read or written there.
pub(crate) fn data_dir_ok(dir: &Path) -> Result<(), StoreError> {
    if dir.exists() && !dir.is_dir() {
        return Err(StoreError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;

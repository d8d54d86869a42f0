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
mod error;
mod history;
pub mod layout;
mod mapping;
mod writer;

pub use error::{EditError, StoreError};
pub use history::HistoryEntry;
pub use layout::Damaged;
pub use writer::Writer;

use crate::domain::plan::ProgrammeSetup;
use crate::domain::*;
use automerge::{Author, Automerge, ChangeHash};
use chrono::NaiveDate;
use db::Db;
use layout::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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
}

impl Options {
    pub fn new(person: impl Into<String>, today: NaiveDate) -> Options {
        Options {
            person: person.into(),
            today,
            compact_after: 256,
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

/// One automerge document in memory.
pub(crate) struct Doc {
    pub am: Automerge,
    /// The compaction generation of the snapshot this copy was built from.
    pub generation: i64,
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

/// Documents, the model built from them, and how far we have read.
pub(crate) struct State {
    pub workspace_id: String,
    pub author: AuthorInfo,
    pub docs: BTreeMap<String, Doc>,
    pub model: Model,
    /// The last chunk this process has loaded.
    pub last_seq: i64,
    pub damaged: Vec<Damaged>,
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
        let device_id = new_random_id().to_string();
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
        let mut programme = new_programme_doc(
            &workspace_id,
            time,
            &setup.programme,
            &districts,
            &setup.years,
            &targets,
        )?;
        programme.set_author(Some(author.to_author()));
        docs.push((PROGRAMME_DOC.to_string(), programme));
        for d in &districts {
            let mut am = new_district_doc(&workspace_id, time, &d.id)?;
            am.set_author(Some(author.to_author()));
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
        let mut ws = Workspace::open(dir, options)?;
        ws.ids = ids;
        Ok(ws)
    }

    /// Opens the workspace in `dir`. Reads only; a damaged store is
    /// reported and left exactly as it was.
    pub fn open(dir: &Path, options: Options) -> Result<Workspace, StoreError> {
        let mut db = Db::open(&dir.join(DB_FILE))?;
        let state = {
            let path = db.path.clone();
            let tx = db.begin_read()?;
            let err = |source| StoreError::Sqlite {
                path: path.clone(),
                source,
            };
            let workspace_id = db::meta_get(&tx, "workspace_id")
                .map_err(err)?
                .ok_or_else(|| StoreError::NotAWorkspace { path: path.clone() })?;
            let device = db::meta_get(&tx, "device_id")
                .map_err(err)?
                .unwrap_or_default();
            let author = AuthorInfo {
                person: options.person.clone(),
                device,
            };
            let mut docs = BTreeMap::new();
            for (id, _, _) in db::doc_versions(&tx).map_err(err)? {
                let doc = load_doc(&tx, &path, &id, &author)?;
                docs.insert(id, doc);
            }
            let last_seq = db::last_seq(&tx).map_err(err)?;
            let mut damaged = Vec::new();
            let model = build_model(&docs, &workspace_id, &mut damaged)?;
            State {
                workspace_id,
                author,
                docs,
                model,
                last_seq,
                damaged,
            }
        };
        Ok(Workspace {
            dir: dir.to_path_buf(),
            db,
            state,
            ids: IdSource::Random,
            options,
        })
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
        let path = self.db.path.clone();
        let mut touched = BTreeMap::new();
        let mut created = BTreeSet::new();
        let result = (|| {
            let tx = self.db.begin_write()?;
            self.state.catch_up(&tx, &path)?;
            let mut w = Writer::new(
                &mut self.state,
                &mut self.ids,
                self.options.today,
                &mut touched,
                &mut created,
            );
            let value = f(&mut w)?;
            self.state.persist(&tx, &path, &touched, &created)?;
            tx.commit().map_err(|source| StoreError::Sqlite {
                path: path.clone(),
                source,
            })?;
            Ok(value)
        })();
        match result {
            Ok(value) => {
                // The data is safe; compaction is housekeeping that the next
                // write retries if it fails now.
                let _ = self.compact_if_needed(touched.keys());
                Ok(value)
            }
            Err(e) => {
                // Drop in-memory changes that did not reach the disk.
                if !touched.is_empty() || !created.is_empty() {
                    self.state.reload(&mut self.db, &path)?;
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
        let Some(d) = self.state.docs.get_mut(doc) else {
            return Ok(());
        };
        let snapshot = d.am.save();
        let err = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        db::replace_snapshot(&tx, doc, &snapshot, self.state.last_seq).map_err(err)?;
        tx.commit().map_err(err)?;
        d.generation += 1;
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

    /// The change history of one record, oldest first.
    pub fn history(&self, what: Entity, id: &Id) -> Result<Vec<HistoryEntry>, StoreError> {
        history::history(&self.state, what, id)
    }
}

fn sqlite_err(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

/// Loads one document: its snapshot, then each chunk on top, then checks
/// that it reached the heads recorded with the last write.
fn load_doc(
    conn: &Connection,
    path: &Path,
    id: &str,
    author: &AuthorInfo,
) -> Result<Doc, StoreError> {
    let damaged = |detail: String| StoreError::Damaged {
        doc: id.to_string(),
        detail,
    };
    let (snapshot, generation, heads) = db::doc_row(conn, id)
        .map_err(sqlite_err(path))?
        .ok_or_else(|| damaged("missing".into()))?;
    let mut am = Automerge::load(&snapshot)
        .map_err(|e| damaged(format!("its snapshot does not load ({e})")))?;
    for chunk in db::chunks_after(conn, 0, Some(id)).map_err(sqlite_err(path))? {
        am.load_incremental(&chunk.data)
            .map_err(|e| damaged(format!("change chunk #{} does not load ({e})", chunk.seq)))?;
    }
    check_heads(&am, id, &heads)?;
    am.set_author(Some(author.to_author()));
    Ok(Doc { am, generation })
}

fn check_heads(am: &Automerge, id: &str, stored: &[u8]) -> Result<(), StoreError> {
    let expected = db::decode_heads(stored).ok_or_else(|| StoreError::Damaged {
        doc: id.to_string(),
        detail: "its recorded heads are unreadable".into(),
    })?;
    let mut have = am.get_heads();
    have.sort();
    if have != expected {
        return Err(StoreError::Damaged {
            doc: id.to_string(),
            detail: format!(
                "changes are missing: it loads to {} head(s) that differ from the {} recorded",
                have.len(),
                expected.len()
            ),
        });
    }
    Ok(())
}

fn build_model(
    docs: &BTreeMap<String, Doc>,
    workspace: &str,
    damaged: &mut Vec<Damaged>,
) -> Result<Model, StoreError> {
    let programme = docs.get(PROGRAMME_DOC).ok_or_else(|| StoreError::Damaged {
        doc: PROGRAMME_DOC.into(),
        detail: "missing".into(),
    })?;
    let p = read_programme(&programme.am, workspace, damaged)?;
    let mut model = Model::new(p.programme);
    model.districts = p.districts;
    model.years = p.years;
    model.targets = p.targets;
    model.city_summaries = p.summaries;
    for (id, doc) in docs {
        if let Some(district) = district_of_doc(id) {
            let data = read_district(&doc.am, id, workspace, &district, damaged)?;
            model.data.insert(district, data);
        }
    }
    Ok(model)
}

impl State {
    /// Loads every chunk and document other processes wrote since we last
    /// looked; rebuilds the parts of the model they touch. Returns the
    /// documents that changed.
    fn catch_up(&mut self, conn: &Connection, path: &Path) -> Result<BTreeSet<String>, StoreError> {
        let err = sqlite_err(path);
        let mut changed = BTreeSet::new();
        let mut fresh = BTreeSet::new();
        for (id, generation, _) in db::doc_versions(conn).map_err(&err)? {
            match self.docs.get_mut(&id) {
                None => {
                    let doc = load_doc(conn, path, &id, &self.author)?;
                    self.docs.insert(id.clone(), doc);
                    fresh.insert(id.clone());
                    changed.insert(id);
                }
                Some(d) if d.generation != generation => {
                    // Another process compacted: its snapshot may hold
                    // chunks we never saw and that are now deleted.
                    let (snapshot, _, _) =
                        db::doc_row(conn, &id).map_err(&err)?.ok_or_else(|| {
                            StoreError::Damaged {
                                doc: id.clone(),
                                detail: "missing".into(),
                            }
                        })?;
                    d.am.load_incremental(&snapshot)
                        .map_err(|e| StoreError::Damaged {
                            doc: id.clone(),
                            detail: format!("its snapshot does not load ({e})"),
                        })?;
                    d.generation = generation;
                    changed.insert(id);
                }
                Some(_) => {}
            }
        }
        for chunk in db::chunks_after(conn, self.last_seq, None).map_err(&err)? {
            if !fresh.contains(&chunk.doc)
                && let Some(d) = self.docs.get_mut(&chunk.doc)
            {
                d.am.load_incremental(&chunk.data)
                    .map_err(|e| StoreError::Damaged {
                        doc: chunk.doc.clone(),
                        detail: format!("change chunk #{} does not load ({e})", chunk.seq),
                    })?;
                changed.insert(chunk.doc.clone());
            }
        }
        self.last_seq = self.last_seq.max(db::last_seq(conn).map_err(&err)?);
        if changed.is_empty() {
            return Ok(changed);
        }
        for (id, _, heads) in db::doc_versions(conn).map_err(&err)? {
            if changed.contains(&id)
                && let Some(d) = self.docs.get(&id)
            {
                check_heads(&d.am, &id, &heads)?;
            }
        }
        self.rebuild(&changed)?;
        Ok(changed)
    }

    /// Rebuilds the model from the given documents.
    fn rebuild(&mut self, docs: &BTreeSet<String>) -> Result<(), StoreError> {
        self.damaged.retain(|d| !docs.contains(&d.doc));
        for id in docs {
            let Some(doc) = self.docs.get(id) else {
                continue;
            };
            if id == PROGRAMME_DOC {
                let p = read_programme(&doc.am, &self.workspace_id, &mut self.damaged)?;
                self.model.programme = p.programme;
                self.model.districts = p.districts;
                self.model.years = p.years;
                self.model.targets = p.targets;
                self.model.city_summaries = p.summaries;
            } else if let Some(district) = district_of_doc(id) {
                let data = read_district(
                    &doc.am,
                    id,
                    &self.workspace_id,
                    &district,
                    &mut self.damaged,
                )?;
                self.model.data.insert(district, data);
            }
        }
        Ok(())
    }

    /// Writes what this process changed: a chunk per touched document, a
    /// snapshot per new one. Inside the caller's write transaction.
    fn persist(
        &mut self,
        conn: &Connection,
        path: &Path,
        touched: &BTreeMap<String, Vec<ChangeHash>>,
        created: &BTreeSet<String>,
    ) -> Result<(), StoreError> {
        let err = sqlite_err(path);
        for id in created {
            if let Some(d) = self.docs.get(id) {
                db::insert_doc(conn, id, &d.am.save(), &d.am.get_heads()).map_err(&err)?;
            }
        }
        for (id, before) in touched {
            if created.contains(id) {
                continue;
            }
            let Some(d) = self.docs.get(id) else {
                continue;
            };
            let bytes = d.am.save_after(before);
            if bytes.is_empty() {
                continue;
            }
            let seq = db::insert_chunk(conn, id, &bytes, &d.am.get_heads()).map_err(&err)?;
            self.last_seq = self.last_seq.max(seq);
        }
        Ok(())
    }

    /// Throws away everything in memory and reads the disk again.
    fn reload(&mut self, db: &mut Db, path: &Path) -> Result<(), StoreError> {
        let tx = db.begin_read()?;
        let err = sqlite_err(path);
        let mut docs = BTreeMap::new();
        for (id, _, _) in db::doc_versions(&tx).map_err(&err)? {
            docs.insert(id.clone(), load_doc(&tx, path, &id, &self.author)?);
        }
        self.last_seq = db::last_seq(&tx).map_err(&err)?;
        let mut damaged = Vec::new();
        self.model = build_model(&docs, &self.workspace_id, &mut damaged)?;
        self.docs = docs;
        self.damaged = damaged;
        Ok(())
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

/// Health of one document, as `doctor` reports it.
#[derive(Debug)]
pub struct DocHealth {
    pub id: String,
    /// The district's name, when the programme document could be read.
    pub name: Option<String>,
    pub result: Result<DocFigures, StoreError>,
}

/// What a healthy document holds.
#[derive(Debug, Clone)]
pub struct DocFigures {
    pub changes: usize,
    pub chunks: i64,
    pub records: usize,
}

/// Everything `doctor` found.
#[derive(Debug)]
pub struct DoctorReport {
    pub path: PathBuf,
    /// SQLite's own check of the file.
    pub file: Result<(), String>,
    pub docs: Vec<DocHealth>,
    pub damaged: Vec<Damaged>,
}

/// Checks every document on its own, so one damaged document does not hide
/// the state of the others. Reads only.
pub fn doctor(dir: &Path, options: Options) -> Result<DoctorReport, StoreError> {
    let mut db = Db::open(&dir.join(DB_FILE))?;
    let path = db.path.clone();
    let file = {
        let r: Result<String, _> = db.conn.query_row("PRAGMA quick_check", [], |r| r.get(0));
        match r {
            Ok(s) if s == "ok" => Ok(()),
            Ok(s) => Err(s),
            Err(e) => Err(e.to_string()),
        }
    };
    let tx = db.begin_read()?;
    let err = sqlite_err(&path);
    let workspace = db::meta_get(&tx, "workspace_id")
        .map_err(&err)?
        .unwrap_or_default();
    let author = AuthorInfo {
        person: options.person,
        device: String::new(),
    };
    let mut damaged = Vec::new();
    let mut loaded = Vec::new();
    for (id, _, _) in db::doc_versions(&tx).map_err(&err)? {
        let doc = load_doc(&tx, &path, &id, &author);
        let chunks = db::chunk_count(&tx, &id).map_err(&err)?;
        loaded.push((id, doc, chunks));
    }
    let names: BTreeMap<Id, String> = loaded
        .iter()
        .find(|(id, _, _)| id == PROGRAMME_DOC)
        .and_then(|(_, d, _)| d.as_ref().ok())
        .and_then(|d| read_programme(&d.am, &workspace, &mut Vec::new()).ok())
        .map(|p| p.districts.into_iter().map(|(k, v)| (k, v.name)).collect())
        .unwrap_or_default();
    let docs = loaded
        .into_iter()
        .map(|(id, doc, chunks)| {
            let district = district_of_doc(&id);
            let name = district.as_ref().and_then(|d| names.get(d).cloned());
            let result = doc.and_then(|d| {
                let records = match &district {
                    Some(dist) => {
                        let data = read_district(&d.am, &id, &workspace, dist, &mut damaged)?;
                        data.kindergartens.len()
                            + data.pairings.len()
                            + data.visits.len()
                            + data.inspections.len()
                            + data.monthly_reports.len()
                            + data.annual_summaries.len()
                    }
                    None => {
                        let p = read_programme(&d.am, &workspace, &mut damaged)?;
                        p.districts.len() + p.years.len() + p.targets.len() + p.summaries.len()
                    }
                };
                Ok(DocFigures {
                    changes: d.am.get_changes_meta(&[]).len(),
                    chunks,
                    records,
                })
            });
            DocHealth { id, name, result }
        })
        .collect();
    drop(err);
    drop(tx);
    Ok(DoctorReport {
        path,
        file,
        docs,
        damaged,
    })
}

#[cfg(test)]
mod tests;

//! What a process holds of a workspace: its documents (loaded or not), the
//! model built from them, and how far it has read the file.

use super::append::Tips;
use super::conflicts;
use super::layout::*;
use super::mapping::Home;
use super::view::{VIEW_BATCH, VIEW_FORMAT, View, ViewData, decode_all};
use super::{AuthorInfo, StoreError, db};
use crate::domain::*;
use automerge::{Automerge, ChangeHash};
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub(crate) fn sqlite_err(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

/// One document.
pub(crate) struct Doc {
    /// `None` until a write, a compaction or a history needs it: the model
    /// came from a fresh view.
    pub am: Option<Automerge>,
    /// The compaction generation of the snapshot `am` was built from.
    pub generation: i64,
    /// Sorted heads of the state the model holds for this document.
    pub heads: Vec<ChangeHash>,
    /// The stored view does not hold `heads`; write it when closing.
    pub view_stale: bool,
    /// Changes the write under way made without loading the document
    /// (`append.rs`), for `persist`; applied to `am` if a later edit of
    /// the same write loads it.
    pub appended: Option<Appended>,
    /// Every change of a document that arrived whole and was taken as it
    /// came in the write under way (`verify::Gate::admit`), with the heads
    /// it came at, for `persist`: rebuilding them from the document would
    /// cost as much again.
    pub adopted: Option<(Vec<ChangeHash>, Vec<automerge::Change>)>,
}

/// Changes made without loading their document, and its tips after them.
pub(crate) struct Appended {
    pub changes: Vec<automerge::Change>,
    pub tips: Tips,
    /// The objects of the records the changes edit (`edit.rs`), each with
    /// its path of keys, for the history index.
    pub places: Vec<(automerge::legacy::OpId, Vec<String>)>,
}

/// Changes made without loading their document and not yet indexed: those
/// after the heads `before`, one after the other, up to `tips`.
pub(crate) struct Unindexed {
    pub before: Vec<ChangeHash>,
    pub changes: Vec<automerge::Change>,
    pub tips: Tips,
    /// The objects of the records they edit (`Appended::places`).
    pub places: Vec<(automerge::legacy::OpId, Vec<String>)>,
}

/// Documents, the model built from them, and how far we have read.
pub(crate) struct State {
    pub workspace_id: String,
    pub author: AuthorInfo,
    pub docs: BTreeMap<String, Doc>,
    pub model: Model,
    /// The last chunk this process has seen.
    pub last_seq: i64,
    pub damaged: Vec<Damaged>,
    /// Values two devices set differently, by document (`conflicts.rs`).
    pub conflicts: Vec<Conflict>,
    /// Read views when they are fresh (off: always read the documents).
    pub use_views: bool,
    /// What of each document the model holds (see [`super::Records`]).
    pub records: super::Records,
    /// The acting device's key (signs the certificates it issues).
    pub key: Option<iroh::SecretKey>,
    /// The membership log and what it says (`src/trust`).
    pub trust: Trust,
    /// Changes this process refused on arrival: never asked for again.
    pub refused: BTreeSet<ChangeHash>,
    /// The only documents this process reads (`None`: all of them). A
    /// scoped state answers a question about these documents alone, or
    /// makes a write whose rules read nothing else (see `quick.rs`).
    pub scope: Option<BTreeSet<String>>,
    /// SQLite's `data_version` when `catch_up` last read everything on
    /// this connection: while it stays the same, no other connection has
    /// committed, and this process's own writes are in memory already.
    seen_version: Option<i64>,
    /// Documents this process wrote without indexing their history or
    /// checking whether to compact them (`Options::upkeep_when_idle`):
    /// `Workspace::upkeep` does.
    pub awaiting_upkeep: BTreeSet<String>,
    /// Of those, the documents whose unindexed changes this process
    /// added without loading them (`append.rs`): indexed by the upkeep
    /// from these, without loading them either.
    pub unindexed: BTreeMap<String, Unindexed>,
    pub upkeep_when_idle: bool,
}

/// The membership log as this process last read it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Trust {
    /// The programme's root device, once pinned.
    pub root: Option<String>,
    pub certs: Vec<crate::trust::Cert>,
    /// How many rows the `certs` table had when read.
    pub stored: i64,
    /// Computed from `certs`; `None` until the root's own certificate is
    /// here (a device upgraded from an older version, or just joined,
    /// before it heard from the root): the members are then the
    /// programme document's, as before.
    pub roster: Option<crate::trust::Roster>,
    /// Certificates issued in the write under way (undone if it fails).
    pub dirty: bool,
    /// The members and used invites the programme document itself holds
    /// (what an older version wrote; what the model shows without a log).
    pub legacy: (BTreeMap<String, Member>, BTreeMap<String, String>),
}

impl Trust {
    /// Recomputes the roster from the certificates.
    pub fn recompute(&mut self, workspace: &str) {
        self.roster = self.root.as_ref().and_then(|root| {
            let r = crate::trust::roster(workspace, root, &self.certs);
            r.members.contains_key(root).then_some(r)
        });
    }

    /// The members and used invites the model shows: the roster's, when
    /// there is one.
    pub fn overlay(&self, model: &mut Model) {
        model.members = self.legacy.0.clone();
        model.used_invites = self.legacy.1.clone();
        if let Some(r) = &self.roster {
            model.members = r.members.clone();
            model.used_invites = r.used_invites.clone();
        }
    }
}

/// Gives the memory freed after reading documents back to the system.
/// Reading a document takes several times what its records keep (a view's
/// bytes, its decoding on every core; an automerge document read whole),
/// and glibc keeps what is freed for later: at province scale the
/// interface's sync agent, whose model is small, held 43 MiB after opening
/// and 17 MiB after this (2.4 ms); the interface 128 and 122 MiB (0.4 ms).
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the heap to the
    // system; it changes no memory the program holds.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}

fn damaged(doc: &str, detail: String) -> StoreError {
    StoreError::Damaged {
        doc: doc.to_string(),
        detail,
    }
}

/// Who this process writes as: `options`' person on the device of the
/// data directory's key (its public half), else of the id made with the
/// file.
pub(crate) fn author_of(
    conn: &Connection,
    path: &Path,
    key: Option<&iroh::SecretKey>,
    options: &super::Options,
) -> Result<AuthorInfo, StoreError> {
    let device = match key {
        Some(k) => crate::identity::endpoint_hex(k),
        None => db::meta_get(conn, "device_id")
            .map_err(sqlite_err(path))?
            .unwrap_or_default(),
    };
    Ok(AuthorInfo {
        person: options.person.clone(),
        device,
    })
}

/// Loads one document: its snapshot, then each chunk on top, then checks
/// that it reached the heads recorded with the last write.
pub(crate) fn load_doc(
    conn: &Connection,
    path: &Path,
    id: &str,
    author: &AuthorInfo,
) -> Result<(Automerge, i64), StoreError> {
    let (snapshot, generation, heads) = db::doc_row(conn, id)
        .map_err(sqlite_err(path))?
        .ok_or_else(|| damaged(id, "missing".into()))?;
    let mut am = Automerge::load(&snapshot)
        .map_err(|e| damaged(id, format!("its snapshot does not load ({e})")))?;
    for chunk in db::chunks_after(conn, 0, Some(id)).map_err(sqlite_err(path))? {
        am.load_incremental(&chunk.data).map_err(|e| {
            damaged(
                id,
                format!("change chunk #{} does not load ({e})", chunk.seq),
            )
        })?;
    }
    check_heads(&am, id, &heads)?;
    writes_as(&mut am, id, author);
    Ok((am, generation))
}

/// Makes the following changes to `doc` in `am` this device's: its actor
/// for the document and its author field.
pub(crate) fn writes_as(am: &mut Automerge, doc: &str, author: &AuthorInfo) {
    // In this order: automerge gives a new random actor whenever the
    // author changes.
    am.set_author(Some(author.to_author()));
    am.set_actor(crate::trust::changes::actor_for(&author.device, doc));
}

/// Whether `am` holds the change `h`. automerge's `get_change_by_hash`
/// rebuilds the whole change from the document's columns to answer (a
/// join spent 8 % of its time asking it of each change's dependencies);
/// its list of missing dependencies looks the hash up. bangfu never leaves
/// a change waiting inside automerge (it applies a change only once its
/// dependencies are here), so a hash it does not list is held.
pub(crate) fn holds(am: &Automerge, h: &ChangeHash) -> bool {
    automerge::ReadDoc::get_missing_deps(am, &[*h]).is_empty()
}

pub(crate) fn check_heads(am: &Automerge, id: &str, stored: &[u8]) -> Result<(), StoreError> {
    let expected = db::decode_heads(stored)
        .ok_or_else(|| damaged(id, "its recorded heads are unreadable".into()))?;
    let have = sorted(am.get_heads());
    if have != expected {
        return Err(damaged(
            id,
            format!(
                "changes are missing: it loads to {} head(s) that differ from the {} recorded",
                have.len(),
                expected.len()
            ),
        ));
    }
    Ok(())
}

/// A loaded document's records, read from its automerge data, and the
/// values two devices set differently in it (a report started twice has its
/// starts' sections merged).
pub(crate) fn read_doc(
    am: &Automerge,
    id: &str,
    workspace: &str,
    damaged_out: &mut Vec<Damaged>,
) -> Result<(ViewData, Vec<Conflict>), StoreError> {
    if id == PROGRAMME_DOC {
        let root = root_of(am, id, workspace)?;
        let mut found = conflicts::in_hydrated(am, id, &root);
        let mut p = programme_of(&root, damaged_out)?;
        conflicts::merge_collection(am, Home::Programme, &mut p.summaries, &mut found);
        Ok((ViewData::from_programme(p), found))
    } else if let Some(district) = district_of_doc(id) {
        let root = root_of(am, id, workspace)?;
        let mut found = conflicts::in_hydrated(am, id, &root);
        let mut data = district_of(&root, id, &district, damaged_out);
        let home = Home::District(&district);
        conflicts::merge_collection(am, home, &mut data.monthly_reports, &mut found);
        conflicts::merge_collection(am, home, &mut data.annual_summaries, &mut found);
        Ok((ViewData::from_district(district, data), found))
    } else {
        Err(damaged(id, "unknown kind of document".into()))
    }
}

impl State {
    /// Reads a workspace: every document from its view when that is fresh,
    /// from its automerge data otherwise. One read transaction, so the
    /// documents are seen at one moment.
    pub(crate) fn load(
        conn: &Connection,
        path: &Path,
        author: AuthorInfo,
        options: &super::Options,
    ) -> Result<State, StoreError> {
        State::load_scoped(conn, path, author, options, None)
    }

    /// Reads the documents in `scope` only (all of them when `None`), as
    /// `load` does.
    pub(crate) fn load_scoped(
        conn: &Connection,
        path: &Path,
        author: AuthorInfo,
        options: &super::Options,
        scope: Option<BTreeSet<String>>,
    ) -> Result<State, StoreError> {
        let err = sqlite_err(path);
        let workspace_id = db::meta_get(conn, "workspace_id")
            .map_err(&err)?
            .ok_or_else(|| StoreError::NotAWorkspace {
                path: path.to_path_buf(),
            })?;
        let mut state = State {
            workspace_id,
            author,
            docs: BTreeMap::new(),
            model: Model::new(Programme {
                name: String::new(),
                city: String::new(),
                start_year: 0,
                end_year: 0,
                report_due_day: 20,
                period_start_day: 20,
                summary_due: SummaryDue::default(),
            }),
            last_seq: 0,
            damaged: Vec::new(),
            conflicts: Vec::new(),
            use_views: options.use_views,
            records: options.records,
            key: None,
            trust: Trust::default(),
            refused: BTreeSet::new(),
            scope,
            seen_version: None,
            awaiting_upkeep: BTreeSet::new(),
            unindexed: BTreeMap::new(),
            upkeep_when_idle: options.upkeep_when_idle,
        };
        // A joined workspace has no documents until its first sync.
        state.catch_up(conn, path)?;
        Ok(state)
    }

    /// Records the following changes for `author`, in every loaded
    /// document too.
    pub(crate) fn set_author(&mut self, author: AuthorInfo) {
        for (id, d) in self.docs.iter_mut() {
            if let Some(am) = &mut d.am {
                writes_as(am, id, &author);
            }
        }
        self.author = author;
    }

    /// The stored view of document `id` at `heads`, if views are read and
    /// one is fresh (same heads, same stored bytes, same format).
    fn stored_view(&self, conn: &Connection, id: &str, heads: &[ChangeHash]) -> Option<Vec<u8>> {
        if !self.use_views {
            return None;
        }
        let digest = db::doc_digest(conn, id).ok()?;
        db::view(conn, id, &db::encode_heads(heads), &digest, VIEW_FORMAT)
    }

    /// Takes in documents whose state changed (or that are new to us):
    /// each from its fresh view if there is one, else from its automerge
    /// data. Views are read a few at a time and decoded on every core
    /// (`view::decode_all`): at province scale decoding was three fifths
    /// of opening.
    fn adopt_all(
        &mut self,
        conn: &Connection,
        path: &Path,
        docs: Vec<(String, i64, Vec<ChangeHash>)>,
    ) -> Result<(), StoreError> {
        let read = !docs.is_empty();
        for batch in docs.chunks(VIEW_BATCH) {
            let bytes = batch
                .iter()
                .map(|(id, _, heads)| self.stored_view(conn, id, heads))
                .collect();
            let views = decode_all(bytes, self.records);
            for ((id, generation, heads), view) in batch.iter().zip(views) {
                self.adopt(conn, path, id, *generation, heads.clone(), view)?;
            }
        }
        if read {
            give_back_freed_memory();
        }
        Ok(())
    }

    /// Takes in one document: from `view` if it is given (fresh), else
    /// from its automerge data.
    fn adopt(
        &mut self,
        conn: &Connection,
        path: &Path,
        id: &str,
        generation: i64,
        heads: Vec<ChangeHash>,
        view: Option<View>,
    ) -> Result<(), StoreError> {
        if let Some(view) = view {
            self.set_records(id, view.data, view.damaged, view.conflicts);
            self.docs.insert(
                id.to_string(),
                Doc {
                    am: None,
                    generation,
                    heads,
                    view_stale: false,
                    appended: None,
                    adopted: None,
                },
            );
            return Ok(());
        }
        let (am, generation) = load_doc(conn, path, id, &self.author)?;
        let mut dmg = Vec::new();
        let (data, found) = read_doc(&am, id, &self.workspace_id, &mut dmg)?;
        self.set_records(id, data, dmg, found);
        self.docs.insert(
            id.to_string(),
            Doc {
                heads: sorted(am.get_heads()),
                am: Some(am),
                generation,
                view_stale: true,
                appended: None,
                adopted: None,
            },
        );
        Ok(())
    }

    fn set_records(&mut self, id: &str, data: ViewData, dmg: Vec<Damaged>, found: Vec<Conflict>) {
        self.damaged.retain(|d| d.doc != id);
        self.damaged.extend(dmg);
        self.conflicts.retain(|c| c.doc != id);
        let data = match self.records {
            super::Records::All => {
                self.conflicts.extend(found);
                data
            }
            super::Records::ForSync => data.for_sync(),
        };
        let programme = matches!(data, ViewData::Programme { .. });
        data.apply(&mut self.model);
        if programme {
            self.trust.legacy = (
                std::mem::take(&mut self.model.members),
                std::mem::take(&mut self.model.used_invites),
            );
        }
        self.trust.overlay(&mut self.model);
    }

    /// Reads the membership log again if another process (or this one)
    /// added to it.
    pub(crate) fn catch_up_trust(
        &mut self,
        conn: &Connection,
        path: &Path,
    ) -> Result<bool, StoreError> {
        let err = sqlite_err(path);
        let stored = db::cert_count(conn).map_err(&err)?;
        let root = db::meta_get(conn, "root").map_err(&err)?;
        if stored == self.trust.stored && root == self.trust.root {
            return Ok(false);
        }
        let rows = db::certs(conn).map_err(&err)?;
        // Stored certificates were checked when they arrived; one that no
        // longer reads is damage, reported by name and left alone.
        let mut certs = Vec::with_capacity(rows.len());
        for bytes in rows {
            match crate::trust::Cert::decode(&bytes) {
                Ok(c) => certs.push(c),
                Err(e) => self.damaged.push(Damaged {
                    doc: "certs".into(),
                    collection: "certs".into(),
                    key: String::new(),
                    detail: e.to_string(),
                }),
            }
        }
        self.trust.certs = certs;
        self.trust.root = root;
        self.trust.stored = stored;
        self.trust.recompute(&self.workspace_id);
        self.trust.overlay(&mut self.model);
        Ok(true)
    }

    /// Finds again the conflicts of one record of a loaded document (of
    /// the whole document when `record` is none) after this device wrote
    /// it: a value written again ends its conflict, a saved report holds
    /// every start's text.
    pub(crate) fn recheck(&mut self, doc: &str, record: Option<(&str, &str)>) {
        let Some(am) = self.docs.get(doc).and_then(|d| d.am.as_ref()) else {
            return;
        };
        // This device's own write sets each value over every value it
        // knew of: it never makes a conflict, it can only end one. A
        // record that had none has none (reading its keys back again was
        // a quarter of the time of a write).
        if let Some((coll, key)) = record
            && !self
                .conflicts
                .iter()
                .any(|c| c.doc == doc && c.collection == coll && c.record == key)
        {
            return;
        }
        let mut found = match record {
            Some((collection, key)) => conflicts::in_record(am, doc, collection, key),
            None => conflicts::in_doc(am, doc),
        };
        found.retain(|c| conflicts::still_open(am, c, &self.model));
        self.conflicts.retain(|c| {
            c.doc != doc
                || record.is_some_and(|(coll, key)| c.collection != coll || c.record != key)
        });
        self.conflicts.extend(found);
    }

    /// Reads a loaded document again into the model (after others' changes
    /// were merged into it).
    pub(crate) fn reread(&mut self, id: &str) -> Result<(), StoreError> {
        let Some(am) = self.docs.get(id).and_then(|d| d.am.as_ref()) else {
            return Ok(());
        };
        let mut dmg = Vec::new();
        let (data, found) = read_doc(am, id, &self.workspace_id, &mut dmg)?;
        let heads = sorted(am.get_heads());
        self.set_records(id, data, dmg, found);
        if let Some(d) = self.docs.get_mut(id) {
            d.heads = heads;
            d.view_stale = true;
        }
        Ok(())
    }

    /// Loads what other processes wrote since we last looked, and rebuilds
    /// the model of the documents it touched. Returns those documents.
    pub(crate) fn catch_up(
        &mut self,
        conn: &Connection,
        path: &Path,
    ) -> Result<BTreeSet<String>, StoreError> {
        let err = sqlite_err(path);
        // Each write and each refresh of the interface starts here: most
        // find that nobody else wrote, in one pragma.
        let version = db::data_version(conn).map_err(&err)?;
        if self.seen_version == Some(version) {
            return Ok(BTreeSet::new());
        }
        let changed = self.catch_up_all(conn, path)?;
        self.seen_version = Some(version);
        Ok(changed)
    }

    /// Reads from now on the documents of `scope` too: the next
    /// `catch_up` reads everything again.
    pub(crate) fn widen_scope(&mut self, scope: BTreeSet<String>) {
        self.scope = Some(scope);
        self.seen_version = None;
    }

    fn catch_up_all(
        &mut self,
        conn: &Connection,
        path: &Path,
    ) -> Result<BTreeSet<String>, StoreError> {
        let err = sqlite_err(path);
        let versions = db::doc_versions(conn).map_err(&err)?;
        let mut changed = BTreeSet::new();
        // Documents not loaded in memory whose state moved on.
        let mut moved: Vec<(String, i64, Vec<ChangeHash>)> = Vec::new();
        let versions: Vec<_> = versions
            .into_iter()
            .filter(|(id, _, _)| self.scope.as_ref().is_none_or(|s| s.contains(id)))
            .collect();
        for (id, generation, heads_bytes) in &versions {
            let heads = db::decode_heads(heads_bytes)
                .ok_or_else(|| damaged(id, "its recorded heads are unreadable".into()))?;
            match self.docs.get_mut(id) {
                None => moved.push((id.clone(), *generation, heads)),
                Some(d) => match &mut d.am {
                    Some(am) if d.generation != *generation => {
                        // Another process compacted (its snapshot may hold
                        // chunks we never saw and that are now deleted), or
                        // rewrote the document without a revoked device's
                        // changes: read it again as it is now.
                        let (fresh, g) = load_doc(conn, path, id, &self.author)?;
                        *am = fresh;
                        d.generation = g;
                        changed.insert(id.clone());
                    }
                    Some(_) => {}
                    None if d.heads != heads => moved.push((id.clone(), *generation, heads)),
                    None => d.generation = *generation,
                },
            }
        }
        for chunk in db::chunks_after(conn, self.last_seq, None).map_err(&err)? {
            if let Some(am) = self.docs.get_mut(&chunk.doc).and_then(|d| d.am.as_mut()) {
                am.load_incremental(&chunk.data).map_err(|e| {
                    damaged(
                        &chunk.doc,
                        format!("change chunk #{} does not load ({e})", chunk.seq),
                    )
                })?;
                changed.insert(chunk.doc.clone());
            }
        }
        self.last_seq = self.last_seq.max(db::last_seq(conn).map_err(&err)?);
        for (id, _, heads_bytes) in &versions {
            if changed.contains(id)
                && let Some(am) = self.docs.get(id).and_then(|d| d.am.as_ref())
            {
                check_heads(am, id, heads_bytes)?;
            }
        }
        for id in changed.clone() {
            self.reread(&id)?;
        }
        changed.extend(moved.iter().map(|(id, _, _)| id.clone()));
        self.adopt_all(conn, path, moved)?;
        if self.catch_up_trust(conn, path)? {
            changed.insert(PROGRAMME_DOC.to_string());
        }
        Ok(changed)
    }

    /// The automerge document `id`, loaded from disk if it was not yet. Call
    /// after `catch_up` in the same transaction, so it loads the state the
    /// model holds.
    pub(crate) fn loaded(
        &mut self,
        conn: &Connection,
        path: &Path,
        id: &str,
    ) -> Result<&mut Automerge, StoreError> {
        let needs_load = match self.docs.get(id) {
            None => return Err(damaged(id, "missing".into())),
            Some(d) => d.am.is_none(),
        };
        if needs_load {
            let (mut am, generation) = load_doc(conn, path, id, &self.author)?;
            // What this write added without loading it is not on disk yet.
            if let Some(a) = self.docs.get_mut(id).and_then(|d| d.appended.take()) {
                am.apply_changes(a.changes)
                    .map_err(|e| damaged(id, format!("a change made here does not apply ({e})")))?;
            }
            let heads = sorted(am.get_heads());
            let same = self.docs.get(id).is_some_and(|d| d.heads == heads);
            if let Some(d) = self.docs.get_mut(id) {
                d.am = Some(am);
                d.generation = generation;
            }
            if !same {
                self.reread(id)?;
            }
        }
        self.docs
            .get_mut(id)
            .and_then(|d| d.am.as_mut())
            .ok_or_else(|| damaged(id, "missing".into()))
    }

    /// Writes what this process changed: a chunk per touched document, a
    /// snapshot per new one. Inside the caller's write transaction.
    pub(crate) fn persist(
        &mut self,
        conn: &Connection,
        path: &Path,
        touched: &BTreeMap<String, Vec<ChangeHash>>,
        created: &BTreeSet<String>,
    ) -> Result<(), StoreError> {
        let err = sqlite_err(path);
        let new_docs = created.iter().map(|id| (id, None));
        let edited = touched
            .iter()
            .filter(|(id, _)| !created.contains(*id))
            .map(|(id, before)| (id, Some(before)));
        for (id, before) in new_docs.chain(edited) {
            let Some(d) = self.docs.get_mut(id) else {
                continue;
            };
            let me = crate::trust::changes::actor_for(&self.author.device, id);
            let mut places = Vec::new();
            let (changes, heads, tips) = match (&d.am, d.appended.take(), before) {
                (Some(am), _, _) => {
                    // Rebuilt once (it walks the document's operations)
                    // for the signatures, the chunk and the history index;
                    // not at all for a document taken whole, from empty.
                    let since = before.map(|b| b.as_slice()).unwrap_or(&[]);
                    let changes = match d.adopted.take() {
                        Some((at, all)) if since.is_empty() && at == am.get_heads() => all,
                        _ => am.get_changes(since),
                    };
                    // Taken with every local write, so that the next new
                    // record needs no load (`append.rs`); after any other
                    // write (a sync's) carried from the tips it started at.
                    let tips = before
                        .filter(|_| district_of_doc(id).is_some())
                        .and_then(|b| {
                            Tips::after_local_write(am, &changes, &me).or_else(|| {
                                let stored = db::tips(conn, id).ok().flatten()?;
                                Tips::decode(&stored)
                                    .filter(|t| t.actor == me)?
                                    .after_changes(am, b, &changes)
                            })
                        });
                    (changes, sorted(am.get_heads()), tips)
                }
                (None, Some(a), Some(_)) => {
                    places = a.places;
                    (a.changes, a.tips.heads.clone(), Some(a.tips))
                }
                _ => continue,
            };
            // Every change this device made here is signed, to travel with
            // it (a change received from a peer is already in `sigs`).
            if let Some(key) = &self.key {
                let sigs: Vec<_> = changes
                    .iter()
                    .filter(|c| c.actor_id() == &me)
                    .map(|c| {
                        let h = c.hash();
                        (
                            h,
                            crate::trust::changes::sign(key, &self.workspace_id, id, &h),
                        )
                    })
                    .collect();
                // The interface's among a few rows its upkeep moves.
                db::put_sigs(conn, &sigs, self.upkeep_when_idle).map_err(&err)?;
            }
            match (before, &d.am) {
                (None, Some(am)) => {
                    db::insert_doc(conn, id, &am.save(), &heads).map_err(&err)?;
                    // Indexed from birth, so that each write after can
                    // follow (see `quick.rs`).
                    super::history::index_new(conn, id, am, &changes).map_err(&err)?;
                }
                (None, None) => continue,
                (Some(before), am) => {
                    // What `save_after(before)` gives, without rebuilding
                    // the changes again.
                    let bytes: Vec<u8> = changes
                        .iter()
                        .flat_map(|c| c.raw_bytes().iter().copied())
                        .collect();
                    if bytes.is_empty() {
                        continue;
                    }
                    let stored = tips.as_ref().map(Tips::encode);
                    let seq = db::insert_chunk(conn, id, &bytes, &heads, stored.as_deref())
                        .map_err(&err)?;
                    self.last_seq = self.last_seq.max(seq);
                    match (am, &tips) {
                        // On disk too, once a tick: a process killed
                        // before its upkeep leaves it to the next
                        // interface.
                        (Some(_), _) if self.upkeep_when_idle => {
                            if self.awaiting_upkeep.insert(id.clone()) {
                                db::mark_upkeep_pending(conn, id).map_err(&err)?;
                            }
                        }
                        (Some(am), _) => {
                            super::history::follow(conn, id, am, before, &changes).map_err(&err)?;
                        }
                        // Kept for the upkeep, which indexes them
                        // without loading the document while they follow
                        // one another (else it loads it).
                        (None, Some(t)) if self.upkeep_when_idle => {
                            match self.unindexed.get_mut(id) {
                                Some(u) if u.tips.heads == *before => {
                                    u.changes.extend(changes.iter().cloned());
                                    u.tips = t.clone();
                                    u.places.append(&mut places);
                                }
                                None if !self.awaiting_upkeep.contains(id) => {
                                    let u = Unindexed {
                                        before: before.clone(),
                                        changes: changes.clone(),
                                        tips: t.clone(),
                                        places: std::mem::take(&mut places),
                                    };
                                    self.unindexed.insert(id.clone(), u);
                                }
                                _ => {
                                    self.unindexed.remove(id);
                                }
                            }
                            if self.awaiting_upkeep.insert(id.clone()) {
                                db::mark_upkeep_pending(conn, id).map_err(&err)?;
                            }
                        }
                        (None, Some(t)) => {
                            super::history::follow_appended(conn, id, before, &changes, t, &places)
                                .map_err(&err)?;
                        }
                        (None, None) => {}
                    }
                }
            }
            d.heads = heads;
            d.view_stale = true;
        }
        Ok(())
    }

    /// Whether `save_views` has anything to write: a stale view, in a
    /// model that holds every record (one that does not would write views
    /// without what it left out).
    pub(crate) fn writes_views(&self) -> bool {
        self.records == super::Records::All && self.docs.values().any(|d| d.view_stale)
    }

    /// The documents a member may read (as far as this device knows the
    /// programme): the programme document and its districts' documents.
    pub(crate) fn readable_docs(&self, member: &Member) -> BTreeSet<String> {
        // A city-wide role reads every document, including those of
        // districts a half-received programme document does not name yet.
        if matches!(member.role, MemberRole::CityAdmin | MemberRole::Viewer) {
            return self.known_docs();
        }
        let mut out: BTreeSet<String> =
            crate::domain::access::readable_districts(&self.model, member)
                .iter()
                .map(district_doc_id)
                .collect();
        out.insert(PROGRAMME_DOC.to_string());
        out
    }

    /// Every document this device knows of: those it has and those of the
    /// districts its programme document names.
    pub(crate) fn known_docs(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self.docs.keys().cloned().collect();
        out.extend(self.model.districts.keys().map(district_doc_id));
        out
    }

    /// Writes the views of documents whose stored view is out of date, for
    /// those whose state on disk is still the one we hold.
    pub(crate) fn save_views(&mut self, conn: &Connection, path: &Path) -> Result<(), StoreError> {
        let err = sqlite_err(path);
        if !self.writes_views() {
            return Ok(());
        }
        db::ensure_views_table(conn).map_err(&err)?;
        let on_disk: BTreeMap<String, Vec<u8>> = db::doc_versions(conn)
            .map_err(&err)?
            .into_iter()
            .map(|(id, _, heads)| (id, heads))
            .collect();
        for (id, d) in self.docs.iter_mut().filter(|(_, d)| d.view_stale) {
            let heads = db::encode_heads(&d.heads);
            if on_disk.get(id) != Some(&heads) {
                continue;
            }
            let view = View {
                data: ViewData::of(
                    &self.model,
                    district_of_doc(id).as_ref(),
                    &self.trust.legacy,
                ),
                damaged: self
                    .damaged
                    .iter()
                    .filter(|x| &x.doc == id)
                    .cloned()
                    .collect(),
                conflicts: self
                    .conflicts
                    .iter()
                    .filter(|x| &x.doc == id)
                    .cloned()
                    .collect(),
            };
            let bytes = postcard::to_allocvec(&view).map_err(|e| StoreError::Automerge {
                doc: id.clone(),
                detail: e.to_string(),
            })?;
            let digest = db::doc_digest(conn, id).map_err(&err)?;
            db::put_view(conn, id, &heads, &digest, VIEW_FORMAT, &bytes).map_err(&err)?;
            d.view_stale = false;
        }
        Ok(())
    }
}

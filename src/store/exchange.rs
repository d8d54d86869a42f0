//! What the sync and bundle code needs from a workspace: automerge sync
//! messages per document, their states per peer, whole documents for
//! bundles, peers and settings. Every change received goes through the same
//! write transaction as an edit: caught up, persisted as a chunk, the model
//! rebuilt, or nothing kept.

use super::db::{self, PeerRow};
use super::layout::*;
use super::state::{Doc, sqlite_err};
use super::{DB_FILE, Db, Options, StoreError, Workspace};
use crate::domain::*;
use automerge::Automerge;
use automerge::sync::{self, SyncDoc};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Whether a document id is one bangfu makes: `programme` or
/// `district/<id>`.
pub fn valid_doc_id(id: &str) -> bool {
    id == PROGRAMME_DOC || district_of_doc(id).is_some()
}

fn invalid_doc(id: &str) -> StoreError {
    StoreError::Damaged {
        doc: id.chars().take(80).collect(),
        detail: "not a document of a bangfu workspace".into(),
    }
}

impl Workspace {
    /// A workspace joined but not synced yet: it knows no member (no
    /// programme document, or only the start of one when the first sync
    /// was cut).
    pub fn is_empty(&self) -> bool {
        !self.state.docs.contains_key(PROGRAMME_DOC) || self.model().members.is_empty()
    }

    /// Documents this device has.
    pub fn doc_ids(&self) -> Vec<String> {
        self.state.docs.keys().cloned().collect()
    }

    /// The documents a member may read (as far as this device knows the
    /// programme): the programme document and its districts' documents.
    pub fn readable_docs(&self, member: &Member) -> BTreeSet<String> {
        // A city-wide role reads every document, including those of
        // districts a half-received programme document does not name yet.
        if matches!(member.role, MemberRole::CityAdmin | MemberRole::Viewer) {
            return self.known_docs();
        }
        let mut out: BTreeSet<String> = access::readable_districts(self.model(), member)
            .iter()
            .map(district_doc_id)
            .collect();
        out.insert(PROGRAMME_DOC.to_string());
        out
    }

    /// Every document this device knows of: those it has and those of the
    /// districts its programme document names.
    pub fn known_docs(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self.state.docs.keys().cloned().collect();
        out.extend(self.model().districts.keys().map(district_doc_id));
        out
    }

    /// The next automerge sync message for `doc` (none when the peer, as far
    /// as `state` knows, has everything). A document this device does not
    /// have yet syncs as an empty one, which asks for everything.
    pub fn generate_sync_message(
        &mut self,
        doc: &str,
        state: &mut sync::State,
    ) -> Result<Option<sync::Message>, StoreError> {
        if !valid_doc_id(doc) {
            return Err(invalid_doc(doc));
        }
        if !self.state.docs.contains_key(doc) {
            return Ok(Automerge::new().generate_sync_message(state));
        }
        let path = self.db.path.clone();
        let tx = self.db.begin_read()?;
        self.state.catch_up(&tx, &path)?;
        let am = self.state.loaded(&tx, &path, doc)?;
        Ok(am.generate_sync_message(state))
    }

    /// Applies sync messages from a peer, all in one write. Documents this
    /// device did not have are created. Returns the documents that changed.
    pub fn receive_sync_messages(
        &mut self,
        messages: Vec<(String, sync::Message)>,
        states: &mut BTreeMap<String, sync::State>,
    ) -> Result<BTreeSet<String>, StoreError> {
        if messages.is_empty() {
            return Ok(BTreeSet::new());
        }
        self.transaction(|tx| {
            let mut changed = BTreeSet::new();
            for (doc, msg) in messages {
                if !valid_doc_id(&doc) {
                    return Err(invalid_doc(&doc));
                }
                let state = states.entry(doc.clone()).or_default();
                if !tx.state.docs.contains_key(&doc) {
                    let mut am = Automerge::new();
                    am.set_author(Some(tx.state.author.to_author()));
                    tx.state.docs.insert(
                        doc.clone(),
                        Doc {
                            am: Some(am),
                            generation: 0,
                            heads: Vec::new(),
                            view_stale: true,
                        },
                    );
                    tx.created.insert(doc.clone());
                    tx.touched.insert(doc.clone(), Vec::new());
                }
                let am = tx.state.loaded(tx.conn, tx.path, &doc)?;
                let before = am.get_heads();
                tx.touched
                    .entry(doc.clone())
                    .or_insert_with(|| before.clone());
                am.receive_sync_message(state, msg)
                    .map_err(|e| StoreError::Damaged {
                        doc: doc.clone(),
                        detail: format!("a sync message does not apply ({e})"),
                    })?;
                if am.get_heads() != before {
                    changed.insert(doc);
                }
            }
            // Read the changed documents into the model: this also refuses
            // documents of another workspace.
            for doc in &changed {
                tx.state.reread(doc)?;
            }
            Ok(changed)
        })
    }

    /// Where the sync of `doc` with `peer` stood after their last session,
    /// decoded fresh (so a message lost then is sent again), or a new state.
    pub fn sync_state(&self, peer: &str, doc: &str) -> sync::State {
        db::sync_state(&self.db.conn, peer, doc)
            .ok()
            .flatten()
            .and_then(|b| sync::State::decode(&b).ok())
            .unwrap_or_default()
    }

    /// Saves where each document's sync with `peer` stands.
    pub fn save_sync_states(
        &mut self,
        peer: &str,
        states: &BTreeMap<String, sync::State>,
    ) -> Result<(), StoreError> {
        let path = self.db.path.clone();
        let tx = self.db.begin_write()?;
        db::ensure_sync_tables(&tx).map_err(sqlite_err(&path))?;
        for (doc, s) in states {
            db::put_sync_state(&tx, peer, doc, &s.encode()).map_err(sqlite_err(&path))?;
        }
        tx.commit().map_err(sqlite_err(&path))
    }

    /// The address book. A store that cannot be read is an error, not an
    /// empty book (which would look like "no peers yet").
    pub fn peers(&self) -> Result<Vec<PeerRow>, StoreError> {
        db::peers(&self.db.conn).map_err(sqlite_err(&self.db.path))
    }

    pub fn put_peer(&mut self, p: &PeerRow) -> Result<(), StoreError> {
        let path = self.db.path.clone();
        db::ensure_sync_tables(&self.db.conn).map_err(sqlite_err(&path))?;
        db::put_peer(&self.db.conn, p).map_err(sqlite_err(&path))
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        db::setting(&self.db.conn, key).map_err(sqlite_err(&self.db.path))
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        let path = self.db.path.clone();
        db::ensure_sync_tables(&self.db.conn).map_err(sqlite_err(&path))?;
        db::put_setting(&self.db.conn, key, value).map_err(sqlite_err(&path))
    }

    /// Whole documents (`save()`), for a bundle.
    pub fn saved_docs(
        &mut self,
        docs: &BTreeSet<String>,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let path = self.db.path.clone();
        let tx = self.db.begin_read()?;
        self.state.catch_up(&tx, &path)?;
        let mut out = Vec::new();
        for id in docs {
            if self.state.docs.contains_key(id) {
                out.push((id.clone(), self.state.loaded(&tx, &path, id)?.save()));
            }
        }
        Ok(out)
    }

    /// Merges whole documents (from a bundle), all in one write; documents
    /// this device did not have are created. Returns those that changed.
    pub fn merge_docs(
        &mut self,
        docs: Vec<(String, Automerge)>,
    ) -> Result<BTreeSet<String>, StoreError> {
        self.transaction(|tx| {
            let mut changed = BTreeSet::new();
            for (id, mut theirs) in docs {
                if !valid_doc_id(&id) {
                    return Err(invalid_doc(&id));
                }
                if !tx.state.docs.contains_key(&id) {
                    theirs.set_author(Some(tx.state.author.to_author()));
                    let mut heads = theirs.get_heads();
                    heads.sort();
                    tx.state.docs.insert(
                        id.clone(),
                        Doc {
                            am: Some(theirs),
                            generation: 0,
                            heads,
                            view_stale: true,
                        },
                    );
                    tx.created.insert(id.clone());
                    tx.touched.insert(id.clone(), Vec::new());
                    changed.insert(id);
                    continue;
                }
                let am = tx.state.loaded(tx.conn, tx.path, &id)?;
                let before = am.get_heads();
                tx.touched
                    .entry(id.clone())
                    .or_insert_with(|| before.clone());
                am.merge(&mut theirs).map_err(|e| StoreError::Damaged {
                    doc: id.clone(),
                    detail: format!("does not merge ({e})"),
                })?;
                if am.get_heads() != before {
                    changed.insert(id);
                }
            }
            for doc in &changed {
                tx.state.reread(doc)?;
            }
            Ok(changed)
        })
    }

    /// Creates the workspace of a device that joined a programme: no
    /// documents yet, they come with the first sync.
    pub fn create_joined(
        dir: &Path,
        workspace_id: &str,
        options: Options,
    ) -> Result<Workspace, StoreError> {
        let path = dir.join(DB_FILE);
        if path.exists() {
            return Err(StoreError::AlreadyExists {
                dir: dir.to_path_buf(),
            });
        }
        let key = crate::identity::load_or_create(dir).map_err(|source| StoreError::Io {
            path: crate::identity::key_path(dir),
            source,
        })?;
        let device = crate::identity::endpoint_hex(&key);
        let created = super::now_ms().to_string();
        let meta = [
            ("workspace_id", workspace_id),
            ("device_id", device.as_str()),
            ("created_ms", created.as_str()),
        ];
        Db::create(&path, &meta, &[])?;
        Workspace::open(dir, options)
    }
}

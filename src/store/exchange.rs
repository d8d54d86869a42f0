//! What the sync and bundle code needs from a workspace: automerge sync
//! messages per document, their states per peer, whole documents for
//! bundles, peers and settings. Every change received goes through the same
//! write transaction as an edit: caught up, persisted as a chunk, the model
//! rebuilt, or nothing kept.

use super::db::{self, KeptRow, PeerRow, RefusalRow};
use super::layout::*;
use super::state::{Doc, sqlite_err, writes_as};
use super::verify::{self, Refused};
use super::{DB_FILE, Db, Options, StoreError, Workspace};
use crate::domain::*;
use crate::trust::changes::Sig;
use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ChangeHash};
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

/// The heads two peers share after this side merged what moved its heads
/// from `before` to `after` (as automerge's own receiving does): the new
/// heads, and those shared before that are still heads.
fn advance_heads(
    before: &[ChangeHash],
    after: &[ChangeHash],
    shared: &[ChangeHash],
) -> Vec<ChangeHash> {
    let mut out: BTreeSet<ChangeHash> = after
        .iter()
        .filter(|h| !before.contains(h))
        .copied()
        .collect();
    out.extend(shared.iter().filter(|h| after.contains(h)).copied());
    out.into_iter().collect()
}

/// A document this device did not have, made empty in the transaction
/// (to be filled by what arrives).
fn create_doc(tx: &mut super::Tx<'_>, doc: &str) {
    let mut am = Automerge::new();
    writes_as(&mut am, doc, &tx.state.author);
    tx.state.docs.insert(
        doc.to_string(),
        Doc {
            am: Some(am),
            generation: 0,
            heads: Vec::new(),
            view_stale: true,
            appended: None,
            adopted: None,
        },
    );
    tx.created.insert(doc.to_string());
    tx.touched.insert(doc.to_string(), Vec::new());
}

/// Lets a sync message whose changes were taken out (and merged, those
/// that passed) move its document's sync state on, as automerge would
/// have moved it had it merged them itself. `before`: the document's heads
/// before the merge.
fn follow(
    am: &mut Automerge,
    state: &mut sync::State,
    msg: sync::Message,
    before: &[ChangeHash],
) -> Result<(), automerge::AutomergeError> {
    let after = am.get_heads();
    let merged_some = after != before;
    let last_sent = state.last_sent_heads.clone();
    if merged_some {
        state.shared_heads = advance_heads(before, &after, &state.shared_heads);
    }
    am.receive_sync_message(state, msg)?;
    if merged_some {
        state.last_sent_heads = last_sent;
    }
    Ok(())
}

/// The heads `peer` was last known to share of `doc` (none if never).
fn shared_of<'a, 'k>(
    shared: &'a BTreeMap<(&'k str, &'k str), Vec<ChangeHash>>,
    peer: &'k str,
    doc: &'k str,
) -> &'a [ChangeHash] {
    shared.get(&(peer, doc)).map_or(&[], Vec::as_slice)
}

/// What received changes are checked against.
struct Checks<'a> {
    workspace: &'a str,
    roster: Option<&'a crate::trust::Roster>,
    refused_before: &'a BTreeSet<ChangeHash>,
    /// The signatures that came with the changes.
    sigs: &'a BTreeMap<ChangeHash, Sig>,
}

/// What one document's check did: the check's outcome, and whether the
/// document changed.
struct DocOutcome {
    checked: verify::Outcome,
    changed: bool,
    /// Taken whole (see [`Received::whole`]).
    whole: bool,
}

impl Checks<'_> {
    /// Checks and merges `changes` of `doc` (with those that waited, in a
    /// session), then lets its sync message move the sync state on.
    /// `None` when there was nothing to do for a document not here.
    fn admit_doc(
        &self,
        tx: &mut super::Tx<'_>,
        doc: &str,
        mut changes: Vec<automerge::Change>,
        whole: Option<Automerge>,
        msg: Option<sync::Message>,
        mut session: Option<&mut (&mut BTreeMap<String, sync::State>, &mut Waiting)>,
    ) -> Result<Option<DocOutcome>, StoreError> {
        let held_sigs = match session.as_mut() {
            Some((_, waiting)) => waiting.take(doc, &mut changes),
            None => BTreeMap::new(),
        };
        if !tx.state.docs.contains_key(doc) {
            if changes.is_empty() && msg.is_none() {
                return Ok(None);
            }
            create_doc(tx, doc);
        }
        let conn = tx.conn;
        let lookup = |h: &ChangeHash| {
            self.sigs
                .get(h)
                .or_else(|| held_sigs.get(h))
                .copied()
                .or_else(|| db::sig(conn, h).ok().flatten())
        };
        let gate = verify::Gate {
            workspace: self.workspace,
            doc,
            roster: self.roster,
            sigs: &lookup,
            refused_before: self.refused_before,
        };
        let damaged = |what: &str, e: automerge::AutomergeError| StoreError::Damaged {
            doc: doc.to_string(),
            detail: format!("{what} ({e})"),
        };
        let am = tx.state.loaded(tx.conn, tx.path, doc)?;
        let before = am.get_heads();
        tx.touched
            .entry(doc.to_string())
            .or_insert_with(|| before.clone());
        let mut checked = gate
            .admit(am, changes, whole)
            .map_err(|e| damaged("received changes do not apply", e))?;
        if let Some((states, waiting)) = session {
            waiting.hold(doc, &checked.waiting, lookup);
            if let Some(msg) = msg {
                follow(am, states.entry(doc.to_string()).or_default(), msg, &before)
                    .map_err(|e| damaged("a sync message does not apply", e))?;
            }
        }
        let now = am.get_heads();
        let changed = now != before;
        let adopted = checked.adopted.take();
        let whole = adopted.is_some();
        if let (Some(all), Some(d)) = (adopted, tx.state.docs.get_mut(doc)) {
            d.adopted = Some((now, all));
        }
        Ok(Some(DocOutcome {
            checked,
            changed,
            whole,
        }))
    }
}

/// A sync message to send, and the signatures of the changes in it.
#[derive(Debug)]
pub struct Outgoing {
    pub message: sync::Message,
    pub sigs: Vec<(ChangeHash, Sig)>,
    /// Whether its changes attach files (make or change an attachment):
    /// the peer may then lack a file, and the files connection is due.
    pub attaches_files: bool,
}

/// Past this many changes in one message the changes are not looked at:
/// their files are taken to be due.
const LOOK_FOR_FILES_IN: usize = 256;

/// Changes a peer sent before the changes they build on (automerge leaves
/// out a change the receiver's Bloom filter wrongly claims to have, about
/// one in a hundred): held for the rest of the session, the changes they
/// lack asked for by hash, and checked when those arrive. Bounded by what
/// one session may receive.
#[derive(Debug, Default)]
pub struct Waiting {
    changes: BTreeMap<String, Vec<(automerge::Change, Option<Sig>)>>,
}

impl Waiting {
    /// How many changes wait.
    pub fn len(&self) -> usize {
        self.changes.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.values().all(Vec::is_empty)
    }

    /// Moves `doc`'s waiting changes to `into`; their signatures.
    fn take(&mut self, doc: &str, into: &mut Vec<automerge::Change>) -> BTreeMap<ChangeHash, Sig> {
        let held = self.changes.remove(doc).unwrap_or_default();
        let sigs = held
            .iter()
            .filter_map(|(c, s)| s.map(|s| (c.hash(), s)))
            .collect();
        into.extend(held.into_iter().map(|(c, _)| c));
        sigs
    }

    /// Holds `changes` of `doc`, each with its signature.
    fn hold(
        &mut self,
        doc: &str,
        changes: &[automerge::Change],
        sig: impl Fn(&ChangeHash) -> Option<Sig>,
    ) {
        if !changes.is_empty() {
            let held = changes
                .iter()
                .map(|c| (c.clone(), sig(&c.hash())))
                .collect();
            self.changes.insert(doc.to_string(), held);
        }
    }

    /// The changes `doc`'s waiting changes build on that neither `am`
    /// nor the waiting changes hold.
    fn lacking(&self, doc: &str, am: &Automerge) -> Vec<ChangeHash> {
        let Some(waiting) = self.changes.get(doc) else {
            return Vec::new();
        };
        let held: BTreeSet<ChangeHash> = waiting.iter().map(|(c, _)| c.hash()).collect();
        let lacking: BTreeSet<ChangeHash> = waiting
            .iter()
            .flat_map(|(c, _)| c.deps().iter().copied())
            .filter(|h| !held.contains(h) && !super::state::holds(am, h))
            .collect();
        lacking.into_iter().collect()
    }
}

/// One document's changes as they arrived: the document itself when it
/// came whole, and the sync message that carried them (in a session).
struct Arriving {
    doc: String,
    changes: Vec<automerge::Change>,
    whole: Option<Automerge>,
    msg: Option<sync::Message>,
}

/// What arrived: the documents that changed, and the changes refused.
#[derive(Debug, Default)]
pub struct Received {
    pub changed: BTreeSet<String>,
    pub refused: Vec<Refused>,
    /// Documents this device had none of that came whole and were taken
    /// as they came (every change checked in them, none refused).
    pub whole: BTreeSet<String>,
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
        self.state.readable_docs(member)
    }

    /// Every document this device knows of: those it has and those of the
    /// districts its programme document names.
    pub fn known_docs(&self) -> BTreeSet<String> {
        self.state.known_docs()
    }

    /// The heads of `doc` as this device holds it, sorted (none for a
    /// document it does not have).
    pub fn doc_heads(&self, doc: &str) -> Vec<ChangeHash> {
        self.state
            .docs
            .get(doc)
            .map(|d| d.heads.clone())
            .unwrap_or_default()
    }

    /// The next automerge sync message for `doc` (none when the peer, as far
    /// as `state` knows, has everything), with the signatures of the
    /// changes it carries. A document this device does not have yet syncs
    /// as an empty one, which asks for everything. Changes this device
    /// refused are never asked for again; the changes `waiting` lacks
    /// are asked for by hash.
    pub fn generate_sync_message(
        &mut self,
        doc: &str,
        state: &mut sync::State,
        waiting: &Waiting,
    ) -> Result<Option<Outgoing>, StoreError> {
        if !valid_doc_id(doc) {
            return Err(invalid_doc(doc));
        }
        if !self.state.docs.contains_key(doc) {
            return Ok(Automerge::new()
                .generate_sync_message(state)
                .map(|message| Outgoing {
                    message,
                    sigs: Vec::new(),
                    attaches_files: false,
                }));
        }
        let path = self.db.path.clone();
        let tx = self.db.begin_read()?;
        self.state.catch_up(&tx, &path)?;
        let am = self.state.loaded(&tx, &path, doc)?;
        let lacking = waiting.lacking(doc, am);
        if !lacking.is_empty() {
            // automerge would stay silent when its heads have not moved:
            // the request for what the waiting changes lack must go out.
            state.have_responded = false;
        }
        let Some(mut message) = am.generate_sync_message(state) else {
            return Ok(None);
        };
        for h in lacking {
            if !message.need.contains(&h) {
                message.need.push(h);
            }
        }
        let chunks: Vec<&[u8]> = message.changes.iter().collect();
        let changes = verify::changes_in(&chunks).map_err(|detail| StoreError::Damaged {
            doc: doc.to_string(),
            detail,
        })?;
        // A first sync carries a document's whole history, files and all;
        // the few changes of a reconnect are looked at one by one.
        let attaches_files = changes.len() > LOOK_FOR_FILES_IN
            || super::history::touches_collection(am, &changes, "attachments");
        let hashes: Vec<ChangeHash> = changes.iter().map(|c| c.hash()).collect();
        let mut sigs = Vec::new();
        for h in hashes {
            if let Some(s) = db::sig(&tx, &h).map_err(sqlite_err(&path))? {
                sigs.push((h, s));
            }
        }
        let refused = &self.state.refused;
        message.need.retain(|h| !refused.contains(h));
        Ok(Some(Outgoing {
            message,
            sigs,
            attaches_files,
        }))
    }

    /// Applies sync messages from `source` (a peer's device id), all in
    /// one write, after checking every change they carry (see
    /// `verify.rs`): what passes is merged, the rest is refused, recorded
    /// and returned; what builds on changes not here yet joins `waiting`
    /// (and what waited is checked again). `sigs`: the signatures that came
    /// with them. Documents this device did not have are created.
    pub fn receive_sync_messages(
        &mut self,
        source: &str,
        messages: Vec<(String, sync::Message)>,
        sigs: &BTreeMap<ChangeHash, Sig>,
        states: &mut BTreeMap<String, sync::State>,
        waiting: &mut Waiting,
    ) -> Result<Received, StoreError> {
        if messages.is_empty() {
            return Ok(Received::default());
        }
        let incoming = messages
            .into_iter()
            .map(|(doc, mut msg)| {
                let chunks: Vec<&[u8]> = msg.changes.iter().collect();
                let (changes, whole) =
                    verify::arrived(&chunks).map_err(|e| StoreError::Damaged {
                        doc: doc.chars().take(80).collect(),
                        detail: format!("a sync message does not apply ({e})"),
                    })?;
                msg.changes = sync::ChunkList::empty();
                Ok(Arriving {
                    doc,
                    changes,
                    whole,
                    msg: Some(msg),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.admit_changes(source, incoming, sigs, Some((states, waiting)))
    }

    /// Checks and merges changes from `source`, per document, all in one
    /// write; then lets each sync message (its changes taken out) update
    /// its document's sync state. In a session, the changes that waited
    /// are checked with the new ones, and those that still lack something
    /// wait on.
    fn admit_changes(
        &mut self,
        source: &str,
        incoming: Vec<Arriving>,
        sigs: &BTreeMap<ChangeHash, Sig>,
        mut session: Option<(&mut BTreeMap<String, sync::State>, &mut Waiting)>,
    ) -> Result<Received, StoreError> {
        let roster = self.state.trust.roster.clone();
        let checks = Checks {
            workspace: &self.state.workspace_id.clone(),
            roster: roster.as_ref(),
            refused_before: &self.state.refused.clone(),
            sigs,
        };
        let result = self.transaction(|tx| {
            let mut got = Received::default();
            let mut rows = Vec::new();
            let mut keep = Vec::new();
            for a in incoming {
                let doc = a.doc;
                if !valid_doc_id(&doc) {
                    return Err(invalid_doc(&doc));
                }
                let Some(outcome) =
                    checks.admit_doc(tx, &doc, a.changes, a.whole, a.msg, session.as_mut())?
                else {
                    continue;
                };
                if outcome.changed {
                    got.changed.insert(doc.clone());
                }
                if outcome.whole {
                    got.whole.insert(doc.clone());
                }
                keep.extend(
                    outcome
                        .checked
                        .accepted
                        .iter()
                        .filter_map(|(h, s, _)| s.map(|s| (*h, s))),
                );
                let now = super::now_ms();
                rows.extend(outcome.checked.refused.iter().map(|r| r.row(source, now)));
                got.refused.extend(outcome.checked.refused);
            }
            db::put_sigs(tx.conn, &keep, false).map_err(sqlite_err(tx.path))?;
            db::put_refusals(tx.conn, &rows).map_err(sqlite_err(tx.path))?;
            // Read the changed documents into the model: this also refuses
            // documents of another workspace.
            for doc in &got.changed {
                tx.state.reread(doc)?;
            }
            Ok(got)
        })?;
        self.state.refused.extend(
            result
                .refused
                .iter()
                .filter_map(|r| r.change.parse::<ChangeHash>().ok()),
        );
        Ok(result)
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

    /// How many changes this device made that no peer is known to have:
    /// in each document, those under its own actor outside every peer's
    /// shared heads as their last sessions left them. 0 on a device that
    /// never synced (it has nobody to sync with). Loads only documents
    /// whose heads some peer lacks.
    pub fn unsynced(&mut self) -> Result<usize, StoreError> {
        let path = self.db.path.clone();
        let tx = self.db.begin_read()?;
        let rows = db::sync_states(&tx).map_err(sqlite_err(&path))?;
        // Never synced: nothing to count, and no catching up to do for it.
        if rows.is_empty() {
            return Ok(0);
        }
        self.state.catch_up(&tx, &path)?;
        let peers: BTreeSet<&str> = rows.iter().map(|(p, _, _)| p.as_str()).collect();
        let mut shared: BTreeMap<(&str, &str), Vec<ChangeHash>> = BTreeMap::new();
        for (peer, doc, state) in &rows {
            if let Ok(s) = sync::State::decode(state) {
                shared.insert((peer.as_str(), doc.as_str()), s.shared_heads);
            }
        }
        let mut total = 0usize;
        let docs: Vec<String> = self.state.docs.keys().cloned().collect();
        for doc in docs {
            let covered = self.state.docs.get(&doc).is_some_and(|d| {
                peers.iter().any(|p| {
                    d.heads
                        .iter()
                        .all(|x| shared_of(&shared, p, &doc).contains(x))
                })
            });
            if covered {
                continue;
            }
            let me = crate::trust::changes::actor_for(&self.state.author.device, &doc);
            let am = self.state.loaded(&tx, &path, &doc)?;
            let mut left: Option<BTreeSet<ChangeHash>> = None;
            for p in &peers {
                let mine: BTreeSet<ChangeHash> = am
                    .get_changes(shared_of(&shared, p, &doc))
                    .into_iter()
                    .filter(|c| c.actor_id() == &me)
                    .map(|c| c.hash())
                    .collect();
                left = Some(match left {
                    None => mine,
                    Some(l) => l.intersection(&mine).copied().collect(),
                });
            }
            total = total.saturating_add(left.map_or(0, |l| l.len()));
        }
        Ok(total)
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

    /// What this device keeps of long sync messages that sessions were
    /// cut in, one per document (see docs/SYNC.md, "Resuming").
    pub fn kept(&self) -> Result<Vec<KeptRow>, StoreError> {
        db::kept(&self.db.conn).map_err(sqlite_err(&self.db.path))
    }

    /// Keeps a part of a long message as it arrives (`k.have` is not
    /// read): the part from byte `at`. A first part, or one of another
    /// message of the same document, replaces what was kept of it.
    pub fn keep_part(&mut self, k: &KeptRow, at: u64, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.db.path.clone();
        let tx = self.db.begin_write()?;
        db::ensure_sync_tables(&tx).map_err(sqlite_err(&path))?;
        db::keep_part(&tx, k, at, bytes).map_err(sqlite_err(&path))?;
        tx.commit().map_err(sqlite_err(&path))
    }

    /// The first `have` bytes kept of `doc`'s long message with `digest`,
    /// if every one of them is here.
    pub fn kept_bytes(
        &self,
        doc: &str,
        digest: &[u8; 32],
        have: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        db::kept_bytes(&self.db.conn, doc, digest, have).map_err(sqlite_err(&self.db.path))
    }

    /// Forgets what is kept of these documents' long messages (they
    /// arrived whole, or the documents are in sync).
    pub fn drop_kept<'a>(
        &mut self,
        docs: impl IntoIterator<Item = &'a String>,
    ) -> Result<(), StoreError> {
        let path = self.db.path.clone();
        let tx = self.db.begin_write()?;
        db::drop_kept(&tx, docs).map_err(sqlite_err(&path))?;
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

    /// Merges whole documents (from a bundle made by `source`), every
    /// change checked as a sync's are, all in one write; documents this
    /// device did not have are created.
    pub fn merge_docs(
        &mut self,
        source: &str,
        docs: Vec<(String, Automerge)>,
        sigs: &BTreeMap<ChangeHash, Sig>,
    ) -> Result<Received, StoreError> {
        let incoming = docs
            .into_iter()
            .map(|(doc, theirs)| Arriving {
                doc,
                changes: theirs.get_changes(&[]),
                whole: Some(theirs),
                msg: None,
            })
            .collect();
        self.admit_changes(source, incoming, sigs, None)
    }

    /// What importing `docs` would do, without writing anything: each
    /// change checked against the membership log with `certs` added (a
    /// bundle's), as [`Workspace::merge_docs`] would. Returns, per author
    /// device, how many changes would be merged, and the refusals.
    pub fn check_docs(
        &mut self,
        certs: &[Vec<u8>],
        docs: Vec<(String, Automerge)>,
        sigs: &BTreeMap<ChangeHash, Sig>,
    ) -> Result<(BTreeMap<String, usize>, Vec<Refused>), StoreError> {
        let extra: Vec<crate::trust::Cert> = certs
            .iter()
            .filter_map(|b| crate::trust::Cert::decode(b).ok())
            .filter(|c| c.body.workspace == self.state.workspace_id)
            .collect();
        let root = self.root_with(&extra);
        let mut all = self.certs().to_vec();
        all.extend(extra);
        let roster = root.map(|r| crate::trust::roster(&self.state.workspace_id, &r, &all));
        let path = self.db.path.clone();
        let tx = self.db.begin_read()?;
        self.state.catch_up(&tx, &path)?;
        let mut merged: BTreeMap<String, usize> = BTreeMap::new();
        let mut refused = Vec::new();
        for (id, theirs) in docs {
            let mut ours = match self.state.docs.contains_key(&id) {
                true => self.state.loaded(&tx, &path, &id)?.clone(),
                false => Automerge::new(),
            };
            let lookup = |h: &ChangeHash| {
                sigs.get(h)
                    .copied()
                    .or_else(|| db::sig(&tx, h).ok().flatten())
            };
            let gate = verify::Gate {
                workspace: &self.state.workspace_id,
                doc: &id,
                roster: roster.as_ref(),
                sigs: &lookup,
                refused_before: &self.state.refused,
            };
            let outcome = gate
                .admit(&mut ours, theirs.get_changes(&[]), Some(theirs))
                .map_err(|e| StoreError::Damaged {
                    doc: id.clone(),
                    detail: format!("does not merge ({e})"),
                })?;
            for (_, _, author) in outcome.accepted {
                *merged.entry(author).or_default() += 1;
            }
            refused.extend(outcome.refused);
        }
        Ok((merged, refused))
    }

    /// The signatures this device holds for the changes of whole documents
    /// (for a bundle).
    pub fn sigs_of(
        &self,
        docs: &[(String, Vec<u8>)],
    ) -> Result<Vec<(ChangeHash, Sig)>, StoreError> {
        let mut out = Vec::new();
        for (id, bytes) in docs {
            let changes =
                verify::changes_in(&[bytes.as_slice()]).map_err(|detail| StoreError::Damaged {
                    doc: id.clone(),
                    detail,
                })?;
            for c in changes {
                let h = c.hash();
                if let Some(s) = db::sig(&self.db.conn, &h).map_err(sqlite_err(&self.db.path))? {
                    out.push((h, s));
                }
            }
        }
        Ok(out)
    }

    /// Changes refused on arrival, newest first (at most `limit`).
    pub fn refusals(&self, limit: i64) -> Result<Vec<RefusalRow>, StoreError> {
        db::refusals(&self.db.conn, limit).map_err(sqlite_err(&self.db.path))
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

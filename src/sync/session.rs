//! One sync session over one QUIC stream: hellos (`greet.rs`), then
//! turns: each side in its turn sends the automerge sync messages of every
//! document that differs, at once, until one side has everything the
//! other has, or nothing more to say (see docs/SYNC.md).

use super::PeerRefusal;
use super::SyncError;
use super::wire::{self, Frame};
use crate::store::{KeptRow, Refused, Waiting, Workspace};
use automerge::sync;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncWrite};

/// At most this many round trips: a peer that never settles cannot keep a
/// session going forever (automerge #772, #1284).
pub const MAX_ROUNDS: usize = 40;

/// Which end of the connection this side is: the dialer speaks first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Dialer,
    Acceptor,
}

/// The longest sync message accepted (reassembled from its parts): far
/// above a province's largest document, far below what would exhaust a
/// laptop's memory.
pub const MAX_MESSAGE: usize = 256 * 1024 * 1024;

/// Bytes a session may receive in all: a peer cannot keep one busy
/// forever within [`MAX_ROUNDS`].
pub const SESSION_BUDGET: usize = 1024 * 1024 * 1024;

/// What a session did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionReport {
    /// Documents that differed (those both sides had alike are not
    /// synced).
    pub docs: usize,
    /// Round trips: the hellos and each pair of turns after them.
    pub rounds: usize,
    pub bytes_sent: usize,
    pub bytes_received: usize,
    /// Documents that received changes.
    pub changed: BTreeSet<String>,
    /// Changes the peer sent that were checked and refused.
    pub refused: Vec<Refused>,
    /// Changes received whose earlier changes never came: not kept, asked
    /// for again by the next session.
    pub waiting: usize,
    /// The attached files exchanged after the records (`sync::files`).
    pub files: super::files::FilesReport,
    /// A files exchange may find something for the peer: it lacked files
    /// it wants, or this side sent it changes that attach files. (What
    /// this side lacks after the session is looked up then.)
    pub files_due: bool,
    /// Bytes of long messages this side held from a session cut before,
    /// and so did not receive again.
    pub resumed_in: usize,
    /// Bytes of long messages the peer held from a session cut before,
    /// and so were not sent again.
    pub resumed_out: usize,
}

pub type Shared = Arc<Mutex<Workspace>>;

/// The workspace, to this caller alone. A panic elsewhere while holding
/// the lock leaves the workspace as the store left it: every write is all
/// or nothing. Waiting for another session's turn is announced to the
/// runtime (see [`blocking`]).
pub fn lock(ws: &Shared) -> std::sync::MutexGuard<'_, Workspace> {
    use std::sync::TryLockError;
    match ws.try_lock() {
        Ok(held) => held,
        Err(TryLockError::Poisoned(e)) => e.into_inner(),
        Err(TryLockError::WouldBlock) => blocking(|| ws.lock().unwrap_or_else(|e| e.into_inner())),
    }
}

/// Runs `f`, synchronous work (on the workspace, or waiting for it), on
/// this thread. On a worker of a multi-threaded runtime the runtime is
/// told first (`block_in_place`), so that the worker's other tasks move to
/// another thread: the endpoint's acknowledgements and keep-alives must
/// go on while a device checks a city's changes for seconds, or the peer
/// times the connection out (seen: a hub's members "reset by peer" while
/// their own joins were being checked). Elsewhere `f` just runs.
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// The documents this side will sync with `peer`: those the peer may read
/// (as this side knows the programme); `None` when this side has no
/// programme yet (it joined and takes what it is given).
pub fn offer(ws: &Workspace, peer: &str) -> Result<Option<Vec<String>>, SyncError> {
    if ws.is_empty() {
        return Ok(None);
    }
    let member = ws
        .model()
        .active_member(peer)
        .ok_or_else(|| SyncError::NotMember(peer.to_string()))?;
    let readable = ws.readable_docs(member);
    Ok(Some(
        ws.known_docs().intersection(&readable).cloned().collect(),
    ))
}

/// A sync message as frames of at most `part` bytes: `SyncPart`s, the
/// last one a `Sync` frame (empty when there are no bytes).
fn frames_of(doc: &str, message: &[u8], part: usize) -> Vec<Frame> {
    let mut chunks: Vec<&[u8]> = message.chunks(part).collect();
    let last = chunks.pop().unwrap_or(&[]);
    chunks
        .into_iter()
        .map(|c| Frame::SyncPart {
            doc: doc.to_string(),
            part: c.to_vec(),
        })
        .chain(std::iter::once(Frame::Sync {
            doc: doc.to_string(),
            message: last.to_vec(),
        }))
        .collect()
}

/// What one round sends (`store::Outgoing` is one document's message in
/// it): its frames, how many messages (and certificate frames) they are,
/// and whether any carries a change.
struct RoundOut {
    frames: Vec<Frame>,
    messages: usize,
    carries: bool,
}

/// What one round received, reassembled: sync messages by document,
/// certificates, signatures, and the bytes read.
#[derive(Default)]
struct Incoming {
    messages: Vec<(String, Vec<u8>)>,
    certs: Vec<Vec<u8>>,
    sigs: BTreeMap<automerge::ChangeHash, crate::trust::changes::Sig>,
    bytes: usize,
    /// The peer's last turn (`Done`).
    last: bool,
    /// Only a part of the turn: more of it follows (see [`TAKE_IN_AT`]).
    more: bool,
}

/// A turn is taken in (checked, merged and stored) in parts of about this
/// many bytes, each part once its last document's message is whole: a
/// join or a long catch-up cut on a poor link keeps the documents that
/// arrived, and the next session asks only for the rest.
pub const TAKE_IN_AT: usize = 256 * 1024;

/// One session's state between turns.
pub(super) struct Session<'a> {
    pub(super) ws: &'a Shared,
    pub(super) peer: &'a str,
    /// The documents synced: in the opening, those this side offers;
    /// after the hellos, those that differ.
    docs: BTreeSet<String>,
    states: BTreeMap<String, sync::State>,
    /// The heads each document had in the peer's latest message.
    their_heads: BTreeMap<String, Vec<automerge::ChangeHash>>,
    waiting: Waiting,
    /// The membership log frames still to send (all in the first turn).
    certs_out: Vec<Frame>,
    /// The heads of the peer's membership log, from its hello.
    their_certs: Vec<String>,
    /// The peer's log has certificates this side lacks: they are still
    /// to come (the session is not over before they do).
    certs_due: bool,
    /// Turns so far, both sides' (the dialer's hello and opening are
    /// the first).
    turns: usize,
    /// The peer takes long messages ([`wire::Long`]).
    resumes: bool,
    /// What the peer keeps of long messages cut before: each used once.
    their_kept: BTreeMap<String, wire::Kept>,
    pub(super) report: SessionReport,
}

/// Runs a session. `peer` is the other side's endpoint id; the dialer and
/// the acceptor each call this with their own stream halves.
pub async fn run<R, W>(
    ws: &Shared,
    peer: &str,
    role: Role,
    recv: &mut R,
    send: &mut W,
    mut progress: impl FnMut(&SessionReport),
) -> Result<SessionReport, SyncError>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send,
{
    let mut s = Session {
        ws,
        peer,
        docs: BTreeSet::new(),
        states: BTreeMap::new(),
        their_heads: BTreeMap::new(),
        waiting: Waiting::default(),
        certs_out: Vec::new(),
        their_certs: Vec::new(),
        certs_due: false,
        turns: 0,
        resumes: false,
        their_kept: BTreeMap::new(),
        report: SessionReport::default(),
    };
    let g = match role {
        Role::Dialer => s.dial(recv, send).await?,
        Role::Acceptor => s.accept(recv, send).await?,
    };
    s.report.docs = g.docs.len();
    s.report.rounds = 1;
    blocking(|| {
        let w = lock(ws);
        for d in &g.docs {
            s.states
                .entry(d.clone())
                .or_insert_with(|| w.sync_state(peer, d));
        }
        s.states.retain(|d, _| g.docs.contains(d));
        s.certs_out = certs_for(&w, &g.their_certs);
        s.certs_due = lacks(&w, &g.their_certs);
    });
    s.their_certs = g.their_certs;
    s.docs = g.docs;
    s.resumes = g.their_resumes;
    s.their_kept = g.their_kept;
    let nothing = s.docs.is_empty() && !g.certs_differ;
    let mut more = !nothing;
    if role == Role::Acceptor {
        // The dialer's opening, sent with its hello before it knew what
        // differs: messages of documents already alike are passed over.
        // (With nothing to sync, nothing in it is taken.)
        s.receive_turn(recv, true, &mut progress).await?;
        if !nothing {
            more = s.answer(send, false).await?.is_some();
        }
    }
    if more {
        s.turns_until_done(recv, send, &mut progress).await?;
    }
    blocking(|| {
        let mut w = lock(ws);
        w.save_sync_states(peer, &s.states)?;
        // What was kept of a long message is of no more use once its
        // document is in sync.
        let done: Vec<&String> = g.kept.keys().filter(|d| s.docs.contains(*d)).collect();
        if done.is_empty() {
            Ok(())
        } else {
            w.drop_kept(done)
        }
    })?;
    s.report.files_due |= g.their_wants_files;
    Ok(s.report)
}

impl Session<'_> {
    /// Writes one frame, counted.
    pub(super) async fn write<W: AsyncWrite + Unpin + Send>(
        &mut self,
        send: &mut W,
        frame: &Frame,
    ) -> Result<(), SyncError> {
        let n = wire::write(send, frame).await?;
        self.report.bytes_sent = self.report.bytes_sent.saturating_add(n);
        Ok(())
    }

    /// Sends a turn's frames and its `end` (`RoundEnd`, or `Done` for the
    /// last), counted.
    async fn send_turn<W: AsyncWrite + Unpin + Send>(
        &mut self,
        send: &mut W,
        frames: &[Frame],
        end: &Frame,
    ) -> Result<(), SyncError> {
        for f in frames.iter().chain([end]) {
            self.write(send, f).await?;
        }
        Ok(())
    }

    /// The dialer's opening turn, sent with its hello: the sync message of
    /// every document it offers.
    pub(super) async fn open<W: AsyncWrite + Unpin + Send>(
        &mut self,
        send: &mut W,
        offered: &[String],
    ) -> Result<(), SyncError> {
        {
            let w = lock(self.ws);
            for d in offered {
                self.states.insert(d.clone(), w.sync_state(self.peer, d));
            }
        }
        self.docs = offered.iter().cloned().collect();
        let out = blocking(|| self.outgoing())?;
        self.turns = 1;
        self.send_turn(send, &out.frames, &Frame::RoundEnd).await
    }

    /// Turns after the opening: read the peer's, answer it, until a side
    /// sends an empty turn (it has everything the other has, or nothing
    /// more to say).
    async fn turns_until_done<R, W>(
        &mut self,
        recv: &mut R,
        send: &mut W,
        progress: &mut impl FnMut(&SessionReport),
    ) -> Result<(), SyncError>
    where
        R: AsyncRead + Unpin + Send,
        W: AsyncWrite + Unpin + Send,
    {
        // Turns in a row that carried no change either way: past three,
        // the two sides only tell each other heads they will not reach
        // (changes one of them refused).
        let mut quiet = 0usize;
        loop {
            let (carried, last) = self.receive_turn(recv, false, progress).await?;
            self.count_turn();
            quiet = if carried { 0 } else { quiet.saturating_add(1) };
            if last {
                return Ok(());
            }
            if self.turns >= MAX_ROUNDS.saturating_mul(2) {
                return Err(SyncError::TooManyRounds);
            }
            match self.answer(send, quiet >= 3).await? {
                None => return Ok(()),
                Some(carried) if carried => quiet = 0,
                Some(_) => quiet = quiet.saturating_add(1),
            }
        }
    }

    /// Sends this side's turn; it is the last (`Done`) when this side has
    /// what the peer has and owes it nothing, when automerge has nothing
    /// to say, or when `quiet` and the turn would carry no change. The
    /// last turn still carries this side's heads, so both sides keep
    /// where they stand. Whether the turn carried a change; `None` for
    /// the last.
    async fn answer<W: AsyncWrite + Unpin + Send>(
        &mut self,
        send: &mut W,
        quiet: bool,
    ) -> Result<Option<bool>, SyncError> {
        let settled = self.settled();
        let out = blocking(|| self.outgoing())?;
        let last = settled || out.messages == 0 || (quiet && !out.carries);
        let end = if last { Frame::Done } else { Frame::RoundEnd };
        self.send_turn(send, &out.frames, &end).await?;
        self.count_turn();
        Ok((!last).then_some(out.carries))
    }

    /// Reads the peer's turn and takes it in, part by part (see
    /// [`TAKE_IN_AT`]); whether it carried any change (or certificate),
    /// and whether it was the peer's last.
    async fn receive_turn<R: AsyncRead + Unpin + Send>(
        &mut self,
        recv: &mut R,
        opening: bool,
        progress: &mut impl FnMut(&SessionReport),
    ) -> Result<(bool, bool), SyncError> {
        let mut carried = false;
        loop {
            let budget = SESSION_BUDGET.saturating_sub(self.report.bytes_received);
            let part = self.receive_round(recv, budget).await?;
            let (more, last) = (part.more, part.last);
            carried |= blocking(|| self.take_in(part, opening))?;
            progress(&self.report);
            if !more {
                return Ok((carried, last));
            }
        }
    }

    fn count_turn(&mut self) {
        self.turns = self.turns.saturating_add(1);
        self.report.rounds = self.turns.div_ceil(2).max(1);
    }

    /// This side has every change the peer had in its latest messages and
    /// the peer has every change of this side's, in every document, and no
    /// certificate is owed either way.
    fn settled(&self) -> bool {
        let w = lock(self.ws);
        self.certs_out.is_empty()
            && !self.certs_due
            && self
                .docs
                .iter()
                .all(|d| self.their_heads.get(d) == Some(&w.doc_heads(d)))
    }
}

/// Whether the peer's membership log heads name certificates this side
/// does not hold.
fn lacks(w: &Workspace, their_heads: &[String]) -> bool {
    their_heads
        .iter()
        .any(|h| !w.certs().iter().any(|c| &c.hash == h))
}

/// The membership log certificates the peer's heads show it lacks, in
/// frames of about one part each.
pub(super) fn certs_for(w: &Workspace, heads: &[String]) -> Vec<Frame> {
    let mut frames = Vec::new();
    let mut batch: Vec<Vec<u8>> = Vec::new();
    let mut size = 0usize;
    for c in crate::trust::missing_for(w.certs(), heads) {
        if size.saturating_add(c.bytes().len()) > wire::PART && !batch.is_empty() {
            frames.push(Frame::Certs(std::mem::take(&mut batch)));
            size = 0;
        }
        size = size.saturating_add(c.bytes().len());
        batch.push(c.bytes().to_vec());
    }
    if !batch.is_empty() {
        frames.push(Frame::Certs(batch));
    }
    frames
}

impl Session<'_> {
    /// This round's frames: the certificates still to send, then per
    /// document the signatures of the changes in its message and the
    /// message.
    fn outgoing(&mut self) -> Result<RoundOut, SyncError> {
        let mut w = lock(self.ws);
        let mut frames = std::mem::take(&mut self.certs_out);
        let mut messages = frames.len();
        let mut carries = !frames.is_empty();
        for d in &self.docs {
            let state = self.states.entry(d.clone()).or_default();
            let Some(o) = w.generate_sync_message(d, state, &self.waiting)? else {
                continue;
            };
            messages = messages.saturating_add(1);
            carries |= !o.message.changes.is_empty();
            // Files the peer may now lack; what this side lacks is
            // looked up after the session (`node::files_with`).
            self.report.files_due |= o.attaches_files;
            let message = o.message.encode();
            if self.resumes {
                let sigs = crate::trust::changes::encode(&o.sigs);
                if sigs.len().saturating_add(message.len()) > wire::LONG_PART {
                    let kept = self.their_kept.remove(d);
                    let (long, from) = long_frames(d, sigs, &message, kept);
                    self.report.resumed_out = self.report.resumed_out.saturating_add(from);
                    frames.extend(long);
                    continue;
                }
            }
            // The signatures first, so the changes can be checked as soon
            // as their message is read.
            for batch in o.sigs.chunks(wire::PART / 96) {
                frames.push(Frame::Sigs {
                    doc: d.clone(),
                    sigs: crate::trust::changes::encode(batch),
                });
            }
            frames.extend(frames_of(d, &message, wire::PART));
        }
        Ok(RoundOut {
            frames,
            messages,
            carries,
        })
    }

    /// Checks and merges what a round brought; whether it carried any
    /// change (or certificate).
    /// In the `opening` (sent before the dialer knew which documents
    /// differ), messages of documents not synced are passed over.
    fn take_in(&mut self, incoming: Incoming, opening: bool) -> Result<bool, SyncError> {
        self.report.bytes_received = self.report.bytes_received.saturating_add(incoming.bytes);
        if !incoming.certs.is_empty() {
            // Checked one by one (signature, workspace); the roster is
            // computed from them, never taken from the peer.
            let mut w = lock(self.ws);
            w.add_certs(&incoming.certs)?;
            self.certs_due = lacks(&w, &self.their_certs);
        }
        let mut decoded = Vec::new();
        for (doc, bytes) in incoming.messages {
            if !self.docs.contains(&doc) {
                if opening {
                    continue;
                }
                return Err(SyncError::Protocol(format!(
                    "document {doc} was not agreed"
                )));
            }
            let m = sync::Message::decode(&bytes)
                .map_err(|e| SyncError::Protocol(format!("sync message for {doc}: {e}")))?;
            let mut heads = m.heads.clone();
            heads.sort();
            self.their_heads.insert(doc.clone(), heads);
            decoded.push((doc, m));
        }
        let got_changes =
            !incoming.certs.is_empty() || decoded.iter().any(|(_, m)| !m.changes.is_empty());
        let got = lock(self.ws).receive_sync_messages(
            self.peer,
            decoded,
            &incoming.sigs,
            &mut self.states,
            &mut self.waiting,
        )?;
        self.report.changed.extend(got.changed);
        self.report.refused.extend(got.refused);
        self.report.waiting = self.waiting.len();
        Ok(got_changes)
    }
}

/// A long message being received: its head, where this session took it
/// up, and how much of it is kept on disk.
struct Receiving {
    head: wire::Long,
    digest: [u8; 32],
    from: usize,
    stored: usize,
}

impl Receiving {
    fn row(&self) -> KeptRow {
        KeptRow {
            doc: self.head.doc.clone(),
            digest: self.digest,
            sigs: self.head.sigs,
            len: self.head.len,
            have: 0,
        }
    }
}

/// Long messages are kept on disk as they arrive, every this many bytes
/// (and all that arrived when the connection is lost).
const KEEP_EVERY: usize = TAKE_IN_AT;

impl Session<'_> {
    /// Reads the peer's frames up to its round end, reassembling messages
    /// sent in parts, or up to the first whole message past [`TAKE_IN_AT`]
    /// bytes (`more`); `budget`: the bytes the session may still receive.
    /// The parts of a long message are kept as they come, so a session
    /// cut in its middle leaves its beginning for the next one.
    async fn receive_round<R: AsyncRead + Unpin + Send>(
        &mut self,
        recv: &mut R,
        budget: usize,
    ) -> Result<Incoming, SyncError> {
        let mut got = Incoming::default();
        let mut parts: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut longs: BTreeMap<String, Receiving> = BTreeMap::new();
        let too_long =
            || SyncError::Protocol(format!("a sync message longer than {MAX_MESSAGE} bytes"));
        loop {
            let (f, size) = match wire::read(recv).await {
                Ok(read) => read,
                Err(e) => {
                    // Cut: what arrived of long messages is kept.
                    for r in longs.values_mut() {
                        let _ = self.keep(r, &parts, 0);
                    }
                    return Err(e.into());
                }
            };
            got.bytes = got.bytes.saturating_add(size);
            if got.bytes > budget {
                return Err(SyncError::Protocol(format!(
                    "the peer sent more than {SESSION_BUDGET} bytes in one session"
                )));
            }
            match f {
                Frame::Certs(c) => got.certs.extend(c),
                Frame::Sigs { sigs: bytes, .. } => got.sigs.extend(sigs_of(&bytes)?),
                Frame::Long(head) => {
                    let doc = head.doc.clone();
                    if parts.contains_key(&doc) {
                        return Err(SyncError::Protocol(format!(
                            "a second message for {doc} before the first ended"
                        )));
                    }
                    let (r, beginning) = blocking(|| self.take_up(head))?;
                    parts.insert(doc.clone(), beginning);
                    longs.insert(doc, r);
                }
                Frame::SyncPart { doc, part } => {
                    let buf = parts.entry(doc.clone()).or_default();
                    let limit = longs
                        .get(&doc)
                        .and_then(|r| usize::try_from(r.head.len).ok())
                        .unwrap_or(MAX_MESSAGE);
                    if buf.len().saturating_add(part.len()) > limit {
                        return Err(too_long());
                    }
                    buf.extend(part);
                    if let Some(r) = longs.get_mut(&doc) {
                        self.keep(r, &parts, KEEP_EVERY)?;
                    }
                }
                Frame::Sync { doc, message } => {
                    let mut whole = parts.remove(&doc).unwrap_or_default();
                    if whole.len().saturating_add(message.len()) > MAX_MESSAGE {
                        return Err(too_long());
                    }
                    whole.extend(message);
                    let whole = match longs.remove(&doc) {
                        Some(r) => {
                            let (sigs, message) = blocking(|| self.finish(&r, whole))?;
                            got.sigs.extend(sigs);
                            message
                        }
                        None => whole,
                    };
                    got.messages.push((doc, whole));
                    if got.bytes >= TAKE_IN_AT && parts.is_empty() {
                        got.more = true;
                        return Ok(got);
                    }
                }
                Frame::RoundEnd => return Ok(got),
                Frame::Done => {
                    got.last = true;
                    return Ok(got);
                }
                Frame::Failure(why) => {
                    return Err(SyncError::Refused(PeerRefusal::from_wire(&why)));
                }
                other => return Err(SyncError::Protocol(format!("unexpected {other:?}"))),
            }
        }
    }

    /// Takes up a long message from its head: checked against the
    /// session, with the beginning this side kept when the peer sends
    /// only the rest.
    fn take_up(&self, head: wire::Long) -> Result<(Receiving, Vec<u8>), SyncError> {
        let bad = |why: &str| SyncError::Protocol(format!("long message for {}: {why}", head.doc));
        if !self.docs.contains(&head.doc) {
            return Err(bad("the document was not agreed"));
        }
        let digest: [u8; 32] = data_encoding::HEXLOWER
            .decode(head.digest.as_bytes())
            .ok()
            .and_then(|d| d.try_into().ok())
            .ok_or_else(|| bad("its digest does not read"))?;
        let (Ok(len), Ok(from)) = (usize::try_from(head.len), usize::try_from(head.from)) else {
            return Err(bad("too long"));
        };
        if len > MAX_MESSAGE || head.sigs > head.len || from > len {
            return Err(bad("its lengths do not hold together"));
        }
        let beginning = if from == 0 {
            Vec::new()
        } else {
            lock(self.ws)
                .kept_bytes(&head.doc, &digest, head.from)?
                .ok_or_else(|| bad("it goes on from a beginning this device does not hold"))?
        };
        Ok((
            Receiving {
                head,
                digest,
                from,
                stored: from,
            },
            beginning,
        ))
    }

    /// Keeps on disk what arrived of `r`'s message since it was last
    /// kept, once that is at least `at_least` bytes.
    fn keep(
        &self,
        r: &mut Receiving,
        parts: &BTreeMap<String, Vec<u8>>,
        at_least: usize,
    ) -> Result<(), SyncError> {
        let new = parts
            .get(&r.head.doc)
            .and_then(|b| b.get(r.stored..))
            .unwrap_or_default();
        if new.is_empty() || new.len() < at_least {
            return Ok(());
        }
        let at = u64::try_from(r.stored).unwrap_or(u64::MAX);
        blocking(|| lock(self.ws).keep_part(&r.row(), at, new))?;
        r.stored = r.stored.saturating_add(new.len());
        Ok(())
    }

    /// A long message, whole: checked against its head, its signatures
    /// read; what was kept of it is no longer needed.
    fn finish(
        &mut self,
        r: &Receiving,
        whole: Vec<u8>,
    ) -> Result<(Signatures, Vec<u8>), SyncError> {
        use sha2::{Digest, Sha256};
        let mut w = lock(self.ws);
        // Whatever came, the kept beginning has served.
        w.drop_kept([&r.head.doc])?;
        let bad =
            |why: &str| SyncError::Protocol(format!("long message for {}: {why}", r.head.doc));
        if u64::try_from(whole.len()).ok() != Some(r.head.len) {
            return Err(bad("not as long as its head said"));
        }
        if Sha256::digest(&whole).as_slice() != r.digest.as_slice() {
            return Err(bad("its bytes do not match its digest"));
        }
        let split = usize::try_from(r.head.sigs).map_err(|_| bad("too long"))?;
        let (sigs, message) = whole
            .split_at_checked(split)
            .ok_or_else(|| bad("shorter than its signatures"))?;
        let sigs = sigs_of(sigs)?;
        self.report.resumed_in = self.report.resumed_in.saturating_add(r.from);
        Ok((sigs, message.to_vec()))
    }
}

/// Changes' hashes and their signatures.
type Signatures = Vec<(automerge::ChangeHash, crate::trust::changes::Sig)>;

/// The signatures of a `Sigs` frame or of a long message.
fn sigs_of(bytes: &[u8]) -> Result<Signatures, SyncError> {
    crate::trust::changes::decode(bytes)
        .ok_or_else(|| SyncError::Protocol("signatures of a torn length".into()))
}

/// A long message's frames ([`wire::Long`]): its head, then its
/// signatures and message as one run of bytes, from where the peer's
/// `kept` beginning of this very message ends, in parts of
/// [`wire::LONG_PART`]; and that starting byte.
fn long_frames(
    doc: &str,
    sigs: Vec<u8>,
    message: &[u8],
    kept: Option<wire::Kept>,
) -> (Vec<Frame>, usize) {
    use sha2::{Digest, Sha256};
    let split = sigs.len();
    let mut all = sigs;
    all.extend_from_slice(message);
    let digest = data_encoding::HEXLOWER.encode(&Sha256::digest(&all));
    let from = kept
        .filter(|k| k.digest == digest)
        .and_then(|k| usize::try_from(k.len).ok())
        .filter(|&n| n <= all.len())
        .unwrap_or(0);
    let n = |x: usize| u64::try_from(x).unwrap_or(u64::MAX);
    let mut frames = vec![Frame::Long(wire::Long {
        doc: doc.to_string(),
        digest,
        sigs: n(split),
        len: n(all.len()),
        from: n(from),
    })];
    frames.extend(frames_of(
        doc,
        all.get(from..).unwrap_or_default(),
        wire::LONG_PART,
    ));
    (frames, from)
}

//! One sync session over one QUIC stream: hellos, then rounds of automerge
//! sync messages for every shared document at once, until neither side has
//! anything to send (see docs/SYNC.md).

use super::PeerRefusal;
use super::SyncError;
use super::wire::{self, Frame, Hello, WireError};
use crate::store::{Refused, Waiting, Workspace};
use automerge::sync;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncWrite};

/// At most this many rounds: a peer that never settles cannot keep a
/// session going forever (automerge #772, #1284).
pub const MAX_ROUNDS: usize = 40;

/// The longest sync message accepted (reassembled from its parts): far
/// above a province's largest document, far below what would exhaust a
/// laptop's memory.
pub const MAX_MESSAGE: usize = 256 * 1024 * 1024;

/// Bytes a session may receive in all: a peer cannot keep one busy
/// forever within [`MAX_ROUNDS`].
pub const SESSION_BUDGET: usize = 1024 * 1024 * 1024;
/// The most certificate bytes taken from a peer this side has not heard
/// of before it proves it is a member (a province's log is a few MB).
const PROOF_BUDGET: usize = 32 * 1024 * 1024;

/// What a session did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionReport {
    pub docs: usize,
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
}

pub type Shared = Arc<Mutex<Workspace>>;

pub fn lock(ws: &Shared) -> std::sync::MutexGuard<'_, Workspace> {
    // A panic elsewhere while holding the lock leaves the workspace as the
    // store left it: every write is all or nothing.
    ws.lock().unwrap_or_else(|e| e.into_inner())
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

fn agree(
    mine: Option<Vec<String>>,
    theirs: Option<Vec<String>>,
) -> Result<BTreeSet<String>, SyncError> {
    match (mine, theirs) {
        (Some(a), Some(b)) => {
            let b: BTreeSet<String> = b.into_iter().collect();
            Ok(a.into_iter().filter(|d| b.contains(d)).collect())
        }
        (Some(a), None) => Ok(a.into_iter().collect()),
        (None, Some(b)) => Ok(b.into_iter().collect()),
        (None, None) => Err(SyncError::Protocol("neither side has a programme".into())),
    }
}

/// A sync message as frames: parts of at most [`wire::PART`] bytes, the
/// last one a `Sync` frame.
pub fn frames_of(doc: &str, message: &[u8]) -> Vec<Frame> {
    let mut chunks: Vec<&[u8]> = message.chunks(wire::PART).collect();
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
}

/// One session's state between rounds.
struct Session<'a> {
    ws: &'a Shared,
    peer: &'a str,
    docs: BTreeSet<String>,
    states: BTreeMap<String, sync::State>,
    waiting: Waiting,
    /// The membership log frames still to send (all in the first round).
    certs_out: Vec<Frame>,
    report: SessionReport,
}

/// Runs a session. `peer` is the other side's endpoint id; both sides call
/// this, each with its own stream halves.
pub async fn run<R, W>(
    ws: &Shared,
    peer: &str,
    recv: &mut R,
    send: &mut W,
    mut progress: impl FnMut(&SessionReport),
) -> Result<SessionReport, SyncError>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send,
{
    let mut report = SessionReport::default();
    let (docs, their_certs) = greet(ws, peer, recv, send, &mut report).await?;
    report.docs = docs.len();
    let (states, certs_out) = {
        let w = lock(ws);
        let states = docs
            .iter()
            .map(|d| (d.clone(), w.sync_state(peer, d)))
            .collect();
        let certs = their_certs
            .map(|heads| certs_for(&w, &heads))
            .unwrap_or_default();
        (states, certs)
    };
    let mut s = Session {
        ws,
        peer,
        docs,
        states,
        waiting: Waiting::default(),
        certs_out,
        report,
    };
    let mut idle = 0usize;
    loop {
        if s.report.rounds >= MAX_ROUNDS {
            return Err(SyncError::TooManyRounds);
        }
        s.report.rounds = s.report.rounds.saturating_add(1);
        let out = s.outgoing()?;
        let budget = SESSION_BUDGET.saturating_sub(s.report.bytes_received);
        let (sent, received) =
            tokio::join!(send_round(send, &out.frames), receive_round(recv, budget));
        s.report.bytes_sent = s.report.bytes_sent.saturating_add(sent?);
        let incoming = received?;
        let got = incoming
            .messages
            .len()
            .saturating_add(usize::from(!incoming.certs.is_empty()));
        let got_changes = s.take_in(incoming)?;
        progress(&s.report);
        if out.messages == 0 && got == 0 {
            break;
        }
        // Two rounds in a row that carried no change either way: the two
        // sides only tell each other heads they will not reach (changes
        // one of them refused). Both see the same rounds, so both stop.
        idle = if out.carries || got_changes {
            0
        } else {
            idle.saturating_add(1)
        };
        if idle >= 2 && s.report.rounds > 2 {
            break;
        }
    }
    lock(ws).save_sync_states(peer, &s.states)?;
    Ok(s.report)
}

/// The hellos: both sides say who they are and what they would sync.
/// Returns the documents agreed, and the heads of the peer's membership
/// log (when it sent them).
async fn greet<R, W>(
    ws: &Shared,
    peer: &str,
    recv: &mut R,
    send: &mut W,
    report: &mut SessionReport,
) -> Result<(BTreeSet<String>, Option<Vec<String>>), SyncError>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send,
{
    let (workspace, mine, cert_heads) = {
        let mut w = lock(ws);
        w.refresh()?;
        (
            w.workspace_id().to_string(),
            offer(&w, peer),
            crate::trust::heads_of(w.certs()),
        )
    };
    // A peer this side has not heard of yet (it joined later): it may
    // still prove it is a member, with the certificates this side lacks.
    let (mine, stranger) = match mine {
        Ok(m) => (m, false),
        Err(SyncError::NotMember(_)) => (Some(Vec::new()), true),
        Err(e) => return Err(e),
    };
    let hello = Hello {
        protocol: wire::PROTOCOL,
        workspace: workspace.clone(),
        docs: mine.clone(),
        certs: Some(cert_heads),
        stranger,
    };
    let h = exchange_hello(send, recv, &hello, &workspace, report).await?;
    match (stranger, h.stranger) {
        (false, false) => Ok((agree(mine, h.docs)?, h.certs)),
        // Neither knows the other: nothing to go on.
        (true, true) => {
            let _ = wire::write(send, &Frame::Failure("not_member".into())).await;
            Err(SyncError::NotMember(peer.to_string()))
        }
        // This side knows the peer: it sends what the peer lacks, then
        // hears whether the peer now knows it.
        (false, true) => {
            let frames = certs_for(&lock(ws), h.certs.as_deref().unwrap_or_default());
            for f in frames.iter().chain([&Frame::Hello(hello.clone())]) {
                let n = wire::write(send, f).await?;
                report.bytes_sent = report.bytes_sent.saturating_add(n);
            }
            let again = read_hello(recv, report).await?;
            let again = accept_hello(send, again, &workspace).await?;
            Ok((agree(mine, again.docs)?, again.certs))
        }
        // The peer knows this side: its certificates, then it again.
        (true, false) => learn_peer(ws, peer, recv, send, hello, report).await,
    }
}

/// The peer, which this side had not heard of, sends the certificates
/// this side lacks and its hello again: if they make it an active member,
/// this side answers with its documents.
async fn learn_peer<R, W>(
    ws: &Shared,
    peer: &str,
    recv: &mut R,
    send: &mut W,
    hello: Hello,
    report: &mut SessionReport,
) -> Result<(BTreeSet<String>, Option<Vec<String>>), SyncError>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send,
{
    let mut certs = Vec::new();
    let again = loop {
        // A peer this side does not know yet is held to what an
        // honest membership log can be.
        let held: usize = certs.iter().map(Vec::len).sum();
        if certs.len() > crate::trust::MAX_CERTS || held > PROOF_BUDGET {
            return Err(SyncError::Protocol(
                "the peer sent more certificates than a membership log holds".into(),
            ));
        }
        let (frame, n) = wire::read(recv).await?;
        report.bytes_received = report.bytes_received.saturating_add(n);
        match frame {
            Frame::Certs(c) => certs.extend(c),
            Frame::Hello(h) => break h,
            other => return Err(hello_expected(&other)),
        }
    };
    let (mine, heads) = {
        let mut w = lock(ws);
        w.add_certs(&certs)?;
        (offer(&w, peer), crate::trust::heads_of(w.certs()))
    };
    let mine = match mine {
        Ok(m) => m,
        Err(e) => {
            let _ = wire::write(send, &Frame::Failure("not_member".into())).await;
            return Err(e);
        }
    };
    let hello = Frame::Hello(Hello {
        docs: mine.clone(),
        certs: Some(heads),
        stranger: false,
        ..hello
    });
    let n = wire::write(send, &hello).await?;
    report.bytes_sent = report.bytes_sent.saturating_add(n);
    Ok((agree(mine, again.docs)?, again.certs))
}

/// Sends this side's hello and reads the peer's, checked.
async fn exchange_hello<R, W>(
    send: &mut W,
    recv: &mut R,
    hello: &Hello,
    workspace: &str,
    report: &mut SessionReport,
) -> Result<Hello, SyncError>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send,
{
    let frame = Frame::Hello(hello.clone());
    let (sent, got) = tokio::join!(wire::write(send, &frame), read_hello(recv, report));
    report.bytes_sent = report.bytes_sent.saturating_add(sent?);
    accept_hello(send, got?, workspace).await
}

/// Reads the peer's hello (or its refusal), unchecked.
async fn read_hello<R: AsyncRead + Unpin + Send>(
    recv: &mut R,
    report: &mut SessionReport,
) -> Result<Hello, SyncError> {
    let (frame, n) = wire::read(recv).await?;
    report.bytes_received = report.bytes_received.saturating_add(n);
    match frame {
        Frame::Hello(h) => Ok(h),
        Frame::Failure(why) => Err(SyncError::Refused(PeerRefusal::from_wire(&why))),
        other => Err(hello_expected(&other)),
    }
}

/// The peer's hello if it is of this protocol and this programme; else
/// the peer is told why (`Failure`) and the session ends.
async fn accept_hello<W: AsyncWrite + Unpin + Send>(
    send: &mut W,
    h: Hello,
    workspace: &str,
) -> Result<Hello, SyncError> {
    let (error, code) = if h.protocol != wire::PROTOCOL {
        let why = format!(
            "the other device speaks sync protocol {} (this one {}): both need the same version of bangfu",
            h.protocol,
            wire::PROTOCOL
        );
        (SyncError::Protocol(why), "protocol")
    } else if h.workspace != workspace {
        (SyncError::OtherWorkspace, "other_workspace")
    } else {
        return Ok(h);
    };
    let _ = wire::write(send, &Frame::Failure(code.into())).await;
    Err(error)
}

fn hello_expected(other: &Frame) -> SyncError {
    SyncError::Protocol(format!("expected hello, got {other:?}"))
}

/// The membership log certificates the peer's heads show it lacks, in
/// frames of about one part each.
fn certs_for(w: &Workspace, heads: &[String]) -> Vec<Frame> {
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
            // The signatures first, so the changes can be checked as soon
            // as their message is read.
            for batch in o.sigs.chunks(wire::PART / 96) {
                frames.push(Frame::Sigs {
                    doc: d.clone(),
                    sigs: crate::trust::changes::encode(batch),
                });
            }
            frames.extend(frames_of(d, &o.message.encode()));
        }
        Ok(RoundOut {
            frames,
            messages,
            carries,
        })
    }

    /// Checks and merges what a round brought; whether it carried any
    /// change (or certificate).
    fn take_in(&mut self, incoming: Incoming) -> Result<bool, SyncError> {
        self.report.bytes_received = self.report.bytes_received.saturating_add(incoming.bytes);
        if !incoming.certs.is_empty() {
            // Checked one by one (signature, workspace); the roster is
            // computed from them, never taken from the peer.
            lock(self.ws).add_certs(&incoming.certs)?;
        }
        let mut decoded = Vec::new();
        for (doc, bytes) in incoming.messages {
            if !self.docs.contains(&doc) {
                return Err(SyncError::Protocol(format!(
                    "document {doc} was not agreed"
                )));
            }
            let m = sync::Message::decode(&bytes)
                .map_err(|e| SyncError::Protocol(format!("sync message for {doc}: {e}")))?;
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

/// Sends a round's frames and its end; the bytes written.
async fn send_round<W: AsyncWrite + Unpin + Send>(
    send: &mut W,
    frames: &[Frame],
) -> Result<usize, WireError> {
    let mut n: usize = 0;
    for f in frames {
        n = n.saturating_add(wire::write(send, f).await?);
    }
    Ok(n.saturating_add(wire::write(send, &Frame::RoundEnd).await?))
}

/// Reads the peer's frames up to its round end, reassembling messages
/// sent in parts; `budget`: the bytes the session may still receive.
async fn receive_round<R: AsyncRead + Unpin + Send>(
    recv: &mut R,
    budget: usize,
) -> Result<Incoming, SyncError> {
    let mut got = Incoming::default();
    let mut parts: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let too_long =
        || SyncError::Protocol(format!("a sync message longer than {MAX_MESSAGE} bytes"));
    loop {
        let (f, size) = wire::read(recv).await?;
        got.bytes = got.bytes.saturating_add(size);
        if got.bytes > budget {
            return Err(SyncError::Protocol(format!(
                "the peer sent more than {SESSION_BUDGET} bytes in one session"
            )));
        }
        match f {
            Frame::Certs(c) => got.certs.extend(c),
            Frame::Sigs { sigs: bytes, .. } => {
                let list = crate::trust::changes::decode(&bytes).ok_or_else(|| {
                    SyncError::Protocol("a signatures frame of a torn length".into())
                })?;
                got.sigs.extend(list);
            }
            Frame::SyncPart { doc, part } => {
                let buf = parts.entry(doc).or_default();
                if buf.len().saturating_add(part.len()) > MAX_MESSAGE {
                    return Err(too_long());
                }
                buf.extend(part);
            }
            Frame::Sync { doc, message } => {
                let mut whole = parts.remove(&doc).unwrap_or_default();
                if whole.len().saturating_add(message.len()) > MAX_MESSAGE {
                    return Err(too_long());
                }
                whole.extend(message);
                got.messages.push((doc, whole));
            }
            Frame::RoundEnd => return Ok(got),
            Frame::Failure(why) => {
                return Err(SyncError::Refused(PeerRefusal::from_wire(&why)));
            }
            other => return Err(SyncError::Protocol(format!("unexpected {other:?}"))),
        }
    }
}

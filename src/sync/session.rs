//! One sync session over one QUIC stream: hellos, then rounds of automerge
//! sync messages for every shared document at once, until neither side has
//! anything to send (see docs/SYNC.md).

use super::PeerRefusal;
use super::SyncError;
use super::wire::{self, Frame, Hello, WireError};
use crate::store::{Refused, Workspace};
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
    let (workspace, mine, cert_heads) = {
        let mut w = lock(ws);
        w.refresh()?;
        (
            w.workspace_id().to_string(),
            offer(&w, peer)?,
            crate::trust::heads_of(w.certs()),
        )
    };
    let mut report = SessionReport::default();
    let hello = Frame::Hello(Hello {
        protocol: wire::PROTOCOL,
        workspace: workspace.clone(),
        docs: mine.clone(),
        certs: Some(cert_heads),
    });
    let (sent, got) = tokio::join!(wire::write(send, &hello), wire::read(recv));
    report.bytes_sent = report.bytes_sent.saturating_add(sent?);
    let (frame, n) = got?;
    report.bytes_received = report.bytes_received.saturating_add(n);
    let (theirs, their_certs) = match frame {
        Frame::Hello(h) if h.protocol == wire::PROTOCOL && h.workspace == workspace => {
            (h.docs, h.certs)
        }
        Frame::Hello(h) if h.protocol != wire::PROTOCOL => {
            let _ = wire::write(send, &Frame::Failure("protocol".into())).await;
            return Err(SyncError::Protocol(format!(
                "the other device speaks sync protocol {} (this one {}): both need the same version of bangfu",
                h.protocol,
                wire::PROTOCOL
            )));
        }
        Frame::Hello(h) if h.workspace != workspace => {
            let _ = wire::write(send, &Frame::Failure("other_workspace".into())).await;
            return Err(SyncError::OtherWorkspace);
        }
        Frame::Failure(why) => return Err(SyncError::Refused(PeerRefusal::from_wire(&why))),
        other => {
            return Err(SyncError::Protocol(format!(
                "expected hello, got {other:?}"
            )));
        }
    };
    let docs = agree(mine, theirs)?;
    report.docs = docs.len();
    let mut states: BTreeMap<String, sync::State> = {
        let w = lock(ws);
        docs.iter()
            .map(|d| (d.clone(), w.sync_state(peer, d)))
            .collect()
    };
    // The membership log first (in the first round), in frames of about
    // one part each: what the other side's heads show it lacks.
    let mut certs_out: Vec<Frame> = match &their_certs {
        None => Vec::new(),
        Some(heads) => {
            let w = lock(ws);
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
    };
    let mut idle = 0usize;
    loop {
        if report.rounds >= MAX_ROUNDS {
            return Err(SyncError::TooManyRounds);
        }
        report.rounds = report.rounds.saturating_add(1);
        let out: (Vec<Frame>, usize, bool) = {
            let mut w = lock(ws);
            let mut out = std::mem::take(&mut certs_out);
            let mut messages = out.len();
            let mut carries = !out.is_empty();
            for d in &docs {
                let state = states.entry(d.clone()).or_default();
                if let Some(o) = w.generate_sync_message(d, state)? {
                    messages = messages.saturating_add(1);
                    carries |= !o.message.changes.is_empty();
                    // The signatures first, so the changes can be checked
                    // as soon as their message is read.
                    for batch in o.sigs.chunks(wire::PART / 96) {
                        out.push(Frame::Sigs {
                            doc: d.clone(),
                            sigs: crate::trust::changes::encode(batch),
                        });
                    }
                    out.extend(frames_of(d, &o.message.encode()));
                }
            }
            (out, messages, carries)
        };
        let (out, sending, sent_changes) = out;
        let send_all = async {
            let mut n: usize = 0;
            for f in &out {
                n = n.saturating_add(wire::write(send, f).await?);
            }
            n = n.saturating_add(wire::write(send, &Frame::RoundEnd).await?);
            Ok::<usize, WireError>(n)
        };
        let budget = SESSION_BUDGET.saturating_sub(report.bytes_received);
        let receive_all = async {
            let mut msgs = Vec::new();
            let mut certs: Vec<Vec<u8>> = Vec::new();
            let mut sigs: BTreeMap<automerge::ChangeHash, crate::trust::changes::Sig> =
                BTreeMap::new();
            let mut n: usize = 0;
            let mut parts: BTreeMap<String, Vec<u8>> = BTreeMap::new();
            loop {
                let (f, size) = wire::read(recv).await?;
                n = n.saturating_add(size);
                if n > budget {
                    return Err(SyncError::Protocol(format!(
                        "the peer sent more than {SESSION_BUDGET} bytes in one session"
                    )));
                }
                match f {
                    Frame::Certs(c) => certs.extend(c),
                    Frame::Sigs { sigs: bytes, .. } => {
                        let list = crate::trust::changes::decode(&bytes).ok_or_else(|| {
                            SyncError::Protocol("a signatures frame of a torn length".into())
                        })?;
                        sigs.extend(list);
                    }
                    Frame::SyncPart { doc, part } => {
                        let buf = parts.entry(doc).or_default();
                        if buf.len().saturating_add(part.len()) > MAX_MESSAGE {
                            return Err(SyncError::Protocol(format!(
                                "a sync message longer than {MAX_MESSAGE} bytes"
                            )));
                        }
                        buf.extend(part);
                    }
                    Frame::Sync { doc, message } => {
                        let whole = match parts.remove(&doc) {
                            Some(mut buf) => {
                                if buf.len().saturating_add(message.len()) > MAX_MESSAGE {
                                    return Err(SyncError::Protocol(format!(
                                        "a sync message longer than {MAX_MESSAGE} bytes"
                                    )));
                                }
                                buf.extend(message);
                                buf
                            }
                            None => message,
                        };
                        msgs.push((doc, whole));
                    }
                    Frame::RoundEnd => return Ok((msgs, certs, sigs, n)),
                    Frame::Failure(why) => {
                        return Err(SyncError::Refused(PeerRefusal::from_wire(&why)));
                    }
                    other => {
                        return Err(SyncError::Protocol(format!("unexpected {other:?}")));
                    }
                }
            }
        };
        let (sent, received) = tokio::join!(send_all, receive_all);
        report.bytes_sent = report.bytes_sent.saturating_add(sent?);
        let (msgs, certs, sigs, n) = received?;
        report.bytes_received = report.bytes_received.saturating_add(n);
        let got = msgs.len().saturating_add(usize::from(!certs.is_empty()));
        if !certs.is_empty() {
            // Checked one by one (signature, workspace); the roster is
            // computed from them, never taken from the peer.
            lock(ws).add_certs(&certs)?;
        }
        let got_changes = !certs.is_empty();
        let mut decoded = Vec::new();
        for (doc, bytes) in msgs {
            if !docs.contains(&doc) {
                return Err(SyncError::Protocol(format!(
                    "document {doc} was not agreed"
                )));
            }
            let m = sync::Message::decode(&bytes)
                .map_err(|e| SyncError::Protocol(format!("sync message for {doc}: {e}")))?;
            decoded.push((doc, m));
        }
        let got_changes = got_changes || decoded.iter().any(|(_, m)| !m.changes.is_empty());
        let got_now = lock(ws).receive_sync_messages(peer, decoded, &sigs, &mut states)?;
        report.changed.extend(got_now.changed);
        report.refused.extend(got_now.refused);
        progress(&report);
        if sending == 0 && got == 0 {
            break;
        }
        // Two rounds in a row that carried no change either way: the two
        // sides only tell each other heads they will not reach (changes
        // one of them refused). Both see the same rounds, so both stop.
        idle = if sent_changes || got_changes {
            0
        } else {
            idle.saturating_add(1)
        };
        if idle >= 2 && report.rounds > 2 {
            break;
        }
    }
    lock(ws).save_sync_states(peer, &states)?;
    Ok(report)
}

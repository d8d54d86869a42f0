//! The hellos that open a sync session (docs/SYNC.md): who each side is,
//! which documents it would sync and where each of them stands, and, for
//! a dialer that has not heard of the device it dialed, the certificates
//! that prove that device a member.
//!
//! The dialer speaks first and does not wait: its hello and its opening
//! sync messages go out together. The acceptor answers with its hello, so
//! after one round trip both sides know which documents differ, and a
//! session with nothing new ends there.

use super::session::{Session, blocking, lock, offer};
use super::wire::{self, Frame, Hello};
use super::{PeerRefusal, SyncError};
use std::collections::{BTreeMap, BTreeSet};
use tokio::io::{AsyncRead, AsyncWrite};

/// The most certificate bytes taken from a peer this side has not heard
/// of before it proves it is a member (a province's log is a few MB).
const PROOF_BUDGET: usize = 32 * 1024 * 1024;

/// What the hellos settled.
pub(super) struct Greeting {
    /// The documents both sides sync whose heads differ.
    pub docs: BTreeSet<String>,
    /// The heads of the peer's membership log.
    pub their_certs: Vec<String>,
    /// The two membership logs differ: one side owes the other
    /// certificates.
    pub certs_differ: bool,
    /// The peer lacks attached files it would fetch.
    pub their_wants_files: bool,
}

/// This side's hello, and what it offers.
struct Mine {
    hello: Hello,
    docs: Option<Vec<String>>,
}

/// A short digest of a document's sorted heads: equal digests, same
/// document state.
fn digest(heads: &[automerge::ChangeHash]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for head in heads {
        h.update(head.0);
    }
    data_encoding::HEXLOWER.encode(h.finalize().get(..16).unwrap_or_default())
}

/// This side's hello to `peer`; `stranger` when this side does not know
/// the peer as a member (it offers nothing then).
fn mine(ws: &super::session::Shared, peer: &str) -> Result<Mine, SyncError> {
    let mut w = lock(ws);
    w.refresh()?;
    let (docs, stranger) = match offer(&w, peer) {
        Ok(m) => (m, false),
        Err(SyncError::NotMember(_)) => (Some(Vec::new()), true),
        Err(e) => return Err(e),
    };
    let heads: BTreeMap<String, String> = docs
        .iter()
        .flatten()
        .map(|d| (d.clone(), digest(&w.doc_heads(d))))
        .collect();
    Ok(Mine {
        hello: Hello {
            protocol: wire::PROTOCOL,
            workspace: w.workspace_id().to_string(),
            docs: docs.clone(),
            certs: Some(crate::trust::heads_of(w.certs())),
            stranger,
            heads,
            wants_files: super::files::FilesPolicy::of(&w).wants_any(&w),
        },
        docs,
    })
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

/// The documents both offer, less those both hellos show at the same
/// heads; both sides compute it from the same two hellos.
fn settle(mine: Mine, theirs: Hello) -> Result<Greeting, SyncError> {
    let same = |d: &String| matches!((mine.hello.heads.get(d), theirs.heads.get(d)), (Some(a), Some(b)) if a == b);
    let docs = agree(mine.docs, theirs.docs)?
        .into_iter()
        .filter(|d| !same(d))
        .collect();
    let set = |c: &Option<Vec<String>>| c.iter().flatten().cloned().collect::<BTreeSet<_>>();
    Ok(Greeting {
        docs,
        certs_differ: set(&mine.hello.certs) != set(&theirs.certs),
        their_wants_files: theirs.wants_files,
        their_certs: theirs.certs.unwrap_or_default(),
    })
}

impl Session<'_> {
    /// The dialer's hellos: its hello and opening messages at once, then
    /// the acceptor's hello (after the certificates this side lacked, if
    /// it did not know the acceptor: then it says hello again).
    pub(super) async fn dial<R, W>(
        &mut self,
        recv: &mut R,
        send: &mut W,
    ) -> Result<Greeting, SyncError>
    where
        R: AsyncRead + Unpin + Send,
        W: AsyncWrite + Unpin + Send,
    {
        let me = blocking(|| mine(self.ws, self.peer))?;
        let stranger = me.hello.stranger;
        self.introduce(send, &me).await?;
        let (certs, theirs) = self.hear(recv, send, stranger, &me).await?;
        if theirs.stranger {
            return Err(self.not_member(send).await);
        }
        if !stranger {
            return settle(me, theirs);
        }
        blocking(|| lock(self.ws).add_certs(&certs))?;
        let me = blocking(|| mine(self.ws, self.peer))?;
        if me.hello.stranger {
            return Err(self.not_member(send).await);
        }
        self.introduce(send, &me).await?;
        settle(me, theirs)
    }

    /// The acceptor's hellos: the dialer's hello, then this side's (after
    /// the certificates the dialer lacks, when it did not know this side:
    /// then it says hello again).
    pub(super) async fn accept<R, W>(
        &mut self,
        recv: &mut R,
        send: &mut W,
    ) -> Result<Greeting, SyncError>
    where
        R: AsyncRead + Unpin + Send,
        W: AsyncWrite + Unpin + Send,
    {
        let me = blocking(|| mine(self.ws, self.peer))?;
        let (_, theirs) = self.hear(recv, send, false, &me).await?;
        if me.hello.stranger {
            return Err(self.not_member(send).await);
        }
        if theirs.stranger {
            let heads = theirs.certs.clone().unwrap_or_default();
            let frames = super::session::certs_for(&lock(self.ws), &heads);
            for f in &frames {
                self.write(send, f).await?;
            }
        }
        self.write(send, &Frame::Hello(me.hello.clone())).await?;
        if !theirs.stranger {
            return settle(me, theirs);
        }
        let (_, again) = self.hear(recv, send, false, &me).await?;
        if again.stranger {
            return Err(self.not_member(send).await);
        }
        settle(me, again)
    }

    /// This side's hello, and, when it knows the peer, its opening turn.
    async fn introduce<W: AsyncWrite + Unpin + Send>(
        &mut self,
        send: &mut W,
        me: &Mine,
    ) -> Result<(), SyncError> {
        self.write(send, &Frame::Hello(me.hello.clone())).await?;
        if !me.hello.stranger {
            self.open(send, me.docs.as_deref().unwrap_or_default())
                .await?;
        }
        Ok(())
    }

    /// The peer's hello, checked against this side's (see `read_hello`
    /// and `accept_hello`).
    async fn hear<R, W>(
        &mut self,
        recv: &mut R,
        send: &mut W,
        certificates: bool,
        me: &Mine,
    ) -> Result<(Vec<Vec<u8>>, Hello), SyncError>
    where
        R: AsyncRead + Unpin + Send,
        W: AsyncWrite + Unpin + Send,
    {
        let (certs, h) = self.read_hello(recv, certificates).await?;
        let h = self.accept_hello(send, h, &me.hello.workspace).await?;
        Ok((certs, h))
    }

    /// Reads the peer's hello (or its refusal), unchecked; with
    /// `certificates`, the certificates that may come before it.
    async fn read_hello<R: AsyncRead + Unpin + Send>(
        &mut self,
        recv: &mut R,
        certificates: bool,
    ) -> Result<(Vec<Vec<u8>>, Hello), SyncError> {
        let mut certs: Vec<Vec<u8>> = Vec::new();
        loop {
            // A peer this side does not know yet is held to what an
            // honest membership log can be.
            let held: usize = certs.iter().map(Vec::len).sum();
            if certs.len() > crate::trust::MAX_CERTS || held > PROOF_BUDGET {
                return Err(SyncError::Protocol(
                    "the peer sent more certificates than a membership log holds".into(),
                ));
            }
            let (frame, n) = wire::read(recv).await?;
            self.report.bytes_received = self.report.bytes_received.saturating_add(n);
            match frame {
                Frame::Hello(h) => return Ok((certs, h)),
                Frame::Certs(c) if certificates => certs.extend(c),
                Frame::Failure(why) => {
                    return Err(SyncError::Refused(PeerRefusal::from_wire(&why)));
                }
                other => {
                    return Err(SyncError::Protocol(format!(
                        "expected hello, got {other:?}"
                    )));
                }
            }
        }
    }

    /// The peer's hello if it is of this protocol and this programme; else
    /// the peer is told why (`Failure`) and the session ends.
    async fn accept_hello<W: AsyncWrite + Unpin + Send>(
        &mut self,
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

    /// Tells the peer it is not known as a member, and ends the session.
    async fn not_member<W: AsyncWrite + Unpin + Send>(&mut self, send: &mut W) -> SyncError {
        let _ = wire::write(send, &Frame::Failure("not_member".into())).await;
        SyncError::NotMember(self.peer.to_string())
    }
}

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
    /// The peer takes long messages and resumes them.
    pub their_resumes: bool,
    /// What the peer keeps of long messages cut before, by document.
    pub their_kept: BTreeMap<String, wire::Kept>,
    /// What this side keeps of long messages cut before, by document.
    pub kept: BTreeMap<String, wire::Kept>,
}

/// A short digest of a document's sorted heads: equal digests, same
/// document state. Eight bytes: two different states of one document
/// agree by chance once in 2^64 (the peer's digest is about its own
/// copy: a peer that lies only keeps its own changes from being asked
/// for).
fn digest(heads: &[automerge::ChangeHash]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for head in heads {
        h.update(head.0);
    }
    data_encoding::HEXLOWER.encode(h.finalize().get(..8).unwrap_or_default())
}

/// This side's hello to `peer`; `stranger` when this side does not know
/// the peer as a member (it offers nothing then).
fn mine(ws: &super::session::Shared, peer: &str) -> Result<Hello, SyncError> {
    let mut w = lock(ws);
    w.refresh()?;
    let (docs, stranger) = match offer(&w, peer) {
        Ok(m) => (m, false),
        Err(SyncError::NotMember(_)) => (Some(Vec::new()), true),
        Err(e) => return Err(e),
    };
    let digests: Option<BTreeMap<String, String>> = docs.as_ref().map(|docs| {
        docs.iter()
            .map(|d| (d.clone(), digest(&w.doc_heads(d))))
            .collect()
    });
    let kept = w
        .kept()?
        .into_iter()
        .map(|k| {
            let digest = data_encoding::HEXLOWER.encode(&k.digest);
            (
                k.doc,
                wire::Kept {
                    digest,
                    len: k.have,
                },
            )
        })
        .collect();
    Ok(Hello {
        protocol: wire::PROTOCOL,
        workspace: w.workspace_id().to_string(),
        docs: digests,
        certs: Some(crate::trust::heads_of(w.certs())),
        stranger,
        wants_files: super::files::FilesPolicy::of(&w).wants_any(&w),
        resumes: true,
        kept,
    })
}

/// The acceptor's hello in answer to the dialer's: of the documents both
/// offer, only those whose digests differ (the dialer settles on the
/// same documents from it as from a whole hello, and a reconnect with
/// little new does not hear of every document again). A dialer with no
/// programme yet is told of every document.
fn answer(me: &Hello, theirs: &Hello) -> Hello {
    let mut out = me.clone();
    if let (Some(mine), Some(their)) = (&mut out.docs, &theirs.docs) {
        mine.retain(|d, x| their.get(d).is_some_and(|y| y != x));
    }
    out
}

/// The documents both offer, less those both hellos show at the same
/// heads; both sides compute it from the same two hellos.
fn settle(mine: Hello, theirs: Hello) -> Result<Greeting, SyncError> {
    let docs = match (&mine.docs, &theirs.docs) {
        (Some(a), Some(b)) => a
            .iter()
            .filter(|&(d, x)| b.get(d).is_some_and(|y| y != x))
            .map(|(d, _)| d.clone())
            .collect(),
        (Some(one), None) | (None, Some(one)) => one.keys().cloned().collect(),
        (None, None) => return Err(SyncError::Protocol("neither side has a programme".into())),
    };
    let set = |c: &Option<Vec<String>>| c.iter().flatten().cloned().collect::<BTreeSet<_>>();
    Ok(Greeting {
        docs,
        certs_differ: set(&mine.certs) != set(&theirs.certs),
        their_wants_files: theirs.wants_files,
        their_certs: theirs.certs.unwrap_or_default(),
        their_resumes: theirs.resumes,
        their_kept: theirs.kept,
        kept: mine.kept,
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
        let stranger = me.stranger;
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
        if me.stranger {
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
        if me.stranger {
            return Err(self.not_member(send).await);
        }
        if theirs.stranger {
            let heads = theirs.certs.clone().unwrap_or_default();
            let frames = super::session::certs_for(&lock(self.ws), &heads);
            for f in &frames {
                self.write(send, f).await?;
            }
            // The dialer settles with this hello after its second: all of
            // this side's documents.
            self.write(send, &Frame::Hello(me.clone())).await?;
        } else {
            self.write(send, &Frame::Hello(answer(&me, &theirs)))
                .await?;
        }
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
        me: &Hello,
    ) -> Result<(), SyncError> {
        self.write(send, &Frame::Hello(me.clone())).await?;
        if !me.stranger {
            let offered: Vec<String> = me.docs.iter().flatten().map(|(d, _)| d.clone()).collect();
            self.open(send, &offered).await?;
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
        me: &Hello,
    ) -> Result<(Vec<Vec<u8>>, Hello), SyncError>
    where
        R: AsyncRead + Unpin + Send,
        W: AsyncWrite + Unpin + Send,
    {
        let (certs, h) = self.read_hello(recv, certificates).await?;
        let h = self.accept_hello(send, h, &me.workspace).await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    fn hello(docs: Option<BTreeMap<String, String>>) -> Hello {
        Hello {
            protocol: wire::PROTOCOL,
            workspace: "w".into(),
            docs,
            certs: Some(Vec::new()),
            stranger: false,
            wants_files: false,
            resumes: true,
            kept: BTreeMap::new(),
        }
    }

    /// A side's offer: some of 12 documents, each at one of 3 states.
    fn offer(rng: &mut rand_chacha::ChaCha8Rng) -> Option<BTreeMap<String, String>> {
        if rng.random_ratio(1, 10) {
            return None;
        }
        let mut docs = BTreeMap::new();
        for i in 0..12 {
            if rng.random_bool(0.7) {
                docs.insert(format!("district/{i}"), rng.random_range(0..3).to_string());
            }
        }
        Some(docs)
    }

    #[test]
    fn the_acceptor_answering_with_what_differs_settles_both_sides_on_the_same_documents() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(14);
        let mut shortened = 0;
        for _ in 0..2000 {
            let (dialer, acceptor) = (hello(offer(&mut rng)), hello(offer(&mut rng)));
            let Ok(whole) = settle(acceptor.clone(), dialer.clone()) else {
                assert!(dialer.docs.is_none() && acceptor.docs.is_none());
                continue;
            };
            let answered = answer(&acceptor, &dialer);
            let size = |h: &Hello| h.docs.as_ref().map_or(0, BTreeMap::len);
            if size(&answered) < size(&acceptor) {
                shortened += 1;
            }
            let dialer_side = settle(dialer.clone(), answered).map(|g| g.docs).ok();
            assert_eq!(
                dialer_side,
                Some(whole.docs.clone()),
                "{dialer:?} {acceptor:?}"
            );
            let full = settle(dialer, acceptor).map(|g| g.docs).ok();
            assert_eq!(full, Some(whole.docs));
        }
        assert!(
            shortened > 1000,
            "the answer named fewer documents {shortened} times"
        );
    }
}

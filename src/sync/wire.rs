//! Frames on the wire (see docs/SYNC.md).
//!
//! A frame is a 4-byte big-endian length, then that many bytes: one byte
//! of kind and the kind's body. A length above [`MAX_FRAME`] ends the
//! session before a byte of it is read or allocated.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The largest frame accepted: 4 MiB. Sync messages are sent in parts of
/// at most [`PART`] bytes, so no document is too large to travel.
pub const MAX_FRAME: u32 = 4 * 1024 * 1024;
/// A sync message longer than this is sent as several `SyncPart` frames
/// followed by one `Sync` frame.
pub const PART: usize = 1024 * 1024;
/// The largest join request read from a stranger.
pub const MAX_JOIN_FRAME: u32 = 64 * 1024;

/// The protocol version this build speaks: 2 since changes are signed
/// (a version-1 peer sends unsigned changes every device would refuse);
/// 3 since the dialer speaks first and hellos carry each document's heads;
/// 4 since a hello names each document once, with a shorter digest.
pub const PROTOCOL: u32 = 4;

const HELLO: u8 = 1;
const SYNC: u8 = 2;
const ROUND_END: u8 = 3;
const FAILURE: u8 = 4;
const JOIN: u8 = 5;
const JOINED: u8 = 6;
const SYNC_PART: u8 = 7;
const CERTS: u8 = 8;
const SIGS: u8 = 9;
const FILES: u8 = 10;
const DONE: u8 = 11;
const LONG: u8 = 12;

/// A sync message (with its signatures) longer than this is sent as a
/// long message, in parts of this many bytes, when the peer resumes them
/// (see [`Long`]).
pub const LONG_PART: usize = 64 * 1024;

/// Which documents a side will sync, and who it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// The protocol version ([`PROTOCOL`]).
    pub protocol: u32,
    pub workspace: String,
    /// The documents this side will sync with the other, each with a
    /// digest of its heads (equal on both sides: the document is not
    /// synced); `None` from a device that joined and has no documents yet
    /// ("what I may read").
    pub docs: Option<std::collections::BTreeMap<String, String>>,
    /// The heads of this side's membership log (certificate hashes); absent
    /// from a version without one (it is then sent no certificates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certs: Option<Vec<String>>,
    /// This side does not know the other as a member (it joined after this
    /// side last heard of the membership): the other sends the
    /// certificates this side lacks, then both say hello again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stranger: bool,
    /// This side lacks attached files it would fetch: the dialer opens
    /// the files connection after the records only when a side wants a
    /// file or records moved.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wants_files: bool,
    /// This side takes long messages ([`Long`]) and resumes them: a
    /// version without it is sent a message's parts as before.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resumes: bool,
    /// The beginnings of long messages this side holds from a session cut
    /// before they were whole, by document: the peer sends only the rest
    /// of a message with the same digest.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub kept: BTreeMap<String, Kept>,
}

/// The beginning of a long message a side holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    /// The message's digest (SHA-256 of its bytes, 64 hex digits).
    pub digest: String,
    /// The bytes held, from the first.
    pub len: u64,
}

/// The head of a long message: a document's signatures and sync message
/// as one run of bytes (`sigs` bytes of signatures, then the message),
/// `len` bytes in all, with their SHA-256 `digest`; sent from byte `from`
/// (what the peer said it kept) in `SyncPart` frames of [`LONG_PART`]
/// bytes, the last a `Sync` frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Long {
    pub doc: String,
    pub digest: String,
    pub sigs: u64,
    pub len: u64,
    pub from: u64,
}

/// Attached files, on the files protocol (`sync::files`): the files a
/// side wants (hashes), and those it has of what the other wants, with
/// their lengths.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileList {
    pub want: Vec<String>,
    pub have: Vec<crate::domain::Blob>,
}

/// A join request: an invite ticket and the joining person's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    pub ticket: String,
    pub name: String,
}

/// The inviter's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinReply {
    /// The workspace joined, or `None` when refused.
    pub workspace: Option<String>,
    /// Why it was refused (an `InviteError` code).
    pub refused: Option<String>,
}

/// A frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Hello(Hello),
    /// An automerge sync message for one document (or its last part).
    Sync {
        doc: String,
        message: Vec<u8>,
    },
    /// A part of a long sync message; the rest follows, ending with `Sync`.
    SyncPart {
        doc: String,
        part: Vec<u8>,
    },
    /// Certificates of the membership log the other side lacks.
    Certs(Vec<Vec<u8>>),
    /// Signatures of changes in the document's next sync message: for
    /// each, its 32-byte hash and 64-byte signature (`trust::changes`).
    Sigs {
        doc: String,
        sigs: Vec<u8>,
    },
    /// This side has sent all its messages of the turn.
    RoundEnd,
    /// This side has sent all its messages of its last turn: the session
    /// ends, and the other side does not answer.
    Done,
    /// The session ends with an error (code and words).
    Failure(String),
    Join(JoinRequest),
    Joined(JoinReply),
    Files(FileList),
    /// A long message begins (or resumes): its parts follow.
    Long(Long),
}

/// What can go wrong reading frames.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("frame of {0} bytes is over the limit")]
    TooLarge(u32),
    #[error("malformed frame: {0}")]
    Garbage(String),
    #[error("connection: {0}")]
    Io(#[from] std::io::Error),
}

fn json<T: Serialize>(kind: u8, value: &T) -> Vec<u8> {
    let mut out = vec![kind];
    out.extend(serde_json::to_vec(value).unwrap_or_default());
    out
}

/// A frame's bytes, length first.
pub fn encode(frame: &Frame) -> Vec<u8> {
    let body = match frame {
        Frame::Hello(h) => json(HELLO, h),
        Frame::Sync { doc, message } => doc_body(SYNC, doc, message),
        Frame::SyncPart { doc, part } => doc_body(SYNC_PART, doc, part),
        Frame::Sigs { doc, sigs } => doc_body(SIGS, doc, sigs),
        Frame::Certs(certs) => {
            let mut b = vec![CERTS];
            for c in certs {
                b.extend(u32::try_from(c.len()).unwrap_or(u32::MAX).to_be_bytes());
                b.extend(c);
            }
            b
        }
        Frame::RoundEnd => vec![ROUND_END],
        Frame::Done => vec![DONE],
        Frame::Failure(text) => {
            let mut b = vec![FAILURE];
            b.extend(text.as_bytes());
            b
        }
        Frame::Join(j) => json(JOIN, j),
        Frame::Joined(j) => json(JOINED, j),
        Frame::Files(f) => json(FILES, f),
        Frame::Long(l) => json(LONG, l),
    };
    // Bodies are bounded by [`PART`] plus a short header (or are small
    // JSON), far below 4 GiB.
    let mut out = u32::try_from(body.len())
        .unwrap_or(u32::MAX)
        .to_be_bytes()
        .to_vec();
    out.extend(body);
    out
}

/// Kind, u16 document id length, document id, bytes. Document ids are
/// short and made by bangfu; a longer one is cut, never wrapped around.
fn doc_body(kind: u8, doc: &str, bytes: &[u8]) -> Vec<u8> {
    let d = doc.as_bytes();
    let d = d.get(..usize::from(u16::MAX)).unwrap_or(d);
    let mut b = vec![kind];
    b.extend(u16::try_from(d.len()).unwrap_or(u16::MAX).to_be_bytes());
    b.extend(d);
    b.extend(bytes);
    b
}

/// The document id and bytes of a `Sync` or `SyncPart` body.
fn split_doc(rest: &[u8]) -> Result<(String, Vec<u8>), WireError> {
    let short = || WireError::Garbage("short sync frame".into());
    let (len, rest) = rest.split_first_chunk::<2>().ok_or_else(short)?;
    let n = usize::from(u16::from_be_bytes(*len));
    let (doc, bytes) = rest.split_at_checked(n).ok_or_else(short)?;
    let doc = std::str::from_utf8(doc)
        .map_err(|_| WireError::Garbage("document id is not text".into()))?
        .to_string();
    Ok((doc, bytes.to_vec()))
}

fn from_json<T: for<'a> Deserialize<'a>>(b: &[u8]) -> Result<T, WireError> {
    serde_json::from_slice(b).map_err(|e| WireError::Garbage(e.to_string()))
}

/// A hello; one of another protocol version whose other fields do not
/// read as this version's is read for its version alone, so that the
/// peer is told which version this device speaks (not that it sent
/// garbage).
fn hello(b: &[u8]) -> Result<Hello, WireError> {
    #[derive(Deserialize)]
    struct Version {
        protocol: u32,
    }
    from_json(b).or_else(|e| match from_json::<Version>(b) {
        Ok(v) if v.protocol != PROTOCOL => Ok(Hello {
            protocol: v.protocol,
            workspace: String::new(),
            docs: None,
            certs: None,
            stranger: false,
            wants_files: false,
            resumes: false,
            kept: BTreeMap::new(),
        }),
        _ => Err(e),
    })
}

/// Reads a frame's body.
pub fn decode(body: &[u8]) -> Result<Frame, WireError> {
    let (&kind, rest) = body
        .split_first()
        .ok_or_else(|| WireError::Garbage("empty frame".into()))?;
    match kind {
        HELLO => hello(rest).map(Frame::Hello),
        SYNC => {
            let (doc, message) = split_doc(rest)?;
            Ok(Frame::Sync { doc, message })
        }
        SYNC_PART => {
            let (doc, part) = split_doc(rest)?;
            Ok(Frame::SyncPart { doc, part })
        }
        SIGS => {
            let (doc, sigs) = split_doc(rest)?;
            Ok(Frame::Sigs { doc, sigs })
        }
        CERTS => {
            let mut certs = Vec::new();
            let mut r = rest;
            while !r.is_empty() {
                let short = || WireError::Garbage("short certificates frame".into());
                let (len, tail) = r.split_first_chunk::<4>().ok_or_else(short)?;
                let n = usize::try_from(u32::from_be_bytes(*len)).map_err(|_| short())?;
                let (c, tail) = tail.split_at_checked(n).ok_or_else(short)?;
                certs.push(c.to_vec());
                r = tail;
            }
            Ok(Frame::Certs(certs))
        }
        ROUND_END if rest.is_empty() => Ok(Frame::RoundEnd),
        DONE if rest.is_empty() => Ok(Frame::Done),
        FAILURE => Ok(Frame::Failure(String::from_utf8_lossy(rest).into_owned())),
        JOIN => Ok(Frame::Join(from_json(rest)?)),
        JOINED => Ok(Frame::Joined(from_json(rest)?)),
        FILES => Ok(Frame::Files(from_json(rest)?)),
        LONG => Ok(Frame::Long(from_json(rest)?)),
        k => Err(WireError::Garbage(format!("unknown frame kind {k}"))),
    }
}

pub async fn write<W: AsyncWrite + Unpin>(w: &mut W, frame: &Frame) -> Result<usize, WireError> {
    let bytes = encode(frame);
    w.write_all(&bytes).await?;
    Ok(bytes.len())
}

/// Reads one frame; returns it and its size on the wire.
pub async fn read<R: AsyncRead + Unpin>(r: &mut R) -> Result<(Frame, usize), WireError> {
    read_limited(r, MAX_FRAME).await
}

/// Reads one frame of at most `limit` bytes.
pub async fn read_limited<R: AsyncRead + Unpin>(
    r: &mut R,
    limit: u32,
) -> Result<(Frame, usize), WireError> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len).await?;
    let n = u32::from_be_bytes(len);
    if n > limit {
        return Err(WireError::TooLarge(n));
    }
    let size = usize::try_from(n).map_err(|_| WireError::TooLarge(n))?;
    let mut body = vec![0u8; size];
    r.read_exact(&mut body).await?;
    Ok((decode(&body)?, size.saturating_add(4)))
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        let frames = [
            Frame::Hello(Hello {
                protocol: 1,
                workspace: "w".into(),
                docs: Some([("programme".to_string(), "00ff".to_string())].into()),
                certs: Some(vec!["ab".into()]),
                stranger: true,
                wants_files: true,
                resumes: true,
                kept: [(
                    "district/abc".to_string(),
                    Kept {
                        digest: "ab".repeat(32),
                        len: 65_536,
                    },
                )]
                .into(),
            }),
            Frame::Long(Long {
                doc: "district/abc".into(),
                digest: "ab".repeat(32),
                sigs: 96,
                len: 200_000,
                from: 65_536,
            }),
            Frame::Certs(vec![vec![1, 2], vec![], vec![3]]),
            Frame::Sync {
                doc: "district/abc".into(),
                message: vec![1, 2, 3],
            },
            Frame::RoundEnd,
            Frame::Done,
            Frame::Failure("不是成员".into()),
        ];
        for f in frames {
            let bytes = encode(&f);
            assert_eq!(decode(&bytes[4..]).ok(), Some(f));
        }
    }

    #[test]
    fn a_hello_of_an_older_version_reads_as_its_version_to_be_refused() {
        // Version 3 named the documents twice: a list and a map of digests.
        let old =
            br#"{"protocol":3,"workspace":"w","docs":["programme"],"heads":{"programme":"00ff"}}"#;
        let mut body = vec![HELLO];
        body.extend(old);
        match decode(&body) {
            Ok(Frame::Hello(h)) => {
                assert_eq!(h.protocol, 3);
                assert_eq!(h.docs, None, "nothing of its offer is taken");
            }
            other => panic!("{other:?}"),
        }
        // This version's hello that does not read is garbage, not a
        // version to refuse.
        let mut bad = vec![HELLO];
        bad.extend(
            format!(r#"{{"protocol":{PROTOCOL},"workspace":"w","docs":["programme"]}}"#).bytes(),
        );
        assert!(matches!(decode(&bad), Err(WireError::Garbage(_))));
    }

    #[tokio::test]
    async fn an_oversized_frame_is_refused_before_it_is_read() {
        let (mut a, mut b) = tokio::io::duplex(64);
        // Announce 4 GB, send nothing more: the reader must not wait for
        // (or allocate) the body.
        a.write_all(&u32::MAX.to_be_bytes()).await.ok();
        assert!(matches!(
            read(&mut b).await,
            Err(WireError::TooLarge(u32::MAX))
        ));
    }

    #[tokio::test]
    async fn garbage_is_an_error_not_a_panic() {
        for junk in [
            vec![0u8, 0, 0, 1, 99],
            vec![0, 0, 0, 3, 2, 0, 9],
            vec![0, 0, 0, 0],
            vec![0, 0, 0, 2, 1, b'{'],
        ] {
            let (mut a, mut b) = tokio::io::duplex(64);
            a.write_all(&junk).await.ok();
            drop(a);
            assert!(read(&mut b).await.is_err(), "{junk:?}");
        }
    }
}

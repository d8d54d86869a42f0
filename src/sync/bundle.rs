//! Bundles: the documents a member may read, in one file for a USB stick
//! when there is no network at all (see docs/SYNC.md).
//!
//! ```text
//! "BANGFU-BUNDLE\n"  u32 version (1)  u32 header length  header (JSON)
//! per document: u16 id length, id, u64 length, automerge save()
//! 32 bytes: SHA-256 of everything before
//! ```
//! Importing checks the whole file (digest, workspace, every document
//! loads) before merging anything; importing twice changes nothing.

use crate::store::{StoreError, Workspace};
use automerge::Automerge;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

const MAGIC: &[u8] = b"BANGFU-BUNDLE\n";
const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub workspace: String,
    pub created_ms: i64,
    /// The member it was made for (endpoint id), if not for everyone.
    pub for_member: Option<String>,
    pub docs: Vec<String>,
    /// The membership log, each certificate in hex (absent from bundles
    /// of older versions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certs: Vec<String>,
}

/// Why a bundle is refused.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("not a bangfu bundle")]
    NotABundle,
    #[error("made by a newer bangfu (bundle version {0})")]
    TooNew(u32),
    #[error("damaged: {0}")]
    Damaged(String),
    #[error("for another programme ({0})")]
    OtherWorkspace(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The bytes of a bundle of `docs` (those this device has).
pub fn export(
    ws: &mut Workspace,
    docs: &BTreeSet<String>,
    for_member: Option<String>,
) -> Result<Vec<u8>, BundleError> {
    let saved = ws.saved_docs(docs)?;
    let header = Header {
        workspace: ws.workspace_id().to_string(),
        created_ms: crate::store::now_ms(),
        for_member,
        docs: saved.iter().map(|(id, _)| id.clone()).collect(),
        certs: ws
            .certs()
            .iter()
            .map(|c| crate::identity::hex(c.bytes()))
            .collect(),
    };
    let h = serde_json::to_vec(&header).unwrap_or_default();
    let mut out = MAGIC.to_vec();
    out.extend(VERSION.to_be_bytes());
    out.extend((h.len() as u32).to_be_bytes());
    out.extend(&h);
    for (id, bytes) in &saved {
        out.extend((id.len() as u16).to_be_bytes());
        out.extend(id.as_bytes());
        out.extend((bytes.len() as u64).to_be_bytes());
        out.extend(bytes);
    }
    let digest = Sha256::digest(&out);
    out.extend(digest.as_slice());
    Ok(out)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BundleError> {
        if self.0.len() < n {
            return Err(BundleError::Damaged("cut short".into()));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }

    fn u16(&mut self) -> Result<u16, BundleError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, BundleError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, BundleError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
}

/// Reads and checks a bundle: its digest, then every document loads.
pub fn read(bytes: &[u8]) -> Result<(Header, Vec<(String, Automerge)>), BundleError> {
    if !bytes.starts_with(MAGIC) {
        return Err(BundleError::NotABundle);
    }
    if bytes.len() < MAGIC.len() + 8 + 32 {
        return Err(BundleError::Damaged("cut short".into()));
    }
    let (body, digest) = bytes.split_at(bytes.len() - 32);
    if Sha256::digest(body).as_slice() != digest {
        return Err(BundleError::Damaged(
            "its digest does not match its content".into(),
        ));
    }
    let mut r = Reader(&body[MAGIC.len()..]);
    let version = r.u32()?;
    if version > VERSION {
        return Err(BundleError::TooNew(version));
    }
    let hlen = r.u32()? as usize;
    let header: Header =
        serde_json::from_slice(r.take(hlen)?).map_err(|e| BundleError::Damaged(e.to_string()))?;
    let mut docs = Vec::new();
    while !r.0.is_empty() {
        let n = usize::from(r.u16()?);
        let id = String::from_utf8(r.take(n)?.to_vec())
            .map_err(|_| BundleError::Damaged("document id".into()))?;
        if !crate::store::valid_doc_id(&id) {
            return Err(BundleError::Damaged(format!("unknown document {id}")));
        }
        let len = usize::try_from(r.u64()?).map_err(|_| BundleError::Damaged("length".into()))?;
        let am = Automerge::load(r.take(len)?)
            .map_err(|e| BundleError::Damaged(format!("{id}: {e}")))?;
        docs.push((id, am));
    }
    Ok((header, docs))
}

/// Imports a bundle into `ws` (all or nothing). Returns the documents that
/// changed.
pub fn import(ws: &mut Workspace, bytes: &[u8]) -> Result<BTreeSet<String>, BundleError> {
    let (header, docs) = read(bytes)?;
    if header.workspace != ws.workspace_id() {
        return Err(BundleError::OtherWorkspace(header.workspace));
    }
    // The membership log first, checked certificate by certificate.
    let certs: Vec<Vec<u8>> = header
        .certs
        .iter()
        .filter_map(|h| data_encoding::HEXLOWER_PERMISSIVE.decode(h.as_bytes()).ok())
        .collect();
    ws.add_certs(&certs)?;
    Ok(ws.merge_docs(docs)?)
}

//! Bundles: the documents a member may read, in one file for a USB stick
//! when there is no network at all (see docs/SYNC.md).
//!
//! ```text
//! "BANGFU-BUNDLE\n"  u32 version (3)  u32 header length  header (JSON)
//! per document named in the header: u16 id length, id, u64 length, automerge save()
//! u64 length, the changes' signatures (32-byte hash, 64-byte signature each)
//! (version 3) u32 count, per attached file: 32-byte BLAKE3 hash, u64 length, bytes
//! 32 bytes: SHA-256 of everything before
//! 64 bytes: the exporting device's ed25519 signature of that digest
//! ```
//! Importing checks the whole file (digest, the exporter's signature,
//! every document loads), then that the exporter is a member, then every
//! change as a sync does (`store/verify.rs`): a bundle from a non-member
//! is refused whole; a forged change in it is refused and the rest
//! merged. An attached file is kept only if its bytes hash to the hash
//! it comes under and a record here refers to it; a file with other bytes
//! is refused (a member's device could seal a bundle with wrong ones).
//! Importing twice changes nothing.

use crate::store::{Received, Refused, StoreError, Workspace};
use crate::trust::changes::{self, Sig};
use automerge::{Automerge, ChangeHash};
use iroh::{SecretKey, Signature};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

const MAGIC: &[u8] = b"BANGFU-BUNDLE\n";
const VERSION: u32 = 3;
/// The oldest version read: 2 had no attached files.
const OLDEST: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub workspace: String,
    pub created_ms: i64,
    /// The member it was made for (endpoint id), if not for everyone.
    pub for_member: Option<String>,
    pub docs: Vec<String>,
    /// The membership log, each certificate in hex.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certs: Vec<String>,
    /// The device that made it (64 hex digits); it signs the digest.
    pub exporter: String,
}

/// Why a bundle is refused.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("not a bangfu bundle")]
    NotABundle,
    #[error("made by a newer bangfu (bundle version {0})")]
    TooNew(u32),
    #[error(
        "made by an older bangfu (bundle version {0}), whose changes are not signed: export it again with this version"
    )]
    TooOld(u32),
    #[error("damaged: {0}")]
    Damaged(String),
    #[error("not signed by the device it names")]
    BadSignature,
    #[error("made by a device that is not a member here ({0})")]
    NotAMember(String),
    #[error("for another programme ({0})")]
    OtherWorkspace(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A bundle read and checked: its header, documents and signatures.
pub struct Read {
    pub header: Header,
    pub docs: Vec<(String, Automerge)>,
    pub sigs: BTreeMap<ChangeHash, Sig>,
    /// Attached files, by the hash they come under (as the bundle says;
    /// checked on import).
    pub files: Vec<(String, Vec<u8>)>,
}

/// What became of a bundle's attached files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilesIn {
    /// Kept (or already here).
    pub kept: usize,
    /// Bytes that are not the file their hash names: not kept.
    pub refused: usize,
    /// Files no record here refers to (of documents not taken): not kept.
    pub unreferred: usize,
}

/// What importing a bundle did.
#[derive(Debug)]
pub struct Imported {
    pub received: Received,
    pub files: FilesIn,
}

/// The bytes of a bundle of `docs` (those this device has), signed by
/// the acting device's key.
pub fn export(
    ws: &mut Workspace,
    docs: &BTreeSet<String>,
    for_member: Option<String>,
) -> Result<Vec<u8>, BundleError> {
    export_with(ws, docs, for_member, true)
}

/// The attached files of the records in `docs` that are here, by hash.
fn files_of(ws: &Workspace, docs: &BTreeSet<String>) -> BTreeMap<String, Vec<u8>> {
    let blobs = ws.blobs();
    let mut out = BTreeMap::new();
    for a in ws.model().attachments() {
        let doc = crate::store::layout::district_doc_id(&a.district_id);
        if !docs.contains(&doc) {
            continue;
        }
        for b in a.blobs() {
            if !out.contains_key(&b.hash)
                && let Some(bytes) = blobs.read(b)
            {
                out.insert(b.hash.clone(), bytes);
            }
        }
    }
    out
}

/// [`export`], with the attached files of its records (`files`) or
/// without them.
pub fn export_with(
    ws: &mut Workspace,
    docs: &BTreeSet<String>,
    for_member: Option<String>,
    files: bool,
) -> Result<Vec<u8>, BundleError> {
    let key = ws.key().cloned().ok_or(StoreError::NoDeviceKey)?;
    let saved = ws.saved_docs(docs)?;
    let sigs = ws.sigs_of(&saved)?;
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
        exporter: crate::identity::endpoint_hex(&key),
    };
    let h = serde_json::to_vec(&header).unwrap_or_default();
    let mut out = MAGIC.to_vec();
    out.extend(VERSION.to_be_bytes());
    out.extend(u32::try_from(h.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend(&h);
    for (id, bytes) in &saved {
        out.extend(u16::try_from(id.len()).unwrap_or(u16::MAX).to_be_bytes());
        out.extend(id.as_bytes());
        out.extend((bytes.len() as u64).to_be_bytes());
        out.extend(bytes);
    }
    let sig_bytes = changes::encode(&sigs);
    out.extend((sig_bytes.len() as u64).to_be_bytes());
    out.extend(&sig_bytes);
    let files = if files {
        files_of(ws, docs)
    } else {
        BTreeMap::new()
    };
    out.extend(u32::try_from(files.len()).unwrap_or(u32::MAX).to_be_bytes());
    for (hash, bytes) in &files {
        let raw = data_encoding::HEXLOWER
            .decode(hash.as_bytes())
            .unwrap_or_default();
        out.extend(raw);
        out.extend((bytes.len() as u64).to_be_bytes());
        out.extend(bytes);
    }
    Ok(seal(out, &key))
}

/// Appends the digest of `body` and `key`'s signature of it.
pub fn seal(mut body: Vec<u8>, key: &SecretKey) -> Vec<u8> {
    let digest = Sha256::digest(&body);
    body.extend(digest.as_slice());
    body.extend(key.sign(digest.as_slice()).to_bytes());
    body
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BundleError> {
        let (a, b) = self
            .0
            .split_at_checked(n)
            .ok_or_else(|| BundleError::Damaged("cut short".into()))?;
        self.0 = b;
        Ok(a)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], BundleError> {
        <[u8; N]>::try_from(self.take(N)?).map_err(|_| BundleError::Damaged("cut short".into()))
    }

    fn u16(&mut self) -> Result<u16, BundleError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, BundleError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, BundleError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
}

/// Reads and checks a bundle: its digest and the exporter's signature,
/// then every document loads.
pub fn read(bytes: &[u8]) -> Result<Read, BundleError> {
    let rest = bytes.strip_prefix(MAGIC).ok_or(BundleError::NotABundle)?;
    let cut = || BundleError::Damaged("cut short".into());
    let (version, _) = rest.split_first_chunk::<4>().ok_or_else(cut)?;
    let version = u32::from_be_bytes(*version);
    match version {
        v if v > VERSION => return Err(BundleError::TooNew(v)),
        v if v < OLDEST => return Err(BundleError::TooOld(v)),
        _ => {}
    }
    let (signed, sig) = bytes
        .split_at_checked(bytes.len().saturating_sub(64))
        .ok_or_else(cut)?;
    let (body, digest) = signed
        .split_at_checked(signed.len().saturating_sub(32))
        .ok_or_else(cut)?;
    if body.len() < MAGIC.len().saturating_add(8) {
        return Err(cut());
    }
    if Sha256::digest(body).as_slice() != digest {
        return Err(BundleError::Damaged(
            "its digest does not match its content".into(),
        ));
    }
    let mut r = Reader(body.get(MAGIC.len()..).unwrap_or_default());
    r.u32()?;
    let hlen = usize::try_from(r.u32()?).map_err(|_| cut())?;
    let header: Header =
        serde_json::from_slice(r.take(hlen)?).map_err(|e| BundleError::Damaged(e.to_string()))?;
    let sig: [u8; 64] = sig.try_into().map_err(|_| cut())?;
    let signer = crate::identity::endpoint_id(&header.exporter).ok_or(BundleError::BadSignature)?;
    signer
        .verify(digest, &Signature::from_bytes(&sig))
        .map_err(|_| BundleError::BadSignature)?;
    let mut docs = Vec::new();
    for named in &header.docs {
        let n = usize::from(r.u16()?);
        let id = String::from_utf8(r.take(n)?.to_vec())
            .map_err(|_| BundleError::Damaged("document id".into()))?;
        if !crate::store::valid_doc_id(&id) || &id != named {
            return Err(BundleError::Damaged(format!("unknown document {id}")));
        }
        let len = usize::try_from(r.u64()?).map_err(|_| BundleError::Damaged("length".into()))?;
        let am = Automerge::load(r.take(len)?)
            .map_err(|e| BundleError::Damaged(format!("{id}: {e}")))?;
        docs.push((id, am));
    }
    let len = usize::try_from(r.u64()?).map_err(|_| BundleError::Damaged("length".into()))?;
    let sigs = changes::decode(r.take(len)?)
        .ok_or_else(|| BundleError::Damaged("signatures".into()))?
        .into_iter()
        .collect();
    let mut files = Vec::new();
    if version >= 3 {
        for _ in 0..r.u32()? {
            let hash = data_encoding::HEXLOWER.encode(&r.array::<32>()?);
            let len =
                usize::try_from(r.u64()?).map_err(|_| BundleError::Damaged("length".into()))?;
            files.push((hash, r.take(len)?.to_vec()));
        }
    }
    if !r.0.is_empty() {
        return Err(BundleError::Damaged("trailing bytes".into()));
    }
    Ok(Read {
        header,
        docs,
        sigs,
        files,
    })
}

/// The bundle's certificates, as bytes.
fn certs_of(header: &Header) -> Vec<Vec<u8>> {
    header
        .certs
        .iter()
        .filter_map(|h| data_encoding::HEXLOWER_PERMISSIVE.decode(h.as_bytes()).ok())
        .collect()
}

fn checked(ws: &Workspace, bytes: &[u8]) -> Result<Read, BundleError> {
    let read = read(bytes)?;
    if read.header.workspace != ws.workspace_id() {
        return Err(BundleError::OtherWorkspace(read.header.workspace));
    }
    Ok(read)
}

/// Only the documents this device's member may read are taken from a
/// bundle (one made for everyone may hold more); a device that knows no
/// member yet (just joined) takes them all, to be sorted at its first sync.
fn readable(ws: &Workspace, docs: Vec<(String, Automerge)>) -> Vec<(String, Automerge)> {
    match ws.model().active_member(&ws.author().device) {
        Some(me) => {
            let mine = ws.readable_docs(me);
            docs.into_iter()
                .filter(|(id, _)| mine.contains(id))
                .collect()
        }
        None => docs,
    }
}

/// Imports a bundle into `ws`: its membership log, then, if its exporter
/// is a member, every change that passes the checks (one write).
pub fn import(ws: &mut Workspace, bytes: &[u8]) -> Result<Received, BundleError> {
    import_all(ws, bytes).map(|i| i.received)
}

/// [`import`], then the attached files: each kept only if its bytes are
/// the file its hash names and a record here (of the documents this
/// member may read) refers to it.
pub fn import_all(ws: &mut Workspace, bytes: &[u8]) -> Result<Imported, BundleError> {
    let Read {
        header,
        docs,
        sigs,
        files,
    } = checked(ws, bytes)?;
    // The membership log first, checked certificate by certificate.
    ws.add_certs(&certs_of(&header))?;
    if ws.model().active_member(&header.exporter).is_none() {
        return Err(BundleError::NotAMember(crate::identity::short(
            &header.exporter,
        )));
    }
    let source = format!("bundle:{}", header.exporter);
    let docs = readable(ws, docs);
    let received = ws.merge_docs(&source, docs, &sigs)?;
    let files = keep_files(ws, files)?;
    Ok(Imported { received, files })
}

fn keep_files(ws: &Workspace, files: Vec<(String, Vec<u8>)>) -> Result<FilesIn, BundleError> {
    let referred: BTreeSet<&str> = ws
        .model()
        .attachments()
        .flat_map(|a| a.blobs())
        .map(|b| b.hash.as_str())
        .collect();
    let blobs = ws.blobs();
    let mut got = FilesIn::default();
    for (hash, bytes) in files {
        if crate::store::blobs::hash_of(&bytes) != hash {
            got.refused = got.refused.saturating_add(1);
        } else if !referred.contains(hash.as_str()) {
            got.unreferred = got.unreferred.saturating_add(1);
        } else {
            blobs.put(&bytes).map_err(|source| StoreError::Io {
                path: ws.dir().join("blobs"),
                source,
            })?;
            got.kept = got.kept.saturating_add(1);
        }
    }
    Ok(got)
}

/// What importing a bundle would do, changing nothing: per author device,
/// how many changes would be merged, and what would be refused.
pub struct DryRun {
    pub exporter: String,
    pub merged: BTreeMap<String, usize>,
    pub refused: Vec<Refused>,
}

pub fn dry_run(ws: &mut Workspace, bytes: &[u8]) -> Result<DryRun, BundleError> {
    let Read {
        header, docs, sigs, ..
    } = checked(ws, bytes)?;
    let docs = readable(ws, docs);
    let (merged, refused) = ws.check_docs(&certs_of(&header), docs, &sigs)?;
    Ok(DryRun {
        exporter: header.exporter,
        merged,
        refused,
    })
}

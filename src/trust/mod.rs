//! Membership outside the editable documents: an append-only log of
//! signed certificates (docs/SYNC.md, "Certificates").
//!
//! A certificate names its issuer (a device key) and the certificates it
//! saw (`prev`), and is signed by the issuer. The programme's creator is
//! the root. Who is a member, with which role and scope, and who was
//! revoked when, is computed from the set of certificates alone, the same
//! way on every device: no map anyone can write decides it.
//!
//! The rules ([`roster`]):
//! - the root's own `Root` certificate starts the log;
//! - a `Grant` (a member added, or given another role) is valid when its
//!   issuer was an active member in the grant's causal past and the
//!   authorisation matrix lets the issuer invite that role into that scope;
//! - a `Revoke` likewise (the matrix's revoke cell); the revoked device
//!   is never a member again (a person comes back with a new device key,
//!   through a new invite), and nothing it issued that the revocation had
//!   not seen counts (a revoked admin cannot race its own revocation);
//! - a `Checkpoint` (the root's only) vouches for the documents as they
//!   stood when an older workspace was upgraded, or when the root admitted
//!   a member (those the member receives): their changes are merged on
//!   the root's word, except a revoked device's beyond its cut-off.

use crate::domain::authz::{self, Target, Write};
use crate::domain::{Id, Member, MemberRole};
use chrono::NaiveDate;
use iroh::{PublicKey, SecretKey, Signature};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// The largest certificate accepted, whole.
pub const MAX_CERT: usize = 64 * 1024;
/// The most certificates a device keeps: a province's members and their
/// changes of role many times over (the roster's cost grows with the
/// square of this).
pub const MAX_CERTS: usize = 20_000;
/// The certificate format.
pub const VERSION: u32 = 1;

/// What a certificate says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kind {
    /// The programme's creator: the root of all grants.
    Root { name: String, added_on: NaiveDate },
    /// `member` (a device id) is a member with this role and scope.
    Grant {
        member: String,
        name: String,
        role: MemberRole,
        district: Option<Id>,
        kindergarten: Option<Id>,
        /// The district of `kindergarten`, as the issuer knew it (the
        /// scope is checked against it).
        kindergarten_district: Option<Id>,
        districts: Vec<Id>,
        /// The invite used, if the member joined with one.
        invite: Option<String>,
        added_on: NaiveDate,
    },
    /// `member` is no longer one. `cutoff`: per document, the number of
    /// its changes (by sequence number) that are kept.
    Revoke {
        member: String,
        cutoff: BTreeMap<String, u64>,
    },
    /// The documents' heads (hex change hashes) as the root held them
    /// when it upgraded an older workspace or admitted a member: what came
    /// before is vouched for by the root.
    Checkpoint { docs: BTreeMap<String, Vec<String>> },
}

/// A certificate's signed body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    pub v: u32,
    pub workspace: String,
    /// The issuing device id (64 hex digits).
    pub issuer: String,
    pub issued_ms: i64,
    /// The certificates the issuer had seen (their hashes, hex): the heads
    /// of its log.
    pub prev: Vec<String>,
    pub kind: Kind,
}

/// A certificate: its body, signature and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cert {
    pub body: Body,
    /// SHA-256 of the whole encoding, hex.
    pub hash: String,
    bytes: Vec<u8>,
}

/// Why bytes are not a certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("a certificate of {0} bytes is over the limit")]
    TooLarge(usize),
    #[error("not a certificate: {0}")]
    Malformed(String),
    #[error("the certificate's signature does not match its issuer")]
    BadSignature,
}

fn sha256_hex(bytes: &[u8]) -> String {
    crate::identity::hex(&Sha256::digest(bytes))
}

impl Cert {
    /// Signs `body` with `key` (which must be the body's issuer).
    pub fn issue(key: &SecretKey, body: Body) -> Cert {
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let sig = key.sign(&json);
        let len = u32::try_from(json.len()).unwrap_or(u32::MAX);
        let mut bytes = len.to_be_bytes().to_vec();
        bytes.extend(&json);
        bytes.extend(sig.to_bytes());
        Cert {
            body,
            hash: sha256_hex(&bytes),
            bytes,
        }
    }

    /// Reads and verifies a certificate: `u32 length | JSON body | 64-byte
    /// ed25519 signature`, signed by the body's issuer.
    pub fn decode(bytes: &[u8]) -> Result<Cert, CertError> {
        if bytes.len() > MAX_CERT {
            return Err(CertError::TooLarge(bytes.len()));
        }
        let bad = |m: &str| CertError::Malformed(m.to_string());
        let (len, rest) = bytes
            .split_first_chunk::<4>()
            .ok_or_else(|| bad("too short"))?;
        let len = usize::try_from(u32::from_be_bytes(*len)).map_err(|_| bad("length"))?;
        let (json, sig) = rest.split_at_checked(len).ok_or_else(|| bad("too short"))?;
        let sig: [u8; 64] = sig.try_into().map_err(|_| bad("signature length"))?;
        let body: Body =
            serde_json::from_slice(json).map_err(|e| CertError::Malformed(e.to_string()))?;
        if body.v != VERSION {
            return Err(bad("unknown version"));
        }
        let issuer = crate::identity::endpoint_id(&body.issuer).ok_or_else(|| bad("issuer"))?;
        verify(&issuer, json, &sig)
            .then_some(())
            .ok_or(CertError::BadSignature)?;
        Ok(Cert {
            body,
            hash: sha256_hex(bytes),
            bytes: bytes.to_vec(),
        })
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

fn verify(key: &PublicKey, message: &[u8], sig: &[u8; 64]) -> bool {
    key.verify(message, &Signature::from_bytes(sig)).is_ok()
}

/// Why a certificate does not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    OtherWorkspace,
    /// A certificate it names is not here (yet).
    MissingParent,
    /// The issuer was not an active member where it issued it.
    IssuerNotMember,
    /// The matrix does not let the issuer grant or revoke that.
    NotAllowed,
    /// A `Root` or `Checkpoint` not by the root, or a grant or revocation
    /// of the root.
    NotRoot,
    /// A grant for a device that was revoked.
    Revoked,
    /// Issued by a device after (or unaware of) its own revocation.
    IssuerRevoked,
    /// A revocation of a device that was never a member.
    UnknownMember,
}

/// A revocation as the roster holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub by: String,
    /// Per document, how many of the revoked device's changes count; the
    /// smallest of all its revocations'.
    pub cutoff: BTreeMap<String, u64>,
}

/// Who is a member, computed from the certificates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    pub root: String,
    /// Every device ever granted, keyed by device id; revoked ones have
    /// `revoked` set.
    pub members: BTreeMap<String, Member>,
    pub revoked: BTreeMap<String, Revocation>,
    /// Invite ids used, and by whom.
    pub used_invites: BTreeMap<String, String>,
    /// What the root's checkpoints vouch for: per document, heads whose
    /// changes and all they depend on need no signature.
    pub checkpoint: BTreeMap<String, Vec<String>>,
    /// Certificates that do not count, and why (hash first).
    pub refused: Vec<(String, Refusal)>,
    /// The log's heads: valid certificates no other names.
    pub heads: Vec<String>,
}

impl Roster {
    pub fn active(&self, id: &str) -> Option<&Member> {
        self.members.get(id).filter(|m| !m.revoked)
    }
}

/// A set of positions, as bits.
#[derive(Clone, Default)]
struct Bits(Vec<u64>);

impl Bits {
    fn set(&mut self, i: usize) {
        let w = i / 64;
        if self.0.len() <= w {
            self.0.resize(w + 1, 0);
        }
        if let Some(x) = self.0.get_mut(w) {
            *x |= 1u64 << (i % 64);
        }
    }
    fn has(&self, i: usize) -> bool {
        self.0
            .get(i / 64)
            .is_some_and(|x| x & (1u64 << (i % 64)) != 0)
    }
    fn union(&mut self, o: &Bits) {
        if self.0.len() < o.0.len() {
            self.0.resize(o.0.len(), 0);
        }
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a |= b;
        }
    }
}

/// The member a grant makes, and its kindergarten's district.
fn grant_member(issuer: &str, k: &Kind) -> Option<(Member, Option<Id>)> {
    match k {
        Kind::Grant {
            member,
            name,
            role,
            district,
            kindergarten,
            kindergarten_district,
            districts,
            added_on,
            ..
        } => Some((
            Member {
                id: member.clone(),
                name: name.clone(),
                role: *role,
                district: district.clone(),
                kindergarten: kindergarten.clone(),
                districts: districts.clone(),
                added_by: issuer.to_string(),
                added_on: *added_on,
                revoked: false,
            },
            kindergarten_district.clone(),
        )),
        _ => None,
    }
}

/// Certificates in topological order, ties by hash, and those whose
/// parent is missing (they wait, with everything after them).
fn cert_order<'a>(by_hash: &BTreeMap<&'a str, &'a Cert>) -> (Vec<&'a Cert>, Vec<&'a str>) {
    let mut waiting: BTreeMap<&str, usize> = BTreeMap::new();
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut ready: BTreeSet<&str> = BTreeSet::new();
    for (h, c) in by_hash {
        let parents: BTreeSet<&str> = c.body.prev.iter().map(String::as_str).collect();
        for p in &parents {
            children.entry(p).or_default().push(h);
        }
        if parents.is_empty() {
            ready.insert(h);
        } else {
            waiting.insert(h, parents.len());
        }
    }
    let mut order: Vec<&Cert> = Vec::new();
    while let Some(h) = ready.pop_first() {
        if let Some(c) = by_hash.get(h) {
            order.push(c);
        }
        for ch in children.get(h).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(n) = waiting.get_mut(ch) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    waiting.remove(ch);
                    ready.insert(ch);
                }
            }
        }
    }
    (order, waiting.into_keys().collect())
}

/// Each certificate's causal past (itself excluded), in `order`.
fn pasts(order: &[&Cert]) -> Vec<Bits> {
    let index: BTreeMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, c)| (c.hash.as_str(), i))
        .collect();
    let mut past: Vec<Bits> = Vec::with_capacity(order.len());
    for c in order {
        let mut b = Bits::default();
        for p in &c.body.prev {
            if let Some(&i) = index.get(p.as_str()) {
                b.set(i);
                if let Some(pp) = past.get(i) {
                    let pp = pp.clone();
                    b.union(&pp);
                }
            }
        }
        past.push(b);
    }
    past
}

impl Roster {
    /// Takes in a valid certificate of the workspace whose root is `root`.
    fn take(&mut self, root: &str, c: &Cert) {
        match &c.body.kind {
            Kind::Root { name, added_on } => {
                self.members
                    .insert(root.to_string(), Member::root(root, name, *added_on));
            }
            Kind::Grant { invite, .. } => {
                if let Some((m, _)) = grant_member(&c.body.issuer, &c.body.kind) {
                    if let Some(inv) = invite {
                        self.used_invites.insert(inv.clone(), m.id.clone());
                    }
                    self.members.insert(m.id.clone(), m);
                }
            }
            Kind::Revoke { .. } => {}
            // Each checkpoint vouches for what it names: together, for
            // all of it.
            Kind::Checkpoint { docs } => {
                for (doc, heads) in docs {
                    let known = self.checkpoint.entry(doc.clone()).or_default();
                    for h in heads {
                        if !known.contains(h) {
                            known.push(h.clone());
                        }
                    }
                }
            }
        }
    }

    /// Records a valid revocation of `member` by `by`: with several, each
    /// document keeps the lowest cut-off, and one a revocation does not
    /// name keeps nothing.
    fn revoke(&mut self, member: &str, by: &str, cutoff: &BTreeMap<String, u64>) {
        let r = self
            .revoked
            .entry(member.to_string())
            .or_insert_with(|| Revocation {
                by: by.to_string(),
                cutoff: cutoff.clone(),
            });
        for (doc, n) in cutoff {
            let e = r.cutoff.entry(doc.clone()).or_insert(*n);
            *e = (*e).min(*n);
        }
        r.cutoff.retain(|d, _| cutoff.contains_key(d));
        if let Some(m) = self.members.get_mut(member) {
            m.revoked = true;
        }
    }
}

/// Computes the roster of `workspace`, whose root is the device `root`,
/// from `certs` (in any order, duplicates allowed). Deterministic: every
/// device holding the same certificates computes the same roster.
pub fn roster(workspace: &str, root: &str, certs: &[Cert]) -> Roster {
    let mut out = Roster {
        root: root.to_string(),
        ..Roster::default()
    };
    // One of each, by hash.
    let mut by_hash: BTreeMap<&str, &Cert> = BTreeMap::new();
    for c in certs {
        if c.body.workspace != workspace {
            out.refused.push((c.hash.clone(), Refusal::OtherWorkspace));
        } else {
            by_hash.entry(c.hash.as_str()).or_insert(c);
        }
    }
    let (order, orphans) = cert_order(&by_hash);
    for h in orphans {
        out.refused.push((h.to_string(), Refusal::MissingParent));
    }
    let past = pasts(&order);
    // First pass: validity by causal past alone. Its revocations decide
    // who is banned; the second pass drops what the banned issued that
    // their revocation had not seen.
    let first = judge(root, &order, &past, &BTreeMap::new());
    let mut bans: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, c) in order.iter().enumerate() {
        if let (Ok(()), Kind::Revoke { member, .. }) = (&first[i], &c.body.kind) {
            bans.entry(member.clone()).or_default().push(i);
        }
    }
    let verdicts = judge(root, &order, &past, &bans);
    let mut named: BTreeSet<&str> = BTreeSet::new();
    for (i, c) in order.iter().enumerate() {
        let Some(v) = verdicts.get(i) else { continue };
        if let Err(r) = v {
            out.refused.push((c.hash.clone(), r.clone()));
            continue;
        }
        named.extend(c.body.prev.iter().map(String::as_str));
        out.take(root, c);
    }
    // Revocations found valid by causal past hold, whoever else was
    // revoked concurrently (two admins revoking each other both go).
    for (i, c) in order.iter().enumerate() {
        if let (Some(Ok(())), Kind::Revoke { member, cutoff }) = (first.get(i), &c.body.kind) {
            out.revoke(member, &c.body.issuer, cutoff);
        }
    }
    out.heads = order
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            matches!(verdicts.get(*i), Some(Ok(()))) && !named.contains(c.hash.as_str())
        })
        .map(|(_, c)| c.hash.clone())
        .collect();
    out
}

/// Each certificate's verdict, in `order`. `bans`: per revoked device, the
/// revocations of it; a certificate it issued outside all their pasts
/// does not count.
fn judge(
    root: &str,
    order: &[&Cert],
    past: &[Bits],
    bans: &BTreeMap<String, Vec<usize>>,
) -> Vec<Result<(), Refusal>> {
    let mut j = Judging {
        root,
        order,
        grants: BTreeMap::new(),
        revokes: BTreeMap::new(),
    };
    let mut verdicts: Vec<Result<(), Refusal>> = Vec::with_capacity(order.len());
    let empty = Bits::default();
    for (i, c) in order.iter().enumerate() {
        let p = past.get(i).unwrap_or(&empty);
        let banned = bans.get(c.body.issuer.as_str()).is_some_and(|rs| {
            !rs.iter()
                .any(|r| *r == i || past.get(*r).is_some_and(|b| b.has(i)))
        });
        let verdict = if banned {
            Err(Refusal::IssuerRevoked)
        } else {
            j.verdict(c, p)
        };
        if verdict.is_ok() {
            match &c.body.kind {
                Kind::Grant { member, .. } => j.grants.entry(member.as_str()).or_default().push(i),
                Kind::Revoke { member, .. } => {
                    j.revokes.entry(member.as_str()).or_default().push(i)
                }
                _ => {}
            }
        }
        verdicts.push(verdict);
    }
    verdicts
}

/// What [`judge`] knows so far: the valid grants and revocations, by
/// member, as positions in `order`.
struct Judging<'a> {
    root: &'a str,
    order: &'a [&'a Cert],
    grants: BTreeMap<&'a str, Vec<usize>>,
    revokes: BTreeMap<&'a str, Vec<usize>>,
}

impl Judging<'_> {
    /// The member `id` as a certificate whose causal past is `p` knows it,
    /// with its kindergarten's district.
    fn known(&self, id: &str, p: &Bits) -> Option<(Member, Option<Id>)> {
        let g = self.grants.get(id)?.iter().rev().find(|g| p.has(**g))?;
        self.order
            .get(*g)
            .and_then(|gc| grant_member(&gc.body.issuer, &gc.body.kind))
    }

    /// Whether a revocation of `id` is in the past `p`.
    fn revoked_in(&self, id: &str, p: &Bits) -> bool {
        self.revokes
            .get(id)
            .is_some_and(|r| r.iter().any(|x| p.has(*x)))
    }

    /// The issuer as a member (`None`: the root), or why it may not issue.
    fn issuer(&self, issuer: &str, p: &Bits) -> Result<Option<Member>, Refusal> {
        if issuer == self.root {
            return Ok(None);
        }
        if self.revoked_in(issuer, p) {
            return Err(Refusal::IssuerRevoked);
        }
        self.known(issuer, p)
            .map(|(m, _)| Some(m))
            .ok_or(Refusal::IssuerNotMember)
    }

    /// Whether `c`, whose causal past is `p`, is valid.
    fn verdict(&self, c: &Cert, p: &Bits) -> Result<(), Refusal> {
        let root = self.root;
        let issuer = c.body.issuer.as_str();
        match &c.body.kind {
            Kind::Root { .. } => (issuer == root && c.body.prev.is_empty())
                .then_some(())
                .ok_or(Refusal::NotRoot),
            Kind::Checkpoint { .. } => (issuer == root).then_some(()).ok_or(Refusal::NotRoot),
            Kind::Grant {
                member,
                kindergarten_district,
                ..
            } => {
                if member == root {
                    return Err(Refusal::NotRoot);
                }
                if self.revoked_in(member, p) {
                    return Err(Refusal::Revoked);
                }
                let by = self.issuer(issuer, p)?;
                let (wanted, _) = grant_member(issuer, &c.body.kind).ok_or(Refusal::NotAllowed)?;
                // The root may grant anything.
                let Some(by) = by else {
                    return Ok(());
                };
                let may = |write: Write, m: &Member, kd: Option<&Id>| {
                    authz::allowed(&by, write, &Target::member_in(m, kd))
                };
                let grant_ok = may(Write::Invite, &wanted, kindergarten_district.as_ref());
                // A new role for a member replaces the old: the issuer must
                // be able to take that one away too.
                let old_ok = self
                    .known(member, p)
                    .is_none_or(|(old, kd)| may(Write::Revoke, &old, kd.as_ref()));
                (grant_ok && old_ok)
                    .then_some(())
                    .ok_or(Refusal::NotAllowed)
            }
            Kind::Revoke { member, .. } => {
                if member == root {
                    return Err(Refusal::NotRoot);
                }
                let by = self.issuer(issuer, p)?;
                let (old, kd) = self.known(member, p).ok_or(Refusal::UnknownMember)?;
                match &by {
                    None => Ok(()),
                    Some(b) if b.id == old.id => Ok(()),
                    Some(b) => {
                        authz::allowed(b, Write::Revoke, &Target::member_in(&old, kd.as_ref()))
                            .then_some(())
                            .ok_or(Refusal::NotAllowed)
                    }
                }
            }
        }
    }
}

/// The certificates no other of `certs` names as its parent, by hash: what
/// a new certificate names as having seen.
pub fn heads_of(certs: &[Cert]) -> Vec<String> {
    let named: BTreeSet<&str> = certs
        .iter()
        .flat_map(|c| c.body.prev.iter().map(String::as_str))
        .collect();
    let heads: BTreeSet<&str> = certs
        .iter()
        .map(|c| c.hash.as_str())
        .filter(|h| !named.contains(h))
        .collect();
    heads.into_iter().map(str::to_string).collect()
}

/// The certificates of `mine` a peer whose log has `their_heads` lacks:
/// all but those heads and what they descend from (as far as `mine` knows
/// them). A head `mine` does not know is the peer's to send.
pub fn missing_for<'a>(mine: &'a [Cert], their_heads: &[String]) -> Vec<&'a Cert> {
    let by_hash: BTreeMap<&str, &Cert> = mine.iter().map(|c| (c.hash.as_str(), c)).collect();
    let mut known: BTreeSet<&str> = BTreeSet::new();
    let mut todo: Vec<&str> = their_heads
        .iter()
        .map(String::as_str)
        .filter(|h| by_hash.contains_key(h))
        .collect();
    while let Some(h) = todo.pop() {
        if known.insert(h)
            && let Some(c) = by_hash.get(h)
        {
            todo.extend(c.body.prev.iter().map(String::as_str));
        }
    }
    let mut seen = BTreeSet::new();
    mine.iter()
        .filter(|c| !known.contains(c.hash.as_str()) && seen.insert(c.hash.as_str()))
        .collect()
}

pub mod changes;
#[cfg(test)]
mod tests;

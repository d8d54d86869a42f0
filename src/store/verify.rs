//! Every change that arrives from elsewhere (a sync, a relaying peer, a
//! bundle) is checked before it is merged (docs/SECURITY.md, "Checked on
//! receipt"):
//!
//! 1. its author: the device its actor id is derived from
//!    (`trust::changes::actor_for`), a member of the membership log (a
//!    revoked one only for its changes up to the revocation's cut-off);
//!    the author field names that same device;
//! 2. its signature by that device;
//! 3. what it does: each record it touches is read as it stood at the
//!    change's parents and as the change left it, and
//!    `domain::judge` decides whether the author's role and scope allow
//!    it and whether a workflow lock forbids it.
//!
//! Changes the programme's root vouched for when an older workspace was
//! upgraded (its checkpoint) need no signature. A refused change is not
//! merged, nor is anything that depends on it; the rest is. The decision
//! depends only on the change, its causal past and the membership log,
//! so every device that holds the same log decides alike.

use super::AuthorInfo;
use super::layout::*;
use super::mapping::*;
use super::state::holds;
use crate::domain::authz::{Target, Write};
use crate::domain::judge::{self, AttachedRecord, Touched, Verdict};
use crate::domain::*;
use crate::trust::Roster;
use crate::trust::changes::{self as signing, Sig};
use automerge::hydrate::{Map, Value as HValue};
use automerge::legacy::{Key, ObjectId, OpId, OpType};
use automerge::{ActorId, Automerge, Change, ChangeHash, ObjType, Prop, ROOT, ReadDoc, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Why a received change was not merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// No membership log here yet to check it against.
    NoLog,
    /// Its actor is no member's, and no checkpoint vouches for it.
    UnknownAuthor,
    /// No signature came with it.
    Unsigned,
    /// The signature is not its author's.
    BadSignature,
    /// Its author field names another device than the one that signed.
    ForgedAuthor,
    /// Made by a revoked device after its revocation's cut-off.
    Revoked,
    /// What it does is refused (see [`Verdict`]).
    Record(Verdict),
    /// It builds on a refused change.
    DependsOnRefused,
    /// Larger than anything bangfu writes: a change over [`MAX_CHANGE`]
    /// bytes, or a field over the size limits (`rules::limits`).
    TooLarge,
}

/// The largest change accepted (bytes as stored): a bulk import of a
/// county's list is far below it.
pub const MAX_CHANGE: usize = 1024 * 1024;

impl Reason {
    /// A stable name (the `refusals` table, logs).
    pub fn code(&self) -> String {
        match self {
            Reason::NoLog => "no_log".into(),
            Reason::UnknownAuthor => "unknown_author".into(),
            Reason::Unsigned => "unsigned".into(),
            Reason::BadSignature => "bad_signature".into(),
            Reason::ForgedAuthor => "forged_author".into(),
            Reason::Revoked => "revoked".into(),
            Reason::Record(v) => v.code(),
            Reason::DependsOnRefused => "depends_on_refused".into(),
            Reason::TooLarge => "too_large".into(),
        }
    }
}

/// A change not merged: which, whose, what it touched, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub doc: String,
    /// The change's hash, hex.
    pub change: String,
    /// The device that made it, when known (else its actor id, hex).
    pub author: String,
    /// `collection/key` of the record it was refused for, if one.
    pub record: Option<String>,
    pub reason: Reason,
}

impl Refused {
    /// As stored in the `refusals` table: from `source`, at `at_ms`.
    pub fn row(&self, source: &str, at_ms: i64) -> super::RefusalRow {
        super::RefusalRow {
            at_ms,
            source: source.to_string(),
            doc: self.doc.clone(),
            change: self.change.clone(),
            author: self.author.clone(),
            record: self.record.clone(),
            reason: self.reason.code(),
        }
    }
}

/// What one document's check found.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Changes merged: each with the signature to keep for it and its
    /// author's device (`checkpoint` for what the root vouched for).
    pub accepted: Vec<(ChangeHash, Option<Sig>, String)>,
    pub refused: Vec<Refused>,
    /// Changes that build on changes this device does not have yet:
    /// neither merged nor refused.
    pub waiting: Vec<Change>,
    /// The document came whole and was taken as it came: every change
    /// of it, in causal order.
    pub adopted: Option<Vec<Change>>,
}

/// What the checks of one document need to know.
pub(crate) struct Gate<'a> {
    pub workspace: &'a str,
    pub doc: &'a str,
    pub roster: Option<&'a Roster>,
    /// Signatures that came with the changes, and those stored here.
    pub sigs: &'a dyn Fn(&ChangeHash) -> Option<Sig>,
    /// Changes refused before: what builds on them is refused too.
    pub refused_before: &'a BTreeSet<ChangeHash>,
}

/// Splits bytes into automerge chunks (several may be concatenated, as
/// `save_after` writes them): each is a 4-byte magic, a 4-byte checksum,
/// a type byte, a LEB128 length and that many bytes.
fn split_chunks(mut bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let mut len: u64 = 0;
        let mut at = 9usize;
        let mut shift = 0u32;
        loop {
            let b = *bytes.get(at)?;
            at = at.checked_add(1)?;
            len |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                break;
            }
            shift = shift.checked_add(7).filter(|s| *s < 64)?;
        }
        let end = at.checked_add(usize::try_from(len).ok()?)?;
        let (chunk, rest) = bytes.split_at_checked(end)?;
        out.push(chunk);
        bytes = rest;
    }
    Some(out)
}

/// The changes a sync message or a saved document holds, each as its own
/// `Change` to check: change chunks (automerge's first sync format, or
/// several concatenated), a bundle of changes (its second), or a whole
/// document.
pub(crate) fn changes_in(chunks: &[&[u8]]) -> Result<Vec<Change>, String> {
    arrived(chunks).map(|(changes, _)| changes)
}

/// [`changes_in`], and the document itself when the chunks are one whole
/// document (how automerge sends a document to a peer that has none of
/// it): [`Gate::admit`] may then take it as it is.
pub(crate) fn arrived(chunks: &[&[u8]]) -> Result<(Vec<Change>, Option<Automerge>), String> {
    let mut out = Vec::new();
    let mut docs = Vec::new();
    let mut count = 0usize;
    for whole in chunks {
        let parts = split_chunks(whole).ok_or_else(|| "not automerge data".to_string())?;
        for chunk in parts {
            count = count.saturating_add(1);
            if let Ok(c) = Change::from_bytes(chunk.to_vec()) {
                out.push(c);
            } else if let Ok(bundle) = automerge::Bundle::try_from(chunk) {
                out.extend(bundle.to_changes().map_err(|e| e.to_string())?);
            } else {
                let doc = Automerge::load(chunk).map_err(|e| e.to_string())?;
                out.extend(doc.get_changes(&[]));
                docs.push(doc);
            }
        }
    }
    let whole = match (count, docs.pop()) {
        (1, Some(doc)) => Some(doc),
        _ => None,
    };
    Ok((out, whole))
}

/// Whether `changes` are every change of `doc`: their heads are its
/// heads and each builds only on others among them (so none of its
/// changes is missing, and none is more).
fn all_of(doc: &Automerge, changes: &[Change]) -> bool {
    let hashes: BTreeSet<ChangeHash> = changes.iter().map(Change::hash).collect();
    let depended: BTreeSet<ChangeHash> = changes
        .iter()
        .flat_map(|c| c.deps().iter().copied())
        .collect();
    let mut heads: Vec<ChangeHash> = hashes.difference(&depended).copied().collect();
    let mut theirs = doc.get_heads();
    heads.sort();
    theirs.sort();
    depended.is_subset(&hashes) && heads == theirs
}

/// The changes among `known` (those arriving) that a checkpoint vouches
/// for: its heads for `doc` and all they depend on. A vouched change
/// already here has all it depends on here too, and nothing arriving is
/// below it: the walk stops there.
fn vouched(
    roster: &Roster,
    doc: &str,
    known: &BTreeMap<ChangeHash, &Change>,
) -> BTreeSet<ChangeHash> {
    let mut out = BTreeSet::new();
    let mut todo: Vec<ChangeHash> = roster
        .checkpoint
        .get(doc)
        .into_iter()
        .flatten()
        .filter_map(|h| h.parse().ok())
        .collect();
    while let Some(h) = todo.pop() {
        let Some(c) = known.get(&h) else { continue };
        if out.insert(h) {
            todo.extend(c.deps().iter().copied());
        }
    }
    out
}

/// What a change touches: the records (collection, key) and whether it
/// writes the document's shape itself.
#[derive(Default)]
struct Touches {
    records: BTreeSet<(String, String)>,
    structure: bool,
    /// It writes into an object the document did not hold, visible, at
    /// its parents (see [`path_of`]): malformed, and never applied
    /// (automerge panics on an object it cannot find).
    foreign: bool,
}

/// Where the object `obj` sat in the document at `heads` (a change's
/// parents): `None` if it was not there then, visible. A change writes
/// only into what its author's document held: an object made after its
/// parents (or hidden by then) is one it names to change what reading the
/// document at its parents and after it would not show (a record made
/// anew concurrently: `tests/sync.rs`
/// `a_change_writing_into_a_record_made_anew_after_its_parents_is_refused`).
/// It is judged a change of the document's shape.
fn path_of(am: &Automerge, obj: &OpId, heads: &[ChangeHash]) -> Option<Vec<String>> {
    let id = am.import_obj(&format!("{}@{}", obj.0, obj.1)).ok()?;
    let mut path: Vec<String> = Vec::new();
    for p in am.parents_at(&id, heads).ok()? {
        if !p.visible {
            return None;
        }
        match p.prop {
            Prop::Map(k) => path.push(k),
            Prop::Seq(i) => path.push(i.to_string()),
        }
    }
    path.reverse();
    Some(path)
}

fn touches(am: &Automerge, c: &Change) -> Touches {
    let mut t = Touches::default();
    let ex = c.decode();
    // Objects this change makes, by op id: where they sit.
    let mut made: BTreeMap<(u64, ActorId), Vec<String>> = BTreeMap::new();
    for (i, op) in ex.operations.iter().enumerate() {
        let base: Option<Vec<String>> = match &op.obj {
            ObjectId::Root => Some(Vec::new()),
            ObjectId::Id(id) => made
                .get(&(id.0, id.1.clone()))
                .cloned()
                .or_else(|| path_of(am, id, c.deps())),
        };
        let Some(mut path) = base else {
            t.structure = true;
            t.foreign = true;
            continue;
        };
        match &op.key {
            Key::Map(k) => path.push(k.to_string()),
            Key::Seq(_) if path.len() >= 2 => {}
            Key::Seq(_) => {
                t.structure = true;
                continue;
            }
        }
        if matches!(op.action, OpType::Make(_)) {
            let counter = c.start_op().get().saturating_add(i as u64);
            made.insert((counter, c.actor_id().clone()), path.clone());
        }
        match path.as_slice() {
            [collection, key, ..] => {
                t.records.insert((collection.clone(), key.clone()));
            }
            // A collection this version has that the document's creator
            // did not (an older bangfu): made empty where there was none,
            // it replaces nothing. Its records are judged one by one.
            [collection]
                if matches!(op.action, OpType::Make(ObjType::Map))
                    && DISTRICT_COLLECTIONS.contains(&collection.as_str())
                    && am
                        .get_at(ROOT, collection.as_str(), c.deps())
                        .ok()
                        .flatten()
                        .is_none() => {}
            _ => t.structure = true,
        }
    }
    t
}

/// A record's map as it stood at `heads`.
fn record_at(am: &Automerge, collection: &str, key: &str, heads: &[ChangeHash]) -> Option<Map> {
    let coll = match am.get_at(ROOT, collection, heads).ok()?? {
        (Value::Object(ObjType::Map), id) => id,
        _ => return None,
    };
    let rec = match am.get_at(&coll, key, heads).ok()?? {
        (Value::Object(ObjType::Map), id) => id,
        _ => return None,
    };
    match ReadDoc::hydrate(am, &rec, Some(heads)).ok()? {
        HValue::Map(m) => Some(m),
        _ => None,
    }
}

fn read<R: Record>(am: &Automerge, home: Home<'_>, key: &str, heads: &[ChangeHash]) -> Option<R> {
    let id = Id::parse(key)?;
    let m = record_at(am, R::COLLECTION, key, heads)?;
    R::from_map(id, home, &m).ok()
}

/// One record's states before and after, as [`judge`] takes them.
enum Pair {
    Settings,
    Plan,
    Legacy,
    Structure,
    District(Option<District>, Option<District>),
    Kindergarten(Option<Kindergarten>, Option<Kindergarten>),
    Pairing(Option<Pairing>, Option<Pairing>),
    Visit(Option<Visit>, Option<Visit>, Option<Pairing>),
    Inspection(Option<Inspection>, Option<Inspection>, Option<Pairing>),
    Monthly(Option<MonthlyReport>, Option<MonthlyReport>),
    Annual(Option<AnnualSummary>, Option<AnnualSummary>, Option<Id>),
    Attachment(
        Option<Attachment>,
        Option<Attachment>,
        Option<(Write, Target)>,
    ),
}

impl Pair {
    fn touched(&self) -> Touched<'_> {
        match self {
            Pair::Settings => Touched::Settings,
            Pair::Plan => Touched::Plan,
            Pair::Legacy => Touched::LegacyMembers,
            Pair::Structure => Touched::Structure,
            Pair::District(b, a) => Touched::District(b.as_ref(), a.as_ref()),
            Pair::Kindergarten(b, a) => Touched::Kindergarten(b.as_ref(), a.as_ref()),
            Pair::Pairing(b, a) => Touched::Pairing(b.as_ref(), a.as_ref()),
            Pair::Visit(b, a, p) => Touched::Visit(b.as_ref(), a.as_ref(), p.as_ref()),
            Pair::Inspection(b, a, p) => Touched::Inspection(b.as_ref(), a.as_ref(), p.as_ref()),
            Pair::Monthly(b, a) => Touched::Monthly(b.as_ref(), a.as_ref()),
            Pair::Annual(b, a, h) => Touched::Annual(b.as_ref(), a.as_ref(), h.as_ref()),
            Pair::Attachment(b, a, on) => Touched::Attachment(b.as_ref(), a.as_ref(), on.as_ref()),
        }
    }
}

/// Reads a touched record before (at `deps`) and after (at `at`).
fn pair(
    am: &Automerge,
    doc: &str,
    collection: &str,
    key: &str,
    deps: &[ChangeHash],
    at: &[ChangeHash],
) -> Pair {
    let Some(district) = district_of_doc(doc) else {
        return match collection {
            "programme" => Pair::Settings,
            "years" | "targets" => Pair::Plan,
            "members" | "used_invites" => Pair::Legacy,
            "districts" => {
                let d = |h: &[ChangeHash]| {
                    let id = Id::parse(key)?;
                    district_from(id, &record_at(am, "districts", key, h)?).ok()
                };
                Pair::District(d(deps), d(at))
            }
            "annual_summaries" => {
                let city = |s: Option<AnnualSummary>| s.filter(|s| s.level == Level::City);
                Pair::Annual(
                    city(read(am, Home::Programme, key, deps)),
                    city(read(am, Home::Programme, key, at)),
                    None,
                )
            }
            _ => Pair::Structure,
        };
    };
    let d = Home::District(&district);
    match collection {
        "kindergartens" => Pair::Kindergarten(read(am, d, key, deps), read(am, d, key, at)),
        "pairings" => Pair::Pairing(read(am, d, key, deps), read(am, d, key, at)),
        "visits" => {
            let (b, a): (Option<Visit>, Option<Visit>) =
                (read(am, d, key, deps), read(am, d, key, at));
            let p = b
                .as_ref()
                .map(|v| (v, deps))
                .or(a.as_ref().map(|v| (v, at)))
                .and_then(|(v, h)| read(am, d, v.pairing_id.as_str(), h));
            Pair::Visit(b, a, p)
        }
        "inspections" => {
            let (b, a): (Option<Inspection>, Option<Inspection>) =
                (read(am, d, key, deps), read(am, d, key, at));
            let p = b
                .as_ref()
                .map(|i| (i, deps))
                .or(a.as_ref().map(|i| (i, at)))
                .and_then(|(i, h)| i.pairing_id.as_ref().map(|p| (p, h)))
                .and_then(|(p, h)| read(am, d, p.as_str(), h));
            Pair::Inspection(b, a, p)
        }
        "monthly_reports" => Pair::Monthly(read(am, d, key, deps), read(am, d, key, at)),
        "annual_summaries" => Pair::Annual(
            read(am, d, key, deps),
            read(am, d, key, at),
            Some(district.clone()),
        ),
        "attachments" => {
            let (b, a): (Option<Attachment>, Option<Attachment>) =
                (read(am, d, key, deps), read(am, d, key, at));
            let on = b
                .as_ref()
                .or(a.as_ref())
                .and_then(|x| attached(am, &district, x, &[at, deps]));
            Pair::Attachment(b, a, on)
        }
        _ => Pair::Structure,
    }
}

/// What attaching to the record `x` is attached to was, for permissions:
/// the record as the change left it, else as it stood before.
fn attached(
    am: &Automerge,
    district: &Id,
    x: &Attachment,
    heads: &[&[ChangeHash]],
) -> Option<(Write, Target)> {
    let d = Home::District(district);
    let key = x.record.as_str();
    heads.iter().find_map(|h| {
        let pairing = |id: Option<&Id>| id.and_then(|p| read::<Pairing>(am, d, p.as_str(), h));
        Some(match x.to {
            AttachedTo::Pairing => {
                let p: Pairing = read(am, d, key, h)?;
                judge::attaching(AttachedRecord::Pairing(&p))
            }
            AttachedTo::Visit => {
                let v: Visit = read(am, d, key, h)?;
                let p = pairing(Some(&v.pairing_id));
                judge::attaching(AttachedRecord::Visit(&v, p.as_ref()))
            }
            AttachedTo::Inspection => {
                let i: Inspection = read(am, d, key, h)?;
                let p = pairing(i.pairing_id.as_ref());
                judge::attaching(AttachedRecord::Inspection(&i, p.as_ref()))
            }
            AttachedTo::MonthlyReport => {
                let m: MonthlyReport = read(am, d, key, h)?;
                judge::attaching(AttachedRecord::Monthly(&m))
            }
            AttachedTo::AnnualSummary => {
                let s: AnnualSummary = read(am, d, key, h)?;
                judge::attaching(AttachedRecord::Annual(&s, Some(district)))
            }
        })
    })
}

/// Vouched-for changes merged together: automerge merges a run of
/// changes in one pass (one at a time, merging was a third of a join).
#[derive(Default)]
struct Batch {
    changes: Vec<Change>,
    hashes: BTreeSet<ChangeHash>,
}

impl Batch {
    fn add(&mut self, c: &Change) {
        self.hashes.insert(c.hash());
        self.changes.push(c.clone());
    }

    /// Merges what waits into `am`. They were not decoded (the root
    /// vouched for them), so one could still make automerge panic (a
    /// change writing into an object made after its parents, accepted by a
    /// root before `Touches::foreign`): that is an error of this write,
    /// whose caller then drops `am` with everything else it did.
    fn merge(&mut self, am: &mut Automerge) -> Result<(), automerge::AutomergeError> {
        if !self.changes.is_empty() {
            let changes = std::mem::take(&mut self.changes);
            contained(|| am.apply_changes(changes))??;
            self.hashes.clear();
        }
        Ok(())
    }
}

thread_local! {
    static CONTAINING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the panic under way on this thread is one [`contained`] turns
/// into an error: the interface's panic hook leaves the terminal as it is.
pub fn panic_is_contained() -> bool {
    CONTAINING.with(|c| c.get())
}

/// `f`'s result, or an error saying what automerge panicked with.
fn contained<T>(f: impl FnOnce() -> T) -> Result<T, automerge::AutomergeError> {
    CONTAINING.with(|c| c.set(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CONTAINING.with(|c| c.set(false));
    r.map_err(|e| {
        let said = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        automerge::AutomergeError::EncodingError(format!(
            "automerge stopped on a change it was given ({said})"
        ))
    })
}

/// What the check makes of one change.
enum Step {
    /// It builds on a change not here yet.
    Wait,
    /// Merged; by this device.
    Accept(String),
    /// Refused; `applied`: it was merged before it was judged, so the
    /// document must be rebuilt without it.
    Refuse {
        author: String,
        record: Option<String>,
        reason: Reason,
        applied: bool,
    },
}

impl Gate<'_> {
    /// Who made `c`, if it may count: its device and member.
    fn author(
        &self,
        c: &Change,
        actors: &BTreeMap<ActorId, String>,
    ) -> Result<(String, Member), (String, Reason)> {
        let actor = c.actor_id();
        let Some(roster) = self.roster else {
            return Err((actor.to_hex_string(), Reason::NoLog));
        };
        let Some(device) = actors.get(actor) else {
            return Err((actor.to_hex_string(), Reason::UnknownAuthor));
        };
        let fail = |r: Reason| Err((device.clone(), r));
        let Some(sig) = (self.sigs)(&c.hash()) else {
            return fail(Reason::Unsigned);
        };
        if !signing::verify(device, self.workspace, self.doc, &c.hash(), &sig) {
            return fail(Reason::BadSignature);
        }
        // automerge records the author once per actor, in its first
        // change: that one must name the signing device, and no other may
        // name anyone else.
        let named = c.author().map(|a| AuthorInfo::from_author(&a).device);
        let honest = match named {
            Some(d) => d == *device,
            None => c.seq() > 1,
        };
        if !honest {
            return fail(Reason::ForgedAuthor);
        }
        let Some(member) = roster.members.get(device) else {
            return fail(Reason::UnknownAuthor);
        };
        if self.cut_off(c, actors) {
            return fail(Reason::Revoked);
        }
        Ok((device.clone(), member.clone()))
    }

    /// `c` is by a revoked device, beyond what its revocation keeps of it
    /// in this document. Refused even where a checkpoint vouches for it:
    /// the root may have held it before it learnt of the revocation.
    fn cut_off(&self, c: &Change, actors: &BTreeMap<ActorId, String>) -> bool {
        let (Some(roster), Some(device)) = (self.roster, actors.get(c.actor_id())) else {
            return false;
        };
        let revoked = roster.members.get(device).is_some_and(|m| m.revoked);
        let cutoff = roster
            .revoked
            .get(device)
            .and_then(|r| r.cutoff.get(self.doc).copied())
            .unwrap_or(0);
        revoked && c.seq() > cutoff
    }

    /// Each member device's actor in this document.
    fn actors(&self) -> BTreeMap<ActorId, String> {
        self.roster
            .map(|r| {
                r.members
                    .keys()
                    .map(|d| (signing::actor_for(d, self.doc), d.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether `c` is taken on the root's word: vouched for by a
    /// checkpoint, not cut off by a revocation, and building on nothing
    /// refused, only on what is here or merges with it.
    fn takes_vouched(
        &self,
        am: &Automerge,
        c: &Change,
        vouched: &BTreeSet<ChangeHash>,
        actors: &BTreeMap<ActorId, String>,
        refused: &BTreeSet<ChangeHash>,
        batch: &Batch,
    ) -> bool {
        vouched.contains(&c.hash())
            && !self.cut_off(c, actors)
            && !self.builds_on_refused(c, refused)
            && c.deps()
                .iter()
                .all(|d| batch.hashes.contains(d) || holds(am, d))
    }

    /// Every change of `whole`, in causal order (`ordered`), judged in it:
    /// the outcome if all pass, `None` at the first that does not.
    fn admit_whole(
        &self,
        whole: &Automerge,
        ordered: &[Change],
        vouched: &BTreeSet<ChangeHash>,
        actors: &BTreeMap<ActorId, String>,
    ) -> Option<Outcome> {
        let none = BTreeSet::new();
        let nothing_merged = Batch::default();
        let mut out = Outcome::default();
        for c in ordered {
            let hash = c.hash();
            let device = if self.takes_vouched(whole, c, vouched, actors, &none, &nothing_merged) {
                "checkpoint".to_string()
            } else {
                let (device, member) = self.vet(whole, c, &none, actors).ok()?;
                let t = touches(whole, c);
                if t.foreign || self.judge(whole, c, &member, &t).is_some() {
                    return None;
                }
                device
            };
            out.accepted.push((hash, (self.sigs)(&hash), device));
        }
        Some(out)
    }

    /// `c` depends on a change refused in this batch (`refused`) or
    /// before.
    fn builds_on_refused(&self, c: &Change, refused: &BTreeSet<ChangeHash>) -> bool {
        c.deps()
            .iter()
            .any(|d| refused.contains(d) || self.refused_before.contains(d))
    }

    /// What to do with `c` (applying it to `am` when it is checked):
    /// `refused`, those refused so far in this batch.
    fn step(
        &self,
        am: &mut Automerge,
        c: &Change,
        refused: &BTreeSet<ChangeHash>,
        actors: &BTreeMap<ActorId, String>,
    ) -> Step {
        let (device, member) = match self.vet(am, c, refused, actors) {
            Ok(x) => x,
            Err(step) => return step,
        };
        let refuse = |record, reason, applied| Step::Refuse {
            author: device.clone(),
            record,
            reason,
            applied,
        };
        let t = touches(am, c);
        if t.foreign {
            return refuse(None, Reason::Record(Verdict::Malformed), false);
        }
        // A change automerge itself will not take (another with its actor
        // and sequence number) is malformed, not an error that would end
        // the whole exchange. A refused change stays applied: the caller
        // rebuilds the document without it.
        if !matches!(contained(|| am.apply_changes([c.clone()])), Ok(Ok(()))) {
            return refuse(None, Reason::Record(Verdict::Malformed), true);
        }
        match self.judge(am, c, &member, &t) {
            None => Step::Accept(device),
            Some((record, reason)) => refuse(record, reason, true),
        }
    }

    /// The checks of `c` before what it does is judged: what it builds
    /// on, who made it, its signature, its size. Its device and member,
    /// or what to do with it instead.
    fn vet(
        &self,
        am: &Automerge,
        c: &Change,
        refused: &BTreeSet<ChangeHash>,
        actors: &BTreeMap<ActorId, String>,
    ) -> Result<(String, Member), Step> {
        let refuse = |author: String, reason: Reason| Step::Refuse {
            author,
            record: None,
            reason,
            applied: false,
        };
        if self.builds_on_refused(c, refused) {
            return Err(refuse(
                c.actor_id().to_hex_string(),
                Reason::DependsOnRefused,
            ));
        }
        if c.deps().iter().any(|d| !holds(am, d)) {
            return Err(Step::Wait);
        }
        let (device, member) = self
            .author(c, actors)
            .map_err(|(author, reason)| refuse(author, reason))?;
        if c.raw_bytes().len() > MAX_CHANGE {
            return Err(refuse(device, Reason::TooLarge));
        }
        Ok((device, member))
    }

    /// Judges `c`, by `member`, in `am`, which holds it (every read is
    /// of the document as it stood at the change's parents or as the
    /// change left it, so what came after it in `am` changes nothing):
    /// `None` when it may stay, else the record it touched wrongly (if
    /// one) and why. `t`: what it touches.
    fn judge(
        &self,
        am: &Automerge,
        c: &Change,
        member: &Member,
        t: &Touches,
    ) -> Option<(Option<String>, Reason)> {
        let deps = c.deps().to_vec();
        // The change that makes a document, by a city admin, may lay
        // out all of it.
        let creating = deps.is_empty() && member.role == MemberRole::CityAdmin;
        let mut pairs: Vec<(Option<String>, Pair)> = Vec::new();
        if t.structure && !creating {
            pairs.push((None, Pair::Structure));
        }
        let at = [c.hash()];
        for (collection, key) in t.records.iter().filter(|_| !creating) {
            pairs.push((
                Some(format!("{collection}/{key}")),
                pair(am, self.doc, collection, key, &deps, &at),
            ));
        }
        // Every field as the change left it within the size limits
        // an honest device keeps to.
        let too_large = t
            .records
            .iter()
            .filter(|_| !creating)
            .find(|(collection, key)| {
                record_at(am, collection, key, &at).is_some_and(|m| oversized(&m).is_some())
            })
            .map(|(collection, key)| (Some(format!("{collection}/{key}")), Reason::TooLarge));
        too_large.or_else(|| {
            pairs.iter().find_map(|(record, p)| {
                judge::judge(member, &p.touched())
                    .err()
                    .map(|v| (record.clone(), Reason::Record(v)))
            })
        })
    }

    /// Checks `candidates` and merges into `am` those that pass, with
    /// what they need; the rest are refused (and what builds on them).
    /// Changes whose dependencies are missing wait (neither merged nor
    /// refused) and come back in [`Outcome::waiting`].
    ///
    /// `whole`: the document the candidates came in whole (see
    /// [`arrived`]). Where this device has none of it, each change is
    /// judged in it without being applied (the reads are the same), and
    /// when every change passes it becomes the document as it came: a
    /// join does not rebuild a district change by change. Any refusal,
    /// and the changes are taken one by one as always.
    pub(crate) fn admit(
        &self,
        am: &mut Automerge,
        candidates: Vec<Change>,
        whole: Option<Automerge>,
    ) -> Result<Outcome, automerge::AutomergeError> {
        let mut out = Outcome::default();
        let fresh: Vec<Change> = candidates
            .into_iter()
            .filter(|c| !holds(am, &c.hash()))
            .collect();
        if fresh.is_empty() {
            return Ok(out);
        }
        let ordered = super::order::causal_order(fresh);
        let known: BTreeMap<ChangeHash, &Change> = ordered.iter().map(|c| (c.hash(), c)).collect();
        let vouched = self
            .roster
            .map(|r| vouched(r, self.doc, &known))
            .unwrap_or_default();
        let actors = self.actors();
        let base = am.get_heads();
        if let Some(w) = whole.filter(|w| base.is_empty() && all_of(w, &ordered))
            && let Some(mut out) = self.admit_whole(&w, &ordered, &vouched, &actors)
        {
            let actor = am.get_actor().clone();
            let author = am.get_author().cloned();
            *am = w;
            // The author first: setting it draws a new actor.
            am.set_author(author);
            am.set_actor(actor);
            out.adopted = Some(ordered);
            return Ok(out);
        }
        let mut refused: BTreeSet<ChangeHash> = BTreeSet::new();
        let mut applied: Vec<&Change> = Vec::new();
        // A refusal found after a change was applied: the document must be
        // rebuilt without it.
        let mut rebuild = false;
        let mut batch = Batch::default();
        for c in &ordered {
            let hash = c.hash();
            if self.takes_vouched(am, c, &vouched, &actors, &refused, &batch) {
                batch.add(c);
                applied.push(c);
                out.accepted
                    .push((hash, (self.sigs)(&hash), "checkpoint".into()));
                continue;
            }
            batch.merge(am)?;
            let (author, record, reason) = match self.step(am, c, &refused, &actors) {
                Step::Wait => {
                    out.waiting.push(c.clone());
                    continue;
                }
                Step::Accept(device) => {
                    applied.push(c);
                    out.accepted.push((hash, (self.sigs)(&hash), device));
                    continue;
                }
                Step::Refuse {
                    author,
                    record,
                    reason,
                    applied,
                } => {
                    rebuild |= applied;
                    (author, record, reason)
                }
            };
            refused.insert(hash);
            out.refused.push(Refused {
                doc: self.doc.to_string(),
                change: hash.to_string(),
                author,
                record,
                reason,
            });
        }
        batch.merge(am)?;
        if rebuild {
            let actor = am.get_actor().clone();
            let author = am.get_author().cloned();
            let mut clean = am.fork_at(&base)?;
            clean.apply_changes(applied.into_iter().cloned())?;
            // The author first: setting it draws a new actor.
            clean.set_author(author);
            clean.set_actor(actor);
            *am = clean;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::legacy::SortedVec;
    use automerge::transaction::Transactable;
    use automerge::{ExpandedChange, ObjId, ScalarValue};
    use std::num::NonZeroU64;

    /// A change writing into an object its parents do not hold, merged
    /// where the change that makes it is not (yet): automerge 0.12 panics
    /// on it ("Missing from Index"). Merged unread (as the root's vouched
    /// changes are), that is an error of the write, not a crash.
    #[test]
    fn a_change_automerge_stops_on_is_an_error_not_a_crash() {
        let mut base = Automerge::new().with_actor(ActorId::from(vec![1u8; 16]));
        let mut tx = base.transaction();
        tx.put(ROOT, "a", 1).expect("put");
        tx.commit();
        let mut other = base.fork().with_actor(ActorId::from(vec![2u8; 16]));
        let mut tx = other.transaction();
        let rec = tx.put_object(ROOT, "rec", ObjType::Map).expect("rec");
        tx.commit();
        let ObjId::Id(counter, actor, _) = rec else {
            panic!("an object");
        };
        let forged = Change::from(ExpandedChange {
            operations: vec![automerge::legacy::Op {
                action: OpType::Put(ScalarValue::Int(999)),
                obj: ObjectId::Id(OpId(counter, actor)),
                key: Key::Map("teachers".into()),
                pred: SortedVec::new(),
                insert: false,
            }],
            actor_id: ActorId::from(vec![3u8; 16]),
            hash: None,
            seq: 1,
            start_op: NonZeroU64::new(counter).expect("counter"),
            time: 0,
            message: None,
            deps: base.get_heads(),
            extra_bytes: Vec::new(),
            author: None,
        });
        let mut am = base.clone();
        let mut batch = Batch::default();
        batch.add(&forged);
        let merged = batch.merge(&mut am);
        assert!(!panic_is_contained(), "the flag is down again");
        let Err(e) = merged else {
            panic!("merged: {:?}", am.hydrate(None));
        };
        assert!(e.to_string().contains("automerge stopped"), "{e}");
    }
}

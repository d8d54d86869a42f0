//! A new record written without loading its document.
//!
//! Loading a district document is most of a command's time at city scale
//! (a 522 KB document of 3,775 changes takes 150–180 ms: automerge rebuilds
//! every change to check its hash). A new record under one of the
//! document's collections needs little of it: the document's heads (the
//! change's dependencies), its largest operation counter (the change's
//! operations are numbered after it), this device's last sequence number
//! in it, and the object id of the collection's map. Those are the
//! document's *tips*, kept beside its heads with every local write (and
//! valid only for the heads they were taken at: a write that does not
//! know them, a sync for one, leaves none). With them, the change is built
//! here, operation by operation as automerge's own transaction builds it
//! (`batch_create_object`: the record's map, then breadth first, each
//! map's keys in order, each list's items and each text's characters in
//! turn), and stored like any other. The tests check both make the same
//! change, hash for hash.

use super::layout::DISTRICT_COLLECTIONS;
use automerge::hydrate::{Map, Value};
use automerge::legacy::{ElementId, Key, ObjectId, Op, OpId, OpType, SortedVec};
use automerge::{ActorId, Automerge, Change, ChangeHash, ExpandedChange, ObjId, ObjType};
use automerge::{ROOT, ReadDoc};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::num::NonZeroU64;

/// What a change on top of a document's heads needs to know of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tips {
    /// The heads these tips were taken at, sorted.
    pub heads: Vec<ChangeHash>,
    /// The largest operation counter in the document.
    pub max_op: u64,
    /// The actor whose last sequence number `seq` is (this device's for
    /// the document).
    pub actor: ActorId,
    pub seq: u64,
    /// The author automerge assigns to `actor` (its first change's): what
    /// the history index records for each of its changes.
    pub author: Option<Vec<u8>>,
    /// The object id of each collection's map.
    pub collections: Vec<(String, OpId)>,
}

/// How tips are kept on disk (postcard).
#[derive(Serialize, Deserialize)]
struct Stored {
    heads: Vec<[u8; 32]>,
    max_op: u64,
    actor: Vec<u8>,
    seq: u64,
    author: Option<Vec<u8>>,
    collections: Vec<(String, u64, Vec<u8>)>,
}

impl Tips {
    /// The tips of `am` after this device (`me`) wrote `changes` to it:
    /// its last one is the document's only head, so its last operation is
    /// the document's largest (a local change numbers its operations after
    /// every operation the document holds). `None` when it is not the
    /// only head, or a collection map is missing.
    pub(crate) fn after_local_write(
        am: &Automerge,
        changes: &[Change],
        me: &ActorId,
    ) -> Option<Tips> {
        let last = changes
            .iter()
            .filter(|c| c.actor_id() == me)
            .max_by_key(|c| c.seq())?;
        let heads = am.get_heads();
        if heads != [last.hash()] || last.is_empty() {
            return None;
        }
        Some(Tips {
            heads,
            max_op: last.max_op(),
            actor: me.clone(),
            seq: last.seq(),
            author: am.get_author_for_actor(me).map(|a| a.as_bytes().to_vec()),
            collections: collections_of(am)?,
        })
    }

    /// The tips of `am` after a write added `changes` to the document
    /// these tips were taken at (`before`): every change after `before`,
    /// whoever made them (a sync's, a bundle's, this device's). The
    /// largest operation counter of a document is the largest of its
    /// changes', so it is these tips' or one of `changes`'; this device's
    /// sequence number likewise. `None` when the tips were not taken at
    /// `before`, or a collection map is missing.
    pub(crate) fn after_changes(
        &self,
        am: &Automerge,
        before: &[ChangeHash],
        changes: &[Change],
    ) -> Option<Tips> {
        let mut before = before.to_vec();
        before.sort();
        if self.heads != before {
            return None;
        }
        let mut heads = am.get_heads();
        heads.sort();
        let max_op = changes
            .iter()
            .map(Change::max_op)
            .fold(self.max_op, u64::max);
        let seq = changes
            .iter()
            .filter(|c| c.actor_id() == &self.actor)
            .map(Change::seq)
            .fold(self.seq, u64::max);
        Some(Tips {
            heads,
            max_op,
            actor: self.actor.clone(),
            seq,
            author: self.author.clone(),
            collections: collections_of(am)?,
        })
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let stored = Stored {
            heads: self.heads.iter().map(|h| h.0).collect(),
            max_op: self.max_op,
            actor: self.actor.to_bytes().to_vec(),
            seq: self.seq,
            author: self.author.clone(),
            collections: self
                .collections
                .iter()
                .map(|(name, id)| (name.clone(), id.0, id.1.to_bytes().to_vec()))
                .collect(),
        };
        postcard::to_allocvec(&stored).unwrap_or_default()
    }

    /// Tips read back; `None` for bytes that are not tips.
    pub(crate) fn decode(bytes: &[u8]) -> Option<Tips> {
        let s: Stored = postcard::from_bytes(bytes).ok()?;
        Some(Tips {
            heads: s.heads.into_iter().map(ChangeHash).collect(),
            max_op: s.max_op,
            actor: ActorId::from(s.actor),
            seq: s.seq,
            author: s.author,
            collections: s
                .collections
                .into_iter()
                .map(|(name, counter, actor)| (name, OpId(counter, ActorId::from(actor))))
                .collect(),
        })
    }
}

/// The object id of each collection's map in `am`; `None` when one is
/// missing or not a map.
fn collections_of(am: &Automerge) -> Option<Vec<(String, OpId)>> {
    let mut collections = Vec::new();
    for name in DISTRICT_COLLECTIONS {
        match am.get(ROOT, name) {
            Ok(Some((automerge::Value::Object(ObjType::Map), ObjId::Id(counter, actor, _)))) => {
                collections.push((name.to_string(), OpId(counter, actor)));
            }
            _ => return None,
        }
    }
    Some(collections)
}

/// A change's description: when and why.
pub(crate) struct Stamp {
    pub time: i64,
    pub message: String,
}

/// The change that puts `value`, a new record, under `key` of
/// `collection`, on top of the document `tips` describes, and the tips
/// after it. `None` when the tips name no such collection, this device
/// never wrote the document, or a counter would overflow.
pub(crate) fn new_record(
    tips: &Tips,
    collection: &str,
    key: &str,
    value: &Map,
    stamp: Stamp,
) -> Option<(Change, Tips)> {
    let parent = tips
        .collections
        .iter()
        .find(|(name, _)| name == collection)
        .map(|(_, id)| id.clone())?;
    let start = tips.max_op.checked_add(1)?;
    let ops = making(parent, key, value, start, &tips.actor)?;
    change_of(tips, ops, start, stamp)
}

/// The operations that make `value`, a record, under `key` of the
/// collection map `parent`, numbered from `start` by `actor`: as
/// automerge's `batch_create_object` lays them (the record's map, then
/// breadth first, each map's keys sorted, each list's items and each
/// text's characters in turn).
pub(crate) fn making(
    parent: OpId,
    key: &str,
    value: &Map,
    start: u64,
    actor: &ActorId,
) -> Option<Vec<Op>> {
    let mut ops = Ops::new(start, actor);
    let root = ops.push(
        ObjectId::Id(parent),
        Key::Map(key.into()),
        OpType::Make(ObjType::Map),
        false,
        Vec::new(),
    )?;
    ops.fill(root, &Value::Map(value.clone()))?;
    Some(ops.ops)
}

/// The change of `ops` (numbered from `start`) on top of the document
/// `tips` describes, and the tips after it.
pub(crate) fn change_of(
    tips: &Tips,
    ops: Vec<Op>,
    start: u64,
    stamp: Stamp,
) -> Option<(Change, Tips)> {
    // An actor's first change carries its author (automerge's footer in
    // the extra bytes); tips are only taken after this device's own
    // change, so the change made here is never the first.
    if tips.seq == 0 {
        return None;
    }
    let change = Change::from(ExpandedChange {
        operations: ops,
        actor_id: tips.actor.clone(),
        hash: None,
        seq: tips.seq.checked_add(1)?,
        start_op: NonZeroU64::new(start)?,
        time: stamp.time,
        message: Some(stamp.message),
        deps: tips.heads.clone(),
        extra_bytes: Vec::new(),
        author: None,
    });
    let next = Tips {
        heads: vec![change.hash()],
        max_op: change.max_op(),
        seq: change.seq(),
        ..tips.clone()
    };
    Some((change, next))
}

/// Operations being numbered from `start`, by `actor`.
pub(crate) struct Ops<'a> {
    ops: Vec<Op>,
    start: u64,
    actor: &'a ActorId,
}

impl<'a> Ops<'a> {
    pub(crate) fn new(start: u64, actor: &'a ActorId) -> Ops<'a> {
        Ops {
            ops: Vec::new(),
            start,
            actor,
        }
    }

    pub(crate) fn into_ops(self) -> Vec<Op> {
        self.ops
    }

    /// Adds an operation over the operations `pred`; its id.
    pub(crate) fn push(
        &mut self,
        obj: ObjectId,
        key: Key,
        action: OpType,
        insert: bool,
        pred: Vec<OpId>,
    ) -> Option<OpId> {
        let n = u64::try_from(self.ops.len()).ok()?;
        let id = OpId(self.start.checked_add(n)?, self.actor.clone());
        self.ops.push(Op {
            action,
            obj,
            key,
            pred: SortedVec::from(pred),
            insert,
        });
        Some(id)
    }

    /// The operations that fill `obj`, just made for `value`, and the
    /// objects within it, breadth first.
    pub(crate) fn fill(&mut self, obj: OpId, value: &Value) -> Option<()> {
        let mut queue = VecDeque::from([(obj, value)]);
        while let Some((obj, v)) = queue.pop_front() {
            self.children(obj, v, &mut queue)?;
        }
        Some(())
    }

    /// The operations that fill the object `obj` made for `value`; the
    /// objects they make join `queue`.
    fn children<'v>(
        &mut self,
        obj: OpId,
        value: &'v Value,
        queue: &mut VecDeque<(OpId, &'v Value)>,
    ) -> Option<()> {
        match value {
            Value::Map(m) => {
                let mut keys: Vec<_> = m.iter().collect();
                keys.sort_by_key(|(k, _)| *k);
                for (k, v) in keys {
                    let key = Key::Map(k.as_str().into());
                    let id = self.push(
                        ObjectId::Id(obj.clone()),
                        key,
                        action(&v.value),
                        false,
                        Vec::new(),
                    )?;
                    if !matches!(v.value, Value::Scalar(_)) {
                        queue.push_back((id, &v.value));
                    }
                }
            }
            Value::List(l) => {
                let mut after = ElementId::Head;
                for item in l.iter() {
                    let key = Key::Seq(after);
                    let id = self.push(
                        ObjectId::Id(obj.clone()),
                        key,
                        action(&item.value),
                        true,
                        Vec::new(),
                    )?;
                    if !matches!(item.value, Value::Scalar(_)) {
                        queue.push_back((id.clone(), &item.value));
                    }
                    after = ElementId::Id(id);
                }
            }
            Value::Text(t) => {
                let mut after = ElementId::Head;
                for c in t.to_string().chars() {
                    let key = Key::Seq(after);
                    let put = OpType::Put(automerge::ScalarValue::from(c));
                    let id = self.push(ObjectId::Id(obj.clone()), key, put, true, Vec::new())?;
                    after = ElementId::Id(id);
                }
            }
            Value::Scalar(_) => {}
        }
        Some(())
    }
}

/// The operation that puts `v`: an object made, or a scalar.
pub(crate) fn action(v: &Value) -> OpType {
    match v {
        Value::Map(_) => OpType::Make(ObjType::Map),
        Value::List(_) => OpType::Make(ObjType::List),
        Value::Text(_) => OpType::Make(ObjType::Text),
        Value::Scalar(s) => OpType::Put(s.clone()),
    }
}

//! An edit of a record written without loading its document.
//!
//! Loading a district document is most of an edit's time at city scale
//! (the bench's largest district: about 180 ms of a 220 ms `visit edit`,
//! automerge rebuilding every change to check its hash). An edit of a
//! record nobody has touched since it was made needs little of the
//! document: its tips (as a new record does, `append.rs`) and the id of
//! each operation that made the record, which the edit's operations name
//! as what they replace (their `pred`) or follow (a list's items, a text's
//! characters). A record is made in one run of operations laid out as
//! automerge's `batch_create_object` lays them (`append::making`), so they
//! follow from where the run starts and the value it made. The history
//! index keeps, for each record a change made, the counter of the run's
//! first operation and a digest of the run ([`Shape`]); when the record has
//! no other touch, the record as the model holds it is laid out again from
//! that counter, and if the digest is the same, the operations are known:
//! the edit is built on them and the document stays unloaded. A record
//! edited before, a conflict, an index that is behind, a record another
//! version made with other fields: through automerge as before.
//!
//! What the edit does is what `writer::update_map` does through automerge:
//! a put for each changed value (none for an equal one), a deletion for
//! each key the new value lacks, a list item by item (items added after
//! the last, the surplus deleted from the end), a text by the characters
//! between its common beginning and end.

use super::append::{self, Ops, Stamp, Tips};
use automerge::hydrate::{List, Map, Value};
use automerge::legacy::{ElementId, Key, ObjectId, Op, OpId, OpType};
use automerge::{ActorId, Change, ObjType, ScalarValue};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// Where the history index says a record was made: by `actor`, from the
/// operation `counter` on, in a run whose digest is `shape`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Making {
    pub actor: ActorId,
    pub counter: u64,
    pub shape: Vec<u8>,
}

/// A digest of a run of operations, their ids included: the same run, and
/// only it, gives the same bytes.
pub(crate) struct Shape(Sha256);

impl Shape {
    pub(crate) fn new() -> Shape {
        Shape(Sha256::new())
    }

    /// Adds the operation `counter`@`actor`.
    pub(crate) fn add(&mut self, counter: u64, actor: &ActorId, op: &Op) {
        let h = &mut self.0;
        let id = |h: &mut Sha256, id: &OpId| {
            h.update(id.0.to_le_bytes());
            h.update(id.1.to_bytes());
        };
        let bytes = |h: &mut Sha256, b: &[u8]| {
            h.update((b.len() as u64).to_le_bytes());
            h.update(b);
        };
        h.update(counter.to_le_bytes());
        h.update(actor.to_bytes());
        match &op.obj {
            ObjectId::Root => h.update([0]),
            ObjectId::Id(o) => {
                h.update([1]);
                id(h, o);
            }
        }
        match &op.key {
            Key::Map(k) => {
                h.update([2]);
                bytes(h, k.as_bytes());
            }
            Key::Seq(ElementId::Head) => h.update([3]),
            Key::Seq(ElementId::Id(e)) => {
                h.update([4]);
                id(h, e);
            }
        }
        h.update([u8::from(op.insert)]);
        match &op.action {
            OpType::Make(t) => h.update([5, obj_type_code(*t)]),
            OpType::Put(v) => {
                h.update([6]);
                match v {
                    ScalarValue::Str(s) => {
                        h.update([0]);
                        bytes(h, s.as_bytes());
                    }
                    ScalarValue::Int(n) | ScalarValue::Timestamp(n) => {
                        h.update([1, u8::from(matches!(v, ScalarValue::Int(_)))]);
                        h.update(n.to_le_bytes());
                    }
                    ScalarValue::Uint(n) => {
                        h.update([2]);
                        h.update(n.to_le_bytes());
                    }
                    ScalarValue::Boolean(b) => h.update([3, u8::from(*b)]),
                    ScalarValue::Null => h.update([4]),
                    other => {
                        h.update([5]);
                        bytes(h, format!("{other:?}").as_bytes());
                    }
                }
            }
            OpType::Delete => h.update([7]),
            other => {
                h.update([8]);
                bytes(h, format!("{other:?}").as_bytes());
            }
        }
        h.update((op.pred.len() as u64).to_le_bytes());
        for p in op.pred.iter() {
            id(h, p);
        }
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.0.finalize().iter().take(8).copied().collect()
    }
}

fn obj_type_code(t: ObjType) -> u8 {
    match t {
        ObjType::Map => 0,
        ObjType::Table => 1,
        ObjType::List => 2,
        ObjType::Text => 3,
    }
}

/// What an edit made: nothing (the record already holds the value), or a
/// change, the tips after it, and where the record's objects are (each
/// object's id and its path of keys from the root), for the history index.
pub(crate) enum Edited {
    Unchanged,
    Change {
        change: Box<Change>,
        tips: Tips,
        places: Vec<(OpId, Vec<String>)>,
    },
}

/// The change that lays `new` over the record `key` of `collection`, which
/// holds `old` and was made as `making` says, on top of the document
/// `tips` describe. `None` when that cannot be known without the
/// document: `old` laid out from the making's counter is not the run the
/// index saw, the tips name no such collection, a counter would overflow.
pub(crate) fn edit_record(
    tips: &Tips,
    collection: &str,
    key: &str,
    old: &Map,
    new: &Map,
    making: &Making,
    stamp: Stamp,
) -> Option<Edited> {
    let parent = tips
        .collections
        .iter()
        .find(|(name, _)| name == collection)
        .map(|(_, id)| id.clone())?;
    let ops = append::making(parent, key, old, making.counter, &making.actor)?;
    let mut shape = Shape::new();
    for (i, op) in ops.iter().enumerate() {
        shape.add(making.counter.checked_add(i as u64)?, &making.actor, op);
    }
    if shape.finish() != making.shape {
        return None;
    }
    let record = Record::from_making(&ops, making.counter, &making.actor)?;
    let start = tips.max_op.checked_add(1)?;
    let mut edit = Edit {
        record: &record,
        ops: Ops::new(start, &tips.actor),
    };
    edit.map(0, new)?;
    let ops = edit.ops.into_ops();
    if ops.is_empty() {
        return Some(Edited::Unchanged);
    }
    let (change, tips) = append::change_of(tips, ops, start, stamp)?;
    let places = record.places(&[collection.to_string(), key.to_string()]);
    Some(Edited::Change {
        change: Box::new(change),
        tips,
        places,
    })
}

/// A value in a record's object: a scalar, or another of its objects.
enum Slot {
    Scalar(ScalarValue),
    Object(usize),
}

/// One of a record's objects as its making left it: a map's keys, or a
/// list's or a text's items in order, each with the operation that put it
/// (for an item, also the one that inserted it: the same, in a making).
enum Node {
    Map {
        id: OpId,
        keys: BTreeMap<String, (OpId, Slot)>,
    },
    Seq {
        id: OpId,
        text: bool,
        items: Vec<(OpId, Slot)>,
    },
}

impl Node {
    fn id(&self) -> &OpId {
        match self {
            Node::Map { id, .. } | Node::Seq { id, .. } => id,
        }
    }
}

/// A record's objects, its own map first.
struct Record {
    nodes: Vec<Node>,
}

impl Record {
    /// The objects the run `ops` (numbered from `start` by `actor`) made;
    /// `None` when it is not one making (an operation on an object it did
    /// not make, an item out of order, anything but a put or a make).
    fn from_making(ops: &[Op], start: u64, actor: &ActorId) -> Option<Record> {
        let mut nodes: Vec<Node> = Vec::new();
        let mut at: HashMap<OpId, usize> = HashMap::new();
        for (i, op) in ops.iter().enumerate() {
            let id = OpId(start.checked_add(u64::try_from(i).ok()?)?, actor.clone());
            let slot = match &op.action {
                OpType::Make(t) => {
                    let node = match t {
                        ObjType::Map => Node::Map {
                            id: id.clone(),
                            keys: BTreeMap::new(),
                        },
                        ObjType::List | ObjType::Text => Node::Seq {
                            id: id.clone(),
                            text: *t == ObjType::Text,
                            items: Vec::new(),
                        },
                        ObjType::Table => return None,
                    };
                    at.insert(id.clone(), nodes.len());
                    nodes.push(node);
                    Slot::Object(nodes.len().checked_sub(1)?)
                }
                OpType::Put(v) => Slot::Scalar(v.clone()),
                _ => return None,
            };
            if i == 0 {
                // The record's map, made under its collection.
                if !matches!(op.action, OpType::Make(ObjType::Map)) {
                    return None;
                }
                continue;
            }
            let ObjectId::Id(parent) = &op.obj else {
                return None;
            };
            match (nodes.get_mut(*at.get(parent)?)?, &op.key) {
                (Node::Map { keys, .. }, Key::Map(k)) if !op.insert => {
                    keys.insert(k.to_string(), (id, slot));
                }
                (Node::Seq { items, .. }, Key::Seq(after)) if op.insert => {
                    let last = items.last().map(|(e, _)| ElementId::Id(e.clone()));
                    if *after != last.unwrap_or(ElementId::Head) {
                        return None;
                    }
                    items.push((id, slot));
                }
                _ => return None,
            }
        }
        Some(Record { nodes })
    }

    /// Each object's id and its path of keys from the root (`path` is the
    /// record's); a list's item counts as its list.
    fn places(&self, path: &[String]) -> Vec<(OpId, Vec<String>)> {
        let mut out = Vec::new();
        let mut todo = vec![(0usize, path.to_vec())];
        while let Some((n, path)) = todo.pop() {
            let Some(node) = self.nodes.get(n) else {
                continue;
            };
            out.push((node.id().clone(), path.clone()));
            let children: Vec<(Option<&String>, &Slot)> = match node {
                Node::Map { keys, .. } => keys.iter().map(|(k, (_, s))| (Some(k), s)).collect(),
                Node::Seq { items, .. } => items.iter().map(|(_, s)| (None, s)).collect(),
            };
            for (k, slot) in children {
                if let Slot::Object(c) = slot {
                    let mut p = path.clone();
                    p.extend(k.cloned());
                    todo.push((*c, p));
                }
            }
        }
        out
    }
}

/// An edit being built over a record's objects.
struct Edit<'a> {
    record: &'a Record,
    ops: Ops<'a>,
}

impl Edit<'_> {
    /// Lays `new` over the map object `n`.
    fn map(&mut self, n: usize, new: &Map) -> Option<()> {
        let Node::Map { id, keys } = self.record.nodes.get(n)? else {
            return None;
        };
        let obj = ObjectId::Id(id.clone());
        let mut sorted: Vec<_> = new.iter().collect();
        sorted.sort_by_key(|(k, _)| *k);
        for (k, v) in sorted {
            let key = Key::Map(k.as_str().into());
            match keys.get(k) {
                Some((put, slot)) => self.at(&obj, key, put, slot, &v.value)?,
                None => self
                    .put(&obj, key, &v.value, false, Vec::new())
                    .map(|_| ())?,
            }
        }
        for (k, (put, _)) in keys.iter().filter(|(k, _)| new.get(k).is_none()) {
            self.delete(&obj, Key::Map(k.as_str().into()), put)?;
        }
        Some(())
    }

    /// Lays `new` over the list object `n`, item by item.
    fn list(&mut self, n: usize, new: &List) -> Option<()> {
        let Node::Seq {
            id,
            text: false,
            items,
        } = self.record.nodes.get(n)?
        else {
            return None;
        };
        let obj = ObjectId::Id(id.clone());
        let mut after = ElementId::Head;
        let mut count = 0usize;
        for (i, item) in new.iter().enumerate() {
            count = i.checked_add(1)?;
            match items.get(i) {
                Some((elem, slot)) => {
                    let key = Key::Seq(ElementId::Id(elem.clone()));
                    self.at(&obj, key, elem, slot, &item.value)?;
                    after = ElementId::Id(elem.clone());
                }
                None => {
                    let key = Key::Seq(after.clone());
                    let made = self.put(&obj, key, &item.value, true, Vec::new())?;
                    after = ElementId::Id(made);
                }
            }
        }
        for (elem, _) in items.iter().skip(count).rev() {
            self.delete(&obj, Key::Seq(ElementId::Id(elem.clone())), elem)?;
        }
        Some(())
    }

    /// Lays `new` over the text object `n`: the characters between the
    /// common beginning and the common end are deleted and the new ones
    /// inserted in their place.
    fn text(&mut self, n: usize, new: &str) -> Option<()> {
        let Node::Seq {
            id,
            text: true,
            items,
        } = self.record.nodes.get(n)?
        else {
            return None;
        };
        let old: Vec<char> = items
            .iter()
            .map(|(_, slot)| match slot {
                Slot::Scalar(ScalarValue::Str(s)) => {
                    let mut chars = s.chars();
                    let c = chars.next()?;
                    chars.next().is_none().then_some(c)
                }
                _ => None,
            })
            .collect::<Option<_>>()?;
        let new: Vec<char> = new.chars().collect();
        let head = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
        let room = old.len().min(new.len()).checked_sub(head)?;
        let tail = old
            .iter()
            .rev()
            .zip(new.iter().rev())
            .take(room)
            .take_while(|(a, b)| a == b)
            .count();
        let gone = items.get(head..old.len().checked_sub(tail)?)?;
        let added = new.get(head..new.len().checked_sub(tail)?)?;
        let obj = ObjectId::Id(id.clone());
        for (elem, _) in gone {
            self.delete(&obj, Key::Seq(ElementId::Id(elem.clone())), elem)?;
        }
        let mut after = match head.checked_sub(1) {
            Some(i) => ElementId::Id(items.get(i)?.0.clone()),
            None => ElementId::Head,
        };
        for c in added {
            let put = OpType::Put(ScalarValue::from(*c));
            let made = self
                .ops
                .push(obj.clone(), Key::Seq(after), put, true, Vec::new())?;
            after = ElementId::Id(made);
        }
        Some(())
    }

    /// Lays `new` over the value `slot` that the operation `put` holds at
    /// `key` of `obj`: in place for an object of the same kind, nothing
    /// for an equal scalar, else put anew.
    fn at(&mut self, obj: &ObjectId, key: Key, put: &OpId, slot: &Slot, new: &Value) -> Option<()> {
        let kind = |n: usize| match self.record.nodes.get(n) {
            Some(Node::Map { .. }) => Some(ObjType::Map),
            Some(Node::Seq { text: false, .. }) => Some(ObjType::List),
            Some(Node::Seq { text: true, .. }) => Some(ObjType::Text),
            None => None,
        };
        match (slot, new) {
            (Slot::Object(n), Value::Map(m)) if kind(*n) == Some(ObjType::Map) => self.map(*n, m),
            (Slot::Object(n), Value::List(l)) if kind(*n) == Some(ObjType::List) => {
                self.list(*n, l)
            }
            (Slot::Object(n), Value::Text(t)) if kind(*n) == Some(ObjType::Text) => {
                self.text(*n, &t.to_string())
            }
            (Slot::Scalar(old), Value::Scalar(s)) if old == s => Some(()),
            _ => self
                .put(obj, key, new, false, vec![put.clone()])
                .map(|_| ()),
        }
    }

    /// Deletes what the operation `put` holds at `key` of `obj` (a list's
    /// or a text's item: `key` names it, and `put` is the one inserting it).
    fn delete(&mut self, obj: &ObjectId, key: Key, put: &OpId) -> Option<OpId> {
        self.ops
            .push(obj.clone(), key, OpType::Delete, false, vec![put.clone()])
    }

    /// Puts `value` at `key` of `obj` (inserted there when `insert`) over
    /// the operations `pred`: a scalar, or an object made and filled.
    fn put(
        &mut self,
        obj: &ObjectId,
        key: Key,
        value: &Value,
        insert: bool,
        pred: Vec<OpId>,
    ) -> Option<OpId> {
        let id = self
            .ops
            .push(obj.clone(), key, append::action(value), insert, pred)?;
        if !matches!(value, Value::Scalar(_)) {
            self.ops.fill(id.clone(), value)?;
        }
        Some(id)
    }
}

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
//! the edit is built on them and the document stays unloaded.
//!
//! Such an edit also keeps the record's layout after it (`laid_records`:
//! each object with the ids of the operations holding its values), with
//! the change it made and how many changes of the record the index then
//! holds. The next edit of the record builds on that layout when the index
//! still shows exactly those (no change of it since, from here or from
//! elsewhere) and the layout holds the record as the model has it. A
//! record another device edited since, a conflict, an index that is
//! behind, a record another version made with other fields, a record last
//! edited through automerge: through automerge as before.
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
use serde::{Deserialize, Serialize};
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
/// change, the tips after it, where the record's objects are (each
/// object's id and its path of keys from the root), for the history
/// index, and the record's layout after it ([`Base::Laid`]) when it can be
/// kept.
pub(crate) enum Edited {
    Unchanged,
    Change {
        change: Box<Change>,
        tips: Tips,
        places: Vec<(OpId, Vec<String>)>,
        laid: Option<Vec<u8>>,
    },
}

/// What an edit without the document builds on: the record's making (its
/// first edit), or the layout the edit before it left (`laid_records`:
/// the record's objects with the ids of the operations holding each value,
/// kept by this device's last edit of the record, and valid while the
/// index shows no other change of it since).
pub(crate) enum Base {
    Making(Making),
    Laid(Vec<u8>),
}

/// The change that lays `new` over the record `key` of `collection`, which
/// holds `old` and is as `base` says, on top of the document `tips`
/// describe. `None` when that cannot be known without the document: `old`
/// laid out from the making's counter is not the run the index saw, the
/// layout kept does not hold `old`, the tips name no such collection, a
/// counter would overflow.
pub(crate) fn edit_record(
    tips: &Tips,
    collection: &str,
    key: &str,
    old: &Map,
    new: &Map,
    base: &Base,
    stamp: Stamp,
) -> Option<Edited> {
    let record = match base {
        Base::Making(making) => {
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
            Record::from_making(&ops, making.counter, &making.actor)?
        }
        Base::Laid(bytes) => {
            let record = Record::decode(bytes)?;
            if !record.holds_map(0, old) {
                return None;
            }
            record
        }
    };
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
    let places = record.places(&[collection.to_string(), key.to_string()]);
    let mut after = record;
    let laid = after
        .apply(&ops, start, &tips.actor)
        .and_then(|()| after.encode());
    let (change, tips) = append::change_of(tips, ops, start, stamp)?;
    Some(Edited::Change {
        change: Box::new(change),
        tips,
        places,
        laid,
    })
}

/// A value in a record's object: a scalar, or another of its objects.
enum Slot {
    Scalar(ScalarValue),
    Object(usize),
}

/// One of a record's objects as the operations so far left it: a map's
/// keys, each with the operation that put its value, or a list's or a
/// text's items in order.
enum Node {
    Map {
        id: OpId,
        keys: BTreeMap<String, (OpId, Slot)>,
    },
    Seq {
        id: OpId,
        text: bool,
        items: Vec<Item>,
    },
}

/// A list's or a text's item: the operation that inserted it (its element
/// id), the one that put its value (the same, until it is put over) and
/// the value.
struct Item {
    elem: OpId,
    put: OpId,
    slot: Slot,
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
    /// The objects the run `ops` (numbered from `start` by `actor`) made:
    /// a map under its collection, then what it holds. `None` when it is
    /// not one making.
    fn from_making(ops: &[Op], start: u64, actor: &ActorId) -> Option<Record> {
        let (first, rest) = ops.split_first()?;
        if !matches!(first.action, OpType::Make(ObjType::Map)) || first.insert {
            return None;
        }
        let mut record = Record {
            nodes: vec![Node::Map {
                id: OpId(start, actor.clone()),
                keys: BTreeMap::new(),
            }],
        };
        record.apply(rest, start.checked_add(1)?, actor)?;
        Some(record)
    }

    /// Lays the operations `ops` (numbered from `start` by `actor`, each on
    /// one of the record's objects) over it as automerge would: a put over
    /// a map's key or a list's item, an item inserted after another, a
    /// deletion, an object made. Each names as its `pred` exactly what the
    /// record holds there (nothing, for an insertion or a new key): `None`
    /// for anything else, which this record cannot follow.
    fn apply(&mut self, ops: &[Op], start: u64, actor: &ActorId) -> Option<()> {
        let mut at: HashMap<OpId, usize> = (self.nodes.iter().enumerate())
            .map(|(i, n)| (n.id().clone(), i))
            .collect();
        for (i, op) in ops.iter().enumerate() {
            let id = OpId(start.checked_add(u64::try_from(i).ok()?)?, actor.clone());
            let ObjectId::Id(parent) = &op.obj else {
                return None;
            };
            let parent = *at.get(parent)?;
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
                    at.insert(id.clone(), self.nodes.len());
                    self.nodes.push(node);
                    Some(Slot::Object(self.nodes.len().checked_sub(1)?))
                }
                OpType::Put(v) => Some(Slot::Scalar(v.clone())),
                OpType::Delete => None,
                _ => return None,
            };
            let pred: Vec<&OpId> = op.pred.iter().collect();
            match (self.nodes.get_mut(parent)?, &op.key, slot) {
                (Node::Map { keys, .. }, Key::Map(k), slot) if !op.insert => {
                    let held: Vec<&OpId> =
                        keys.get(k.as_str()).map(|(p, _)| p).into_iter().collect();
                    if pred != held || (slot.is_none() && held.is_empty()) {
                        return None;
                    }
                    match slot {
                        Some(slot) => {
                            keys.insert(k.to_string(), (id, slot));
                        }
                        None => {
                            keys.remove(k.as_str());
                        }
                    }
                }
                (Node::Seq { items, .. }, Key::Seq(after), Some(slot)) if op.insert => {
                    if !pred.is_empty() {
                        return None;
                    }
                    let pos = match after {
                        ElementId::Head => 0,
                        ElementId::Id(e) => {
                            items.iter().position(|x| &x.elem == e)?.checked_add(1)?
                        }
                    };
                    items.insert(
                        pos,
                        Item {
                            elem: id.clone(),
                            put: id,
                            slot,
                        },
                    );
                }
                (Node::Seq { items, .. }, Key::Seq(ElementId::Id(e)), slot) if !op.insert => {
                    let pos = items.iter().position(|x| &x.elem == e)?;
                    let item = items.get_mut(pos)?;
                    if pred != [&item.put] {
                        return None;
                    }
                    match slot {
                        Some(slot) => {
                            item.put = id;
                            item.slot = slot;
                        }
                        None => {
                            items.remove(pos);
                        }
                    }
                }
                _ => return None,
            }
        }
        Some(())
    }

    /// Whether the map object `n` holds `value`, with no conflict.
    fn holds_map(&self, n: usize, value: &Map) -> bool {
        let Some(Node::Map { keys, .. }) = self.nodes.get(n) else {
            return false;
        };
        keys.len() == value.len()
            && value.iter().all(|(k, v)| {
                !v.conflict
                    && keys
                        .get(k)
                        .is_some_and(|(_, slot)| self.holds(slot, &v.value))
            })
    }

    /// Whether `slot` holds `value`, with no conflict anywhere in it.
    fn holds(&self, slot: &Slot, value: &Value) -> bool {
        let n = match slot {
            Slot::Scalar(s) => return matches!(value, Value::Scalar(v) if v == s),
            Slot::Object(n) => *n,
        };
        match (self.nodes.get(n), value) {
            (Some(Node::Map { .. }), Value::Map(m)) => self.holds_map(n, m),
            (
                Some(Node::Seq {
                    text: false, items, ..
                }),
                Value::List(l),
            ) => {
                items.len() == l.len()
                    && items
                        .iter()
                        .zip(l.iter())
                        .all(|(x, v)| !v.conflict && self.holds(&x.slot, &v.value))
            }
            (
                Some(Node::Seq {
                    text: true, items, ..
                }),
                Value::Text(t),
            ) => {
                let mut held = String::new();
                for x in items {
                    match &x.slot {
                        Slot::Scalar(ScalarValue::Str(c)) => held.push_str(c),
                        _ => return false,
                    }
                }
                held == t.to_string()
            }
            _ => false,
        }
    }

    /// The record's layout as bytes (`laid_records`); `None` for a value
    /// it does not keep (a float that is not a number, a kind of scalar
    /// records do not hold). A text's items are kept as runs of
    /// characters inserted one after the other by one actor.
    fn encode(&self) -> Option<Vec<u8>> {
        let mut actors: Vec<ActorId> = Vec::new();
        let mut id = |o: &OpId| -> LaidId {
            let a = match actors.iter().position(|a| *a == o.1) {
                Some(a) => a,
                None => {
                    actors.push(o.1.clone());
                    actors.len().saturating_sub(1)
                }
            };
            (o.0, a)
        };
        let mut nodes = Vec::new();
        for node in &self.nodes {
            nodes.push(match node {
                Node::Map { id: o, keys } => LaidNode::M {
                    id: id(o),
                    keys: keys
                        .iter()
                        .map(|(k, (put, slot))| Some((k.clone(), id(put), LaidSlot::of(slot)?)))
                        .collect::<Option<_>>()?,
                },
                Node::Seq {
                    id: o,
                    text: false,
                    items,
                } => LaidNode::L {
                    id: id(o),
                    items: items
                        .iter()
                        .map(|x| Some((id(&x.elem), id(&x.put), LaidSlot::of(&x.slot)?)))
                        .collect::<Option<_>>()?,
                },
                Node::Seq {
                    id: o,
                    text: true,
                    items,
                } => {
                    let mut runs: Vec<(LaidId, String)> = Vec::new();
                    // The id the next character must have to go on the run.
                    let mut next: Option<LaidId> = None;
                    for x in items {
                        let Slot::Scalar(ScalarValue::Str(c)) = &x.slot else {
                            return None;
                        };
                        if x.elem != x.put || c.chars().count() != 1 {
                            return None;
                        }
                        let here = id(&x.elem);
                        match runs.last_mut() {
                            Some((_, chars)) if next == Some(here) => chars.push_str(c),
                            _ => runs.push((here, c.to_string())),
                        }
                        next = here.0.checked_add(1).map(|n| (n, here.1));
                    }
                    LaidNode::T { id: id(o), runs }
                }
            });
        }
        let laid = Laid {
            actors: actors.iter().map(|a| a.to_hex_string()).collect(),
            nodes,
        };
        serde_json::to_vec(&laid).ok()
    }

    /// A layout [`Record::encode`] made; `None` for anything else.
    fn decode(bytes: &[u8]) -> Option<Record> {
        let laid: Laid = serde_json::from_slice(bytes).ok()?;
        let actors: Vec<ActorId> = laid
            .actors
            .iter()
            .map(|a| ActorId::try_from(a.as_str()).ok())
            .collect::<Option<_>>()?;
        let id = |(counter, a): LaidId| Some(OpId(counter, actors.get(a)?.clone()));
        let count = laid.nodes.len();
        // An object holds only objects made after it (as `apply` numbers
        // them): no layout read back can loop.
        let mut nodes = Vec::new();
        for (at, node) in laid.nodes.into_iter().enumerate() {
            let slot = |s: LaidSlot| match s {
                LaidSlot::O(n) if n < count && n > at => Some(Slot::Object(n)),
                LaidSlot::O(_) => None,
                other => Some(Slot::Scalar(other.scalar()?)),
            };
            nodes.push(match node {
                LaidNode::M { id: o, keys } => Node::Map {
                    id: id(o)?,
                    keys: keys
                        .into_iter()
                        .map(|(k, put, s)| Some((k, (id(put)?, slot(s)?))))
                        .collect::<Option<_>>()?,
                },
                LaidNode::L { id: o, items } => Node::Seq {
                    id: id(o)?,
                    text: false,
                    items: items
                        .into_iter()
                        .map(|(elem, put, s)| {
                            Some(Item {
                                elem: id(elem)?,
                                put: id(put)?,
                                slot: slot(s)?,
                            })
                        })
                        .collect::<Option<_>>()?,
                },
                LaidNode::T { id: o, runs } => {
                    let mut items = Vec::new();
                    for ((first, a), chars) in runs {
                        for (i, c) in chars.chars().enumerate() {
                            let elem = id((first.checked_add(i as u64)?, a))?;
                            items.push(Item {
                                elem: elem.clone(),
                                put: elem,
                                slot: Slot::Scalar(ScalarValue::Str(c.to_string().into())),
                            });
                        }
                    }
                    Node::Seq {
                        id: id(o)?,
                        text: true,
                        items,
                    }
                }
            });
        }
        if !matches!(nodes.first(), Some(Node::Map { .. })) {
            return None;
        }
        Some(Record { nodes })
    }

    /// The list (or, with `text`, the text) object `n`: its id and items.
    fn seq(&self, n: usize, text: bool) -> Option<(&OpId, &[Item])> {
        match self.nodes.get(n)? {
            Node::Seq { id, text: t, items } if *t == text => Some((id, items)),
            _ => None,
        }
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
                Node::Seq { items, .. } => items.iter().map(|x| (None, &x.slot)).collect(),
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
        let (id, items) = self.record.seq(n, false)?;
        let obj = ObjectId::Id(id.clone());
        let mut after = ElementId::Head;
        let mut count = 0usize;
        for (i, item) in new.iter().enumerate() {
            count = i.checked_add(1)?;
            match items.get(i) {
                Some(Item { elem, put, slot }) => {
                    let key = Key::Seq(ElementId::Id(elem.clone()));
                    self.at(&obj, key, put, slot, &item.value)?;
                    after = ElementId::Id(elem.clone());
                }
                None => {
                    let key = Key::Seq(after.clone());
                    let made = self.put(&obj, key, &item.value, true, Vec::new())?;
                    after = ElementId::Id(made);
                }
            }
        }
        for x in items.iter().skip(count).rev() {
            self.delete(&obj, Key::Seq(ElementId::Id(x.elem.clone())), &x.put)?;
        }
        Some(())
    }

    /// Lays `new` over the text object `n`: the characters between the
    /// common beginning and the common end are deleted and the new ones
    /// inserted in their place.
    fn text(&mut self, n: usize, new: &str) -> Option<()> {
        let (id, items) = self.record.seq(n, true)?;
        let old: Vec<char> = items
            .iter()
            .map(|x| match &x.slot {
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
        for x in gone {
            self.delete(&obj, Key::Seq(ElementId::Id(x.elem.clone())), &x.put)?;
        }
        let mut after = match head.checked_sub(1) {
            Some(i) => ElementId::Id(items.get(i)?.elem.clone()),
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
    /// or a text's item: `key` names it by the operation inserting it).
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

/// An operation id in a kept layout: its counter and its actor's place in
/// [`Laid::actors`].
type LaidId = (u64, usize);

/// A record's layout as kept (`Record::encode`).
#[derive(Serialize, Deserialize)]
struct Laid {
    actors: Vec<String>,
    nodes: Vec<LaidNode>,
}

#[derive(Serialize, Deserialize)]
enum LaidNode {
    /// A map: each key, the operation that put it and its value.
    M {
        id: LaidId,
        keys: Vec<(String, LaidId, LaidSlot)>,
    },
    /// A list: each item's element, the operation that put its value, and
    /// the value.
    L {
        id: LaidId,
        items: Vec<(LaidId, LaidId, LaidSlot)>,
    },
    /// A text: runs of characters, the first's id and those after it one
    /// counter on each.
    T {
        id: LaidId,
        runs: Vec<(LaidId, String)>,
    },
}

/// A value in a kept layout: another of the record's objects, or a scalar.
#[derive(Serialize, Deserialize)]
enum LaidSlot {
    O(usize),
    S(String),
    I(i64),
    U(u64),
    F(f64),
    B(bool),
    T(i64),
    N,
}

impl LaidSlot {
    fn of(slot: &Slot) -> Option<LaidSlot> {
        Some(match slot {
            Slot::Object(n) => LaidSlot::O(*n),
            Slot::Scalar(s) => match s {
                ScalarValue::Str(x) => LaidSlot::S(x.to_string()),
                ScalarValue::Int(x) => LaidSlot::I(*x),
                ScalarValue::Uint(x) => LaidSlot::U(*x),
                ScalarValue::F64(x) if x.is_finite() => LaidSlot::F(*x),
                ScalarValue::Boolean(x) => LaidSlot::B(*x),
                ScalarValue::Timestamp(x) => LaidSlot::T(*x),
                ScalarValue::Null => LaidSlot::N,
                _ => return None,
            },
        })
    }

    fn scalar(self) -> Option<ScalarValue> {
        Some(match self {
            LaidSlot::O(_) => return None,
            LaidSlot::S(x) => ScalarValue::Str(x.into()),
            LaidSlot::I(x) => ScalarValue::Int(x),
            LaidSlot::U(x) => ScalarValue::Uint(x),
            LaidSlot::F(x) => ScalarValue::F64(x),
            LaidSlot::B(x) => ScalarValue::Boolean(x),
            LaidSlot::T(x) => ScalarValue::Timestamp(x),
            LaidSlot::N => ScalarValue::Null,
        })
    }
}

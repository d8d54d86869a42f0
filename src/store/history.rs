//! The history of one record: every change that touched it, when, by whom,
//! and which of its fields.
//!
//! Read from the changes' operations themselves, not from their messages: an
//! operation on the record's map names a field; an operation inside an
//! object the record holds (a note's text, a list of tasks) counts for the
//! field that holds it.
//!
//! One pass over a document's changes finds the touches of every record at
//! once and keeps them as rows of an index (`db/history.rs`). Later changes
//! are indexed by themselves (an object they touch that an earlier change
//! made is placed by its path in the document): when this process writes or
//! receives a change under an index that was up to date, on compaction, and
//! on the first history asked of a document whose index is behind. A
//! record's history is then a query, not a load of its document.

use super::AuthorInfo;
use super::db::{self, ChangeRow, TouchRow};
use super::edit::Shape;
use super::layout::*;
use super::state::State;
use crate::domain::*;
use automerge::legacy::{Key, ObjectId, OpId, OpType};
use automerge::{Automerge, ChangeHash, ObjType, Prop, ReadDoc};
use rusqlite::Connection;
use std::collections::{BTreeSet, HashMap};

/// Where a record of a kind lives: its document and collection.
pub(crate) fn location(state: &State, what: Entity, id: &Id) -> Option<(String, &'static str)> {
    let m = &state.model;
    let held = |d: &DistrictData| match what {
        Entity::Kindergarten => d.kindergartens.contains_key(id),
        Entity::Pairing => d.pairings.contains_key(id),
        Entity::Visit => d.visits.contains_key(id),
        Entity::Inspection => d.inspections.contains_key(id),
        Entity::MonthlyReport => d.monthly_reports.contains_key(id),
        Entity::AnnualSummary => d.annual_summaries.contains_key(id),
        Entity::Attachment => d.attachments.contains_key(id),
        Entity::District => false,
    };
    let doc = match what {
        Entity::District => m
            .districts
            .contains_key(id)
            .then(|| PROGRAMME_DOC.to_string()),
        Entity::AnnualSummary if m.city_summaries.contains_key(id) => {
            Some(PROGRAMME_DOC.to_string())
        }
        _ => m
            .data
            .iter()
            .find(|(_, d)| held(d))
            .map(|(k, _)| district_doc_id(k)),
    };
    doc.map(|d| (d, collection_of(what)))
}

/// The collection a kind of record is kept in.
pub(crate) fn collection_of(what: Entity) -> &'static str {
    match what {
        Entity::District => "districts",
        Entity::Kindergarten => "kindergartens",
        Entity::Pairing => "pairings",
        Entity::Visit => "visits",
        Entity::Inspection => "inspections",
        Entity::MonthlyReport => "monthly_reports",
        Entity::AnnualSummary => "annual_summaries",
        Entity::Attachment => "attachments",
    }
}

/// Whether a root key holds records by id: the districts of the
/// programme document, a district document's collections, and the city's
/// summaries.
fn is_collection(key: &str) -> bool {
    key == "districts" || DISTRICT_COLLECTIONS.contains(&key)
}

/// What an object of a document is to the index: a collection of records
/// (`record` is `None`), a record's own map (`field` is `None`: an
/// operation on it names the field by its key), or an object a record's
/// field holds.
#[derive(Debug, Clone)]
struct Owner {
    collection: String,
    record: Option<String>,
    field: Option<String>,
}

impl Owner {
    /// The owner of the object at `path` (from the root down), if it is
    /// within a collection of records.
    fn at(path: &[Prop]) -> Option<Owner> {
        let key = |i: usize| match path.get(i) {
            Some(Prop::Map(k)) => Some(k.clone()),
            _ => None,
        };
        let collection = key(0).filter(|c| is_collection(c))?;
        let record = match path.len() {
            1 => None,
            _ => Some(key(1)?),
        };
        let field = match (path.len(), key(2)) {
            (0..=2, _) => None,
            // The agreement is a map within the pairing: its fields are
            // named by their own keys (status, end, …).
            (3, Some(f)) if f == "agreement" => None,
            (_, Some(f)) if f == "agreement" => Some(key(3)?),
            (_, f) => Some(f?),
        };
        Some(Owner {
            collection,
            record,
            field,
        })
    }
}

/// What a pass knows of a document's objects: those made by the changes it
/// read, and, when it continues an index, those of the document `am` that
/// earlier changes made (placed by their path, asked once each).
struct Objects<'a> {
    earlier: Option<&'a Automerge>,
    known: HashMap<OpId, Option<Owner>>,
}

impl<'a> Objects<'a> {
    fn new(earlier: Option<&'a Automerge>) -> Self {
        Objects {
            earlier,
            known: HashMap::new(),
        }
    }

    fn get(&mut self, id: &OpId) -> Option<Owner> {
        if let Some(o) = self.known.get(id) {
            return o.clone();
        }
        let found = self.earlier.and_then(|am| {
            let obj = am.import_obj(&format!("{}@{}", id.0, id.1)).ok()?;
            let path = am.parents(&obj).ok()?.path();
            Owner::at(&path.into_iter().map(|(_, p)| p).collect::<Vec<_>>())
        });
        self.known.insert(id.clone(), found.clone());
        found
    }

    fn add(&mut self, id: OpId, o: Owner) {
        self.known.insert(id, Some(o));
    }
}

/// How one change touched one record.
#[derive(Default)]
struct Touch {
    /// Fields set; `""` for the whole record (its removal).
    fields: BTreeSet<String>,
    created: bool,
    deleted: bool,
    /// For a record the change made: the counter of the operation that
    /// made its map, and the digest of that operation and every one after
    /// it on the record (`edit.rs`).
    making: Option<(u64, Shape)>,
}

/// One operation's touch of a record: its collection and id, the field
/// (`None`: the whole record), whether it made or removed the record.
struct OpTouch {
    collection: String,
    record: String,
    field: Option<String>,
    made: bool,
    removed: bool,
}

/// What operation `i` of `change` does to a record, if anything; an
/// object it makes is noted in `objects`, under what owns it.
fn op_touch(
    change: &automerge::ExpandedChange,
    i: usize,
    op: &automerge::legacy::Op,
    objects: &mut Objects<'_>,
) -> Option<OpTouch> {
    let op_id = || {
        let counter = change
            .start_op
            .get()
            .saturating_add(u64::try_from(i).unwrap_or(u64::MAX));
        OpId(counter, change.actor_id.clone())
    };
    let made = matches!(op.action, OpType::Make(_));
    let owner = match &op.obj {
        ObjectId::Root => {
            if let (Key::Map(k), OpType::Make(ObjType::Map)) = (&op.key, &op.action)
                && is_collection(k)
            {
                let o = Owner {
                    collection: k.to_string(),
                    record: None,
                    field: None,
                };
                objects.add(op_id(), o);
            }
            return None;
        }
        ObjectId::Id(o) => objects.get(o)?,
    };
    let Some(record) = owner.record.clone() else {
        // An operation on a collection: the making or removal of a whole
        // record.
        let Key::Map(k) = &op.key else { return None };
        if made {
            let o = Owner {
                collection: owner.collection.clone(),
                record: Some(k.to_string()),
                field: None,
            };
            objects.add(op_id(), o);
        }
        return Some(OpTouch {
            collection: owner.collection,
            record: k.to_string(),
            field: None,
            made,
            removed: matches!(op.action, OpType::Delete),
        });
    };
    let field = match (&owner.field, &op.key) {
        (Some(f), _) => f.clone(),
        (None, Key::Map(k)) => k.to_string(),
        (None, Key::Seq(_)) => return None,
    };
    if made {
        // The agreement is a map within the pairing: its fields are named
        // by their own keys (status, end, …).
        let agreement = owner.field.is_none()
            && field == "agreement"
            && matches!(op.action, OpType::Make(ObjType::Map));
        let o = Owner {
            collection: owner.collection.clone(),
            record: Some(record.clone()),
            field: (!agreement).then(|| field.clone()),
        };
        objects.add(op_id(), o);
    }
    Some(OpTouch {
        collection: owner.collection,
        record,
        field: Some(field),
        made: false,
        removed: false,
    })
}

/// The records one change touches, in the order it first touches them.
fn touches(
    change: &automerge::ExpandedChange,
    objects: &mut Objects<'_>,
) -> Vec<((String, String), Touch)> {
    let mut out: Vec<((String, String), Touch)> = Vec::new();
    let mut at: HashMap<(String, String), usize> = HashMap::new();
    for (i, op) in change.operations.iter().enumerate() {
        let Some(o) = op_touch(change, i, op, objects) else {
            continue;
        };
        let key = (o.collection, o.record);
        let n = *at.entry(key.clone()).or_insert_with(|| {
            out.push((key, Touch::default()));
            out.len().saturating_sub(1)
        });
        let Some((_, t)) = out.get_mut(n) else {
            continue;
        };
        let counter = u64::try_from(i)
            .ok()
            .and_then(|i| change.start_op.get().checked_add(i));
        if o.made && !t.created && t.fields.is_empty() {
            t.making = counter.map(|c| (c, Shape::new()));
        }
        match (&mut t.making, counter) {
            (Some((_, shape)), Some(c)) => shape.add(c, &change.actor_id, op),
            _ => t.making = None,
        }
        t.created |= o.made;
        t.deleted |= o.removed;
        match o.field {
            Some(f) => {
                t.fields.insert(f);
            }
            // The whole record, other than its making.
            None if !t.created => {
                t.fields.insert(String::new());
            }
            None => {}
        }
    }
    out
}

/// The changes of `am` after `since` (every change if empty) that touch
/// records, each with its touches.
fn index_changes(
    am: &Automerge,
    since: &[ChangeHash],
    objects: &mut Objects<'_>,
) -> Vec<(ChangeRow, Vec<TouchRow>)> {
    index_these(am, since, &am.get_changes(since), objects)
}

/// Whether any of `changes` (changes of `am`) makes, changes or removes a
/// record of `collection`.
pub(crate) fn touches_collection(
    am: &Automerge,
    changes: &[automerge::Change],
    collection: &str,
) -> bool {
    let mut objects = Objects::new(Some(am));
    changes.iter().any(|c| {
        touches(&c.decode(), &mut objects)
            .iter()
            .any(|((coll, _), _)| coll == collection)
    })
}

/// [`index_changes`] of `changes`, the changes of `am` after `since`,
/// already rebuilt by the caller (rebuilding them walks the document's
/// operations; a write does it once).
fn index_these(
    am: &Automerge,
    since: &[ChangeHash],
    changes: &[automerge::Change],
    objects: &mut Objects<'_>,
) -> Vec<(ChangeRow, Vec<TouchRow>)> {
    // Authors and messages from the metadata: automerge 0.12's `Change`
    // values lose the author footer of some local changes, the metadata
    // keeps it.
    let meta: HashMap<ChangeHash, automerge::ChangeMetadata<'_>> = am
        .get_changes_meta(since)
        .into_iter()
        .map(|m| (m.hash, m))
        .collect();
    index_rows(changes, objects, |c| {
        let m = meta.get(&c.hash());
        let said = m
            .and_then(|m| m.author.as_ref())
            .map(AuthorInfo::from_author)
            .unwrap_or_default();
        (
            said,
            m.and_then(|m| m.message.as_ref()).map(|s| s.to_string()),
        )
    })
}

/// The index's rows for `changes`, each change's author and message
/// given by `said`.
fn index_rows(
    changes: &[automerge::Change],
    objects: &mut Objects<'_>,
    said: impl Fn(&automerge::Change) -> (AuthorInfo, Option<String>),
) -> Vec<(ChangeRow, Vec<TouchRow>)> {
    let mut out = Vec::new();
    for change in changes {
        let rows: Vec<TouchRow> = touches(&change.decode(), objects)
            .into_iter()
            .filter(|(_, t)| t.created || !t.fields.is_empty())
            .map(|((collection, record), mut t)| {
                t.fields.remove("");
                TouchRow {
                    record,
                    collection,
                    created: t.created,
                    deleted: t.deleted,
                    making: t.making.take().map(|(c, shape)| (c, shape.finish())),
                    fields: if t.created {
                        Vec::new()
                    } else {
                        t.fields.into_iter().collect()
                    },
                }
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let (author, message) = said(change);
        let c = ChangeRow {
            hash: change.hash(),
            time_ms: change.timestamp(),
            actor: change.actor_id().to_hex_string(),
            person: author.person,
            device: author.device,
            message,
        };
        out.push((c, rows));
    }
    out
}

/// Brings the index of `doc` up to `am` inside a write transaction: the
/// changes after the heads it covers, or every change when it covers none
/// or heads `am` does not have (the document was rewritten).
pub(crate) fn keep_up(conn: &Connection, doc: &str, am: &Automerge) -> rusqlite::Result<()> {
    let heads = am.get_heads();
    let stored = db::history_heads(conn, doc)?;
    if stored.as_deref() == Some(db::encode_heads(&heads).as_slice()) {
        return Ok(());
    }
    let since = stored
        .and_then(|b| db::decode_heads(&b))
        .filter(|s| s.iter().all(|h| super::state::holds(am, h)))
        .unwrap_or_default();
    index_since(conn, doc, am, &since, &am.get_changes(&since))
}

/// Indexes a document new to this device: `changes` are all of its
/// changes, already rebuilt by the caller (rebuilding them again would
/// double what storing a joined document costs).
pub(crate) fn index_new(
    conn: &Connection,
    doc: &str,
    am: &Automerge,
    changes: &[automerge::Change],
) -> rusqlite::Result<()> {
    index_since(conn, doc, am, &[], changes)
}

/// Indexes `changes`, those of `am` after `since` (every change if
/// empty: the index is started again), and notes `am`'s heads as covered.
fn index_since(
    conn: &Connection,
    doc: &str,
    am: &Automerge,
    since: &[ChangeHash],
    changes: &[automerge::Change],
) -> rusqlite::Result<()> {
    if since.is_empty() {
        db::drop_history(conn, doc)?;
    }
    let mut objects = Objects::new((!since.is_empty()).then_some(am));
    let rows = index_these(am, since, changes, &mut objects);
    db::put_history(conn, doc, &rows, &am.get_heads())
}

/// After this process wrote changes to `doc` on top of `before`: indexes
/// them if the index covered `before` (an index that is behind is brought
/// up to date by the next history or compaction instead, so a write never
/// pays for a whole document).
pub(crate) fn follow(
    conn: &Connection,
    doc: &str,
    am: &Automerge,
    before: &[ChangeHash],
    changes: &[automerge::Change],
) -> rusqlite::Result<()> {
    match db::history_heads(conn, doc)? {
        Some(b) if b == db::encode_heads(before) => index_since(conn, doc, am, before, changes),
        _ => Ok(()),
    }
}

/// After this process wrote `changes` to `doc` on top of `before` without
/// loading it (`append.rs`, `edit.rs`): indexes them if the index covered
/// `before`, each object they touch placed from the document's tips (the
/// collections) or from `places` (the objects of the records they edit,
/// each with its path of keys from the root). Whether it did.
pub(crate) fn follow_appended(
    conn: &Connection,
    doc: &str,
    before: &[ChangeHash],
    changes: &[automerge::Change],
    tips: &super::append::Tips,
    places: &[(OpId, Vec<String>)],
) -> rusqlite::Result<bool> {
    if before.is_empty() || db::history_heads(conn, doc)? != Some(db::encode_heads(before)) {
        return Ok(false);
    }
    let mut objects = Objects::new(None);
    for (collection, id) in &tips.collections {
        let o = Owner {
            collection: collection.clone(),
            record: None,
            field: None,
        };
        objects.add(id.clone(), o);
    }
    for (id, path) in places {
        let path: Vec<Prop> = path.iter().map(|k| Prop::Map(k.clone())).collect();
        if let Some(o) = Owner::at(&path) {
            objects.add(id.clone(), o);
        }
    }
    // As automerge's metadata names the author: the one assigned to the
    // actor by its first change.
    let author = tips
        .author
        .as_ref()
        .map(|a| AuthorInfo::from_author(&automerge::Author::from(a.clone())))
        .unwrap_or_default();
    let rows = index_rows(changes, &mut objects, |c| {
        (author.clone(), c.message().map(str::to_string))
    });
    db::put_history(conn, doc, &rows, &tips.heads)?;
    Ok(true)
}

/// Whether the index of `doc` covers the state this process holds of it.
pub(crate) fn is_current(conn: &Connection, state: &State, doc: &str) -> rusqlite::Result<bool> {
    let Some(d) = state.docs.get(doc) else {
        return Ok(false);
    };
    covers(conn, doc, &d.heads)
}

/// Whether the index of `doc` covers exactly the state at `heads` (sorted).
pub(crate) fn covers(conn: &Connection, doc: &str, heads: &[ChangeHash]) -> rusqlite::Result<bool> {
    Ok(db::history_heads(conn, doc)?.as_deref() == Some(db::encode_heads(heads).as_slice()))
}

/// The touches of record `id` in `am` without an index (a workspace this
/// process may not write): the same pass, kept in memory.
pub(crate) fn unindexed(am: &Automerge, id: &str) -> db::HistoryRows {
    index_changes(am, &[], &mut Objects::new(None))
        .into_iter()
        .flat_map(|(c, rows)| {
            rows.into_iter()
                .filter(|t| t.record == id)
                .map(move |t| (c.clone(), t))
        })
        .collect()
}

/// The entries of one record of `collection` in `doc`, from its rows.
pub(crate) fn entries(
    state: &State,
    doc: &str,
    collection: &str,
    rows: &[(ChangeRow, TouchRow)],
) -> Vec<HistoryEntry> {
    // Who made a change is the device its actor is derived from (its
    // signature was checked on arrival), named as the membership log
    // names it; the author field (what the device said) only for changes
    // of no member's actor (an older version's).
    let devices: HashMap<String, &str> = state
        .model
        .members
        .keys()
        .map(|d| {
            let actor = crate::trust::changes::actor_for(d, doc);
            (actor.to_hex_string(), d.as_str())
        })
        .collect();
    rows.iter()
        .filter(|(_, t)| t.collection == collection)
        .map(|(c, t)| {
            let (person, device) = match devices.get(&c.actor) {
                Some(d) => (
                    member_name(state, d).unwrap_or_else(|| c.person.clone()),
                    d.to_string(),
                ),
                None => (c.person.clone(), c.device.clone()),
            };
            HistoryEntry {
                time_ms: c.time_ms,
                person,
                device,
                change: c.hash.to_string(),
                created: t.created,
                deleted: t.deleted,
                fields: t.fields.clone(),
                message: c.message.clone(),
            }
        })
        .collect()
}

/// A member's name, as the membership log gives it.
fn member_name(state: &State, device: &str) -> Option<String> {
    state.model.members.get(device).map(|m| m.name.clone())
}

//! The history of one record: every change that touched it, when, by whom,
//! and which of its fields.
//!
//! Read from the changes' operations themselves, not from their messages: an
//! operation on the record's map names a field; an operation inside an
//! object the record holds (a note's text, a list of tasks) counts for the
//! field that holds it.

use super::layout::*;
use super::state::State;
use super::{AuthorInfo, StoreError};
use crate::domain::*;
use automerge::legacy::{Key, ObjectId, OpType};
use automerge::{ObjType, ROOT, ReadDoc};
use std::collections::{BTreeSet, HashMap};

/// Where a record of a kind lives: its document and collection.
fn location(state: &State, what: Entity, id: &Id) -> Option<(String, &'static str)> {
    let m = &state.model;
    let district_of = |f: &dyn Fn(&DistrictData) -> bool| {
        m.data
            .iter()
            .find(|(_, d)| f(d))
            .map(|(k, _)| district_doc_id(k))
    };
    match what {
        Entity::District => m
            .districts
            .contains_key(id)
            .then(|| (PROGRAMME_DOC.to_string(), "districts")),
        Entity::Kindergarten => {
            district_of(&|d| d.kindergartens.contains_key(id)).map(|doc| (doc, "kindergartens"))
        }
        Entity::Pairing => {
            district_of(&|d| d.pairings.contains_key(id)).map(|doc| (doc, "pairings"))
        }
        Entity::Visit => district_of(&|d| d.visits.contains_key(id)).map(|doc| (doc, "visits")),
        Entity::Inspection => {
            district_of(&|d| d.inspections.contains_key(id)).map(|doc| (doc, "inspections"))
        }
        Entity::MonthlyReport => {
            district_of(&|d| d.monthly_reports.contains_key(id)).map(|doc| (doc, "monthly_reports"))
        }
        Entity::AnnualSummary => {
            if m.city_summaries.contains_key(id) {
                Some((PROGRAMME_DOC.to_string(), "annual_summaries"))
            } else {
                district_of(&|d| d.annual_summaries.contains_key(id))
                    .map(|doc| (doc, "annual_summaries"))
            }
        }
    }
}

/// The document a record lives in.
pub(crate) fn document_of(state: &State, what: Entity, id: &Id) -> Option<String> {
    location(state, what, id).map(|(doc, _)| doc)
}

/// The fields of record `id` (in collection object `coll`) a change's
/// operations touch (`""` for the whole record), and whether it made the
/// record. `owned`: objects inside the record, by the field holding them
/// (`None`: the record's own maps); grows as the change makes more.
fn record_ops(
    decoded: &automerge::ExpandedChange,
    coll: &str,
    id: &Id,
    owned: &mut HashMap<String, Option<String>>,
) -> (BTreeSet<String>, bool, bool) {
    let mut fields = BTreeSet::new();
    let (mut created, mut deleted) = (false, false);
    for (i, op) in decoded.operations.iter().enumerate() {
        let obj = match &op.obj {
            ObjectId::Root => continue,
            ObjectId::Id(o) => o.to_string(),
        };
        let counter = decoded
            .start_op
            .get()
            .saturating_add(u64::try_from(i).unwrap_or(u64::MAX));
        let op_id = format!("{counter}@{}", decoded.actor_id);
        let field: Option<String> = if obj == coll {
            match &op.key {
                Key::Map(k) if k.as_str() == id.as_str() => {
                    match op.action {
                        OpType::Make(_) => {
                            created = true;
                            owned.insert(op_id.clone(), None);
                        }
                        OpType::Delete => deleted = true,
                        _ => {}
                    }
                    // Creation or removal of the whole record.
                    None
                }
                _ => continue,
            }
        } else if let Some(holder) = owned.get(&obj) {
            let f = match (holder, &op.key) {
                (Some(f), _) => f.clone(),
                (None, Key::Map(k)) => k.to_string(),
                (None, Key::Seq(_)) => continue,
            };
            match op.action {
                // The agreement is a map within the pairing: its fields
                // are named by their own keys (status, end, …).
                OpType::Make(ObjType::Map) if holder.is_none() && f == "agreement" => {
                    owned.insert(op_id.clone(), None);
                }
                OpType::Make(_) => {
                    owned.insert(op_id.clone(), Some(f.clone()));
                }
                _ => {}
            }
            Some(f)
        } else {
            continue;
        };
        if let Some(f) = field {
            fields.insert(f);
        } else if !created {
            fields.insert(String::new());
        }
    }
    (fields, created, deleted)
}

/// A member's name, as the membership log gives it.
fn member_name(state: &State, device: &str) -> Option<String> {
    state.model.members.get(device).map(|m| m.name.clone())
}

/// The record's history, from its document (which must be loaded).
pub(crate) fn history(
    state: &State,
    what: Entity,
    id: &Id,
) -> Result<Vec<HistoryEntry>, StoreError> {
    let Some((doc_id, collection)) = location(state, what, id) else {
        return Ok(Vec::new());
    };
    history_in(state, &doc_id, collection, id)
}

/// The collection a kind of record is kept in, in a district document.
pub(crate) fn collection_of(what: Entity) -> Option<&'static str> {
    Some(match what {
        Entity::Kindergarten => "kindergartens",
        Entity::Pairing => "pairings",
        Entity::Visit => "visits",
        Entity::Inspection => "inspections",
        _ => return None,
    })
}

/// The history of record `id` of `collection` in document `doc_id`
/// (which must be loaded), whether or not the record is still there.
pub(crate) fn history_in(
    state: &State,
    doc_id: &str,
    collection: &str,
    id: &Id,
) -> Result<Vec<HistoryEntry>, StoreError> {
    let Some(am) = state.docs.get(doc_id).and_then(|d| d.am.as_ref()) else {
        return Ok(Vec::new());
    };
    let coll = match am.get(ROOT, collection) {
        Ok(Some((automerge::Value::Object(ObjType::Map), obj))) => obj.to_string(),
        _ => return Ok(Vec::new()),
    };
    // Objects that belong to the record: its own map(s) (None) and the
    // objects inside, by the field that holds them.
    let mut owned: HashMap<String, Option<String>> = HashMap::new();
    // Authors and messages from the metadata: automerge 0.12's `Change`
    // values lose the author footer of some local changes, the metadata
    // keeps it.
    let meta: HashMap<automerge::ChangeHash, automerge::ChangeMetadata<'_>> = am
        .get_changes_meta(&[])
        .into_iter()
        .map(|m| (m.hash, m))
        .collect();
    // Who made a change is the device its actor is derived from (its
    // signature was checked on arrival), named as the membership log
    // names it; the author field (what the device said) only for changes
    // of no member's actor (an older version's).
    let devices: HashMap<automerge::ActorId, &str> = state
        .model
        .members
        .keys()
        .map(|d| (crate::trust::changes::actor_for(d, doc_id), d.as_str()))
        .collect();
    let mut out = Vec::new();
    for change in am.get_changes(&[]) {
        let (mut fields, created, deleted) = record_ops(&change.decode(), &coll, id, &mut owned);
        if fields.is_empty() && !created {
            continue;
        }
        let m = meta.get(&change.hash());
        let said = m
            .and_then(|m| m.author.as_ref())
            .map(AuthorInfo::from_author)
            .unwrap_or_default();
        let author = match devices.get(change.actor_id()) {
            Some(d) => AuthorInfo {
                person: member_name(state, d).unwrap_or(said.person),
                device: d.to_string(),
            },
            None => said,
        };
        fields.remove("");
        out.push(HistoryEntry {
            time_ms: change.timestamp(),
            person: author.person,
            device: author.device,
            change: change.hash().to_string(),
            created,
            deleted,
            fields: if created {
                Vec::new()
            } else {
                fields.into_iter().collect()
            },
            message: m.and_then(|m| m.message.as_ref()).map(|s| s.to_string()),
        });
    }
    Ok(out)
}

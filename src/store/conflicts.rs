//! Values two devices set differently while apart (docs/SYNC.md,
//! "Conflicts").
//!
//! When two devices put one map key concurrently, automerge keeps both
//! values and every device shows the same one (the winner); the other is
//! set aside, not lost. bangfu looks for such keys when it reads a
//! document, names them by record and field, and lets a member allowed to
//! edit the record pick one (`Writer::pick`): writing the chosen value again
//! ends the conflict on every device that receives the write.
//!
//! A report started on two devices before either had the other's start is
//! the same thing one level up: two record maps under one key. Its written
//! sections are merged on reading (each start's text that the other lacks
//! is added below it), so nothing typed is lost; the conflict stays open
//! until someone saves the report, which writes the merged text.

use super::layout::district_of_doc;
use super::mapping::{Home, Record};
use crate::domain::reports::Written;
use crate::domain::*;
use automerge::hydrate::{Map, MapValue, Value as Hydrated};
use automerge::{Automerge, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use std::collections::BTreeMap;

/// Every conflicting key of a document, in key order.
pub(crate) fn in_doc(am: &Automerge, doc: &str) -> Vec<Conflict> {
    let mut out = Vec::new();
    walk(am, doc, &ROOT, &mut Vec::new(), &mut out);
    out
}

/// Every conflicting key of a document whose root was just hydrated: the
/// keys hydration marked, each read again for all its values (cheaper than
/// asking automerge about every key).
pub(crate) fn in_hydrated(am: &Automerge, doc: &str, root: &Map) -> Vec<Conflict> {
    fn marked(m: &Map, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        for (k, v) in m.iter() {
            path.push(k.clone());
            if v.conflict {
                out.push(path.clone());
            }
            if let Hydrated::Map(child) = &v.value {
                marked(child, path, out);
            }
            path.pop();
        }
    }
    let mut paths = Vec::new();
    marked(root, &mut Vec::new(), &mut paths);
    paths.sort();
    let mut out = Vec::new();
    'paths: for path in paths {
        let Some((last, above)) = path.split_last() else {
            continue;
        };
        let mut obj = ROOT;
        for name in above {
            match am.get(&obj, name.as_str()) {
                Ok(Some((Value::Object(ObjType::Map), child))) => obj = child,
                _ => continue 'paths,
            }
        }
        out.extend(conflict_at(am, doc, &path, &values_at(am, &obj, last)));
    }
    out
}

/// The conflicting keys of one record (and of its key itself).
pub(crate) fn in_record(am: &Automerge, doc: &str, collection: &str, id: &str) -> Vec<Conflict> {
    let mut out = Vec::new();
    let Ok(Some((Value::Object(ObjType::Map), coll))) = am.get(&ROOT, collection) else {
        return out;
    };
    let mut path = vec![collection.to_string()];
    visit_key(am, doc, &coll, id, &mut path, &mut out);
    out
}

fn walk(am: &Automerge, doc: &str, obj: &ObjId, path: &mut Vec<String>, out: &mut Vec<Conflict>) {
    for key in am.keys(obj) {
        visit_key(am, doc, obj, &key, path, out);
    }
}

fn visit_key(
    am: &Automerge,
    doc: &str,
    obj: &ObjId,
    key: &str,
    path: &mut Vec<String>,
    out: &mut Vec<Conflict>,
) {
    path.push(key.to_string());
    let values = values_at(am, obj, key);
    out.extend(conflict_at(am, doc, path, &values));
    if let Some((Value::Object(ObjType::Map), child)) = values.into_iter().next() {
        walk(am, doc, &child, path, out);
    }
    path.pop();
}

/// The values under `key`, the one every device shows first.
pub(crate) fn values_at<'a>(am: &'a Automerge, obj: &ObjId, key: &str) -> Vec<(Value<'a>, ObjId)> {
    let mut all = am.get_all(obj, key).unwrap_or_default();
    if let Ok(Some((_, winner))) = am.get(obj, key)
        && let Some(at) = all.iter().position(|(_, id)| *id == winner)
    {
        let w = all.remove(at);
        all.insert(0, w);
    }
    all
}

fn conflict_at(
    am: &Automerge,
    doc: &str,
    path: &[String],
    values: &[(Value<'_>, ObjId)],
) -> Option<Conflict> {
    // Two devices that set one value alike (both wrote 2025-03-14) agree:
    // nothing to pick. Two maps (a record made twice) are always asked.
    let (first, rest) = values.split_first()?;
    if rest.is_empty()
        || rest
            .iter()
            .all(|(v, _)| matches!((v, &first.0), (Value::Scalar(x), Value::Scalar(y)) if x == y))
    {
        return None;
    }
    let mut shown = values.iter().map(|v| value_text(am, v));
    let kept = shown.next().unwrap_or_default();
    let (collection, record, field) = match path {
        [c] => (c.clone(), String::new(), String::new()),
        [c, r, rest @ ..] => (c.clone(), r.clone(), rest.join(".")),
        [] => (String::new(), String::new(), String::new()),
    };
    Some(Conflict {
        doc: doc.to_string(),
        collection,
        record,
        field,
        kept,
        set_aside: shown.collect(),
    })
}

fn value_text(am: &Automerge, (v, id): &(Value<'_>, ObjId)) -> String {
    match v {
        Value::Scalar(s) => scalar_text(s),
        Value::Object(_) => ReadDoc::hydrate(am, id, None)
            .map(|h| hydrated_text(&h))
            .unwrap_or_default(),
    }
}

fn scalar_text(s: &ScalarValue) -> String {
    match s {
        ScalarValue::Str(x) => x.to_string(),
        ScalarValue::Null => String::new(),
        other => other.to_string(),
    }
}

fn hydrated_text(v: &Hydrated) -> String {
    match v {
        Hydrated::Scalar(s) => scalar_text(s),
        Hydrated::Text(t) => t.to_string(),
        Hydrated::Map(m) => m
            .iter()
            .map(|(k, v)| format!("{k}: {}", hydrated_text(&v.value)))
            .collect::<Vec<_>>()
            .join(", "),
        Hydrated::List(l) => l
            .iter()
            .map(|v| hydrated_text(&v.value))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Adds to `into` the sections of every other start of its record that it
/// lacks; true if it gained any.
pub(crate) fn merge_starts<R: Record + Written>(
    am: &Automerge,
    c: &Conflict,
    home: Home<'_>,
    into: &mut R,
) -> bool {
    let Ok(Some((Value::Object(ObjType::Map), coll))) = am.get(&ROOT, R::COLLECTION) else {
        return false;
    };
    let mut gained = false;
    for (_, other) in values_at(am, &coll, &c.record).into_iter().skip(1) {
        let Ok(Hydrated::Map(m)) = ReadDoc::hydrate(am, &other, None) else {
            continue;
        };
        if let Ok(start) = R::from_map(into.id().clone(), home, &m) {
            gained |= into.merge_start(&start);
        }
    }
    gained
}

/// Merges the starts of `records` that started twice, and keeps in
/// `conflicts` only those starts whose merge added something.
pub(crate) fn merge_collection<R: Record + Written>(
    am: &Automerge,
    home: Home<'_>,
    records: &mut BTreeMap<Id, R>,
    conflicts: &mut Vec<Conflict>,
) {
    conflicts.retain(|c| {
        if !c.is_start() || c.collection != R::COLLECTION {
            return true;
        }
        match c.record_id().and_then(|id| records.get_mut(&id)) {
            Some(r) => merge_starts(am, c, home, r),
            None => true,
        }
    });
}

/// The hydrated record map under `collection`/`record` with the value at
/// `field` replaced by the value numbered `choice` (0: the kept one), or
/// why not.
pub(crate) fn with_choice(
    am: &Automerge,
    c: &Conflict,
    choice: usize,
) -> Result<Map, &'static str> {
    let Ok(Some((Value::Object(ObjType::Map), coll))) = am.get(&ROOT, c.collection.as_str()) else {
        return Err("collection");
    };
    let starts = values_at(am, &coll, &c.record);
    if c.is_start() {
        let (_, chosen) = starts.get(choice).ok_or("choice")?;
        return match ReadDoc::hydrate(am, chosen, None) {
            Ok(Hydrated::Map(m)) => Ok(m),
            _ => Err("record"),
        };
    }
    let (_, rec) = starts.first().ok_or("record")?;
    let mut parent = rec.clone();
    let names: Vec<&str> = c.field.split('.').collect();
    let Some((last, above)) = names.split_last() else {
        return Err("field");
    };
    for name in above {
        match am.get(&parent, *name) {
            Ok(Some((Value::Object(ObjType::Map), child))) => parent = child,
            _ => return Err("field"),
        }
    }
    let values = values_at(am, &parent, last);
    let chosen = match values.get(choice).ok_or("choice")? {
        (Value::Scalar(s), _) => Hydrated::Scalar(s.clone().into_owned()),
        (Value::Object(_), id) => ReadDoc::hydrate(am, id, None).map_err(|_| "field")?,
    };
    let Ok(Hydrated::Map(mut record)) = ReadDoc::hydrate(am, rec, None) else {
        return Err("record");
    };
    set_at(&mut record, &names, chosen).ok_or("field")?;
    Ok(record)
}

fn set_at(m: &mut Map, names: &[&str], v: Hydrated) -> Option<()> {
    let (first, rest) = names.split_first()?;
    if rest.is_empty() {
        m.insert(first.to_string(), slot(v));
        return Some(());
    }
    let mut child = match m.get(first)? {
        Hydrated::Map(c) => c.clone(),
        _ => return None,
    };
    set_at(&mut child, rest, v)?;
    m.insert(first.to_string(), slot(Hydrated::Map(child)));
    Some(())
}

fn slot(value: Hydrated) -> MapValue {
    MapValue {
        value,
        conflict: false,
    }
}

/// Whether a report started twice still has text the model's record lacks
/// (any other conflict stays open until a value is picked).
pub(crate) fn still_open(am: &Automerge, c: &Conflict, model: &Model) -> bool {
    let Some(id) = c.record_id().filter(|_| c.is_start()) else {
        return true;
    };
    let district = district_of_doc(&c.doc);
    let data = district.as_ref().and_then(|d| model.data.get(d));
    let home = match &district {
        Some(d) => Home::District(d),
        None => Home::Programme,
    };
    match c.collection.as_str() {
        "monthly_reports" => data
            .and_then(|x| x.monthly_reports.get(&id))
            .is_none_or(|r| merge_starts(am, c, home, &mut r.clone())),
        "annual_summaries" => data
            .map_or(model.city_summaries.get(&id), |x| {
                x.annual_summaries.get(&id)
            })
            .is_none_or(|r| merge_starts(am, c, home, &mut r.clone())),
        _ => true,
    }
}

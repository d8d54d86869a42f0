//! Edits, each checked against the programme's rules, each one automerge
//! change with its time, author and a short message.

use super::db;
use super::layout::*;
use super::mapping::*;
use super::state::{Doc, State, sqlite_err};
use super::{EditError, IdSource, StoreError};
use crate::domain::authz::{self, Target, Write};
use crate::domain::plan::ProgrammeSetup;
use crate::domain::reports::{self, Report, ReportKey};
use crate::domain::rules::{self, Problem, ProblemKind};
use crate::domain::*;
use crate::trust::Kind;
use automerge::hydrate::{Map, Value};
use automerge::transaction::{CommitOptions, Transactable, Transaction};
use automerge::{ChangeHash, ObjType, Prop, ROOT, ReadDoc};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

mod delete;
mod evidence;
mod pick;
mod records;
mod report_edits;
mod setup;

/// Checks a programme to be created: names given, no district twice, years
/// in order.
pub(crate) fn check_setup(setup: &ProgrammeSetup) -> Vec<Problem> {
    let mut out = Vec::new();
    if setup.programme.name.trim().is_empty() {
        out.push(Problem {
            field: "programme",
            kind: ProblemKind::Required,
        });
    }
    if setup.districts.is_empty() {
        out.push(Problem {
            field: "district",
            kind: ProblemKind::Required,
        });
    }
    let mut seen = BTreeSet::new();
    for d in &setup.districts {
        let name = d.trim();
        if name.is_empty() {
            out.push(Problem {
                field: "district",
                kind: ProblemKind::Required,
            });
        } else if !seen.insert(name) {
            out.push(Problem {
                field: "district",
                kind: ProblemKind::DuplicateName { name: name.into() },
            });
        }
    }
    let (start, end) = (setup.programme.start_year, setup.programme.end_year);
    if start > end || !(2000..=2100).contains(&start) || !(2000..=2100).contains(&end) {
        out.push(Problem {
            field: "years",
            kind: ProblemKind::YearOutsideProgramme {
                year: end,
                start,
                end,
            },
        });
    }
    out
}

/// Makes edits inside [`super::Workspace::write`].
pub struct Writer<'a> {
    /// The write transaction, to load documents on demand.
    conn: &'a rusqlite::Connection,
    path: &'a std::path::Path,
    state: &'a mut State,
    ids: &'a mut IdSource,
    today: NaiveDate,
    time: Option<i64>,
    /// Heads of each document before its first edit here.
    touched: &'a mut BTreeMap<String, Vec<ChangeHash>>,
    /// Documents created here.
    created: &'a mut BTreeSet<String>,
    /// The field (a path in the record; empty: the record itself) the next
    /// record write puts even if unchanged: picking the value a conflict
    /// kept must still write it, or the conflict stays.
    force: Option<Vec<String>>,
}

fn invalid<T>(problems: Vec<Problem>) -> Result<T, EditError> {
    Err(EditError::Invalid(problems))
}

fn check(problems: Vec<Problem>) -> Result<(), EditError> {
    EditError::invalid(problems)
}

fn unknown(field: &'static str, what: Entity, id: &Id) -> EditError {
    EditError::Invalid(vec![Problem {
        field,
        kind: ProblemKind::UnknownId {
            what,
            id: id.to_string(),
        },
    }])
}

fn am_err(doc: &str) -> impl Fn(automerge::AutomergeError) -> StoreError + '_ {
    move |e| StoreError::Automerge {
        doc: doc.to_string(),
        detail: e.to_string(),
    }
}

/// The map object under `key` of `parent`.
fn child_map(
    tx: &mut Transaction<'_>,
    parent: &automerge::ObjId,
    key: &str,
    doc: &str,
) -> Result<automerge::ObjId, StoreError> {
    match tx.get(parent, key).map_err(am_err(doc))? {
        Some((automerge::Value::Object(ObjType::Map), id)) => Ok(id),
        // A collection this version has and the document's creator did not
        // (made by an older bangfu): made now. Two devices doing so at once
        // would each make their own; only documents older than the
        // collection can meet that.
        None if *parent == ROOT => tx.put_object(ROOT, key, ObjType::Map).map_err(am_err(doc)),
        _ => Err(StoreError::Damaged {
            doc: doc.to_string(),
            detail: format!("`{key}` is missing or not a map"),
        }),
    }
}

/// Writes `value` under `path` (a chain of map keys from the root, the last
/// being the record's key): creates it in one batch if new, otherwise lays it
/// over the old value so only changed fields produce operations. `force`
/// names a field (a path in the record) put again even if unchanged; an
/// empty one makes the whole record anew.
fn put_map(
    tx: &mut Transaction<'_>,
    doc: &str,
    path: &[&str],
    value: Map,
    force: Option<&[String]>,
) -> Result<(), StoreError> {
    let Some((key, parents)) = path.split_last() else {
        return Ok(());
    };
    let mut obj = ROOT;
    for p in parents {
        obj = child_map(tx, &obj, p, doc)?;
    }
    let existing = match tx.get(&obj, *key).map_err(am_err(doc))? {
        Some((automerge::Value::Object(ObjType::Map), existing)) if force != Some(&[]) => existing,
        _ => {
            tx.batch_create_object(&obj, *key, &Value::Map(value), false)
                .map_err(am_err(doc))?;
            return Ok(());
        }
    };
    let forced = force.and_then(|p| Some((p, value_at(&value, p)?.clone())));
    let old = tx.hydrate(&existing, None).map_err(am_err(doc))?;
    let old_map = match &old {
        Value::Map(m) => Some(m),
        _ => None,
    };
    let merged = overlay(old_map, value);
    update_map(tx, &existing, &merged).map_err(am_err(doc))?;
    if let Some((field, v)) = forced {
        put_again(tx, doc, &existing, field, &v)?;
    }
    Ok(())
}

/// Lays `new` over the map object `obj`: only what differs makes
/// operations (automerge drops a put of the value a key holds), keys `new`
/// lacks are deleted, nested objects are updated in place (a text by its
/// changed characters). Not automerge 0.12's `update_object`: shortening a
/// list, it deletes the list's first items instead of its last (a visit
/// edited from two participants to one kept the second in the document,
/// the first in the model).
fn update_map(
    tx: &mut Transaction<'_>,
    obj: &automerge::ObjId,
    new: &Map,
) -> Result<(), automerge::AutomergeError> {
    let gone: Vec<String> = tx.keys(obj).filter(|k| new.get(k).is_none()).collect();
    let mut keys: Vec<_> = new.iter().collect();
    keys.sort_by_key(|(k, _)| *k);
    for (k, v) in keys {
        update_at(tx, obj, Prop::Map(k.clone()), &v.value, false)?;
    }
    for k in gone {
        tx.delete(obj, k.as_str())?;
    }
    Ok(())
}

/// Lays `new` over the list object `obj` item by item; items past its
/// end are added, items past `new`'s end deleted (from the last).
fn update_list(
    tx: &mut Transaction<'_>,
    obj: &automerge::ObjId,
    new: &automerge::hydrate::List,
) -> Result<(), automerge::AutomergeError> {
    let old_len = tx.length(obj);
    let mut n = 0;
    for (i, item) in new.iter().enumerate() {
        update_at(tx, obj, Prop::Seq(i), &item.value, i >= old_len)?;
        n = i.saturating_add(1);
    }
    for i in (n..old_len).rev() {
        tx.delete(obj, i)?;
    }
    Ok(())
}

/// Puts `new` at `prop` of `obj` (inserts it there when `insert`),
/// updating in place an object of the same kind already there.
fn update_at(
    tx: &mut Transaction<'_>,
    obj: &automerge::ObjId,
    prop: Prop,
    new: &Value,
    insert: bool,
) -> Result<(), automerge::AutomergeError> {
    use automerge::Value as Held;
    let old = match insert {
        true => None,
        false => tx.get(obj, prop.clone())?,
    };
    match (old, new, &prop) {
        (Some((Held::Object(ObjType::Map), id)), Value::Map(m), _) => update_map(tx, &id, m),
        (Some((Held::Object(ObjType::List), id)), Value::List(l), _) => update_list(tx, &id, l),
        (Some((Held::Object(ObjType::Text), id)), Value::Text(t), _) => {
            tx.update_text(&id, t.to_string())
        }
        (_, Value::Scalar(s), Prop::Seq(i)) if insert => tx.insert(obj, *i, s.clone()),
        (_, Value::Scalar(s), _) => tx.put(obj, prop, s.clone()),
        (_, other, _) => tx.batch_create_object(obj, prop, other, insert).map(|_| ()),
    }
}

/// The value at a field path of a record map.
fn value_at<'m>(m: &'m Map, path: &[String]) -> Option<&'m Value> {
    let (first, rest) = path.split_first()?;
    match (m.get(first)?, rest.is_empty()) {
        (v, true) => Some(v),
        (Value::Map(child), false) => value_at(child, rest),
        _ => None,
    }
}

/// Puts `v` at a field path of the record `rec`, whatever it holds now.
fn put_again(
    tx: &mut Transaction<'_>,
    doc: &str,
    rec: &automerge::ObjId,
    path: &[String],
    v: &Value,
) -> Result<(), StoreError> {
    let Some((last, above)) = path.split_last() else {
        return Ok(());
    };
    let mut parent = rec.clone();
    for name in above {
        parent = child_map(tx, &parent, name, doc)?;
    }
    match v {
        Value::Scalar(s) => tx.put(&parent, last.as_str(), s.clone()),
        other => tx
            .batch_create_object(&parent, last.as_str(), other, false)
            .map(|_| ()),
    }
    .map_err(am_err(doc))
}

impl<'a> Writer<'a> {
    pub(crate) fn new(
        conn: &'a rusqlite::Connection,
        path: &'a std::path::Path,
        state: &'a mut State,
        ids: &'a mut IdSource,
        today: NaiveDate,
        touched: &'a mut BTreeMap<String, Vec<ChangeHash>>,
        created: &'a mut BTreeSet<String>,
    ) -> Writer<'a> {
        Writer {
            conn,
            path,
            state,
            ids,
            today,
            time: None,
            touched,
            created,
            force: None,
        }
    }

    /// The programme as it stands, including this write's edits so far.
    pub fn model(&self) -> &Model {
        &self.state.model
    }

    /// The member this device is (none if it is not, or no longer, one):
    /// every edit is checked against its role and scope.
    pub fn me(&self) -> Option<&Member> {
        self.state.model.active_member(&self.state.author.device)
    }

    /// Refuses the edit unless this device's member may make `write` to
    /// `target` (the matrix in `domain/authz.rs`).
    fn allow(
        &self,
        write: Write,
        target: &Target,
        record: Option<(Entity, &Id)>,
    ) -> Result<(), EditError> {
        check(authz::check(self.me(), write, target, record))
    }

    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// A fresh record id.
    pub fn new_id(&mut self) -> Id {
        self.ids.next()
    }

    /// Records the following changes at `ms` (milliseconds since 1970)
    /// instead of now; demo data uses it to spread history over the years.
    pub fn set_time(&mut self, ms: Option<i64>) {
        self.time = ms;
    }

    /// Sets "today" for the rules (demo data written as of a past day).
    pub fn set_today(&mut self, today: NaiveDate) {
        self.today = today;
    }

    /// Runs one automerge change on `doc`.
    fn change(
        &mut self,
        doc: &str,
        message: String,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let time = self.time.unwrap_or_else(super::now_ms);
        let am = self.state.loaded(self.conn, self.path, doc)?;
        self.touched
            .entry(doc.to_string())
            .or_insert_with(|| am.get_heads());
        am.transact_with(
            |_| {
                CommitOptions::default()
                    .with_time(time)
                    .with_message(message)
            },
            f,
        )
        .map(|_| ())
        .map_err(|failure| failure.error)
    }

    /// The tips of `doc` when a change can be built on them without
    /// loading it (`append.rs`): it is not loaded, holds no damaged record
    /// (the model does not show what its key may hold), and the tips
    /// stored with its heads are this device's.
    fn tips_unloaded(&self, doc: &str) -> Result<Option<super::append::Tips>, StoreError> {
        let Some(d) = self.state.docs.get(doc) else {
            return Ok(None);
        };
        if d.am.is_some() || self.state.damaged.iter().any(|x| x.doc == doc) {
            return Ok(None);
        }
        if let Some(a) = &d.appended {
            return Ok(Some(a.tips.clone()));
        }
        let me = crate::trust::changes::actor_for(&self.state.author.device, doc);
        let stored = db::tips(self.conn, doc).map_err(sqlite_err(self.path))?;
        Ok(stored
            .and_then(|b| super::append::Tips::decode(&b))
            .filter(|t| t.heads == d.heads && t.actor == me))
    }

    /// A change built without loading `doc`, kept for `persist` (and
    /// applied first if a later edit of the write loads the document).
    fn keep_built(
        &mut self,
        doc: &str,
        change: automerge::Change,
        next: super::append::Tips,
        places: Vec<(automerge::legacy::OpId, Vec<String>)>,
    ) {
        let Some(d) = self.state.docs.get_mut(doc) else {
            return;
        };
        self.touched
            .entry(doc.to_string())
            .or_insert_with(|| d.heads.clone());
        d.heads = next.heads.clone();
        match &mut d.appended {
            Some(a) => {
                a.changes.push(change);
                a.tips = next;
                a.places.extend(places);
            }
            None => {
                d.appended = Some(super::state::Appended {
                    changes: vec![change],
                    tips: next,
                    places,
                });
            }
        }
    }

    fn stamp(&self, message: &str) -> super::append::Stamp {
        super::append::Stamp {
            time: self.time.unwrap_or_else(super::now_ms),
            message: message.to_string(),
        }
    }

    /// Puts a new record (`map`) under `key` of `collection` of `doc`
    /// without loading the document, when it is not loaded and its tips
    /// are known (`append.rs`). `false` when not: the caller makes the
    /// change through automerge.
    fn append(
        &mut self,
        doc: &str,
        collection: &str,
        key: &str,
        map: &Map,
        message: &str,
    ) -> Result<bool, StoreError> {
        let Some(tips) = self.tips_unloaded(doc)? else {
            return Ok(false);
        };
        let stamp = self.stamp(message);
        let Some((change, next)) = super::append::new_record(&tips, collection, key, map, stamp)
        else {
            return Ok(false);
        };
        self.keep_built(doc, change, next, Vec::new());
        Ok(true)
    }

    /// Lays `new` over the record `key` of `collection` of `doc`, which
    /// holds `old`, without loading the document (`edit.rs`): when its tips
    /// are known, the history index covers its heads, and `old` is what the
    /// layout this device's last such edit kept holds (the index showing no
    /// change of the record since) or what its making made (the index
    /// holding only that). `false` when not: the caller makes the change
    /// through automerge.
    fn edit_unloaded(
        &mut self,
        doc: &str,
        collection: &str,
        key: &str,
        old: &Map,
        new: &Map,
        message: &str,
    ) -> Result<bool, StoreError> {
        use super::edit::{self, Edited};
        let Some(tips) = self.tips_unloaded(doc)? else {
            return Ok(false);
        };
        let err = sqlite_err(self.path);
        if !super::history::covers(self.conn, doc, &tips.heads).map_err(&err)? {
            return Ok(false);
        }
        // The layout this device's last edit of the record left, or else
        // its making, when the index shows nothing else of it.
        let (base, touches) = match db::laid(self.conn, doc, key).map_err(&err)? {
            Some((layout, touches)) => (edit::Base::Laid(layout), touches),
            None => match db::only_making(self.conn, doc, key).map_err(&err)? {
                Some(making) => (edit::Base::Making(making), 1),
                None => return Ok(false),
            },
        };
        let merged = overlay(Some(old), new.clone());
        let stamp = self.stamp(message);
        match edit::edit_record(&tips, collection, key, old, &merged, &base, stamp) {
            None => Ok(false),
            Some(Edited::Unchanged) => Ok(true),
            Some(Edited::Change {
                change,
                tips,
                places,
                laid,
            }) => {
                // The change is the record's next touch in the index.
                if let Some(layout) = laid {
                    let touches = touches.saturating_add(1);
                    db::put_laid(self.conn, doc, key, touches, &change.hash(), &layout)
                        .map_err(&err)?;
                }
                self.keep_built(doc, *change, tips, places);
                Ok(true)
            }
        }
    }

    /// A raw automerge change to `doc`, past every check: what a modified
    /// program could write. For tests of what receivers refuse; nothing in
    /// bangfu calls it.
    #[doc(hidden)]
    pub fn raw_change(
        &mut self,
        doc: &str,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<(), automerge::AutomergeError>,
    ) -> Result<(), EditError> {
        self.change(doc, "raw".into(), |tx| f(tx).map_err(am_err(doc)))?;
        self.state.reread(doc)?;
        Ok(())
    }

    /// A raw change to `doc` under another actor and author device,
    /// signed with this device's key: what a modified program posing as
    /// another device could make. For tests of what receivers refuse.
    #[doc(hidden)]
    pub fn raw_change_as(
        &mut self,
        doc: &str,
        actor: automerge::ActorId,
        device: &str,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<(), automerge::AutomergeError>,
    ) -> Result<(), EditError> {
        let key = self.state.key.clone().ok_or(StoreError::NoDeviceKey)?;
        let author = super::AuthorInfo {
            person: "冒名".into(),
            device: device.to_string(),
        };
        let mine = self.state.author.clone();
        let am = self.state.loaded(self.conn, self.path, doc)?;
        let before = am.get_heads();
        super::state::writes_as(am, doc, &author);
        am.set_actor(actor);
        self.touched
            .entry(doc.to_string())
            .or_insert_with(|| before.clone());
        let result = am
            .transact_with(|_| CommitOptions::default().with_time(0), f)
            .map(|_| ())
            .map_err(|failure| am_err(doc)(failure.error));
        super::state::writes_as(am, doc, &mine);
        result?;
        let sigs: Vec<_> = am
            .get_changes(&before)
            .iter()
            .map(|c| {
                let h = c.hash();
                (
                    h,
                    crate::trust::changes::sign(&key, &self.state.workspace_id, doc, &h),
                )
            })
            .collect();
        db::put_sigs(self.conn, &sigs, false).map_err(sqlite_err(self.path))?;
        self.state.reread(doc)?;
        Ok(())
    }

    /// A change built by hand (any parents, any operations) applied to
    /// `doc` and signed with this device's key, past every check: what a
    /// modified program could send. For tests of what receivers refuse.
    #[doc(hidden)]
    pub fn raw_apply(&mut self, doc: &str, change: automerge::Change) -> Result<(), EditError> {
        let key = self.state.key.clone().ok_or(StoreError::NoDeviceKey)?;
        let am = self.state.loaded(self.conn, self.path, doc)?;
        let before = am.get_heads();
        let hash = change.hash();
        am.apply_changes([change]).map_err(am_err(doc))?;
        self.touched
            .entry(doc.to_string())
            .or_insert_with(|| before.clone());
        let sig = crate::trust::changes::sign(&key, &self.state.workspace_id, doc, &hash);
        db::put_sigs(self.conn, &[(hash, sig)], false).map_err(sqlite_err(self.path))?;
        self.state.reread(doc)?;
        Ok(())
    }

    /// Signs and stores a certificate of any kind, past every check: what
    /// a modified program could issue. For tests; nothing in bangfu calls
    /// it.
    #[doc(hidden)]
    pub fn raw_cert(&mut self, kind: Kind) -> Result<(), EditError> {
        self.issue(kind)
    }

    fn put_record<R: Record>(
        &mut self,
        district: &Id,
        record: &R,
        verb: &str,
    ) -> Result<(), EditError> {
        let doc = district_doc_id(district);
        let map = record.to_map();
        check(oversized(&map).into_iter().collect())?;
        let id = record.id().to_string();
        let message = format!("{verb} {} {id}", R::COLLECTION);
        let force = self.force.take();
        let old = self
            .state
            .model
            .data
            .get_mut(district)
            .and_then(|d| R::collection(d).get(record.id()))
            .map(|r| r.to_map());
        let built = match (&force, &old) {
            (Some(_), _) => false,
            (None, None) => self.append(&doc, R::COLLECTION, &id, &map, &message)?,
            (None, Some(old)) => {
                self.edit_unloaded(&doc, R::COLLECTION, &id, old, &map, &message)?
            }
        };
        if !built {
            self.change(&doc, message, |tx| {
                put_map(tx, &doc, &[R::COLLECTION, &id], map, force.as_deref())
            })?;
        }
        let data = self.state.model.data.entry(district.clone()).or_default();
        R::collection(data).insert(record.id().clone(), record.clone());
        self.state.recheck(&doc, Some((R::COLLECTION, &id)));
        Ok(())
    }

    /// Takes `key` out of `collection` of document `doc` (a deletion).
    fn remove_key(
        &mut self,
        doc: &str,
        collection: &str,
        key: &str,
        message: String,
    ) -> Result<(), EditError> {
        self.change(doc, message, |tx| {
            let coll = child_map(tx, &ROOT, collection, doc)?;
            tx.delete(&coll, key).map_err(am_err(doc))
        })?;
        self.state.recheck(doc, Some((collection, key)));
        Ok(())
    }

    fn put_programme(
        &mut self,
        path: &[&str],
        value: Map,
        message: String,
    ) -> Result<(), EditError> {
        check(oversized(&value).into_iter().collect())?;
        let force = self.force.take();
        self.change(PROGRAMME_DOC, message, |tx| {
            put_map(tx, PROGRAMME_DOC, path, value, force.as_deref())
        })?;
        let record = match path {
            [collection, key, ..] => Some((*collection, *key)),
            _ => None,
        };
        self.state.recheck(PROGRAMME_DOC, record);
        Ok(())
    }
}

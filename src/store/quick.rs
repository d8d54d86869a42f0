//! Questions answered from the workspace's indexes and the few documents
//! they name, without reading every document.
//!
//! `history` of one record used to open the whole workspace to learn which
//! document holds the record: at province scale that is 57 views, 0.34 s of
//! a 0.35 s command. The history index already names, for every record
//! any change touched, its collection and document; when it is up to date
//! for every document it answers "which record does this prefix name"
//! alone, and only the programme document (for members' names) and the
//! record's own document are read.

use super::db::{self, Db};
use super::history;
use super::layout::*;
use super::state::{State, sqlite_err};
use super::{AuthorInfo, DB_FILE, Options, StoreError, Workspace};
use crate::domain::id::normal_prefix;
use crate::domain::*;
use rusqlite::Connection;
use std::collections::BTreeSet;
use std::path::Path;

/// A record's kind, id and history.
pub type RecordHistory = (Entity, Id, Vec<HistoryEntry>);

/// The history of the one record whose id starts with `prefix`, read
/// without opening the whole workspace. `None` when the indexes cannot
/// answer alone: one of them is behind, the prefix names no record or
/// several, the record is no longer in its document, or a document read is
/// damaged. The caller then opens the workspace, which answers (and
/// words the errors) as it always did.
pub fn quick_history(
    dir: &Path,
    options: &Options,
    prefix: &str,
) -> Result<Option<RecordHistory>, StoreError> {
    let Some(p) = normal_prefix(prefix) else {
        return Ok(None);
    };
    let mut db = Db::open(&dir.join(DB_FILE))?;
    let path = db.path.clone();
    let err = sqlite_err(&path);
    let tx = db.begin_read()?;
    let Some((id, found, scope)) = record_and_scope(&tx, &p, None).map_err(&err)? else {
        return Ok(None);
    };
    let author = AuthorInfo {
        person: options.person.clone(),
        device: String::new(),
    };
    let state = State::load_scoped(&tx, &path, author, options, Some(scope))?;
    if !state.damaged.is_empty() {
        return Ok(None);
    }
    for (_, collection, doc) in &found {
        let Some(what) = entity_of(collection, doc) else {
            continue;
        };
        // The index keeps deleted records too: the model says whether the
        // record is here now, and where.
        if history::location(&state, what, &id).is_some_and(|(d, _)| &d == doc) {
            let rows = db::history_rows(&tx, doc, id.as_str()).map_err(&err)?;
            let entries = history::entries(&state, doc, collection, &rows);
            return Ok(Some((what, id, entries)));
        }
    }
    Ok(None)
}

/// A row of the history index for a record: (record, collection,
/// document).
type IndexRow = (String, String, String);

/// The one record whose id starts with `prefix` (among those of
/// `collection` when given) and the index's rows for it. `None` when no
/// record or several do.
fn one_record(
    conn: &Connection,
    prefix: &str,
    collection: Option<&str>,
) -> rusqlite::Result<Option<(Id, Vec<IndexRow>)>> {
    let mut found = db::records_with_prefix(conn, prefix)?;
    if let Some(c) = collection {
        found.retain(|(_, col, _)| col == c);
    }
    let Some((record, _, _)) = found.first() else {
        return Ok(None);
    };
    if found.iter().any(|(r, _, _)| r != record) {
        return Ok(None);
    }
    Ok(Id::parse(record).map(|id| (id, found)))
}

/// The documents a scoped state reads.
type Scope = BTreeSet<String>;

/// The one record `prefix` names (among `collection`'s when given), the
/// index's rows for it, and the documents to read for it: its own and the
/// programme (members' names, districts). `None` when the index is behind
/// for any document, or names no such record or several.
fn record_and_scope(
    conn: &Connection,
    prefix: &str,
    collection: Option<&str>,
) -> rusqlite::Result<Option<(Id, Vec<IndexRow>, Scope)>> {
    if !indexes_current(conn)? {
        return Ok(None);
    }
    let Some((id, found)) = one_record(conn, prefix, collection)? else {
        return Ok(None);
    };
    let mut scope: Scope = found.iter().map(|(_, _, doc)| doc.clone()).collect();
    scope.insert(PROGRAMME_DOC.to_string());
    Ok(Some((id, found, scope)))
}

impl Workspace {
    /// Brings the history index up to date for every document (a new
    /// workspace's, so that every write after follows it and the quick
    /// paths here answer from the first write on).
    pub(crate) fn index_every_document(&mut self) -> Result<(), StoreError> {
        let path = self.db.path.clone();
        let err = sqlite_err(&path);
        let tx = self.db.begin_write()?;
        self.state.catch_up(&tx, &path)?;
        let ids: Vec<String> = self.state.docs.keys().cloned().collect();
        for id in ids {
            let am = self.state.loaded(&tx, &path, &id)?;
            history::keep_up(&tx, &id, am).map_err(&err)?;
        }
        tx.commit().map_err(&err)
    }

    /// Opens only the documents a write about one pairing, or one visit
    /// (`what`), reads: the programme (members, districts, years), the
    /// district of the pairing (where its visits live too) and the
    /// districts of its kindergartens (and of the visit's place), found
    /// through the history index. At province scale a write opened 57
    /// documents to change one.
    ///
    /// `None` for any other kind of record, and when the index cannot say
    /// which documents those are (it is behind, the prefix names no such
    /// record or several, a kindergarten is not in it), when what it read
    /// is damaged, or when the workspace needs an upgrade (that reads
    /// every document). The records of other documents are not in its
    /// model: a caller writes through it only what the rules check against
    /// these documents alone (a visit of the pairing), and on any error
    /// does it again through a whole workspace, whose refusal (and its
    /// words) is the one that counts.
    pub fn open_for(
        dir: &Path,
        options: Options,
        what: Entity,
        prefix: &str,
    ) -> Result<Option<Workspace>, StoreError> {
        let Some(p) = normal_prefix(prefix) else {
            return Ok(None);
        };
        if !matches!(what, Entity::Pairing | Entity::Visit) {
            return Ok(None);
        }
        let mut db = Db::open(&dir.join(DB_FILE))?;
        let path = db.path.clone();
        let err = sqlite_err(&path);
        let key = crate::identity::load(dir).ok().flatten();
        let state = {
            let tx = db.begin_read()?;
            let collection = Some(history::collection_of(what));
            let Some((id, _, mut scope)) = record_and_scope(&tx, &p, collection).map_err(&err)?
            else {
                return Ok(None);
            };
            let author = super::state::author_of(&tx, &path, key.as_ref(), &options)?;
            let mut state = State::load_scoped(&tx, &path, author, &options, Some(scope.clone()))?;
            let m = &state.model;
            let (pairing, place) = match what {
                Entity::Visit => match m.visit(&id) {
                    Some(v) => (m.pairing(&v.pairing_id), v.place_id.as_ref()),
                    None => (None, None),
                },
                _ => (m.pairing(&id), None),
            };
            let Some(pairing) = pairing else {
                return Ok(None);
            };
            // A visit's place was one of its pairing's kindergartens when
            // written; the pairing may have changed since.
            for k in pairing.members().chain(place) {
                let Some((_, rows)) =
                    one_record(&tx, k.as_str(), Some("kindergartens")).map_err(&err)?
                else {
                    return Ok(None);
                };
                scope.extend(rows.into_iter().map(|(_, _, doc)| doc));
            }
            state.widen_scope(scope);
            state.catch_up(&tx, &path)?;
            if !state.damaged.is_empty()
                || !super::membership::upgraded(&tx, &state).map_err(&err)?
            {
                return Ok(None);
            }
            state.key = key;
            state
        };
        Ok(Some(Workspace {
            dir: dir.to_path_buf(),
            db,
            state,
            ids: super::IdSource::Random,
            options,
        }))
    }
}

/// Whether the history index covers every record document as it is now.
fn indexes_current(conn: &Connection) -> rusqlite::Result<bool> {
    for (doc, _, heads) in db::doc_versions(conn)? {
        if doc != PROGRAMME_DOC && district_of_doc(&doc).is_none() {
            continue;
        }
        let Some(mut heads) = db::decode_heads(&heads) else {
            return Ok(false);
        };
        heads.sort();
        if !history::covers(conn, &doc, &heads)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The kind of record a collection of a document holds: districts in
/// the programme document, summaries in either, the rest in a district's.
fn entity_of(collection: &str, doc: &str) -> Option<Entity> {
    let home_ok = |what: Entity| match what {
        Entity::District => doc == PROGRAMME_DOC,
        Entity::AnnualSummary => true,
        _ => district_of_doc(doc).is_some(),
    };
    Entity::ALL
        .into_iter()
        .find(|&what| history::collection_of(what) == collection && home_ok(what))
}

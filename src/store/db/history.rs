//! The history index (see `store/history.rs`): which change touched which
//! record, kept beside the documents so that a record's history is a few
//! rows instead of a pass over every change of its document. Derived data,
//! safe to lose: made on first use, rebuilt when it does not match.

use super::*;

const HISTORY_TABLES: &str = "
CREATE TABLE IF NOT EXISTS history_heads (
    doc   TEXT PRIMARY KEY,
    heads BLOB NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS history_changes (
    id      INTEGER PRIMARY KEY,
    doc     TEXT NOT NULL,
    hash    BLOB NOT NULL,
    time_ms INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    person  TEXT NOT NULL,
    device  TEXT NOT NULL,
    message TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS history_rows (
    record     TEXT NOT NULL,
    change     INTEGER NOT NULL REFERENCES history_changes(id),
    collection TEXT NOT NULL,
    created    INTEGER NOT NULL,
    deleted    INTEGER NOT NULL,
    fields     TEXT NOT NULL,
    made       INTEGER,
    shape      BLOB
) STRICT;
CREATE INDEX IF NOT EXISTS history_rows_by_record ON history_rows(record);
";

pub(crate) fn ensure_history_tables(conn: &Connection) -> rusqlite::Result<()> {
    super::ensure(conn, "history_rows_by_record", HISTORY_TABLES)?;
    // A record's making (`store/edit.rs`), added by the first write to a
    // file made before; rows indexed before have none.
    if !has_making_columns(conn)? {
        conn.execute_batch(
            "ALTER TABLE history_rows ADD COLUMN made INTEGER;
             ALTER TABLE history_rows ADD COLUMN shape BLOB;",
        )?;
    }
    Ok(())
}

fn has_making_columns(conn: &Connection) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM pragma_table_info('history_rows') WHERE name = 'shape'")?
        .exists([])
}

/// One change, as the index keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChangeRow {
    pub hash: ChangeHash,
    pub time_ms: i64,
    /// The change's actor (hex): names the device that signed it.
    pub actor: String,
    /// The author the change itself states.
    pub person: String,
    pub device: String,
    pub message: Option<String>,
}

/// One change's touch of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TouchRow {
    pub record: String,
    pub collection: String,
    pub created: bool,
    pub deleted: bool,
    /// Sorted field names.
    pub fields: Vec<String>,
    /// For a record the change made: the counter of the operation that
    /// made it and the digest of its making (`store/edit.rs`). Not read
    /// back with a history.
    pub making: Option<(u64, Vec<u8>)>,
}

/// A record's touches, each with its change.
pub(crate) type HistoryRows = Vec<(ChangeRow, TouchRow)>;

/// The heads the index covers for `doc` (sorted, encoded), if any.
pub(crate) fn history_heads(conn: &Connection, doc: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    absent_ok(
        conn.prepare_cached("SELECT heads FROM history_heads WHERE doc = ?1")
            .and_then(|mut st| st.query_row([doc], |r| r.get(0)).optional()),
    )
}

/// Forgets the index of `doc` (its changes were rewritten, or it is about
/// to be indexed again from the start).
pub(crate) fn drop_history(conn: &Connection, doc: &str) -> rusqlite::Result<()> {
    let statements = [
        "DELETE FROM history_rows WHERE change IN
             (SELECT id FROM history_changes WHERE doc = ?1)",
        "DELETE FROM history_changes WHERE doc = ?1",
        "DELETE FROM history_heads WHERE doc = ?1",
        "DELETE FROM laid_records WHERE doc = ?1",
    ];
    for sql in statements {
        absent_ok(conn.execute(sql, [doc]).map(|_| ()))?;
    }
    Ok(())
}

/// Adds what a pass over new changes of `doc` found (each change with the
/// records it touched), and the heads the index now covers.
pub(crate) fn put_history(
    conn: &Connection,
    doc: &str,
    changes: &[(ChangeRow, Vec<TouchRow>)],
    heads: &[ChangeHash],
) -> rusqlite::Result<()> {
    ensure_history_tables(conn)?;
    let mut put_change = conn.prepare_cached(
        "INSERT INTO history_changes (doc, hash, time_ms, actor, person, device, message)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut put_touch = conn.prepare_cached(
        "INSERT INTO history_rows
             (record, change, collection, created, deleted, fields, made, shape)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (c, touches) in changes {
        put_change.execute(params![
            doc,
            c.hash.0.as_slice(),
            c.time_ms,
            c.actor,
            c.person,
            c.device,
            c.message
        ])?;
        let id = conn.last_insert_rowid();
        for t in touches {
            put_touch.execute(params![
                t.record,
                id,
                t.collection,
                t.created,
                t.deleted,
                t.fields.join("\n"),
                t.making.as_ref().and_then(|(c, _)| i64::try_from(*c).ok()),
                t.making.as_ref().map(|(_, shape)| shape.as_slice()),
            ])?;
        }
    }
    conn.prepare_cached(
        "INSERT INTO history_heads (doc, heads) VALUES (?1, ?2)
         ON CONFLICT(doc) DO UPDATE SET heads = excluded.heads",
    )?
    .execute(params![doc, encode_heads(heads)])?;
    Ok(())
}

/// The indexed touches of `record` in `doc`, in the order they were
/// indexed, each with its change.
pub(crate) fn history_rows(
    conn: &Connection,
    doc: &str,
    record: &str,
) -> rusqlite::Result<HistoryRows> {
    let read = || {
        let mut st = conn.prepare_cached(
            "SELECT r.record, r.collection, r.created, r.deleted, r.fields,
                    c.hash, c.time_ms, c.actor, c.person, c.device, c.message
             FROM history_rows r JOIN history_changes c ON c.id = r.change
             WHERE r.record = ?1 AND c.doc = ?2 ORDER BY r.change",
        )?;
        let rows = st.query_map(params![record, doc], row)?;
        rows.collect()
    };
    absent_ok(read())
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(ChangeRow, TouchRow)> {
    let fields: String = r.get(4)?;
    let touch = TouchRow {
        record: r.get(0)?,
        collection: r.get(1)?,
        created: r.get(2)?,
        deleted: r.get(3)?,
        fields: fields
            .split('\n')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect(),
        making: None,
    };
    let hash: Vec<u8> = r.get(5)?;
    let hash = <[u8; 32]>::try_from(hash.as_slice()).map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Blob, "hash".into())
    })?;
    let change = ChangeRow {
        hash: ChangeHash(hash),
        time_ms: r.get(6)?,
        actor: r.get(7)?,
        person: r.get(8)?,
        device: r.get(9)?,
        message: r.get(10)?,
    };
    Ok((change, touch))
}

/// How `record` of `doc` was made, when the index holds its making and
/// nothing else of it: no change touched it since (`store/edit.rs`).
pub(crate) fn only_making(
    conn: &Connection,
    doc: &str,
    record: &str,
) -> rusqlite::Result<Option<crate::store::edit::Making>> {
    if !in_schema(conn, "history_rows")? || !has_making_columns(conn)? {
        return Ok(None);
    }
    let mut st = conn.prepare_cached(
        "SELECT r.created, r.made, r.shape, c.actor
         FROM history_rows r JOIN history_changes c ON c.id = r.change
         WHERE r.record = ?1 AND c.doc = ?2 LIMIT 2",
    )?;
    /// created, made, shape, the change's actor
    type Row = (bool, Option<i64>, Option<Vec<u8>>, String);
    let rows: Vec<Row> = st
        .query_map(params![record, doc], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let [(true, Some(made), Some(shape), actor)] = rows.as_slice() else {
        return Ok(None);
    };
    let Ok(actor) = automerge::ActorId::try_from(actor.as_str()) else {
        return Ok(None);
    };
    Ok(u64::try_from(*made)
        .ok()
        .map(|counter| crate::store::edit::Making {
            actor,
            counter,
            shape: shape.clone(),
        }))
}

/// The layouts this device's last edit of a record left (`store/edit.rs`,
/// `Base::Laid`): derived data, like the index, and dropped with it.
const LAID_TABLE: &str = "
CREATE TABLE IF NOT EXISTS laid_records (
    doc     TEXT NOT NULL,
    record  TEXT NOT NULL,
    touches INTEGER NOT NULL,
    last    BLOB NOT NULL,
    layout  BLOB NOT NULL,
    PRIMARY KEY (doc, record)
) STRICT, WITHOUT ROWID;
";

/// Keeps the layout `record` of `doc` has after the change `last`, which
/// the index will show as the record's `touches`-th.
pub(crate) fn put_laid(
    conn: &Connection,
    doc: &str,
    record: &str,
    touches: u64,
    last: &ChangeHash,
    layout: &[u8],
) -> rusqlite::Result<()> {
    super::ensure(conn, "laid_records", LAID_TABLE)?;
    conn.prepare_cached(
        "INSERT INTO laid_records (doc, record, touches, last, layout) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (doc, record) DO UPDATE SET touches = ?3, last = ?4, layout = ?5",
    )?
    .execute(params![
        doc,
        record,
        i64::try_from(touches).unwrap_or(i64::MAX),
        last.0.as_slice(),
        layout
    ])?;
    Ok(())
}

/// The layout kept for `record` of `doc` and how many changes of it the
/// index holds, when the layout is of the record as the index has it: the
/// index holds the change that left it and as many touches as then (no
/// change of the record since, from here or elsewhere).
pub(crate) fn laid(
    conn: &Connection,
    doc: &str,
    record: &str,
) -> rusqlite::Result<Option<(Vec<u8>, u64)>> {
    if !in_schema(conn, "laid_records")? || !in_schema(conn, "history_rows")? {
        return Ok(None);
    }
    let kept: Option<(i64, Vec<u8>, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT touches, last, layout FROM laid_records WHERE doc = ?1 AND record = ?2",
        )?
        .query_row(params![doc, record], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((touches, last, layout)) = kept else {
        return Ok(None);
    };
    let (count, has_last): (i64, i64) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(max(c.hash = ?3), 0)
             FROM history_rows r JOIN history_changes c ON c.id = r.change
             WHERE r.record = ?1 AND c.doc = ?2",
        )?
        .query_row(params![record, doc, last], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok((count == touches && has_last == 1)
        .then(|| u64::try_from(touches).ok().map(|t| (layout, t)))
        .flatten())
}

/// Which documents' indexes hold touches of records whose id starts with
/// `prefix` (lowercase hex): each record, its collection and document.
pub(crate) fn records_with_prefix(
    conn: &Connection,
    prefix: &str,
) -> rusqlite::Result<Vec<(String, String, String)>> {
    // Ids are lowercase hex, all below 'g': the range is every id that
    // starts with the prefix, read from the index on `record`.
    let read = || {
        let mut st = conn.prepare_cached(
            "SELECT DISTINCT r.record, r.collection, c.doc
             FROM history_rows r JOIN history_changes c ON c.id = r.change
             WHERE r.record >= ?1 AND r.record < ?1 || 'g'",
        )?;
        let rows = st.query_map([prefix], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect()
    };
    absent_ok(read())
}

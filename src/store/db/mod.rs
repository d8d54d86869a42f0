//! The SQLite file that holds a workspace's documents (`workspace.db`).
//!
//! Format (see docs/STORAGE.md): WAL journal, `synchronous=FULL`, so a
//! transaction that returned from COMMIT survives a crash or power cut.
//!
//! - `meta(key, value)`: workspace id, format version, this device's id.
//! - `docs(id, snapshot, generation, heads)`: one row per automerge document,
//!   its latest compacted snapshot, a counter bumped by each compaction, and
//!   the heads the document has once every chunk is loaded.
//!   Index `docs_versions` covers (id, generation, heads), so reading the
//!   versions never touches snapshot pages. Since format 2 `docs.heads` is
//!   the heads of the row as written, and:
//! - `doc_heads(id, heads)`: each document's heads once every chunk is
//!   loaded, kept up to date by each write. Apart from `docs` because
//!   changing a value stored after a snapshot makes SQLite read and
//!   rewrite the snapshot's pages: a write to a city's largest district
//!   (538 KB) took 1.3 ms to commit instead of 0.43 ms. Format 1 kept the
//!   heads in `docs` only; such a file gains `doc_heads` on its first
//!   write, and until then is read as it is.
//! - `chunks(seq, doc, data)`: incremental changes, one row per commit.
//!   `seq` only grows (AUTOINCREMENT), so a process can ask for "everything
//!   after the last chunk I saw".
//!
//! Writers take SQLite's write lock first (`BEGIN IMMEDIATE`), so processes
//! sharing a workspace take turns; readers are never blocked.

use super::StoreError;
use automerge::ChangeHash;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `PRAGMA application_id` of a bangfu workspace: "bfu1".
const APPLICATION_ID: i32 = 0x6266_7531;
/// The storage format this version writes and reads.
pub(crate) const FORMAT_VERSION: i32 = 2;
/// How long a writer waits for another process's write to finish.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

const SCHEMA: &str = "
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
CREATE TABLE docs (
    id         TEXT PRIMARY KEY,
    snapshot   BLOB NOT NULL,
    generation INTEGER NOT NULL,
    heads      BLOB NOT NULL
) STRICT;
CREATE TABLE chunks (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    doc  TEXT NOT NULL REFERENCES docs(id),
    data BLOB NOT NULL
) STRICT;
CREATE INDEX chunks_by_doc ON chunks(doc, seq);
CREATE INDEX docs_versions ON docs(id, generation, heads);
";

/// Each document's heads (format 2): made with a new workspace, or by the
/// first write to a format 1 file.
const DOC_HEADS_TABLE: &str = "
CREATE TABLE IF NOT EXISTS doc_heads (
    id    TEXT PRIMARY KEY REFERENCES docs(id),
    heads BLOB NOT NULL,
    tips  BLOB
) STRICT;
";

/// Every catch-up (each write, each reload, each sync) reads every
/// document's `heads`, which is stored after its snapshot: without this
/// covering index SQLite walks each snapshot's overflow pages to reach it
/// (province: 3.9 ms against 0.04 ms). Created with new workspaces, and on
/// the first write of one made before it existed.
const DOCS_VERSIONS_INDEX: &str =
    "CREATE INDEX IF NOT EXISTS docs_versions ON docs(id, generation, heads);";

/// One incremental chunk.
pub(crate) struct ChunkRow {
    pub seq: i64,
    pub doc: String,
    pub data: Vec<u8>,
}

/// Heads are stored as their 32-byte hashes, sorted, concatenated.
pub(crate) fn encode_heads(heads: &[ChangeHash]) -> Vec<u8> {
    let mut hs = heads.to_vec();
    hs.sort();
    hs.iter().flat_map(|h| h.0).collect()
}

pub(crate) fn decode_heads(bytes: &[u8]) -> Option<Vec<ChangeHash>> {
    if !bytes.len().is_multiple_of(32) {
        return None;
    }
    bytes
        .chunks(32)
        .map(|c| <[u8; 32]>::try_from(c).ok().map(ChangeHash))
        .collect()
}

pub(crate) struct Db {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
}

fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

impl Db {
    /// Creates a new workspace file at `path`, which must not exist. The file
    /// is built under a temporary name and renamed into place, so a crash
    /// never leaves a half-made workspace behind.
    pub(crate) fn create(
        path: &Path,
        meta: &[(&str, &str)],
        docs: &[(String, Vec<u8>, Vec<ChangeHash>)],
    ) -> Result<Db, StoreError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let tmp = path.with_extension(format!("db.new-{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let build = || -> Result<(), StoreError> {
            let err = sql_err(&tmp);
            let mut conn = Connection::open_with_flags(
                &tmp,
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(&err)?;
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(&err)?;
            conn.pragma_update(None, "synchronous", "FULL")
                .map_err(&err)?;
            let tx = conn.transaction().map_err(&err)?;
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(&err)?;
            tx.pragma_update(None, "user_version", FORMAT_VERSION)
                .map_err(&err)?;
            tx.execute_batch(SCHEMA).map_err(&err)?;
            tx.execute_batch(DOC_HEADS_TABLE).map_err(&err)?;
            for (k, v) in meta {
                tx.execute(
                    "INSERT INTO meta(key, value) VALUES (?1, ?2)",
                    params![k, v],
                )
                .map_err(&err)?;
            }
            for (id, snapshot, heads) in docs {
                insert_doc(&tx, id, snapshot, heads).map_err(&err)?;
            }
            tx.commit().map_err(&err)?;
            conn.close().map_err(|(_, e)| err(e))?;
            Ok(())
        };
        if let Err(e) = build() {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        if path.exists() {
            let _ = std::fs::remove_file(&tmp);
            return Err(StoreError::AlreadyExists {
                dir: dir.to_path_buf(),
            });
        }
        std::fs::rename(&tmp, path).map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        sync_dir(dir);
        Db::open(path)
    }

    /// Opens an existing workspace file. Reads only: nothing on disk changes
    /// until the first write.
    pub(crate) fn open(path: &Path) -> Result<Db, StoreError> {
        super::data_dir_ok(path.parent().unwrap_or(Path::new(".")))?;
        if !path.exists() {
            return Err(StoreError::NoWorkspace {
                dir: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
            });
        }
        crate::identity::make_private(path.parent().unwrap_or(Path::new(".")));
        let err = sql_err(path);
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(&err)?;
        // Another kind of file under the workspace's name: not ours, not
        // damage to repair.
        let not_ours = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotAWorkspace {
                path: path.to_path_buf(),
            },
            _ => err(e),
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(not_ours)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(not_ours)?;
        let app: i32 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(not_ours)?;
        if app != APPLICATION_ID {
            return Err(StoreError::NotAWorkspace {
                path: path.to_path_buf(),
            });
        }
        let version: i32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(&err)?;
        if version > FORMAT_VERSION {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                version,
            });
        }
        Ok(Db {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Starts a write: takes the workspace's write lock, waiting for other
    /// processes' writes to finish.
    pub(crate) fn begin_write(&mut self) -> Result<rusqlite::Transaction<'_>, StoreError> {
        let path = self.path.clone();
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(move |source| StoreError::Sqlite { path, source })
    }

    /// Starts a read: one consistent view of every table until it ends.
    pub(crate) fn begin_read(&mut self) -> Result<rusqlite::Transaction<'_>, StoreError> {
        let path = self.path.clone();
        self.conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(move |source| StoreError::Sqlite { path, source })
    }
}

/// Makes a rename durable on filesystems that need the directory synced.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

pub(crate) fn meta_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
}

pub(crate) fn insert_doc(
    conn: &Connection,
    id: &str,
    snapshot: &[u8],
    heads: &[ChangeHash],
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO docs(id, snapshot, generation, heads) VALUES (?1, ?2, 0, ?3)",
        params![id, snapshot, encode_heads(heads)],
    )?;
    set_heads(conn, id, heads, None)
}

/// Whether the file's schema has a table or index of this name.
fn in_schema(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM sqlite_master WHERE name = ?1")?
        .exists([name])
}

/// Runs `ddl`, which creates tables made on first use, unless `last`, the
/// last thing it creates, is there already: a cached query, where the
/// statements themselves would be parsed anew on every write.
pub(crate) fn ensure(conn: &Connection, last: &str, ddl: &str) -> rusqlite::Result<()> {
    if !in_schema(conn, last)? {
        conn.execute_batch(ddl)?;
    }
    Ok(())
}

/// Whether this file keeps heads in `doc_heads` (format 2 on).
fn has_heads_table(conn: &Connection) -> rusqlite::Result<bool> {
    in_schema(conn, "doc_heads")
}

/// Whether `doc_heads` has its `tips` column (`append.rs`): made with the
/// table since, added by the first write to a file made before.
fn has_tips_column(conn: &Connection) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM pragma_table_info('doc_heads') WHERE name = 'tips'")?
        .exists([])
}

/// Records `doc`'s heads once every chunk is loaded, with the document's
/// tips at those heads when the writer knows them (`append.rs`; none
/// otherwise, so tips never outlive their heads). A format 1 file is
/// brought to format 2 first (inside the caller's write transaction).
fn set_heads(
    conn: &Connection,
    doc: &str,
    heads: &[ChangeHash],
    tips: Option<&[u8]>,
) -> rusqlite::Result<()> {
    if !has_heads_table(conn)? {
        conn.execute_batch(DOC_HEADS_TABLE)?;
        conn.execute_batch(&format!(
            "INSERT OR IGNORE INTO doc_heads (id, heads) SELECT id, heads FROM docs;
             PRAGMA user_version = {FORMAT_VERSION};"
        ))?;
    }
    if !has_tips_column(conn)? {
        conn.execute_batch("ALTER TABLE doc_heads ADD COLUMN tips BLOB")?;
    }
    // An update in place: a replace would rewrite the key's index too.
    conn.prepare_cached(
        "INSERT INTO doc_heads (id, heads, tips) VALUES (?1, ?2, ?3)
         ON CONFLICT(id) DO UPDATE SET heads = excluded.heads, tips = excluded.tips",
    )?
    .execute(params![doc, encode_heads(heads), tips])?;
    Ok(())
}

/// A document's tips as last written with its heads (`append.rs`), if
/// any.
pub(crate) fn tips(conn: &Connection, doc: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    if !has_heads_table(conn)? || !has_tips_column(conn)? {
        return Ok(None);
    }
    Ok(conn
        .prepare_cached("SELECT tips FROM doc_heads WHERE id = ?1")?
        .query_row([doc], |r| r.get::<_, Option<Vec<u8>>>(0))
        .optional()?
        .flatten())
}

/// Where a document row's heads are read from: `doc_heads` over
/// `docs.heads` (format 2), or `docs.heads` alone (a format 1 file not yet
/// written to). The table clause (`docs` as `d`) and the heads column.
fn heads_source(conn: &Connection) -> rusqlite::Result<(&'static str, &'static str)> {
    Ok(if has_heads_table(conn)? {
        (
            "docs d LEFT JOIN doc_heads h ON h.id = d.id",
            "COALESCE(h.heads, d.heads)",
        )
    } else {
        ("docs d", "d.heads")
    })
}

/// Every document row: (id, generation, heads) without the snapshot bytes.
pub(crate) fn doc_versions(conn: &Connection) -> rusqlite::Result<Vec<(String, i64, Vec<u8>)>> {
    let (from, heads) = heads_source(conn)?;
    let sql = format!("SELECT d.id, d.generation, {heads} FROM {from} ORDER BY d.id");
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

/// A document's snapshot, compaction generation and encoded heads.
pub(crate) type DocRow = (Vec<u8>, i64, Vec<u8>);

/// One document's full row, if it exists.
pub(crate) fn doc_row(conn: &Connection, id: &str) -> rusqlite::Result<Option<DocRow>> {
    let (from, heads) = heads_source(conn)?;
    let sql = format!("SELECT d.snapshot, d.generation, {heads} FROM {from} WHERE d.id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
}

/// Chunks after `seq`, in order, optionally of one document only.
pub(crate) fn chunks_after(
    conn: &Connection,
    seq: i64,
    doc: Option<&str>,
) -> rusqlite::Result<Vec<ChunkRow>> {
    let map = |r: &rusqlite::Row<'_>| {
        Ok(ChunkRow {
            seq: r.get(0)?,
            doc: r.get(1)?,
            data: r.get(2)?,
        })
    };
    match doc {
        Some(d) => {
            let mut st = conn.prepare(
                "SELECT seq, doc, data FROM chunks WHERE doc = ?1 AND seq > ?2 ORDER BY seq",
            )?;
            st.query_map(params![d, seq], map)?.collect()
        }
        None => {
            let mut st =
                conn.prepare("SELECT seq, doc, data FROM chunks WHERE seq > ?1 ORDER BY seq")?;
            st.query_map([seq], map)?.collect()
        }
    }
}

/// The highest chunk number ever handed out (0 for none). Survives
/// compaction, which deletes chunks but never reuses their numbers.
pub(crate) fn last_seq(conn: &Connection) -> rusqlite::Result<i64> {
    let from_seq: Option<i64> = conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'chunks'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(from_seq.unwrap_or(0))
}

pub(crate) fn insert_chunk(
    conn: &Connection,
    doc: &str,
    data: &[u8],
    heads: &[ChangeHash],
    tips: Option<&[u8]>,
) -> rusqlite::Result<i64> {
    conn.prepare_cached("INSERT INTO chunks(doc, data) VALUES (?1, ?2)")?
        .execute(params![doc, data])?;
    let seq = conn.last_insert_rowid();
    set_heads(conn, doc, heads, tips)?;
    Ok(seq)
}

/// A document's chunks: how many, their total bytes, and its snapshot's bytes.
pub(crate) fn chunk_stats(conn: &Connection, doc: &str) -> rusqlite::Result<(i64, i64, i64)> {
    // Asked after every write: prepared once.
    conn.prepare_cached(
        "SELECT (SELECT COUNT(*) FROM chunks WHERE doc = ?1),
                (SELECT COALESCE(SUM(LENGTH(data)), 0) FROM chunks WHERE doc = ?1),
                (SELECT LENGTH(snapshot) FROM docs WHERE id = ?1)",
    )?
    .query_row([doc], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get::<_, Option<i64>>(2)?.unwrap_or(0),
        ))
    })
}

/// The documents whose upkeep an interface left for later (see
/// `Options::upkeep_when_idle`): kept on disk so that a process killed
/// before its upkeep leaves it to the next interface.
pub(crate) fn upkeep_pending(conn: &Connection) -> rusqlite::Result<BTreeSet<String>> {
    Ok(meta_get(conn, UPKEEP_PENDING)?
        .map(|v| v.lines().map(str::to_string).collect())
        .unwrap_or_default())
}

/// Adds `doc` to the documents awaiting upkeep.
pub(crate) fn mark_upkeep_pending(conn: &Connection, doc: &str) -> rusqlite::Result<()> {
    let mut docs = upkeep_pending(conn)?;
    docs.insert(doc.to_string());
    set_upkeep_pending(conn, &docs)
}

/// Takes `done` off the documents awaiting upkeep (another process's
/// stay).
pub(crate) fn clear_upkeep_pending(
    conn: &Connection,
    done: &BTreeSet<String>,
) -> rusqlite::Result<()> {
    let mut docs = upkeep_pending(conn)?;
    docs.retain(|d| !done.contains(d));
    set_upkeep_pending(conn, &docs)
}

/// Records `docs` as the documents awaiting upkeep (none: no row).
fn set_upkeep_pending(conn: &Connection, docs: &BTreeSet<String>) -> rusqlite::Result<()> {
    if docs.is_empty() {
        conn.prepare_cached("DELETE FROM meta WHERE key = ?1")?
            .execute([UPKEEP_PENDING])?;
    } else {
        let value = docs.iter().cloned().collect::<Vec<_>>().join("\n");
        conn.prepare_cached(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )?
        .execute(params![UPKEEP_PENDING, value])?;
    }
    Ok(())
}

const UPKEEP_PENDING: &str = "upkeep_pending";

/// Changes when another connection commits to the file (not when this
/// one does).
pub(crate) fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("PRAGMA data_version")?
        .query_row([], |r| r.get(0))
}

pub(crate) fn chunk_count(conn: &Connection, doc: &str) -> rusqlite::Result<i64> {
    conn.query_row("SELECT COUNT(*) FROM chunks WHERE doc = ?1", [doc], |r| {
        r.get(0)
    })
}

/// Replaces a document's snapshot with one holding every chunk up to
/// `through`, and deletes those chunks. Runs inside a write transaction, so
/// no other process can add a chunk in between.
pub(crate) fn replace_snapshot(
    conn: &Connection,
    doc: &str,
    snapshot: &[u8],
    through: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE docs SET snapshot = ?2, generation = generation + 1 WHERE id = ?1",
        params![doc, snapshot],
    )?;
    conn.execute(
        "DELETE FROM chunks WHERE doc = ?1 AND seq <= ?2",
        params![doc, through],
    )?;
    Ok(())
}

/// Replaces a document with `snapshot` (a new generation, new heads) and
/// drops its chunks up to `through` and every peer's sync state for it:
/// the document was rewritten without some changes (a revoked device's).
pub(crate) fn rewrite_doc(
    conn: &Connection,
    doc: &str,
    snapshot: &[u8],
    heads: &[ChangeHash],
    through: i64,
) -> rusqlite::Result<()> {
    replace_snapshot(conn, doc, snapshot, through)?;
    conn.execute(
        "UPDATE docs SET heads = ?2 WHERE id = ?1",
        params![doc, encode_heads(heads)],
    )?;
    set_heads(conn, doc, heads, None)?;
    drop_history(conn, doc)?;
    absent_ok(
        conn.execute("DELETE FROM sync_states WHERE doc = ?1", [doc])
            .map(|_| ()),
    )
}

/// Views of documents (see `view.rs`): derived data, safe to lose. Created
/// on first use, so workspaces made before it existed need no migration.
const VIEWS_TABLE: &str = "
CREATE TABLE IF NOT EXISTS views (
    doc    TEXT PRIMARY KEY,
    heads  BLOB NOT NULL,
    digest BLOB NOT NULL,
    format INTEGER NOT NULL,
    data   BLOB NOT NULL
) STRICT;
";

pub(crate) fn ensure_views_table(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(VIEWS_TABLE)?;
    conn.execute_batch(DOCS_VERSIONS_INDEX)
}

/// SHA-256 over a document's stored bytes: its snapshot, then each chunk
/// in order, each behind its length. A view records the digest of the
/// bytes it was read from, so a flipped bit in them is never hidden by a
/// view: the document is loaded, and the damage reported.
pub(crate) fn doc_digest(conn: &Connection, doc: &str) -> rusqlite::Result<Vec<u8>> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let snapshot: Vec<u8> =
        conn.query_row("SELECT snapshot FROM docs WHERE id = ?1", [doc], |r| {
            r.get(0)
        })?;
    h.update((snapshot.len() as u64).to_le_bytes());
    h.update(&snapshot);
    for chunk in chunks_after(conn, 0, Some(doc))? {
        h.update((chunk.data.len() as u64).to_le_bytes());
        h.update(&chunk.data);
    }
    Ok(h.finalize().to_vec())
}

/// A document's view, if one is stored for exactly these heads, bytes and
/// format. A workspace without (or with an older) views table has none.
pub(crate) fn view(
    conn: &Connection,
    doc: &str,
    heads: &[u8],
    digest: &[u8],
    format: i64,
) -> Option<Vec<u8>> {
    conn.query_row(
        "SELECT data FROM views WHERE doc = ?1 AND heads = ?2 AND digest = ?3 AND format = ?4",
        params![doc, heads, digest, format],
        |r| r.get(0),
    )
    .ok()
}

pub(crate) fn put_view(
    conn: &Connection,
    doc: &str,
    heads: &[u8],
    digest: &[u8],
    format: i64,
    data: &[u8],
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO views(doc, heads, digest, format, data) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(doc) DO UPDATE SET heads = ?2, digest = ?3, format = ?4, data = ?5",
        params![doc, heads, digest, format, data],
    )?;
    Ok(())
}

mod exchange;
pub use exchange::*;
mod history;
pub(crate) use history::*;

//! The tables of this device's exchanges with others: peers, sync
//! states, settings, the membership log, change signatures and refusals.

use super::*;

/// Tables of this device's sync work: what it knows of peers, where each
/// document's sync with each peer stands, and settings. Made on first use.
const SYNC_TABLES: &str = "
CREATE TABLE IF NOT EXISTS peers (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    addrs     TEXT NOT NULL,
    last_seen INTEGER,
    last_sync INTEGER,
    last_error TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS sync_states (
    peer  TEXT NOT NULL,
    doc   TEXT NOT NULL,
    state BLOB NOT NULL,
    PRIMARY KEY (peer, doc)
) STRICT;
CREATE TABLE IF NOT EXISTS settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS kept_parts (
    doc    TEXT NOT NULL,
    digest BLOB NOT NULL,
    sigs   INTEGER NOT NULL,
    len    INTEGER NOT NULL,
    at     INTEGER NOT NULL,
    n      INTEGER NOT NULL,
    bytes  BLOB NOT NULL,
    PRIMARY KEY (doc, at)
) STRICT;
";

pub(crate) fn ensure_sync_tables(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SYNC_TABLES)
}

/// A missing table reads as nothing stored yet.
pub(super) fn absent_ok<T: Default>(r: rusqlite::Result<T>) -> rusqlite::Result<T> {
    match r {
        Err(rusqlite::Error::SqliteFailure(_, Some(msg))) if msg.contains("no such table") => {
            Ok(T::default())
        }
        other => other,
    }
}

pub(crate) fn sync_state(
    conn: &Connection,
    peer: &str,
    doc: &str,
) -> rusqlite::Result<Option<Vec<u8>>> {
    absent_ok(
        conn.query_row(
            "SELECT state FROM sync_states WHERE peer = ?1 AND doc = ?2",
            params![peer, doc],
            |r| r.get(0),
        )
        .optional(),
    )
}

pub(crate) fn put_sync_state(
    conn: &Connection,
    peer: &str,
    doc: &str,
    state: &[u8],
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sync_states(peer, doc, state) VALUES (?1, ?2, ?3)
         ON CONFLICT(peer, doc) DO UPDATE SET state = ?3",
        params![peer, doc, state],
    )?;
    Ok(())
}

/// Every stored sync state: (peer, document, state).
pub(crate) fn sync_states(conn: &Connection) -> rusqlite::Result<Vec<(String, String, Vec<u8>)>> {
    absent_ok((|| {
        let mut q = conn.prepare("SELECT peer, doc, state FROM sync_states")?;
        let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect()
    })())
}

pub(crate) fn setting(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    absent_ok(
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional(),
    )
}

pub(crate) fn put_setting(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO settings(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = ?2",
        params![key, value],
    )?;
    Ok(())
}

/// The beginning of a long sync message a session was cut in (see
/// `sync::session`): which message (its digest, the length of its
/// signatures and its whole length) and how many bytes of it are here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptRow {
    pub doc: String,
    pub digest: [u8; 32],
    pub sigs: u64,
    pub len: u64,
    pub have: u64,
}

/// Keeps the part of `k`'s message that starts at byte `at` (`k.have`
/// is not read). A part of another message of the same document, or a
/// first part, replaces what was kept of it.
pub(crate) fn keep_part(
    conn: &Connection,
    k: &KeptRow,
    at: u64,
    bytes: &[u8],
) -> rusqlite::Result<()> {
    let at = i64::try_from(at).unwrap_or(i64::MAX);
    conn.execute(
        "DELETE FROM kept_parts WHERE doc = ?1 AND (digest <> ?2 OR ?3 = 0 OR at >= ?3)",
        params![k.doc, k.digest.as_slice(), at],
    )?;
    conn.execute(
        "INSERT INTO kept_parts(doc, digest, sigs, len, at, n, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            k.doc,
            k.digest.as_slice(),
            i64::try_from(k.sigs).unwrap_or(i64::MAX),
            i64::try_from(k.len).unwrap_or(i64::MAX),
            at,
            i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            bytes
        ],
    )?;
    Ok(())
}

/// What is kept of each document's long message (bytes counted from the
/// first part on, as long as the parts follow each other).
pub(crate) fn kept(conn: &Connection) -> rusqlite::Result<Vec<KeptRow>> {
    absent_ok((|| {
        let mut q =
            conn.prepare("SELECT doc, digest, sigs, len, at, n FROM kept_parts ORDER BY doc, at")?;
        let rows = q.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        let mut out: Vec<KeptRow> = Vec::new();
        for row in rows {
            let (doc, digest, sigs, len, at, n) = row?;
            let (Ok(digest), Ok(sigs), Ok(len), Ok(at), Ok(n)) = (
                <[u8; 32]>::try_from(digest.as_slice()),
                u64::try_from(sigs),
                u64::try_from(len),
                u64::try_from(at),
                u64::try_from(n),
            ) else {
                continue;
            };
            if let Some(k) = out.last_mut().filter(|k| k.doc == doc) {
                if k.digest == digest && k.have == at {
                    k.have = k.have.saturating_add(n);
                }
            } else if at == 0 {
                out.push(KeptRow {
                    doc,
                    digest,
                    sigs,
                    len,
                    have: n,
                });
            }
        }
        Ok(out)
    })())
}

/// The first `have` bytes kept of `doc`'s message with `digest`, if they
/// are all here (parts that follow each other from the first).
pub(crate) fn kept_bytes(
    conn: &Connection,
    doc: &str,
    digest: &[u8; 32],
    have: u64,
) -> rusqlite::Result<Option<Vec<u8>>> {
    absent_ok((|| {
        let mut q = conn.prepare(
            "SELECT at, bytes FROM kept_parts WHERE doc = ?1 AND digest = ?2 ORDER BY at",
        )?;
        let rows = q.query_map(params![doc, digest.as_slice()], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (at, bytes) = row?;
            if u64::try_from(at).ok() != u64::try_from(out.len()).ok() {
                break;
            }
            out.extend(bytes);
        }
        let Ok(have) = usize::try_from(have) else {
            return Ok(None);
        };
        if out.len() < have {
            return Ok(None);
        }
        out.truncate(have);
        Ok(Some(out))
    })())
}

/// Forgets what is kept of the documents' long messages.
pub(crate) fn drop_kept<'a>(
    conn: &Connection,
    docs: impl IntoIterator<Item = &'a String>,
) -> rusqlite::Result<()> {
    let mut q = match conn.prepare("DELETE FROM kept_parts WHERE doc = ?1") {
        Ok(q) => q,
        Err(e) => return absent_ok(Err(e)),
    };
    for d in docs {
        q.execute([d])?;
    }
    Ok(())
}

/// A peer as this device remembers it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerRow {
    pub id: String,
    pub name: String,
    /// Socket addresses it was reachable at, as text.
    pub addrs: Vec<String>,
    pub last_seen: Option<i64>,
    pub last_sync: Option<i64>,
    pub last_error: Option<String>,
}

pub(crate) fn peers(conn: &Connection) -> rusqlite::Result<Vec<PeerRow>> {
    let run = || -> rusqlite::Result<Vec<PeerRow>> {
        let mut st = conn.prepare(
            "SELECT id, name, addrs, last_seen, last_sync, last_error FROM peers ORDER BY name, id",
        )?;
        st.query_map([], |r| {
            let addrs: String = r.get(2)?;
            Ok(PeerRow {
                id: r.get(0)?,
                name: r.get(1)?,
                addrs: serde_json::from_str(&addrs).unwrap_or_default(),
                last_seen: r.get(3)?,
                last_sync: r.get(4)?,
                last_error: r.get(5)?,
            })
        })?
        .collect()
    };
    absent_ok(run())
}

pub(crate) fn put_peer(conn: &Connection, p: &PeerRow) -> rusqlite::Result<()> {
    let addrs = serde_json::to_string(&p.addrs).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "INSERT INTO peers(id, name, addrs, last_seen, last_sync, last_error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(id) DO UPDATE SET name = ?2, addrs = ?3, last_seen = ?4, last_sync = ?5, last_error = ?6",
        params![p.id, p.name, addrs, p.last_seen, p.last_sync, p.last_error],
    )?;
    Ok(())
}

/// The membership log (`src/trust`): certificates as received, each once.
/// Made on first use, like the sync tables.
const TRUST_TABLES: &str = "
CREATE TABLE IF NOT EXISTS certs (
    hash     TEXT PRIMARY KEY,
    data     BLOB NOT NULL,
    added_ms INTEGER NOT NULL
) STRICT;
";

pub(crate) fn put_cert(conn: &Connection, hash: &str, data: &[u8]) -> rusqlite::Result<bool> {
    conn.execute_batch(TRUST_TABLES)?;
    let n = conn.execute(
        "INSERT OR IGNORE INTO certs(hash, data, added_ms) VALUES (?1, ?2, ?3)",
        params![hash, data, crate::store::now_ms()],
    )?;
    Ok(n > 0)
}

/// Every certificate stored, oldest first.
pub(crate) fn certs(conn: &Connection) -> rusqlite::Result<Vec<Vec<u8>>> {
    let run = || -> rusqlite::Result<Vec<Vec<u8>>> {
        let mut st = conn.prepare("SELECT data FROM certs ORDER BY rowid")?;
        st.query_map([], |r| r.get(0))?.collect()
    };
    absent_ok(run())
}

pub(crate) fn cert_count(conn: &Connection) -> rusqlite::Result<i64> {
    absent_ok(conn.query_row("SELECT count(*) FROM certs", [], |r| r.get(0)))
}

/// Sets `key` in `meta` unless it is set already (a pin: the first counts).
pub(crate) fn meta_pin(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO meta(key, value) VALUES (?1, ?2)",
        params![key, value],
    )?;
    Ok(())
}

/// Signatures of document changes (`trust::changes`), this device's and
/// those received with changes it merged, kept to pass on. Made on first
/// use.
const SIG_TABLES: &str = "
CREATE TABLE IF NOT EXISTS sigs (
    hash BLOB PRIMARY KEY,   -- the change's hash (32 bytes)
    sig  BLOB NOT NULL       -- ed25519 signature by its author's device
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS refusals (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms  INTEGER NOT NULL,
    source TEXT NOT NULL,    -- the peer that sent it, or 'bundle:<exporter>'
    doc    TEXT NOT NULL,
    change TEXT NOT NULL,    -- hash, hex
    author TEXT NOT NULL,    -- device id (or actor id when unknown)
    record TEXT,             -- collection/key
    reason TEXT NOT NULL
) STRICT;
";

pub(crate) fn ensure_sig_tables(conn: &Connection) -> rusqlite::Result<()> {
    super::ensure(conn, "refusals", SIG_TABLES)
}

/// This device's signatures of the changes its interface saved since its
/// last upkeep (`Options::upkeep_when_idle`): a table of a few rows, so a
/// save writes one of its pages, where an insert into `sigs` (keyed by
/// random hashes, its pages full after a `VACUUM`) split pages at each
/// level of the tree. The upkeep moves them into `sigs`; a reader looks in
/// both. Made on first use.
const RECENT_SIGS_TABLE: &str = "
CREATE TABLE IF NOT EXISTS recent_sigs (
    hash BLOB PRIMARY KEY,
    sig  BLOB NOT NULL
) STRICT, WITHOUT ROWID;
";

/// Stores signatures: into `recent_sigs` when `recent` (an interface's
/// save), else into `sigs`.
pub(crate) fn put_sigs(
    conn: &Connection,
    sigs: &[(ChangeHash, crate::trust::changes::Sig)],
    recent: bool,
) -> rusqlite::Result<()> {
    if sigs.is_empty() {
        return Ok(());
    }
    let sql = if recent {
        super::ensure(conn, "recent_sigs", RECENT_SIGS_TABLE)?;
        "INSERT OR IGNORE INTO recent_sigs(hash, sig) VALUES (?1, ?2)"
    } else {
        ensure_sig_tables(conn)?;
        "INSERT OR IGNORE INTO sigs(hash, sig) VALUES (?1, ?2)"
    };
    let mut st = conn.prepare_cached(sql)?;
    for (h, s) in sigs {
        st.execute(params![&h.0[..], &s[..]])?;
    }
    Ok(())
}

/// Moves the recent signatures into `sigs` (the upkeep).
pub(crate) fn fold_recent_sigs(conn: &Connection) -> rusqlite::Result<()> {
    if !super::in_schema(conn, "recent_sigs")? {
        return Ok(());
    }
    ensure_sig_tables(conn)?;
    conn.prepare_cached("INSERT OR IGNORE INTO sigs(hash, sig) SELECT hash, sig FROM recent_sigs")?
        .execute([])?;
    conn.prepare_cached("DELETE FROM recent_sigs")?
        .execute([])?;
    Ok(())
}

/// The stored signature of a change, if any.
pub(crate) fn sig(
    conn: &Connection,
    hash: &ChangeHash,
) -> rusqlite::Result<Option<crate::trust::changes::Sig>> {
    for sql in [
        "SELECT sig FROM sigs WHERE hash = ?1",
        "SELECT sig FROM recent_sigs WHERE hash = ?1",
    ] {
        let bytes: Option<Vec<u8>> = absent_ok(
            conn.prepare_cached(sql)
                .and_then(|mut st| st.query_row([&hash.0[..]], |r| r.get(0)).optional()),
        )?;
        if let Some(b) = bytes {
            return Ok(<[u8; 64]>::try_from(b).ok());
        }
    }
    Ok(None)
}

/// A refused change as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalRow {
    pub at_ms: i64,
    pub source: String,
    pub doc: String,
    pub change: String,
    pub author: String,
    pub record: Option<String>,
    pub reason: String,
}

pub(crate) fn put_refusals(conn: &Connection, rows: &[RefusalRow]) -> rusqlite::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    ensure_sig_tables(conn)?;
    let mut st = conn.prepare_cached(
        "INSERT INTO refusals(at_ms, source, doc, change, author, record, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for r in rows {
        st.execute(params![
            r.at_ms, r.source, r.doc, r.change, r.author, r.record, r.reason
        ])?;
    }
    Ok(())
}

pub(crate) fn refusal_count(conn: &Connection) -> rusqlite::Result<i64> {
    absent_ok(conn.query_row("SELECT count(*) FROM refusals", [], |r| r.get(0)))
}

/// The newest refusals first, at most `limit`.
pub(crate) fn refusals(conn: &Connection, limit: i64) -> rusqlite::Result<Vec<RefusalRow>> {
    let run = || -> rusqlite::Result<Vec<RefusalRow>> {
        let mut st = conn.prepare(
            "SELECT at_ms, source, doc, change, author, record, reason FROM refusals
             ORDER BY seq DESC LIMIT ?1",
        )?;
        st.query_map([limit], |r| {
            Ok(RefusalRow {
                at_ms: r.get(0)?,
                source: r.get(1)?,
                doc: r.get(2)?,
                change: r.get(3)?,
                author: r.get(4)?,
                record: r.get(5)?,
                reason: r.get(6)?,
            })
        })?
        .collect()
    };
    absent_ok(run())
}

//! Attached files between two devices, after their records (see
//! docs/SYNC.md, "Attached files"), with iroh-blobs: BLAKE3-verified
//! streaming, so a peer's wrong bytes are caught within 16 KiB and never
//! kept, and transfers that resume from what arrived before.
//!
//! On its own protocol (`bangfu/files/1`), behind the same gate as sync
//! (members only). The dialer opens one stream to tell what it lacks; the
//! other side answers with what it has of that (only files of records the
//! dialer may read) and what it lacks itself; the dialer answers that in
//! turn. Then each side serves the files it offered (every request is
//! checked against that offer: nothing else can be asked for, by hash or
//! otherwise) and fetches the files the other offered, thumbnails first,
//! smallest first. Each says when it is done; the dialer then closes.
//!
//! A file is kept (`store::blobs`) only whole and checked; what arrived of
//! a cut transfer is kept apart (`blobs/partial/`) and the next transfer,
//! from any peer, asks only for the rest.

use super::SyncError;
use super::session::{Shared, blocking, lock};
use super::wire::{self, FileList, Frame};
use crate::domain::Blob;
use crate::store::Wanted;
use crate::store::blobs::Blobs;
use iroh::endpoint::Connection;
use iroh_blobs::Hash;
use iroh_blobs::api::proto::Bitfield;
use iroh_blobs::api::remote::GetProgressItem;
use iroh_blobs::get::GetError;
use iroh_blobs::get::fsm::DecodeError;
use iroh_blobs::provider::events::{
    AbortReason, ConnectMode, EventMask, EventSender, ObserveMode, ProviderMessage, RequestMode,
    RequestUpdate, ThrottleMode,
};
use iroh_blobs::store::mem::MemStore;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub const FILES_ALPN: &[u8] = b"bangfu/files/1";

/// At most this many files are named in one list (the rest wait for the
/// next session).
pub const MAX_LIST: usize = 20_000;
/// The largest file list read from a peer.
const MAX_LIST_FRAME: u32 = 4 * 1024 * 1024;
/// Progress is told at least every this many bytes of a file.
const PROGRESS_STEP: u64 = 64 * 1024;
/// What arrived of a file is kept at least this far apart (and every
/// quarter of a larger file).
const SAVE_STEP: u64 = 1024 * 1024;
/// How often the serving store lets go of files whose transfer ended.
const SERVED_KEPT: Duration = Duration::from_secs(5);
/// At most this many files are fetched at once…
const AT_ONCE: usize = 4;
/// …and more than one only while their sizes add up to at most this.
const AT_ONCE_BYTES: u64 = 32 * 1024 * 1024;
/// A side ends the exchange when no file's bytes have moved for this long
/// (nor the lists): a stalled transfer, a peer that holds the connection
/// open and asks for nothing.
const QUIET_LIMIT: Duration = Duration::from_secs(120);
/// However busy, an exchange ends after this long (what arrived of a file
/// is kept, and the next sync goes on from it).
const DONE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// What one exchange of files did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilesReport {
    /// Files this side lacked at the start (of those it fetches).
    pub wanted: usize,
    /// Of those, the ones the peer had.
    pub offered: usize,
    /// Files received whole and kept.
    pub received: usize,
    /// File bytes received (payload, checked), this time.
    pub bytes_received: u64,
    /// Files the peer asked for and was sent.
    pub sent: usize,
    pub bytes_sent: u64,
    /// Why the exchange stopped early, if it did (the records synced all
    /// the same).
    pub error: Option<String>,
}

/// Which files this side fetches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilesPolicy {
    /// No files at all: records only (the worst links).
    pub off: bool,
    /// Thumbnails only (a metered link): full files wait.
    pub thumbnails_only: bool,
    /// Full files fetched all the same (asked for one by one).
    pub also: BTreeSet<String>,
}

impl FilesPolicy {
    /// The device's setting: `files = all` (the default), `thumbnails`
    /// (full files only when asked for one by one) or `off`; with the
    /// files asked for.
    pub fn of(ws: &crate::store::Workspace) -> FilesPolicy {
        let setting = ws.setting("files").ok().flatten();
        FilesPolicy {
            off: setting.as_deref() == Some("off"),
            thumbnails_only: setting.as_deref() == Some("thumbnails"),
            also: ws.files_asked_for(),
        }
    }

    /// Whether a file this device lacks is fetched (with `off`, no
    /// exchange of files takes place at all).
    pub fn wants(&self, w: &Wanted) -> bool {
        w.thumbnail || !self.thumbnails_only || self.also.contains(&w.blob.hash)
    }

    /// Whether this device lacks any file it would fetch.
    pub fn wants_any(&self, ws: &crate::store::Workspace) -> bool {
        !self.off && ws.files_lacking().iter().any(|x| self.wants(x))
    }

    /// The setting's word.
    pub fn word(&self) -> &'static str {
        match (self.off, self.thumbnails_only) {
            (true, _) => "off",
            (false, true) => "thumbnails",
            (false, false) => "all",
        }
    }
}

/// Which side of the connection this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Dialer,
    Acceptor,
}

fn net(e: impl std::fmt::Display) -> SyncError {
    SyncError::Net(e.to_string())
}

/// A hash as iroh-blobs names it; none for what is not a hash.
fn to_hash(hex: &str) -> Option<Hash> {
    if !crate::store::blobs::is_hash(hex) {
        return None;
    }
    let bytes = data_encoding::HEXLOWER.decode(hex.as_bytes()).ok()?;
    let arr: [u8; 32] = bytes.try_into().ok()?;
    Some(Hash::from(arr))
}

/// Runs the exchange of files on `conn` with `peer` (its endpoint id).
pub async fn exchange(
    ws: &Shared,
    conn: &Connection,
    peer: &str,
    side: Side,
    policy: &FilesPolicy,
    progress: impl FnMut(&FilesReport),
) -> FilesReport {
    let mut report = FilesReport::default();
    if let Err(e) = run(ws, conn, peer, side, policy, &mut report, progress).await {
        report.error = Some(e.to_string());
    }
    report
}

async fn run(
    ws: &Shared,
    conn: &Connection,
    peer: &str,
    side: Side,
    policy: &FilesPolicy,
    report: &mut FilesReport,
    progress: impl FnMut(&FilesReport),
) -> Result<(), SyncError> {
    let (wanted, readable, blobs) = blocking(|| {
        let w = lock(ws);
        // Parts of files that are whole by now (a process killed between
        // keeping a file and forgetting its part), or left half-written.
        let lacking = w.files_lacking();
        w.blobs()
            .tidy_partials(&lacking.iter().map(|x| x.blob.hash.clone()).collect());
        let mut wanted: Vec<Wanted> = lacking.into_iter().filter(|x| policy.wants(x)).collect();
        wanted.truncate(MAX_LIST);
        (wanted, w.files_readable(peer), w.blobs())
    });
    report.wanted = wanted.len();
    let want: Vec<String> = wanted.iter().map(|w| w.blob.hash.clone()).collect();
    let (theirs, mine) = tokio::time::timeout(QUIET_LIMIT, inventory(conn, side, want, &readable))
        .await
        .map_err(|_| SyncError::TimedOut("the lists of files"))??;
    let fetch: Vec<Wanted> = wanted
        .into_iter()
        .filter(|w| theirs.contains(&w.blob))
        .collect();
    report.offered = fetch.len();
    let sent = Arc::new(Counters::new());
    let offered: Arc<BTreeMap<String, u64>> =
        Arc::new(mine.into_iter().map(|b| (b.hash, b.bytes)).collect());
    let serving = tokio::spawn(serve(conn.clone(), blobs.clone(), offered, sent.clone()));
    let fetched = fetch_all(conn, &blobs, fetch, report, progress).await;
    if let Err(e) = fetched {
        // A lost link, or a peer that sent wrong bytes: nothing more is
        // taken from it, nor given to it, this time.
        conn.close(1u32.into(), b"files stopped");
        serving.abort();
        report.sent = usize::try_from(sent.files.load(Ordering::Relaxed)).unwrap_or(usize::MAX);
        report.bytes_sent = sent.bytes.load(Ordering::Relaxed);
        return Err(e);
    }
    let ends = wait_done(conn, &sent).await;
    report.sent = usize::try_from(sent.files.load(Ordering::Relaxed)).unwrap_or(usize::MAX);
    report.bytes_sent = sent.bytes.load(Ordering::Relaxed);
    match side {
        Side::Dialer => conn.close(0u32.into(), b"done"),
        Side::Acceptor => {
            let _ = tokio::time::timeout(Duration::from_secs(8), conn.closed()).await;
        }
    }
    serving.abort();
    ends
}

/// Says this side is done, and serves until the other side says so too:
/// at most until nothing has been asked of this side for [`QUIET_LIMIT`],
/// and [`DONE_TIMEOUT`] in all.
async fn wait_done(conn: &Connection, sent: &Counters) -> Result<(), SyncError> {
    let said = async {
        let mut s = conn.open_uni().await.map_err(net)?;
        s.write_all(&[1]).await.map_err(net)?;
        s.finish().map_err(net)
    };
    let heard = async {
        let mut r = conn.accept_uni().await.map_err(net)?;
        let mut b = [0u8; 1];
        r.read_exact(&mut b).await.map_err(net)
    };
    let ends = async { tokio::try_join!(said, heard) };
    tokio::pin!(ends);
    let start = tokio::time::Instant::now();
    sent.moved_now();
    loop {
        tokio::select! {
            r = &mut ends => return r.map(|_| ()).or_else(|e| done_anyway(conn, e)),
            () = tokio::time::sleep(Duration::from_secs(5)) => {
                if sent.quiet_for() >= QUIET_LIMIT || start.elapsed() >= DONE_TIMEOUT {
                    return Err(SyncError::TimedOut("the exchange of files"));
                }
            }
        }
    }
}

/// The dialer closes with code 0 (`done`) once it heard this side's done
/// and its own was sent: its close may overtake its done byte, which is
/// then not read here, but the exchange did end well.
fn done_anyway(conn: &Connection, e: SyncError) -> Result<(), SyncError> {
    match conn.close_reason() {
        Some(iroh::endpoint::ConnectionError::ApplicationClosed(c))
            if c.error_code == 0u32.into() =>
        {
            Ok(())
        }
        _ => Err(e),
    }
}

/// The lists: what each side lacks, and what it has of what the other
/// lacks. Returns the files the peer offers and those this side offers.
async fn inventory(
    conn: &Connection,
    side: Side,
    want: Vec<String>,
    readable: &BTreeMap<String, u64>,
) -> Result<(BTreeSet<Blob>, Vec<Blob>), SyncError> {
    let offer = |theirs: &[String]| -> Vec<Blob> {
        theirs
            .iter()
            .filter_map(|h| {
                readable.get(h).map(|&bytes| Blob {
                    hash: h.clone(),
                    bytes,
                })
            })
            .take(MAX_LIST)
            .collect()
    };
    match side {
        Side::Dialer => {
            let (mut send, mut recv) = conn.open_bi().await.map_err(net)?;
            let first = FileList {
                want,
                have: Vec::new(),
            };
            wire::write(&mut send, &Frame::Files(first)).await?;
            let answer = read_list(&mut recv).await?;
            let mine = offer(&answer.want);
            let last = FileList {
                want: Vec::new(),
                have: mine.clone(),
            };
            wire::write(&mut send, &Frame::Files(last)).await?;
            let _ = send.finish();
            Ok((answer.have.into_iter().collect(), mine))
        }
        Side::Acceptor => {
            let (mut send, mut recv) = conn.accept_bi().await.map_err(net)?;
            let first = read_list(&mut recv).await?;
            let mine = offer(&first.want);
            let answer = FileList {
                want,
                have: mine.clone(),
            };
            wire::write(&mut send, &Frame::Files(answer)).await?;
            let last = read_list(&mut recv).await?;
            let _ = send.finish();
            Ok((last.have.into_iter().collect(), mine))
        }
    }
}

async fn read_list(r: &mut iroh::endpoint::RecvStream) -> Result<FileList, SyncError> {
    match wire::read_limited(r, MAX_LIST_FRAME).await? {
        (Frame::Files(l), _) => Ok(l),
        (other, _) => Err(SyncError::Protocol(format!(
            "expected a file list, got {other:?}"
        ))),
    }
}

/// What this side served, and when the last of it moved.
#[derive(Debug)]
struct Counters {
    files: AtomicU64,
    bytes: AtomicU64,
    since: std::time::Instant,
    /// When a served file's bytes last moved (milliseconds after `since`).
    moved: AtomicU64,
}

impl Counters {
    fn new() -> Counters {
        Counters {
            files: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            since: std::time::Instant::now(),
            moved: AtomicU64::new(0),
        }
    }

    fn moved_now(&self) {
        let ms = u64::try_from(self.since.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.moved.store(ms, Ordering::Relaxed);
    }

    fn quiet_for(&self) -> Duration {
        self.since
            .elapsed()
            .saturating_sub(Duration::from_millis(self.moved.load(Ordering::Relaxed)))
    }
}

/// Serves the files this side offered, and nothing else: any other hash,
/// a sequence of hashes, a push or an observation is refused. A file is
/// read into memory when asked for and leaves it once sent (the serving
/// store collects every few seconds what no transfer holds), so a peer
/// taking a whole city's photos costs the memory of the files of a few
/// seconds, not of all of them.
async fn serve(
    conn: Connection,
    blobs: Blobs,
    offered: Arc<BTreeMap<String, u64>>,
    sent: Arc<Counters>,
) {
    let store = MemStore::new_with_opts(iroh_blobs::store::mem::Options {
        gc_config: Some(iroh_blobs::store::GcConfig {
            interval: SERVED_KEPT,
            add_protected: None,
        }),
    });
    let mask = EventMask {
        connected: ConnectMode::None,
        get: RequestMode::InterceptLog,
        get_many: RequestMode::Disabled,
        push: RequestMode::Disabled,
        observe: ObserveMode::Intercept,
        throttle: ThrottleMode::None,
    };
    let (events, mut rx) = EventSender::channel(32, mask);
    let answer = {
        let store = store.clone();
        async move {
            while let Some(msg) = rx.recv().await {
                match msg {
                    ProviderMessage::GetRequestReceived(msg) => {
                        let hex = msg.request.hash.to_hex();
                        let size = offered.get(&hex).copied();
                        let tag = match size {
                            Some(bytes) if msg.request.ranges.is_blob() => {
                                let blob = Blob {
                                    hash: hex.to_string(),
                                    bytes,
                                };
                                load(&store, &blobs, &blob).await
                            }
                            _ => None,
                        };
                        let Some(tag) = tag else {
                            msg.tx.send(Err(AbortReason::Permission)).await.ok();
                            continue;
                        };
                        sent.files.fetch_add(1, Ordering::Relaxed);
                        sent.bytes.fetch_add(size.unwrap_or(0), Ordering::Relaxed);
                        msg.tx.send(Ok(())).await.ok();
                        // The file stays until its transfer ends.
                        let mut updates = msg.rx;
                        let sent = sent.clone();
                        tokio::spawn(async move {
                            while let Ok(Some(u)) = updates.recv().await {
                                sent.moved_now();
                                if matches!(
                                    u,
                                    RequestUpdate::Completed(_) | RequestUpdate::Aborted(_)
                                ) {
                                    break;
                                }
                            }
                            drop(tag);
                        });
                    }
                    ProviderMessage::ObserveRequestReceived(msg) => {
                        msg.tx.send(Err(AbortReason::Permission)).await.ok();
                    }
                    _ => {}
                }
            }
        }
    };
    let provide = iroh_blobs::provider::handle_connection(conn, store.clone().into(), events);
    tokio::join!(provide, answer);
}

/// Reads a file from the workspace's store (checked against its hash)
/// into the serving store, held there by the tag returned.
async fn load(store: &MemStore, blobs: &Blobs, blob: &Blob) -> Option<iroh_blobs::api::TempTag> {
    let (blobs, b) = (blobs.clone(), blob.clone());
    let bytes = tokio::task::spawn_blocking(move || blobs.read(&b))
        .await
        .ok()??;
    store.add_bytes(bytes).temp_tag().await.ok()
}

/// Fetches the files the peer offered, a few at once (on a slow link
/// their round trips overlap), in the order given (thumbnails first,
/// smallest first), each resuming from what arrived of it before; a file
/// is kept only whole and checked. Ends at the first file the peer sent
/// wrong bytes for, or when the link is lost.
async fn fetch_all(
    conn: &Connection,
    blobs: &Blobs,
    list: Vec<Wanted>,
    report: &mut FilesReport,
    mut progress: impl FnMut(&FilesReport),
) -> Result<(), SyncError> {
    let (tx, mut arrived) = tokio::sync::mpsc::unbounded_channel::<u64>();
    let mut queue = list.into_iter().peekable();
    let mut running: tokio::task::JoinSet<(u64, Result<bool, SyncError>)> = Default::default();
    let (mut in_flight, mut shown) = (0u64, 0u64);
    let mut failure = None;
    let mut moved = tokio::time::Instant::now();
    loop {
        while failure.is_none() && running.len() < AT_ONCE {
            let Some(w) = queue.next_if(|w| {
                running.is_empty() || in_flight.saturating_add(w.blob.bytes) <= AT_ONCE_BYTES
            }) else {
                break;
            };
            in_flight = in_flight.saturating_add(w.blob.bytes);
            let (conn, blobs, tx) = (conn.clone(), blobs.clone(), tx.clone());
            running.spawn(async move { (w.blob.bytes, fetch_one(&conn, &blobs, &w, &tx).await) });
        }
        tokio::select! {
            Some(n) = arrived.recv() => {
                moved = tokio::time::Instant::now();
                report.bytes_received = report.bytes_received.saturating_add(n);
                if report.bytes_received.saturating_sub(shown) >= PROGRESS_STEP {
                    shown = report.bytes_received;
                    progress(report);
                }
            }
            done = running.join_next() => {
                let Some(done) = done else { break };
                moved = tokio::time::Instant::now();
                let (bytes, result) = done.unwrap_or((0, Ok(false)));
                in_flight = in_flight.saturating_sub(bytes);
                match result {
                    Ok(true) => report.received = report.received.saturating_add(1),
                    Ok(false) => {}
                    Err(e) => {
                        // Those still running end with the link.
                        conn.close(1u32.into(), b"files stopped");
                        failure.get_or_insert(e);
                    }
                }
                progress(report);
            }
            () = tokio::time::sleep_until(moved.checked_add(QUIET_LIMIT).unwrap_or(moved)), if failure.is_none() => {
                // Nothing has come for a long while: a stalled peer.
                conn.close(1u32.into(), b"files stalled");
                failure = Some(SyncError::TimedOut("the files' transfer"));
            }
        }
    }
    while let Ok(n) = arrived.try_recv() {
        report.bytes_received = report.bytes_received.saturating_add(n);
    }
    failure.map_or(Ok(()), Err)
}

/// Fetches one file, telling `arrived` the payload bytes as they come;
/// whether it was kept. What arrived is kept apart as it goes (every
/// quarter of a large file), so even a killed process resumes from there.
async fn fetch_one(
    conn: &Connection,
    blobs: &Blobs,
    w: &Wanted,
    arrived: &tokio::sync::mpsc::UnboundedSender<u64>,
) -> Result<bool, SyncError> {
    let Some(hash) = to_hash(&w.blob.hash) else {
        return Ok(false);
    };
    // A store of its own for each file: what was kept leaves memory with
    // it (a device taking a whole city's photos holds a few at a time).
    let store = MemStore::new();
    restore_partial(&store, blobs, &w.blob.hash, hash).await;
    let mut stream = store.remote().fetch(conn.clone(), hash).stream();
    let (mut told, mut saved) = (0u64, 0u64);
    let save_step = (w.blob.bytes / 4).max(SAVE_STEP);
    let mut result = None;
    while let Some(item) = n0_future::StreamExt::next(&mut stream).await {
        let got = match item {
            GetProgressItem::Progress(n) => n,
            GetProgressItem::Done(stats) => {
                result = Some(Ok(()));
                stats.payload_bytes_read
            }
            GetProgressItem::Error(e) => {
                result = Some(Err(e));
                continue;
            }
        };
        let _ = arrived.send(got.saturating_sub(told));
        told = told.max(got);
        if result.is_none() && got.saturating_sub(saved) >= save_step {
            saved = got;
            save_partial(&store, blobs, &w.blob.hash, hash).await;
        }
    }
    match result {
        Some(Ok(())) => {
            let kept = keep(&store, blobs, &w.blob, hash).await;
            blobs.drop_partial(&w.blob.hash);
            Ok(kept)
        }
        Some(Err(e)) if lied(&e) => {
            // What came of this file is not trusted, checked or not: it
            // goes with the transfer's store, and any part kept.
            blobs.drop_partial(&w.blob.hash);
            Err(SyncError::Protocol(format!(
                "the peer sent bytes that are not the file {} ({e}); they were discarded",
                w.blob.hash
            )))
        }
        other => {
            save_partial(&store, blobs, &w.blob.hash, hash).await;
            match conn.close_reason() {
                Some(_) => Err(SyncError::Net(
                    other
                        .and_then(|r| r.err())
                        .map_or_else(|| "connection lost".into(), |e| e.to_string()),
                )),
                None => Ok(false),
            }
        }
    }
}

/// Whether a transfer failed because the peer's bytes did not match the
/// file's hash (not because the link or the peer went away).
fn lied(e: &GetError) -> bool {
    matches!(
        e,
        GetError::Decode {
            source: DecodeError::ParentHashMismatch { .. } | DecodeError::LeafHashMismatch { .. },
            ..
        }
    )
}

/// Moves a whole file from the transfer store into the workspace's store,
/// after checking it is the one the record names.
async fn keep(store: &MemStore, blobs: &Blobs, want: &Blob, hash: Hash) -> bool {
    let Ok(bytes) = store.blobs().get_bytes(hash).await else {
        return false;
    };
    if bytes.len() as u64 != want.bytes {
        return false;
    }
    let (blobs, expected) = (blobs.clone(), want.hash.clone());
    tokio::task::spawn_blocking(move || blobs.put(&bytes).is_ok_and(|b| b.hash == expected))
        .await
        .unwrap_or(false)
}

/// Keeps what arrived of a file cut short: its verified ranges and their
/// BLAKE3 tree, so the next transfer asks only for the rest.
async fn save_partial(store: &MemStore, blobs: &Blobs, hex: &str, hash: Hash) {
    let Ok(bitfield) = store.blobs().observe(hash).await else {
        return;
    };
    if bitfield.ranges.is_empty() {
        return;
    }
    let Ok(bao) = store
        .blobs()
        .export_bao(hash, bitfield.ranges.clone())
        .bao_to_vec()
        .await
    else {
        return;
    };
    let Ok(head) = serde_json::to_vec(&bitfield) else {
        return;
    };
    let mut bytes = u32::try_from(head.len())
        .unwrap_or(0)
        .to_le_bytes()
        .to_vec();
    bytes.extend(head);
    bytes.extend(bao);
    let (blobs, hex) = (blobs.clone(), hex.to_string());
    let _ = tokio::task::spawn_blocking(move || blobs.put_partial(&hex, &bytes)).await;
}

/// Puts back what arrived of a file in earlier transfers (checked again
/// against its hash as it is read); an unusable part is forgotten.
async fn restore_partial(store: &MemStore, blobs: &Blobs, hex: &str, hash: Hash) {
    let Some(bytes) = blobs.partial(hex) else {
        return;
    };
    let parsed = bytes.split_first_chunk::<4>().and_then(|(len, rest)| {
        let n = usize::try_from(u32::from_le_bytes(*len)).ok()?;
        let (head, bao) = rest.split_at_checked(n)?;
        let bitfield: Bitfield = serde_json::from_slice(head).ok()?;
        Some((bitfield, bao.to_vec()))
    });
    let restored = match parsed {
        Some((bitfield, bao)) => store
            .blobs()
            .import_bao_bytes(hash, bitfield.ranges, bao)
            .await
            .is_ok(),
        None => false,
    };
    if !restored {
        blobs.drop_partial(hex);
    }
}

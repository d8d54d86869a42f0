//! Sync in the background of the interface: a thread with its own tokio
//! runtime and its own handle on the workspace (holding only what syncing
//! reads, [`Records::ForSync`]), listening for members and
//! syncing with the reachable ones now and then. The interface reads a
//! [`Status`] snapshot and sends commands; drawing never waits on the
//! network, and what arrives reaches the screen through the store (the
//! interface's periodic refresh), like any other process's writes.

use super::node::{self, Log, NetConfig};
use super::session::{SessionReport, Shared, lock};
use super::ticket::PeerAddr;
use crate::domain::MemberRole;
use crate::store::{Options, Records, Workspace};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// How often the interface syncs with reachable peers on its own.
pub const EVERY: Duration = Duration::from_secs(90);
/// A local edit is offered to peers this long after the last one.
const AFTER_EDIT: Duration = Duration::from_secs(3);
/// How often the peer list is re-read (incoming sessions update it).
const LOOK: Duration = Duration::from_secs(5);
/// A peer seen this recently counts as reachable.
const RECENT_MS: i64 = 3 * 60 * 1000;

/// What the network side is doing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum State {
    #[default]
    Starting,
    /// Listening; peers can reach this device.
    Listening,
    /// A sync round is running.
    Syncing,
    /// No network: the reason (the interface works on without it).
    Off(String),
}

/// One peer as the sync screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerStatus {
    pub id: String,
    pub name: String,
    pub role: Option<MemberRole>,
    pub addrs: Vec<String>,
    /// Reached in the last round or seen recently; `None`: not tried yet.
    pub reachable: Option<bool>,
    pub last_seen: Option<i64>,
    pub last_sync: Option<i64>,
    pub last_error: Option<String>,
}

/// The outcome of the last sync round this device started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub at_ms: i64,
    pub tried: usize,
    pub reached: usize,
    /// Documents that changed here.
    pub changed: usize,
    /// Attached files received whole, and those still missing here after
    /// it (the peers reached did not have them, or a link broke).
    pub files_received: usize,
    pub files_missing: usize,
}

/// A snapshot for the interface.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub state: State,
    /// This device: id and the addresses it listens on.
    pub me: Option<PeerAddr>,
    pub peers: Vec<PeerStatus>,
    pub last_round: Option<Round>,
    /// The workspace could not be read (shown, never replaced by an empty
    /// list).
    pub store_error: Option<String>,
    /// Changes refused on arrival lately, newest first.
    pub refusals: Vec<crate::store::RefusalRow>,
    /// Attached files arriving now: of the session moving files.
    pub files: Option<super::files::FilesReport>,
}

impl Status {
    pub fn reachable(&self) -> usize {
        self.peers
            .iter()
            .filter(|p| p.reachable == Some(true))
            .count()
    }
}

enum Command {
    SyncNow,
    Edited,
    Stop,
}

/// The running background sync; stops when dropped.
pub struct Agent {
    status: Arc<Mutex<Status>>,
    tx: mpsc::UnboundedSender<Command>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent").finish_non_exhaustive()
    }
}

impl Agent {
    /// Starts listening and syncing for the workspace in `dir`.
    pub fn start(dir: &Path, options: Options) -> Agent {
        let status = Arc::new(Mutex::new(Status::default()));
        let (tx, rx) = mpsc::unbounded_channel();
        let thread = {
            let (dir, status) = (dir.to_path_buf(), status.clone());
            std::thread::Builder::new()
                .name("bangfu-sync".into())
                .spawn(move || run(&dir, options, status, rx))
                .ok()
        };
        if thread.is_none() {
            set(&status, |s| s.state = State::Off("no thread".into()));
        }
        Agent { status, tx, thread }
    }

    pub fn status(&self) -> Status {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Syncs with every known peer now.
    pub fn sync_now(&self) {
        let _ = self.tx.send(Command::SyncNow);
    }

    /// Something was written here: offer it to reachable peers soon.
    pub fn edited(&self) {
        let _ = self.tx.send(Command::Edited);
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.tx.send(Command::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn set(status: &Mutex<Status>, f: impl FnOnce(&mut Status)) {
    f(&mut status.lock().unwrap_or_else(|e| e.into_inner()));
}

fn run(
    dir: &Path,
    options: Options,
    status: Arc<Mutex<Status>>,
    rx: mpsc::UnboundedReceiver<Command>,
) {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return set(&status, |s| s.state = State::Off(e.to_string())),
    };
    if let Err(e) = rt.block_on(serve(dir, options, &status, rx)) {
        set(&status, |s| s.state = State::Off(e.to_string()));
    }
}

async fn serve(
    dir: &Path,
    options: Options,
    status: &Arc<Mutex<Status>>,
    mut rx: mpsc::UnboundedReceiver<Command>,
) -> Result<(), super::SyncError> {
    // The interface holds the workspace whole; syncing reads much less
    // (at province scale a second whole copy was 120 MiB).
    let options = Options {
        records: Records::ForSync,
        // Nobody calls the agent idle: what it receives is indexed as it
        // comes.
        upkeep_when_idle: false,
        ..options
    };
    let mut ws = Workspace::open(dir, options)?;
    let cfg = NetConfig::of(&mut ws)?;
    let key =
        crate::identity::load_or_create(dir).map_err(|source| crate::store::StoreError::Io {
            path: crate::identity::key_path(dir),
            source,
        })?;
    let me = crate::identity::endpoint_hex(&key);
    let shared: Shared = Arc::new(Mutex::new(ws));
    let ep = node::bind(&key, &cfg, true).await?;
    let router = node::router(ep.clone(), shared.clone(), Log::none());
    set(status, |s| {
        s.state = State::Listening;
        s.me = Some(node::local_addr(&ep, &cfg));
    });
    let mut tried: Vec<(String, bool)> = Vec::new();
    look(&shared, status, &me, &tried);
    let mut every = tokio::time::interval(EVERY);
    let mut looking = tokio::time::interval(LOOK);
    let mut soon: Option<tokio::time::Instant> = None;
    loop {
        let wake = soon.unwrap_or_else(|| later(EVERY.saturating_mul(2)));
        let go = tokio::select! {
            _ = every.tick() => true,
            _ = looking.tick() => {
                look(&shared, status, &me, &tried);
                false
            }
            _ = tokio::time::sleep_until(wake), if soon.is_some() => true,
            cmd = rx.recv() => match cmd {
                Some(Command::SyncNow) => true,
                Some(Command::Edited) => {
                    soon = Some(later(AFTER_EDIT));
                    false
                }
                Some(Command::Stop) | None => break,
            },
        };
        if !go {
            continue;
        }
        soon = None;
        set(status, |s| s.state = State::Syncing);
        let peers = dial_list(&shared, status, &me, cfg.relay.is_some());
        let st = status.clone();
        let round = node::sync_many(&shared, &ep, peers, move |_, r| {
            if r.files.offered > 0 {
                set(&st, |s| s.files = Some(r.files.clone()));
            }
        });
        tokio::pin!(round);
        // Commands during a round are kept for after it; a stop ends it (a
        // cut session resumes next time).
        let mut again = false;
        let results = loop {
            tokio::select! {
                r = &mut round => break Some(r),
                cmd = rx.recv() => match cmd {
                    Some(Command::SyncNow) => again = true,
                    Some(Command::Edited) => {
                        soon = Some(later(AFTER_EDIT));
                    }
                    Some(Command::Stop) | None => break None,
                },
            }
        };
        let Some(results) = results else { break };
        if again {
            soon = Some(tokio::time::Instant::now());
        }
        tried = record_round(status, &results);
        look(&shared, status, &me, &tried);
    }
    let _ = router.shutdown().await;
    ep.close().await;
    Ok(())
}

/// The peers to dial now (none, with the problem shown, when the store
/// cannot be read).
fn dial_list(shared: &Shared, status: &Mutex<Status>, me: &str, relay: bool) -> Vec<PeerAddr> {
    let peers = {
        let mut w = lock(shared);
        let _ = w.refresh();
        node::dialable(&w, me, relay)
    };
    peers.unwrap_or_else(|e| {
        set(status, |s| s.store_error = Some(e.to_string()));
        Vec::new()
    })
}

/// Shows a finished round in the status; which peers it reached.
fn record_round(
    status: &Mutex<Status>,
    results: &[(PeerAddr, Result<SessionReport, super::SyncError>)],
) -> Vec<(String, bool)> {
    let changed = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .map(|r| r.changed.len())
        .sum();
    let reached = results.iter().filter(|(_, r)| r.is_ok()).count();
    let reports = || results.iter().filter_map(|(_, r)| r.as_ref().ok());
    let files_received = reports().map(|r| r.files.received).sum();
    // What is still missing after the round: the fewest any session saw
    // (each counts what this device lacked when it began).
    let files_missing = reports()
        .map(|r| r.files.wanted.saturating_sub(r.files.received))
        .min()
        .unwrap_or(0);
    set(status, |s| {
        s.state = State::Listening;
        s.files = None;
        s.last_round = Some(Round {
            at_ms: crate::store::now_ms(),
            tried: results.len(),
            reached,
            changed,
            files_received,
            files_missing,
        });
    });
    results
        .iter()
        .map(|(p, r)| (p.id.clone(), r.is_ok()))
        .collect()
}

/// Re-reads the members and the address book into the status.
fn look(shared: &Shared, status: &Mutex<Status>, me: &str, tried: &[(String, bool)]) {
    let (peers, refusals) = {
        let mut w = lock(shared);
        let _ = w.refresh();
        (peer_list(&w, me, tried), w.refusals(RECENT_REFUSALS))
    };
    set(status, |s| match (peers, refusals) {
        (Ok(p), Ok(r)) => {
            s.peers = p;
            s.refusals = r;
            s.store_error = None;
        }
        (Err(e), _) | (_, Err(e)) => s.store_error = Some(e.to_string()),
    });
}

/// How many refused changes the sync screen lists.
pub const RECENT_REFUSALS: i64 = 5;

/// The known peers (the other members, or the inviter before the member
/// list arrived) with what the address book says of them. `tried`: who
/// answered in the last round.
pub fn peer_list(
    ws: &Workspace,
    me: &str,
    tried: &[(String, bool)],
) -> Result<Vec<PeerStatus>, crate::store::StoreError> {
    let book = ws.peers()?;
    let now = crate::store::now_ms();
    Ok(super::known_peers(ws, me)?
        .into_iter()
        .map(|p| {
            let row = book.iter().find(|r| r.id == p.id);
            let member = ws.model().members.get(&p.id);
            let last_seen = row.and_then(|r| r.last_seen);
            let recent = last_seen.is_some_and(|t| now.saturating_sub(t) < RECENT_MS);
            let reachable = match tried.iter().find(|(id, _)| *id == p.id) {
                Some((_, ok)) => Some(*ok),
                None if recent => Some(true),
                None => None,
            };
            PeerStatus {
                name: member
                    .map(|m| m.name.clone())
                    .or_else(|| row.map(|r| r.name.clone()))
                    .unwrap_or_default(),
                role: member.map(|m| m.role),
                addrs: p.book_entries(),
                reachable,
                last_seen,
                last_sync: row.and_then(|r| r.last_sync),
                last_error: row.and_then(|r| r.last_error.clone()),
                id: p.id,
            }
        })
        .collect())
}

/// The moment `d` from now (now, if that is past the clock's range).
fn later(d: std::time::Duration) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    now.checked_add(d).unwrap_or(now)
}

//! This device on the network: its iroh endpoint (no public relays, no
//! public DNS), the two protocols it answers (sync, join), dialing peers,
//! and the hub loop of `bangfu serve`.

use super::files::{self, FilesPolicy, Side};
use super::session::{self, SessionReport, Shared, lock};
use super::ticket::{Invite, InviteError, PeerAddr};
use super::wire::{self, Frame, JoinReply, JoinRequest};
use super::{PeerRefusal, SyncError};
use crate::domain::Member;
use crate::domain::access::{may_invite, within_scope};
use crate::identity::hex;
use crate::store::{Options, PeerRow, Workspace};
use iroh::endpoint::{Connection, ConnectionError, QuicTransportConfig, presets};
use iroh::protocol::{AcceptError, ProtocolHandler, Router};
use iroh::{Endpoint, RelayMap, RelayMode, RelayUrl, SecretKey};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod join;
mod log;
mod serve;

pub use join::*;
pub use log::*;
pub use serve::*;

pub const SYNC_ALPN: &[u8] = b"bangfu/sync/1";
pub const JOIN_ALPN: &[u8] = b"bangfu/join/1";

/// A dead address fails after this long, not after QUIC's default 30 s.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(8);
const KEEP_ALIVE: Duration = Duration::from_secs(2);
/// A whole session may take at most this long.
pub const SESSION_TIMEOUT: Duration = Duration::from_secs(300);
/// The close code a device gives a connection from a non-member.
const CLOSE_NOT_MEMBER: u32 = 1;
/// The close code of a hub answering as many sessions as it may.
const CLOSE_BUSY: u32 = 4;

/// How this device reaches and is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetConfig {
    /// The port this device listens on (stable, so invites keep working).
    pub port: u16,
    /// A self-hosted relay, if any (e.g. `https://relay.bureau.example`).
    pub relay: Option<String>,
    /// Find peers on the local network by multicast DNS.
    pub mdns: bool,
    /// The address to listen on: all interfaces (0.0.0.0) unless set (for
    /// example one network card, or loopback only).
    pub bind_ip: std::net::IpAddr,
}

impl NetConfig {
    /// The device's settings; a listening port is chosen (and kept) the
    /// first time. `BANGFU_NO_MDNS` turns multicast off (tests, CI).
    pub fn of(ws: &mut Workspace) -> Result<NetConfig, SyncError> {
        let port = match ws.setting("port")?.and_then(|p| p.parse().ok()) {
            Some(p) => p,
            None => {
                let p = random_port();
                ws.set_setting("port", &p.to_string())?;
                p
            }
        };
        let mdns = ws.setting("mdns")?.as_deref() != Some("off")
            && std::env::var_os("BANGFU_NO_MDNS").is_none();
        let bind_ip = ws
            .setting("bind")?
            .and_then(|b| b.parse().ok())
            .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
        Ok(NetConfig {
            port,
            relay: ws.setting("relay")?.filter(|r| !r.is_empty()),
            mdns,
            bind_ip,
        })
    }
}

/// A listening port for a new device, away from the well-known and the
/// usual ephemeral ones.
fn random_port() -> u16 {
    rand::RngExt::random_range(&mut rand::rng(), 40000..60000)
}

fn net(e: impl std::fmt::Display) -> SyncError {
    SyncError::Net(e.to_string())
}

/// Binds this device's endpoint: on the stable port when `listen`, else
/// on any port (a one-shot `bangfu sync` beside a running hub).
pub async fn bind(key: &SecretKey, cfg: &NetConfig, listen: bool) -> Result<Endpoint, SyncError> {
    let relay_mode = match &cfg.relay {
        None => RelayMode::Disabled,
        Some(url) => {
            let url: RelayUrl = url
                .parse()
                .map_err(|e| SyncError::Net(format!("relay {url}: {e}")))?;
            RelayMode::Custom(RelayMap::from(url))
        }
    };
    let transport = QuicTransportConfig::builder()
        .max_idle_timeout(Some(IDLE_TIMEOUT.try_into().map_err(net)?))
        .keep_alive_interval(KEEP_ALIVE)
        .build();
    let port = if listen { cfg.port } else { 0 };
    let mut b = Endpoint::builder(presets::Minimal)
        .secret_key(key.clone())
        .relay_mode(relay_mode)
        .transport_config(transport)
        .alpns(vec![
            SYNC_ALPN.to_vec(),
            JOIN_ALPN.to_vec(),
            files::FILES_ALPN.to_vec(),
        ])
        .clear_ip_transports()
        .bind_addr(SocketAddr::new(cfg.bind_ip, port))
        .map_err(net)?;
    // All interfaces means IPv6 too, on the same port.
    if cfg.bind_ip == std::net::IpAddr::from([0, 0, 0, 0]) {
        b = b
            .bind_addr(SocketAddr::new(std::net::IpAddr::from([0u16; 8]), port))
            .map_err(net)?;
    }
    if cfg.mdns {
        b = b.address_lookup(
            iroh_mdns_address_lookup::MdnsAddressLookup::builder().service_name("bangfu"),
        );
    }
    // Not waiting until the relay knows us (iroh takes its first network
    // report, up to 3 s, to choose a home relay): the addresses we hand out
    // name the configured relay, and a dial through it needs no home.
    b.bind().await.map_err(net)
}

impl NetConfig {
    /// The relay's address as iroh writes it, if one is set.
    fn relay_url(&self) -> Option<String> {
        self.relay.as_deref().and_then(relay_url)
    }
}

/// A relay setting as iroh writes the address; none for what is not one.
fn relay_url(setting: &str) -> Option<String> {
    setting.parse::<RelayUrl>().ok().map(|u| u.to_string())
}

/// The peer's address, plus our relay when the peer names none: a
/// programme's devices share the bureau's relay.
fn via_our_relay(ws: &Shared, peer: &PeerAddr) -> PeerAddr {
    let mut p = peer.clone();
    if p.relay.is_none() {
        let setting = lock(ws).setting("relay").ok().flatten();
        p.relay = setting.as_deref().and_then(relay_url);
    }
    p
}

/// Where this device can be reached: the addresses iroh found on its
/// interfaces, loopback (for another program on this machine), and the
/// relay it was bound with (`cfg`).
pub fn local_addr(ep: &Endpoint, cfg: &NetConfig) -> PeerAddr {
    let mut addrs: Vec<SocketAddr> = ep.addr().ip_addrs().copied().collect();
    for s in ep.bound_sockets() {
        if s.is_ipv4() && (s.ip().is_unspecified() || s.ip().is_loopback()) {
            let lo = SocketAddr::from(([127, 0, 0, 1], s.port()));
            if !addrs.contains(&lo) {
                addrs.push(lo);
            }
        }
    }
    PeerAddr {
        id: hex(ep.id().as_bytes()),
        addrs,
        relay: cfg.relay_url(),
    }
}

fn now_ms() -> i64 {
    crate::store::now_ms()
}

/// Addresses kept per peer in the address book.
const MAX_ADDRS: usize = 8;

/// Remembers a peer: its addresses, when it was seen and synced, and the
/// last error.
fn remember(ws: &Shared, peer: &PeerAddr, synced: bool, error: Option<String>) {
    let mut w = lock(ws);
    // A book that cannot be read is not overwritten with a blank row.
    let Ok(book) = w.peers() else {
        return;
    };
    let mut row = book
        .into_iter()
        .find(|p| p.id == peer.id)
        .unwrap_or_else(|| PeerRow {
            id: peer.id.clone(),
            ..PeerRow::default()
        });
    if let Some(m) = w.model().members.get(&peer.id) {
        row.name = m.name.clone();
    }
    // The newest addresses first; old ones (a laptop's earlier networks,
    // a one-shot sync's passing port) drop off the end.
    let fresh = peer.book_entries();
    let old = std::mem::take(&mut row.addrs);
    row.addrs = fresh.clone();
    row.addrs
        .extend(old.into_iter().filter(|a| !fresh.contains(a)));
    row.addrs.truncate(MAX_ADDRS);
    if error.is_none() {
        row.last_seen = Some(now_ms());
    }
    if synced {
        row.last_sync = Some(now_ms());
    }
    row.last_error = error;
    let _ = w.put_peer(&row);
}

/// The addresses a connection came from, for the address book.
fn remote_addrs(conn: &Connection) -> Vec<SocketAddr> {
    conn.paths()
        .iter()
        .filter_map(|p| match p.remote_addr() {
            iroh::TransportAddr::Ip(a) => Some(*a),
            _ => None,
        })
        .collect()
}

/// Sync sessions answered at once (a hub in a city has well under this
/// many devices syncing at the same moment).
pub const MAX_SYNC_SESSIONS: usize = 32;
/// Join requests answered at once: joining is rare, a stranger may try it.
pub const MAX_JOINS: usize = 8;

/// A hub that says it is busy is tried again this many times…
const BUSY_RETRIES: u32 = 6;
/// …after a wait of about this long times the attempt, spread at random
/// so that devices turned away together do not all come back together.
const BUSY_WAIT: Duration = Duration::from_millis(700);

/// Dials a peer and runs a sync session with it (again, a little later,
/// while the peer says it is busy).
pub async fn sync_with(
    ws: &Shared,
    ep: &Endpoint,
    peer: &PeerAddr,
    mut progress: impl FnMut(&SessionReport),
) -> Result<SessionReport, SyncError> {
    let mut attempt = 0;
    let result = loop {
        let result = dial_and_sync(ws, ep, peer, &mut progress).await;
        if !matches!(result, Err(SyncError::Refused(PeerRefusal::Busy))) || attempt >= BUSY_RETRIES
        {
            break result;
        }
        attempt = attempt.saturating_add(1);
        let spread = rand::RngExt::random_range(&mut rand::rng(), 500..1500u32);
        let wait = BUSY_WAIT.saturating_mul(attempt).saturating_mul(spread);
        tokio::time::sleep(wait.checked_div(1000).unwrap_or(BUSY_WAIT)).await;
    };
    remember(
        ws,
        peer,
        result.is_ok(),
        result.as_ref().err().map(|e| e.to_string()),
    );
    result
}

/// How many sessions a device runs at once when it syncs with several
/// peers: a dead address costs seconds, so they overlap.
pub const PARALLEL_SESSIONS: usize = 4;

/// Syncs with several peers, a few at a time; results in the peers'
/// order.
pub async fn sync_many(
    ws: &Shared,
    ep: &Endpoint,
    peers: Vec<PeerAddr>,
    progress: impl Fn(&PeerAddr, &SessionReport) + Send + Sync + 'static,
) -> Vec<(PeerAddr, Result<SessionReport, SyncError>)> {
    let progress = Arc::new(progress);
    let limit = Arc::new(tokio::sync::Semaphore::new(PARALLEL_SESSIONS));
    let mut set = tokio::task::JoinSet::new();
    for (i, peer) in peers.into_iter().enumerate() {
        let (ws, ep, progress, limit) = (ws.clone(), ep.clone(), progress.clone(), limit.clone());
        set.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let r = sync_with(&ws, &ep, &peer, |r| progress(&peer, r)).await;
            (i, peer, r)
        });
    }
    let mut out = Vec::new();
    while let Some(done) = set.join_next().await {
        if let Ok(x) = done {
            out.push(x);
        }
    }
    out.sort_by_key(|(i, _, _)| *i);
    out.into_iter().map(|(_, p, r)| (p, r)).collect()
}

/// The peers a hub or the interface syncs with on its own: known members
/// it has an address for (or all of them, through a relay).
pub fn dialable(
    ws: &Workspace,
    me: &str,
    relay: bool,
) -> Result<Vec<PeerAddr>, crate::store::StoreError> {
    Ok(super::known_peers(ws, me)?
        .into_iter()
        .filter(|p| relay || !p.addrs.is_empty())
        .collect())
}

async fn dial_and_sync(
    ws: &Shared,
    ep: &Endpoint,
    peer: &PeerAddr,
    mut progress: impl FnMut(&SessionReport),
) -> Result<SessionReport, SyncError> {
    let addr = via_our_relay(ws, peer)
        .endpoint_addr()
        .ok_or_else(|| SyncError::Protocol(format!("{} is not an endpoint id", peer.id)))?;
    let unreachable = |detail: String| SyncError::Unreachable {
        peer: crate::identity::short(&peer.id),
        detail,
    };
    let conn = tokio::time::timeout(
        IDLE_TIMEOUT.saturating_mul(2),
        ep.connect(addr.clone(), SYNC_ALPN),
    )
    .await
    .map_err(|_| unreachable("timed out".into()))?
    .map_err(|e| unreachable(e.to_string()))?;
    let result = async {
        let (mut send, mut recv) = conn.open_bi().await.map_err(net)?;
        let run = session::run(
            ws,
            &peer.id,
            session::Role::Dialer,
            &mut recv,
            &mut send,
            &mut progress,
        );
        let result = tokio::time::timeout(SESSION_TIMEOUT, run)
            .await
            .map_err(|_| SyncError::TimedOut("the session"))
            .and_then(|r| r);
        let _ = send.finish();
        if result.is_ok() {
            // Closing now could drop our last RoundEnd before the peer read
            // it (it would log a good session as lost and not save its sync
            // state): wait until it has finished its side too.
            let _ = tokio::time::timeout(IDLE_TIMEOUT, recv.read_to_end(0)).await;
        }
        result
    }
    .await;
    // Why the peer closed the connection, if it did: its close code.
    let theirs = conn.close_reason();
    match &result {
        Ok(_) => conn.close(0u32.into(), b"done"),
        Err(_) => conn.close(2u32.into(), b"error"),
    }
    match (result, theirs) {
        (
            Err(SyncError::Wire(_) | SyncError::Net(_)),
            Some(ConnectionError::ApplicationClosed(c)),
        ) if c.error_code == CLOSE_NOT_MEMBER.into() => {
            Err(SyncError::Refused(PeerRefusal::NotMember))
        }
        (
            Err(SyncError::Wire(_) | SyncError::Net(_)),
            Some(ConnectionError::ApplicationClosed(c)),
        ) if c.error_code == CLOSE_BUSY.into() => Err(SyncError::Refused(PeerRefusal::Busy)),
        (Err(SyncError::Wire(_)), Some(r)) => Err(SyncError::Net(r.to_string())),
        (Ok(mut report), _) => {
            let base = report.clone();
            let due = report.files_due;
            report.files = files_with(ws, ep, addr, &peer.id, due, |f| {
                progress(&SessionReport {
                    files: f.clone(),
                    ..base.clone()
                })
            })
            .await;
            Ok(report)
        }
        (result, _) => result,
    }
}

/// After the records, the attached files: on a connection of their own,
/// when the session found them `due` or this side lacks a file (else
/// nothing could move, and the connection's round trips are saved).
async fn files_with(
    ws: &Shared,
    ep: &Endpoint,
    addr: iroh::EndpointAddr,
    peer: &str,
    due: bool,
    progress: impl FnMut(&files::FilesReport),
) -> files::FilesReport {
    let (policy, moves) = session::blocking(|| {
        let w = lock(ws);
        let policy = FilesPolicy::of(&w);
        // What this side lacks is looked up only when the session did not
        // already show a file may move.
        let moves = due || policy.wants_any(&w);
        (policy, moves)
    });
    if policy.off || !moves {
        return files::FilesReport::default();
    }
    let connect = ep.connect(addr, files::FILES_ALPN);
    match tokio::time::timeout(IDLE_TIMEOUT.saturating_mul(2), connect).await {
        Ok(Ok(conn)) => files::exchange(ws, &conn, peer, Side::Dialer, &policy, progress).await,
        Ok(Err(e)) => files::FilesReport {
            error: Some(e.to_string()),
            ..Default::default()
        },
        Err(_) => files::FilesReport {
            error: Some("timed out".into()),
            ..Default::default()
        },
    }
}

/// Refusals of strangers logged per minute; past that, one line says how
/// many more were not (a flood of knocks cannot fill the disk).
const REFUSALS_PER_MINUTE: u32 = 20;

/// This device's addresses with its stable listening port, for a ticket:
/// binds a throwaway endpoint on any port to list the interfaces.
pub fn own_addr_blocking(ws: &mut Workspace, key: &SecretKey) -> Result<PeerAddr, SyncError> {
    let cfg = NetConfig::of(ws)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(net)?;
    rt.block_on(async {
        let ep = bind(
            key,
            &NetConfig {
                mdns: false,
                ..cfg.clone()
            },
            false,
        )
        .await?;
        let mut a = local_addr(&ep, &cfg);
        ep.close().await;
        for s in &mut a.addrs {
            s.set_port(cfg.port);
        }
        Ok(a)
    })
}

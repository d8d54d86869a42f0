//! Sync figures: two devices on loopback in this process (no relay, no
//! multicast), the demo workspace serving. A city admin joins, then syncs
//! with nothing new, then after 10 new visits; each against what the plain
//! way costs (a bundle of the documents; automerge's own sync protocol
//! with its state kept between sessions).

use super::*;
use crate::domain::*;
use crate::store::Workspace;
use crate::sync::node::{self, Log, NetConfig};
use crate::sync::session::{Shared, lock};
use crate::sync::ticket::{Invite, PeerAddr};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

const NET: NetConfig = NetConfig {
    port: 0,
    relay: None,
    mdns: false,
    bind_ip: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
};

fn add_visits(ws: &Shared, n: i64, today: NaiveDate) -> Result<(), BenchError> {
    write_visits(&mut lock(ws), n, today).map(|_| ())
}

/// Automerge's own protocol between two documents in memory until
/// neither has more to say: the bytes `a` sent to `b`, and the exchanges.
fn automerge_sync(
    a: &mut automerge::Automerge,
    sa: &mut automerge::sync::State,
    b: &mut automerge::Automerge,
    sb: &mut automerge::sync::State,
) -> Result<(usize, usize), BenchError> {
    use automerge::sync::{Message, SyncDoc};
    let (mut bytes, mut exchanges) = (0usize, 0usize);
    for _ in 0..40 {
        let (m1, m2) = (a.generate_sync_message(sa), b.generate_sync_message(sb));
        if m1.is_none() && m2.is_none() {
            break;
        }
        exchanges = exchanges.saturating_add(1);
        if let Some(m) = m1 {
            let e = m.encode();
            bytes = bytes.saturating_add(e.len());
            let m = Message::decode(&e).map_err(|e| failed("sync", e))?;
            b.receive_sync_message(sb, m)
                .map_err(|e| failed("sync", e))?;
        }
        if let Some(m) = m2 {
            a.receive_sync_message(sa, m)
                .map_err(|e| failed("sync", e))?;
        }
    }
    Ok((bytes, exchanges))
}

/// Bytes from one side to the other and round trips that automerge's own
/// protocol takes to bring `behind` up to `ahead`, with the sync state
/// both kept from their last session (in sync at `behind`'s heads).
fn automerge_reconnect(behind: &[u8], ahead: &[u8]) -> Result<(usize, usize), BenchError> {
    use automerge::sync::State;
    let load = |d: &[u8]| automerge::Automerge::load(d).map_err(|e| failed("load", e));
    let (mut a, mut b) = (load(ahead)?, load(behind)?);
    let (mut sa, mut sb) = (State::new(), State::new());
    // The state both kept: a session that ended with `behind` on both.
    automerge_sync(&mut load(behind)?, &mut sa, &mut b, &mut sb)?;
    let keep = |s: &State| State::decode(&s.encode()).map_err(|e| failed("state", e));
    let (mut sa, mut sb) = (keep(&sa)?, keep(&sb)?);
    let (bytes, exchanges) = automerge_sync(&mut a, &mut sa, &mut b, &mut sb)?;
    // The last exchange only confirms: the peers' round trips are the
    // messages that carried something, rounded up to pairs.
    Ok((bytes, exchanges.div_ceil(2)))
}

fn invite(hub: &Shared, key: &iroh::SecretKey, inviter: &PeerAddr) -> String {
    let mut id = [0u8; 16];
    rand::RngExt::fill(&mut rand::rng(), &mut id);
    Invite {
        version: 1,
        id: Id::from_random_bytes(id).to_string(),
        workspace: lock(hub).workspace_id().to_string(),
        role: MemberRole::CityAdmin,
        district: None,
        kindergarten: None,
        districts: vec![],
        name: None,
        expires: chrono::Utc::now().timestamp().saturating_add(3600),
        inviter: inviter.clone(),
    }
    .sign(key)
}

pub(super) fn sync(s: &Setup) -> Result<Vec<Row>, BenchError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| failed("runtime", e))?;
    let joiner = s.dir.join("bench-joiner");
    std::fs::create_dir_all(&joiner).map_err(|e| failed("joiner", e))?;
    let rows = rt.block_on(sessions(s, &joiner));
    let _ = std::fs::remove_dir_all(&joiner);
    rows
}

/// The demo workspace serving on `cfg`'s address.
struct Hub {
    ws: Shared,
    key: iroh::SecretKey,
    ep: iroh::Endpoint,
    router: iroh::protocol::Router,
    addr: PeerAddr,
}

impl Hub {
    async fn serve(ws: Shared, key: iroh::SecretKey, cfg: &NetConfig) -> Result<Hub, BenchError> {
        let ep = node::bind(&key, cfg, true)
            .await
            .map_err(|e| failed("bind", e))?;
        let router = node::router(ep.clone(), ws.clone(), Log::none());
        let mut addr = node::local_addr(&ep, cfg);
        addr.addrs.retain(|a| a.ip().is_loopback());
        Ok(Hub {
            ws,
            key,
            ep,
            router,
            addr,
        })
    }
}

/// A device that joined the hub, with its endpoint.
struct Joiner {
    ws: Shared,
    key: iroh::SecretKey,
    ep: iroh::Endpoint,
}

impl Joiner {
    async fn sync(
        &self,
        peer: &PeerAddr,
    ) -> Result<crate::sync::session::SessionReport, BenchError> {
        node::sync_with(&self.ws, &self.ep, peer, |_| {})
            .await
            .map_err(|e| failed("sync", e))
    }
}

async fn sessions(s: &Setup, joiner: &std::path::Path) -> Result<Vec<Row>, BenchError> {
    let key = crate::identity::load_or_create(&s.dir).map_err(|e| failed("key", e))?;
    let ws: Shared = Arc::new(Mutex::new(
        Workspace::open(&s.dir, s.options("市局")).map_err(|e| failed("open", e))?,
    ));
    let hub = Hub::serve(ws, key, &NET).await?;
    let all: BTreeSet<String> = lock(&hub.ws).doc_ids().into_iter().collect();
    let bundle = crate::sync::bundle::export_with(&mut lock(&hub.ws), &all, None, false)
        .map_err(|e| failed("bundle", e))?
        .len();
    let t = Instant::now();
    let ticket = invite(&hub.ws, &hub.key, &hub.addr);
    let (b, joined) = node::join(joiner, &ticket, "副本", s.options("副本"), &NET)
        .await
        .map_err(|e| failed("join", e))?;
    let join_ms = ms_since(t);
    let b_key = crate::identity::load_or_create(joiner).map_err(|e| failed("key", e))?;
    let b = Joiner {
        ws: b,
        ep: node::bind(&b_key, &NET, false)
            .await
            .map_err(|e| failed("bind", e))?,
        key: b_key,
    };
    // The joiner's own membership went into the programme: caught up first.
    b.sync(&hub.addr).await?;
    let idle = b.sync(&hub.addr).await?;
    let mut rows = vec![
        Row::new(
            "sync: join as city admin, received",
            joined.bytes_received as f64,
            "B",
            &format!(
                "{join_ms:.0} ms, {} round trips; baseline: a bundle of every document",
                joined.rounds
            ),
        )
        .baseline(bundle as f64),
        Row::new(
            "sync: nothing new, round trips",
            idle.rounds as f64,
            "round trips",
            &format!(
                "{} B sent, {} B received; baseline: one exchange of heads",
                idle.bytes_sent, idle.bytes_received
            ),
        )
        .baseline(1.0)
        .at_most(1.0),
    ];
    rows.extend(reconnect(s, &hub, &b).await?);
    b.ep.close().await;
    let _ = hub.router.shutdown().await;
    rows.extend(lossy(s, hub.ws, hub.key, b).await?);
    Ok(rows)
}

/// 10 new visits at the hub, and what bringing them over costs.
async fn reconnect(s: &Setup, hub: &Hub, b: &Joiner) -> Result<Vec<Row>, BenchError> {
    let doc = lock(&hub.ws)
        .model()
        .pairings()
        .next()
        .map(|p| crate::store::layout::district_doc_id(&p.district_id))
        .ok_or_else(|| failed("demo data", "no pairing"))?;
    let one = BTreeSet::from([doc]);
    let saved = |hub: &Hub| {
        lock(&hub.ws)
            .saved_docs(&one)
            .map_err(|e| failed("saved", e))
    };
    let before = saved(hub)?;
    add_visits(&hub.ws, 10, s.today)?;
    let after = saved(hub)?;
    let back = b.sync(&hub.addr).await?;
    let (am_bytes, am_rounds) = match (before.first(), after.first()) {
        (Some((_, x)), Some((_, y))) => automerge_reconnect(x, y)?,
        _ => return Err(failed("saved", "no document")),
    };
    Ok(vec![
        Row::new(
            "sync: reconnect after 10 new visits, received",
            back.bytes_received as f64,
            "B",
            "baseline: automerge's own protocol, sync state kept, same document and changes",
        )
        .baseline(am_bytes as f64),
        Row::new(
            "sync: reconnect after 10 new visits, round trips",
            back.rounds as f64,
            "round trips",
            "baseline: automerge's own protocol",
        )
        .baseline(am_rounds as f64)
        .at_most(2.0),
    ])
}

/// 5 new visits on each side, synced through the UDP proxy: a clean link,
/// then 300 ms each way with 5 % loss, then 600 ms with 20 %. The hub
/// listens on IPv6 loopback only, so nothing goes around the proxy.
async fn lossy(
    s: &Setup,
    ws: Shared,
    key: iroh::SecretKey,
    b: Joiner,
) -> Result<Vec<Row>, BenchError> {
    let v6 = NetConfig {
        bind_ip: std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ..NET
    };
    let hub = Hub::serve(ws, key, &v6).await?;
    b.ep.close().await;
    let target = hub
        .ep
        .bound_sockets()
        .into_iter()
        .find(|a| a.is_ipv6())
        .ok_or_else(|| failed("bind", "no IPv6 loopback"))?;
    let mut times = Vec::new();
    for (delay, loss) in [(0, 0.0), (300, 0.05), (600, 0.20)] {
        add_visits(&hub.ws, 5, s.today)?;
        add_visits(&b.ws, 5, s.today)?;
        let link = super::link::proxy(target, Duration::from_millis(delay), loss, None)
            .await
            .map_err(|e| failed("proxy", e))?;
        let peer = PeerAddr {
            addrs: vec![link.addr],
            ..hub.addr.clone()
        };
        // A new endpoint each time: an endpoint that knows an earlier,
        // faster path would take it and go around this link.
        let b = Joiner {
            ep: node::bind(&b.key, &NET, false)
                .await
                .map_err(|e| failed("bind", e))?,
            ws: b.ws.clone(),
            key: b.key.clone(),
        };
        let t = Instant::now();
        let mut tries = 0;
        // A session the link breaks is tried again, as a device would.
        while let Err(e) = b.sync(&peer).await {
            tries += 1;
            if tries >= 5 {
                return Err(e);
            }
        }
        times.push((ms_since(t), tries, link.datagrams()));
        link.cut.store(true, std::sync::atomic::Ordering::SeqCst);
        b.ep.close().await;
    }
    let _ = hub.router.shutdown().await;
    let clean = times.first().map_or(0.0, |t| t.0);
    Ok(times
        .iter()
        .zip(["clean link", "300 ms each way, 5 % loss", "600 ms each way, 20 % loss"])
        .skip(1)
        .map(|((ms, tries, datagrams), name)| {
            Row::new(
                &format!("sync: 5 + 5 new visits, {name}"),
                *ms,
                "ms",
                &format!(
                    "through a UDP proxy; {datagrams} datagrams, {tries} sessions broken and tried again; baseline: the same through the proxy, no delay or loss"
                ),
            )
            .baseline(clean)
        })
        .collect())
}

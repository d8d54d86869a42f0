//! Figures for docs/PERFORMANCE.md: `cargo bench --bench sync`.
//!
//! Two devices on loopback (no relay, no multicast), city-scale demo data:
//! what joining costs (bytes, time), what a reconnect after a few new
//! visits costs, a round with nothing new, and bundle sizes.

use bangfu::demo::{self, Scale};
use bangfu::domain::*;
use bangfu::store::{Options, Workspace};
use bangfu::sync::node::{self, Log, NetConfig};
use bangfu::sync::session::{Shared, lock};
use bangfu::sync::ticket::Invite;
use chrono::NaiveDate;
use std::sync::{Arc, Mutex};
use std::time::Instant;

fn options(who: &str) -> Options {
    Options::new(
        who,
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default(),
    )
}

const NET: NetConfig = NetConfig {
    port: 0,
    relay: None,
    mdns: false,
    bind_ip: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
};

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn add_visits(ws: &Shared, n: i64) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default();
    bangfu::bench::write_visits(&mut lock(ws), n, today).expect("visits");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a_dir = tempfile::tempdir().expect("tempdir");
    demo::create(a_dir.path(), Scale::City, 7, options("市局")).expect("demo");
    let a_key = bangfu::identity::load_or_create(a_dir.path()).expect("key");
    let a: Shared = Arc::new(Mutex::new(
        Workspace::open(a_dir.path(), options("市局")).expect("open"),
    ));
    let a_ep = node::bind(&a_key, &NET, true).await.expect("bind");
    let _router = node::router(a_ep.clone(), a.clone(), Log::none());
    let mut inviter = node::local_addr(&a_ep, &NET);
    inviter.addrs.retain(|s| s.ip().is_loopback());

    let invite = |role: MemberRole, kg: Option<Id>| {
        let mut id = [0u8; 16];
        rand::RngExt::fill(&mut rand::rng(), &mut id);
        Invite {
            version: 1,
            id: Id::from_random_bytes(id).to_string(),
            workspace: lock(&a).workspace_id().to_string(),
            role,
            district: None,
            kindergarten: kg,
            districts: vec![],
            name: None,
            expires: chrono::Utc::now().timestamp() + 3600,
            inviter: inviter.clone(),
        }
        .sign(&a_key)
    };

    // The same documents with automerge's own sync protocol, in memory,
    // nothing signed or checked: the baseline of the join below, in the
    // same run.
    let all: std::collections::BTreeSet<String> = lock(&a).doc_ids().into_iter().collect();
    let saved = lock(&a).saved_docs(&all).expect("saved");
    let t = Instant::now();
    let mut bytes = 0usize;
    for (_, data) in &saved {
        use automerge::sync::SyncDoc;
        let mut from = automerge::Automerge::load(data).expect("load");
        let mut to = automerge::Automerge::new();
        let (mut sf, mut st) = (automerge::sync::State::new(), automerge::sync::State::new());
        for _ in 0..40 {
            let m1 = from.generate_sync_message(&mut sf);
            let m2 = to.generate_sync_message(&mut st);
            if m1.is_none() && m2.is_none() {
                break;
            }
            if let Some(m) = m1 {
                let e = m.encode();
                bytes += e.len();
                let m = automerge::sync::Message::decode(&e).expect("decode");
                to.receive_sync_message(&mut st, m).expect("receive");
            }
            if let Some(m) = m2 {
                let e = m.encode();
                let m = automerge::sync::Message::decode(&e).expect("decode");
                from.receive_sync_message(&mut sf, m).expect("receive");
            }
        }
    }
    println!(
        "baseline, the same documents by automerge's sync in memory, unsigned and unchecked: {:.0} ms, {} bytes to the joiner; saved documents {} bytes",
        ms(t),
        bytes,
        saved.iter().map(|(_, d)| d.len()).sum::<usize>()
    );

    // Joining: the whole city, and a village kindergarten's share.
    let b_dir = tempfile::tempdir().expect("tempdir");
    let t = Instant::now();
    let (b, first) = node::join(
        b_dir.path(),
        &invite(MemberRole::CityAdmin, None),
        "副本",
        options("副本"),
        &NET,
    )
    .await
    .expect("join");
    println!(
        "join, city admin (whole city): {:.0} ms, {} bytes received, {} sent, {} documents, {} rounds",
        ms(t),
        first.bytes_received,
        first.bytes_sent,
        first.docs,
        first.rounds
    );
    let village = lock(&a)
        .model()
        .kindergartens()
        .find(|k| k.category == Category::Village)
        .map(|k| k.id.clone());
    let k_dir = tempfile::tempdir().expect("tempdir");
    let t = Instant::now();
    let (_k, kfirst) = node::join(
        k_dir.path(),
        &invite(MemberRole::Kindergarten, village),
        "村园",
        options("村园"),
        &NET,
    )
    .await
    .expect("join");
    println!(
        "join, a village kindergarten (programme + its district): {:.0} ms, {} bytes received, {} documents",
        ms(t),
        kfirst.bytes_received,
        kfirst.docs
    );

    let b_key = bangfu::identity::load_or_create(b_dir.path()).expect("key");
    let b_ep = node::bind(&b_key, &NET, false).await.expect("bind");
    // The village's join changed the programme (a member more): the
    // city's replica catches up first.
    let caught = node::sync_with(&b, &b_ep, &inviter, |_| {})
        .await
        .expect("sync");
    println!(
        "catch-up (a member joined): {} bytes received, {} sent, {} rounds",
        caught.bytes_received, caught.bytes_sent, caught.rounds
    );
    // Nothing new: what a periodic round costs.
    let t = Instant::now();
    let idle = node::sync_with(&b, &b_ep, &inviter, |_| {})
        .await
        .expect("sync");
    println!(
        "sync with nothing new: {:.0} ms, {} bytes sent, {} received, {} rounds",
        ms(t),
        idle.bytes_sent,
        idle.bytes_received,
        idle.rounds
    );
    for n in [1, 10, 100] {
        add_visits(&a, n);
        let t = Instant::now();
        let r = node::sync_with(&b, &b_ep, &inviter, |_| {})
            .await
            .expect("sync");
        println!(
            "reconnect after {n} new visits: {:.0} ms, {} bytes received, {} sent, {} rounds",
            ms(t),
            r.bytes_received,
            r.bytes_sent,
            r.rounds
        );
    }

    // Bundles for a USB stick.
    let t = Instant::now();
    let whole = bangfu::sync::bundle::export(&mut lock(&a), &all, None).expect("bundle");
    println!(
        "bundle of the whole city: {} bytes, made in {:.0} ms",
        whole.len(),
        ms(t)
    );
    let kg_member = lock(&a)
        .model()
        .members
        .values()
        .find(|m| m.role == MemberRole::Kindergarten)
        .cloned()
        .expect("the kindergarten member");
    let docs = lock(&a).readable_docs(&kg_member);
    let part = bangfu::sync::bundle::export(&mut lock(&a), &docs, None).expect("bundle");
    println!("bundle for a village kindergarten: {} bytes", part.len());
    b_ep.close().await;
    a_ep.close().await;
}

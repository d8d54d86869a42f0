//! Commands that travel: identity, joining, sync, the hub, peers, and
//! network settings (members and invites: members.rs; bundles:
//! bundles.rs).

use super::output::{Table, out, print_list};
use super::{CmdResult, Ctx, Fail, FormatArg};
use crate::domain::*;
use crate::i18n::{self, Lang, label};
use crate::store::{Records, Workspace};
use crate::sync::SyncError;
use crate::sync::files::FilesReport;
use crate::sync::node::{self, Entry, Log, NetConfig};
use crate::sync::session::{SessionReport, Shared, lock};
use crate::sync::ticket::{Invite, InviteError, PeerAddr};
use crate::tr;
use clap::{Args, Subcommand};
use serde_json::json;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Debug, Args)]
pub struct JoinArgs {
    /// The invite ticket (bfinvite1…)
    pub ticket: String,
    /// Your name, as others will see it [default: from the invite]
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Peers: an address ticket (bfpeer1…), an id prefix or a member's name
    /// [default: every known peer]
    pub peers: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Listen on this port (kept for next time)
    #[arg(long)]
    pub port: Option<u16>,
    /// Log to this file [default: serve.log in the data directory]
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// Sync with every known peer this often, in seconds
    #[arg(long, default_value = "60")]
    pub interval: u64,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Show the network settings
    Show,
    /// Set port, relay (a URL, or "" for none), mdns (on/off), bind (the address to listen on) or files (all/thumbnails/off: which attached files sync fetches)
    Set {
        /// The setting: port, relay, mdns, bind or files
        key: String,
        /// Its new value
        value: String,
    },
}

/// The network commands' runtime. Sessions' work on the workspace, and
/// their waits for it (one at a time), leave their worker for its other
/// tasks (`session::blocking`); several workers let a hub's sessions read
/// and write their connections side by side.
pub(super) fn runtime() -> Result<tokio::runtime::Runtime, Fail> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(8)
        .enable_all()
        .build()
        .map_err(|e| Fail::said("sync.net_error", vec![("detail", e.to_string())]))
}

pub(super) fn key(ctx: &Ctx) -> Result<iroh::SecretKey, Fail> {
    crate::identity::load_or_create(&ctx.data_dir)
        .map_err(|e| Fail::file("store.io", &crate::identity::key_path(&ctx.data_dir), e))
}

pub(super) fn this_device(ctx: &Ctx) -> Result<String, Fail> {
    Ok(crate::identity::endpoint_hex(&key(ctx)?))
}

/// This device's reachable address with its listening port.
pub(super) fn my_addr(ctx: &Ctx, ws: &mut Workspace) -> Result<PeerAddr, Fail> {
    node::own_addr_blocking(ws, &key(ctx)?).map_err(Fail::Sync)
}

pub fn id(ctx: &Ctx) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open_any()?;
    let me = this_device(ctx)?;
    let addr = my_addr(ctx, &mut ws)?;
    out(&tr!(l, "sync.id", id = me.as_str()));
    let addrs: Vec<String> = addr.addrs.iter().map(|a| a.to_string()).collect();
    out(&tr!(l, "sync.addresses", addrs = addrs.join("  ")));
    if let Some(m) = ws.model().members.get(&me) {
        out(&tr!(
            l,
            "sync.member_as",
            name = m.name.as_str(),
            role = label(l, m.role)
        ));
    } else {
        out(&tr!(l, "sync.not_a_member_here"));
    }
    out(&tr!(l, "sync.ticket_intro"));
    out(&addr.to_ticket());
    Ok(())
}

/// What a sync brought, as one line: "12 条帮扶活动、1 份协议备案".
pub(super) fn report_line(l: Lang, peer: &str, r: &SessionReport) -> String {
    let mut line = tr!(
        l,
        "sync.report",
        peer = peer,
        docs = r.docs,
        rounds = r.rounds,
        sent = r.bytes_sent,
        received = r.bytes_received
    );
    if r.resumed_in > 0 {
        line.push_str(&tr!(
            l,
            "sync.resumed",
            bytes = crate::present::evidence::size_text(
                u64::try_from(r.resumed_in).unwrap_or(u64::MAX)
            )
        ));
    }
    if let Some(files) = files_line(l, peer, &r.files) {
        line.push('\n');
        line.push_str(&files);
    }
    line
}

/// What the exchange of attached files did, when it did anything.
pub(super) fn files_line(l: Lang, peer: &str, f: &FilesReport) -> Option<String> {
    use crate::present::evidence::size_text;
    let mut line = None;
    if f.wanted > 0 || f.sent > 0 {
        line = Some(tr!(
            l,
            "sync.files",
            peer = peer,
            received = f.received,
            offered = f.offered,
            bytes = size_text(f.bytes_received),
            sent = f.sent,
            sent_bytes = size_text(f.bytes_sent),
            missing = f.wanted.saturating_sub(f.received)
        ));
    }
    if let Some(e) = &f.error {
        let err = tr!(l, "sync.files_error", peer = peer, error = e);
        line = Some(match line {
            Some(l) => format!("{l}\n{err}"),
            None => err,
        });
    }
    line
}

pub fn join(ctx: &Ctx, a: JoinArgs) -> CmdResult {
    let l = ctx.lang;
    let invite =
        Invite::verify(&a.ticket).map_err(|e| Fail::Sync(crate::sync::SyncError::Invite(e)))?;
    if invite.expires < chrono::Utc::now().timestamp() {
        return Err(Fail::Sync(crate::sync::SyncError::Invite(
            InviteError::Expired,
        )));
    }
    let name = a
        .name
        .clone()
        .or(invite.name.clone())
        .unwrap_or_else(|| ctx.person.clone());
    let rt = runtime()?;
    let (ws, report) = rt
        .block_on(node::join(
            &ctx.data_dir,
            &a.ticket,
            &name,
            ctx.options(),
            &node::joining_config(&invite),
        ))
        .map_err(Fail::Sync)?;
    let w = lock(&ws);
    out(&tr!(
        l,
        "sync.joined",
        programme = w.model().programme.name.as_str(),
        role = label(l, invite.role)
    ));
    out(&report_line(
        l,
        &crate::identity::short(&invite.inviter.id),
        &report,
    ));
    out(&crate::present::arrivals(
        l,
        &crate::domain::Tally::default(),
        &w.model().tally(),
        w.conflicts().len(),
    ));
    Ok(())
}

/// A peer named on the command line.
pub(super) fn named_peer(l: Lang, ws: &Workspace, s: &str) -> Result<PeerAddr, Fail> {
    if let Some(p) = PeerAddr::from_ticket(s) {
        return Ok(p);
    }
    let m = ws.model();
    let t = s.trim().to_ascii_lowercase();
    let hits: Vec<&Member> = m
        .members
        .values()
        .filter(|x| x.name == s.trim() || (t.len() >= 4 && x.id.starts_with(&t)))
        .collect();
    match hits.as_slice() {
        [one] => {
            let book = ws
                .peers()
                .map_err(Fail::Store)?
                .into_iter()
                .find(|p| p.id == one.id)
                .map(|p| p.addrs)
                .unwrap_or_default();
            Ok(PeerAddr::from_book(&one.id, &book))
        }
        [] => Err(Fail::said(
            "sync.unknown_peer",
            vec![("peer", s.to_string())],
        )),
        many => Err(Fail::said(
            "id.ambiguous",
            vec![
                ("typed", s.to_string()),
                ("what", (i18n::field(l, "peer")).to_string()),
                ("count", (many.len()).to_string()),
            ],
        )),
    }
}

pub fn sync(ctx: &Ctx, a: SyncArgs) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open_any()?;
    let me = this_device(ctx)?;
    let peers = if a.peers.is_empty() {
        crate::sync::known_peers(&ws, &me).map_err(Fail::Store)?
    } else {
        a.peers
            .iter()
            .map(|p| named_peer(l, &ws, p))
            .collect::<Result<Vec<_>, _>>()?
    };
    if peers.is_empty() {
        return Err(Fail::said("sync.no_peers", vec![]));
    }
    let cfg = NetConfig::of(&mut ws).map_err(Fail::Sync)?;
    let before = ws.model().tally();
    let k = key(ctx)?;
    let shared: Shared = Arc::new(Mutex::new(ws));
    let rt = runtime()?;
    let results = rt.block_on(async {
        // On the stable port when it is free (so peers note an address
        // that works later), else on any (a hub or the interface runs).
        let ep = match node::bind(&k, &cfg, true).await {
            Ok(ep) => ep,
            Err(_) => node::bind(&k, &cfg, false).await?,
        };
        let results = node::sync_many(&shared, &ep, peers, move |p, r| {
            let peer = crate::identity::short(&p.id);
            let line = if r.files == FilesReport::default() {
                tr!(
                    l,
                    "sync.progress",
                    peer = peer,
                    round = r.rounds,
                    sent = r.bytes_sent,
                    received = r.bytes_received
                )
            } else {
                tr!(
                    l,
                    "sync.files_progress",
                    peer = peer,
                    received = r.files.received,
                    offered = r.files.offered,
                    bytes = crate::present::evidence::size_text(r.files.bytes_received)
                )
            };
            eprintln!("{line}");
        })
        .await;
        ep.close().await;
        Ok::<_, SyncError>(results)
    });
    let results = results.map_err(Fail::Sync)?;
    let mut ok = 0;
    let mut failures = Vec::new();
    for (peer, r) in &results {
        match r {
            Ok(report) => {
                ok += 1;
                out(&report_line(l, &crate::identity::short(&peer.id), report));
            }
            Err(e) => failures.push(i18n::sync_error(l, e)),
        }
    }
    let w = lock(&shared);
    if ok > 0 {
        out(&crate::present::arrivals(
            l,
            &before,
            &w.model().tally(),
            w.conflicts().len(),
        ));
    }
    let refused: Vec<crate::store::Refused> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .flat_map(|r| r.refused.iter().cloned())
        .collect();
    print_refusals(l, &w, &refused);
    if ok == 0 || (!a.peers.is_empty() && !failures.is_empty()) {
        return Err(Fail::Text(failures));
    }
    for f in failures {
        eprintln!("{f}");
    }
    Ok(())
}

/// Bounds glibc's malloc arenas to one per core. glibc gives each thread
/// that meets contention an arena of its own, up to eight per core, and
/// keeps what is freed in each: a hub answering a hundred devices at once
/// on two cores reached a peak of 917 MiB that way, 205 MiB with two
/// arenas, at the same CPU time (`tests/hub.rs` at city scale,
/// docs/PERFORMANCE.md). Only the hub's: the interface, which answers a few
/// peers, measured 1–3 MiB more with it.
fn one_arena_per_core() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
        let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only bounds how many arenas the allocator makes
        // from now on; it touches no memory the program holds.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

pub fn serve(ctx: &Ctx, a: ServeArgs) -> CmdResult {
    let l = ctx.lang;
    one_arena_per_core();
    // A hub runs for days beside the bureau's other work: it holds what
    // syncing reads, not a copy of every record.
    let mut ws = ctx.open_holding(Records::ForSync)?;
    if let Some(p) = a.port {
        ws.set_setting("port", &p.to_string())
            .map_err(Fail::Store)?;
    }
    let cfg = NetConfig::of(&mut ws).map_err(Fail::Sync)?;
    let log_path = a
        .log
        .clone()
        .unwrap_or_else(|| ctx.data_dir.join("serve.log"));
    let log = Log::to_file(&log_path, true, log_words(l))
        .map_err(|e| Fail::file("store.io", &log_path, e))?;
    let k = key(ctx)?;
    let me = crate::identity::endpoint_hex(&k);
    let shared: Shared = Arc::new(Mutex::new(ws));
    let rt = runtime()?;
    let interval = std::time::Duration::from_secs(a.interval.max(5));
    rt.block_on(async {
        let ep = node::bind(&k, &cfg, true).await?;
        let router = node::router(ep.clone(), shared.clone(), log.clone());
        let addr = node::local_addr(&ep, &cfg);
        let programme = lock(&shared).model().programme.name.clone();
        let addrs: Vec<String> = addr.addrs.iter().map(|a| a.to_string()).collect();
        log.line(&Entry::Serving {
            programme: &programme,
            me: &crate::identity::short(&me),
            addrs: &addrs.join(", "),
        });
        let mut tick = tokio::time::interval(interval);
        tick.tick().await;
        let stop = shutdown_signal();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                _ = tick.tick() => {
                    // Offer what other processes wrote, and take what the
                    // known peers have.
                    let peers = {
                        let mut w = lock(&shared);
                        let _ = w.refresh();
                        node::dialable(&w, &me, cfg.relay.is_some())
                    };
                    let peers = match peers {
                        Ok(p) => p,
                        Err(e) => {
                            log.line(&Entry::AddressBook(&e));
                            Vec::new()
                        }
                    };
                    for (p, r) in node::sync_many(&shared, &ep, peers, |_, _| {}).await {
                        match r {
                            Ok(r) if !r.changed.is_empty() => log.line(&Entry::Pulled { peer: &crate::identity::short(&p.id), docs: r.changed.len() }),
                            Ok(_) => {}
                            Err(e) => log.line(&Entry::NotReached { peer: &crate::identity::short(&p.id), error: &e }),
                        }
                    }
                }
            }
        }
        log.line(&Entry::Stopping);
        let _ = router.shutdown().await;
        ep.close().await;
        Ok::<(), SyncError>(())
    })
    .map_err(Fail::Sync)?;
    out(&tr!(l, "sync.stopped"));
    Ok(())
}

/// The hub's log in the user's language.
fn log_words(l: Lang) -> node::Words {
    Arc::new(move |e: &Entry<'_>| match e {
        Entry::Serving {
            programme,
            me,
            addrs,
        } => tr!(
            l,
            "serve_log.serving",
            programme = programme,
            me = me,
            addrs = addrs
        ),
        Entry::AddressBook(e) => tr!(
            l,
            "serve_log.address_book",
            error = crate::i18n::store_error(l, e)
        ),
        Entry::Pulled { peer, docs } => tr!(l, "serve_log.pulled", peer = peer, docs = docs),
        Entry::NotReached { peer, error } => tr!(
            l,
            "serve_log.not_reached",
            peer = peer,
            error = crate::i18n::sync_error(l, error)
        ),
        Entry::Synced { peer, report } => report_line(l, peer, report),
        Entry::Files { peer, report } => files_line(l, peer, report).unwrap_or_default(),
        Entry::SyncFailed { peer, error } => tr!(
            l,
            "serve_log.sync_failed",
            peer = peer,
            error = crate::i18n::sync_error(l, error)
        ),
        Entry::TimedOut { peer } => tr!(l, "serve_log.timed_out", peer = peer),
        Entry::Joined { peer } => tr!(l, "serve_log.joined", peer = peer),
        Entry::JoinRefused { peer, code } => {
            tr!(l, "serve_log.join_refused", peer = peer, code = code)
        }
        Entry::NotMember { peer } => tr!(l, "serve_log.not_member", peer = peer),
        Entry::Busy { peer, join: false } => tr!(l, "serve_log.busy_sync", peer = peer),
        Entry::Busy { peer, join: true } => tr!(l, "serve_log.busy_join", peer = peer),
        Entry::Quiet => tr!(l, "serve_log.quiet"),
        Entry::Stopping => tr!(l, "serve_log.stopping"),
    })
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

pub fn peers(ctx: &Ctx, f: FormatArg) -> CmdResult {
    let l = ctx.lang;
    let format = ctx.format(&f)?;
    let ws = ctx.open_any()?;
    let me = this_device(ctx)?;
    let when = crate::present::local_time;
    let rows = crate::sync::agent::peer_list(&ws, &me, &[]).map_err(Fail::Store)?;
    let table = Table {
        headers: ["id", "name", "role", "last_seen", "last_sync", "addresses"]
            .iter()
            .map(|h| i18n::field(l, h))
            .collect(),
        rows: rows
            .iter()
            .map(|p| {
                vec![
                    crate::identity::short(&p.id),
                    p.name.clone(),
                    p.role
                        .map(|r| label(l, r))
                        .unwrap_or_else(|| tr!(l, "sync.not_member_short")),
                    when(p.last_seen),
                    when(p.last_sync),
                    p.addrs.join(" "),
                ]
            })
            .collect(),
    };
    let json = rows
        .iter()
        .map(|p| {
            json!({
                "id": p.id, "name": p.name, "role": p.role,
                "last_seen_ms": p.last_seen, "last_sync_ms": p.last_sync,
                "addresses": p.addrs, "last_error": p.last_error,
            })
        })
        .collect();
    print_list(format, &table, json);
    Ok(())
}

/// Each refused change on standard error, then how many.
pub(super) fn print_refusals(l: Lang, ws: &Workspace, refused: &[crate::store::Refused]) {
    for r in refused {
        eprintln!(
            "{}",
            crate::present::printable(&i18n::refusal(l, &ws.model().members, &r.row("", 0)))
        );
    }
    if !refused.is_empty() {
        eprintln!("{}", tr!(l, "refusal.summary", count = refused.len()));
    }
}

pub fn config(ctx: &Ctx, cmd: ConfigCmd) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open_any()?;
    match cmd {
        ConfigCmd::Show => {
            let cfg = NetConfig::of(&mut ws).map_err(Fail::Sync)?;
            out(&format!("port  {}", cfg.port));
            out(&format!(
                "relay {}",
                cfg.relay.unwrap_or_else(|| "-".into())
            ));
            out(&format!("mdns  {}", if cfg.mdns { "on" } else { "off" }));
            out(&format!("bind  {}", cfg.bind_ip));
            let files = crate::sync::files::FilesPolicy::of(&ws);
            out(&format!("files {}", files.word()));
        }
        ConfigCmd::Set { key, value } => {
            let v = value.trim();
            let ok = match key.as_str() {
                "port" => v.parse::<u16>().is_ok_and(|p| p > 0),
                "relay" => v.is_empty() || v.parse::<iroh::RelayUrl>().is_ok(),
                "mdns" => matches!(v, "on" | "off"),
                "bind" => v.parse::<std::net::IpAddr>().is_ok(),
                "files" => matches!(v, "all" | "thumbnails" | "off"),
                _ => false,
            };
            if !ok {
                return Err(Fail::said(
                    "config.bad",
                    vec![("key", key.to_string()), ("value", v.to_string())],
                ));
            }
            ws.set_setting(&key, v).map_err(Fail::Store)?;
            out(&tr!(l, "config.saved", key = key.as_str(), value = v));
        }
    }
    Ok(())
}

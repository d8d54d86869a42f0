//! Commands that travel: identity, members, invites, joining, sync, the
//! hub, bundles, and network settings.

use super::output::{Table, out, print_list};
use super::{CmdResult, Ctx, Fail, FormatArg};
use crate::domain::access::{may_invite, within_scope};
use crate::domain::*;
use crate::i18n::{self, Lang, label};
use crate::input as parse;
use crate::store::Workspace;
use crate::sync::node::{self, Log, NetConfig};
use crate::sync::session::{SessionReport, Shared, lock};
use crate::sync::ticket::{Invite, InviteError, PeerAddr};
use crate::sync::{SyncError, bundle};
use crate::tr;
use clap::{Args, Subcommand};
use serde_json::json;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Debug, Subcommand)]
pub enum MemberCmd {
    /// List members
    List(FormatArg),
    /// Revoke a member: every device that hears of it refuses theirs
    Revoke {
        /// The member's name or an id prefix
        member: String,
    },
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    /// city-admin, district-admin, kindergarten, inspector or viewer
    #[arg(long)]
    pub role: String,
    /// The district (district-admin; repeat for an inspector's districts)
    #[arg(long)]
    pub district: Vec<String>,
    /// The kindergarten (kindergarten role)
    #[arg(long)]
    pub kindergarten: Option<String>,
    /// How long the invite stays valid: 30m, 72h, 7d
    #[arg(long, default_value = "72h")]
    pub expires: String,
    /// The new member's name
    #[arg(long)]
    pub name: Option<String>,
}

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
pub enum BundleCmd {
    /// Write the documents a member may read (all of them by default)
    Export {
        /// The member it is for: id prefix or name
        #[arg(long = "for")]
        for_member: Option<String>,
        file: PathBuf,
    },
    /// Check a bundle and merge it: every change is checked (signature,
    /// author's role and scope, locks); what fails is refused
    Import {
        file: PathBuf,
        /// Show, per author, what would be merged and what refused; change nothing
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Show the network settings
    Show,
    /// Set port, relay (a URL, or "" for none) or mdns (on/off)
    Set { key: String, value: String },
}

fn runtime(ctx: &Ctx) -> Result<tokio::runtime::Runtime, Fail> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Fail::line(tr!(ctx.lang, "sync.net_error", detail = e.to_string())))
}

fn key(ctx: &Ctx) -> Result<iroh::SecretKey, Fail> {
    crate::identity::load_or_create(&ctx.data_dir).map_err(|e| {
        Fail::line(tr!(
            ctx.lang,
            "store.io",
            path = crate::identity::key_path(&ctx.data_dir)
                .display()
                .to_string(),
            detail = e.to_string()
        ))
    })
}

fn this_device(ctx: &Ctx) -> Result<String, Fail> {
    Ok(crate::identity::endpoint_hex(&key(ctx)?))
}

/// This device's reachable address with its listening port.
fn my_addr(ctx: &Ctx, ws: &mut Workspace) -> Result<PeerAddr, Fail> {
    node::own_addr_blocking(ws, &key(ctx)?).map_err(|e| Fail::line(i18n::sync_error(ctx.lang, &e)))
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

fn scope_text(l: Lang, m: &Model, member: &Member) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(d) = &member.district {
        parts.push(m.district_name(d));
    }
    if let Some(k) = &member.kindergarten {
        parts.push(m.kindergarten_name(k));
    }
    parts.extend(member.districts.iter().map(|d| m.district_name(d)));
    parts.join(l.sep())
}

pub fn member(ctx: &Ctx, cmd: MemberCmd) -> CmdResult {
    let l = ctx.lang;
    let format = match cmd {
        MemberCmd::List(f) => f,
        MemberCmd::Revoke { member } => return revoke(ctx, &member),
    };
    let format = ctx.format(&format)?;
    let ws = ctx.open()?;
    let m = ws.model();
    let me = this_device(ctx)?;
    let mut ms: Vec<&Member> = m.members.values().collect();
    ms.sort_by(|a, b| (a.added_on, &a.name).cmp(&(b.added_on, &b.name)));
    let table = Table {
        headers: ["id", "name", "role", "scope", "added_on", "member_status"]
            .iter()
            .map(|f| i18n::field(l, f))
            .collect(),
        rows: ms
            .iter()
            .map(|x| {
                let mut name = x.name.clone();
                if x.id == me {
                    name.push_str(&tr!(l, "sync.this_device"));
                }
                vec![
                    x.short_id().to_string(),
                    name,
                    label(l, x.role),
                    scope_text(l, m, x),
                    x.added_on.to_string(),
                    tr!(
                        l,
                        if x.revoked {
                            "sync.revoked"
                        } else {
                            "sync.active"
                        }
                    ),
                ]
            })
            .collect(),
    };
    let json = ms.iter().map(|x| json!(x)).collect();
    print_list(format, &table, json);
    Ok(())
}

/// Marks a member revoked, if this device may (the same rights as
/// inviting them); never this device itself.
fn revoke(ctx: &Ctx, who: &str) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    let me = this_device(ctx)?;
    let target = named_peer(l, &ws, who)?;
    let model = ws.model();
    let Some(m) = model.members.get(&target.id).cloned() else {
        return Err(Fail::line(tr!(l, "sync.unknown_peer", peer = who)));
    };
    if m.id == me {
        return Err(Fail::line(tr!(l, "member.not_self")));
    }
    let allowed = model
        .active_member(&me)
        .is_some_and(|x| may_invite(x, m.role) && within_scope(model, x, &m));
    if !allowed {
        return Err(Fail::line(tr!(
            l,
            "member.may_not_revoke",
            name = m.name.as_str()
        )));
    }
    let name = m.name.clone();
    let role = label(l, m.role);
    ws.write(|w| w.put_member(Member { revoked: true, ..m }))
        .map_err(|e| ctx.edit(e))?;
    out(&tr!(l, "member.revoked", name = name.as_str(), role = role));
    Ok(())
}

pub fn invite(ctx: &Ctx, a: InviteArgs) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    let role: MemberRole = parse::code(l, "role", &a.role)?;
    let model = ws.model();
    let districts = a
        .district
        .iter()
        .map(|d| parse::district(l, model, d))
        .collect::<Result<Vec<_>, _>>()?;
    let kindergarten = a
        .kindergarten
        .as_ref()
        .map(|k| parse::kindergarten(l, model, k))
        .transpose()?;
    let refused = |r: crate::domain::invites::InviteRefusal| {
        Fail::line(i18n::invite_refusal(l, &r, &a.expires))
    };
    let secs = crate::input::duration_secs(&a.expires)
        .ok_or(crate::domain::invites::InviteRefusal::BadExpiry)
        .map_err(refused)?;
    let me = this_device(ctx)?;
    let wanted = crate::domain::invites::invite_for(
        model,
        &me,
        role,
        districts,
        kindergarten,
        a.name.clone(),
        ctx.options().today,
    )
    .map_err(refused)?;
    let inviter = my_addr(ctx, &mut ws)?;
    let ticket = node::make_invite(ws.workspace_id(), &wanted, secs, inviter, &key(ctx)?);
    eprintln!(
        "{}",
        tr!(
            l,
            "invite.made",
            role = label(l, role),
            hours = format!("{:.0}", secs as f64 / 3600.0)
        )
    );
    out(&ticket);
    Ok(())
}

/// What a sync brought, as one line: "12 条帮扶活动、1 份协议备案".
fn report_line(l: Lang, peer: &str, r: &SessionReport) -> String {
    tr!(
        l,
        "sync.report",
        peer = peer,
        docs = r.docs,
        rounds = r.rounds,
        sent = r.bytes_sent,
        received = r.bytes_received
    )
}

pub fn join(ctx: &Ctx, a: JoinArgs) -> CmdResult {
    let l = ctx.lang;
    let invite = Invite::verify(&a.ticket)
        .map_err(|e| Fail::line(i18n::text(l, &format!("invite.{}", e.code()))))?;
    if invite.expires < chrono::Utc::now().timestamp() {
        return Err(Fail::line(i18n::text(
            l,
            &format!("invite.{}", InviteError::Expired.code()),
        )));
    }
    let name = a
        .name
        .clone()
        .or(invite.name.clone())
        .unwrap_or_else(|| ctx.person.clone());
    let rt = runtime(ctx)?;
    let (ws, report) = rt
        .block_on(node::join(
            &ctx.data_dir,
            &a.ticket,
            &name,
            ctx.options(),
            &node::joining_config(&invite),
        ))
        .map_err(|e| Fail::line(i18n::sync_error(l, &e)))?;
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
    ));
    Ok(())
}

/// A peer named on the command line.
fn named_peer(l: Lang, ws: &Workspace, s: &str) -> Result<PeerAddr, Fail> {
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
                .map_err(|e| Fail::line(i18n::store_error(l, &e)))?
                .into_iter()
                .find(|p| p.id == one.id)
                .map(|p| p.addrs)
                .unwrap_or_default();
            Ok(PeerAddr::from_book(&one.id, &book))
        }
        [] => Err(Fail::line(tr!(l, "sync.unknown_peer", peer = s))),
        many => Err(Fail::line(tr!(
            l,
            "id.ambiguous",
            typed = s,
            what = i18n::field(l, "peer"),
            count = many.len()
        ))),
    }
}

pub fn sync(ctx: &Ctx, a: SyncArgs) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open_any()?;
    let me = this_device(ctx)?;
    let peers = if a.peers.is_empty() {
        crate::sync::known_peers(&ws, &me).map_err(|e| Fail::line(i18n::store_error(l, &e)))?
    } else {
        a.peers
            .iter()
            .map(|p| named_peer(l, &ws, p))
            .collect::<Result<Vec<_>, _>>()?
    };
    if peers.is_empty() {
        return Err(Fail::line(tr!(l, "sync.no_peers")));
    }
    let cfg = NetConfig::of(&mut ws).map_err(|e| Fail::line(i18n::sync_error(l, &e)))?;
    let before = ws.model().tally();
    let k = key(ctx)?;
    let shared: Shared = Arc::new(Mutex::new(ws));
    let rt = runtime(ctx)?;
    let results = rt.block_on(async {
        // On the stable port when it is free (so peers note an address
        // that works later), else on any (a hub or the interface runs).
        let ep = match node::bind(&k, &cfg, true).await {
            Ok(ep) => ep,
            Err(_) => node::bind(&k, &cfg, false).await?,
        };
        let results = node::sync_many(&shared, &ep, peers, move |p, r| {
            eprintln!(
                "{}",
                tr!(
                    l,
                    "sync.progress",
                    peer = crate::identity::short(&p.id),
                    round = r.rounds,
                    sent = r.bytes_sent,
                    received = r.bytes_received
                )
            );
        })
        .await;
        ep.close().await;
        Ok::<_, SyncError>(results)
    });
    let results = results.map_err(|e| Fail::line(i18n::sync_error(l, &e)))?;
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
        out(&crate::present::arrivals(l, &before, &w.model().tally()));
    }
    let refused: Vec<crate::store::Refused> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .flat_map(|r| r.refused.iter().cloned())
        .collect();
    print_refusals(l, &w, &refused);
    if ok == 0 || (!a.peers.is_empty() && !failures.is_empty()) {
        return Err(Fail(failures));
    }
    for f in failures {
        eprintln!("{f}");
    }
    Ok(())
}

pub fn serve(ctx: &Ctx, a: ServeArgs) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    if let Some(p) = a.port {
        ws.set_setting("port", &p.to_string())
            .map_err(|e| ctx.store(&e))?;
    }
    let cfg = NetConfig::of(&mut ws).map_err(|e| Fail::line(i18n::sync_error(l, &e)))?;
    let log_path = a
        .log
        .clone()
        .unwrap_or_else(|| ctx.data_dir.join("serve.log"));
    let log = Log::to_file(&log_path, true).map_err(|e| {
        Fail::line(tr!(
            l,
            "store.io",
            path = log_path.display().to_string(),
            detail = e.to_string()
        ))
    })?;
    let k = key(ctx)?;
    let me = crate::identity::endpoint_hex(&k);
    let shared: Shared = Arc::new(Mutex::new(ws));
    let rt = runtime(ctx)?;
    let interval = std::time::Duration::from_secs(a.interval.max(5));
    rt.block_on(async {
        let ep = node::bind(&k, &cfg, true).await?;
        let router = node::router(ep.clone(), shared.clone(), log.clone());
        let addr = node::local_addr(&ep);
        log.line(&format!(
            "serving {} as {} on {}",
            lock(&shared).model().programme.name,
            crate::identity::short(&me),
            addr.addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")
        ));
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
                            log.line(&format!("cannot read the address book: {e}"));
                            Vec::new()
                        }
                    };
                    for (p, r) in node::sync_many(&shared, &ep, peers, |_, _| {}).await {
                        match r {
                            Ok(r) if !r.changed.is_empty() => log.line(&format!("pulled {} changed documents from {}", r.changed.len(), crate::identity::short(&p.id))),
                            Ok(_) => {}
                            Err(e) => log.line(&format!("{} not reached: {e}", crate::identity::short(&p.id))),
                        }
                    }
                }
            }
        }
        log.line("stopping");
        let _ = router.shutdown().await;
        ep.close().await;
        Ok::<(), SyncError>(())
    })
    .map_err(|e| Fail::line(i18n::sync_error(l, &e)))?;
    out(&tr!(l, "sync.stopped"));
    Ok(())
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
    let rows = crate::sync::agent::peer_list(&ws, &me, &[])
        .map_err(|e| Fail::line(i18n::store_error(l, &e)))?;
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

pub fn bundle(ctx: &Ctx, cmd: BundleCmd) -> CmdResult {
    let l = ctx.lang;
    match cmd {
        BundleCmd::Export { for_member, file } => {
            let mut ws = ctx.open()?;
            let (docs, for_id) = match &for_member {
                None => (ws.doc_ids().into_iter().collect(), None),
                Some(who) => {
                    let p = named_peer(l, &ws, who)?;
                    let m = ws.model().active_member(&p.id).cloned().ok_or_else(|| {
                        Fail::line(tr!(l, "sync.unknown_peer", peer = who.as_str()))
                    })?;
                    (ws.readable_docs(&m), Some(m.id))
                }
            };
            let bytes = bundle::export(&mut ws, &docs, for_id)
                .map_err(|e| Fail::line(tr!(l, "bundle.failed", detail = e.to_string())))?;
            super::setup::write_file_atomically(&file, &bytes).map_err(|e| {
                Fail::line(tr!(
                    l,
                    "export.io",
                    path = file.display().to_string(),
                    detail = e.to_string()
                ))
            })?;
            out(&tr!(
                l,
                "bundle.written",
                path = file.display().to_string(),
                docs = docs.len(),
                bytes = bytes.len()
            ));
        }
        BundleCmd::Import { file, dry_run } => {
            let bytes = std::fs::read(&file).map_err(|e| {
                Fail::line(tr!(
                    l,
                    "import.unreadable",
                    path = file.display().to_string(),
                    detail = e.to_string()
                ))
            })?;
            // Check the whole file before touching anything.
            let header = bundle::read(&bytes)
                .map(|r| r.header)
                .map_err(|e| Fail::line(tr!(l, "bundle.refused", detail = e.to_string())))?;
            let mut ws = match Workspace::open(&ctx.data_dir, ctx.options()) {
                Ok(ws) => ws,
                Err(crate::store::StoreError::NoWorkspace { .. }) => {
                    Workspace::create_joined(&ctx.data_dir, &header.workspace, ctx.options())
                        .map_err(|e| ctx.store(&e))?
                }
                Err(e) => return Err(ctx.store(&e)),
            };
            let refused = |e: bundle::BundleError| {
                Fail::line(tr!(l, "bundle.refused", detail = e.to_string()))
            };
            if dry_run {
                let d = bundle::dry_run(&mut ws, &bytes).map_err(refused)?;
                out(&tr!(
                    l,
                    "bundle.dry_run",
                    exporter = i18n::device_label(&ws.model().members, &d.exporter)
                ));
                for (author, count) in &d.merged {
                    out(&tr!(
                        l,
                        "bundle.would_merge",
                        author = i18n::device_label(&ws.model().members, author),
                        count = *count
                    ));
                }
                if !d.refused.is_empty() {
                    out(&tr!(l, "bundle.would_refuse", count = d.refused.len()));
                    for r in &d.refused {
                        out(&format!(
                            "    {}",
                            i18n::refusal(l, &ws.model().members, &r.row("", 0))
                        ));
                    }
                }
                if d.merged.is_empty() && d.refused.is_empty() {
                    out(&tr!(l, "bundle.dry_run_none"));
                }
                return Ok(());
            }
            let before = ws.model().tally();
            let got = bundle::import(&mut ws, &bytes).map_err(refused)?;
            out(&tr!(l, "bundle.imported", docs = got.changed.len()));
            out(&crate::present::arrivals(l, &before, &ws.model().tally()));
            print_refusals(l, &ws, &got.refused);
        }
    }
    Ok(())
}

/// Each refused change on standard error, then how many.
fn print_refusals(l: Lang, ws: &Workspace, refused: &[crate::store::Refused]) {
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
            let cfg = NetConfig::of(&mut ws).map_err(|e| Fail::line(i18n::sync_error(l, &e)))?;
            out(&format!("port  {}", cfg.port));
            out(&format!(
                "relay {}",
                cfg.relay.unwrap_or_else(|| "-".into())
            ));
            out(&format!("mdns  {}", if cfg.mdns { "on" } else { "off" }));
            out(&format!("bind  {}", cfg.bind_ip));
        }
        ConfigCmd::Set { key, value } => {
            let v = value.trim();
            let ok = match key.as_str() {
                "port" => v.parse::<u16>().is_ok_and(|p| p > 0),
                "relay" => v.is_empty() || v.parse::<iroh::RelayUrl>().is_ok(),
                "mdns" => matches!(v, "on" | "off"),
                "bind" => v.parse::<std::net::IpAddr>().is_ok(),
                _ => false,
            };
            if !ok {
                return Err(Fail::line(tr!(
                    l,
                    "config.bad",
                    key = key.as_str(),
                    value = v
                )));
            }
            ws.set_setting(&key, v).map_err(|e| ctx.store(&e))?;
            out(&tr!(l, "config.saved", key = key.as_str(), value = v));
        }
    }
    Ok(())
}

//! Devices that can reach each other only through a bureau's relay: a
//! real iroh-relay server runs in this test process, and each device runs
//! (as the real `bangfu` binary) in its own network namespace, which has a
//! route to the relay and none to the other devices. Join, sync, and
//! store-and-forward through a hub all go by way of the relay.
//!
//! Needs root (network namespaces), as CI has.

mod common;
use common::net::*;
use common::*;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::Command;
use std::time::Instant;

/// Three network namespaces joined to this one by veth pairs. This
/// namespace does not forward between them (`ip_forward` is checked), so
/// each reaches only the address on its link and the relay's address.
struct Networks {
    names: Vec<String>,
    relay_ip: Ipv4Addr,
}

fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("`ip` runs (iproute2, as root): {e}"));
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Networks {
    /// Namespaces `bfr<pid>a`, `…b`, `…c`; addresses in 10.X.Y.0/26, from
    /// this process's id, so that runs side by side do not collide.
    fn new() -> Networks {
        let forward = std::fs::read_to_string("/proc/sys/net/ipv4/ip_forward").unwrap_or_default();
        assert_eq!(
            forward.trim(),
            "0",
            "this test needs a host that does not route between namespaces"
        );
        let pid = std::process::id();
        let (x, y) = (100 + (pid / 250) % 100, pid % 250);
        let base = |last: u32| format!("10.{x}.{y}.{last}");
        let mut names = Vec::new();
        let relay_ip = Ipv4Addr::new(10, x as u8, y as u8, 1);
        for (i, side) in ["a", "b", "c"].iter().enumerate() {
            let ns = format!("bfr{pid}{side}");
            let (outer, inner) = (format!("{ns}0"), format!("{ns}1"));
            let i = u32::try_from(i).unwrap_or(0);
            let (here, there) = (base(5 + 4 * i), base(6 + 4 * i));
            ip(&["netns", "add", &ns]);
            names.push(ns.clone());
            ip(&[
                "link", "add", &outer, "type", "veth", "peer", "name", &inner,
            ]);
            ip(&["link", "set", &inner, "netns", &ns]);
            ip(&["addr", "add", &format!("{here}/30"), "dev", &outer]);
            ip(&["link", "set", &outer, "up"]);
            ip(&[
                "-n",
                &ns,
                "addr",
                "add",
                &format!("{there}/30"),
                "dev",
                &inner,
            ]);
            ip(&["-n", &ns, "link", "set", &inner, "up"]);
            ip(&["-n", &ns, "link", "set", "lo", "up"]);
            // The relay's address lives on the first link's near end; every
            // namespace gets a route to it, and to nothing else.
            if i == 0 {
                ip(&["addr", "add", &format!("{relay_ip}/32"), "dev", &outer]);
            }
            ip(&[
                "-n",
                &ns,
                "route",
                "add",
                &format!("{relay_ip}/32"),
                "via",
                &here,
            ]);
        }
        Networks { names, relay_ip }
    }

    fn ns(&self, i: usize) -> &str {
        &self.names[i]
    }
}

impl Drop for Networks {
    fn drop(&mut self) {
        // The veth pairs go with their namespaces.
        for ns in &self.names {
            let _ = Command::new("ip").args(["netns", "del", ns]).output();
        }
    }
}

/// A real relay server (plain HTTP, as on a bureau's LAN) on `ip`.
fn relay_server(
    rt: &tokio::runtime::Runtime,
    ip: Ipv4Addr,
) -> (iroh_relay::server::Server, String) {
    use iroh_relay::server::{RelayConfig, Server, ServerConfig};
    let mut config: ServerConfig = ServerConfig::default();
    config.relay = Some(RelayConfig::new(SocketAddr::from((ip, 0))));
    let server = rt
        .block_on(Server::spawn(config))
        .expect("the relay starts");
    let addr = server.http_addr().expect("listening on HTTP");
    (server, format!("http://{addr}"))
}

#[test]
fn devices_that_reach_each_other_only_through_a_relay_join_sync_and_pass_on_changes() {
    let nets = Networks::new();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (relay, url) = relay_server(&rt, nets.relay_ip);
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().expect("dir")).collect();
    let (hub_dir, b, c) = (dirs[0].path(), dirs[1].path(), dirs[2].path());
    let in_ns = |i: usize, dir: &std::path::Path, args: &[&str]| {
        finish(command_in(nets.ns(i), dir).args(args))
    };
    run(hub_dir, &["demo", "--scale", "small"]).ok();
    run(hub_dir, &["config", "set", "relay", &url]).ok();
    let invite = |name: &str| {
        let args = [
            "invite",
            "--role",
            "city-admin",
            "--name",
            name,
            "--expires",
            "2h",
        ];
        last_line(run(hub_dir, &args).ok())
    };
    let (ticket_b, ticket_c) = (invite("王科长"), invite("李督学"));
    let hub = serve_as(command_in(nets.ns(0), hub_dir));
    // The hub's address names the relay; its own addresses are of a
    // network the others cannot reach.
    let hub_address = last_line(run(hub_dir, &["id"]).ok());

    // Join through the relay: the hub's own addresses are unreachable.
    let start = Instant::now();
    let said = in_ns(1, b, &["join", &ticket_b]);
    assert!(said.ok().contains("已加入"), "{}", said.stdout);
    let join_b = start.elapsed();
    in_ns(2, c, &["join", &ticket_c]).ok();
    assert_eq!(export(hub_dir), export(b), "identical after joining");
    let shown = run(b, &["config", "show"]).ok().to_string();
    let kept = shown
        .lines()
        .find_map(|l| l.strip_prefix("relay "))
        .unwrap_or_default();
    assert_eq!(
        kept.trim().trim_end_matches('/'),
        url,
        "the joiner keeps the inviter's relay: {shown}"
    );

    // The relay is the only way: without it the hub cannot be reached.
    run(b, &["config", "set", "relay", ""]).ok();
    let cut_off = in_ns(1, b, &["sync", &hub_address]);
    assert!(cut_off.fails().contains("连接不上"), "{}", cut_off.stderr);
    run(b, &["config", "set", "relay", &url]).ok();

    // Edits on both sides, synced through the relay.
    let pairing = first_pairing(hub_dir);
    add_visit(hub_dir, &pairing, "市局记录：送教下乡");
    add_visit(b, &pairing, "县局记录：入园指导");
    let start = Instant::now();
    let said = in_ns(1, b, &["sync", &hub_address]);
    assert!(said.ok().contains("收到：1 条帮扶活动"), "{}", said.stdout);
    let sync_b = start.elapsed();
    assert_eq!(export(hub_dir), export(b), "identical after syncing");
    let start = Instant::now();
    let said = in_ns(1, b, &["sync", &hub_address]);
    assert!(said.ok().contains("没有收到新内容"), "{}", said.stdout);
    let nothing_new = start.elapsed();

    // Store and forward: B is gone; C, never online with B, gets B's
    // visit from the hub, through the relay.
    add_visit(b, &pairing, "县局记录：跟岗学习");
    in_ns(1, b, &["sync", &hub_address]).ok();
    let said = in_ns(2, c, &["sync", &hub_address]);
    assert!(said.ok().contains("收到：3 条帮扶活动"), "{}", said.stdout);
    assert_eq!(export(b), export(c), "C holds what B wrote");
    stop(hub);
    drop(relay);
    eprintln!(
        "through the relay: join {} ms, sync of 1+1 visits {} ms, nothing new {} ms",
        join_b.as_millis(),
        sync_b.as_millis(),
        nothing_new.as_millis()
    );
}

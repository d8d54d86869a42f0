//! Sync as a person runs it: two data directories on one machine (two
//! devices), the commands `invite`, `serve`, `join`, `sync`, `peers` and
//! `id`, over loopback without multicast.

mod common;
use common::net::*;
use common::*;
use std::path::Path;
use std::process::Stdio;

#[test]
fn invite_join_edit_and_sync_through_a_hub_leave_both_devices_identical() {
    let bureau = tempfile::tempdir().expect("tempdir");
    let county = tempfile::tempdir().expect("tempdir");
    let (a, b) = (bureau.path(), county.path());
    run(a, &["demo", "--scale", "small"]).ok();
    // Loopback only: nothing leaves this machine.
    run(a, &["config", "set", "bind", "127.0.0.1"]).ok();
    let ticket = last_line(
        run(
            a,
            &[
                "invite",
                "--role",
                "city-admin",
                "--name",
                "王科长",
                "--expires",
                "2h",
            ],
        )
        .ok(),
    );
    assert!(ticket.starts_with("bfinvite1"), "{ticket}");

    // The invite made before the hub started still works with it.
    let hub = serve(a);
    let joined = run(b, &["join", &ticket]);
    let said = joined.ok();
    assert!(said.contains("已加入"), "{said}");
    assert!(said.contains("收到："), "{said}");
    assert_eq!(export(a), export(b), "identical after joining");
    // The same invite again: refused, with the reason.
    let other = tempfile::tempdir().expect("tempdir");
    let again = run(other.path(), &["join", &ticket]);
    assert!(again.fails().contains("已被使用过"), "{}", again.stderr);

    // Edits on both sides; the bureau's is made by a command run beside
    // the hub, which offers it at the next sync.
    let pairing = first_pairing(a);
    add_visit(a, &pairing, "市局记录：送教下乡，带去绘本二十册");
    add_visit(b, &pairing, "县局记录：入园指导，观察区域活动");
    // And a monthly report written and submitted on the bureau's machine.
    let which = ["--district", "盘山县", "--month", "2026-12"];
    run(
        a,
        &[
            &["report", "edit", "--progress", "本月送教两次。"][..],
            &which,
        ]
        .concat(),
    )
    .ok();
    run(a, &[&["report", "submit"][..], &which].concat()).ok();
    let synced = run(b, &["sync"]);
    let said = synced.ok();
    assert!(said.contains("收到：1 条帮扶活动"), "{said}");
    assert!(said.contains("1 份报告已提交"), "{said}");
    assert_eq!(export(a), export(b), "identical after syncing");
    // The other city admin opens the submitted report: it arrived whole,
    // and the day it was first seen above is noted.
    let report = run(
        b,
        &[&["report", "monthly", "--format", "json"][..], &which].concat(),
    )
    .json();
    assert_eq!(report["status"], "submitted");
    assert_eq!(report["sections"]["progress"], "本月送教两次。");
    assert_eq!(
        report["workflow"]["seen"].as_object().map(|m| m.len()),
        Some(1)
    );

    // Who each knows.
    let peers = run(b, &["peers", "--format", "json"]).json();
    assert_eq!(peers.as_array().map(Vec::len), Some(1), "{peers}");
    assert!(peers[0]["last_sync_ms"].as_i64().is_some(), "{peers}");

    // Revoked (by a command beside the hub): the hub refuses the device.
    let revoked = run(a, &["member", "revoke", "王科长"]);
    assert!(revoked.ok().contains("已撤销"), "{}", revoked.stdout);
    let refused = run(b, &["sync"]);
    assert!(
        refused.fails().contains("不是对方所知的成员"),
        "{}",
        refused.stderr
    );
    stop(hub);
    // The hub logged each good session as one (the joiner's first sync and
    // the sync above), none as lost.
    let log = std::fs::read_to_string(a.join("serve.log")).expect("the hub's log");
    // In the language of the hub's user (zh-CN here).
    assert!(
        log.contains("开始服务") && log.contains("停止服务"),
        "{log}"
    );
    assert!(log.matches("同步完成").count() >= 2, "{log}");
    assert!(!log.contains("失败") && !log.contains("synced"), "{log}");
    // Staff names and phone numbers are the owner's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| {
            std::fs::metadata(p)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0)
        };
        for dir in [a, b] {
            assert_eq!(mode(dir), 0o700, "{}", dir.display());
            assert_eq!(mode(&dir.join("workspace.db")), 0o600);
        }
        assert_eq!(mode(&a.join("serve.log")), 0o600);
    }

    // With the hub stopped, sync says who could not be reached.
    let offline = run(b, &["sync"]);
    assert!(offline.fails().contains("连接不上"), "{}", offline.stderr);
}

#[test]
fn a_device_of_another_programme_gets_nothing() {
    let bureau = tempfile::tempdir().expect("tempdir");
    let stranger = tempfile::tempdir().expect("tempdir");
    let (a, s) = (bureau.path(), stranger.path());
    run(a, &["demo", "--scale", "small"]).ok();
    run(a, &["config", "set", "bind", "127.0.0.1"]).ok();
    run(s, &["demo", "--scale", "small", "--seed", "8"]).ok();
    run(s, &["config", "set", "bind", "127.0.0.1"]).ok();
    let address = last_line(run(a, &["id"]).ok());
    assert!(address.starts_with("bfpeer1"), "{address}");
    let before = export(s);
    let hub = serve(a);
    let refused = run(s, &["sync", &address]);
    let why = refused.fails().to_string();
    assert!(why.contains("不是") && why.contains("成员"), "{why}");
    assert_eq!(export(s), before, "nothing arrived");
    stop(hub);
    let log = std::fs::read_to_string(a.join("serve.log")).expect("the hub's log");
    assert!(log.contains("不是成员"), "{log}");
}

#[test]
fn a_kindergarten_may_not_edit_another_kindergartens_visit_nor_file_a_pairing_it_is_not_in() {
    let bureau = tempfile::tempdir().expect("tempdir");
    let village = tempfile::tempdir().expect("tempdir");
    let (a, k) = (bureau.path(), village.path());
    run(a, &["demo", "--scale", "small"]).ok();
    run(a, &["config", "set", "bind", "127.0.0.1"]).ok();
    // A kindergarten helped in one pairing, and a pairing of its district
    // it is not in, with a visit.
    let pairings = run(a, &["pairing", "list", "--format", "json"]).json();
    let list = pairings.as_array().expect("pairings");
    let ids = |p: &serde_json::Value, side: &str| -> Vec<String> {
        p[side]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x["id"].as_str().or(x.as_str()).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    // A pairing whose district has another pairing without its helped
    // kindergarten on either side.
    let disjoint = |p: &serde_json::Value, q: &serde_json::Value| {
        let k = ids(p, "helped");
        p["district"] == q["district"]
            && !ids(q, "helped").iter().any(|x| k.contains(x))
            && !ids(q, "helpers").iter().any(|x| k.contains(x))
    };
    let (mine, theirs) = list
        .iter()
        .find_map(|p| list.iter().find(|q| disjoint(p, q)).map(|q| (p, q)))
        .expect("another pairing of the district");
    let kindergarten = ids(mine, "helped")[0].clone();
    let other_pairing = theirs["id"].as_str().expect("id").to_string();
    add_visit(a, &other_pairing, "另一所幼儿园的活动");
    let visits = run(a, &["visit", "list", "--format", "json"]).json();
    let visit = visits
        .as_array()
        .and_then(|v| v.iter().find(|x| x["note"] == "另一所幼儿园的活动"))
        .and_then(|x| x["id"].as_str())
        .expect("the visit")
        .to_string();
    let ticket = last_line(
        run(
            a,
            &[
                "invite",
                "--role",
                "kindergarten",
                "--kindergarten",
                &kindergarten,
                "--name",
                "园长",
            ],
        )
        .ok(),
    );
    let hub = serve(a);
    run(k, &["join", &ticket]).ok();
    stop(hub);
    let before = export(k);

    let edit = run(
        k,
        &[
            "visit",
            "edit",
            &visit,
            "--teachers-reached",
            "999",
            "--note",
            "改过",
        ],
    );
    let why = edit.fails().to_string();
    assert!(
        why.contains("幼儿园无权修改帮扶活动") && why.contains("不在其负责范围内"),
        "{why}"
    );
    let file = run(k, &["pairing", "file", &other_pairing]);
    let why = file.fails().to_string();
    assert!(why.contains("幼儿园无权审核备案帮扶协议"), "{why}");
    let sign = run(k, &["pairing", "sign", &other_pairing]);
    assert!(sign.fails().contains("无权签订帮扶协议"), "{}", sign.stderr);
    assert_eq!(export(k), before, "nothing was written");
}

#[test]
fn a_download_killed_at_any_moment_never_leaves_a_part_counted_as_the_file() {
    let bureau = tempfile::tempdir().expect("tempdir");
    let county = tempfile::tempdir().expect("tempdir");
    let (a, b) = (bureau.path(), county.path());
    run(a, &["demo", "--scale", "small"]).ok();
    run(a, &["config", "set", "bind", "127.0.0.1"]).ok();
    let ticket = last_line(run(a, &["invite", "--role", "city-admin", "--expires", "2h"]).ok());
    let hub = serve(a);
    run(b, &["join", &ticket]).ok();
    // Three sealed agreements scanned at 8 MB each, attached on the
    // bureau's machine beside its hub.
    let scans = tempfile::tempdir().expect("tempdir");
    let pairing = first_pairing(a);
    let mut args = vec!["attach".to_string(), pairing.clone()];
    for i in 0..3u32 {
        let p = scans.path().join(format!("协议{i}.pdf"));
        std::fs::write(&p, scanned_pdf(8_000_000, i)).expect("scan");
        args.push(p.display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(a, &args).ok();
    let options = bangfu::store::Options::new(
        "检查",
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
    );
    // One whole sync, timed; then each round the files are taken away
    // again and a sync is killed somewhere in that time.
    let start = std::time::Instant::now();
    run(b, &["sync"]).ok();
    let took = start.elapsed().as_millis() as u64;
    let scans_of = |ws: &bangfu::store::Workspace| -> Vec<bangfu::domain::Blob> {
        ws.model()
            .attachments()
            .filter(|x| x.record.to_string() == pairing)
            .map(|x| x.file.clone())
            .collect()
    };
    let mut rng = 0x1234_5678u64;
    let (mut partial_seen, mut whole_seen) = (0, 0);
    for cycle in 0..8u64 {
        {
            let ws = bangfu::store::Workspace::open(b, options.clone()).expect("opens");
            for f in scans_of(&ws) {
                if let Some(p) = ws.blobs().path(&f.hash) {
                    let _ = std::fs::remove_file(p);
                }
            }
        }
        let mut child = command(b)
            .arg("sync")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sync");
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        std::thread::sleep(std::time::Duration::from_millis(
            took * 3 / 10 + rng % (took.max(1)),
        ));
        let _ = child.kill();
        let _ = child.wait();
        let ws = bangfu::store::Workspace::open(b, options.clone()).expect("opens");
        let health = ws.check_files();
        assert!(
            health.damaged.is_empty(),
            "cycle {cycle}: a file counted as here with wrong bytes: {:?}",
            health.damaged
        );
        let here = scans_of(&ws)
            .iter()
            .filter(|f| ws.blobs().held(f) == bangfu::store::blobs::Held::Present)
            .count();
        whole_seen += here;
        partial_seen += usize::from(
            b.join("blobs")
                .join("partial")
                .read_dir()
                .is_ok_and(|mut d| d.next().is_some()),
        );
    }
    // A whole sync afterwards: every file here and whole, the parts gone.
    let said = run(b, &["sync"]);
    let said = said.ok();
    let ws = bangfu::store::Workspace::open(b, options).expect("opens");
    let health = ws.check_files();
    assert!(
        health.missing.is_empty() && health.damaged.is_empty(),
        "{said}\n{:?} {:?}",
        health.missing,
        health.damaged
    );
    let pdfs = ws
        .model()
        .attachments()
        .filter(|x| x.record.to_string() == pairing)
        .count();
    assert_eq!(pdfs, 3);
    let left = b.join("blobs").join("partial");
    assert!(
        left.read_dir().map_or(true, |mut d| d.next().is_none()),
        "no part left once whole"
    );
    eprintln!(
        "8 downloads of 24 MB ({took} ms whole) killed at random: a part kept after {partial_seen}, {whole_seen} files whole"
    );
    stop(hub);
}

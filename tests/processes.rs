//! Several bangfu processes on one workspace at once: both keep their
//! writes, and compaction (forced to run often here) never drops a chunk
//! another process just wrote.

mod common;
use common::*;
use std::process::Stdio;

#[test]
fn two_processes_writing_at_once_both_keep_every_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    run(dir.path(), &["init", "--plan", "panjin"]).ok();
    let spawn = || {
        command(dir.path())
            .env("BANGFU_COMPACT_AFTER", "5")
            .args(["debug", "write-stream", "--count", "120"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let (a, b) = (spawn(), spawn());
    let mut ids = Vec::new();
    for child in [a, b] {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        ids.extend(
            text.lines()
                .filter_map(|l| l.strip_prefix("saved "))
                .map(str::to_string),
        );
    }
    assert_eq!(ids.len(), 240);
    let list = run(dir.path(), &["kindergarten", "list", "--format", "json"]).json();
    let have: std::collections::BTreeSet<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|k| k["id"].as_str())
        .collect();
    for id in &ids {
        assert!(have.contains(id.as_str()), "{id} lost");
    }
    run(dir.path(), &["doctor"]).ok();
}

//! Crash safety: a process writing records one by one is killed with
//! SIGKILL at random moments; after each kill the workspace opens and holds
//! every record the process had reported as saved.
//!
//! 200 cycles by default; set BANGFU_CRASH_CYCLES for more.

mod common;
use bangfu::domain::Id;
use bangfu::store::{Options, Workspace};
use common::*;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

/// A small reproducible random sequence (xorshift), so a failing cycle can
/// be replayed with the same kill times.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

#[test]
fn killed_writers_never_lose_a_record_they_reported_saved() {
    let cycles: usize = std::env::var("BANGFU_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().expect("tempdir");
    run(dir.path(), &["init", "--plan", "panjin"]).ok();
    let options = Options::new(
        "检查",
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
    );
    let mut rng = Xorshift(0x5eed_cafe);
    let mut saved: Vec<Id> = Vec::new();
    let mut kills_before_first_save = 0;
    for cycle in 0..cycles {
        let mut child = command(dir.path())
            // Compact often, so kills also land inside compactions.
            .env("BANGFU_COMPACT_AFTER", "6")
            .args(["debug", "write-stream", "--count", "100000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn writer");
        let stdout = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.strip_prefix("saved ").and_then(Id::parse))
                .collect::<Vec<Id>>()
        });
        std::thread::sleep(Duration::from_millis(10 + rng.next(140)));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        let reported = reader.join().expect("reader");
        if reported.is_empty() {
            kills_before_first_save += 1;
        }
        saved.extend(reported);

        let ws = Workspace::open(dir.path(), options.clone()).unwrap_or_else(|e| {
            panic!("cycle {cycle}: the workspace does not open after a kill: {e}")
        });
        for id in &saved {
            assert!(
                ws.model().kindergarten(id).is_some(),
                "cycle {cycle}: record {id} was reported saved and is gone"
            );
        }
        assert!(ws.damaged().is_empty(), "cycle {cycle}: {:?}", ws.damaged());
    }
    eprintln!(
        "{cycles} kills, {} records reported saved and all present ({kills_before_first_save} kills came before a first save)",
        saved.len()
    );
    assert!(
        saved.len() > cycles,
        "the writer made progress: {}",
        saved.len()
    );
    // And the file is healthy by SQLite's and bangfu's own checks.
    run(dir.path(), &["doctor"]).ok();
}

#[test]
fn an_attach_killed_at_any_moment_leaves_each_file_with_its_reference_or_neither() {
    let cycles: usize = std::env::var("BANGFU_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(16, |n| n.max(16));
    let dir = tempfile::tempdir().expect("tempdir");
    run(dir.path(), &["demo", "--scale", "small"]).ok();
    let visits = run(dir.path(), &["visit", "list", "--format", "json"]).json();
    let visit = first_id(&visits);
    let photos = tempfile::tempdir().expect("tempdir");
    let paths: Vec<String> = (0..3u8)
        .map(|i| {
            let p = photos.path().join(format!("课堂{i}.jpg"));
            std::fs::write(&p, camera_photo(1800, 1350, i)).expect("photo");
            p.display().to_string()
        })
        .collect();
    let options = Options::new(
        "检查",
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
    );
    // How long one attach takes here, now: the kills fall from a fifth of
    // that to half as long again, before, during and after its one write.
    let mut timed = vec!["attach", visit.as_str(), "--caption", "计时"];
    timed.extend(paths.iter().map(String::as_str));
    let start = std::time::Instant::now();
    run(dir.path(), &timed).ok();
    let took = start.elapsed().as_millis() as u64;
    let mut rng = Xorshift(0xa77a_c4ed);
    let (mut whole, mut none, mut finished) = (0, 0, 0);
    for cycle in 0..cycles {
        let caption = format!("第{cycle}次");
        let mut args = vec!["attach", visit.as_str(), "--caption", caption.as_str()];
        args.extend(paths.iter().map(String::as_str));
        let mut child = command(dir.path())
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn attach");
        std::thread::sleep(Duration::from_millis(took / 5 + rng.next(took * 13 / 10)));
        let done_before = child.try_wait().ok().flatten().is_some_and(|s| s.success());
        let _ = child.kill();
        let _ = child.wait();

        let ws = Workspace::open(dir.path(), options.clone())
            .unwrap_or_else(|e| panic!("cycle {cycle}: does not open after a kill: {e}"));
        let health = ws.check_files();
        assert!(
            health.damaged.is_empty() && health.missing.is_empty(),
            "cycle {cycle}: a reference without its whole file: {:?} {:?}",
            health.damaged,
            health.missing
        );
        let kept = ws
            .model()
            .attachments()
            .filter(|a| a.caption == caption)
            .count();
        match kept {
            3 => whole += 1,
            0 => none += 1,
            n => panic!("cycle {cycle}: {n} of the 3 files attached: one write was cut"),
        }
        if done_before {
            finished += 1;
            assert_eq!(kept, 3, "cycle {cycle}: reported done, and lost");
        }
    }
    eprintln!(
        "{cycles} attaches ({took} ms each) killed at random: {whole} whole ({finished} had finished), {none} left nothing referenced"
    );
    // Both sides of the one write were hit.
    assert!(whole > 0 && none > 0, "{whole} whole, {none} with nothing");
    run(dir.path(), &["doctor"]).ok();
}

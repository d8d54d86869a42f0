//! A store that cannot be read: a clear error naming what failed, a
//! non-zero exit, and every file left byte for byte as it was.

mod common;
use common::*;

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    run(dir.path(), &["demo", "--scale", "small", "--seed", "3"]).ok();
    dir
}

fn db(dir: &std::path::Path) -> std::path::PathBuf {
    dir.join("workspace.db")
}

/// Commands a user would run on the damaged store; each must refuse.
const COMMANDS: [&[&str]; 4] = [
    &["visit", "list"],
    &["plan", "show"],
    &[
        "kindergarten",
        "add",
        "--name",
        "新园",
        "--district",
        "盘山县",
        "--ownership",
        "public",
        "--category",
        "town",
    ],
    &["export", "-"],
];

#[test]
fn a_truncated_store_is_reported_and_left_unchanged() {
    let dir = workspace();
    let bytes = std::fs::read(db(dir.path())).expect("db");
    std::fs::write(db(dir.path()), &bytes[..bytes.len() / 2]).expect("truncate");
    let before = snapshot(dir.path());
    for args in COMMANDS {
        let r = run(dir.path(), args);
        let err = r.fails();
        assert!(err.contains("workspace.db"), "names the file: {err}");
        assert!(err.lines().count() == 1, "one line: {err}");
        assert_eq!(snapshot(dir.path()), before, "{args:?} changed the files");
    }
    let r = run(dir.path(), &["doctor"]);
    assert_ne!(r.code, 0);
    assert_eq!(snapshot(dir.path()), before);
}

/// Flips one bit inside the live snapshot of the biggest document (found
/// through SQLite, since old versions linger in free pages of the file).
fn flip_a_bit_in_a_snapshot(path: &std::path::Path) {
    let blob: Vec<u8> = {
        let conn = rusqlite::Connection::open(path).expect("sqlite");
        conn.query_row(
            "SELECT snapshot FROM docs ORDER BY LENGTH(snapshot) DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("a snapshot")
    };
    let mut bytes = std::fs::read(path).expect("db");
    // A window of the blob inside one page appears once in the file.
    for start in (blob.len() / 3..blob.len() - 40).step_by(7) {
        let window = &blob[start..start + 32];
        let hits: Vec<usize> = bytes
            .windows(32)
            .enumerate()
            .filter(|(_, w)| *w == window)
            .map(|(i, _)| i)
            .collect();
        if let [at] = hits.as_slice() {
            bytes[at + 16] ^= 0x10;
            std::fs::write(path, bytes).expect("write");
            return;
        }
    }
    panic!("the snapshot was not found in the file");
}

#[test]
fn a_bit_flip_in_a_document_is_reported_by_name_and_left_unchanged() {
    let dir = workspace();
    flip_a_bit_in_a_snapshot(&db(dir.path()));
    let before = snapshot(dir.path());
    for args in COMMANDS {
        let r = run(dir.path(), args);
        let err = r.fails();
        assert!(
            err.contains("文档") && err.contains("损坏"),
            "says which document: {err}"
        );
        assert_eq!(snapshot(dir.path()), before, "{args:?} changed the files");
    }
    let r = run(dir.path(), &["--lang", "en", "doctor"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("healthy"),
        "the other documents are named healthy: {}",
        r.stdout
    );
    assert!(
        r.stdout.contains("does not load"),
        "the damaged one is named: {}",
        r.stdout
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn a_file_that_is_not_a_workspace_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(db(dir.path()), b"these are not the droids").expect("write");
    let before = snapshot(dir.path());
    let err = run(dir.path(), &["--lang", "en", "visit", "list"])
        .fails()
        .to_string();
    assert!(err.contains("workspace.db"), "{err}");
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn doctor_says_a_healthy_workspace_is_healthy() {
    let dir = workspace();
    let r = run(dir.path(), &["doctor"]);
    let out = r.ok();
    assert!(out.contains("全部正常"), "{out}");
    assert_eq!(
        out.matches("正常（").count(),
        5,
        "programme + 4 districts: {out}"
    );
}

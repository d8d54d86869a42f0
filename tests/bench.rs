//! `bangfu bench`: the table and its JSON rows, on small demo data.

mod common;
use common::*;

#[test]
fn the_benchmark_prints_one_table_and_writes_rows_with_baselines_targets_and_verdicts() {
    let dir = tempfile::tempdir().expect("dir");
    let json = dir.path().join("bench.json");
    let said = run(
        dir.path(),
        &[
            "bench",
            "--scale",
            "small",
            "--json",
            &json.display().to_string(),
        ],
    );
    let table = said.ok();
    let text = std::fs::read_to_string(&json).expect("the JSON file");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).expect("JSON rows");
    let names: Vec<&str> = rows.iter().filter_map(|r| r["name"].as_str()).collect();
    for wanted in [
        "interface: open to first frame",
        "interface: peak memory at the first frame",
        "interface: key to frame on reports, p99",
        "command: add a visit",
        "command: history of a visit",
        "command: export every visit to .xlsx",
        "command: import 1,000 kindergartens",
        "running process: each further saved visit, p50",
        "sync: nothing new, round trips",
        "sync: reconnect after 10 new visits, round trips",
    ] {
        assert!(names.contains(&wanted), "{wanted} in {names:?}");
        assert!(table.contains(wanted), "{wanted} in the table:\n{table}");
    }
    for r in &rows {
        let value = r["value"].as_f64().expect("a value");
        assert!(value > 0.0, "{r}");
        assert!(r["unit"].as_str().is_some_and(|u| !u.is_empty()), "{r}");
        // The ratio is the value over the baseline measured in the run.
        match r["baseline"].as_f64() {
            Some(b) => {
                let ratio = r["ratio"].as_f64().expect("a ratio with a baseline");
                assert!((ratio - value / b).abs() < 1e-9, "{r}");
            }
            None => assert!(r["ratio"].is_null(), "{r}"),
        }
        // A verdict exactly where there is a target, and the right one.
        match r["target"].as_f64() {
            Some(t) => {
                let on = if r["target_on"] == "ratio" {
                    r["ratio"].as_f64().expect("a ratio")
                } else {
                    value
                };
                assert_eq!(r["holds"].as_bool(), Some(on <= t), "{r}");
            }
            None => assert!(r["holds"].is_null(), "{r}"),
        }
    }
    // A sync with nothing new is one round trip, as the protocol promises.
    let idle = rows
        .iter()
        .find(|r| r["name"] == "sync: nothing new, round trips")
        .expect("the row");
    assert_eq!(idle["value"].as_f64(), Some(1.0));
    // The scratch data is gone; the data directory was never used.
    assert!(!dir.path().join("workspace.db").exists());
}

/// `--only` measures the parts named and no others; a part it does not
/// know is refused with the names it does.
#[test]
fn the_benchmark_measures_only_the_parts_asked_for() {
    let dir = tempfile::tempdir().expect("dir");
    let json = dir.path().join("bench.json");
    let path = json.display().to_string();
    run(
        dir.path(),
        &[
            "bench", "--scale", "small", "--only", "saves", "--json", &path,
        ],
    )
    .ok();
    let text = std::fs::read_to_string(&json).expect("the JSON file");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).expect("JSON rows");
    let names: Vec<&str> = rows.iter().filter_map(|r| r["name"].as_str()).collect();
    assert!(!names.is_empty());
    assert!(
        names.iter().all(|n| n.starts_with("running process:")),
        "{names:?}"
    );
    let said = run(dir.path(), &["bench", "--only", "saves,frames"]);
    let err = said.fails();
    assert!(
        err.contains("frames") && err.contains("interface, commands, saves, sync"),
        "{err}"
    );
}

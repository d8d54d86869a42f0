//! Demo data at city scale: big enough, true to the plan, reproducible.

mod common;
use common::*;

#[test]
fn city_demo_meets_every_target_and_has_thousands_of_visits() {
    let dir = tempfile::tempdir().expect("tempdir");
    run(dir.path(), &["demo", "--scale", "city", "--seed", "7"]).ok();
    let visits = run(dir.path(), &["visit", "list", "--format", "json"]).json();
    let visits = visits.as_array().expect("list");
    assert!(visits.len() >= 5000, "{} visits", visits.len());
    assert!(
        visits.iter().all(|v| v["date"].as_str() <= Some(TODAY)),
        "none in the future"
    );
    let with_chinese_notes = visits
        .iter()
        .filter(|v| v["note"].as_str().is_some_and(|n| n.chars().count() > 40))
        .count();
    assert_eq!(with_chinese_notes, visits.len());

    let kgs = run(dir.path(), &["kindergarten", "list", "--format", "json"]).json();
    let n = kgs.as_array().map_or(0, |a| a.len());
    assert!((50..=70).contains(&n), "about 60 kindergartens: {n}");

    let plan = run(dir.path(), &["plan", "show", "--format", "json"]).json();
    for year in plan.as_array().expect("years") {
        for d in year["districts"].as_array().expect("districts") {
            if let (Some(h), Some(k)) = (d["target_helpers"].as_i64(), d["target_helped"].as_i64())
            {
                assert_eq!(
                    (d["actual_helpers"].as_i64(), d["actual_helped"].as_i64()),
                    (Some(h), Some(k)),
                    "{year}"
                );
            }
        }
    }
    assert_eq!(
        plan[0]["mismatch"]["sum"], 21,
        "the notice's own mismatch stays visible"
    );
    let inspections = run(dir.path(), &["inspection", "list", "--format", "json"]).json();
    assert!(inspections.as_array().is_some_and(|a| a.len() >= 30));
    let pairings = run(dir.path(), &["pairing", "list", "--format", "json"]).json();
    let modes: std::collections::BTreeSet<&str> = pairings
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["mode"].as_str())
        .collect();
    assert_eq!(modes.len(), 3, "all three modes: {modes:?}");
    run(dir.path(), &["doctor"]).ok();
}

#[test]
fn the_same_seed_gives_the_same_data() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let c = tempfile::tempdir().expect("tempdir");
    run(a.path(), &["demo", "--seed", "42"]).ok();
    run(b.path(), &["demo", "--seed", "42"]).ok();
    run(c.path(), &["demo", "--seed", "43"]).ok();
    let ea = run(a.path(), &["export", "-"]).ok().to_string();
    assert_eq!(ea, run(b.path(), &["export", "-"]).ok());
    assert_ne!(ea, run(c.path(), &["export", "-"]).ok());
}

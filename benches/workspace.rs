//! Figures for docs/PERFORMANCE.md: `cargo bench --bench workspace`.
//!
//! Builds demo workspaces and measures what users wait for: making demo
//! data, opening a workspace (every command does), one saved edit, a
//! record's history, a whole export. Set BANGFU_BENCH_PROVINCE=1 to also
//! measure the province scale (≥ 100,000 visits; takes minutes).

use bangfu::bench::{median_ms, peak_rss_mib, percentile};
use bangfu::demo::{self, Scale};
use bangfu::domain::*;
use bangfu::store::{Options, Workspace};
use chrono::NaiveDate;
use std::time::{Duration, Instant};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default()
}

fn options() -> Options {
    Options::new("bench", today())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn scale(name: &str, scale: Scale) {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Instant::now();
    let summary = demo::create(dir.path(), scale, 7, options()).expect("demo");
    let create = t.elapsed();
    let size = std::fs::metadata(dir.path().join("workspace.db")).map_or(0, |m| m.len());
    println!(
        "{name}: {} kindergartens, {} pairings, {} visits, {} inspections; demo {:.0} ms; file {:.1} MB",
        summary.kindergartens,
        summary.pairings,
        summary.visits,
        summary.inspections,
        ms(create),
        size as f64 / 1e6
    );

    let mut opens = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let ws = Workspace::open(dir.path(), options()).expect("open");
        opens.push(ms(t.elapsed()));
        drop(ws);
    }
    println!(
        "{name}: open (load + build model) median {:.0} ms, min {:.0} ms",
        percentile(&mut opens, 0.5),
        opens[0]
    );

    let mut ws = Workspace::open(dir.path(), options()).expect("open");
    let mut writes = bangfu::bench::write_visits(&mut ws, 200, today()).expect("write");
    // The first write of a session loads the automerge document of the
    // district it writes to (the model came from views).
    let first = writes.remove(0);
    println!(
        "{name}: first saved visit of a session (loads its district's document) {first:.0} ms"
    );
    println!(
        "{name}: each further saved visit (validate + automerge change + SQLite commit, fsync) p50 {:.2} ms, p99 {:.2} ms",
        percentile(&mut writes, 0.5),
        percentile(&mut writes, 0.99)
    );

    let visit = ws
        .model()
        .visits()
        .next()
        .map(|v| v.id.clone())
        .expect("a visit");
    let mut entries = 0;
    let history = median_ms(5, || {
        entries = ws.history(Entity::Visit, &visit).expect("history").len();
    });
    println!(
        "{name}: history of one visit ({entries} entries, from the index kept by the writes above) median of 5 {history:.2} ms"
    );
    reports(name, &ws);
    println!("{name}: peak RSS so far {:.0} MiB", peak_rss_mib());
}

/// Reports: compiling, laying out and writing them.
fn reports(name: &str, ws: &Workspace) {
    use bangfu::domain::reports::{self, ReportKey, YearMonth};
    use bangfu::export::{self, FileFormat};
    use bangfu::i18n::Lang;
    let m = ws.model();
    let Some(district) = m.districts_in_order().first().map(|d| d.id.clone()) else {
        return;
    };
    let monthly = ReportKey::Monthly {
        district,
        month: YearMonth {
            year: 2026,
            month: 12,
        },
    };
    let city = ReportKey::Annual {
        level: Level::City,
        subject: None,
        year: 2025,
    };
    let live = median_ms(5, || {
        let _ = export::report_doc(Lang::Zh, m, &monthly, today());
    });
    let stats = median_ms(5, || {
        let _ = reports::annual_stats(m, &city, today());
    });
    let timeliness = median_ms(5, || {
        let _ = reports::timeliness(m, 2025, today());
    });
    let listed = median_ms(5, || {
        let _ = reports::listed(m, m.members.values().next(), today());
    });
    let doc = export::report_doc(Lang::Zh, m, &monthly, today()).expect("doc");
    let mut xlsx_len = 0;
    let xlsx = median_ms(5, || {
        xlsx_len = export::report_file(&doc, FileFormat::Xlsx).map_or(0, |b| b.len());
    });
    let summary = export::report_doc(Lang::Zh, m, &city, today()).expect("doc");
    let mut docx_len = 0;
    let docx = median_ms(5, || {
        docx_len = export::report_file(&summary, FileFormat::Docx).map_or(0, |b| b.len());
    });
    println!(
        "{name}: monthly report laid out with live figures {live:.1} ms; city statistics of a year {stats:.1} ms; timeliness of a year {timeliness:.1} ms; reports list of the city admin {listed:.1} ms"
    );
    println!(
        "{name}: monthly report as .xlsx {xlsx:.1} ms ({xlsx_len} B); city summary as .docx {docx:.1} ms ({docx_len} B)"
    );
}

fn main() {
    // `cargo bench` passes --bench; nothing to parse.
    scale("small", Scale::Small);
    scale("city", Scale::City);
    if std::env::var_os("BANGFU_BENCH_PROVINCE").is_some() {
        scale("province", Scale::Province);
    }
}

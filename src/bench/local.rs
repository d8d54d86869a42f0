//! Figures of one device: the interface's first frame and memory, keys on
//! the reports screen, whole commands (a write, a history, an export, an
//! import), and each further save of a running process.

use super::*;
use crate::app::App;
use crate::app::keymap::Keymap;
use crate::i18n::Lang;
use crate::store::Workspace;
use crate::sync::agent::State;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// This program with `args` on the data in `dir`, to its end; its output
/// is dropped, a failure is an error.
fn bangfu(s: &Setup, args: &[&str]) -> Result<(), BenchError> {
    let out = Command::new(&s.program)
        .arg("--data-dir")
        .arg(&s.dir)
        .args(args)
        .env("BANGFU_AS", "bench")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| failed(&args.join(" "), e))?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        return Err(failed(&args.join(" "), why.trim()));
    }
    Ok(())
}

pub(super) fn make_demo(s: &Setup) -> Result<(), BenchError> {
    bangfu(s, &["demo", "--scale", s.scale.word()])?;
    // The interface's sync listens on loopback alone, with no discovery on
    // the local network and no relay.
    bangfu(s, &["config", "set", "bind", "127.0.0.1"])?;
    bangfu(s, &["config", "set", "mdns", "off"])?;
    bangfu(s, &["config", "set", "relay", ""])
}

/// Opens the interface and draws its first frame into a 120×40 terminal.
fn first_frame(s: &Setup) -> Result<(App, Terminal<TestBackend>), BenchError> {
    let app = App::new(
        s.dir.clone(),
        s.options("bench"),
        Lang::Zh,
        Keymap::default(),
        Rect::new(0, 0, 120, 40),
    )
    .map_err(|e| failed("the interface", e))?;
    let mut term = Terminal::new(TestBackend::new(120, 40)).map_err(|e| failed("terminal", e))?;
    term.draw(|f| {
        crate::ui::draw(f, &app);
    })
    .map_err(|e| failed("draw", e))?;
    Ok((app, term))
}

/// Starts the interface's background sync as the interface does, waits
/// until it listens (its workspace open, the peers looked at), reads this
/// process's resident memory then, and stops it.
fn with_sync(app: &mut App) -> Result<f64, BenchError> {
    app.network = true;
    app.start_sync();
    let status = || {
        app.opened()
            .and_then(|o| o.sync.as_ref())
            .map(|a| a.status().state)
    };
    let t = Instant::now();
    loop {
        match status() {
            Some(State::Listening) => break,
            Some(State::Off(why)) => return Err(failed("background sync", why)),
            None => return Err(failed("background sync", "not started")),
            _ if t.elapsed() > Duration::from_secs(120) => {
                return Err(failed("background sync", "not listening after 120 s"));
            }
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let rss = rss_mib_of("self");
    app.stop_sync();
    app.network = false;
    Ok(rss)
}

/// Every document of the workspace loaded by automerge and turned into
/// JSON: what an application keeping the data as plain documents does
/// before its first frame.
fn load_and_hydrate(saved: &[(String, Vec<u8>)]) -> Result<usize, BenchError> {
    let mut bytes = 0usize;
    for (_, data) in saved {
        let doc = automerge::Automerge::load(data).map_err(|e| failed("load", e))?;
        let v = serde_json::to_vec(&automerge::AutoSerde::from(&doc))
            .map_err(|e| failed("hydrate", e))?;
        bytes = bytes.saturating_add(v.len());
    }
    Ok(bytes)
}

fn all_saved(s: &Setup) -> Result<Vec<(String, Vec<u8>)>, BenchError> {
    let mut ws = Workspace::open(&s.dir, s.options("bench")).map_err(|e| failed("open", e))?;
    let all: BTreeSet<String> = ws.doc_ids().into_iter().collect();
    ws.saved_docs(&all)
        .map_err(|e| failed("saved documents", e))
}

/// First frame, memory, and key to frame on the reports screen.
pub(super) fn interface(s: &Setup) -> Result<Vec<Row>, BenchError> {
    let (frame_target, rss_target, _, _) = targets(s.scale);
    let t = Instant::now();
    let (mut app, mut term) = first_frame(s)?;
    let mut frames = vec![ms_since(t)];
    // Memory of the first frame, before anything else was loaded.
    let rss = peak_rss_mib();
    let with_sync = with_sync(&mut app)?;
    let mut keys = report_keys(&mut app, &mut term, 300)?;
    // The other screens with lists, the same keys: the reports screen is
    // the one with a target, these show whether any other lags.
    let mut others = Vec::new();
    for (digit, name) in [
        ('4', "visits"),
        ('2', "kindergartens"),
        ('3', "pairings"),
        ('5', "inspections"),
        ('1', "the overview"),
    ] {
        let mut times = screen_keys(&mut app, &mut term, digit, 300)?;
        others.push(Row::new(
            &format!("interface: key to frame on {name}, p99"),
            percentile(&mut times, 0.99),
            "ms",
            &format!("300 keys (Down, Up) on the {name} screen, each handled and drawn"),
        ));
    }
    drop((app, term));
    for _ in 0..2 {
        let t = Instant::now();
        drop(first_frame(s)?);
        frames.push(ms_since(t));
    }
    let saved = all_saved(s)?;
    let baseline = median_ms(3, || {
        let _ = load_and_hydrate(&saved);
    });
    let p50 = percentile(&mut keys, 0.5);
    let p99 = percentile(&mut keys, 0.99);
    Ok(vec![
        Row::new(
            "interface: open to first frame",
            percentile(&mut frames, 0.5),
            "ms",
            "median of 3; baseline: every document loaded by automerge and turned into JSON",
        )
        .baseline(baseline)
        .at_most(frame_target),
        Row::new(
            "interface: peak memory at the first frame",
            rss,
            "MiB",
            "peak resident memory of this process once the first frame is drawn",
        )
        .at_most(rss_target),
        Row::new(
            "interface: memory once its background sync runs",
            with_sync,
            "MiB",
            "resident memory of this process when the interface's sync agent has opened the workspace and listens (loopback)",
        )
        .at_most(rss_target),
        Row::new(
            "interface: key to frame on reports, p50",
            p50,
            "ms",
            "300 keys (Down, Up) on the reports screen, each handled and drawn",
        ),
        Row::new(
            "interface: key to frame on reports, p99",
            p99,
            "ms",
            "the same 300 keys",
        )
        .at_most(16.0),
    ]
    .into_iter()
    .chain(others)
    .collect())
}

/// The ids the commands need: a pairing, a visit, a district's name, and
/// five visits of the pairing's district (where `visit add` writes).
struct Ids {
    pairing: String,
    visit: String,
    district: String,
    to_edit: Vec<String>,
}

fn some_ids(s: &Setup) -> Result<Ids, BenchError> {
    let ws = Workspace::open(&s.dir, s.options("bench")).map_err(|e| failed("open", e))?;
    let m = ws.model();
    let pairing = m.pairings().next();
    let visit = m.visits().next().map(|v| v.id.to_string());
    let district = m.districts_in_order().first().map(|d| d.name.clone());
    let to_edit: Vec<String> = m
        .visits()
        .filter(|v| pairing.is_some_and(|p| p.district_id == v.district_id))
        .take(5)
        .map(|v| v.id.to_string())
        .collect();
    match (pairing, visit, district) {
        (Some(p), Some(visit), Some(district)) if !to_edit.is_empty() => Ok(Ids {
            pairing: p.id.to_string(),
            visit,
            district,
            to_edit,
        }),
        _ => Err(failed("demo data", "no pairing, visit or district")),
    }
}

/// Whole commands, each a process of its own, median of 5.
pub(super) fn commands(s: &Setup) -> Result<Vec<Row>, BenchError> {
    let (_, _, write_target, history_target) = targets(s.scale);
    let Ids {
        pairing,
        visit,
        district,
        to_edit,
    } = some_ids(s)?;
    let once = |args: &[&str]| -> Result<f64, BenchError> {
        let t = Instant::now();
        bangfu(s, args)?;
        Ok(ms_since(t))
    };
    let run = |args: &[&str]| -> Result<f64, BenchError> {
        let mut times = Vec::new();
        for _ in 0..5 {
            times.push(once(args)?);
        }
        Ok(percentile(&mut times, 0.5))
    };
    let note = "基准测试：入园指导，观察区域游戏材料投放情况，提出改进建议。";
    let write = run(&[
        "visit",
        "add",
        "--pairing",
        &pairing,
        "--form",
        "on_site_guidance",
        "--note",
        note,
    ])?;
    // Each visit's first edit since it was made, then one of them again.
    let mut edits = Vec::new();
    for (i, id) in to_edit.iter().enumerate() {
        let n = (40 + i).to_string();
        edits.push(once(&["visit", "edit", id, "--teachers-reached", &n])?);
    }
    let edit = percentile(&mut edits, 0.5);
    let mut again = Vec::new();
    for (id, n) in to_edit.iter().take(1).cycle().zip(["50", "51", "52"]) {
        again.push(once(&["visit", "edit", id, "--teachers-reached", n])?);
    }
    let again = percentile(&mut again, 0.5);
    let saved = all_saved(s)?;
    let one_doc = median_ms(3, || {
        let _ = one_document_write(&saved, &s.dir);
    });
    let history = run(&["history", &visit])?;
    let out = s.dir.join("bench-visits.xlsx");
    let out_s = out.display().to_string();
    let export = run(&["export", "--format", "xlsx", "--what", "visits", &out_s])?;
    let export_size = std::fs::metadata(&out).map_or(0, |m| m.len());
    let _ = std::fs::remove_file(&out);
    let import = import_kindergartens(s, &district)?;
    Ok(vec![
        Row::new(
            "command: add a visit",
            write,
            "ms",
            "`visit add`, whole process; baseline: every document loaded, one change, saved with fsync",
        )
        .baseline(one_doc)
        .at_most(write_target),
        Row::new(
            "command: edit a visit",
            edit,
            "ms",
            &format!(
                "`visit edit ID --teachers-reached N`, whole process, median of {} visits of the same district, each edited for the first time; baseline as above",
                to_edit.len()
            ),
        )
        .baseline(one_doc)
        .at_most(write_target),
        Row::new(
            "command: edit a visit edited before",
            again,
            "ms",
            "the same command for a visit edited before, median of 3: built on the layout its edit before left, without the document",
        )
        .baseline(one_doc)
        .at_most(write_target),
        Row::new(
            "command: history of a visit",
            history,
            "ms",
            "`history ID`, whole process",
        )
        .at_most(history_target),
        Row::new(
            "command: export every visit to .xlsx",
            export,
            "ms",
            &format!("`export --format xlsx --what visits`, whole process ({export_size} B)"),
        ),
        Row::new(
            "command: import 1,000 kindergartens",
            import,
            "ms",
            "`kindergarten import` of a 1,000-row CSV list, whole process, once",
        ),
    ])
}

/// A one-document application's write: load everything, change one
/// document, append the change to its file and fsync.
fn one_document_write(saved: &[(String, Vec<u8>)], dir: &Path) -> Result<(), BenchError> {
    use automerge::transaction::Transactable;
    let mut docs = Vec::new();
    for (_, data) in saved {
        docs.push(automerge::Automerge::load(data).map_err(|e| failed("load", e))?);
    }
    // The change goes to the largest document (chosen by its saved size:
    // decoding every change to count them is not part of a write).
    let largest = (0..saved.len()).max_by_key(|&i| saved.get(i).map_or(0, |(_, d)| d.len()));
    let Some(doc) = largest.and_then(|i| docs.get_mut(i)) else {
        return Ok(());
    };
    let heads = doc.get_heads();
    let mut tx = doc.transaction();
    let _ = tx.put(automerge::ROOT, "bench", "入园指导");
    tx.commit();
    append_synced(&dir.join("bench-one-doc.bin"), &doc.save_after(&heads))
}

fn append_synced(path: &Path, bytes: &[u8]) -> Result<(), BenchError> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| failed("baseline file", e))?;
    f.write_all(bytes).map_err(|e| failed("baseline file", e))?;
    f.sync_data().map_err(|e| failed("baseline file", e))
}

/// A list of 1,000 new kindergartens of one district, imported once.
fn import_kindergartens(s: &Setup, district: &str) -> Result<f64, BenchError> {
    let path = s.dir.join("bench-kindergartens.csv");
    let mut text = String::from("园名,县区,办园性质,类别\n");
    for i in 0..1000 {
        text.push_str(&format!("基准第{i}幼儿园,{district},公办,村屯园\n"));
    }
    std::fs::write(&path, text).map_err(|e| failed("list", e))?;
    let p = path.display().to_string();
    let t = Instant::now();
    bangfu(s, &["kindergarten", "import", &p])?;
    let took = ms_since(t);
    let _ = std::fs::remove_file(&path);
    Ok(took)
}

/// Each further save of a running process, against one automerge
/// document of the same district appended to its file with fsync.
pub(super) fn saves(s: &Setup) -> Result<Vec<Row>, BenchError> {
    // As the interface saves: the history index and compaction kept up
    // when it is idle.
    let options = crate::store::Options {
        upkeep_when_idle: true,
        ..s.options("bench")
    };
    let mut ws = Workspace::open(&s.dir, options).map_err(|e| failed("open", e))?;
    let known: BTreeSet<_> = ws.model().visits().map(|v| v.id.clone()).collect();
    let mut times = write_visits(&mut ws, 31, s.today)?;
    times.remove(0);
    // Edits go through automerge: the first loads the district's document.
    let added: Vec<_> = ws
        .model()
        .visits()
        .filter(|v| !known.contains(&v.id))
        .map(|v| v.id.clone())
        .collect();
    let mut edits = Vec::new();
    for id in &added {
        let t = Instant::now();
        ws.write(|w| {
            let mut v = w
                .model()
                .visit(id)
                .cloned()
                .ok_or_else(|| crate::store::EditError::Invalid(Vec::new()))?;
            v.note.push_str("补充：幼儿兴趣浓厚。");
            w.put_visit(v)
        })
        .map_err(|e| failed("edit", e))?;
        edits.push(ms_since(t));
    }
    if !edits.is_empty() {
        edits.remove(0);
    }
    let t = Instant::now();
    ws.upkeep().map_err(|e| failed("upkeep", e))?;
    let indexed = ms_since(t);
    let pairing = ws
        .model()
        .pairings()
        .next()
        .cloned()
        .ok_or_else(|| failed("demo data", "no pairing"))?;
    let doc_id = crate::store::layout::district_doc_id(&pairing.district_id);
    let saved = ws
        .saved_docs(&BTreeSet::from([doc_id]))
        .map_err(|e| failed("saved", e))?;
    drop(ws);
    let mut base = one_document_saves(&saved, &pairing, s.today, &s.dir)?;
    let p50 = percentile(&mut times, 0.5);
    Ok(vec![
        Row::new(
            "running process: each further saved visit, p50",
            p50,
            "ms",
            "30 visits written in one process; baseline: the same visits put in the district's automerge document, each change appended with fsync",
        )
        .baseline(percentile(&mut base, 0.5))
        .ratio_at_most(1.5),
        Row::new(
            "running process: each further edited visit, p50",
            percentile(&mut edits, 0.5),
            "ms",
            "the note of each of those visits lengthened, one write each, through the loaded document (the first, which loads it, left out)",
        ),
        Row::new(
            "running process: upkeep of the saves when idle",
            indexed,
            "ms",
            "what the interface does with its saves on its next tick: the history index brought up to date in one transaction (the new visits were indexed as they were written), compaction if due",
        ),
    ])
}

fn one_document_saves(
    saved: &[(String, Vec<u8>)],
    pairing: &crate::domain::Pairing,
    today: NaiveDate,
    dir: &Path,
) -> Result<Vec<f64>, BenchError> {
    use automerge::ReadDoc;
    use automerge::transaction::Transactable;
    let Some((_, data)) = saved.first() else {
        return Err(failed("saved", "no document"));
    };
    let mut doc = automerge::Automerge::load(data).map_err(|e| failed("load", e))?;
    let path = dir.join("bench-saves.bin");
    let visits = match doc.get(automerge::ROOT, "visits") {
        Ok(Some((automerge::Value::Object(_), obj))) => obj,
        _ => return Err(failed("saved", "the district document has no visits")),
    };
    let mut times = Vec::new();
    for i in 0..30i64 {
        let t = Instant::now();
        // The same visit a running process writes: the same fields, the
        // same automerge operations.
        let id = crate::domain::Id::parse(&format!("be{i:030x}"))
            .ok_or_else(|| failed("id", "not an id"))?;
        let visit = sample_visit(id, pairing, today, i);
        let value = automerge::hydrate::Value::Map(crate::store::visit_map(&visit));
        let heads = doc.get_heads();
        let mut tx = doc.transaction();
        tx.batch_create_object(&visits, visit.id.as_str(), &value, false)
            .map_err(|e| failed("change", e))?;
        tx.commit();
        append_synced(&path, &doc.save_after(&heads))?;
        times.push(ms_since(t));
    }
    let _ = std::fs::remove_file(&path);
    Ok(times)
}

//! A process that keeps up when idle (the interface): its saves leave the
//! history index and compaction to `upkeep`, which closing does too, and
//! what another process wrote is read again only when one did.

use super::*;

/// Adds to the note of the visit as the write finds it (after reading
/// what other processes wrote).
fn edit_note(ws: &mut Workspace, visit: &Id, add: &str) {
    ws.write(|w| {
        let mut v = w.model().visit(visit).cloned().expect("visit");
        v.note.push_str(add);
        w.put_visit(v)
    })
    .expect("edit");
}

#[test]
fn saves_leave_the_index_and_compaction_to_upkeep_and_closing_does_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (first, _, visit) = setup(dir.path());
    let doc = district_doc_id(&first.model().visit(&visit).expect("visit").district_id);
    drop(first);
    let idle = Options {
        upkeep_when_idle: true,
        compact_after: 3,
        ..opts()
    };
    let mut ws = Workspace::open(dir.path(), idle.clone()).expect("open");
    let chunks = |ws: &Workspace| db::chunk_count(&ws.db.conn, &doc).expect("chunks");
    let before = chunks(&ws);
    for add in ["一", "二", "三", "四"] {
        edit_note(&mut ws, &visit, add);
    }
    let current =
        |ws: &Workspace| history::is_current(&ws.db.conn, &ws.state, &doc).expect("index");
    assert!(!current(&ws), "the saves did not index");
    assert_eq!(chunks(&ws), before + 4, "nor compact");
    ws.upkeep().expect("upkeep");
    assert!(current(&ws), "upkeep indexed them");
    assert_eq!(chunks(&ws), 0, "and compacted");
    let h = ws.history(Entity::Visit, &visit).expect("history");
    assert_eq!(h.len(), 5, "made, then four edits: {h:?}");

    // Saved, then closed before any upkeep: closing does it.
    edit_note(&mut ws, &visit, "五");
    drop(ws);
    let mut ws = Workspace::open(dir.path(), idle.clone()).expect("reopen");
    assert!(current(&ws), "closing indexed the last save");

    // Saved, then killed before any upkeep (no closing): the next
    // interface finds it on disk and does it.
    edit_note(&mut ws, &visit, "六");
    std::mem::forget(ws);
    let cli = Workspace::open(dir.path(), opts()).expect("a command");
    assert!(!current(&cli), "left behind");
    drop(cli);
    let mut ws = Workspace::open(dir.path(), idle).expect("the next interface");
    ws.upkeep().expect("upkeep");
    assert!(current(&ws), "the next interface's upkeep indexed it");
    assert!(db::upkeep_pending(&ws.db.conn).expect("pending").is_empty());
}

#[test]
fn each_write_still_reads_what_another_process_wrote_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut a, _, visit) = setup(dir.path());
    let mut b = Workspace::open(dir.path(), opts()).expect("open b");
    assert!(!b.refresh().expect("refresh"), "nobody wrote");
    edit_note(&mut a, &visit, "甲");
    assert!(!a.refresh().expect("refresh"), "its own write is in memory");
    assert!(b.refresh().expect("refresh"), "b reads a's write");
    assert!(!b.refresh().expect("refresh"), "once");
    // A write reads first what the other wrote: neither edit is lost.
    edit_note(&mut a, &visit, "乙");
    edit_note(&mut b, &visit, "丙");
    a.refresh().expect("refresh");
    for ws in [&a, &b] {
        let note = &ws.model().visit(&visit).expect("visit").note;
        assert!(note.ends_with("甲乙丙"), "{note}");
    }
}

//! Edits written without loading their document (`edit.rs`): the document
//! reads back as the same edits made through automerge leave it, the
//! history index follows them, and anything the index cannot vouch for
//! goes through automerge.

use super::append::{Rng, add_visit, change_from_elsewhere, closed_setup, histories, loaded};
use super::*;
use automerge::ReadDoc;
use automerge::transaction::Transactable;

/// A copy of a data directory, as a second device's would be.
fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn no_views() -> Options {
    Options {
        use_views: false,
        ..opts()
    }
}

/// `v` with some of its fields changed at random: lists longer, shorter or
/// emptied, texts edited in their middle, at either end or replaced,
/// numbers and dates; now and then nothing.
fn edited(rng: &mut Rng, mut v: Visit) -> Visit {
    const NAMES: [&str; 5] = ["王丽", "李娜", "张伟", "刘洋", "陈静"];
    const DATES: [&str; 3] = ["2024-10-15", "2025-03-02", "2026-11-20"];
    const TASKS: [Task; 3] = [Task::Teachers, Task::Conditions, Task::RuralCharacter];
    let text = |rng: &mut Rng, old: &str| -> String {
        let chars: Vec<char> = old.chars().collect();
        let a = rng.below(chars.len() as u64 + 1) as usize;
        let b = a + rng.below((chars.len() - a) as u64 + 1) as usize;
        match rng.below(4) {
            0 => rng.text(),
            1 => format!("{}{}", old, rng.text()),
            _ => {
                let head: String = chars[..a].iter().collect();
                let tail: String = chars[b..].iter().collect();
                format!("{head}{}{tail}", rng.text())
            }
        }
    };
    for _ in 0..rng.below(4) {
        match rng.below(7) {
            0 => {
                v.participants = (0..rng.below(4))
                    .map(|i| Participant {
                        name: NAMES[rng.below(5) as usize].into(),
                        role: if i % 2 == 0 { "teacher" } else { "researcher" }.into(),
                    })
                    .collect()
            }
            1 => {
                v.tasks = TASKS
                    .iter()
                    .filter(|_| rng.below(2) == 0)
                    .cloned()
                    .collect();
                if v.tasks.is_empty() {
                    v.tasks.push(Task::Conditions);
                }
            }
            2 => v.note = text(rng, &v.note),
            3 => v.follow_up = text(rng, &v.follow_up),
            4 => v.teachers_reached = rng.below(30) as i64,
            5 => v.date = d(DATES[rng.below(3) as usize]),
            _ => v.materials.picture_books = rng.below(50) as i64,
        }
    }
    v
}

/// Edits made by commands without loading the visits' document leave it
/// as the same edits made through automerge (on a copy that reads its
/// documents whole) leave it: the records read back from the automerge
/// data alike, the history index holds each edit with its fields as a pass
/// over every change finds them, and the document checks whole.
#[test]
fn an_edit_built_without_its_document_reads_back_as_one_made_through_automerge() {
    let dir = tempfile::tempdir().expect("tempdir");
    let twin = tempfile::tempdir().expect("tempdir");
    let (doc, template) = closed_setup(dir.path());
    let mut ws = Workspace::open(dir.path(), opts()).expect("open");
    let ids: Vec<Id> = (0..40)
        .map(|i| {
            add_visit(
                &mut ws,
                &template,
                &format!("第{i}次：😀 入园指导 e\u{301}，🇨🇳"),
            )
        })
        .collect();
    drop(ws);
    copy_dir(dir.path(), twin.path());

    // The helped side confirms one visit, on both copies alike.
    let confirm = |ws: &mut Workspace, id: &Id| {
        let stamp = Stamp {
            by: "红旗村幼儿园 李园长".into(),
            on: d("2026-11-21"),
        };
        ws.write(|w| w.confirm_visit(id, stamp)).expect("confirm");
    };
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut changed = 0;
    // Each visit edited three times: the first on its making, each after
    // on the layout the one before left (visit 7's confirmation is one
    // more such edit).
    for round in 0..3 {
        for (i, id) in ids.iter().enumerate() {
            let mut ws = Workspace::open(dir.path(), opts()).expect("open");
            let before = ws.model().visit(id).cloned().expect("visit");
            let v = edited(&mut rng, before.clone());
            changed += usize::from(v != before);
            let heads = ws.state.docs[&doc].heads.clone();
            ws.write(|w| w.put_visit(v.clone())).expect("edit");
            assert!(
                !loaded(&ws, &doc),
                "edit {round}.{i} built without the document"
            );
            assert_eq!(
                ws.state.docs[&doc].heads != heads,
                v != before,
                "edit {round}.{i}"
            );
            if round == 0 && i == 7 {
                confirm(&mut ws, id);
            }
            drop(ws);
            let mut other = Workspace::open(twin.path(), no_views()).expect("open the copy");
            assert!(loaded(&other, &doc), "the copy reads the document whole");
            other.write(|w| w.put_visit(v.clone())).expect("edit");
            if round == 0 && i == 7 {
                confirm(&mut other, id);
            }
        }
    }
    assert!(changed > 75, "{changed} of 120 edits changed something");

    let mut ours = Workspace::open(dir.path(), no_views()).expect("reopen");
    let theirs = Workspace::open(twin.path(), no_views()).expect("reopen the copy");
    assert!(ours.damaged().is_empty(), "{:?}", ours.damaged());
    for id in &ids {
        assert_eq!(ours.model().visit(id), theirs.model().visit(id), "{id}");
    }
    assert!(
        ours.model()
            .visit(&ids[7])
            .expect("visit")
            .confirmed
            .is_some()
    );
    let ids: Vec<&Id> = ids.iter().collect();
    let kept = histories(&mut ours, &ids);
    let edits: usize = kept.iter().map(|h| h.len() - 1).sum();
    assert_eq!(edits, changed + 1, "each edit and the confirmation indexed");
    db::drop_history(&ours.db.conn, &doc).expect("drop the index");
    let rebuilt = histories(&mut ours, &ids);
    assert_eq!(rebuilt, kept, "the index a pass over every change makes");
}

/// What the index cannot vouch for goes through automerge: a record
/// another device edited since this one's last edit of it, a record made
/// with a field this version does not know (its making is not what the
/// record laid out again makes; the field stays). A record this device
/// alone edited, on the layout its last edit left.
#[test]
fn an_edit_loads_the_document_when_the_index_shows_what_it_cannot_follow() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (doc, template) = closed_setup(dir.path());
    let mut ws = Workspace::open(dir.path(), opts()).expect("open");
    let a = add_visit(&mut ws, &template, "甲");
    let b = add_visit(&mut ws, &template, "乙");
    drop(ws);
    let edit = |id: &Id, note: &str| {
        let mut ws = Workspace::open(dir.path(), opts()).expect("open");
        let mut v = ws.model().visit(id).cloned().expect("visit");
        v.note = note.into();
        ws.write(|w| w.put_visit(v)).expect("edit");
        loaded(&ws, &doc)
    };
    assert!(!edit(&a, "甲一"), "the first edit, without the document");
    assert!(
        !edit(&a, "甲二"),
        "the second too, on the layout the first left"
    );
    assert!(!edit(&b, "乙〇"), "b's first edit, without the document");

    // A record made with a field this version does not know.
    let mut ws = Workspace::open(dir.path(), opts()).expect("open");
    let c = ws.write(|w| Ok(w.new_id())).expect("id");
    let mut map = crate::store::visit_map(&Visit {
        id: c.clone(),
        note: "丙".into(),
        ..template.clone()
    });
    map.insert(
        "新字段".to_string(),
        automerge::hydrate::MapValue {
            value: automerge::hydrate::Value::from("留着"),
            conflict: false,
        },
    );
    ws.write(|w| {
        w.raw_change(&doc, |tx| {
            let Some((_, visits)) = tx.get(automerge::ROOT, "visits")? else {
                return Err(automerge::AutomergeError::NotAnObject);
            };
            tx.batch_create_object(
                &visits,
                c.as_str(),
                &automerge::hydrate::Value::Map(map),
                false,
            )
            .map(|_| ())
        })
    })
    .expect("a visit with a field to come");
    drop(ws);
    assert!(edit(&c, "丙一"), "its making is not what it lays out");
    assert!(edit(&c, "丙二"), "nor is there a layout of its edit");
    let ws = Workspace::open(dir.path(), no_views()).expect("reopen");
    assert_eq!(ws.model().visit(&c).expect("c").note, "丙二");
    let am = ws.state.docs[&doc].am.as_ref().expect("loaded");
    let (_, visits) = am
        .get(automerge::ROOT, "visits")
        .ok()
        .flatten()
        .expect("visits");
    let (_, rec) = am.get(&visits, c.as_str()).ok().flatten().expect("record");
    let kept = am
        .get(&rec, "新字段")
        .ok()
        .flatten()
        .map(|(v, _)| v.to_string());
    assert_eq!(kept.as_deref(), Some("\"留着\""));
    drop(ws);

    // Another device's edit of a record (as a sync brings it): this
    // device's next edit of it goes through the document; of a record it
    // did not touch, not.
    let mut ws = Workspace::open(dir.path(), opts()).expect("open");
    change_from_elsewhere(&mut ws, &doc, 7, |tx| {
        let Some((_, visits)) = tx.get(automerge::ROOT, "visits")? else {
            return Err(automerge::AutomergeError::NotAnObject);
        };
        let Some((_, rec)) = tx.get(&visits, b.as_str())? else {
            return Err(automerge::AutomergeError::NotAnObject);
        };
        tx.put(&rec, "teachers_reached", 9)
    });
    drop(ws);
    assert!(
        edit(&b, "乙一"),
        "edited elsewhere since this device's last edit: through the document"
    );
    assert!(
        edit(&b, "乙二"),
        "the layout is of the record before both: through the document"
    );
    let mut ws = Workspace::open(dir.path(), opts()).expect("open");
    let d = add_visit(&mut ws, &template, "丁");
    drop(ws);
    assert!(
        !edit(&d, "丁一"),
        "a record nobody else touched: without it"
    );
    // Another device changes a field and puts it back: nothing to see in
    // the record, but its operation is the one to replace now.
    let mut ws = Workspace::open(dir.path(), opts()).expect("open");
    let same = ws.model().visit(&d).expect("d").teachers_reached;
    change_from_elsewhere(&mut ws, &doc, 8, |tx| {
        let Some((_, visits)) = tx.get(automerge::ROOT, "visits")? else {
            return Err(automerge::AutomergeError::NotAnObject);
        };
        let Some((_, rec)) = tx.get(&visits, d.as_str())? else {
            return Err(automerge::AutomergeError::NotAnObject);
        };
        tx.put(&rec, "teachers_reached", same.saturating_add(5))?;
        tx.put(&rec, "teachers_reached", same)
    });
    drop(ws);
    let mut ws = Workspace::open(dir.path(), opts()).expect("open");
    let mut v = ws.model().visit(&d).cloned().expect("d");
    v.teachers_reached = same.saturating_add(1);
    ws.write(|w| w.put_visit(v)).expect("edit");
    assert!(
        loaded(&ws, &doc),
        "touched elsewhere, though it looks the same: through the document"
    );
    drop(ws);
    let ws = Workspace::open(dir.path(), no_views()).expect("reopen");
    assert!(ws.conflicts().is_empty(), "{:?}", ws.conflicts());
    assert_eq!(
        ws.model().visit(&d).expect("d").teachers_reached,
        same.saturating_add(1)
    );
    drop(ws);
    let ws = Workspace::open(dir.path(), no_views()).expect("reopen");
    assert!(ws.damaged().is_empty(), "{:?}", ws.damaged());
    assert_eq!(ws.model().visit(&a).expect("a").note, "甲二");
    let read_b = ws.model().visit(&b).expect("b");
    assert_eq!((read_b.note.as_str(), read_b.teachers_reached), ("乙二", 9));
    assert_eq!(ws.model().visit(&d).expect("d").note, "丁一");
}

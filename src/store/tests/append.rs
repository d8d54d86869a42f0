//! New records written without loading their document (`append.rs`): the
//! change is the one automerge's own transaction makes, and the workspace
//! reads back, indexes and merges it as any other.

use super::*;
use crate::store::append::{self, Stamp, Tips};
use automerge::hydrate::{List, Map, Text, Value};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{Automerge, ObjType, ROOT, ReadDoc, ScalarValue};

/// A small deterministic generator (xorshift), so a failure repeats.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub(super) fn text(&mut self) -> String {
        const PIECES: [&str; 9] = [
            "",
            "入园指导",
            "a",
            "😀",
            "e\u{301}",
            "第3次，",
            "\n",
            "盘锦市大洼区",
            "🇨🇳",
        ];
        (0..self.below(5))
            .map(|_| PIECES[self.below(PIECES.len() as u64) as usize])
            .collect()
    }

    fn scalar(&mut self) -> ScalarValue {
        match self.below(9) {
            0 => ScalarValue::Str(self.text().into()),
            1 => ScalarValue::Int(self.next() as i64),
            2 => ScalarValue::Uint(self.next()),
            3 => ScalarValue::F64(self.below(1000) as f64 / 7.0),
            4 => ScalarValue::Boolean(self.below(2) == 0),
            5 => ScalarValue::Null,
            6 => ScalarValue::Timestamp(self.next() as i64),
            7 => ScalarValue::counter(self.below(100) as i64),
            _ => ScalarValue::Bytes(self.text().into_bytes()),
        }
    }

    fn value(&mut self, depth: u32) -> Value {
        match if depth == 0 { 0 } else { self.below(4) } {
            0 => Value::Scalar(self.scalar()),
            1 => Value::Text(Text::new(mapping::ENCODING, self.text())),
            2 => Value::List(List::from(
                (0..self.below(4))
                    .map(|_| self.value(depth - 1))
                    .collect::<Vec<_>>(),
            )),
            _ => Value::Map(self.map(depth - 1)),
        }
    }

    fn map(&mut self, depth: u32) -> Map {
        const KEYS: [&str; 8] = ["date", "note", "tasks", "a", "b", "参与人员", "z", ""];
        let mut m = std::collections::HashMap::new();
        for _ in 0..self.below(6) {
            let key = KEYS[self.below(KEYS.len() as u64) as usize];
            m.insert(key.to_string(), self.value(depth));
        }
        Map::from(m)
    }
}

/// For records of every shape (scalars of each kind, texts with CJK,
/// emoji and combining marks, lists, nested maps) and for real visits:
/// the change built from the tips is byte for byte the change automerge's
/// transaction makes (the same hash), and the tips after it are the ones
/// taken from the document after automerge's.
#[test]
fn a_new_record_built_from_the_tips_is_the_change_automerge_makes() {
    let doc = "district/0123456789abcdef0123456789abcdef";
    let author = AuthorInfo {
        person: "测试员".into(),
        device: "ab".repeat(32),
    };
    let me = crate::trust::changes::actor_for(&author.device, doc);
    let mut am = Automerge::new();
    state::writes_as(&mut am, doc, &author);
    let opts = |time: i64, message: &str| {
        CommitOptions::default()
            .with_time(time)
            .with_message(message.to_string())
    };
    am.transact_with(
        |_| opts(1, "made"),
        |tx| {
            for c in layout::DISTRICT_COLLECTIONS {
                tx.put_object(ROOT, c, ObjType::Map)?;
            }
            Ok::<_, automerge::AutomergeError>(())
        },
    )
    .expect("collections");
    let mut tips =
        Tips::after_local_write(&am, &am.get_changes(&[]), &me).expect("tips of the first write");

    let dir = tempfile::tempdir().expect("tempdir");
    let (ws, pairing, visit) = setup(dir.path());
    let visit = ws.model().visit(&visit).cloned().expect("visit");
    let pairing = ws.model().pairing(&pairing).cloned().expect("pairing");
    drop(ws);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..300i64 {
        let (collection, map) = match i % 3 {
            0 => {
                let id = Id::parse(&format!("{i:032x}")).expect("id");
                let note = format!("第{i}次：入园指导，观察区域游戏材料投放情况。");
                let date = d("2026-11-28");
                let form = SupportForm::OnSiteGuidance;
                let v = Visit {
                    tasks: vec![Task::Teachers],
                    teachers_reached: i,
                    ..Visit::of_pairing(id, &pairing, date, form, &note)
                };
                ("visits", crate::store::visit_map(&v))
            }
            1 => ("visits", crate::store::visit_map(&visit)),
            _ => ("inspections", rng.map(3)),
        };
        let key = format!("{:032x}", rng.next());
        let message = format!("add {collection} {key}");
        let stamp = Stamp {
            time: 1_700_000_000_000 + i,
            message: message.clone(),
        };
        let (ours, next) =
            append::new_record(&tips, collection, &key, &map, stamp).expect("built from the tips");
        let before = am.get_heads();
        am.transact_with(
            |_| opts(1_700_000_000_000 + i, &message),
            |tx| {
                let Some((_, coll)) = tx.get(ROOT, collection)? else {
                    return Err(automerge::AutomergeError::NotAnObject);
                };
                tx.batch_create_object(&coll, key.as_str(), &Value::Map(map.clone()), false)
            },
        )
        .expect("automerge's change");
        let theirs = am.get_changes(&before);
        let [theirs] = theirs.as_slice() else {
            panic!("one change");
        };
        assert_eq!(
            ours.hash(),
            theirs.hash(),
            "record {i}: {:?}\nours:   {:?}\ntheirs: {:?}",
            map,
            automerge::ExpandedChange::from(&ours).operations,
            automerge::ExpandedChange::from(theirs).operations,
        );
        let taken = Tips::after_local_write(&am, std::slice::from_ref(theirs), &me);
        assert_eq!(Some(&next), taken.as_ref(), "record {i}");
        assert_eq!(Tips::decode(&next.encode()).as_ref(), Some(&next));
        tips = next;
    }
}

/// Whether the process holds `doc`'s automerge data (it loaded it).
pub(super) fn loaded(ws: &Workspace, doc: &str) -> bool {
    ws.state.docs.get(doc).is_some_and(|d| d.am.is_some())
}

/// The setup's workspace, made and closed: its visit's district document
/// and the visit, a template for more.
pub(super) fn closed_setup(dir: &Path) -> (String, Visit) {
    let (ws, _, visit) = setup(dir);
    let doc = district_doc(&ws, &visit);
    let template = ws.model().visit(&visit).cloned().expect("visit");
    (doc, template)
}

/// A copy of `template` under a new id with `note`, added.
pub(super) fn add_visit(ws: &mut Workspace, template: &Visit, note: &str) -> Id {
    ws.write(|w| {
        let v = Visit {
            id: w.new_id(),
            note: note.into(),
            ..template.clone()
        };
        w.put_visit(v)
    })
    .expect("add")
}

/// The history of each visit of `ids`, as `ws` tells it.
pub(super) fn histories(ws: &mut Workspace, ids: &[&Id]) -> Vec<Vec<HistoryEntry>> {
    ids.iter()
        .map(|id| ws.history(Entity::Visit, id).expect("history"))
        .collect()
}

/// A change to `doc` that another device (its actor and device id made of
/// the byte `who`) could make, written by `f`.
pub(super) fn change_from_elsewhere(
    ws: &mut Workspace,
    doc: &str,
    who: u8,
    f: impl FnOnce(
        &mut automerge::transaction::Transaction<'_>,
    ) -> Result<(), automerge::AutomergeError>,
) {
    let actor = automerge::ActorId::from(vec![who; 16]);
    let device = format!("{who:02x}").repeat(32);
    ws.write(|w| w.raw_change_as(doc, actor, &device, f))
        .expect("a change another device could make");
}

/// A command adds visits without loading their district's document; an
/// edit in the same write loads it with the additions in it; what is on
/// disk reads back (from the automerge data, not the views) as the
/// process held it, the history index kept by the additions is the one a
/// pass over every change makes, and the document checks whole.
#[test]
fn a_command_adds_records_without_loading_their_document_and_they_read_back_the_same() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (doc, template) = closed_setup(dir.path());

    let mut ws = Workspace::open(dir.path(), opts()).expect("open");
    assert!(!loaded(&ws, &doc), "read from its view");
    let a = add_visit(&mut ws, &template, "第一次：😀 e\u{301}");
    let b = add_visit(&mut ws, &template, "第二次");
    assert!(!loaded(&ws, &doc), "added without loading it");
    let c = ws
        .write(|w| {
            let mut v = Visit {
                id: w.new_id(),
                note: "第三次".into(),
                ..template.clone()
            };
            let id = w.put_visit(v.clone())?;
            v.note.push_str("，补充");
            w.put_visit(v)?;
            Ok(id)
        })
        .expect("add, then edit");
    assert!(loaded(&ws, &doc), "the edit loaded it");
    let d_after = add_visit(&mut ws, &template, "第四次");
    assert!(
        history::is_current(&ws.db.conn, &ws.state, &doc).expect("index"),
        "each addition kept the index"
    );
    let held = ws.model().clone();
    let kept = histories(&mut ws, &[&a, &b, &c, &d_after]);
    assert_eq!(kept[0].len(), 1);
    assert!(kept[0][0].created);
    assert_eq!(kept[2].len(), 2, "made, then the note: {:?}", kept[2]);
    drop(ws);

    let no_views = Options {
        use_views: false,
        ..opts()
    };
    let mut fresh = Workspace::open(dir.path(), no_views).expect("reopen");
    assert!(fresh.damaged().is_empty(), "{:?}", fresh.damaged());
    assert_eq!(fresh.model(), &held);
    let v = fresh.model().visit(&a).expect("a");
    assert_eq!(v.note, "第一次：😀 e\u{301}");
    assert_eq!(fresh.model().visit(&c).expect("c").note, "第三次，补充");
    db::drop_history(&fresh.db.conn, &doc).expect("drop the index");
    let rebuilt = histories(&mut fresh, &[&a, &b, &c, &d_after]);
    assert_eq!(rebuilt, kept, "the index a pass over every change makes");
}

/// The tips hold only for the heads they were taken at, and follow a
/// change this device did not make (as a sync brings) from the tips it
/// came on: they are then what the document itself says, and the next new
/// record and the next edit are built from them. A write that fails after
/// an addition leaves nothing, and the next one adds as before.
#[test]
fn a_change_from_elsewhere_or_a_failed_write_never_leaves_tips_that_lie() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut ws, _, visit) = setup(dir.path());
    let doc = district_doc(&ws, &visit);
    let template = ws.model().visit(&visit).cloned().expect("visit");
    let me = crate::trust::changes::actor_for(&ws.state.author.device, &doc);
    change_from_elsewhere(&mut ws, &doc, 7, |tx| tx.put(ROOT, "elsewhere", 1));
    let stored = db::tips(&ws.db.conn, &doc).expect("tips");
    let tips = stored.and_then(|b| Tips::decode(&b)).expect("tips carried");
    // What the document says, read from all its changes.
    let am = ws.state.docs[&doc].am.as_ref().expect("loaded");
    let all = am.get_changes(&[]);
    let mut heads = am.get_heads();
    heads.sort();
    assert_eq!(tips.heads, heads);
    assert_eq!(Some(tips.max_op), all.iter().map(|c| c.max_op()).max());
    let mine = all.iter().filter(|c| c.actor_id() == &me).map(|c| c.seq());
    assert_eq!(Some(tips.seq), mine.max());
    assert_eq!(tips.actor, me);
    drop(ws);

    let mut ws = Workspace::open(dir.path(), opts()).expect("open");
    assert!(!loaded(&ws, &doc));
    let added = add_visit(&mut ws, &template, "另一台设备改过之后");
    assert!(!loaded(&ws, &doc), "built on the carried tips");
    drop(ws);
    let mut ws = Workspace::open(dir.path(), opts()).expect("open");
    let mut v = ws.model().visit(&added).cloned().expect("visit");
    v.note.push_str("，又改");
    ws.write(|w| w.put_visit(v)).expect("edit");
    assert!(!loaded(&ws, &doc), "its first edit too");
    // Tips at other heads than the document's are never used: the
    // document moved on without them.
    ws.db
        .conn
        .execute(
            "UPDATE doc_heads SET tips = ?1 WHERE id = ?2",
            rusqlite::params![tips.encode(), doc],
        )
        .expect("stale tips");
    drop(ws);
    let mut ws = Workspace::open(dir.path(), opts()).expect("open");
    change_from_elsewhere(&mut ws, &doc, 8, |tx| tx.put(ROOT, "elsewhere", 2));
    let stored = db::tips(&ws.db.conn, &doc).expect("tips");
    assert!(stored.is_none(), "not carried from tips of other heads");
    drop(ws);
    let mut ws = Workspace::open(dir.path(), opts()).expect("open");
    add_visit(&mut ws, &template, "经 automerge");
    assert!(loaded(&ws, &doc), "no tips for those heads: loaded");
    drop(ws);

    let mut ws = Workspace::open(dir.path(), opts()).expect("open");
    let heads = ws.state.docs.get(&doc).expect("doc").heads.clone();
    let r = ws.write(|w| {
        let v = Visit {
            id: w.new_id(),
            ..template.clone()
        };
        w.put_visit(v)?;
        Err::<(), _>(EditError::Invalid(vec![]))
    });
    assert!(r.is_err());
    assert_eq!(ws.state.docs.get(&doc).expect("doc").heads, heads);
    let before = ws.model().visits().count();
    add_visit(&mut ws, &template, "失败之后");
    assert!(!loaded(&ws, &doc), "the tips still hold");
    drop(ws);
    let fresh = Workspace::open(
        dir.path(),
        Options {
            use_views: false,
            ..opts()
        },
    )
    .expect("reopen");
    assert_eq!(fresh.model().visits().count(), before + 1);
    assert!(fresh.damaged().is_empty(), "{:?}", fresh.damaged());
    let note = &fresh.model().visit(&added).expect("visit").note;
    assert_eq!(note, "另一台设备改过之后，又改");
}

/// The interface (upkeep when idle) adds records without loading their
/// document and leaves their index to its upkeep, which indexes them from
/// their changes, still without loading it; when another process added one
/// in between, the upkeep loads the document and indexes every change.
#[test]
fn the_interface_indexes_its_additions_when_idle_without_loading_the_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (doc, template) = closed_setup(dir.path());
    let idle = Options {
        upkeep_when_idle: true,
        ..opts()
    };
    let current =
        |ws: &Workspace| history::is_current(&ws.db.conn, &ws.state, &doc).expect("index");

    let mut ws = Workspace::open(dir.path(), idle.clone()).expect("open");
    let a = add_visit(&mut ws, &template, "甲");
    let b = add_visit(&mut ws, &template, "乙");
    assert!(!current(&ws), "left to the upkeep");
    // The saves' signatures wait in a small table of their own.
    let recent = |ws: &Workspace| -> i64 {
        ws.db
            .conn
            .query_row("SELECT COUNT(*) FROM recent_sigs", [], |r| r.get(0))
            .expect("recent signatures")
    };
    let head = ws.state.docs.get(&doc).expect("doc").heads.clone();
    let signed = |ws: &Workspace| db::sig(&ws.db.conn, &head[0]).expect("sig").is_some();
    assert_eq!(recent(&ws), 2);
    assert!(signed(&ws), "found there");
    ws.upkeep().expect("upkeep");
    assert!(current(&ws), "indexed");
    assert!(!loaded(&ws, &doc), "without loading the document");
    assert_eq!(recent(&ws), 0, "moved to the signatures");
    assert!(signed(&ws), "found there");
    for id in [&a, &b] {
        let h = ws.history(Entity::Visit, id).expect("history");
        assert_eq!(h.len(), 1, "{h:?}");
        assert!(h[0].created);
    }

    // A command adds one between two of the interface's additions.
    let c = add_visit(&mut ws, &template, "丙");
    let mut cli = Workspace::open(dir.path(), opts()).expect("a command");
    let d_cli = add_visit(&mut cli, &template, "丁");
    drop(cli);
    let e = add_visit(&mut ws, &template, "戊");
    ws.upkeep().expect("upkeep");
    assert!(current(&ws), "indexed through the document");
    assert!(loaded(&ws, &doc), "which the upkeep loaded");
    let kept = histories(&mut ws, &[&a, &b, &c, &d_cli, &e]);
    assert!(
        kept.iter().all(|h| h.len() == 1 && h[0].created),
        "{kept:?}"
    );
    db::drop_history(&ws.db.conn, &doc).expect("drop the index");
    let rebuilt = histories(&mut ws, &[&a, &b, &c, &d_cli, &e]);
    assert_eq!(rebuilt, kept);
}

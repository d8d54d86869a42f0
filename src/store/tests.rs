//! Store tests that look inside: mapping round trips, change sizes, merges
//! of offline edits, several writers on one workspace.

use super::*;
use crate::domain::plan;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn opts() -> Options {
    Options::new("测试员", d("2026-11-28"))
}

fn kg(
    w: &mut Writer<'_>,
    district: &Id,
    name: &str,
    town: &str,
    ownership: Ownership,
    category: Category,
    stars: Option<i64>,
) -> Id {
    let k = Kindergarten {
        id: w.new_id(),
        name: name.into(),
        district_id: district.clone(),
        town: town.into(),
        village: "红旗村".into(),
        ownership,
        category,
        stars,
        rural: true,
        children: 40,
        teachers: 4,
        contact: "李园长".into(),
        phone: "0427-5550001".into(),
    };
    w.put_kindergarten(k).expect("kindergarten")
}

/// A workspace with one pairing (within a town) and one visit.
fn setup(dir: &Path) -> (Workspace, Id, Id) {
    let mut ws = Workspace::init(dir, &plan::panjin(), opts()).expect("init");
    let district = ws
        .model()
        .district_by_name("盘山县")
        .expect("盘山县")
        .id
        .clone();
    let (pairing, visit) = ws
        .write(|w| {
            let helper = kg(
                w,
                &district,
                "东风镇中心幼儿园",
                "东风镇",
                Ownership::Public,
                Category::TownCentral,
                Some(5),
            );
            let helped = kg(
                w,
                &district,
                "红旗村幼儿园",
                "东风镇",
                Ownership::Private,
                Category::Village,
                None,
            );
            let pid = w.new_id();
            w.insert_pairing(Pairing {
                id: pid.clone(),
                district_id: district.clone(),
                helpers: vec![helper],
                helped: vec![helped.clone()],
                cohort: 2024,
                mode: Mode::Town,
                agreement: Agreement {
                    status: AgreementStatus::Draft,
                    start: d("2024-09-25"),
                    end: d("2026-12-31"),
                    forms: vec![SupportForm::SendTeachers, SupportForm::OnSiteGuidance],
                    tasks: vec![Task::Teachers],
                    goals: "提升保育教育质量".into(),
                    rights: "双方不收取任何费用".into(),
                    schedule: "每月一次".into(),
                    fees: 0,
                    signed: None,
                    confirmations: vec![],
                    filed: None,
                },
            })?;
            let vid = w.new_id();
            w.put_visit(Visit {
                id: vid.clone(),
                pairing_id: pid.clone(),
                district_id: district.clone(),
                date: d("2024-10-15"),
                form: SupportForm::SendTeachers,
                tasks: vec![Task::Teachers, Task::Conditions],
                place_id: Some(helped),
                participants: vec![Participant {
                    name: "王丽".into(),
                    role: "researcher".into(),
                }],
                teachers_reached: 8,
                children_reached: 40,
                materials: Materials {
                    toys: 3,
                    play_materials: 0,
                    picture_books: 20,
                },
                note: "今天走访红旗村幼儿园，指导区域游戏材料投放。".into(),
                follow_up: String::new(),
                confirmed: None,
            })?;
            Ok((pid, vid))
        })
        .expect("setup");
    (ws, pairing, visit)
}

fn district_doc(ws: &Workspace, visit: &Id) -> String {
    let v = ws.model().visit(visit).expect("visit");
    district_doc_id(&v.district_id)
}

#[test]
fn records_with_chinese_text_read_back_the_same_after_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ws, _, _) = setup(dir.path());
    let before = ws.model().clone();
    drop(ws);
    // Read from the documents themselves, and from the views written when
    // the first workspace closed: the same records either way.
    let mut no_views = opts();
    no_views.use_views = false;
    let from_docs = Workspace::open(dir.path(), no_views).expect("open");
    assert_eq!(from_docs.model(), &before);
    assert!(from_docs.state.docs.values().all(|d| d.am.is_some()));
    drop(from_docs);
    let again = Workspace::open(dir.path(), opts()).expect("open");
    assert_eq!(again.model(), &before);
    assert!(
        again.state.docs.values().all(|d| d.am.is_none()),
        "read from views"
    );
    assert!(again.damaged().is_empty());
    let v = again.model().visits().next().expect("a visit");
    assert_eq!(v.note, "今天走访红旗村幼儿园，指导区域游戏材料投放。");
}

#[test]
fn a_list_edited_shorter_keeps_its_first_items_in_the_document() {
    // automerge 0.12's `update_object` deletes a shortened list's first
    // items instead of its last: the model (and this device's views) said
    // one thing, the document every other device reads another.
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut ws, _, visit) = setup(dir.path());
    let person = |name: &str| Participant {
        name: name.into(),
        role: "teacher".into(),
    };
    let mut v = ws.model().visit(&visit).cloned().expect("visit");
    v.participants = vec![person("甲"), person("乙"), person("丙")];
    v.tasks = vec![Task::Teachers, Task::Conditions, Task::RuralCharacter];
    ws.write(|w| w.put_visit(v.clone())).expect("three of each");
    ws.compact(&district_doc(&ws, &visit)).expect("compact");
    drop(ws);
    let mut ws = Workspace::open(dir.path(), opts()).expect("reopen");
    v.participants = vec![person("丁")];
    v.tasks = vec![Task::Conditions];
    ws.write(|w| w.put_visit(v.clone())).expect("one of each");
    drop(ws);
    let mut no_views = opts();
    no_views.use_views = false;
    let from_docs = Workspace::open(dir.path(), no_views).expect("open");
    let read = from_docs.model().visit(&visit).expect("visit");
    assert_eq!(read.participants, v.participants);
    assert_eq!(read.tasks, v.tasks);
}

#[test]
fn text_indexes_count_code_points() {
    assert_eq!(
        automerge::Automerge::new().text_encoding(),
        mapping::ENCODING
    );
}

#[test]
fn editing_one_field_makes_one_small_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut ws, _, visit) = setup(dir.path());
    let doc = district_doc(&ws, &visit);
    let k = ws.model().kindergartens().next().cloned().expect("kg");
    ws.write(|w| {
        w.put_kindergarten(Kindergarten {
            phone: "0427-5550099".into(),
            ..k
        })
    })
    .expect("edit");
    let change = ws.state.docs[&doc]
        .am
        .as_ref()
        .and_then(|am| am.get_last_local_change())
        .expect("a change");
    assert_eq!(change.len(), 1, "one op for one field");

    // Appending to a note adds the new characters, not the whole note again.
    let mut v = ws.model().visit(&visit).cloned().expect("visit");
    v.note.push_str("下次带图画书。");
    ws.write(|w| w.put_visit(v)).expect("edit note");
    let change = ws.state.docs[&doc]
        .am
        .as_ref()
        .and_then(|am| am.get_last_local_change())
        .expect("a change");
    assert!(
        change.len() <= "下次带图画书。".chars().count(),
        "{} ops",
        change.len()
    );
    assert!(
        change.raw_bytes().len() < 300,
        "{} bytes",
        change.raw_bytes().len()
    );
}

#[test]
fn two_offline_edits_of_one_note_both_survive_the_merge() {
    let a_dir = tempfile::tempdir().expect("tempdir");
    let b_dir = tempfile::tempdir().expect("tempdir");
    let (a, _, visit) = setup(a_dir.path());
    drop(a);
    std::fs::copy(a_dir.path().join(DB_FILE), b_dir.path().join(DB_FILE)).expect("copy");
    let mut a = Workspace::open(a_dir.path(), opts()).expect("open a");
    let mut b = Workspace::open(b_dir.path(), opts()).expect("open b");
    let doc = district_doc(&a, &visit);

    let mut va = a.model().visit(&visit).cloned().expect("visit");
    va.note.push_str("甲：幼儿参与积极。");
    a.write(|w| w.put_visit(va)).expect("a edits");
    // The copy stands for another device: its own actor for the document
    // (one device's two copies writing under one actor cannot merge).
    {
        let path = b.db.path.clone();
        let tx = b.db.begin_read().expect("read");
        b.state
            .loaded(&tx, &path, &doc)
            .expect("load")
            .set_actor(automerge::ActorId::random());
    }
    let mut vb = b.model().visit(&visit).cloned().expect("visit");
    vb.note = format!("乙：上午到园。{}", vb.note);
    b.write(|w| w.put_visit(vb)).expect("b edits");

    let mut theirs = b.state.docs[&doc].am.clone().expect("b loaded it to write");
    // a's edit was built without its document (`edit.rs`): the merge is
    // of that change with b's, made through automerge.
    assert!(
        a.state.docs[&doc].am.is_none(),
        "a wrote without loading it"
    );
    let path = a.db.path.clone();
    let tx = a.db.begin_read().expect("read");
    let ours = a.state.loaded(&tx, &path, &doc).expect("load");
    ours.merge(&mut theirs).expect("merge");
    drop(tx);
    a.state.reread(&doc).expect("reread");
    let note = &a.model().visit(&visit).expect("visit").note;
    assert_eq!(
        note,
        "乙：上午到园。今天走访红旗村幼儿园，指导区域游戏材料投放。甲：幼儿参与积极。"
    );
}

#[test]
fn two_writers_on_one_workspace_both_keep_their_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (first, _, _) = setup(dir.path());
    drop(first);
    let mut a = Workspace::open(dir.path(), opts()).expect("open a");
    let mut b = Workspace::open(dir.path(), opts()).expect("open b");
    let district = a
        .model()
        .district_by_name("大洼区")
        .expect("大洼区")
        .id
        .clone();
    let ka = a
        .write(|w| {
            Ok(kg(
                w,
                &district,
                "甲园",
                "甲镇",
                Ownership::Public,
                Category::Town,
                None,
            ))
        })
        .expect("a");
    // b has not looked since it opened; its write must load a's first.
    let kb = b
        .write(|w| {
            assert!(
                w.model().kindergarten(&ka).is_some(),
                "b sees a's write before writing"
            );
            Ok(kg(
                w,
                &district,
                "乙园",
                "乙镇",
                Ownership::Public,
                Category::Town,
                None,
            ))
        })
        .expect("b");
    assert!(a.refresh().expect("refresh"));
    assert!(a.model().kindergarten(&kb).is_some());
    let c = Workspace::open(dir.path(), opts()).expect("open c");
    assert!(c.model().kindergarten(&ka).is_some() && c.model().kindergarten(&kb).is_some());
}

#[test]
fn compaction_never_drops_a_chunk_another_writer_just_wrote() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (first, _, _) = setup(dir.path());
    drop(first);
    let mut small = opts();
    small.compact_after = 3;
    let mut a = Workspace::open(dir.path(), small.clone()).expect("open a");
    let mut b = Workspace::open(dir.path(), small).expect("open b");
    let district = a
        .model()
        .district_by_name("大洼区")
        .expect("大洼区")
        .id
        .clone();
    let mut ids = Vec::new();
    for i in 0..10 {
        // Alternate writers; each compacts when its write leaves 3 chunks.
        let ws = if i % 2 == 0 { &mut a } else { &mut b };
        let name = format!("园{i}");
        ids.push(
            ws.write(|w| {
                Ok(kg(
                    w,
                    &district,
                    &name,
                    "镇",
                    Ownership::Public,
                    Category::Town,
                    None,
                ))
            })
            .expect("write"),
        );
    }
    a.refresh().expect("refresh a");
    b.refresh().expect("refresh b");
    let fresh = Workspace::open(dir.path(), opts()).expect("reopen");
    for id in &ids {
        assert!(a.model().kindergarten(id).is_some(), "a lost {id}");
        assert!(b.model().kindergarten(id).is_some(), "b lost {id}");
        assert!(fresh.model().kindergarten(id).is_some(), "disk lost {id}");
    }
    let chunks = db::chunk_count(&fresh.db.conn, &district_doc_id(&district)).expect("count");
    assert!(chunks < 3, "compacted: {chunks} chunks left");
}

#[test]
fn a_failed_write_leaves_nothing_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut ws, _, _) = setup(dir.path());
    let district = ws
        .model()
        .district_by_name("大洼区")
        .expect("大洼区")
        .id
        .clone();
    let before = ws.model().clone();
    let r = ws.write(|w| {
        kg(
            w,
            &district,
            "会被撤销的园",
            "镇",
            Ownership::Public,
            Category::Town,
            None,
        );
        // The second edit breaks a rule: the whole write is undone.
        w.set_target(PlanTarget {
            year: 2024,
            district_id: district.clone(),
            helpers: -1,
            helped: 0,
        })
    });
    assert!(matches!(r, Err(EditError::Invalid(_))));
    assert_eq!(ws.model(), &before);
    let again = Workspace::open(dir.path(), opts()).expect("reopen");
    assert_eq!(again.model(), &before);
}

#[test]
fn history_names_who_changed_which_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut ws, pairing, visit) = setup(dir.path());
    let mut v = ws.model().visit(&visit).cloned().expect("visit");
    v.note.push_str("补充。");
    v.teachers_reached = 9;
    ws.write(|w| w.put_visit(v)).expect("edit");
    ws.write(|w| {
        w.sign(
            &pairing,
            Stamp {
                by: "李园长".into(),
                on: d("2024-09-25"),
            },
        )
    })
    .expect("sign");

    let h = ws.history(Entity::Visit, &visit).expect("history");
    assert_eq!(h.len(), 2, "{h:?}");
    assert!(h[0].created);
    assert_eq!(
        h[1].fields,
        vec!["note".to_string(), "teachers_reached".to_string()]
    );
    assert_eq!(h[1].person, "测试员", "{h:?}");
    assert_eq!(h[1].device.len(), 64, "the device key's public half");

    let h = ws.history(Entity::Pairing, &pairing).expect("history");
    assert_eq!(h.len(), 2, "{h:?}");
    assert_eq!(
        h[1].fields,
        vec!["signed".to_string(), "status".to_string()]
    );
}

/// Each write adds its own rows to an index that was up to date; what the
/// index then says of every record is what one pass over all the changes
/// says.
#[test]
fn the_history_index_kept_by_each_write_agrees_with_a_pass_over_every_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut ws, pairing, visit) = setup(dir.path());
    let doc = district_doc_id(&ws.model().visit(&visit).expect("visit").district_id);
    // The first history builds the index of the district's document.
    assert_eq!(ws.history(Entity::Visit, &visit).expect("history").len(), 1);
    let kgs: Vec<Id> = ws.model().kindergartens().map(|k| k.id.clone()).collect();
    let mut v = ws.model().visit(&visit).cloned().expect("visit");
    v.note.push_str("补充。");
    v.tasks.push(Task::RuralCharacter);
    ws.write(|w| w.put_visit(v.clone())).expect("edit");
    let mut second = v.clone();
    second.id = ws.write(|w| Ok(w.new_id())).expect("id");
    ws.write(|w| w.put_visit(second.clone()))
        .expect("second visit");
    ws.write(|w| w.delete(Entity::Visit, &second.id))
        .expect("delete");
    let stamp = Stamp {
        by: "李园长".into(),
        on: d("2024-09-25"),
    };
    ws.write(|w| w.sign(&pairing, stamp)).expect("sign");
    let mut k = ws.model().kindergarten(&kgs[0]).cloned().expect("kg");
    k.children = 55;
    ws.write(|w| w.put_kindergarten(k)).expect("kindergarten");

    let current = history::is_current(&ws.db.conn, &ws.state, &doc).expect("index");
    assert!(current, "each write kept the index up to date");
    let read = |ws: &mut Workspace| {
        let mut all = vec![
            ws.history(Entity::Visit, &visit).expect("visit"),
            ws.history(Entity::Pairing, &pairing).expect("pairing"),
            ws.deleted_history(&second.id)
                .expect("deleted")
                .map(|(_, h)| h)
                .unwrap_or_default(),
        ];
        for k in &kgs {
            all.push(ws.history(Entity::Kindergarten, k).expect("kg"));
        }
        all
    };
    let kept = read(&mut ws);
    assert_eq!(kept[0].len(), 2, "{:?}", kept[0]);
    assert_eq!(
        kept[0][1].fields,
        vec!["note".to_string(), "tasks".to_string()]
    );
    assert_eq!(kept[2].len(), 2, "made, then deleted: {:?}", kept[2]);
    assert!(kept[2][1].deleted);
    db::drop_history(&ws.db.conn, &doc).expect("drop");
    assert!(!history::is_current(&ws.db.conn, &ws.state, &doc).expect("index"));
    assert_eq!(read(&mut ws), kept, "rebuilt from every change");
}

#[test]
fn every_stored_field_has_a_label_in_both_languages() {
    use crate::i18n::{Lang, field};
    use mapping::Record;
    let dir = tempfile::tempdir().expect("tempdir");
    let (ws, pairing, visit) = setup(dir.path());
    let m = ws.model();
    let mut maps = vec![
        m.kindergartens().next().expect("kg").to_map(),
        m.pairing(&pairing).expect("p").to_map(),
        m.visit(&visit).expect("v").to_map(),
    ];
    if let Some(automerge::hydrate::Value::Map(a)) = maps[1].get("agreement").cloned() {
        maps.push(a);
    }
    for map in maps {
        for key in map.keys() {
            for lang in Lang::ALL {
                let label = field(lang, key);
                assert_ne!(label, format!("field.{key}"), "no {lang:?} label for {key}");
            }
        }
    }
}

#[test]
fn authors_survive_saving_and_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut ws, _, visit) = setup(dir.path());
    for i in 0..3 {
        let mut v = ws.model().visit(&visit).cloned().expect("visit");
        v.teachers_reached = 10 + i;
        ws.write(|w| w.put_visit(v)).expect("edit");
    }
    drop(ws);
    let mut ws = Workspace::open(dir.path(), opts()).expect("reopen");
    let h = ws.history(Entity::Visit, &visit).expect("history");
    assert_eq!(h.len(), 4);
    for e in &h {
        assert_eq!(e.person, "测试员", "{e:?}");
    }
}

#[test]
fn a_view_is_never_used_for_a_state_it_does_not_hold() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (first, _, visit) = setup(dir.path());
    drop(first);
    // Two processes read from views; one writes; the other must see it.
    let mut a = Workspace::open(dir.path(), opts()).expect("a");
    let mut b = Workspace::open(dir.path(), opts()).expect("b");
    let mut v = a.model().visit(&visit).cloned().expect("visit");
    v.note = "改过的记录。".into();
    a.write(|w| w.put_visit(v)).expect("write");
    // b's view of the district is now stale; a has not closed, so no fresh
    // view exists: b must read the document itself.
    assert!(b.refresh().expect("refresh"));
    assert_eq!(b.model().visit(&visit).expect("visit").note, "改过的记录。");
    drop(a);
    drop(b);
    let mut no_views = opts();
    no_views.use_views = false;
    let truth = Workspace::open(dir.path(), no_views)
        .expect("docs")
        .model()
        .clone();
    let cached = Workspace::open(dir.path(), opts()).expect("views");
    assert_eq!(cached.model(), &truth);
    assert!(
        cached.state.docs.values().all(|d| d.am.is_none()),
        "views were refreshed"
    );
}

/// The file's format and whether it has `doc_heads`.
fn format_of(dir: &Path) -> (i64, bool) {
    let conn = rusqlite::Connection::open(dir.join(DB_FILE)).expect("the file");
    let version = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    let table = conn
        .prepare("SELECT 1 FROM sqlite_master WHERE name = 'doc_heads'")
        .and_then(|mut st| st.exists([]))
        .expect("schema");
    (version, table)
}

#[test]
fn a_format_1_file_is_read_as_it_is_and_keeps_its_heads_apart_from_its_first_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ws, _, visit) = setup(dir.path());
    drop(ws);
    assert_eq!(format_of(dir.path()), (2, true));
    // What format 1 left: each document's latest heads in `docs`.
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).expect("the file");
    conn.execute_batch(
        "UPDATE docs SET heads = (SELECT heads FROM doc_heads WHERE doc_heads.id = docs.id);
         DROP TABLE doc_heads;
         PRAGMA user_version = 1;",
    )
    .expect("made format 1");
    drop(conn);
    let no_views = || Options {
        use_views: false,
        ..opts()
    };
    let mut ws = Workspace::open(dir.path(), no_views()).expect("a format 1 file opens");
    assert!(ws.damaged().is_empty(), "{:?}", ws.damaged());
    assert_eq!(format_of(dir.path()), (1, false), "reading changes nothing");
    let mut v = ws.model().visit(&visit).expect("the visit").clone();
    v.note = "第二次走访：补充区域材料。".into();
    ws.write(|w| w.put_visit(v)).expect("a write");
    drop(ws);
    assert_eq!(format_of(dir.path()), (2, true), "the first write upgrades");
    // The district's row in `docs` still holds the heads before the
    // write; its `doc_heads` row is the one read.
    let ws = Workspace::open(dir.path(), no_views()).expect("open");
    assert!(ws.damaged().is_empty(), "{:?}", ws.damaged());
    assert_eq!(
        ws.model().visit(&visit).map(|v| v.note.as_str()),
        Some("第二次走访：补充区域材料。")
    );
}

mod append;
mod edit;
mod quick;
mod upkeep;

//! What the indexes answer alone (`quick.rs`): a record's history, and
//! a write that opens only its pairing's documents.

use super::*;

/// `quick_history` answers from the history index and the record's own
/// document exactly what the whole workspace answers, and leaves to it
/// what the index cannot answer alone.
#[test]
fn the_quick_history_answers_as_the_whole_workspace_or_leaves_it_to_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut ws, pairing, visit) = setup(dir.path());
    let mut v = ws.model().visit(&visit).cloned().expect("visit");
    v.note.push_str("补充。");
    ws.write(|w| w.put_visit(v.clone())).expect("edit");
    let quick = |prefix: &str| quick_history(dir.path(), &opts(), prefix).expect("quick");
    // A new workspace is indexed from birth and each write follows: no
    // compaction is needed for a quick answer.
    let whole = |ws: &mut Workspace, what, id: &Id| ws.history(what, id).expect("history");
    let expected = whole(&mut ws, Entity::Visit, &visit);
    assert_eq!(expected.len(), 2, "{expected:?}");
    assert_eq!(
        quick(&visit.as_str().to_uppercase()),
        Some((Entity::Visit, visit.clone(), expected))
    );
    let prefix = pairing.as_str().chars().take(8).collect::<String>();
    let expected = whole(&mut ws, Entity::Pairing, &pairing);
    assert_eq!(quick(&prefix), Some((Entity::Pairing, pairing, expected)));
    let district = v.district_id.clone();
    let expected = whole(&mut ws, Entity::District, &district);
    assert!(!expected.is_empty());
    assert_eq!(
        quick(district.as_str()),
        Some((Entity::District, district.clone(), expected))
    );

    // A deleted record is the whole workspace's to tell (by whole id only).
    ws.write(|w| w.delete(Entity::Visit, &visit))
        .expect("delete");
    assert!(quick(visit.as_str()).is_none());
    assert!(ws.deleted_history(&visit).expect("deleted").is_some());
    // An id nobody holds, or not an id at all: no answer.
    assert!(quick("0123456789abcdef0123456789abcdef").is_none());
    assert!(quick("xyz").is_none());

    // One document's index behind: no answer for any record.
    let doc = district_doc_id(&district);
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).expect("the file");
    assert!(quick(district.as_str()).is_some());
    conn.execute("DELETE FROM history_heads WHERE doc = ?1", [&doc])
        .expect("forget the index's heads");
    assert!(quick(district.as_str()).is_none());
}

/// A cross-region pairing: a helper of 大洼区 for a kindergarten of the
/// pairing `base`'s district (盘山县).
fn cross_pairing(ws: &mut Workspace, base: &Id) -> Id {
    let home = ws
        .model()
        .pairing(base)
        .expect("pairing")
        .district_id
        .clone();
    let other = ws
        .model()
        .district_by_name("大洼区")
        .expect("大洼区")
        .id
        .clone();
    ws.write(|w| {
        let helper = kg(
            w,
            &other,
            "大洼区实验幼儿园",
            "大洼街道",
            Ownership::Public,
            Category::UrbanQuality,
            Some(5),
        );
        let helped = kg(
            w,
            &home,
            "新兴村幼儿园",
            "东风镇",
            Ownership::Private,
            Category::Village,
            None,
        );
        let mut p = w.model().pairing(base).cloned().expect("pairing");
        p.id = w.new_id();
        p.mode = Mode::CrossRegion;
        p.helpers = vec![helper];
        p.helped = vec![helped];
        w.insert_pairing(p)
    })
    .expect("cross-region pairing")
}

fn visit_of(pairing: &Id, date: &str) -> VisitDraft {
    VisitDraft {
        pairing_id: pairing.clone(),
        date: d(date),
        form: SupportForm::OnSiteGuidance,
        tasks: vec![Task::Teachers],
        place_id: None,
        participants: Vec::new(),
        teachers_reached: 6,
        children_reached: 30,
        materials: Materials::default(),
        note: "入园指导：区域游戏。".into(),
        follow_up: String::new(),
    }
}

/// A workspace opened for one pairing reads the programme, the pairing's
/// district and its kindergartens' districts and nothing else; a visit
/// written through it is on disk, in its views and in the history index
/// as a whole workspace's write would leave it; a refused write leaves it
/// as it was; and what the index cannot answer gets no such workspace.
#[test]
fn a_workspace_opened_for_a_pairing_reads_its_documents_alone_and_writes_as_a_whole_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut ws, base, visit) = setup(dir.path());
    let cross = cross_pairing(&mut ws, &base);
    let open = |prefix: &str| {
        Workspace::open_for(dir.path(), opts(), Entity::Pairing, prefix).expect("open")
    };
    let prefix = cross.as_str().chars().take(8).collect::<String>();

    let m = ws.model();
    let docs_of = |names: &[&str]| -> BTreeSet<String> {
        let mut docs: BTreeSet<String> = names
            .iter()
            .map(|n| district_doc_id(&m.district_by_name(n).expect("district").id))
            .collect();
        docs.insert(PROGRAMME_DOC.to_string());
        docs
    };
    let (cross_docs, base_docs) = (docs_of(&["盘山县", "大洼区"]), docs_of(&["盘山县"]));
    assert!(
        ws.doc_ids().len() > cross_docs.len(),
        "the city has more districts"
    );
    let mut q = open(&prefix.to_uppercase()).expect("the index names the pairing");
    let read: BTreeSet<String> = q.doc_ids().into_iter().collect();
    assert_eq!(read, cross_docs);
    let only_base = open(base.as_str()).expect("a pairing within one district");
    assert_eq!(
        only_base.doc_ids().into_iter().collect::<BTreeSet<_>>(),
        base_docs
    );
    drop(only_base);

    // Refused (before the agreement began): nothing kept, still scoped.
    assert!(
        q.write(|w| w.add_visit(visit_of(&cross, "2023-01-10")))
            .is_err()
    );
    assert_eq!(q.doc_ids().into_iter().collect::<BTreeSet<_>>(), cross_docs);
    let added = q
        .write(|w| w.add_visit(visit_of(&cross, "2025-03-10")))
        .expect("a visit");
    drop(q);
    // A visit's workspace is its pairing's.
    let of = |what, prefix: &str| {
        Workspace::open_for(dir.path(), opts(), what, prefix)
            .expect("open")
            .map(|ws| ws.doc_ids().into_iter().collect::<BTreeSet<_>>())
    };
    assert_eq!(of(Entity::Visit, added.as_str()), Some(cross_docs.clone()));
    assert_eq!(of(Entity::Visit, visit.as_str()), Some(base_docs.clone()));
    // Only writes about a pairing or a visit are offered one.
    let home = m.pairing(&cross).expect("pairing").helpers[0].clone();
    assert_eq!(of(Entity::Kindergarten, home.as_str()), None);

    let no_views = Options {
        use_views: false,
        ..opts()
    };
    let from_views = Workspace::open(dir.path(), opts()).expect("open");
    let from_docs = Workspace::open(dir.path(), no_views).expect("open");
    let v = from_docs
        .model()
        .visit(&added)
        .expect("the visit is on disk");
    assert_eq!(
        (v.date, v.district_id.clone()),
        (
            d("2025-03-10"),
            m.pairing(&cross).expect("p").district_id.clone()
        )
    );
    assert_eq!(
        from_views.model(),
        from_docs.model(),
        "the views written match the documents"
    );
    assert_eq!(from_docs.model().visits().count(), 2);
    let history = quick_history(dir.path(), &opts(), added.as_str()).expect("history");
    assert!(history.is_some_and(|(what, _, rows)| what == Entity::Visit && rows.len() == 1));

    // What the index cannot answer alone: no workspace.
    assert!(open("xyz").is_none(), "not an id");
    assert!(
        open("0123456789abcdef0123456789abcdef").is_none(),
        "no such pairing"
    );
    assert!(open(visit.as_str()).is_none(), "a visit, not a pairing");
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).expect("the file");
    conn.execute("DELETE FROM history_heads WHERE doc = ?1", [PROGRAMME_DOC])
        .expect("forget the index's heads");
    assert!(open(&prefix).is_none(), "an index behind");
}

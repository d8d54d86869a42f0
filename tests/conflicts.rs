//! Two devices edit one record while apart (docs/SYNC.md, "Conflicts"):
//! nothing either typed is lost. Two values set for one field are both
//! shown, the same way on both devices, until someone allowed to edit the
//! record picks one; a report both started keeps both starts' text.
//! Devices meet through bundles (a USB stick), as in the field.

mod common;

use bangfu::demo::{self, Scale};
use bangfu::domain::reports::{self, ReportKey, YearMonth};
use bangfu::domain::*;
use bangfu::store::{Conflict, Options, Workspace};
use bangfu::sync::bundle;
use chrono::NaiveDate;
use std::collections::BTreeSet;

fn opts(person: &str) -> Options {
    Options::new(person, NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"))
}

/// The city's device (the demo) and a device of 盘山县's bureau that got
/// everything on a stick.
struct Pair {
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    city: Workspace,
    county: Workspace,
    district: Id,
    docs: BTreeSet<String>,
}

fn pair() -> Pair {
    let (a, b) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    demo::create(a.path(), Scale::Small, 5, opts("市局")).expect("demo");
    let mut city = Workspace::open(a.path(), opts("市局")).expect("open");
    let district = city
        .model()
        .district_by_name("盘山县")
        .expect("盘山县")
        .id
        .clone();
    let workspace = city.workspace_id().to_string();
    let mut county = Workspace::create_joined(b.path(), &workspace, opts("县局")).expect("joined");
    let key = bangfu::identity::load(b.path())
        .ok()
        .flatten()
        .expect("the county's key");
    let admin = city
        .model()
        .members
        .values()
        .next()
        .expect("the city's member")
        .id
        .clone();
    let bureau = Member {
        id: bangfu::identity::endpoint_hex(&key),
        name: "县局".into(),
        role: MemberRole::DistrictAdmin,
        district: Some(district.clone()),
        kindergarten: None,
        districts: vec![],
        added_by: admin,
        added_on: NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
        revoked: false,
    };
    city.write(|w| w.put_member(bureau)).expect("admitted");
    let docs: BTreeSet<String> = city.doc_ids().into_iter().collect();
    let stick = bundle::export(&mut city, &docs, None).expect("export");
    bundle::import(&mut county, &stick).expect("import");
    Pair {
        _dirs: (a, b),
        city,
        county,
        district,
        docs,
    }
}

/// Each device gets what the other has.
fn meet(p: &mut Pair) {
    let from_county = bundle::export(&mut p.county, &p.docs, None).expect("export");
    bundle::import(&mut p.city, &from_county).expect("city imports");
    let from_city = bundle::export(&mut p.city, &p.docs, None).expect("export");
    bundle::import(&mut p.county, &from_city).expect("county imports");
}

/// A visit of 盘山县 at least ten days into its agreement.
fn a_visit(p: &Pair) -> Visit {
    let m = p.city.model();
    m.visits()
        .find(|v| {
            v.district_id == p.district
                && m.pairing(&v.pairing_id)
                    .is_some_and(|x| v.date >= x.agreement.start + chrono::Days::new(10))
        })
        .expect("a visit of 盘山县 inside its agreement")
        .clone()
}

fn owned(cs: Vec<&Conflict>) -> Vec<Conflict> {
    cs.into_iter().cloned().collect()
}

#[test]
fn two_dates_set_apart_for_one_visit_show_on_both_devices_until_one_is_picked() {
    let mut p = pair();
    let visit = a_visit(&p);
    let (one, two) = (
        visit.date - chrono::Days::new(1),
        visit.date - chrono::Days::new(2),
    );
    p.city
        .write(|w| {
            w.put_visit(Visit {
                date: one,
                ..visit.clone()
            })
        })
        .expect("the city moves it a day");
    p.county
        .write(|w| {
            w.put_visit(Visit {
                date: two,
                ..visit.clone()
            })
        })
        .expect("the county moves it two days");
    assert!(
        p.city.conflicts().is_empty(),
        "no conflict before they meet"
    );
    meet(&mut p);

    let on_city = owned(p.city.conflicts_of(&visit.id));
    assert_eq!(
        on_city,
        owned(p.county.conflicts_of(&visit.id)),
        "both devices show the same conflict"
    );
    let [c] = on_city.as_slice() else {
        panic!("one conflict on the visit: {on_city:?}");
    };
    assert_eq!(
        (c.collection.as_str(), c.field.as_str()),
        ("visits", "date")
    );
    let mut values: Vec<&str> = c.set_aside.iter().map(String::as_str).collect();
    values.push(&c.kept);
    values.sort_unstable();
    let mut expected = [one.to_string(), two.to_string()];
    expected.sort();
    assert_eq!(values, expected, "both dates are kept: {c:?}");
    let shown = p.city.model().visit(&visit.id).expect("visit").date;
    assert_eq!(shown.to_string(), c.kept, "the value shown is the one kept");

    // The county picks the date set aside; once the city has its pick,
    // neither shows a conflict and both show that date.
    let picked = c.set_aside[0].clone();
    p.county.write(|w| w.pick(c, 1)).expect("picked");
    assert!(
        p.county.conflicts_of(&visit.id).is_empty(),
        "settled where picked"
    );
    meet(&mut p);
    for ws in [&p.city, &p.county] {
        assert!(ws.conflicts().is_empty(), "{:?}", ws.conflicts());
        let date = ws.model().visit(&visit.id).expect("visit").date;
        assert_eq!(date.to_string(), picked);
    }
}

#[test]
fn picking_the_value_shown_settles_the_conflict_too_and_a_stranger_may_not_pick() {
    let mut p = pair();
    let visit = a_visit(&p);
    p.city
        .write(|w| {
            w.put_visit(Visit {
                teachers_reached: 7,
                ..visit.clone()
            })
        })
        .expect("city");
    p.county
        .write(|w| {
            w.put_visit(Visit {
                teachers_reached: 9,
                ..visit.clone()
            })
        })
        .expect("county");
    meet(&mut p);
    let c = p.city.conflicts_of(&visit.id)[0].clone();
    assert_eq!(c.field, "teachers_reached");
    let stranger = iroh::SecretKey::from_bytes(&[77; 32]);
    p.city.act_as(Some(&stranger)).expect("act as a stranger");
    let refused = p.city.write(|w| w.pick(&c, 0));
    assert!(refused.is_err(), "a device that is no member may not pick");
    p.city.act_as(None).expect("back");
    p.city.write(|w| w.pick(&c, 0)).expect("keep what is shown");
    assert!(p.city.conflicts().is_empty());
    meet(&mut p);
    assert!(p.county.conflicts().is_empty());
    let kept: i64 = c.kept.parse().expect("a count");
    for ws in [&p.city, &p.county] {
        assert_eq!(
            ws.model().visit(&visit.id).expect("visit").teachers_reached,
            kept
        );
    }
}

#[test]
fn a_report_both_devices_started_offline_keeps_both_texts_until_saved_once() {
    let mut p = pair();
    let key = ReportKey::Monthly {
        district: p.district.clone(),
        month: YearMonth {
            year: 2026,
            month: 12,
        },
    };
    assert!(
        reports::monthly(p.city.model(), &key.id()).is_none(),
        "December's report is not started yet"
    );
    p.city
        .write(|w| {
            w.set_report_text(
                &key,
                &[
                    (Section::Progress, "市局记：送教两次。".into()),
                    (Section::Problems, "冬季路远。".into()),
                ],
            )
        })
        .expect("the city starts it");
    p.county
        .write(|w| {
            w.set_report_text(
                &key,
                &[(Section::Progress, "县局记：线上教研一次。".into())],
            )
        })
        .expect("the county starts it");
    meet(&mut p);

    for ws in [&p.city, &p.county] {
        let r = reports::monthly(ws.model(), &key.id()).expect("report");
        assert!(r.progress.contains("市局记：送教两次。"), "{}", r.progress);
        assert!(
            r.progress.contains("县局记：线上教研一次。"),
            "{}",
            r.progress
        );
        assert_eq!(r.problems, "冬季路远。");
        let open = ws.conflicts_of(&key.id());
        assert!(
            matches!(open.as_slice(), [c] if c.is_start()),
            "the double start is shown: {open:?}"
        );
    }
    let merged = reports::monthly(p.county.model(), &key.id())
        .expect("report")
        .progress
        .clone();
    p.county
        .write(|w| {
            w.set_report_text(
                &key,
                &[(Section::Progress, format!("{merged}\n十二月计划：家长会。"))],
            )
        })
        .expect("saved once");
    assert!(
        p.county.conflicts().is_empty(),
        "{:?}",
        p.county.conflicts()
    );
    meet(&mut p);
    assert!(p.city.conflicts().is_empty(), "{:?}", p.city.conflicts());
    let text = |ws: &Workspace| {
        reports::monthly(ws.model(), &key.id())
            .expect("report")
            .progress
            .clone()
    };
    assert_eq!(text(&p.city), text(&p.county));
    for part in [
        "市局记：送教两次。",
        "县局记：线上教研一次。",
        "十二月计划：家长会。",
    ] {
        assert_eq!(text(&p.city).matches(part).count(), 1, "{}", text(&p.city));
    }
}

/// The visit's conflict in the interface of the county's device: shown in
/// the visit's detail in both languages, settled with `p`, a move and
/// Ctrl-S.
#[test]
fn the_interface_shows_a_conflict_in_the_detail_and_settles_it_with_p() {
    use bangfu::app::Screen;
    use bangfu::i18n::Lang;
    use common::ui::*;
    use ratatui::crossterm::event::KeyCode;
    let mut p = pair();
    let visit = a_visit(&p);
    let (city_date, county_date) = (
        visit.date - chrono::Days::new(3),
        visit.date - chrono::Days::new(4),
    );
    p.city
        .write(|w| {
            w.put_visit(Visit {
                date: city_date,
                ..visit.clone()
            })
        })
        .expect("city");
    p.county
        .write(|w| {
            w.put_visit(Visit {
                date: county_date,
                ..visit.clone()
            })
        })
        .expect("county");
    meet(&mut p);
    let dir = p._dirs.1.path().to_path_buf();
    for lang in [Lang::Zh, Lang::En] {
        let mut a = app(&dir, lang, 120, 40);
        ch(&mut a, '4');
        let rows = a.list(Screen::Visits).expect("list").rows.clone();
        let at = rows.iter().position(|id| *id == visit.id).expect("listed");
        a.list_mut(Screen::Visits).expect("list").selected = at;
        let screen = show(&mut a);
        let label = match lang {
            Lang::Zh => "有冲突",
            Lang::En => "Conflict",
        };
        assert!(screen.contains(label), "{screen}");
        for date in [city_date, county_date] {
            assert!(screen.contains(&date.to_string()), "{date} in {screen}");
        }
    }
    let mut a = app(&dir, Lang::Zh, 120, 40);
    ch(&mut a, '4');
    let rows = a.list(Screen::Visits).expect("list").rows.clone();
    let at = rows.iter().position(|id| *id == visit.id).expect("listed");
    a.list_mut(Screen::Visits).expect("list").selected = at;
    ch(&mut a, 'p');
    let form = show(&mut a);
    assert!(
        form.contains("处理冲突") && form.contains("保留："),
        "{form}"
    );
    key(&mut a, KeyCode::Right);
    let chosen = show(&mut a);
    assert!(chosen.contains("改用："), "{chosen}");
    ctrl(&mut a, 's');
    let after = show(&mut a);
    assert!(after.contains("冲突已处理"), "{after}");
    assert!(!after.contains("有冲突"), "{after}");
    let kept = a
        .model()
        .expect("model")
        .visit(&visit.id)
        .expect("visit")
        .date;
    let shown_before = p.county.model().visit(&visit.id).expect("visit").date;
    assert_ne!(kept, shown_before, "the value set aside was picked");
    assert!([city_date, county_date].contains(&kept));
}

/// The command line: `doctor` counts the conflict, `conflict list` names
/// it (both languages), `conflict pick` keeps the value asked for.
#[test]
fn the_command_line_lists_counts_and_settles_a_conflict() {
    use common::run;
    let mut p = pair();
    let visit = a_visit(&p);
    p.city
        .write(|w| {
            w.put_visit(Visit {
                children_reached: 41,
                ..visit.clone()
            })
        })
        .expect("city");
    p.county
        .write(|w| {
            w.put_visit(Visit {
                children_reached: 42,
                ..visit.clone()
            })
        })
        .expect("county");
    meet(&mut p);
    let dir = p._dirs.1.path().to_path_buf();
    let doctor = run(&dir, &["doctor"]);
    assert!(doctor.ok().contains("有 1 处冲突待处理"), "{}", doctor.ok());
    let list = run(&dir, &["conflict", "list"]);
    for part in ["children_reached", "「41」", "「42」", "活动"] {
        assert!(list.ok().contains(part), "{part} in {}", list.ok());
    }
    let en = run(&dir, &["--lang", "en", "conflict", "list"]);
    assert!(en.ok().contains("\u{201c}41\u{201d}"), "{}", en.ok());
    let json = run(&dir, &["conflict", "list", "--format", "json"]).json();
    let set_aside = json[0]["set_aside"][0]
        .as_str()
        .expect("a value")
        .to_string();
    let short = visit.id.short().to_string();
    let wrong = run(&dir, &["conflict", "pick", &short, "children_reached", "3"]);
    assert!(wrong.fails().contains("选择 1 到 2"), "{}", wrong.fails());
    run(&dir, &["conflict", "pick", &short, "children_reached", "2"]).ok();
    assert!(
        run(&dir, &["conflict", "list"])
            .ok()
            .contains("没有待处理的冲突")
    );
    let visits = run(&dir, &["visit", "list", "--format", "json"]).json();
    let row = visits
        .as_array()
        .expect("a list")
        .iter()
        .find(|v| v["id"] == visit.id.as_str())
        .expect("the visit");
    assert_eq!(row["children_reached"].to_string(), set_aside);
}

/// Two devices that set a field alike while apart agree: nothing to pick.
#[test]
fn the_same_value_set_on_two_devices_is_no_conflict() {
    let mut p = pair();
    let visit = a_visit(&p);
    let moved = Visit {
        date: visit.date - chrono::Days::new(1),
        ..visit.clone()
    };
    p.city
        .write(|w| w.put_visit(moved.clone()))
        .expect("the city moves it a day");
    p.county
        .write(|w| w.put_visit(moved.clone()))
        .expect("the county moves it the same day");
    meet(&mut p);
    for ws in [&p.city, &p.county] {
        assert_eq!(ws.model().visit(&visit.id), Some(&moved));
        assert!(ws.conflicts().is_empty(), "{:?}", ws.conflicts());
    }
}

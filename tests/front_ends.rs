//! One way in for every record: the same values typed on the command line,
//! in the interface's form and (for kindergartens) in a spreadsheet row
//! give the same record, with the same defaults for what was left out, and
//! the same sentence for the same bad value.

mod common;

use bangfu::app::{App, Screen};
use bangfu::domain::*;
use bangfu::i18n::Lang;
use bangfu::store::Workspace;
use common::ui::*;
use common::{TODAY, run};
use std::path::Path;

/// A copy of a workspace directory (closed), so each front end starts
/// from the same records and ids.
fn copy_of(base: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for e in std::fs::read_dir(base).expect("read dir").flatten() {
        let from = e.path();
        if from.is_file() {
            std::fs::copy(&from, dir.path().join(e.file_name())).expect("copy");
        }
    }
    dir
}

fn model(dir: &Path) -> Model {
    Workspace::open(dir, options())
        .expect("open")
        .model()
        .clone()
}

/// The one record of a kind that `dir` has and `base` has not.
fn added<T: Clone>(
    base: &Model,
    dir: &Path,
    all: impl Fn(&Model) -> Vec<T>,
    id: impl Fn(&T) -> Id,
) -> T {
    let before: Vec<Id> = all(base).iter().map(&id).collect();
    let now = all(&model(dir));
    let new: Vec<&T> = now.iter().filter(|r| !before.contains(&id(r))).collect();
    assert_eq!(new.len(), 1, "one record added");
    new[0].clone()
}

/// Opens the new-record form of a screen (its digit).
fn new_form(dir: &Path, screen: char) -> App {
    let mut a = app(dir, Lang::Zh, 120, 40);
    ch(&mut a, screen);
    ch(&mut a, 'a');
    a
}

/// Saves the form and asserts it was saved.
fn save(mut a: App) {
    ctrl(&mut a, 's');
    assert!(!a.has_dialog(), "saved:\n{}", text(&a));
}

/// Saves the form and returns the error shown next to `field`.
fn refused(mut a: App, field: &str) -> String {
    ctrl(&mut a, 's');
    assert!(a.has_dialog(), "refused:\n{}", text(&a));
    form_field(&a, field)
        .error
        .clone()
        .unwrap_or_else(|| panic!("an error by {field}:\n{}", text(&a)))
}

/// The same bad value typed on the command line (`args`) and into one
/// field of the new form of `screen` is refused with the sentence `says`:
/// the command line's one error line, and the form's error by the field.
fn same_sentence(
    dirs: (&Path, &Path),
    args: &[&str],
    screen: char,
    (field, bad): (&str, &str),
    says: &str,
) {
    let err = run(dirs.0, args).fails().trim().to_string();
    let err = err
        .split_once('：')
        .map_or(err.clone(), |(_, m)| m.to_string());
    assert_eq!(err, says);
    let mut a = new_form(dirs.1, screen);
    fill(&mut a, field, bad);
    assert_eq!(refused(a, field), says);
}

#[test]
fn a_kindergarten_is_the_same_from_the_command_line_the_form_and_a_spreadsheet() {
    let base = demo_dir();
    let m = model(base.path());
    let panshan = m.district_by_name("盘山县").expect("盘山县").id.to_string();
    let kindergartens = |m: &Model| m.kindergartens().cloned().collect::<Vec<_>>();
    let id = |k: &Kindergarten| k.id.clone();

    let cli = copy_of(base.path());
    run(
        cli.path(),
        &[
            "kindergarten",
            "add",
            "--name",
            "新开村幼儿园",
            "--district",
            "盘山县",
            "--town",
            "新开镇",
            "--ownership",
            "private",
            "--category",
            "urban_quality",
            "--children",
            "25",
        ],
    )
    .ok();
    let by_cli = added(&m, cli.path(), kindergartens, id);

    let ui = copy_of(base.path());
    let mut a = new_form(ui.path(), '2');
    fill(&mut a, "name", "新开村幼儿园");
    choose(&mut a, "district", &panshan);
    fill(&mut a, "town", "新开镇");
    choose(&mut a, "ownership", "private");
    choose(&mut a, "category", "urban_quality");
    fill(&mut a, "children", "25");
    save(a);
    let by_form = added(&m, ui.path(), kindergartens, id);

    let sheet = copy_of(base.path());
    let csv = sheet.path().join("附表.csv");
    std::fs::write(
        &csv,
        "园名,县区,乡镇,性质,类别,幼儿数\n新开村幼儿园,盘山县,新开镇,民办,城区优质园,25\n",
    )
    .expect("csv");
    run(
        sheet.path(),
        &["kindergarten", "import", &csv.to_string_lossy()],
    )
    .ok();
    let by_sheet = added(&m, sheet.path(), kindergartens, id);

    let same = |k: &Kindergarten| Kindergarten {
        id: by_cli.id.clone(),
        ..k.clone()
    };
    assert_eq!(same(&by_form), by_cli);
    assert_eq!(same(&by_sheet), by_cli);
    assert!(
        !by_cli.rural,
        "an urban kindergarten is not rural unless told"
    );
    assert_eq!((by_cli.teachers, by_cli.stars), (0, None));

    // The same bad count, the same sentence (the form's name is filled,
    // so the count is the only problem).
    let says = bangfu::input::int(Lang::Zh, "children", "许多").expect_err("not a number");
    let args = [
        "kindergarten",
        "add",
        "--name",
        "坏园",
        "--district",
        "盘山县",
        "--ownership",
        "public",
        "--category",
        "village",
        "--children",
        "许多",
    ];
    let err = run(cli.path(), &args).fails().to_string();
    assert!(err.contains(&says), "{err}");
    let mut a = new_form(ui.path(), '2');
    fill(&mut a, "name", "坏园");
    fill(&mut a, "children", "许多");
    assert_eq!(refused(a, "children"), says);
    std::fs::write(
        &csv,
        "园名,县区,性质,类别,幼儿数\n坏园,盘山县,公办,村屯园,许多\n",
    )
    .expect("csv");
    let r = run(
        sheet.path(),
        &["kindergarten", "import", &csv.to_string_lossy()],
    );
    assert!(
        r.stderr.contains(&says) || r.stdout.contains(&says),
        "{r:?}"
    );
}

/// A helper and a helped kindergarten in two districts, neither paired yet.
fn two_unpaired(m: &Model) -> (Id, Id) {
    let paired: Vec<&Id> = m.pairings().flat_map(|p| p.members()).collect();
    let free: Vec<&Kindergarten> = m
        .kindergartens()
        .filter(|k| !paired.contains(&&k.id))
        .collect();
    let helper = free
        .iter()
        .find(|k| !k.rural)
        .or(free.first())
        .expect("a free kindergarten");
    let helped = free
        .iter()
        .find(|k| k.district_id != helper.district_id)
        .expect("one in another district");
    (helper.id.clone(), helped.id.clone())
}

#[test]
fn a_pairing_is_the_same_from_the_command_line_and_the_form() {
    let base = demo_dir();
    let m = model(base.path());
    let (helper, helped) = two_unpaired(&m);
    let pairings = |m: &Model| m.pairings().cloned().collect::<Vec<_>>();
    let id = |p: &Pairing| p.id.clone();

    let cli = copy_of(base.path());
    run(
        cli.path(),
        &[
            "pairing",
            "add",
            "--helper",
            helper.as_str(),
            "--helped",
            helped.as_str(),
            "--mode",
            "cross_region",
            "--start",
            "2026-09-01",
            "--end",
            "2028-08-31",
            "--task",
            "teachers",
            "--goals",
            "两年达到合格园",
        ],
    )
    .ok();
    let by_cli = added(&m, cli.path(), pairings, id);

    let ui = copy_of(base.path());
    let mut a = new_form(ui.path(), '3');
    choose(&mut a, "helpers", helper.as_str());
    choose(&mut a, "helped", helped.as_str());
    choose(&mut a, "mode", "cross_region");
    fill(&mut a, "start", "2026-09-01");
    fill(&mut a, "end", "2028-08-31");
    choose(&mut a, "tasks", "teachers");
    fill(&mut a, "goals", "两年达到合格园");
    save(a);
    let by_form = added(&m, ui.path(), pairings, id);

    assert_eq!(
        Pairing {
            id: by_cli.id.clone(),
            ..by_form
        },
        by_cli
    );
    assert_eq!(
        by_cli.cohort, 2026,
        "the cohort is the start's year unless told"
    );
    assert_eq!(by_cli.agreement.fees, 0);

    let says = bangfu::input::date(Lang::Zh, "end", "明年").expect_err("not a date");
    same_sentence(
        (cli.path(), ui.path()),
        &[
            "pairing",
            "add",
            "--helper",
            helper.as_str(),
            "--helped",
            helped.as_str(),
            "--mode",
            "cross_region",
            "--end",
            "明年",
        ],
        '3',
        ("end", "明年"),
        &says,
    );
}

/// A pairing whose agreement covers `day`.
fn pairing_on(m: &Model, day: chrono::NaiveDate) -> Pairing {
    m.pairings()
        .find(|p| p.agreement.start <= day && day <= p.agreement.end)
        .cloned()
        .expect("a pairing in force")
}

fn day_before_today() -> chrono::NaiveDate {
    let today = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").expect("today");
    today.pred_opt().expect("a day before")
}

#[test]
fn a_visit_is_the_same_from_the_command_line_and_the_form() {
    let base = demo_dir();
    let m = model(base.path());
    let day = day_before_today();
    let p = pairing_on(&m, day);
    let visits = |m: &Model| m.visits().cloned().collect::<Vec<_>>();
    let id = |v: &Visit| v.id.clone();
    let date = day.to_string();

    let cli = copy_of(base.path());
    run(
        cli.path(),
        &[
            "visit",
            "add",
            "--pairing",
            p.id.as_str(),
            "--form",
            "online",
            "--date",
            &date,
            "--teachers-reached",
            "3",
            "--participant",
            "王丽:园长",
            "--note",
            "线上教研",
        ],
    )
    .ok();
    let by_cli = added(&m, cli.path(), visits, id);

    let ui = copy_of(base.path());
    let mut a = new_form(ui.path(), '4');
    choose(&mut a, "pairing", p.id.as_str());
    choose(&mut a, "form", "online");
    fill(&mut a, "date", &date);
    fill(&mut a, "teachers_reached", "3");
    fill(&mut a, "participants", "王丽:园长");
    fill(&mut a, "note", "线上教研");
    save(a);
    let by_form = added(&m, ui.path(), visits, id);

    assert_eq!(
        Visit {
            id: by_cli.id.clone(),
            ..by_form
        },
        by_cli
    );
    assert_eq!(
        by_cli.place_id.as_ref(),
        p.helped.first(),
        "the place is the helped side unless told"
    );
    assert_eq!(by_cli.materials, Materials::default());

    let says = bangfu::input::int(Lang::Zh, "teachers_reached", "三").expect_err("not a number");
    same_sentence(
        (cli.path(), ui.path()),
        &[
            "visit",
            "add",
            "--pairing",
            p.id.as_str(),
            "--form",
            "online",
            "--teachers-reached",
            "三",
        ],
        '4',
        ("teachers_reached", "三"),
        &says,
    );
}

#[test]
fn an_inspection_is_the_same_from_the_command_line_and_the_form() {
    let base = demo_dir();
    let m = model(base.path());
    let day = day_before_today();
    let p = pairing_on(&m, day);
    let inspections = |m: &Model| m.inspections().cloned().collect::<Vec<_>>();
    let id = |i: &Inspection| i.id.clone();
    let date = day.to_string();

    let cli = copy_of(base.path());
    run(
        cli.path(),
        &[
            "inspection",
            "add",
            "--pairing",
            p.id.as_str(),
            "--date",
            &date,
            "--scores",
            "4,3,5,4",
            "--findings",
            "图画书偏少",
        ],
    )
    .ok();
    let by_cli = added(&m, cli.path(), inspections, id);

    let ui = copy_of(base.path());
    let mut a = new_form(ui.path(), '5');
    choose(&mut a, "pairing", p.id.as_str());
    fill(&mut a, "date", &date);
    for (area, score) in [
        ("philosophy", "4"),
        ("care_education", "3"),
        ("environment", "5"),
        ("management", "4"),
    ] {
        choose(&mut a, area, score);
    }
    fill(&mut a, "findings", "图画书偏少");
    save(a);
    let by_form = added(&m, ui.path(), inspections, id);

    assert_eq!(
        Inspection {
            id: by_cli.id.clone(),
            ..by_form
        },
        by_cli
    );
    assert_eq!(
        by_cli.inspector, "测试员",
        "the inspector is the person unless told"
    );

    let says = bangfu::input::date(Lang::Zh, "date", "昨日").expect_err("not a date");
    same_sentence(
        (cli.path(), ui.path()),
        &[
            "inspection",
            "add",
            "--pairing",
            p.id.as_str(),
            "--scores",
            "4,3,5,4",
            "--date",
            "昨日",
        ],
        '5',
        ("date", "昨日"),
        &says,
    );
}

#[test]
fn a_years_targets_are_the_same_from_the_command_line_and_the_dashboard() {
    let base = demo_dir();
    let m = model(base.path());
    let year = m.programme.end_year;
    let panshan = m.district_by_name("盘山县").expect("盘山县").id.clone();
    let y = year.to_string();

    let cli = copy_of(base.path());
    run(
        cli.path(),
        &[
            "plan",
            "set",
            "--year",
            &y,
            "--district",
            "盘山县",
            "--helpers",
            "7",
            "--helped",
            "9",
            "--share",
            "40",
        ],
    )
    .ok();

    let ui = copy_of(base.path());
    let mut a = app(ui.path(), Lang::Zh, 120, 40);
    a.set_year(year);
    ch(&mut a, 'e');
    assert_eq!(a.form().expect("form").text("year"), y, "the year shown");
    choose(&mut a, "district", "盘山县");
    fill(&mut a, "target_helpers", "7");
    fill(&mut a, "target_helped", "9");
    fill(&mut a, "target_share_percent", "40");
    save(a);

    let (by_cli, by_form) = (model(cli.path()), model(ui.path()));
    let key = (year, panshan);
    assert_eq!(by_cli.targets.get(&key), by_form.targets.get(&key));
    assert_eq!(by_cli.years.get(&year), by_form.years.get(&year));
    assert_eq!(
        by_cli.targets.get(&key).map(|t| (t.helpers, t.helped)),
        Some((7, 9))
    );
    assert_eq!(
        by_form.years.get(&year).and_then(|p| p.stated_total),
        m.years.get(&year).and_then(|p| p.stated_total),
        "the stated total is kept when not given"
    );

    // The form shows a district's stored target once it is chosen.
    let mut a = app(ui.path(), Lang::Zh, 120, 40);
    a.set_year(year);
    ch(&mut a, 'e');
    choose(&mut a, "district", "盘山县");
    assert_eq!(a.form().expect("form").text("target_helpers"), "7");

    // The same bad count, the same sentence; a district without counts
    // is refused by both, under the missing count.
    let says = bangfu::input::int(Lang::Zh, "target_helpers", "七").expect_err("not a number");
    let err = run(
        cli.path(),
        &[
            "plan",
            "set",
            "--year",
            &y,
            "--district",
            "盘山县",
            "--helpers",
            "七",
            "--helped",
            "1",
        ],
    )
    .fails()
    .to_string();
    assert!(err.contains(&says), "{err}");
    fill(&mut a, "target_helpers", "七");
    assert_eq!(refused(a, "target_helpers"), says);
    let err = run(
        cli.path(),
        &["plan", "set", "--year", &y, "--district", "盘山县"],
    )
    .fails()
    .to_string();
    assert!(
        err.contains("--helpers") && err.contains("--helped"),
        "{err}"
    );
}

#[test]
fn an_invite_is_the_same_from_the_command_line_and_the_sync_screen() {
    let base = demo_dir();
    let m = model(base.path());
    let k = m
        .kindergartens()
        .find(|k| k.name.contains("村"))
        .expect("a village kindergarten")
        .clone();

    let cli = copy_of(base.path());
    let out = run(
        cli.path(),
        &[
            "invite",
            "--kindergarten",
            &k.name,
            "--name",
            "村园长",
            "--expires",
            "48h",
        ],
    )
    .ok()
    .to_string();
    let by_cli = bangfu::sync::ticket::Invite::verify(out.trim()).expect("a ticket");

    let ui = copy_of(base.path());
    let mut a = new_form(ui.path(), '7');
    choose(&mut a, "kindergarten", &k.name);
    fill(&mut a, "member_name_new", "村园长");
    fill(&mut a, "expires", "48h");
    ctrl(&mut a, 's');
    let Some(bangfu::app::Dialog::Ticket { ticket, .. }) = a.dialog() else {
        panic!("no ticket: {}", text(&a));
    };
    let by_form = bangfu::sync::ticket::Invite::verify(ticket).expect("a ticket");

    assert_eq!(
        by_cli.role,
        MemberRole::Kindergarten,
        "the same default role"
    );
    assert_eq!(
        (
            &by_cli.role,
            &by_cli.kindergarten,
            &by_cli.districts,
            &by_cli.name
        ),
        (
            &by_form.role,
            &by_form.kindergarten,
            &by_form.districts,
            &by_form.name
        )
    );
    assert!(
        (by_cli.expires - by_form.expires).abs() < 600,
        "both 48 hours: {} {}",
        by_cli.expires,
        by_form.expires
    );

    let says = bangfu::i18n::text(Lang::Zh, "invite.bad_expiry").replace("%{value}", "两天");
    let err = run(
        cli.path(),
        &["invite", "--kindergarten", &k.name, "--expires", "两天"],
    )
    .fails()
    .to_string();
    assert!(err.contains(&says), "{err}");
    let mut a = new_form(ui.path(), '7');
    fill(&mut a, "expires", "两天");
    assert_eq!(refused(a, "expires"), says);
}

#[test]
fn a_reports_sections_are_the_same_from_the_command_line_and_the_form() {
    use bangfu::domain::reports::{self, ReportKey};
    let base = demo_dir();
    let m = model(base.path());
    let year = m.programme.end_year;
    let key = ReportKey::Annual {
        level: Level::City,
        subject: None,
        year,
    };
    let y = year.to_string();
    let written = |dir: &Path| {
        let m = model(dir);
        let r = reports::annual(&m, &key.id()).cloned().expect("stored");
        (r.progress, r.results, r.problems, r.plan)
    };

    let cli = copy_of(base.path());
    run(
        cli.path(),
        &[
            "report",
            "edit",
            "--level",
            "city",
            "--year",
            &y,
            "--progress",
            "全年送教下乡。",
            "--plan",
            "明年扩大结对。",
        ],
    )
    .ok();

    let ui = copy_of(base.path());
    let mut a = app(ui.path(), Lang::Zh, 120, 40);
    ch(&mut a, '6');
    ch(&mut a, 'e');
    fill(&mut a, "progress", "全年送教下乡。");
    fill(&mut a, "plan", "明年扩大结对。");
    save(a);

    assert_eq!(written(cli.path()), written(ui.path()));
    assert_eq!(written(cli.path()).0, "全年送教下乡。");

    // A section this kind of report has not: refused, nothing written.
    let says =
        bangfu::i18n::text(Lang::Zh, "report.no_such_section").replace("%{section}", "cases");
    let err = run(
        cli.path(),
        &[
            "report",
            "edit",
            "--level",
            "city",
            "--year",
            &y,
            "--cases",
            "某园事例",
        ],
    )
    .fails()
    .to_string();
    assert!(err.contains(&says), "{err}");
}

#[test]
fn every_list_is_in_one_order_on_the_command_line_in_the_interface_and_in_exports() {
    let dir = demo_dir();
    let mut a = app(dir.path(), Lang::Zh, 120, 40);
    let ids = |what: &str| -> Vec<String> {
        let listed = run(dir.path(), &[what, "list", "--format", "json"]).json();
        listed
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|r| r["id"].as_str().map(str::to_string))
            .collect()
    };
    let rows = |l: &bangfu::app::ListState| -> Vec<String> {
        l.rows.iter().map(|id| id.to_string()).collect()
    };
    for (what, screen) in [
        ("kindergarten", Screen::Kindergartens),
        ("pairing", Screen::Pairings),
        ("visit", Screen::Visits),
        ("inspection", Screen::Inspections),
    ] {
        let list = a.list(screen).expect("list");
        let cli = ids(what);
        assert!(cli.len() > 3, "{what}: the demo has some");
        assert_eq!(
            cli,
            rows(list),
            "{what}: the command line and the interface"
        );
    }
    // The export's last column is the id, in the same order.
    let csv = run(
        dir.path(),
        &["export", "--format", "csv", "--what", "visits", "-"],
    )
    .ok()
    .to_string();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let exported: Vec<String> = reader
        .records()
        .filter_map(|r| r.ok())
        .filter_map(|r| r.iter().next_back().map(str::to_string))
        .filter(|id| id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()))
        .collect();
    assert_eq!(
        exported,
        rows(a.list(Screen::Visits).expect("list")),
        "the export and the interface"
    );
}

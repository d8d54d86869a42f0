//! The command line end to end, as a user runs it: every subcommand, and
//! bad input refused with one clear line, exit code 1 and nothing written.

mod common;
#[path = "cli/lists.rs"]
mod lists;
use common::*;
use std::path::Path;

/// A Panjin workspace with a town central kindergarten and a village one.
fn panjin() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &["init", "--plan", "panjin"])
        .ok()
        .to_string();
    assert!(out.contains("盘锦市农村幼儿园帮扶工作"), "{out}");
    add_kg(
        dir.path(),
        &[
            "--name",
            "东风镇中心幼儿园",
            "--district",
            "盘山县",
            "--town",
            "东风镇",
            "--ownership",
            "公办",
            "--category",
            "镇中心园",
            "--stars",
            "5",
            "--children",
            "210",
            "--teachers",
            "18",
        ],
    );
    add_kg(
        dir.path(),
        &[
            "--name",
            "红旗村幼儿园",
            "--district",
            "盘山县",
            "--town",
            "东风镇",
            "--village",
            "红旗村",
            "--ownership",
            "private",
            "--category",
            "village",
            "--children",
            "35",
            "--teachers",
            "3",
        ],
    );
    dir
}

fn add_kg(dir: &Path, args: &[&str]) {
    let mut a = vec!["kindergarten", "add"];
    a.extend_from_slice(args);
    run(dir, &a).ok();
}

fn export(dir: &Path) -> String {
    run(dir, &["export", "-"]).ok().to_string()
}

/// Adds a filed two-year pairing and returns its id.
fn filed_pairing(dir: &Path) -> String {
    run(
        dir,
        &[
            "pairing",
            "add",
            "--helper",
            "东风镇中心幼儿园",
            "--helped",
            "红旗村幼儿园",
            "--mode",
            "town",
            "--start",
            "2024-09-25",
            "--end",
            "2026-09-24",
            "--form",
            "送教下乡,入园指导",
            "--task",
            "management",
            "--task",
            "teachers",
        ],
    )
    .ok();
    let id = first_id(&run(dir, &["pairing", "list", "--format", "json"]).json());
    run(
        dir,
        &[
            "pairing",
            "sign",
            &id[..8],
            "--by",
            "李园长",
            "--date",
            "2024-09-25",
        ],
    )
    .ok();
    run(
        dir,
        &["pairing", "confirm", &id[..8], "--district", "盘山县"],
    )
    .ok();
    run(dir, &["pairing", "file", &id[..8]]).ok();
    id
}

#[test]
fn with_no_workspace_every_command_says_how_to_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &[]).ok().to_string();
    assert!(out.contains("bangfu demo"), "{out}");
    let err = run(dir.path(), &["visit", "list"]).fails().to_string();
    assert!(err.contains("bangfu init --plan panjin"), "{err}");
    assert_eq!(
        std::fs::read_dir(dir.path())
            .map(|d| d.count())
            .unwrap_or(0),
        0,
        "nothing created"
    );
}

#[test]
fn init_makes_the_panjin_plan_once() {
    let dir = panjin();
    let err = run(dir.path(), &["init", "--plan", "panjin"])
        .fails()
        .to_string();
    assert!(err.contains("已有工作区"), "{err}");
    let err = run(dir.path(), &["--lang", "en", "init", "--plan", "shenyang"])
        .fails()
        .to_string();
    assert!(err.contains("no built-in plan named shenyang"), "{err}");
    let districts = run(dir.path(), &["district", "list", "--format", "json"]).json();
    let names: Vec<&str> = districts
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    for n in ["盘山县", "双台子区", "大洼区", "兴隆台区"] {
        assert!(names.contains(&n), "{names:?}");
    }
}

#[test]
fn init_makes_an_empty_programme_with_its_districts() {
    let dir = tempfile::tempdir().expect("tempdir");
    run(
        dir.path(),
        &[
            "init",
            "--programme",
            "某市帮扶",
            "--district",
            "甲县",
            "--district",
            "乙区",
            "--years",
            "2025-2027",
        ],
    )
    .ok();
    let plan = run(dir.path(), &["plan", "show", "--format", "json"]).json();
    assert_eq!(plan.as_array().map(|a| a.len()), Some(3), "three years");
    assert_eq!(plan[0]["year"], 2025);
    let dir2 = tempfile::tempdir().expect("tempdir");
    let err = run(
        dir2.path(),
        &[
            "init",
            "--programme",
            "x",
            "--district",
            "甲县",
            "--district",
            "甲县",
            "--years",
            "2025-2027",
        ],
    )
    .fails()
    .to_string();
    assert!(err.contains("甲县"), "{err}");
    let err = run(
        dir2.path(),
        &[
            "init",
            "--programme",
            "x",
            "--district",
            "甲县",
            "--years",
            "2025",
        ],
    )
    .fails()
    .to_string();
    assert!(err.contains("2024-2026"), "{err}");
    assert!(!dir2.path().join("workspace.db").exists());
}

#[test]
fn districts_can_be_added_and_listed() {
    let dir = panjin();
    run(dir.path(), &["district", "add", "辽东湾新区"]).ok();
    let list = run(dir.path(), &["district", "list"]).ok().to_string();
    assert!(
        list.contains("辽东湾新区") && list.contains("东风镇"),
        "{list}"
    );
    run(dir.path(), &["district", "add", "辽东湾新区"]).fails();
    run(
        dir.path(),
        &[
            "kindergarten",
            "add",
            "--name",
            "新区幼儿园",
            "--district",
            "辽东湾新区",
            "--ownership",
            "public",
            "--category",
            "urban_quality",
        ],
    )
    .ok();
}

#[test]
fn plan_show_tells_the_2024_mismatch_and_plan_set_changes_targets() {
    let dir = panjin();
    let out = run(dir.path(), &["plan", "show", "--year", "2024"])
        .ok()
        .to_string();
    assert!(
        out.contains("21") && out.contains("22") && out.contains("不一致"),
        "{out}"
    );
    let en = run(
        dir.path(),
        &["--lang", "en", "plan", "show", "--year", "2024"],
    )
    .ok()
    .to_string();
    assert!(
        en.contains("add up to 21, not the city's stated 22"),
        "{en}"
    );
    let json = run(
        dir.path(),
        &["plan", "show", "--year", "2024", "--format", "json"],
    )
    .json();
    assert_eq!(json[0]["mismatch"]["sum"], 21);
    assert_eq!(json[0]["mismatch"]["stated"], 22);

    run(
        dir.path(),
        &[
            "plan",
            "set",
            "--year",
            "2024",
            "--district",
            "双台子区",
            "--helpers",
            "2",
            "--helped",
            "1",
        ],
    )
    .ok();
    let json = run(
        dir.path(),
        &["plan", "show", "--year", "2024", "--format", "json"],
    )
    .json();
    assert!(json[0]["mismatch"].is_null(), "now 22 = 22: {json}");
    run(
        dir.path(),
        &[
            "plan",
            "set",
            "--year",
            "2025",
            "--stated-total",
            "21",
            "--share",
            "36",
        ],
    )
    .ok();
    let json = run(
        dir.path(),
        &["plan", "show", "--year", "2025", "--format", "json"],
    )
    .json();
    assert_eq!(json[0]["stated_total"], 21);
    assert_eq!(json[0]["target_share_percent"], 36);

    let before = export(dir.path());
    let err = run(
        dir.path(),
        &[
            "plan",
            "set",
            "--year",
            "2024",
            "--district",
            "盘山县",
            "--helpers",
            "-1",
            "--helped",
            "3",
        ],
    )
    .fails()
    .to_string();
    assert!(err.contains("不能为负数"), "{err}");
    run(
        dir.path(),
        &["plan", "set", "--year", "2030", "--share", "10"],
    )
    .fails();
    run(
        dir.path(),
        &["plan", "set", "--year", "2025", "--share", "120"],
    )
    .fails();
    assert_eq!(export(dir.path()), before);
    let csv = run(dir.path(), &["plan", "show", "--format", "csv"])
        .ok()
        .to_string();
    assert!(csv.lines().count() >= 13, "three years of rows: {csv}");
}

#[test]
fn kindergartens_are_added_listed_shown_and_edited() {
    let dir = panjin();
    let list = run(dir.path(), &["kindergarten", "list", "--format", "json"]).json();
    assert_eq!(list.as_array().map(|a| a.len()), Some(2));
    let village = list
        .as_array()
        .expect("list")
        .iter()
        .find(|k| k["name"] == "红旗村幼儿园")
        .expect("村园")
        .clone();
    assert_eq!(village["district"], "盘山县");
    assert_eq!(village["ownership"], "private");
    assert_eq!(village["category"], "village");
    assert_eq!(village["rural"], true);
    let id = village["id"].as_str().expect("id");

    run(
        dir.path(),
        &[
            "kindergarten",
            "edit",
            &id[..6],
            "--children",
            "40",
            "--phone",
            "0427-5550000",
        ],
    )
    .ok();
    let shown = run(
        dir.path(),
        &["kindergarten", "show", "红旗村幼儿园", "--format", "json"],
    )
    .json();
    assert_eq!(shown["children"], 40);
    assert_eq!(shown["phone"], "0427-5550000");
    let table = run(dir.path(), &["kindergarten", "show", &id[..6]])
        .ok()
        .to_string();
    assert!(table.contains("幼儿数") && table.contains("40"), "{table}");
    let csv = run(
        dir.path(),
        &[
            "kindergarten",
            "list",
            "--format",
            "csv",
            "--district",
            "盘山县",
        ],
    )
    .ok()
    .to_string();
    assert!(csv.starts_with("编号,名称,县区"), "{csv}");
    let rural = run(
        dir.path(),
        &["kg", "list", "--rural", "no", "--format", "json"],
    )
    .json();
    assert_eq!(rural.as_array().map(|a| a.len()), Some(0));

    let before = export(dir.path());
    for (args, says) in [
        (vec!["--children", "-3"], "不能为负数"),
        (vec!["--stars", "7"], "1 到 5"),
        (vec!["--ownership", "国营"], "可选"),
        (vec!["--district", "铁岭县"], "找不到县区"),
        (vec!["--name", "东风镇中心幼儿园"], "已有名为"),
        (vec!["--district", "大洼区"], "不能更改"),
        (vec!["--children", "许多"], "不是整数"),
    ] {
        let mut a = vec!["kindergarten", "edit", &id[..6]];
        a.extend(args.iter());
        let err = run(dir.path(), &a).fails().to_string();
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
    // A missing required option is a usage error, as for every record.
    let r = run(
        dir.path(),
        &[
            "kindergarten",
            "add",
            "--name",
            "缺类别园",
            "--district",
            "盘山县",
            "--ownership",
            "public",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--category"), "{}", r.stderr);
    assert_eq!(export(dir.path()), before, "nothing written by bad input");
}

#[test]
fn a_kindergarten_list_imports_from_csv_with_chinese_headers() {
    let dir = panjin();
    let file = dir.path().join("附表.csv");
    std::fs::write(
        &file,
        "\u{feff}园名,县区,乡镇,村,性质,类别,星级,幼儿数,教师数,联系人,联系电话\n\
        胜利村幼儿园,大洼区,新兴镇,胜利村,民办,村屯园,,28,3,张园长,0427-5550101\n\
        新兴镇中心幼儿园,大洼区,新兴镇,,公办,镇中心园,4,180,15,王园长,0427-5550102\n",
    )
    .expect("write");
    let dry = run(
        dir.path(),
        &[
            "kindergarten",
            "import",
            file.to_str().expect("path"),
            "--dry-run",
        ],
    )
    .ok()
    .to_string();
    assert!(
        dry.contains("胜利村幼儿园") && dry.contains("试运行"),
        "{dry}"
    );
    assert_eq!(
        run(dir.path(), &["kg", "list", "--format", "json"])
            .json()
            .as_array()
            .map(|a| a.len()),
        Some(2)
    );
    let out = run(
        dir.path(),
        &["kindergarten", "import", file.to_str().expect("path")],
    )
    .ok()
    .to_string();
    assert!(out.contains("已导入 2 所"), "{out}");
    let ks = run(
        dir.path(),
        &["kg", "list", "--district", "大洼区", "--format", "json"],
    )
    .json();
    let central = ks
        .as_array()
        .expect("list")
        .iter()
        .find(|k| k["name"] == "新兴镇中心幼儿园")
        .expect("imported");
    assert_eq!(central["stars"], 4);
    assert_eq!(central["category"], "town_central");

    // One bad row: nothing is imported, and the row is named.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "name,district,town,ownership,category,children\n\
        好园,大洼区,甲镇,public,town,30\n\
        坏园,大洼区,乙镇,public,town,-5\n\
        另一园,大洼区,丙镇,公私合营,town,30\n",
    )
    .expect("write");
    let before = export(dir.path());
    let err = run(
        dir.path(),
        &["kindergarten", "import", bad.to_str().expect("path")],
    )
    .fails()
    .to_string();
    assert!(err.contains("第 3 行") && err.contains("第 4 行"), "{err}");
    assert!(err.contains("未导入任何记录"), "{err}");
    assert!(
        !err.contains("第 2 行"),
        "the good row is not blamed: {err}"
    );
    assert_eq!(export(dir.path()), before);
}

#[test]
fn a_pairing_goes_from_draft_to_signed_to_confirmed_to_filed_and_is_locked() {
    let dir = panjin();
    let id = filed_pairing(dir.path());
    let p = run(
        dir.path(),
        &["pairing", "show", &id[..8], "--format", "json"],
    )
    .json();
    assert_eq!(p["status"], "filed");
    assert_eq!(p["mode"], "town");
    assert_eq!(p["helper_names"][0], "东风镇中心幼儿园");
    assert_eq!(p["helped_names"][0], "红旗村幼儿园");
    assert_eq!(
        p["forms"],
        serde_json::json!(["send_teachers", "on_site_guidance"])
    );
    assert_eq!(p["signed"]["by"], "李园长");
    assert_eq!(p["confirmations"][0]["district"], "盘山县");
    assert_eq!(p["cohort"], 2024);
    let table = run(
        dir.path(),
        &["pairing", "list", "--year", "2024", "--status", "filed"],
    )
    .ok()
    .to_string();
    assert!(
        table.contains("已备案") && table.contains("镇内帮扶"),
        "{table}"
    );
    let before = export(dir.path());
    let err = run(
        dir.path(),
        &["pairing", "edit", &id[..8], "--end", "2027-01-01"],
    )
    .fails()
    .to_string();
    assert!(err.contains("已审核备案"), "{err}");
    run(dir.path(), &["pairing", "sign", &id[..8]]).fails();
    assert_eq!(export(dir.path()), before);
}

#[test]
fn a_signed_agreement_edited_goes_back_to_draft() {
    let dir = panjin();
    run(
        dir.path(),
        &[
            "pairing",
            "add",
            "--helper",
            "东风镇中心幼儿园",
            "--helped",
            "红旗村幼儿园",
            "--mode",
            "town",
            "--start",
            "2024-09-25",
            "--end",
            "2026-09-24",
        ],
    )
    .ok();
    let id = first_id(&run(dir.path(), &["pairing", "list", "--format", "json"]).json());
    let err = run(dir.path(), &["pairing", "file", &id[..8]])
        .fails()
        .to_string();
    assert!(err.contains("尚未签订"), "{err}");
    run(dir.path(), &["pairing", "sign", &id[..8]]).ok();
    let err = run(dir.path(), &["pairing", "file", &id[..8]])
        .fails()
        .to_string();
    assert!(err.contains("盘山县"), "names the missing bureau: {err}");
    let err = run(
        dir.path(),
        &["pairing", "confirm", &id[..8], "--district", "大洼区"],
    )
    .fails()
    .to_string();
    assert!(err.contains("不是这个结对的主管教育局"), "{err}");
    let out = run(
        dir.path(),
        &["pairing", "edit", &id[..8], "--goals", "三年达到合格园标准"],
    )
    .ok()
    .to_string();
    assert!(out.contains("退回草拟"), "{out}");
    let p = run(
        dir.path(),
        &["pairing", "show", &id[..8], "--format", "json"],
    )
    .json();
    assert_eq!(p["status"], "draft");
    assert_eq!(p["goals"], "三年达到合格园标准");
    assert!(p["signed"].is_null());
}

#[test]
fn a_one_year_agreement_is_refused_and_nothing_changes() {
    let dir = panjin();
    let before = export(dir.path());
    let r = run(
        dir.path(),
        &[
            "pairing",
            "add",
            "--helper",
            "东风镇中心幼儿园",
            "--helped",
            "红旗村幼儿园",
            "--mode",
            "town",
            "--start",
            "2024-09-25",
            "--end",
            "2025-09-24",
        ],
    );
    let err = r.fails();
    assert!(
        err.contains("不足两年") && err.contains("2026-09-24"),
        "says what and what to do: {err}"
    );
    assert_eq!(err.lines().count(), 1);
    assert_eq!(export(dir.path()), before, "export byte-identical");
    let en = run(
        dir.path(),
        &[
            "--lang",
            "en",
            "pairing",
            "add",
            "--helper",
            "东风镇中心幼儿园",
            "--helped",
            "红旗村幼儿园",
            "--mode",
            "town",
            "--start",
            "2024-09-25",
            "--end",
            "2025-09-24",
        ],
    );
    assert!(en.fails().contains("less than two years"), "{}", en.stderr);
}

#[test]
fn pairings_that_break_the_rules_are_refused() {
    let dir = panjin();
    let before = export(dir.path());
    for (args, says) in [
        (
            vec![
                "--helper",
                "东风镇中心幼儿园",
                "--helped",
                "东风镇中心幼儿园",
                "--mode",
                "town",
            ],
            "既是帮扶园又是被帮扶园",
        ),
        (
            vec![
                "--helper",
                "红旗村幼儿园",
                "--helped",
                "东风镇中心幼儿园",
                "--mode",
                "town",
            ],
            "村（屯）民办",
        ),
        (
            vec![
                "--helper",
                "红旗村幼儿园",
                "--helped",
                "东风镇中心幼儿园",
                "--mode",
                "district",
            ],
            "四星级或五星级",
        ),
        (
            vec![
                "--helper",
                "东风镇中心幼儿园",
                "--helped",
                "红旗村幼儿园",
                "--mode",
                "cross-region",
            ],
            "不是跨区域帮扶",
        ),
        (
            vec![
                "--helper",
                "东风镇中心幼儿园",
                "--helped",
                "红旗村幼儿园",
                "--mode",
                "town",
                "--fees",
                "2000",
            ],
            "不得收取品牌费",
        ),
        (
            vec![
                "--helper",
                "ffffffff",
                "--helped",
                "红旗村幼儿园",
                "--mode",
                "town",
            ],
            "找不到编号",
        ),
        (
            vec![
                "--helper",
                "东风镇中心幼儿园",
                "--helped",
                "红旗村幼儿园",
                "--mode",
                "sideways",
            ],
            "可选",
        ),
    ] {
        let mut a = vec![
            "pairing",
            "add",
            "--start",
            "2024-09-25",
            "--end",
            "2026-12-31",
        ];
        a.extend(args.iter());
        let err = run(dir.path(), &a).fails().to_string();
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert_eq!(export(dir.path()), before);
}

#[test]
fn visits_are_logged_confirmed_listed_and_shown() {
    let dir = panjin();
    let pairing = filed_pairing(dir.path());
    let note = "今天走访红旗村幼儿园，指导区域游戏材料投放，教师们很受启发。";
    let out = run(
        dir.path(),
        &[
            "visit",
            "add",
            "--pairing",
            &pairing[..6],
            "--date",
            "2024-10-15",
            "--form",
            "送教下乡",
            "--task",
            "教师能力素质",
            "--participant",
            "王丽:教研员",
            "--participant",
            "张敏",
            "--teachers-reached",
            "8",
            "--children-reached",
            "40",
            "--picture-books",
            "30",
            "--note",
            note,
        ],
    )
    .ok()
    .to_string();
    assert!(
        out.contains("已保存") && out.contains("2024-10-15"),
        "{out}"
    );
    let online = |more: &[&str]| {
        let mut a = vec![
            "visit",
            "add",
            "--pairing",
            &pairing[..6],
            "--date",
            "2024-11-02",
            "--form",
            "online",
        ];
        a.extend(more);
        run(dir.path(), &a)
    };
    let err = online(&[]).fails().to_string();
    assert!(
        err.contains("至少选择一项帮扶任务，或填写活动记录"),
        "a visit that says nothing of what was done: {err}"
    );
    online(&["--note", "线上教研：绘本阅读"]).ok();
    let all = run(dir.path(), &["visit", "list", "--format", "json"]).json();
    assert_eq!(all.as_array().map(|a| a.len()), Some(2));
    // Newest first, as in the interface.
    assert_eq!(all[0]["date"], "2024-11-02");
    let v = &all[1];
    assert_eq!(v["pairing_id"].as_str(), Some(pairing.as_str()));
    assert_eq!(v["date"], "2024-10-15");
    assert_eq!(v["form"], "send_teachers");
    assert_eq!(v["note"], note);
    assert_eq!(v["participants"][0]["role"], "researcher");
    assert_eq!(v["participants"][1]["role"], "teacher");
    assert_eq!(v["materials"]["picture_books"], 30);
    assert_eq!(v["place"], "红旗村幼儿园");
    let id = v["id"].as_str().expect("id").to_string();

    let oct = run(
        dir.path(),
        &["visit", "list", "--month", "2024-10", "--format", "json"],
    )
    .json();
    assert_eq!(oct.as_array().map(|a| a.len()), Some(1));
    let by_district = run(
        dir.path(),
        &["visit", "list", "--district", "大洼区", "--format", "json"],
    )
    .json();
    assert_eq!(by_district.as_array().map(|a| a.len()), Some(0));
    let by_pairing = run(
        dir.path(),
        &[
            "visit",
            "list",
            "--pairing",
            &pairing[..8],
            "--format",
            "csv",
        ],
    )
    .ok()
    .to_string();
    assert_eq!(
        by_pairing.lines().count(),
        3,
        "header and two rows: {by_pairing}"
    );

    run(
        dir.path(),
        &["visit", "confirm", &id[..8], "--by", "红旗村园长"],
    )
    .ok();
    let shown = run(dir.path(), &["visit", "show", &id[..8], "--format", "json"]).json();
    assert_eq!(shown["confirmed"]["by"], "红旗村园长");
    assert_eq!(shown["confirmed"]["on"], TODAY);
    let err = run(
        dir.path(),
        &["visit", "confirm", &id[..8], "--by", "又一次"],
    )
    .fails()
    .to_string();
    assert!(err.contains("已经确认过"), "{err}");
    let table = run(dir.path(), &["--lang", "en", "visit", "show", &id[..8]])
        .ok()
        .to_string();
    assert!(
        table.contains("sending teachers to the countryside") && table.contains(note),
        "{table}"
    );
}

#[test]
fn bad_visits_are_refused_with_what_to_do() {
    let dir = panjin();
    let pairing = filed_pairing(dir.path());
    let before = export(dir.path());
    for (args, says) in [
        (vec!["--date", "2026-12-01", "--form", "online"], "晚于今天"),
        (
            vec!["--date", "2024-09-01", "--form", "online"],
            "不在协议期限",
        ),
        (
            vec!["--date", "2024-13-01", "--form", "online"],
            "YYYY-MM-DD",
        ),
        (vec!["--date", "2024-10-01", "--form", "讲座"], "可选"),
        (
            vec![
                "--date",
                "2024-10-01",
                "--form",
                "online",
                "--children-reached",
                "-4",
            ],
            "不能为负数",
        ),
        (
            vec![
                "--date",
                "2024-10-01",
                "--form",
                "online",
                "--place",
                "东风镇中心幼儿园",
                "--participant",
                ":教研员",
            ],
            "姓名:角色",
        ),
    ] {
        let mut a = vec!["visit", "add", "--pairing", &pairing[..8]];
        a.extend(args.iter());
        let err = run(dir.path(), &a).fails().to_string();
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let err = run(
        dir.path(),
        &["visit", "add", "--pairing", "0000000", "--form", "online"],
    )
    .fails()
    .to_string();
    assert!(
        err.contains("找不到编号以「0000000」开头的帮扶结对"),
        "{err}"
    );
    let err = run(dir.path(), &["visit", "list", "--month", "2024-13"])
        .fails()
        .to_string();
    assert!(err.contains("YYYY-MM"), "{err}");
    let err = run(dir.path(), &["visit", "list", "--format", "xml"])
        .fails()
        .to_string();
    assert!(err.contains("table、json、csv"), "{err}");
    assert_eq!(export(dir.path()), before);
}

#[test]
fn inspections_are_recorded_with_four_scores() {
    let dir = panjin();
    let pairing = filed_pairing(dir.path());
    run(
        dir.path(),
        &[
            "inspection",
            "add",
            "--pairing",
            &pairing[..8],
            "--kindergarten",
            "红旗村幼儿园",
            "--date",
            "2025-06-10",
            "--inspector",
            "赵督导",
            "--scores",
            "4,3,5,4",
            "--findings",
            "图画书偏少。",
            "--follow-up-due",
            "2025-07-10",
        ],
    )
    .ok();
    let list = run(dir.path(), &["inspection", "list", "--format", "json"]).json();
    let i = &list[0];
    assert_eq!(i["scores"]["care_education"], 3);
    assert_eq!(i["average"], 4.0);
    assert_eq!(i["kindergarten"], "红旗村幼儿园");
    let id = i["id"].as_str().expect("id");
    let shown = run(dir.path(), &["inspection", "show", &id[..8]])
        .ok()
        .to_string();
    assert!(
        shown.contains("保育教育") && shown.contains("图画书偏少。"),
        "{shown}"
    );
    let by_pairing = run(
        dir.path(),
        &["inspection", "list", "--pairing", &pairing[..8]],
    )
    .ok()
    .to_string();
    assert!(by_pairing.contains("4/3/5/4"), "{by_pairing}");

    let before = export(dir.path());
    let err = run(
        dir.path(),
        &[
            "inspection",
            "add",
            "--pairing",
            &pairing[..8],
            "--scores",
            "4,3,6,4",
        ],
    )
    .fails()
    .to_string();
    assert!(err.contains("环境创设") && err.contains("1 到 5"), "{err}");
    let err = run(
        dir.path(),
        &[
            "inspection",
            "add",
            "--pairing",
            &pairing[..8],
            "--scores",
            "4,3",
        ],
    )
    .fails()
    .to_string();
    assert!(err.contains("4 个"), "{err}");
    let err = run(dir.path(), &["inspection", "add", "--scores", "4,4,4,4"])
        .fails()
        .to_string();
    assert!(err.contains("必须填写"), "{err}");
    assert_eq!(export(dir.path()), before);
}

#[test]
fn history_lists_every_change_to_a_record() {
    let dir = panjin();
    let pairing = filed_pairing(dir.path());
    let h = run(dir.path(), &["history", &pairing[..8], "--format", "json"]).json();
    let entries = h.as_array().expect("entries");
    assert_eq!(entries.len(), 4, "created, signed, confirmed, filed: {h}");
    assert_eq!(entries[0]["created"], true);
    assert_eq!(entries[0]["person"], "测试员");
    assert_eq!(entries[3]["fields"], serde_json::json!(["filed", "status"]));
    let table = run(dir.path(), &["history", &pairing[..8]])
        .ok()
        .to_string();
    assert!(
        table.contains("新建") && table.contains("审核备案"),
        "{table}"
    );
    let err = run(dir.path(), &["history", "zzzz"]).fails().to_string();
    assert!(err.contains("不是有效"), "{err}");
}

#[test]
fn export_writes_the_whole_workspace_as_json() {
    let dir = panjin();
    filed_pairing(dir.path());
    let file = dir.path().join("export.json");
    run(
        dir.path(),
        &["export", "--format", "json", file.to_str().expect("path")],
    )
    .ok();
    let text = std::fs::read_to_string(&file).expect("written");
    assert_eq!(text, export(dir.path()), "file and stdout agree");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["programme"]["name"], "盘锦市农村幼儿园帮扶工作");
    assert_eq!(v["kindergartens"].as_array().map(|a| a.len()), Some(2));
    assert_eq!(v["pairings"][0]["agreement"]["status"], "filed");
    assert_eq!(v["targets"].as_array().map(|a| a.len()), Some(8));
    run(dir.path(), &["export", "--format", "xlsx", "x.xlsx"]).fails();
}

#[test]
fn english_is_there_when_asked_for() {
    let dir = panjin();
    let out = run(dir.path(), &["--lang", "en", "kindergarten", "list"])
        .ok()
        .to_string();
    assert!(
        out.contains("town central") && out.contains("ownership"),
        "{out}"
    );
    let out = command(dir.path())
        .env("LANG", "en_US.UTF-8")
        .args(["district", "list"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("kindergartens"));
    let r = run(dir.path(), &["--lang", "fr", "district", "list"]);
    assert_eq!(r.code, 2);
}

#[test]
fn usage_errors_are_one_line_naming_the_option_and_the_help() {
    let dir = panjin();
    let r = run(dir.path(), &["visit", "add", "--form", "online"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("--pairing") && r.stderr.contains("bangfu visit add --help"),
        "{}",
        r.stderr
    );
    let r = run(
        dir.path(),
        &[
            "--lang",
            "en",
            "visit",
            "add",
            "--pairing",
            "abcd",
            "--colour",
            "red",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--colour is not an option here"),
        "{}",
        r.stderr
    );
    let r = run(dir.path(), &["pairings", "list"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("没有命令 pairings"), "{}", r.stderr);
    let help = run(dir.path(), &["visit", "add", "--help"]);
    assert!(help.ok().contains("--teachers-reached"));
}

#[test]
fn the_dashboard_prints_as_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    run(dir.path(), &["demo", "--seed", "7"]).ok();
    let out = run(dir.path(), &["dashboard", "--year", "2024"])
        .ok()
        .to_string();
    assert!(
        out.contains("2024 年度目标") && out.contains("合计 21 所，与全市规划的 22 所不一致"),
        "{out}"
    );
    assert!(
        out.contains("截止事项") && out.contains("送教下乡"),
        "{out}"
    );
    assert!(!out.contains('\u{1b}'), "plain text, no terminal codes");
    let en = run(dir.path(), &["--lang", "en", "dashboard", "--width", "80"])
        .ok()
        .to_string();
    assert!(
        en.contains("Deadlines")
            && en
                .lines()
                .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80),
        "{en}"
    );
    let empty = tempfile::tempdir().expect("tempdir");
    run(empty.path(), &["dashboard"]).fails();
}

#[test]
fn demo_fills_a_fresh_directory_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &["demo"]).ok().to_string();
    assert!(out.contains("演示数据"), "{out}");
    let err = run(dir.path(), &["demo"]).fails().to_string();
    assert!(err.contains("已有工作区"), "{err}");
    run(dir.path(), &["demo", "--scale", "huge"]).fails();
    // Demo data may be replaced; real data never.
    run(dir.path(), &["demo", "--seed", "9", "--replace"]).ok();
    let real = panjin();
    let before = export(real.path());
    let err = run(real.path(), &["demo", "--replace"]).fails().to_string();
    assert!(err.contains("真实数据"), "{err}");
    assert_eq!(export(real.path()), before);
    let visits = run(dir.path(), &["visit", "list", "--format", "json"]).json();
    assert!(visits.as_array().is_some_and(|a| !a.is_empty()));
}

/// An Excel kindergarten list (附表) as a bureau would keep it.
fn xlsx_list(path: &std::path::Path, rows: &[[&str; 9]]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let headers = [
        "园名",
        "县区",
        "乡镇",
        "村",
        "性质",
        "类别",
        "星级",
        "幼儿数",
        "教师数",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            // Counts as numbers, the way Excel stores what people type.
            match v.parse::<f64>() {
                Ok(n) => sheet.write_number(r, c, n),
                Err(_) => sheet.write_string(r, c, *v),
            }
            .expect("cell");
        }
    }
    book.save(path).expect("save xlsx");
}

#[test]
fn a_kindergarten_list_imports_from_xlsx_and_a_bad_row_stops_it_unless_asked() {
    let dir = panjin();
    let file = dir.path().join("附表.xlsx");
    xlsx_list(
        &file,
        &[
            [
                "胜利村幼儿园",
                "大洼区",
                "新兴镇",
                "胜利村",
                "民办",
                "村屯园",
                "",
                "28",
                "3",
            ],
            [
                "新兴镇中心幼儿园",
                "大洼区",
                "新兴镇",
                "",
                "公办",
                "镇中心园",
                "4",
                "180",
                "15",
            ],
            [
                "坏园",
                "大洼区",
                "新兴镇",
                "",
                "公办",
                "镇中心园",
                "9",
                "30",
                "3",
            ],
        ],
    );
    let path = file.to_str().expect("path");
    let before = export(dir.path());
    // A dry run names the bad row (row 4 in Excel) and writes nothing.
    let dry = run(dir.path(), &["kindergarten", "import", path, "--dry-run"]);
    assert_eq!(dry.code, 1);
    assert!(dry.stdout.contains("第 4 行"), "{}", dry.stdout);
    assert!(dry.stdout.contains("胜利村幼儿园"), "{}", dry.stdout);
    assert!(!dry.stdout.contains("第 2 行"), "{}", dry.stdout);
    // By default: nothing imported.
    let err = run(dir.path(), &["kindergarten", "import", path])
        .fails()
        .to_string();
    assert!(
        err.contains("第 4 行") && err.contains("未导入任何记录"),
        "{err}"
    );
    assert_eq!(export(dir.path()), before);
    // Asked to: the good rows only.
    let out = run(dir.path(), &["kindergarten", "import", path, "--only-good"])
        .ok()
        .to_string();
    assert!(out.contains("已导入 2 所"), "{out}");
    let ks = run(
        dir.path(),
        &["kg", "list", "--district", "大洼区", "--format", "json"],
    )
    .json();
    let names: Vec<&str> = ks
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|k| k["name"].as_str())
        .collect();
    assert!(
        names.contains(&"新兴镇中心幼儿园") && !names.contains(&"坏园"),
        "{names:?}"
    );
    let central = ks
        .as_array()
        .expect("list")
        .iter()
        .find(|k| k["name"] == "新兴镇中心幼儿园")
        .expect("imported");
    assert_eq!(
        (central["stars"].as_i64(), central["children"].as_i64()),
        (Some(4), Some(180))
    );
}

#[test]
fn a_bureau_reports_from_the_command_line_and_exports_what_it_shows() {
    let dir = tempfile::tempdir().expect("tempdir");
    run(dir.path(), &["demo"]).ok();
    let which = ["--district", "大洼区", "--month", "2026-10"];
    let xlsx = dir.path().join("m.xlsx");
    let mut args = vec!["report", "monthly"];
    args.extend(which);
    let shown = run(
        dir.path(),
        &[args.clone(), vec!["--format", "json"]].concat(),
    )
    .json();
    assert_eq!(shown["due"], "2026-10-20");
    args.extend(["--export", xlsx.to_str().expect("path")]);
    let text = run(dir.path(), &args).ok().to_string();
    assert!(
        text.contains("统计期间：2026-09-20 至 2026-10-19"),
        "{text}"
    );
    // The file holds the figures the command showed.
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto(&xlsx).expect("opens");
    let range = book.worksheet_range_at(0).expect("sheet").expect("range");
    let visits = shown["figures"]["visits"].as_i64().expect("visits");
    let row = (0..range.height())
        .find(|r| range.get((*r, 0)) == Some(&Data::String("帮扶活动（次），按形式".into())))
        .expect("visits row");
    assert_eq!(range.get((row, 1)), Some(&Data::Float(visits as f64)));

    // The list shows it; the timeliness table counts it.
    let list = run(dir.path(), &["report", "list"]).ok().to_string();
    assert!(list.contains("大洼区 月报表 2026-10"), "{list}");
    let t = run(dir.path(), &["report", "timeliness", "--year", "2025"])
        .ok()
        .to_string();
    assert!(
        t.contains("应报") && t.contains("按时率") && t.contains("大洼区"),
        "{t}"
    );
    let tj = run(
        dir.path(),
        &["report", "timeliness", "--year", "2025", "--format", "json"],
    )
    .json();
    assert_eq!(tj["monthly"]["expected"], 48, "4 districts × 12 months");

    // Write, submit, and find it locked.
    let mut edit = vec![
        "report",
        "edit",
        "--district",
        "大洼区",
        "--month",
        "2026-12",
    ];
    edit.extend(["--progress", "十一月送教两次。"]);
    run(dir.path(), &edit).ok();
    run(
        dir.path(),
        &[
            "report",
            "submit",
            "--district",
            "大洼区",
            "--month",
            "2026-12",
        ],
    )
    .ok();
    let err = run(dir.path(), &edit).fails().to_string();
    assert!(err.contains("已锁定"), "{err}");
    let ret = [
        "report",
        "return",
        "--district",
        "大洼区",
        "--month",
        "2026-12",
    ];
    let no_comment = run(dir.path(), &ret);
    assert_eq!(no_comment.code, 2, "a usage error");
    assert!(
        no_comment.stderr.contains("--comment"),
        "{}",
        no_comment.stderr
    );
    run(
        dir.path(),
        &[&ret[..], &["--comment", "请补充数据"]].concat(),
    )
    .ok();
    let shown = run(
        dir.path(),
        &[
            "report",
            "monthly",
            "--district",
            "大洼区",
            "--month",
            "2026-12",
        ],
    )
    .ok()
    .to_string();
    assert!(
        shown.contains("已退回") && shown.contains("请补充数据"),
        "{shown}"
    );

    // A district summary as Word.
    let docx = dir.path().join("a.docx");
    run(
        dir.path(),
        &[
            "report",
            "annual",
            "--level",
            "district",
            "--id",
            "大洼区",
            "--year",
            "2025",
            "--export",
            docx.to_str().expect("p"),
        ],
    )
    .ok();
    assert!(std::fs::read(&docx).expect("docx").starts_with(b"PK"));
    // Lists as CSV and Excel.
    let csv = dir.path().join("v.csv");
    run(
        dir.path(),
        &[
            "export",
            "--format",
            "csv",
            "--what",
            "visits",
            csv.to_str().expect("p"),
        ],
    )
    .ok();
    assert!(
        std::fs::read(&csv)
            .expect("csv")
            .starts_with(&[0xEF, 0xBB, 0xBF])
    );
    let err = run(dir.path(), &["export", "--format", "csv", "x.csv"])
        .fails()
        .to_string();
    assert!(err.contains("--what"), "{err}");
}

#[test]
fn control_characters_never_reach_the_terminal_and_oversized_fields_are_refused() {
    let dir = panjin();
    let evil = "红星\u{1b}]0;pwned\u{7}\u{1b}[2J幼儿园";
    let kg = [
        "--district",
        "盘山县",
        "--town",
        "东风镇",
        "--ownership",
        "公办",
        "--category",
        "镇中心园",
        "--children",
        "10",
        "--teachers",
        "2",
    ];
    let mut args = vec!["kindergarten", "add", "--name", evil];
    args.extend_from_slice(&kg);
    let added = command(dir.path())
        .args(&args)
        .env("BANGFU_AS", "\u{1b}[31m测试员\u{1b}[0m")
        .output()
        .expect("runs");
    assert!(added.status.success());
    for out in [
        run(dir.path(), &["kindergarten", "list"]).ok().to_string(),
        run(dir.path(), &["kindergarten", "list", "--format", "csv"])
            .ok()
            .to_string(),
    ] {
        assert!(out.contains("红星]0;pwned[2J幼儿园"), "{out}");
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    }
    // JSON keeps the text as typed, escaped.
    let json = run(dir.path(), &["kindergarten", "list", "--format", "json"])
        .ok()
        .to_string();
    assert!(json.contains("\\u001b"), "{json}");
    // A 24 MB contact (or anything past 200 characters in a one-line
    // field) is refused, and nothing is written.
    let before = export(dir.path());
    let long = "张".repeat(201);
    let mut args = vec![
        "kindergarten",
        "add",
        "--name",
        "长联系人幼儿园",
        "--contact",
        &long,
    ];
    args.extend_from_slice(&kg);
    let err = run(dir.path(), &args).fails().to_string();
    assert!(err.contains("太长：201 个字符，最多 200 个"), "{err}");
    assert_eq!(export(dir.path()), before);
}

#[test]
fn a_typed_name_never_leaves_the_folder_it_is_saved_in() {
    use bangfu::present::file_stem;
    assert_eq!(file_stem("../../etc/passwd"), "______etc_passwd");
    assert_eq!(file_stem("红旗村 园长"), "红旗村_园长");
    assert_eq!(file_stem("a\u{1b}]0;x\u{7}"), "a__0_x_");
    assert_eq!(file_stem("   "), "_");
    assert_eq!(file_stem(&"张".repeat(100)).chars().count(), 40);
}

/// Numbers as a Chinese keyboard types them: full-width digits are read,
/// a number too large to count is said to be too large, not "not a whole
/// number".
#[test]
fn full_width_digits_are_numbers_and_a_huge_one_is_too_large() {
    use bangfu::i18n::Lang;
    assert_eq!(bangfu::input::int(Lang::Zh, "children", "１２"), Ok(12));
    assert_eq!(
        bangfu::input::date(Lang::Zh, "date", "２０２６－１１－２０").map(|d| d.to_string()),
        Ok("2026-11-20".to_string())
    );
    let zh = bangfu::input::int(Lang::Zh, "children", "99999999999999999999").expect_err("too big");
    assert!(zh.contains("太大"), "{zh}");
    let en = bangfu::input::int(Lang::En, "children", "99999999999999999999").expect_err("too big");
    assert!(en.contains("too large"), "{en}");
    let not = bangfu::input::int(Lang::Zh, "children", "十二").expect_err("not a number");
    assert!(not.contains("不是整数"), "{not}");
}

/// An unknown `--lang` is an error like every other (with its prefix), and
/// a person nobody named is "unknown" in the user's language.
#[test]
fn a_bad_language_is_an_error_and_nobody_named_is_unknown_in_chinese() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &["--lang", "fr", "district", "list"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.starts_with("错误："), "{}", out.stderr);
    let mut c = command(dir.path());
    c.env_remove("BANGFU_AS")
        .env_remove("USER")
        .env_remove("USERNAME");
    let made = c.args(["init", "--plan", "panjin"]).output().expect("runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let members = run(dir.path(), &["member", "list", "--format", "json"]).json();
    assert!(members.to_string().contains("未署名"), "{members}");
}

#[test]
fn a_visit_is_deleted_with_who_and_when_kept_and_records_in_use_or_filed_are_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    run(dir.path(), &["demo"]).ok();
    let visits = run(dir.path(), &["visit", "list", "--format", "json"]).json();
    let id = first_id(&visits);
    let said = run(dir.path(), &["visit", "delete", &id[..8]])
        .ok()
        .to_string();
    assert!(said.contains("已删除帮扶活动"), "{said}");
    let after = run(dir.path(), &["visit", "list", "--format", "json"]).json();
    assert_eq!(
        after.as_array().map(|a| a.len() + 1),
        visits.as_array().map(|a| a.len())
    );
    // Its history, by its whole id: made, then deleted, by whom and when.
    let h = run(dir.path(), &["history", &id, "--format", "json"]).json();
    let last = h
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .expect("entries");
    assert_eq!(last["deleted"], true, "{h}");
    let text = run(dir.path(), &["history", &id]).ok().to_string();
    assert!(text.contains("删除"), "{text}");

    // A filed agreement stays; so does a kindergarten in a pairing.
    let pairings = run(dir.path(), &["pairing", "list", "--format", "json"]).json();
    let filed = pairings
        .as_array()
        .and_then(|a| a.iter().find(|p| p["status"] == "filed"))
        .and_then(|p| p["id"].as_str())
        .map(str::to_string)
        .expect("a filed pairing");
    let err = run(dir.path(), &["pairing", "delete", &filed[..8]])
        .fails()
        .to_string();
    assert!(err.contains("已审核备案"), "{err}");
    let kgs = run(dir.path(), &["kindergarten", "list", "--format", "json"]).json();
    let used = kgs
        .as_array()
        .and_then(|a| {
            a.iter().find(|k| {
                let id = k["id"].as_str().unwrap_or_default();
                pairings
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p.to_string().contains(id)))
            })
        })
        .and_then(|k| k["id"].as_str())
        .map(str::to_string)
        .expect("a kindergarten in a pairing");
    let err = run(
        dir.path(),
        &["--lang", "en", "kindergarten", "delete", &used[..8]],
    )
    .fails()
    .to_string();
    assert!(err.contains("still belong or refer to it"), "{err}");
}

#[test]
fn a_data_directory_that_is_a_file_or_holds_another_kind_of_file_is_named_as_such() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "hi").expect("write");
    for args in [&["dashboard"][..], &["init", "--plan", "panjin"][..]] {
        let err = run(&file, args).fails().to_string();
        assert!(err.contains("是一个文件，不是目录"), "{args:?}: {err}");
    }
    let mut en = vec!["--lang", "en"];
    en.push("dashboard");
    let err = run(&file, &en).fails().to_string();
    assert!(err.contains("is a file, not a directory"), "{err}");
    assert_eq!(std::fs::read(&file).ok(), Some(b"hi".to_vec()), "untouched");

    let other = dir.path().join("other");
    std::fs::create_dir(&other).expect("mkdir");
    std::fs::write(other.join("workspace.db"), "not a database").expect("write");
    for args in [&["doctor"][..], &["dashboard"][..]] {
        let err = run(&other, args).fails().to_string();
        assert!(err.contains("不是 bangfu 工作区文件"), "{args:?}: {err}");
        assert!(!err.contains("运行 bangfu doctor"), "{args:?}: {err}");
    }
}

#[test]
fn a_district_added_by_mistake_is_corrected_or_deleted_but_one_in_use_is_not() {
    let dir = panjin();
    let districts = |dir: &Path| run(dir, &["district", "list", "--format", "json"]).json();
    let named = |v: &serde_json::Value, name: &str| {
        v.as_array()
            .and_then(|a| a.iter().find(|d| d["name"] == name))
            .cloned()
    };
    run(dir.path(), &["district", "add", "大洼县"]).ok();
    let said = run(
        dir.path(),
        &[
            "district",
            "edit",
            "大洼县",
            "--name",
            "试验区",
            "--add-town",
            "新兴镇",
        ],
    )
    .ok()
    .to_string();
    assert!(said.contains("试验区"), "{said}");
    let now = districts(dir.path());
    assert!(named(&now, "大洼县").is_none(), "{now}");
    let d = named(&now, "试验区").expect("renamed");
    assert_eq!(d["towns"], serde_json::json!(["新兴镇"]), "{now}");
    // Another district's name is taken.
    let err = run(
        dir.path(),
        &["district", "edit", "试验区", "--name", "盘山县"],
    )
    .fails()
    .to_string();
    assert!(err.contains("已有名为「盘山县」"), "{err}");
    // A town a kindergarten names stays on its district's list.
    let err = run(
        dir.path(),
        &["district", "edit", "盘山县", "--remove-town", "东风镇"],
    )
    .fails()
    .to_string();
    assert!(err.contains("不能删除"), "{err}");
    // The district with kindergartens stays; the one added by mistake
    // goes, with its targets, and its deletion is kept in its history.
    let err = run(dir.path(), &["district", "delete", "盘山县"])
        .fails()
        .to_string();
    assert!(err.contains("不能删除：还有 2 条记录属于或引用它"), "{err}");
    let target = [
        "plan",
        "set",
        "--year",
        "2024",
        "--district",
        "试验区",
        "--helpers",
        "1",
        "--helped",
        "1",
    ];
    run(dir.path(), &target).ok();
    let said = run(dir.path(), &["district", "delete", "试验区"])
        .ok()
        .to_string();
    assert!(said.contains("已删除县区"), "{said}");
    let now = districts(dir.path());
    assert!(named(&now, "试验区").is_none(), "{now}");
    assert!(named(&now, "盘山县").is_some(), "{now}");
    let plan = run(
        dir.path(),
        &["plan", "show", "--year", "2024", "--format", "json"],
    )
    .ok()
    .to_string();
    assert!(!plan.contains("试验区"), "{plan}");
    let id = d["id"].as_str().expect("id").to_string();
    let h = run(dir.path(), &["history", &id, "--format", "json"]).json();
    let last = h
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .expect("entries");
    assert_eq!(last["deleted"], true, "{h}");
}

#[test]
fn a_report_started_by_mistake_is_deleted_but_one_once_submitted_is_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    run(dir.path(), &["demo"]).ok();
    let which = ["--district", "大洼区", "--month", "2026-12"];
    let monthly = |dir: &Path| {
        let mut a = vec!["report", "monthly"];
        a.extend_from_slice(&which);
        a.extend_from_slice(&["--format", "json"]);
        run(dir, &a).json()
    };
    let mut edit = vec!["report", "edit"];
    edit.extend_from_slice(&which);
    edit.extend_from_slice(&["--progress", "误建的月报"]);
    run(dir.path(), &edit).ok();
    let started = monthly(dir.path());
    assert_eq!(started["status"], "draft", "{started}");
    let mut delete = vec!["report", "delete"];
    delete.extend_from_slice(&which);
    let said = run(dir.path(), &delete).ok().to_string();
    assert!(
        said.contains("已删除：大洼区农村幼儿园帮扶工作月报表（2026年12月）"),
        "{said}"
    );
    let after = monthly(dir.path());
    assert!(after["status"].is_null(), "not started again: {after}");
    let id = after["id"].as_str().expect("id").to_string();
    let h = run(dir.path(), &["history", &id, "--format", "json"]).json();
    let last = h
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .expect("entries");
    assert_eq!(last["deleted"], true, "{h}");
    // A report submitted once keeps its first submission.
    let list = run(dir.path(), &["report", "list", "--format", "json"]).json();
    let accepted = list
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|x| x["status"] == "accepted" && x["report"]["kind"] == "monthly")
        })
        .cloned()
        .expect("an accepted monthly report");
    let district = accepted["report"]["district"].as_str().expect("district");
    let month = accepted["report"]["month"].as_str().expect("month");
    let err = run(
        dir.path(),
        &["report", "delete", "--district", district, "--month", month],
    )
    .fails()
    .to_string();
    assert!(err.contains("已报送过的报告不能删除"), "{err}");
}

/// A bureau's list as Windows Excel saves it: a title row above the
/// header, CRLF line ends. The title is passed over and a bad row is named
/// by the line a clerk sees.
#[test]
fn a_list_with_a_title_row_and_windows_line_ends_is_read_and_bad_rows_named_by_their_line() {
    let dir = panjin();
    let file = dir.path().join("附表.csv");
    std::fs::write(
        &file,
        "盘锦市农村幼儿园名单,,,,,\r\n\
         园名,县区,乡镇,性质,类别,幼儿数\r\n\
         甲村幼儿园,大洼区,甲镇,公办,村屯园,30\r\n\
         乙村幼儿园,大洼区,乙镇,公办,村屯园,-5\r\n",
    )
    .expect("write");
    let path = file.to_str().expect("path");
    let err = run(dir.path(), &["kindergarten", "import", path])
        .fails()
        .to_string();
    assert!(err.contains("第 4 行：幼儿数"), "{err}");
    assert!(!err.contains("第 3 行"), "{err}");
    let out = run(dir.path(), &["kindergarten", "import", path, "--only-good"])
        .ok()
        .to_string();
    assert!(out.contains("已导入 1 所"), "{out}");
    let ks = run(dir.path(), &["kg", "list", "--format", "json"]).json();
    assert!(ks.to_string().contains("甲村幼儿园"), "{ks}");
}

/// Visit commands answered from part of the workspace (the history index
/// names the documents a visit's rules read) print, refuse and write
/// exactly what the whole workspace does: the same commands again with
/// the index forgotten (so they open everything) give the same output.
#[test]
fn visit_commands_on_part_of_the_workspace_say_what_the_whole_says() {
    use bangfu::domain::Entity;
    use bangfu::store::Workspace;
    let dir = tempfile::tempdir().expect("tempdir");
    run(dir.path(), &["demo", "--scale", "small"]).ok();
    let visits = run(dir.path(), &["visit", "list", "--format", "json"]).json();
    let visit = first_id(&visits);
    let pairing = visits[0]["pairing_id"]
        .as_str()
        .expect("pairing")
        .to_string();
    let opens = |what, prefix: &str| {
        Workspace::open_for(dir.path(), common::ui::options(), what, prefix)
            .expect("open")
            .is_some()
    };
    assert!(opens(Entity::Visit, &visit[..8]), "the index can answer");
    assert!(opens(Entity::Pairing, &pairing[..8]));
    let add_on = |date: &str| -> Vec<String> {
        let p = &pairing[..8];
        [
            "visit",
            "add",
            "--pairing",
            p,
            "--date",
            date,
            "--form",
            "online",
            "--note",
            "线上教研",
        ]
        .map(String::from)
        .to_vec()
    };
    let commands: Vec<Vec<String>> = vec![
        vec!["visit", "show", &visit[..8]],
        vec!["visit", "show", &visit[..8], "--format", "json"],
        vec!["--lang", "en", "visit", "show", &visit],
        vec!["visit", "edit", &visit[..8], "--date", "2099-01-01"],
        vec!["visit", "show", "ffffffff"],
    ]
    .into_iter()
    .map(|c| c.into_iter().map(String::from).collect())
    // Refused: a date to come, a date before the agreement.
    .chain([add_on("2099-01-01"), add_on("2001-01-01")])
    .collect();
    let outputs = || -> Vec<(i32, String, String)> {
        commands
            .iter()
            .map(|c| {
                let args: Vec<&str> = c.iter().map(String::as_str).collect();
                let r = run(dir.path(), &args);
                (r.code, r.stdout, r.stderr)
            })
            .collect()
    };
    let quick = outputs();
    assert_eq!(quick[0].0, 0, "{quick:?}");
    assert!(quick[5].2.contains("错误"), "{quick:?}");
    let conn = rusqlite::Connection::open(dir.path().join("workspace.db")).expect("db");
    conn.execute("DELETE FROM history_heads", [])
        .expect("forget the index");
    assert!(
        !opens(Entity::Visit, &visit[..8]),
        "the index cannot answer now"
    );
    assert_eq!(outputs(), quick);
}

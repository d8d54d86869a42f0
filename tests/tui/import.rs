//! The import dialog: a list read and checked on screen before anything
//! is written, a category changed there, only the good rows written when
//! asked twice, the whole import taken back by one Ctrl-Z.

use super::*;
use bangfu::domain::Category;

/// A bureau's list as a CSV file written here: a title row above the
/// header, two good rows whose category is inferred, one row with
/// several problems, a totals row.
fn list_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("附表 名单.csv");
    let text = "盘锦市农村幼儿园名单,,,,,\r\n\
                序号,幼儿园名称,县（区）,乡（镇）,办园性质,在园幼儿数（人）\r\n\
                1,前进村幼儿园,大洼区,新兴镇,公办,40\r\n\
                2,新兴镇中心幼儿园,大洼区,新兴镇,公办,180\r\n\
                3,阳光幼儿园,盘山县,,民办,很多\r\n\
                合计,,,,,220\r\n";
    std::fs::write(&path, text).expect("list");
    path
}

fn named<'a>(a: &'a App, name: &str) -> Option<&'a bangfu::domain::Kindergarten> {
    a.model()
        .and_then(|m| m.kindergartens().find(|k| k.name == name))
}

fn count(a: &App) -> usize {
    a.model().map_or(0, |m| m.kindergartens().count())
}

/// Opens the dialog on `file` with 大洼区 for rows that name no district.
fn preview(a: &mut App, file: &std::path::Path) {
    ch(a, '2');
    ch(a, 'i');
    assert!(a.form().is_some(), "i opens the import form");
    fill(a, "file", &file.display().to_string());
    choose(a, "district", "大洼区");
    ctrl(a, 's');
}

#[test]
fn a_list_is_previewed_changed_and_imported_only_when_confirmed() {
    let dir = demo_dir();
    let file = list_file(dir.path());
    let mut a = app(dir.path(), Lang::Zh, 120, 40);
    let before = count(&a);
    preview(&mut a, &file);
    let screen = show(&mut a);
    assert!(
        a.form().is_none(),
        "the form gave way to the preview: {screen}"
    );
    for said in [
        "导入预览：附表 名单.csv",
        "可导入 2 所幼儿园，1 行有问题",
        "第 1 行：表头上方的「盘锦市农村幼儿园名单」未导入",
        "「合计」为合计行",
        "园名含“村”",
    ] {
        assert!(screen.contains(said), "{said} in\n{screen}");
    }
    assert_eq!(count(&a), before, "nothing written by the preview");

    // The first row's inferred category (村屯园) changed to the next one.
    ch(&mut a, 'e');
    let screen = show(&mut a);
    let chosen = bangfu::i18n::label(Lang::Zh, Category::VillagePoint);
    assert!(screen.contains("按指定的类别"), "{screen}");
    assert!(screen.contains(&chosen), "{chosen} in\n{screen}");

    // The bad row shows every problem, each in full.
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Down);
    let screen = show(&mut a);
    for said in ["第 5 行：阳光幼儿园", "盘山县", "缺少类别", "很多"] {
        assert!(screen.contains(said), "{said} in\n{screen}");
    }

    // With a bad row, the first confirm asks; the second writes the rest.
    ch(&mut a, 'c');
    let screen = show(&mut a);
    assert!(screen.contains("再按 c 只导入其余 2 行"), "{screen}");
    assert_eq!(count(&a), before);
    ch(&mut a, 'c');
    let screen = show(&mut a);
    assert!(!a.has_dialog(), "{screen}");
    assert!(screen.contains("已导入 2 所幼儿园"), "{screen}");
    assert_eq!(count(&a), before + 2);
    let village = named(&a, "前进村幼儿园").map(|k| k.category);
    assert_eq!(village, Some(Category::VillagePoint), "the category chosen");
    let central = named(&a, "新兴镇中心幼儿园").map(|k| k.category);
    assert_eq!(
        central,
        Some(Category::TownCentral),
        "the category inferred"
    );
    assert!(named(&a, "阳光幼儿园").is_none());

    // One Ctrl-Z takes the whole import back.
    ctrl(&mut a, 'z');
    let screen = show(&mut a);
    assert!(screen.contains("这次导入的 2 条记录已删除"), "{screen}");
    assert_eq!(count(&a), before);
}

#[test]
fn a_preview_left_with_esc_writes_nothing_and_a_missing_file_is_said_by_its_field() {
    let dir = demo_dir();
    let file = list_file(dir.path());
    let mut a = app(dir.path(), Lang::En, 120, 40);
    let before = count(&a);
    preview(&mut a, &file);
    assert!(show(&mut a).contains("Import preview"));
    key(&mut a, KeyCode::Esc);
    assert!(!a.has_dialog());
    assert_eq!(count(&a), before);

    preview(&mut a, &dir.path().join("missing.xlsx"));
    let screen = show(&mut a);
    assert!(a.form().is_some(), "the form stays open: {screen}");
    assert!(
        form_field(&a, "file")
            .error
            .as_deref()
            .is_some_and(|e| e.contains("missing.xlsx")),
        "{screen}"
    );
}

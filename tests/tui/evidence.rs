//! A record's evidence in the interface: the files of a visit with what is
//! here, a path field that completes with Tab, files attached from it, a
//! file opened (written out for the system's viewer).

use super::*;
use bangfu::domain::{AttachedTo, Id};

/// The demo's visit with classroom photos, selected on the visits screen.
fn select_visit_with_photos(a: &mut App) -> Id {
    let (id, date) = {
        let m = a.model().expect("model");
        let x = m
            .attachments()
            .find(|x| x.to == AttachedTo::Visit)
            .expect("the demo attaches photos to visits");
        let v = m.visit(&x.record).expect("its visit");
        (v.id.clone(), v.date.to_string())
    };
    ch(a, '4');
    for _ in 0..60 {
        if show(a).contains(&format!("{date}\n")) || text(a).contains("课堂_1.jpg") {
            break;
        }
        ch(a, 'j');
    }
    assert!(text(a).contains("课堂_1.jpg"), "{}", text(a));
    id
}

#[test]
fn a_teacher_attaches_photos_and_a_sign_in_sheet_and_opens_one() {
    let dir = demo_dir();
    let files = tempfile::tempdir().expect("tempdir");
    let photo = common::camera_photo(640, 480, 5);
    std::fs::write(files.path().join("课堂 一.jpg"), &photo).expect("photo");
    std::fs::write(files.path().join("签到表.pdf"), b"%PDF-1.4\n%%EOF\n").expect("pdf");
    let mut a = app(dir.path(), Lang::Zh, 140, 40);
    let visit = select_visit_with_photos(&mut a);
    let before = a.model().map_or(0, |m| m.attachments_of(&visit).len());

    ch(&mut a, 'A');
    let screen = show(&mut a);
    assert!(screen.contains("佐证材料："), "{screen}");
    assert!(
        screen.contains("课堂_1.jpg") && screen.contains("已有"),
        "{screen}"
    );

    // a: the path field; Tab completes a name with a space (quoted), and
    // the next one after it.
    ch(&mut a, 'a');
    assert!(a.form().is_some(), "a opens the attach form");
    let d = files.path().display().to_string();
    fill(&mut a, "files", &format!("{d}/课"));
    key(&mut a, KeyCode::Tab);
    typed(&mut a, &format!(" {d}/签"));
    key(&mut a, KeyCode::Tab);
    let typed_in = a.form().expect("form").text("files");
    assert_eq!(typed_in, format!("'{d}/课堂 一.jpg' {d}/签到表.pdf"));
    ctrl(&mut a, 's');
    let screen = show(&mut a);
    assert!(a.form().is_none(), "{screen}");
    assert!(screen.contains("已添加 2 份佐证材料"), "{screen}");
    assert!(
        screen.contains("课堂 一.jpg") && screen.contains("签到表.pdf"),
        "{screen}"
    );
    let m = a.model().expect("model");
    let now = m.attachments_of(&visit);
    assert_eq!(now.len(), before + 2);
    let pdf = now
        .iter()
        .find(|x| x.name == "签到表.pdf")
        .expect("the sheet");
    assert_eq!(pdf.kind, bangfu::domain::EvidenceKind::SignIn);

    // Enter on a file: a copy named as a clerk names it, for the viewer.
    key(&mut a, KeyCode::Home);
    key(&mut a, KeyCode::Enter);
    let opened: Vec<_> = std::fs::read_dir(dir.path().join("open"))
        .expect("written for the viewer")
        .flatten()
        .collect();
    assert_eq!(opened.len(), 1, "{}", text(&a));
    let name = opened[0].file_name().to_string_lossy().into_owned();
    assert!(name.ends_with(".jpg") || name.ends_with(".pdf"), "{name}");
}

#[test]
fn the_open_dialog_follows_a_file_arriving_in_the_background() {
    let dir = demo_dir();
    let mut a = app(dir.path(), Lang::Zh, 140, 40);
    let visit = select_visit_with_photos(&mut a);
    let file = a.model().expect("model").attachments_of(&visit)[0]
        .file
        .clone();
    // The photo is not here yet (its thumbnail is): as a synced device
    // that has not taken the file.
    let blobs = bangfu::store::blobs::Blobs::in_dir(dir.path());
    let bytes = blobs.read(&file).expect("the demo's photo");
    std::fs::remove_file(blobs.path(&file.hash).expect("its path")).expect("removed");
    ch(&mut a, 'A');
    let screen = show(&mut a);
    assert!(screen.contains("仅缩略图"), "{screen}");
    assert!(
        screen.contains("来源 添加者"),
        "where it can come from: {screen}"
    );
    // Sync (another process, or the background agent) keeps it; the next
    // tick shows it here, with the dialog still open.
    blobs.put(&bytes).expect("kept");
    a.handle(Event::Tick);
    let screen = show(&mut a);
    assert!(screen.contains("佐证材料："), "{screen}");
    assert!(!screen.contains("仅缩略图"), "{screen}");
    assert!(!screen.contains("来源 添加者"), "{screen}");

    // A removal asked once (d) stays asked across a tick: the second d
    // removes it.
    let before = a.model().expect("model").attachments_of(&visit).len();
    ch(&mut a, 'd');
    a.handle(Event::Tick);
    ch(&mut a, 'd');
    let after = a.model().expect("model").attachments_of(&visit).len();
    assert_eq!(after + 1, before, "{}", show(&mut a));
}

//! Evidence (佐证材料) attached to records: photos made upright and small
//! with their metadata dropped, files refused with a reason, references
//! kept only with their bytes, listed, written out with a clerk's names,
//! removed with history.

mod common;

use bangfu::domain::FileFormat;
use bangfu::media::{self, MediaError};
use common::*;
use image::{ImageEncoder, RgbImage};

/// A TIFF block as a camera writes it: orientation 6 (turn a quarter
/// right to show), the time taken, and a GPS position. Built byte by byte
/// here, not by any EXIF writer.
fn camera_exif() -> Vec<u8> {
    let mut t: Vec<u8> = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    // IFD0 at 8: three entries, then the next IFD's offset (none).
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut e = tag.to_le_bytes().to_vec();
        e.extend(kind.to_le_bytes());
        e.extend(count.to_le_bytes());
        e.extend(value.to_le_bytes());
        e
    };
    t.extend(3u16.to_le_bytes());
    t.extend(entry(0x0112, 3, 1, 6)); // Orientation: SHORT 6
    t.extend(entry(0x0132, 2, 20, 50)); // DateTime: ASCII at 50
    t.extend(entry(0x8825, 4, 1, 70)); // GPS IFD at 70
    t.extend(0u32.to_le_bytes());
    assert_eq!(t.len(), 50);
    t.extend(b"2024:10:15 09:30:00\0");
    // The GPS IFD: latitude reference "N".
    t.extend(1u16.to_le_bytes());
    t.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
    t.extend(0u32.to_le_bytes());
    t
}

/// A phone photo: `w`×`h` stored pixels of a smooth picture, JPEG, with
/// the camera's EXIF block in an APP1 segment after the start marker.
fn phone_photo(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x * 255 / w) as u8,
            (y * 255 / h) as u8,
            ((x + y) % 256) as u8,
        ])
    });
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 95)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .expect("jpeg");
    let exif = camera_exif();
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend(((2 + 6 + exif.len()) as u16).to_be_bytes());
    app1.extend(b"Exif\0\0");
    app1.extend(exif);
    let mut out = plain[..2].to_vec();
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_phone_photo_is_kept_upright_small_without_its_metadata_and_with_a_thumbnail() {
    let photo = phone_photo(4000, 3000);
    assert!(contains(&photo, b"Exif\0\0"), "the fixture carries EXIF");
    let p = media::prepare("IMG_0001.JPG", &photo, false).expect("prepared");
    assert_eq!(p.format, FileFormat::Jpeg);
    // Stored 4000×3000 turned a quarter: shown 3000×4000, brought to 2,000.
    assert_eq!(p.pixels, Some((1500, 2000)));
    let kept = image::load_from_memory(&p.bytes).expect("decodes");
    assert_eq!((kept.width(), kept.height()), (1500, 2000));
    assert!(p.bytes.len() < 400 * 1024, "{} bytes", p.bytes.len());
    assert!(!contains(&p.bytes, b"Exif"), "no EXIF (no GPS) left");
    assert_eq!(
        p.taken.map(|t| t.to_string()).as_deref(),
        Some("2024-10-15 09:30:00"),
        "the time taken is kept"
    );
    let thumb = image::load_from_memory(p.thumbnail.as_deref().expect("thumbnail")).expect("thumb");
    assert_eq!((thumb.width(), thumb.height()), (240, 320));
    // Asked to keep the original: the same bytes, still a thumbnail.
    let o = media::prepare("IMG_0001.JPG", &photo, true).expect("original");
    assert_eq!(o.bytes, photo);
    assert!(o.thumbnail.is_some());
}

#[test]
fn files_that_cannot_be_attached_are_refused_saying_why() {
    let l = bangfu::i18n::Lang::Zh;
    let huge = vec![0xFFu8; 21 * 1024 * 1024];
    let e = media::prepare("大.jpg", &huge, false).expect_err("too large");
    assert!(matches!(e, MediaError::TooLarge { .. }));
    assert!(e.say(l).contains("21.0 MB"), "{}", e.say(l));
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    let e = media::prepare("IMG_0002.HEIC", &heic, false).expect_err("heic");
    assert!(e.say(l).contains("HEIC"), "{}", e.say(l));
    let docx = b"PK\x03\x04\x14\0\0\0word/document.xml".to_vec();
    let e = media::prepare("总结.docx", &docx, false).expect_err("docx");
    assert!(e.say(l).contains("PDF"), "{}", e.say(l));
    let cut = phone_photo(400, 300)[..600].to_vec();
    let e = media::prepare("cut.jpg", &cut, false).expect_err("cut short");
    assert!(matches!(e, MediaError::Unreadable(_)), "{e:?}");
    // A PDF is kept as it is.
    let pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n".to_vec();
    let p = media::prepare("协议.pdf", &pdf, false).expect("pdf");
    assert_eq!(
        (p.format, p.bytes.as_slice(), p.thumbnail),
        (FileFormat::Pdf, &pdf[..], None)
    );
}

#[test]
fn files_attached_on_the_command_line_are_listed_written_out_and_removed_with_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    run(d, &["demo"]).ok();
    let visits = run(d, &["visit", "list", "--format", "json"]).json();
    let visit = first_id(&visits);
    let files = d.join("材料");
    std::fs::create_dir_all(&files).expect("dir");
    std::fs::write(files.join("课堂.jpg"), phone_photo(1200, 900)).expect("photo");
    std::fs::write(
        files.join("签到表.pdf"),
        b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
    )
    .expect("pdf");
    std::fs::write(files.join("说明.docx"), b"PK\x03\x04word").expect("docx");
    // A folder: the two good files attached, the third refused by name.
    let r = run(d, &["attach", &visit, files.to_str().expect("path")]);
    let said = r.fails();
    assert!(said.contains("说明.docx"), "{said}");
    assert!(r.stdout.contains("已添加 2 个文件"), "{}", r.stdout);

    let list = run(d, &["attachments", &visit, "--format", "json"]).json();
    let rows = list.as_array().expect("list");
    assert_eq!(rows.len(), 2, "{list}");
    let kinds: Vec<&str> = rows.iter().filter_map(|x| x["kind"].as_str()).collect();
    assert!(
        kinds.contains(&"photo") && kinds.contains(&"sign_in"),
        "{kinds:?}"
    );
    assert!(rows.iter().all(|x| x["here"] == "present"), "{list}");
    let photo = rows.iter().find(|x| x["format"] == "jpeg").expect("photo");
    assert_eq!(photo["pixels"], serde_json::json!([900, 1200]));
    assert_eq!(photo["taken"], "2024-10-15T09:30:00");

    // Written out with names a clerk understands, the bytes as kept.
    let out = d.join("导出");
    run(
        d,
        &[
            "attachments",
            &visit,
            "--export",
            out.to_str().expect("path"),
        ],
    )
    .ok();
    let names = names_in(&out);
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.iter().all(|n| n.starts_with("20") && n.contains('_')),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.ends_with("_1.jpg") || n.ends_with("_2.jpg")),
        "{names:?}"
    );
    let pdf_name = names.iter().find(|n| n.ends_with(".pdf")).expect("pdf");
    assert!(
        std::fs::read(out.join(pdf_name))
            .expect("pdf")
            .starts_with(b"%PDF-")
    );

    // Removed: no longer listed, its adding and removal in its history.
    let id = photo["id"].as_str().expect("id").to_string();
    run(d, &["detach", &id[..8]]).ok();
    let list = run(d, &["attachments", &visit, "--format", "json"]).json();
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let history = run(d, &["history", &id[..8]]).ok().to_string();
    assert!(
        history.lines().count() >= 4,
        "added and removed:\n{history}"
    );

    // A file refused on a kindergarten record, which takes no evidence.
    let ks = run(d, &["kindergarten", "list", "--format", "json"]).json();
    let k = first_id(&ks);
    let photo_path = files.join("课堂.jpg");
    let said = run(d, &["attach", &k, photo_path.to_str().expect("path")])
        .fails()
        .to_string();
    assert!(said.contains("不能添加佐证材料"), "{said}");
}

/// The file names written to a folder, sorted.
fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|r| {
            r.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_periods_files_are_written_out_as_a_clerk_names_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    run(d, &["demo"]).ok();
    // What the year's visits carry, one by one.
    let visits = run(d, &["visit", "list", "--format", "json"]).json();
    let mut expected = Vec::new();
    let mut record = String::new();
    for v in visits.as_array().expect("visits") {
        let date = v["date"].as_str().expect("date");
        if !date.starts_with("2026-") {
            continue;
        }
        let id = v["id"].as_str().expect("id");
        let files = run(d, &["attachments", id, "--format", "json"]).json();
        for _ in files.as_array().expect("list") {
            expected.push(date.to_string());
            record = id.to_string();
        }
    }
    assert!(!expected.is_empty(), "the demo attaches photos to visits");

    // The city's year: every file of the year's visits, each named by its
    // visit, none written over another.
    let out = d.join("2026年佐证材料");
    let said = run(
        d,
        &[
            "export",
            "--attachments",
            out.to_str().expect("path"),
            "--level",
            "city",
            "--year",
            "2026",
        ],
    )
    .ok()
    .to_string();
    assert!(
        said.contains(&format!("{} 个文件", expected.len())),
        "{said}"
    );
    let names = names_in(&out);
    assert_eq!(names.len(), expected.len(), "{names:?}");
    for n in &names {
        assert!(
            expected.iter().any(|date| n.starts_with(date.as_str())) && n.ends_with(".jpg"),
            "{n}"
        );
    }

    // One record's files, as `attachments --export` writes them.
    let (one, other) = (d.join("一条"), d.join("另一种"));
    let path = |p: &std::path::Path| p.to_str().expect("path").to_string();
    run(
        d,
        &["export", "--attachments", &path(&one), "--record", &record],
    )
    .ok();
    run(d, &["attachments", &record, "--export", &path(&other)]).ok();
    assert!(!names_in(&one).is_empty());
    assert_eq!(names_in(&one), names_in(&other));

    // Not said which: refused, saying how, and nothing written.
    let none = d.join("无");
    let said = run(d, &["export", "--attachments", &path(&none)])
        .fails()
        .to_string();
    assert!(said.contains("--record"), "{said}");
    assert!(!none.exists());
    let said = run(d, &["export", &path(&d.join("x.json")), "--year", "2026"])
        .fails()
        .to_string();
    assert!(said.contains("--attachments"), "{said}");
}

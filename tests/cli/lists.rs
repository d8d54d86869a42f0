//! Kindergarten lists (附表) as bureaus have them, written here by
//! generators of each format (not by bangfu's own writer): a merged
//! title row and a note above the header, the header's usual variants,
//! messy values, a blank row, a row with several problems, a totals row
//! and a note below. Every format must import the same kindergartens and
//! name every problem by the row Excel shows.

use super::*;

/// The list, row by row as a clerk sees it (row 1 first). `None` is a
/// blank row; a cell that reads as a number is written as a number where
/// the format has numbers (as Excel keeps what people type).
const LIST: &[Option<&[&str]>] = &[
    Some(&["盘锦市农村幼儿园名单"]),
    Some(&["填报单位：大洼区教育局"]),
    Some(&[
        "序号",
        "幼儿园名称",
        "县（区）",
        "乡（镇）",
        "办园性质",
        "星级",
        "在园幼儿数（人）",
        "专任教师数（人）",
        "备注",
    ]),
    Some(&[
        "1",
        "新兴镇中心幼儿园",
        "大洼区",
        "新兴镇",
        "公办",
        "四星级",
        "180",
        "15",
        "",
    ]),
    Some(&[
        "2",
        "胜利村幼儿园",
        "大洼区",
        "新兴镇",
        "普惠性民办园",
        "3星",
        "６０",
        "５",
        "",
    ]),
    None,
    Some(&[
        "3",
        "　东风镇 幼儿园　",
        "大洼区",
        "东风镇",
        "民办",
        "★★",
        "45人",
        "4",
        "新建",
    ]),
    Some(&["4", "", "大洼区", "东风镇", "公办", "优秀", "很多", "3", ""]),
    Some(&["合 计", "", "", "", "", "", "285", "27", ""]),
    Some(&["注：星级为2024年评估结果"]),
];

/// What every format must import: (name, town, ownership, category,
/// stars, children, teachers).
const EXPECTED: [(&str, &str, &str, &str, i64, i64, i64); 3] = [
    ("东风镇幼儿园", "东风镇", "private", "town", 2, 45, 4),
    (
        "胜利村幼儿园",
        "新兴镇",
        "inclusive_private",
        "village",
        3,
        60,
        5,
    ),
    (
        "新兴镇中心幼儿园",
        "新兴镇",
        "public",
        "town_central",
        4,
        180,
        15,
    ),
];

fn rows() -> impl Iterator<Item = (usize, &'static [&'static str])> {
    LIST.iter()
        .enumerate()
        .filter_map(|(i, r)| r.map(|cells| (i, cells)))
}

/// A cell as a number where it is one in ASCII digits.
fn number(cell: &str) -> Option<f64> {
    if cell.is_empty() || !cell.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    cell.parse().ok()
}

fn csv_text(line_end: &str) -> String {
    let mut text = String::new();
    for r in LIST {
        let cells = r.unwrap_or(&[]);
        text.push_str(&cells.join(","));
        text.push_str(line_end);
    }
    text
}

/// The list as Excel 2007+ writes it, with the title merged across.
fn write_xlsx(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let plain = rust_xlsxwriter::Format::new();
    sheet
        .merge_range(0, 0, 0, 8, "盘锦市农村幼儿园名单", &plain)
        .expect("merge");
    for (r, cells) in rows().skip(1) {
        for (c, v) in cells.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match number(v) {
                Some(n) => sheet.write_number(r, c, n),
                None => sheet.write_string(r, c, *v),
            }
            .expect("cell");
        }
    }
    book.save(path).expect("save xlsx");
}

/// One BIFF8 record: type, length, data.
fn record(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    out.extend(kind.to_le_bytes());
    out.extend((data.len() as u16).to_le_bytes());
    out.extend(data);
}

/// A BIFF8 beginning-of-substream record: `dt` 5 for the workbook, 0x10
/// for a worksheet.
fn bof(out: &mut Vec<u8>, dt: u16) {
    let mut d = Vec::new();
    for v in [0x0600u16, dt, 0x0DBB, 0x07CC] {
        d.extend(v.to_le_bytes());
    }
    d.extend([0u8; 8]);
    record(out, 0x0809, &d);
}

/// The list as Excel 97-2003 writes it: a `Workbook` stream of BIFF8
/// records (labels in UTF-16, numbers as doubles, the title merged) in an
/// OLE2 compound file.
fn write_xls(path: &Path) {
    let name: Vec<u16> = "附表".encode_utf16().collect();
    let mut globals = Vec::new();
    bof(&mut globals, 0x0005);
    let mut sheet_rec = Vec::new();
    sheet_rec.extend(0u32.to_le_bytes()); // the sheet's offset, set below
    sheet_rec.extend([0u8, 0u8, name.len() as u8, 1u8]);
    sheet_rec.extend(name.iter().flat_map(|c| c.to_le_bytes()));
    let offset_at = globals.len() + 4;
    record(&mut globals, 0x0085, &sheet_rec);
    record(&mut globals, 0x000A, &[]);
    let sheet_at = globals.len() as u32;
    globals
        .get_mut(offset_at..offset_at + 4)
        .expect("offset")
        .copy_from_slice(&sheet_at.to_le_bytes());
    let mut sheet = Vec::new();
    bof(&mut sheet, 0x0010);
    for (r, cells) in rows() {
        for (c, v) in cells.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            let mut d = Vec::new();
            for x in [r as u16, c as u16, 0u16] {
                d.extend(x.to_le_bytes());
            }
            match number(v) {
                Some(n) => {
                    d.extend(n.to_le_bytes());
                    record(&mut sheet, 0x0203, &d);
                }
                None => {
                    let text: Vec<u16> = v.encode_utf16().collect();
                    d.extend((text.len() as u16).to_le_bytes());
                    d.push(1);
                    d.extend(text.iter().flat_map(|c| c.to_le_bytes()));
                    record(&mut sheet, 0x0204, &d);
                }
            }
        }
    }
    let mut merge = Vec::new();
    for x in [1u16, 0, 0, 0, 8] {
        merge.extend(x.to_le_bytes());
    }
    record(&mut sheet, 0x00E5, &merge);
    record(&mut sheet, 0x000A, &[]);
    globals.extend(sheet);
    let file = std::fs::File::create(path).expect("create xls");
    let mut cf = cfb::CompoundFile::create(file).expect("compound file");
    let mut stream = cf.create_stream("/Workbook").expect("stream");
    std::io::Write::write_all(&mut stream, &globals).expect("write stream");
    drop(stream);
    cf.flush().expect("flush");
}

/// The list as LibreOffice Calc writes it: an OpenDocument spreadsheet
/// (a zip of `mimetype`, a manifest and `content.xml`).
fn write_ods(path: &Path) {
    use std::io::Write;
    let mut table = String::new();
    for r in LIST {
        table.push_str("<table:table-row>");
        match r {
            None => table.push_str("<table:table-cell/>"),
            Some(cells) if cells.len() == 1 && r == LIST.first().expect("title") => {
                table.push_str(&format!(
                    "<table:table-cell table:number-columns-spanned=\"9\" \
                     office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>\
                     <table:covered-table-cell table:number-columns-repeated=\"8\"/>",
                    cells.first().expect("title")
                ));
            }
            Some(cells) => {
                for v in cells.iter() {
                    table.push_str(&match number(v) {
                        Some(n) => format!(
                            "<table:table-cell office:value-type=\"float\" office:value=\"{n}\">\
                             <text:p>{v}</text:p></table:table-cell>"
                        ),
                        None if v.is_empty() => "<table:table-cell/>".to_string(),
                        None => format!(
                            "<table:table-cell office:value-type=\"string\">\
                             <text:p>{v}</text:p></table:table-cell>"
                        ),
                    });
                }
            }
        }
        table.push_str("</table:table-row>");
    }
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content \
         xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet><table:table table:name=\"附表\">{table}\
         </table:table></office:spreadsheet></office:body></office:document-content>"
    );
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">\
         <manifest:file-entry manifest:full-path=\"/\" \
         manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
         <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
         </manifest:manifest>";
    let file = std::fs::File::create(path).expect("create ods");
    let mut z = zip::ZipWriter::new(file);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default();
    z.start_file("mimetype", stored).expect("mimetype");
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .expect("write");
    z.start_file("META-INF/manifest.xml", deflated)
        .expect("manifest");
    z.write_all(manifest.as_bytes()).expect("write");
    z.start_file("content.xml", deflated).expect("content");
    z.write_all(content.as_bytes()).expect("write");
    z.finish().expect("finish ods");
}

/// The kindergartens of 大洼区 as imported, sorted by name.
fn imported(dir: &Path) -> Vec<(String, String, String, String, i64, i64, i64)> {
    let ks = run(
        dir,
        &["kg", "list", "--district", "大洼区", "--format", "json"],
    )
    .json();
    let text = |k: &serde_json::Value, f: &str| k[f].as_str().unwrap_or_default().to_string();
    let int = |k: &serde_json::Value, f: &str| k[f].as_i64().unwrap_or(-1);
    let mut out: Vec<_> = ks
        .as_array()
        .expect("a list")
        .iter()
        .map(|k| {
            (
                text(k, "name"),
                text(k, "town"),
                text(k, "ownership"),
                text(k, "category"),
                int(k, "stars"),
                int(k, "children"),
                int(k, "teachers"),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_bureau_list_imports_the_same_from_every_format_a_clerk_may_have() {
    type Writer = Box<dyn Fn(&Path)>;
    let files: Vec<(&str, Writer)> = vec![
        ("附表.xlsx", Box::new(write_xlsx)),
        ("附表.xls", Box::new(write_xls)),
        ("附表.ods", Box::new(write_ods)),
        (
            "附表-gbk.csv",
            Box::new(|p: &Path| {
                let text = csv_text("\r\n");
                let (bytes, _, bad) = encoding_rs::GB18030.encode(&text);
                assert!(!bad);
                std::fs::write(p, bytes).expect("write");
            }),
        ),
        (
            "附表-bom.csv",
            Box::new(|p: &Path| {
                std::fs::write(p, format!("\u{feff}{}", csv_text("\r\n"))).expect("write")
            }),
        ),
        (
            "附表-utf8.csv",
            Box::new(|p: &Path| std::fs::write(p, csv_text("\n")).expect("write")),
        ),
        (
            "附表-mac.csv",
            Box::new(|p: &Path| std::fs::write(p, csv_text("\r")).expect("write")),
        ),
        // An .xls saved under another name still reaches the workbook reader.
        ("附表-xls-renamed.csv", Box::new(write_xls)),
    ];
    let mut expected: Vec<_> = EXPECTED
        .iter()
        .map(|(n, t, o, c, s, ch, te)| {
            (
                n.to_string(),
                t.to_string(),
                o.to_string(),
                c.to_string(),
                *s,
                *ch,
                *te,
            )
        })
        .collect();
    expected.sort();
    for (name, write) in files {
        let dir = panjin();
        let file = dir.path().join(name);
        write(&file);
        let path = file.to_str().expect("path");
        let before = imported(dir.path());
        // One round names every problem of the bad row, by its row number.
        let err = run(dir.path(), &["kindergarten", "import", path])
            .fails()
            .to_string();
        for problem in [
            "第 8 行：缺少名称",
            "第 8 行：星级「优秀」",
            "第 8 行：幼儿数「很多」",
        ] {
            assert!(err.contains(problem), "{name}: {problem} in {err}");
        }
        assert!(
            !err.contains("第 9 行"),
            "{name}: the totals row is no error: {err}"
        );
        assert_eq!(imported(dir.path()), before, "{name}: nothing written");
        let out = run(dir.path(), &["kindergarten", "import", path, "--only-good"])
            .ok()
            .to_string();
        for said in [
            "第 1 行：表头上方的「盘锦市农村幼儿园名单」",
            "第 2 行：表头上方的「填报单位：大洼区教育局」",
            "第 3 行为表头；未使用的列：序号、备注",
            "第 9 行：「合计」为合计行",
            "第 10 行：表下说明",
            "第 4 行：类别定为「镇中心园」（园名含“中心”）",
            "第 5 行：类别定为「村屯园」（园名含“村”）",
            "第 7 行：类别定为「镇幼儿园」（园名含“镇”）",
            "已导入 3 所幼儿园",
        ] {
            assert!(out.contains(said), "{name}: {said} in {out}");
        }
        let mut now = imported(dir.path());
        now.retain(|k| !before.contains(k));
        assert_eq!(now, expected, "{name}");
    }
}

#[test]
fn a_row_naming_another_district_than_the_one_given_is_refused_not_moved() {
    let dir = panjin();
    let file = dir.path().join("附表.csv");
    std::fs::write(
        &file,
        "园名,县（区）,类别,性质\n甲村幼儿园,盘山县,村屯园,公办\n乙村幼儿园,,村屯园,公办\n",
    )
    .expect("write");
    let path = file.to_str().expect("path");
    let err = run(
        dir.path(),
        &["kindergarten", "import", path, "--district", "大洼区"],
    )
    .fails()
    .to_string();
    assert!(
        err.contains("第 2 行：表中县区为「盘山县」，与指定的县区「大洼区」不同"),
        "{err}"
    );
    assert!(!err.contains("第 3 行"), "{err}");
    // Without --district each row goes where the list puts it; a row
    // with none is named.
    let err = run(dir.path(), &["kindergarten", "import", path])
        .fails()
        .to_string();
    assert!(err.contains("第 3 行：缺少县区"), "{err}");
    assert!(!err.contains("第 2 行"), "{err}");
    // With the district given, the row without one takes it.
    let out = run(
        dir.path(),
        &[
            "kindergarten",
            "import",
            path,
            "--district",
            "盘山县",
            "--dry-run",
        ],
    )
    .ok()
    .to_string();
    assert!(out.contains("2 所幼儿园可以导入"), "{out}");
}

#[test]
fn a_list_without_categories_takes_the_one_given_where_the_name_says_none() {
    let dir = panjin();
    let file = dir.path().join("附表.csv");
    std::fs::write(&file, "园名,县区,性质\n阳光幼儿园,盘山县,民办\n").expect("write");
    let path = file.to_str().expect("path");
    let err = run(dir.path(), &["kindergarten", "import", path])
        .fails()
        .to_string();
    assert!(err.contains("第 2 行：缺少类别"), "{err}");
    let out = run(
        dir.path(),
        &["kindergarten", "import", path, "--category", "镇幼儿园"],
    )
    .ok()
    .to_string();
    assert!(
        out.contains("第 2 行：类别定为「镇幼儿园」（按指定的类别）"),
        "{out}"
    );
    let ks = run(dir.path(), &["kg", "list", "--format", "json"]).json();
    let sunny = ks
        .as_array()
        .into_iter()
        .flatten()
        .find(|k| k["name"] == "阳光幼儿园")
        .expect("imported");
    assert_eq!(sunny["category"], "town");
}

/// A pairing's agreement, written for both sides to sign and seal.
#[test]
fn a_pairing_agreement_is_written_as_a_word_document_to_sign() {
    use std::io::Read;
    let dir = tempfile::tempdir().expect("tempdir");
    run(dir.path(), &["demo"]).ok();
    let ps = run(dir.path(), &["pairing", "list", "--format", "json"]).json();
    let p = ps
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["signed"].is_object())
        .expect("a signed pairing in the demo");
    let id = p["id"].as_str().expect("id");
    let file = dir.path().join("协议书.docx");
    run(
        dir.path(),
        &["pairing", "agreement", id, file.to_str().expect("path")],
    )
    .ok();
    let bytes = std::fs::read(&file).expect("written");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    let mut xml = String::new();
    z.by_name("word/document.xml")
        .expect("document")
        .read_to_string(&mut xml)
        .expect("utf-8");
    assert!(xml.contains("农村幼儿园帮扶协议书"));
    for side in ["helper_names", "helped_names"] {
        for name in p[side].as_array().expect("names") {
            let name = name.as_str().expect("name");
            assert!(xml.contains(name), "{name} in the agreement");
        }
    }
    assert!(xml.contains("不向乙方收取品牌费"), "the fee clause");
    // Signed on the day the agreement says, written the official way.
    let signed = p["signed"]["on"].as_str().expect("signed");
    let (y, rest) = signed.split_once('-').expect("date");
    let (m, d) = rest.split_once('-').expect("date");
    let day = format!(
        "{y}年{}月{}日",
        m.trim_start_matches('0'),
        d.trim_start_matches('0')
    );
    assert!(xml.contains(&day), "{day}");
}

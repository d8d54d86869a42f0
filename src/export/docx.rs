//! Word documents laid out as Chinese official documents (GB/T 9704-2012,
//! 党政机关公文格式): A4 with the standard's margins, the title in 2号
//! 小标宋, body in 3号 仿宋 with a two-character first-line indent and a
//! fixed line pitch, headings 一、 in 黑体 and （一） in 楷体, tables whose
//! header row repeats on every page, page numbers "— 1 —" at the outer
//! foot, the issuing body and the date (2024年9月18日) at the end, and the
//! document properties naming the real author and date.
//!
//! The package is written here, part by part: docx-rs (used before) always
//! writes a second, empty `Normal` style, cannot mark a table row as a
//! header row and cannot set the author (see docs/ARCHITECTURE.md).

use super::ExportError;
use crate::i18n::Lang;
use chrono::{Datelike, NaiveDate};
use std::fmt::Write as _;
use std::io::Write as _;

/// One cell of a table: numbers are right-aligned.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub number: bool,
    /// Indented one character (a line breaking down the one above).
    pub sub: bool,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            number: false,
            sub: false,
        }
    }

    pub fn number(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            number: true,
            sub: false,
        }
    }
}

/// A part of the body, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A first-level heading ("一、…"), in 黑体.
    Heading(String),
    /// A second-level heading ("（一）…"), in 楷体.
    Subheading(String),
    /// A body paragraph.
    Para(String),
    /// A line without indent (甲方：…).
    Line(String),
    /// A table: its header row (repeated on each page), its rows, and
    /// each column's share of the width.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<Cell>>,
        shares: Vec<u32>,
    },
    /// Signature and seal blocks side by side, without borders: each
    /// column's lines.
    Signatures(Vec<Vec<String>>),
    /// A photo (one of [`Official::pictures`], by index), centred, with
    /// its caption under it.
    Picture { index: usize, caption: String },
}

/// A JPEG put in the document, and its size in pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub jpeg: Vec<u8>,
    pub pixels: (u32, u32),
}

/// A document ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct Official {
    pub lang: Lang,
    pub title: String,
    pub blocks: Vec<Block>,
    /// The issuing body (发文机关署名), one line each; none for a document
    /// that ends in signature blocks.
    pub issuer: Vec<String>,
    /// 成文日期.
    pub dated: NaiveDate,
    /// Who made the file, for its properties.
    pub author: String,
    /// 附件: what follows the issuer and date, on a page of its own,
    /// headed 附件 (photos of typical cases, a list of documents).
    pub annex: Vec<Block>,
    /// The photos [`Block::Picture`] names.
    pub pictures: Vec<Picture>,
}

// Sizes in half-points and lengths in twentieths of a point.
const TITLE_SIZE: u32 = 44; // 2号
const BODY_SIZE: u32 = 32; // 3号
const TABLE_SIZE: u32 = 24; // 小4号
const PAGE_NUMBER_SIZE: u32 = 28; // 4号
/// One character of the page number (14 pt).
const PAGE_NUMBER_CHAR: u32 = 280;
/// One Chinese character of the body (16 pt).
const CHAR: u32 = 320;
/// The line pitch: 22 lines in the 225 mm type area.
const LINE: u32 = 579;
/// The type area's width: 156 mm.
const TEXT_WIDTH: u32 = 8844;

const TITLE_FONT: &str = "方正小标宋简体";
const BODY_FONT: &str = "仿宋_GB2312";
const HEADING_FONT: &str = "黑体";
const SUBHEADING_FONT: &str = "楷体_GB2312";
const NUMBER_FONT: &str = "宋体";
const LATIN_FONT: &str = "Times New Roman";

/// Each font of the document with the one a word processor takes when it
/// lacks it (`w:altName`: 仿宋 for 仿宋_GB2312, as Windows has since 7),
/// and its family (serif for the 宋 and 仿宋 faces, sans for 黑体), which
/// LibreOffice uses to pick a similar face (Noto Serif CJK, Noto Sans
/// CJK).
const FONT_TABLE: [(&str, &str, &str); 6] = [
    (TITLE_FONT, "宋体", "roman"),
    (BODY_FONT, "仿宋", "roman"),
    (HEADING_FONT, "SimHei", "swiss"),
    (SUBHEADING_FONT, "楷体", "script"),
    (NUMBER_FONT, "SimSun", "roman"),
    (LATIN_FONT, "Liberation Serif", "roman"),
];

fn font_table_xml() -> String {
    let fonts: String = FONT_TABLE
        .iter()
        .map(|(name, alt, family)| {
            // GB2312's character set (86) for the Chinese faces.
            let charset = if name.is_ascii() { "00" } else { "86" };
            format!(
                "<w:font w:name=\"{name}\"><w:altName w:val=\"{alt}\"/>\
                 <w:charset w:val=\"{charset}\"/><w:family w:val=\"{family}\"/>\
                 <w:pitch w:val=\"variable\"/></w:font>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:fonts xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">{fonts}</w:fonts>"
    )
}

/// A date as the document writes it: 2024年9月18日, or 18 September 2024.
pub fn date_text(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::En => d.format("%-d %B %Y").to_string(),
        _ => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
    }
}

/// Text made safe inside XML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

fn fonts(east_asia: &str) -> String {
    format!(
        "<w:rFonts w:ascii=\"{LATIN_FONT}\" w:hAnsi=\"{LATIN_FONT}\" w:eastAsia=\"{east_asia}\" w:cs=\"{LATIN_FONT}\"/>"
    )
}

/// A run of text in a font and size (none: the paragraph style's).
fn run(text: &str, font: Option<&str>, size: Option<u32>, bold: bool) -> String {
    let mut props = String::new();
    if let Some(f) = font {
        props.push_str(&fonts(f));
    }
    if bold {
        props.push_str("<w:b/>");
    }
    if let Some(s) = size {
        let _ = write!(props, "<w:sz w:val=\"{s}\"/><w:szCs w:val=\"{s}\"/>");
    }
    let props = if props.is_empty() {
        String::new()
    } else {
        format!("<w:rPr>{props}</w:rPr>")
    };
    format!(
        "<w:r>{props}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
        esc(text)
    )
}

/// A paragraph of `style` with extra paragraph properties.
fn para(style: &str, extra: &str, runs: &str) -> String {
    format!("<w:p><w:pPr><w:pStyle w:val=\"{style}\"/>{extra}</w:pPr>{runs}</w:p>")
}

/// How wide a line of body text is, in twentieths of a point.
fn width_of(s: &str) -> u32 {
    s.chars()
        .map(|c| if c.is_ascii() { CHAR / 2 } else { CHAR })
        .fold(0u32, u32::saturating_add)
}

fn table(header: &[String], rows: &[Vec<Cell>], shares: &[u32]) -> String {
    let total: u32 = shares.iter().copied().fold(0, u32::saturating_add).max(1);
    let widths: Vec<u32> = shares
        .iter()
        .map(|s| TEXT_WIDTH.saturating_mul(*s) / total)
        .collect();
    let mut x = String::from(
        "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/><w:jc w:val=\"center\"/>\
         <w:tblBorders><w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/></w:tblBorders>\
         <w:tblLayout w:type=\"fixed\"/>\
         <w:tblCellMar><w:left w:w=\"100\" w:type=\"dxa\"/><w:right w:w=\"100\" w:type=\"dxa\"/></w:tblCellMar>\
         </w:tblPr><w:tblGrid>",
    );
    for w in &widths {
        let _ = write!(x, "<w:gridCol w:w=\"{w}\"/>");
    }
    x.push_str("</w:tblGrid>");
    let cell = |w: u32, p: String| {
        format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>{p}</w:tc>"
        )
    };
    x.push_str("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
    for (h, w) in header.iter().zip(&widths) {
        let p = para(
            "TableText",
            "<w:jc w:val=\"center\"/>",
            &run(h, Some(HEADING_FONT), None, false),
        );
        x.push_str(&cell(*w, p));
    }
    x.push_str("</w:tr>");
    for r in rows {
        x.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for (c, w) in r.iter().zip(&widths) {
            let mut extra = String::new();
            if c.number {
                extra.push_str("<w:jc w:val=\"right\"/>");
            } else if c.sub {
                let _ = write!(extra, "<w:ind w:left=\"{}\"/>", CHAR);
            }
            x.push_str(&cell(
                *w,
                para("TableText", &extra, &run(&c.text, None, None, false)),
            ));
        }
        x.push_str("</w:tr>");
    }
    x.push_str("</w:tbl>");
    x
}

/// Signature blocks: a borderless table, one column each.
fn signatures(columns: &[Vec<String>]) -> String {
    let n = u32::try_from(columns.len()).unwrap_or(1).max(1);
    let w = TEXT_WIDTH / n;
    let mut x = String::from(
        "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>",
    );
    for _ in columns {
        let _ = write!(x, "<w:gridCol w:w=\"{w}\"/>");
    }
    x.push_str("</w:tblGrid><w:tr><w:trPr><w:cantSplit/></w:trPr>");
    for lines in columns {
        let _ = write!(
            x,
            "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/></w:tcPr>"
        );
        for l in lines {
            x.push_str(&para("Plain", "", &run(l, None, None, false)));
        }
        x.push_str("</w:tc>");
    }
    x.push_str("</w:tr></w:tbl>");
    x
}

/// The body of `word/document.xml`.
fn body(o: &Official) -> String {
    let mut x = String::new();
    x.push_str(&para("Title", "", &run(&o.title, None, None, false)));
    // 标题下空一行.
    x.push_str(&para("Plain", "", ""));
    x.push_str(&blocks(&o.blocks, o));
    if !o.issuer.is_empty() {
        // 落款: two blank lines, the issuer centred over the date, the
        // date four characters from the right edge.
        let date = date_text(o.lang, o.dated);
        let date_w = width_of(&date);
        let right = CHAR.saturating_mul(4);
        x.push_str(&para("Plain", "", ""));
        x.push_str(&para("Plain", "", ""));
        for line in &o.issuer {
            let shift = date_w.saturating_sub(width_of(line)) / 2;
            let ind = format!(
                "<w:jc w:val=\"right\"/><w:ind w:right=\"{}\"/>",
                right.saturating_add(shift)
            );
            x.push_str(&para("Plain", &ind, &run(line, None, None, false)));
        }
        let ind = format!("<w:jc w:val=\"right\"/><w:ind w:right=\"{right}\"/>");
        x.push_str(&para("Plain", &ind, &run(&date, None, None, false)));
    }
    if !o.annex.is_empty() {
        x.push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>");
        x.push_str(&para(
            "Plain",
            "",
            &run(&annex_word(o.lang), None, None, false),
        ));
        x.push_str(&blocks(&o.annex, o));
    }
    x
}

/// 附件, the word that heads the annex.
fn annex_word(lang: Lang) -> String {
    crate::tr!(lang, "doc.annex")
}

fn blocks(list: &[Block], o: &Official) -> String {
    let mut x = String::new();
    for b in list {
        match b {
            Block::Heading(t) => x.push_str(&para("Heading1", "", &run(t, None, None, false))),
            Block::Subheading(t) => x.push_str(&para("Heading2", "", &run(t, None, None, false))),
            Block::Para(t) => x.push_str(&para("Normal", "", &run(t, None, None, false))),
            Block::Line(t) => x.push_str(&para("Plain", "", &run(t, None, None, false))),
            Block::Table {
                header,
                rows,
                shares,
            } => {
                x.push_str(&table(header, rows, shares));
                x.push_str(&para("Plain", "", ""));
            }
            Block::Signatures(cols) => x.push_str(&signatures(cols)),
            Block::Picture { index, caption } => {
                if let Some(p) = o.pictures.get(*index) {
                    x.push_str(&picture(*index, p));
                    let centre = "<w:jc w:val=\"center\"/>";
                    x.push_str(&para("Plain", centre, &run(caption, None, None, false)));
                }
            }
        }
    }
    x
}

/// EMUs in a millimetre.
const EMU_PER_MM: u64 = 36_000;
/// A photo is at most this wide and this high on the page (mm).
const PICTURE_MM: (u64, u64) = (120, 80);

/// A photo inline in its own centred paragraph, scaled to fit
/// [`PICTURE_MM`] (the paragraph's spacing is not the body's exact one,
/// which would cut the picture to one line).
fn picture(index: usize, p: &Picture) -> String {
    let (w, h) = (u64::from(p.pixels.0.max(1)), u64::from(p.pixels.1.max(1)));
    let max_w = PICTURE_MM.0.saturating_mul(EMU_PER_MM);
    let max_h = PICTURE_MM.1.saturating_mul(EMU_PER_MM);
    // Fit the width, then the height, keeping the shape.
    let (mut cx, mut cy) = (max_w, max_w.saturating_mul(h) / w);
    if cy > max_h {
        cy = max_h;
        cx = max_h.saturating_mul(w) / h;
    }
    let n = index.saturating_add(1);
    format!(
        "<w:p><w:pPr><w:pStyle w:val=\"Plain\"/><w:keepNext/><w:snapToGrid w:val=\"0\"/>\
         <w:spacing w:before=\"240\" w:after=\"60\" w:line=\"240\" w:lineRule=\"auto\"/>\
         <w:jc w:val=\"center\"/></w:pPr><w:r><w:drawing>\
         <wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">\
         <wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"{n}\" name=\"photo{n}\"/>\
         <a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\">\
         <a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">\
         <pic:pic xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">\
         <pic:nvPicPr><pic:cNvPr id=\"{n}\" name=\"image{n}.jpeg\"/><pic:cNvPicPr/></pic:nvPicPr>\
         <pic:blipFill><a:blip r:embed=\"rIdImage{n}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
         <pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm>\
         <a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>\
         </a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
    )
}

const W_NS: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
     xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
     xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\"";

fn document_xml(o: &Official) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document {W_NS}><w:body>{}\
         <w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooterOdd\"/>\
         <w:footerReference w:type=\"even\" r:id=\"rIdFooterEven\"/>\
         <w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
         <w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\" \
         w:header=\"851\" w:footer=\"1247\" w:gutter=\"0\"/>\
         <w:docGrid w:type=\"linesAndChars\" w:linePitch=\"{LINE}\" w:charSpace=\"0\"/>\
         </w:sectPr></w:body></w:document>",
        body(o)
    )
}

/// The styles: one `Normal` (the body), the title, two heading levels,
/// plain lines, table text and the footer.
fn styles_xml(o: &Official) -> String {
    let lang = match o.lang {
        Lang::En => "en-GB",
        _ => "zh-CN",
    };
    let style = |id: &str, name: &str, ppr: &str, rpr: &str| {
        format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>\
             {based}<w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>",
            based = if id == "Normal" {
                ""
            } else {
                "<w:basedOn w:val=\"Normal\"/>"
            }
        )
    };
    let size = |s: u32| format!("<w:sz w:val=\"{s}\"/><w:szCs w:val=\"{s}\"/>");
    let exact =
        format!("<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{LINE}\" w:lineRule=\"exact\"/>");
    let indent = format!(
        "<w:ind w:firstLineChars=\"200\" w:firstLine=\"{}\"/>",
        CHAR * 2
    );
    let no_indent = "<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/>";
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:styles {W_NS}>\
         <w:docDefaults><w:rPrDefault><w:rPr>{}{}<w:lang w:val=\"{lang}\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>\
         <w:pPrDefault><w:pPr>{exact}<w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>",
        fonts(BODY_FONT),
        size(BODY_SIZE),
    );
    x.push_str(&style("Normal", "Normal", &format!("{exact}{indent}"), ""));
    x.push_str(&style(
        "Title",
        "Title",
        &format!(
            "<w:keepNext/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"700\" w:lineRule=\"exact\"/>{no_indent}<w:jc w:val=\"center\"/><w:outlineLvl w:val=\"0\"/>"
        ),
        &format!("{}{}", fonts(TITLE_FONT), size(TITLE_SIZE)),
    ));
    x.push_str(&style(
        "Heading1",
        "heading 1",
        &format!("<w:keepNext/>{exact}{indent}<w:outlineLvl w:val=\"1\"/>"),
        &fonts(HEADING_FONT),
    ));
    x.push_str(&style(
        "Heading2",
        "heading 2",
        &format!("<w:keepNext/>{exact}{indent}<w:outlineLvl w:val=\"2\"/>"),
        &fonts(SUBHEADING_FONT),
    ));
    x.push_str(&style("Plain", "Plain", &format!("{exact}{no_indent}"), ""));
    x.push_str(&style(
        "TableText",
        "Table Text",
        &format!("<w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"40\" w:after=\"40\" w:line=\"240\" w:lineRule=\"auto\"/>{no_indent}"),
        &size(TABLE_SIZE),
    ));
    x.push_str(&style(
        "Footer",
        "footer",
        &format!("<w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/>{no_indent}"),
        &format!("{}{}", fonts(NUMBER_FONT), size(PAGE_NUMBER_SIZE)),
    ));
    x.push_str("</w:styles>");
    x
}

/// A footer with the page number as "— 1 —", one character in from the
/// outer edge: right on odd pages, left on even ones.
fn footer_xml(odd: bool) -> String {
    let (jc, ind) = if odd {
        ("right", format!("<w:ind w:right=\"{PAGE_NUMBER_CHAR}\"/>"))
    } else {
        ("left", format!("<w:ind w:left=\"{PAGE_NUMBER_CHAR}\"/>"))
    };
    let field = "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>\
         <w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
         <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r>\
         <w:r><w:fldChar w:fldCharType=\"end\"/></w:r>";
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:ftr {W_NS}>\
         <w:p><w:pPr><w:pStyle w:val=\"Footer\"/><w:jc w:val=\"{jc}\"/>{ind}</w:pPr>\
         <w:r><w:t xml:space=\"preserve\">— </w:t></w:r>{field}\
         <w:r><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>"
    )
}

fn core_xml(o: &Official) -> String {
    let when = format!("{}T00:00:00Z", o.dated.format("%Y-%m-%d"));
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{title}</dc:title><dc:creator>{author}</dc:creator>\
         <cp:lastModifiedBy>{author}</cp:lastModifiedBy>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:modified>\
         </cp:coreProperties>",
        title = esc(&o.title),
        author = esc(&o.author),
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/fontTable.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/word/footer2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
</Types>";

const PACKAGE_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>";

/// The document's relationships: its parts, and each photo.
fn document_rels(o: &Official) -> String {
    let images: String = (1..=o.pictures.len())
        .map(|n| {
            format!(
                "<Relationship Id=\"rIdImage{n}\" \
                 Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" \
                 Target=\"media/image{n}.jpeg\"/>"
            )
        })
        .collect();
    DOCUMENT_RELS.replace("</Relationships>", &format!("{images}</Relationships>"))
}

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdFonts\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable\" Target=\"fontTable.xml\"/>\
<Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
<Relationship Id=\"rIdFooterOdd\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
<Relationship Id=\"rIdFooterEven\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/>\
</Relationships>";

const SETTINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:evenAndOddHeaders/><w:defaultTabStop w:val=\"420\"/><w:characterSpacingControl w:val=\"compressPunctuation\"/>\
</w:settings>";

const APP: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">\
<Application>bangfu</Application></Properties>";

/// The document as the bytes of a `.docx` file.
pub fn write(o: &Official) -> Result<Vec<u8>, ExportError> {
    let fail = |e: &dyn std::fmt::Display| ExportError::Docx(e.to_string());
    let parts: [(&str, String); 11] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", PACKAGE_RELS.to_string()),
        ("word/document.xml", document_xml(o)),
        ("word/styles.xml", styles_xml(o)),
        ("word/settings.xml", SETTINGS.to_string()),
        ("word/fontTable.xml", font_table_xml()),
        ("word/footer1.xml", footer_xml(true)),
        ("word/footer2.xml", footer_xml(false)),
        ("word/_rels/document.xml.rels", document_rels(o)),
        ("docProps/core.xml", core_xml(o)),
        ("docProps/app.xml", APP.to_string()),
    ];
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        z.start_file(name, options).map_err(|e| fail(&e))?;
        z.write_all(text.as_bytes()).map_err(|e| fail(&e))?;
    }
    // JPEGs are compressed already: stored as they are.
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (i, p) in o.pictures.iter().enumerate() {
        let name = format!("word/media/image{}.jpeg", i.saturating_add(1));
        z.start_file(name, stored).map_err(|e| fail(&e))?;
        z.write_all(&p.jpeg).map_err(|e| fail(&e))?;
    }
    let out = z.finish().map_err(|e| fail(&e))?;
    Ok(out.into_inner())
}

//! Rows of a table read from a `.csv`, `.xlsx`, `.xls` or `.ods` file,
//! each with the row number a person sees in Excel, for imports that name
//! the bad rows.

use crate::i18n::Lang;
use crate::tr;
use std::path::Path;

/// Rows numbered as a person sees them, each its cells or why it could
/// not be read.
pub type Numbered = Vec<(usize, Result<Vec<String>, String>)>;

/// A file's header row and its data rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    /// The rows above the header (a title, a date, a note), each as its
    /// row number and its filled cells joined.
    pub above: Vec<(usize, String)>,
    /// The header's row number.
    pub header_line: usize,
    pub headers: Vec<String>,
    /// (row number as shown in Excel or a text editor, cells)
    pub rows: Numbered,
}

/// Why a file could not be read as a table.
#[derive(Debug)]
pub enum SheetError {
    Io(std::io::Error),
    /// A spreadsheet its reader refused (the reader's words).
    Spreadsheet(String),
    /// A workbook without a sheet.
    NoSheet,
    /// Text in no encoding a list is saved in.
    Encoding,
}

impl SheetError {
    /// The reason in the reader's language.
    pub fn say(&self, lang: Lang) -> String {
        match self {
            SheetError::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tr!(lang, "sheet.not_found")
            }
            SheetError::Io(e) => e.to_string(),
            SheetError::Spreadsheet(detail) => tr!(lang, "sheet.spreadsheet", detail = detail),
            SheetError::NoSheet => tr!(lang, "sheet.no_sheet"),
            SheetError::Encoding => tr!(lang, "sheet.encoding"),
        }
    }
}

/// How many rows above the header a list may have (a title, a date, a
/// note of who made it).
const ROWS_BEFORE_HEADER: usize = 10;

/// The first bytes of an OLE2 compound file: a `.xls` workbook.
const XLS_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads a table from a spreadsheet (`.xlsx`, `.xls` or `.ods`, known by
/// its name or its first bytes: its first sheet) or, otherwise, a CSV
/// file (see `decode` for the encodings). Blank rows are skipped. The
/// header is the first row `is_header` accepts among the first few, so a
/// title row above it (a bureau's "盘锦市农村幼儿园名单") is passed over;
/// when none is accepted, the first row with anything in it.
pub fn read(path: &Path, is_header: impl Fn(&[String]) -> bool) -> Result<Rows, SheetError> {
    let bytes = std::fs::read(path).map_err(SheetError::Io)?;
    let named = |ext: &str| {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case(ext))
    };
    let spreadsheet = ["xlsx", "xlsm", "xls", "ods"].iter().any(|e| named(e))
        || bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(XLS_MAGIC);
    let numbered = if spreadsheet {
        sheet(bytes)?
    } else {
        csv(&bytes)?
    };
    Ok(with_header(numbered, is_header))
}

/// Splits numbered rows into the rows above the header, the header and
/// the data below it.
fn with_header(rows: Numbered, is_header: impl Fn(&[String]) -> bool) -> Rows {
    let filled =
        |r: &Result<Vec<String>, String>| r.as_ref().is_ok_and(|c| c.iter().any(|x| !x.is_empty()));
    let candidates = rows.iter().enumerate().filter(|(_, (_, r))| filled(r));
    let found = candidates
        .clone()
        .take(ROWS_BEFORE_HEADER)
        .find(|(_, (_, r))| r.as_ref().is_ok_and(|c| is_header(c)))
        .or_else(|| candidates.clone().next())
        .map(|(i, _)| i);
    let Some(at) = found else {
        return Rows::default();
    };
    let mut rows = rows.into_iter();
    let above = rows
        .by_ref()
        .take(at)
        .map(|(n, r)| {
            let cells = r.unwrap_or_default();
            let text: Vec<String> = cells.into_iter().filter(|c| !c.is_empty()).collect();
            (n, text.join(" "))
        })
        .collect();
    let (header_line, headers) = match rows.next() {
        Some((n, Ok(cells))) => (n, cells),
        Some((n, Err(_))) => (n, Vec::new()),
        None => (0, Vec::new()),
    };
    Rows {
        above,
        header_line,
        headers,
        rows: rows.collect(),
    }
}

/// The text of a CSV file: UTF-8 or UTF-16 after a byte-order mark,
/// UTF-8 without one, UTF-16 without one (Excel's "Unicode text" has
/// a NUL beside every ASCII character), else GB18030 (which GBK is part
/// of: what Chinese Excel writes by default). `None` when it is none of
/// these.
fn decode(bytes: &[u8]) -> Option<String> {
    use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE};
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((e, bom)) => (e, bytes.get(bom..).unwrap_or_default()),
        None => match std::str::from_utf8(bytes) {
            Ok(text) => return Some(text.to_string()),
            Err(_) => {
                let nul_at = |odd: bool| {
                    bytes
                        .iter()
                        .skip(usize::from(odd))
                        .step_by(2)
                        .take(256)
                        .filter(|b| **b == 0)
                        .count()
                };
                let (even, odd) = (nul_at(false), nul_at(true));
                let e = if odd > 8 && odd > even.saturating_mul(4) {
                    UTF_16LE
                } else if even > 8 && even > odd.saturating_mul(4) {
                    UTF_16BE
                } else {
                    GB18030
                };
                (e, bytes)
            }
        },
    };
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    (!had_errors).then(|| text.into_owned())
}

/// Every non-blank record of a CSV file (commas, or tabs when the first
/// line has more tabs than commas), numbered by its line, whatever the
/// line ends (CR, LF or CRLF).
fn csv(bytes: &[u8]) -> Result<Numbered, SheetError> {
    let text = decode(bytes).ok_or(SheetError::Encoding)?;
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let first = text.lines().next().unwrap_or_default();
    let tabs = first.matches('\t').count();
    let delimiter = if tabs > first.matches(',').count() {
        b'\t'
    } else {
        b','
    };
    let bytes = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(bytes);
    // The line a record starts on, counted from the text: a record said
    // to start at a line end starts after it.
    let line_at = |p: Option<&csv::Position>| {
        let at = p.and_then(|p| usize::try_from(p.byte()).ok()).unwrap_or(0);
        let ends = bytes
            .get(at..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| **b == b'\n')
            .count();
        let before = bytes.get(..at.saturating_add(ends)).unwrap_or(bytes);
        before
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            .saturating_add(1)
    };
    let mut rows = Vec::new();
    for rec in reader.records() {
        match rec {
            Ok(r) => {
                let cells: Vec<String> = r.iter().map(|c| c.trim().to_string()).collect();
                if cells.iter().any(|c| !c.is_empty()) {
                    rows.push((line_at(r.position()), Ok(cells)));
                }
            }
            Err(e) => rows.push((line_at(e.position()), Err(e.to_string()))),
        }
    }
    Ok(rows)
}

/// A cell as text: whole numbers without a decimal point (Excel keeps
/// counts as floating point).
fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string().trim().to_string(),
    }
}

/// Every non-blank row of a workbook's first sheet, numbered as Excel
/// shows it.
fn sheet(bytes: Vec<u8>) -> Result<Numbered, SheetError> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| SheetError::Spreadsheet(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(SheetError::NoSheet)?
        .map_err(|e| SheetError::Spreadsheet(e.to_string()))?;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, r)| {
            let n = first_row.saturating_add(i).saturating_add(1);
            (n, r.iter().map(cell_text).collect::<Vec<_>>())
        })
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
        .map(|(n, cells)| (n, Ok(cells)))
        .collect())
}

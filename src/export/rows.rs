//! Rows of a table read from a `.csv`, `.xlsx`, `.xls` or `.ods` file,
//! each with the row number a person sees in Excel, for imports that name
//! the bad rows.

use std::path::Path;

/// Rows numbered as a person sees them, each its cells or why it could
/// not be read.
pub type Numbered = Vec<(usize, Result<Vec<String>, String>)>;

/// A file's header row and its data rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub headers: Vec<String>,
    /// (row number as shown in Excel or a text editor, cells)
    pub rows: Numbered,
}

/// How many rows above the header a list may have (a title, a date, a
/// note of who made it).
const ROWS_BEFORE_HEADER: usize = 10;

/// The first bytes of an OLE2 compound file: a `.xls` workbook.
const XLS_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads a table from a spreadsheet (`.xlsx`, `.xls` or `.ods`: its first
/// sheet) or, otherwise, a CSV file (UTF-8, with or without a byte-order
/// mark). Blank rows are skipped. The header is the first row `is_header`
/// accepts among the first few, so a title row above it (a bureau's
/// "盘锦市农村幼儿园名单") is passed over; when none is accepted, the
/// first row with anything in it.
pub fn read(path: &Path, is_header: impl Fn(&[String]) -> bool) -> Result<Rows, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
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
        csv(&bytes)
    };
    Ok(with_header(numbered, is_header))
}

/// Splits numbered rows into the header and the data below it.
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
    let mut rows = rows.into_iter().skip(at);
    let headers = match rows.next() {
        Some((_, Ok(cells))) => cells,
        _ => Vec::new(),
    };
    Rows {
        headers,
        rows: rows.collect(),
    }
}

/// Every non-blank record of a CSV file, numbered by its line.
fn csv(bytes: &[u8]) -> Numbered {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(bytes);
    // The line a record starts on, counted from the bytes (the reader's
    // own count is one short after Windows line ends, "\r\n").
    let line_at = |p: Option<&csv::Position>| {
        let at = p.and_then(|p| usize::try_from(p.byte()).ok()).unwrap_or(0);
        // After "\r\n" the reader says a record starts at its "\n".
        let rest = bytes.get(at..).unwrap_or_default();
        let ends = rest
            .iter()
            .take_while(|b| **b == b'\r' || **b == b'\n')
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
    rows
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
fn sheet(bytes: Vec<u8>) -> Result<Numbered, String> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| e.to_string())?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| "no sheet".to_string())?
        .map_err(|e| e.to_string())?;
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

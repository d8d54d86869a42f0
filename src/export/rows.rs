//! Rows of a table read from a `.csv` or `.xlsx` file, each with the row
//! number a person sees in Excel, for imports that name the bad rows.

use std::path::Path;

/// A file's header row and its data rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub headers: Vec<String>,
    /// (row number as shown in Excel or a text editor, cells)
    pub rows: Vec<(usize, Result<Vec<String>, String>)>,
}

/// Reads a table from a `.xlsx` (its first sheet) or, otherwise, a CSV file
/// (UTF-8, with or without a byte-order mark). Blank rows are skipped.
pub fn read(path: &Path) -> Result<Rows, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let is_xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
        || bytes.starts_with(b"PK\x03\x04");
    if is_xlsx { xlsx(bytes) } else { csv(&bytes) }
}

fn csv(bytes: &[u8]) -> Result<Rows, String> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for rec in reader.records() {
        match rec {
            Ok(r) => {
                let line = r.position().map(|p| p.line() as usize).unwrap_or(0);
                let cells: Vec<String> = r.iter().map(|c| c.trim().to_string()).collect();
                if cells.iter().any(|c| !c.is_empty()) {
                    rows.push((line, Ok(cells)));
                }
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                rows.push((line, Err(e.to_string())));
            }
        }
    }
    Ok(Rows { headers, rows })
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

fn xlsx(bytes: Vec<u8>) -> Result<Rows, String> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| e.to_string())?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| "no sheet".to_string())?
        .map_err(|e| e.to_string())?;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let mut it = range.rows().enumerate();
    // The header is the first row with anything in it.
    let mut headers = Vec::new();
    for (_, r) in it.by_ref() {
        let cells: Vec<String> = r.iter().map(cell_text).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            headers = cells;
            break;
        }
    }
    let rows = it
        .map(|(i, r)| {
            (
                first_row + i + 1,
                r.iter().map(cell_text).collect::<Vec<_>>(),
            )
        })
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
        .map(|(n, cells)| (n, Ok(cells)))
        .collect();
    Ok(Rows { headers, rows })
}

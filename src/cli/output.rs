//! Printing lists and records as a table, JSON or CSV.

use std::io::Write;

/// How a list or record is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" => Some(Format::Table),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

use crate::domain::Model;
use crate::i18n::Lang;
pub use crate::present::{Table, table_text};
use crate::present::{View, table};

/// Writes to standard output, without control characters (see
/// [`crate::present::printable`]); a closed pipe (`| head`) is not an error.
pub fn out(s: &str) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(crate::present::printable(s).as_bytes());
    let _ = o.write_all(b"\n");
}

pub fn csv_text(t: &Table) -> String {
    let bytes = crate::export::lists::csv(t).unwrap_or_default();
    String::from_utf8_lossy(&bytes).trim_end().to_string()
}

/// Prints a list in the chosen format; JSON comes from `json`.
pub fn print_list(format: Format, table: &Table, json: serde_json::Value) {
    match format {
        Format::Table => out(&table_text(table)),
        Format::Csv => out(&csv_text(table)),
        Format::Json => print_json(&json),
    }
}

pub fn print_json(v: &serde_json::Value) {
    out(&serde_json::to_string_pretty(v).unwrap_or_default());
}

/// Prints one record as `label: value` lines (table), a JSON object, or a
/// two-column CSV.
pub fn print_record(format: Format, fields: &[(String, String)], json: serde_json::Value) {
    match format {
        Format::Json => print_json(&json),
        Format::Csv => {
            let t = Table {
                headers: fields.iter().map(|(k, _)| k.clone()).collect(),
                rows: vec![fields.iter().map(|(_, v)| v.clone()).collect()],
            };
            out(&csv_text(&t));
        }
        Format::Table => {
            let width = fields
                .iter()
                .map(|(k, _)| unicode_width::UnicodeWidthStr::width(k.as_str()))
                .max()
                .unwrap_or(0);
            for (k, v) in fields {
                let pad = width - unicode_width::UnicodeWidthStr::width(k.as_str());
                let mut lines = v.lines();
                let first = lines.next().unwrap_or("");
                out(&format!("{k}{}  {first}", " ".repeat(pad)));
                for l in lines {
                    out(&format!("{}  {l}", " ".repeat(width)));
                }
            }
        }
    }
}

/// Prints records in the chosen format. JSON and CSV are written one
/// record at a time, so their memory does not grow with the list (a
/// province's `visit list --format json` held every record as a JSON value
/// and a table row at once: 976 MiB for 119 MB of output); a table needs
/// every row first, for its column widths.
pub fn print_all<T: View>(format: Format, lang: Lang, model: &Model, items: &[&T]) {
    let mut o = std::io::BufWriter::new(std::io::stdout().lock());
    // A closed pipe (`| head`) ends the output; it is not an error.
    let _ = match format {
        Format::Table => return out(&table_text(&table(lang, model, items))),
        Format::Json => serde_json::to_writer_pretty(&mut o, &Listed { items, model })
            .map_err(std::io::Error::from)
            .and_then(|()| o.write_all(b"\n")),
        Format::Csv => {
            let headers = crate::present::headers(lang, &crate::present::column_keys(T::COLUMNS));
            std::iter::once(headers)
                .chain(items.iter().map(|x| x.row(lang, model)))
                .try_for_each(|row| o.write_all(csv_line(&row).as_bytes()))
        }
    }
    .and_then(|()| o.flush());
}

/// Records as a JSON array, each turned into JSON as it is written.
struct Listed<'a, T: View> {
    items: &'a [&'a T],
    model: &'a Model,
}

impl<T: View> serde::Serialize for Listed<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.items.iter().map(|x| x.json(self.model)))
    }
}

/// One CSV record and its line break, without control characters (as
/// [`out`] prints [`csv_text`]).
fn csv_line(row: &[String]) -> String {
    let t = Table {
        headers: row.to_vec(),
        rows: Vec::new(),
    };
    let bytes = crate::export::lists::csv(&t).unwrap_or_default();
    crate::present::printable(&String::from_utf8_lossy(&bytes)).into_owned()
}

/// Prints one record in the chosen format.
pub fn print_one<T: View>(format: Format, lang: Lang, model: &Model, item: &T) {
    print_record(format, &item.fields(lang, model), item.json(model));
}

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

/// Prints records in the chosen format.
pub fn print_all<T: View>(format: Format, lang: Lang, model: &Model, items: &[&T]) {
    let json = items.iter().map(|x| x.json(model)).collect();
    print_list(format, &table(lang, model, items), json);
}

/// Prints one record in the chosen format.
pub fn print_one<T: View>(format: Format, lang: Lang, model: &Model, item: &T) {
    print_record(format, &item.fields(lang, model), item.json(model));
}

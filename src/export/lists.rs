//! Lists of records as files: CSV (UTF-8 with a byte-order mark, so Excel
//! shows Chinese) and Excel, with every field in full.

use super::{ExportError, ReportDoc};
use crate::domain::lists::{self, Query};
use crate::domain::*;
use crate::i18n::Lang;
use crate::present::{Table, View};

/// The lists that can be written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Kindergartens,
    Pairings,
    Visits,
    Inspections,
}

impl What {
    pub fn parse(s: &str) -> Option<What> {
        match s.trim().to_ascii_lowercase().as_str() {
            "kindergartens" | "kindergarten" | "kg" => Some(What::Kindergartens),
            "pairings" | "pairing" => Some(What::Pairings),
            "visits" | "visit" => Some(What::Visits),
            "inspections" | "inspection" => Some(What::Inspections),
            _ => None,
        }
    }

    pub fn entity(self) -> Entity {
        match self {
            What::Kindergartens => Entity::Kindergarten,
            What::Pairings => Entity::Pairing,
            What::Visits => Entity::Visit,
            What::Inspections => Entity::Inspection,
        }
    }
}

/// Every field of every record, one row each, under the fields' labels.
fn full<T: View>(lang: Lang, model: &Model, items: Vec<&T>) -> Table {
    let mut t = Table {
        headers: crate::present::headers(lang, &crate::present::column_keys(T::COLUMNS)),
        rows: Vec::new(),
    };
    for (i, item) in items.iter().enumerate() {
        let fields = item.fields(lang, model);
        if i == 0 {
            t.headers = fields.iter().map(|(k, _)| k.clone()).collect();
        }
        t.rows.push(fields.into_iter().map(|(_, v)| v).collect());
    }
    // Records by name first; the id, which no one reads, last.
    let id = crate::i18n::field(lang, "id");
    if let Some(at) = t.headers.iter().position(|h| *h == id) {
        let h = t.headers.remove(at);
        t.headers.push(h);
        for r in &mut t.rows {
            if at < r.len() {
                let v = r.remove(at);
                r.push(v);
            }
        }
    }
    t
}

/// A whole list, in the order every list has (`domain::lists`).
pub fn table(lang: Lang, model: &Model, what: What) -> Table {
    let all = Query::all();
    match what {
        What::Kindergartens => full(lang, model, lists::kindergartens(model, &all)),
        What::Pairings => full(lang, model, lists::pairings(model, &all)),
        What::Visits => full(lang, model, lists::visits(model, &all)),
        What::Inspections => full(lang, model, lists::inspections(model, &all)),
    }
}

/// A table as CSV, without a byte-order mark (for the terminal).
pub fn csv(t: &Table) -> Result<Vec<u8>, ExportError> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let fail = |e: ::csv::Error| ExportError::Csv(e.to_string());
    w.write_record(&t.headers).map_err(fail)?;
    for r in &t.rows {
        w.write_record(r).map_err(fail)?;
    }
    w.into_inner().map_err(|e| ExportError::Csv(e.to_string()))
}

/// A table as a CSV file Excel opens with Chinese intact: UTF-8 with a
/// byte-order mark.
pub fn csv_file(t: &Table) -> Result<Vec<u8>, ExportError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend(csv(t)?);
    Ok(out)
}

/// A report as CSV: its facts, figures and sections as (item, value) rows.
pub fn report_csv(doc: &ReportDoc) -> Result<Vec<u8>, ExportError> {
    let mut rows = vec![vec![doc.title.clone(), String::new()]];
    rows.extend(doc.facts.iter().map(|(k, v)| vec![k.clone(), v.clone()]));
    rows.push(vec![doc.figures_heading.clone(), String::new()]);
    rows.extend(
        doc.figures
            .iter()
            .map(|r| vec![r.label.clone(), r.value.text()]),
    );
    rows.extend(
        doc.sections
            .iter()
            .map(|(_, h, text)| vec![h.clone(), text.clone()]),
    );
    let mut it = rows.into_iter();
    let headers = it.next().unwrap_or_default();
    csv_file(&Table {
        headers,
        rows: it.collect(),
    })
}

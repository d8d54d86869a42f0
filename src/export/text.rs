//! A report as the terminal shows it: plain text with aligned tables.

use super::ReportDoc;
use crate::i18n::{self, Lang};
use crate::present::{Table, table_text};
use crate::tr;

/// A report as the terminal shows it: title, facts, figures, sections.
pub fn report_text(lang: Lang, doc: &ReportDoc) -> String {
    let mut s = format!("{}\n\n", doc.title);
    for (k, v) in &doc.facts {
        s.push_str(&doc.fact_line(k, v));
        s.push('\n');
    }
    s.push_str(&format!("\n{}\n", doc.figures_heading));
    if !doc.figures.is_empty() {
        let t = Table {
            headers: vec![tr!(lang, "report.item"), tr!(lang, "report.value")],
            rows: doc
                .figures
                .iter()
                .map(|r| {
                    let label = if r.sub {
                        format!("  {}", r.label)
                    } else {
                        r.label.clone()
                    };
                    vec![label, r.value.text()]
                })
                .collect(),
        };
        s.push_str(&table_text(&t));
        s.push('\n');
    }
    for (_, heading, text) in &doc.sections {
        s.push_str(&format!("\n{heading}\n"));
        if text.trim().is_empty() {
            s.push_str(&tr!(lang, "report.empty_section"));
        } else {
            s.push_str(text.trim_end());
        }
        s.push('\n');
    }
    if let Some((heading, rows)) = &doc.below {
        s.push_str(&format!("\n{heading}\n"));
        let t = Table {
            headers: vec![i18n::field(lang, "name"), tr!(lang, "report.status")],
            rows: rows
                .iter()
                .map(|(a, b)| vec![a.clone(), b.clone()])
                .collect(),
        };
        s.push_str(&table_text(&t));
        s.push('\n');
    }
    s
}

//! Reports as Markdown: readable as plain text, pasted into a chat or an
//! e-mail, or turned into anything else.

use super::ReportDoc;

/// A Markdown table cell: no line breaks, no bare pipes.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn report(doc: &ReportDoc) -> String {
    let mut out = format!("# {}\n\n", doc.title);
    for (k, v) in &doc.facts {
        out.push_str(&format!(
            "- {}\n",
            doc.fact_line(&format!("**{}**", cell(k)), &cell(v))
        ));
    }
    out.push_str(&format!("\n## {}\n\n", doc.figures_heading));
    if !doc.figures.is_empty() {
        out.push_str(&format!(
            "| {} | {} |\n|---|---:|\n",
            crate::tr!(doc.lang, "doc.item"),
            crate::tr!(doc.lang, "doc.amount")
        ));
        for r in &doc.figures {
            let label = if r.sub {
                format!("　{}", cell(&r.label))
            } else {
                cell(&r.label)
            };
            out.push_str(&format!("| {label} | {} |\n", r.value.text()));
        }
        if let Some(note) = &doc.figures_note {
            out.push_str(&format!("\n{note}\n"));
        }
    }
    for (_, heading, text) in &doc.sections {
        out.push_str(&format!("\n## {heading}\n\n"));
        if !text.trim().is_empty() {
            out.push_str(text.trim_end());
            out.push('\n');
        }
    }
    if let Some((heading, rows)) = &doc.below {
        out.push_str(&format!(
            "\n## {heading}\n\n| {} | {} |\n|---|---|\n",
            crate::tr!(doc.lang, "doc.name"),
            crate::tr!(doc.lang, "doc.standing")
        ));
        for (name, status) in rows {
            out.push_str(&format!("| {} | {} |\n", cell(name), cell(status)));
        }
    }
    let e = &doc.evidence;
    if !e.photos.is_empty() || !e.documents.is_empty() {
        out.push_str(&format!("\n## {}\n", crate::tr!(doc.lang, "doc.annex")));
    }
    if !e.photos.is_empty() {
        out.push_str(&format!(
            "\n### {}\n\n",
            crate::tr!(doc.lang, "doc.annex_photos")
        ));
        for (i, (_, caption)) in e.photos.iter().enumerate() {
            let n = i.saturating_add(1);
            let line = crate::tr!(doc.lang, "doc.figure", n = n, caption = caption.as_str());
            out.push_str(&format!("{n}. {}\n", cell(&line)));
        }
    }
    if !e.documents.is_empty() {
        out.push_str(&format!(
            "\n### {}\n\n",
            crate::tr!(doc.lang, "doc.annex_documents")
        ));
        for (i, d) in e.documents.iter().enumerate() {
            out.push_str(&format!("{}. {}\n", i.saturating_add(1), cell(d)));
        }
    }
    out
}

//! Word documents: an annual summary (or any report) with its title,
//! headings, paragraphs and statistics table.

use super::{ExportError, ReportDoc};
use docx_rs::{
    AlignmentType, Docx, Paragraph, Run, RunFonts, Style, StyleType, Table, TableCell, TableRow,
    WidthType,
};

/// Heading styles Word and LibreOffice recognise as headings (outline
/// levels), with a Chinese font for the Chinese text.
fn styles(docx: Docx) -> Docx {
    let fonts = || RunFonts::new().east_asia("SimSun").ascii("Times New Roman");
    docx.add_style(
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .bold()
            .size(36)
            .fonts(fonts()),
    )
    .add_style(
        Style::new("Heading1", StyleType::Paragraph)
            .name("heading 1")
            .bold()
            .size(30)
            .outline_lvl(0)
            .fonts(fonts()),
    )
    .add_style(
        Style::new("Normal", StyleType::Paragraph)
            .name("Normal")
            .size(24)
            .fonts(fonts()),
    )
}

/// A body paragraph, named "Normal" outright: docx-rs marks no style as the
/// default, and some readers then see a paragraph with no style at all.
fn paragraph(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(text))
        .style("Normal")
}

fn heading(text: &str) -> Paragraph {
    paragraph(text).style("Heading1")
}

fn cell(text: &str, width: usize) -> TableCell {
    TableCell::new()
        .add_paragraph(paragraph(text))
        .width(width, WidthType::Dxa)
}

/// Two-column table (label, value); widths in twentieths of a point.
fn table(rows: impl Iterator<Item = (String, String)>) -> Table {
    Table::new(
        rows.map(|(a, b)| TableRow::new(vec![cell(&a, 5600), cell(&b, 2800)]))
            .collect(),
    )
    .set_grid(vec![5600, 2800])
    .width(8400, WidthType::Dxa)
}

pub fn report(doc: &ReportDoc) -> Result<Vec<u8>, ExportError> {
    let mut d = styles(Docx::new()).add_paragraph(
        paragraph(&doc.title)
            .style("Title")
            .align(AlignmentType::Center),
    );
    for (k, v) in &doc.facts {
        d = d.add_paragraph(paragraph(&doc.fact_line(k, v)));
    }
    for (_, h, text) in &doc.sections {
        d = d.add_paragraph(heading(h));
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            d = d.add_paragraph(paragraph(line.trim_end()));
        }
    }
    d = d.add_paragraph(heading(&doc.figures_heading));
    if !doc.figures.is_empty() {
        d = d.add_table(table(doc.figures.iter().map(|r| {
            let label = if r.sub {
                format!("　　{}", r.label)
            } else {
                r.label.clone()
            };
            (label, r.value.text())
        })));
    }
    if let Some((h, rows)) = &doc.below {
        d = d.add_paragraph(heading(h));
        d = d.add_table(table(rows.iter().cloned()));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.pack(&mut out)
        .map_err(|e| ExportError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

//! Excel workbooks: a report laid out as the form a bureau prints, and
//! lists as one sheet with a header row.

use super::{ExportError, ReportDoc, Value};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

fn err(e: XlsxError) -> ExportError {
    ExportError::Xlsx(e.to_string())
}

/// Rows a wrapped text needs in a merged cell about 90 characters wide
/// (a Chinese character counts as two).
fn lines_needed(text: &str) -> u32 {
    text.lines()
        .map(|l| {
            let w = unicode_width::UnicodeWidthStr::width(l) as u32;
            w / 90 + 1
        })
        .sum::<u32>()
        .max(1)
}

/// A report as the bureau's form: title, facts, the figures table (counts
/// as numbers, so Excel can add them up), then each written section.
pub fn report(doc: &ReportDoc) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    write_report(sheet, doc).map_err(err)?;
    book.save_to_buffer().map_err(err)
}

fn write_report(sheet: &mut Worksheet, doc: &ReportDoc) -> Result<(), XlsxError> {
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let head = Format::new().set_bold().set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin);
    let sub = Format::new().set_border(FormatBorder::Thin).set_indent(2);
    let count = Format::new().set_border(FormatBorder::Thin);
    let score = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0.00");
    let text = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    sheet.set_name("报表")?;
    sheet.set_column_width(0, 30)?;
    sheet.set_column_width(1, 14)?;
    sheet.set_column_width(2, 48)?;
    sheet.set_row_height(0, 28)?;
    sheet.merge_range(0, 0, 0, 2, &doc.title, &title)?;
    let mut row = 2;
    for (k, v) in &doc.facts {
        sheet.write_string_with_format(row, 0, k, &head)?;
        sheet.merge_range(row, 1, row, 2, v, &cell)?;
        row += 1;
    }
    row += 1;
    sheet.merge_range(row, 0, row, 2, &doc.figures_heading, &head)?;
    row += 1;
    for r in &doc.figures {
        sheet.write_string_with_format(row, 0, &r.label, if r.sub { &sub } else { &cell })?;
        match r.value {
            Value::Count(n) => {
                sheet.write_number_with_format(row, 1, n as f64, &count)?;
            }
            Value::Score(Some(x)) => {
                sheet.write_number_with_format(row, 1, x, &score)?;
            }
            Value::Score(None) => {
                sheet.write_string_with_format(row, 1, "-", &cell)?;
            }
        }
        sheet.write_string_with_format(row, 2, "", &cell)?;
        row += 1;
    }
    for (_, heading, body) in &doc.sections {
        row += 1;
        sheet.merge_range(row, 0, row, 2, heading, &head)?;
        row += 1;
        sheet.set_row_height(row, 15 * lines_needed(body))?;
        sheet.merge_range(row, 0, row, 2, body, &text)?;
        row += 1;
    }
    if let Some((heading, rows)) = &doc.below {
        row += 1;
        sheet.merge_range(row, 0, row, 2, heading, &head)?;
        row += 1;
        for (name, status) in rows {
            sheet.write_string_with_format(row, 0, name, &cell)?;
            sheet.merge_range(row, 1, row, 2, status, &cell)?;
            row += 1;
        }
    }
    Ok(())
}

/// A list as one sheet: a bold header row, then one row per record.
/// Cells that are whole numbers are written as numbers.
pub fn table(
    sheet_name: &str,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    (|| -> Result<(), XlsxError> {
        sheet.set_name(sheet_name)?;
        for (c, h) in header.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            sheet.write_string_with_format(0, col, h, &bold)?;
            let widest = rows
                .iter()
                .filter_map(|r| r.get(c))
                .chain(std::iter::once(h))
                .map(|s| unicode_width::UnicodeWidthStr::width(s.as_str()))
                .max()
                .unwrap_or(8);
            sheet.set_column_width(col, (widest.clamp(6, 50) + 2) as f64)?;
        }
        for (r, cells) in rows.iter().enumerate() {
            let row = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, v) in cells.iter().enumerate() {
                let col = u16::try_from(c).unwrap_or(u16::MAX);
                match v.parse::<i64>() {
                    // Phone numbers and ids stay text: a leading zero or
                    // more digits than Excel keeps exactly.
                    Ok(n) if !v.starts_with('0') && v.len() < 12 => {
                        sheet.write_number(row, col, n as f64)?;
                    }
                    _ => {
                        sheet.write_string(row, col, v)?;
                    }
                }
            }
        }
        Ok(())
    })()
    .map_err(err)?;
    book.save_to_buffer().map_err(err)
}

//! Excel workbooks: a report laid out as the form a bureau prints, and
//! lists as one sheet with a header row.

use super::{ExportError, ReportDoc, Value};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

fn err(e: XlsxError) -> ExportError {
    ExportError::Xlsx(e.to_string())
}

/// Rows a wrapped text needs in a merged cell about 80 characters wide
/// (a Chinese character counts as two).
fn lines_needed(text: &str) -> u32 {
    text.lines()
        .map(|l| {
            let w = unicode_width::UnicodeWidthStr::width(l) as u32;
            w / 80 + 1
        })
        .sum::<u32>()
        .max(1)
}

/// A report as the bureau's form: title, facts, the figures table (counts
/// as numbers, so Excel can add them up), then each written section.
pub fn report(doc: &ReportDoc) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    book.set_properties(&properties(&doc.author, doc.dated));
    let sheet = book.add_worksheet();
    write_report(sheet, doc).map_err(err)?;
    book.save_to_buffer().map_err(err)
}

/// Ready to print: A4 portrait, one page wide, margins of a form, the
/// page number at the foot.
fn print_setup(sheet: &mut Worksheet, landscape: bool) {
    sheet.set_paper_size(9);
    if landscape {
        sheet.set_landscape();
    } else {
        sheet.set_portrait();
    }
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_print_center_horizontally(true);
    sheet.set_margins(0.6, 0.5, 0.7, 0.7, 0.3, 0.3);
    sheet.set_footer("&C— &P —");
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
    let title = title.set_text_wrap().set_align(FormatAlign::VerticalCenter);
    let number_head = head.clone().set_align(FormatAlign::Right);
    sheet.set_name("报表")?;
    print_setup(sheet, false);
    // 36 + 12 + 36 characters: within A4 portrait's width.
    sheet.set_column_width(0, 36)?;
    sheet.set_column_width(1, 12)?;
    sheet.set_column_width(2, 36)?;
    let title_lines = unicode_width::UnicodeWidthStr::width(doc.title.as_str()) as u32 / 52 + 1;
    sheet.set_row_height(0, 24 * title_lines)?;
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
    let l = doc.lang;
    sheet.write_string_with_format(row, 0, crate::tr!(l, "doc.item"), &head)?;
    sheet.write_string_with_format(row, 1, crate::tr!(l, "doc.amount"), &number_head)?;
    sheet.write_string_with_format(row, 2, "", &head)?;
    // The figures' header repeats on every printed page.
    sheet.set_repeat_rows(row, row)?;
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
    if let Some(note) = &doc.figures_note {
        sheet.set_row_height(row, 15 * lines_needed(note))?;
        sheet.merge_range(row, 0, row, 2, note, &text)?;
        row += 1;
    }
    write_texts(sheet, doc, row, (&head, &text, &cell))
}

/// The written sections, then the summaries below, from `row` on; the
/// formats of a heading, a text and a cell.
fn write_texts(
    sheet: &mut Worksheet,
    doc: &ReportDoc,
    mut row: u32,
    (head, text, cell): (&Format, &Format, &Format),
) -> Result<(), XlsxError> {
    for (_, heading, body) in &doc.sections {
        row += 1;
        sheet.merge_range(row, 0, row, 2, heading, head)?;
        row += 1;
        sheet.set_row_height(row, 15 * lines_needed(body))?;
        sheet.merge_range(row, 0, row, 2, body, text)?;
        row += 1;
    }
    if let Some((heading, rows)) = &doc.below {
        row += 1;
        sheet.merge_range(row, 0, row, 2, heading, head)?;
        row += 1;
        for (name, status) in rows {
            sheet.write_string_with_format(row, 0, name, cell)?;
            sheet.merge_range(row, 1, row, 2, status, cell)?;
            row += 1;
        }
    }
    Ok(())
}

/// What a list's cell holds, as Excel should keep it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Typed {
    Whole(f64),
    Decimal(f64),
    Date(chrono::NaiveDate),
    Text,
}

/// A cell's text read as a number or a date where it is one: whole
/// numbers (not phone numbers or ids: no leading zero, fewer than 12
/// digits), decimals (3.50), dates (2024-10-20).
fn typed(v: &str) -> Typed {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(v) && (v == "0" || !v.starts_with('0')) && v.len() < 12 {
        return v.parse().map_or(Typed::Text, Typed::Whole);
    }
    if let Some((whole, frac)) = v.split_once('.')
        && digits(whole)
        && digits(frac)
        && v.len() < 16
    {
        return v.parse().map_or(Typed::Text, Typed::Decimal);
    }
    match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) if v.len() == 10 && excel_date(d).is_some() => Typed::Date(d),
        _ => Typed::Text,
    }
}

/// A date as Excel keeps it; `None` outside the years Excel knows.
fn excel_date(d: chrono::NaiveDate) -> Option<rust_xlsxwriter::ExcelDateTime> {
    use chrono::Datelike;
    let y = u16::try_from(d.year()).ok()?;
    let m = u8::try_from(d.month()).ok()?;
    let day = u8::try_from(d.day()).ok()?;
    rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, day).ok()
}

/// The file's properties: who made it, and when.
fn properties(author: &str, on: chrono::NaiveDate) -> rust_xlsxwriter::DocProperties {
    let p = rust_xlsxwriter::DocProperties::new().set_author(author);
    match excel_date(on) {
        Some(when) => p.set_creation_datetime(&when),
        None => p,
    }
}

/// A list as one sheet, ready to work with and to print: a bold header
/// row, frozen, with a filter, repeated on every printed page; counts,
/// decimals and dates as Excel numbers and dates; A4 landscape, one page
/// wide.
pub fn table(
    sheet_name: &str,
    header: &[String],
    rows: &[Vec<String>],
    author: &str,
    on: chrono::NaiveDate,
) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    book.set_properties(&properties(author, on));
    let sheet = book.add_worksheet();
    let bold = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Center);
    // Long text wraps within its column, so the sheet stays readable at
    // one page wide.
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let decimal = cell.clone().set_num_format("0.00");
    let date = cell.clone().set_num_format("yyyy-mm-dd");
    (|| -> Result<(), XlsxError> {
        sheet.set_name(sheet_name)?;
        print_setup(sheet, true);
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
            // Room for the filter's button beside the header.
            sheet.set_column_width(col, (widest.clamp(6, 24) + 3) as f64)?;
        }
        for (r, cells) in rows.iter().enumerate() {
            let row = u32::try_from(r.saturating_add(1)).unwrap_or(u32::MAX);
            for (c, v) in cells.iter().enumerate() {
                let col = u16::try_from(c).unwrap_or(u16::MAX);
                match typed(v) {
                    Typed::Whole(n) => sheet.write_number_with_format(row, col, n, &cell)?,
                    Typed::Decimal(x) => sheet.write_number_with_format(row, col, x, &decimal)?,
                    Typed::Date(d) => match excel_date(d) {
                        Some(when) => sheet.write_datetime_with_format(row, col, &when, &date)?,
                        None => sheet.write_string_with_format(row, col, v, &cell)?,
                    },
                    Typed::Text => sheet.write_string_with_format(row, col, v, &cell)?,
                };
            }
        }
        let last_col = u16::try_from(header.len().saturating_sub(1)).unwrap_or(0);
        let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofilter(0, 0, last_row, last_col)?;
        sheet.set_repeat_rows(0, 0)?;
        Ok(())
    })()
    .map_err(err)?;
    book.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_typed_as_excel_keeps_them() {
        assert_eq!(typed("0"), Typed::Whole(0.0));
        assert_eq!(typed("120"), Typed::Whole(120.0));
        assert_eq!(typed("3.50"), Typed::Decimal(3.5));
        assert_eq!(
            typed("2024-10-20"),
            chrono::NaiveDate::from_ymd_opt(2024, 10, 20).map_or(Typed::Text, Typed::Date)
        );
        assert_eq!(typed("0427-5552268"), Typed::Text);
        assert_eq!(typed("013912345678"), Typed::Text);
        assert_eq!(typed("9816f9aa"), Typed::Text);
        assert_eq!(typed("是"), Typed::Text);
    }
}

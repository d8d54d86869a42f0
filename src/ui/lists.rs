//! The list screens: records in a table (only the rows on screen are
//! built), a line with what is shown and the filter, and the selected
//! record's details.

use super::theme::*;
use crate::app::layout::{self, Areas};
use crate::app::{ListState, Screen, View};
use crate::domain::*;
use crate::i18n::Lang;
use crate::present::{Column, View as _, Width, clip, names};
use crate::tr;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};
use unicode_width::UnicodeWidthStr;

struct Columns {
    headers: Vec<String>,
    widths: Vec<Constraint>,
}

/// The columns a screen shows of a list's columns (`present::Column`),
/// under their short headers.
fn on_screen<T>(l: Lang, columns: &[Column<T>]) -> Columns {
    let shown = columns.iter().filter_map(|c| c.screen.map(|w| (c.key, w)));
    let (headers, widths) = shown
        .map(|(key, w)| {
            let width = match w {
                Width::Chars(n) => Constraint::Length(n),
                Width::Share(n) => Constraint::Fill(n),
            };
            (crate::i18n::text(l, &format!("list.col.{key}")), width)
        })
        .unzip();
    Columns { headers, widths }
}

/// One record's cells under [`on_screen`]'s columns.
fn cells_of<T>(columns: &[Column<T>], item: &T, l: Lang, m: &Model) -> Vec<String> {
    columns
        .iter()
        .filter(|c| c.screen.is_some())
        .map(|c| (c.cell)(item, l, m))
        .collect()
}

fn columns(l: Lang, screen: Screen) -> Columns {
    match screen {
        Screen::Kindergartens => on_screen(l, Kindergarten::COLUMNS),
        Screen::Pairings => on_screen(l, Pairing::COLUMNS),
        Screen::Visits => on_screen(l, Visit::COLUMNS),
        Screen::Inspections => on_screen(l, Inspection::COLUMNS),
        Screen::Reports => on_screen(l, crate::export::REPORT_COLUMNS),
        Screen::Dashboard | Screen::Sync => Columns {
            headers: Vec::new(),
            widths: Vec::new(),
        },
    }
}

fn cells(v: &View<'_>, screen: Screen, id: &Id) -> Vec<String> {
    let (l, m) = (v.lang, v.model);
    match screen {
        Screen::Reports => v
            .screens
            .reports
            .rows
            .get(id)
            .map(|x| cells_of(crate::export::REPORT_COLUMNS, x, l, m)),
        Screen::Kindergartens => m
            .kindergarten(id)
            .map(|k| cells_of(Kindergarten::COLUMNS, k, l, m)),
        Screen::Pairings => m.pairing(id).map(|p| cells_of(Pairing::COLUMNS, p, l, m)),
        Screen::Visits => m.visit(id).map(|x| cells_of(Visit::COLUMNS, x, l, m)),
        Screen::Inspections => m
            .inspection(id)
            .map(|i| cells_of(Inspection::COLUMNS, i, l, m)),
        Screen::Dashboard | Screen::Sync => None,
    }
    .unwrap_or_default()
}

/// A report's facts, its main figures, and the start of each section.
fn report_details(v: &View<'_>, id: &Id) -> (String, Vec<(String, String)>) {
    let (l, m) = (v.lang, v.model);
    let Some(doc) = v
        .screens
        .reports
        .rows
        .get(id)
        .and_then(|x| crate::export::report_doc(l, m, &x.key, v.today))
    else {
        return (String::new(), Vec::new());
    };
    let mut fields = doc.facts.clone();
    fields.extend(
        doc.figures
            .iter()
            .filter(|r| !r.sub)
            .take(4)
            .map(|r| (r.label.clone(), r.value.text())),
    );
    for (_, heading, text) in &doc.sections {
        let shown = if text.trim().is_empty() {
            tr!(l, "report.empty_section")
        } else {
            clip(text, 60)
        };
        fields.push((heading.clone(), shown));
    }
    (doc.title, fields)
}

fn details(l: Lang, m: &Model, screen: Screen, id: &Id) -> (String, Vec<(String, String)>) {
    let what = match screen {
        Screen::Kindergartens => Entity::Kindergarten,
        Screen::Pairings => Entity::Pairing,
        Screen::Visits => Entity::Visit,
        _ => Entity::Inspection,
    };
    let fields = match screen {
        Screen::Kindergartens => m.kindergarten(id).map(|x| x.fields(l, m)),
        Screen::Pairings => m.pairing(id).map(|x| x.fields(l, m)),
        Screen::Visits => m.visit(id).map(|x| x.fields(l, m)),
        Screen::Inspections => m.inspection(id).map(|x| x.fields(l, m)),
        Screen::Dashboard | Screen::Sync | Screen::Reports => None,
    };
    let mut fields = fields.unwrap_or_default();
    if let Some(files) = crate::present::evidence::summary(l, m, id) {
        fields.push((crate::i18n::field(l, "attachments"), files));
    }
    (crate::i18n::entity(l, what), fields)
}

/// What the list shows, for the line under it.
fn criteria(v: &View<'_>, list: &ListState) -> String {
    let (l, m) = (v.lang, v.model);
    let mut parts = vec![tr!(l, "list.count", count = list.rows.len())];
    if v.screen == Screen::Visits {
        let visits = &v.screens.visits;
        if let Some((y, mo)) = visits.month {
            parts.push(tr!(l, "list.month", year = y, month = mo));
        }
        if let Some(p) = &visits.pairing
            && let Some(p) = m.pairing(p)
        {
            parts.push(format!(
                "{}: {}",
                crate::i18n::field(l, "pairing"),
                names(m, &p.helped, l)
            ));
        }
    }
    if !list.filter.is_empty() {
        parts.push(tr!(l, "list.filtered", filter = list.filter.as_str()));
    }
    parts.join("  ")
}

pub fn draw(frame: &mut Frame<'_>, v: &View<'_>, a: &Areas) {
    let Some(list) = v.screens.list(v.screen) else {
        return;
    };
    table(frame, v, list, a.list);
    under(frame, v, list, a.list);
    detail(frame, v, list, a.detail);
}

/// The list's rows under their headers, each cell cut to its column.
fn table(frame: &mut Frame<'_>, v: &View<'_>, list: &ListState, area: Rect) {
    let cap = layout::list_capacity(area);
    let cols = columns(v.lang, v.screen);
    let spans = Layout::horizontal(cols.widths.clone())
        .spacing(1)
        .split(Rect::new(area.x, area.y, area.width, 1));
    let fit = |cells: Vec<String>| -> Vec<String> {
        cells
            .into_iter()
            .zip(spans.iter())
            .map(|(c, r)| crate::present::clip(&c, usize::from(r.width)))
            .collect()
    };
    let rows: Vec<Row> = list
        .rows
        .iter()
        .enumerate()
        .skip(list.offset)
        .take(cap)
        .map(|(i, id)| {
            let row = Row::new(fit(cells(v, v.screen, id)));
            if i == list.selected {
                row.style(SELECTED_STYLE)
            } else {
                row
            }
        })
        .collect();
    let table_area = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(1));
    let empty = rows.is_empty();
    let table = Table::new(rows, cols.widths)
        .header(Row::new(cols.headers).style(HEADER_STYLE))
        .column_spacing(1);
    frame.render_widget(table, table_area);
    if empty {
        let msg = Rect::new(area.x, area.y + 1, area.width, 1);
        frame.render_widget(
            Paragraph::new(Span::styled(tr!(v.lang, "list.empty"), DIM_STYLE)),
            msg,
        );
    }
}

/// The line under the list: the filter being typed, or what is shown and
/// the screen's keys.
fn under(frame: &mut Frame<'_>, v: &View<'_>, list: &ListState, area: Rect) {
    let line_area = Rect::new(
        area.x,
        area.y + area.height.saturating_sub(1),
        area.width,
        1,
    );
    if list.filtering {
        let prompt = format!("/ {}: ", tr!(v.lang, "list.filter"));
        let text = format!("{prompt}{}", list.filter);
        frame.render_widget(
            Paragraph::new(Span::styled(text.clone(), FOCUS_STYLE)),
            line_area,
        );
        let x = line_area.x + (text.width() as u16).min(line_area.width.saturating_sub(1));
        frame.set_cursor_position(Position::new(x, line_area.y));
    } else {
        let hint = v.hint();
        let text = Line::from(vec![
            Span::styled(criteria(v, list), LABEL_STYLE),
            Span::styled(format!("   {hint}"), DIM_STYLE),
        ]);
        frame.render_widget(Paragraph::new(text), line_area);
    }
}

/// A row for each conflict of the record, first in its detail: what each
/// device set, and the key that settles it.
fn conflict_rows(v: &View<'_>, id: &Id) -> Vec<(String, String)> {
    let key = id.to_string();
    let pick = v
        .keymap
        .keys(crate::app::action::Action::Pick, false)
        .first()
        .cloned()
        .unwrap_or_default();
    v.conflicts
        .iter()
        .filter(|c| c.record == key)
        .map(|c| {
            let mut said = crate::present::conflicts::values(v.lang, c);
            if !c.is_start() {
                said = format!(
                    "{said} · {}",
                    tr!(v.lang, "conflict.hint", key = pick.as_str())
                );
            }
            (tr!(v.lang, "conflict.label"), said)
        })
        .collect()
}

/// The selected record, field by field.
fn detail(frame: &mut Frame<'_>, v: &View<'_>, list: &ListState, d: Rect) {
    let Some(id) = list.selected_id() else {
        return;
    };
    let (title, mut fields) = if v.screen == Screen::Reports {
        report_details(v, id)
    } else {
        details(v.lang, v.model, v.screen, id)
    };
    fields.splice(0..0, conflict_rows(v, id));
    let title_area = Rect::new(d.x + 1, d.y, d.width.saturating_sub(1), 1);
    frame.render_widget(Paragraph::new(Span::styled(title, TITLE_STYLE)), title_area);
    let body = Rect::new(
        d.x + 1,
        d.y + 1,
        d.width.saturating_sub(1),
        d.height.saturating_sub(1),
    );
    frame.render_widget(super::fields_paragraph(&fields, body.width), body);
}

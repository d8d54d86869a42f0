//! The import preview: what a list would write, row by row, before
//! anything is written (`app::import`).

use super::theme::*;
use super::{ascii_block, clear, wrap};
use crate::app::action::Action;
use crate::app::import::{Preview, Row};
use crate::app::keymap::Keymap;
use crate::app::layout;
use crate::i18n::Lang;
use crate::tr;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row as TableRow, Table};

/// At most this many lines of notes above the rows (the rest are
/// counted).
const NOTE_LINES: usize = 4;

/// Draws the preview over the screen.
pub fn draw(frame: &mut Frame<'_>, l: Lang, keymap: &Keymap, p: &Preview, size: Rect) {
    let area = layout::overlay(size);
    clear(frame, area);
    let block = ascii_block(tr!(l, "import.preview.title", file = p.title.as_str()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width).max(1);
    let top = top_lines(l, p, width);
    let detail = detail_lines(l, p.rows.get(p.selected), width);
    let keys = wrap(&hint(l, keymap), width);
    let [head, table, below, foot] = Layout::vertical([
        Constraint::Length(top.len() as u16),
        Constraint::Fill(1),
        Constraint::Length(detail.len() as u16),
        Constraint::Length(keys.len() as u16),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(top), head);
    rows(frame, l, p, table);
    frame.render_widget(Paragraph::new(detail), below);
    let keys: Vec<Line> = keys
        .into_iter()
        .map(|k| Line::from(Span::styled(k, DIM_STYLE)))
        .collect();
    frame.render_widget(Paragraph::new(keys), foot);
}

/// What would be written, then what was passed over (a few lines).
fn top_lines(l: Lang, p: &Preview, width: usize) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = wrap(&p.summary, width)
        .into_iter()
        .map(|s| Line::from(Span::styled(s, TITLE_STYLE)))
        .collect();
    let mut notes: Vec<String> = p.notes.iter().flat_map(|n| wrap(n, width)).collect();
    if notes.len() > NOTE_LINES {
        let more = notes.len().saturating_sub(NOTE_LINES.saturating_sub(1));
        notes.truncate(NOTE_LINES.saturating_sub(1));
        notes.push(tr!(l, "import.preview.more_notes", count = more));
    }
    lines.extend(
        notes
            .into_iter()
            .map(|n| Line::from(Span::styled(n, DIM_STYLE))),
    );
    lines
}

/// The rows, the selected one kept in sight.
fn rows(frame: &mut Frame<'_>, l: Lang, p: &Preview, area: Rect) {
    let shown = usize::from(area.height.saturating_sub(1)).max(1);
    let first = p.selected.saturating_sub(shown.saturating_sub(1));
    let body: Vec<TableRow> = p
        .rows
        .iter()
        .enumerate()
        .skip(first)
        .take(shown)
        .map(|(i, r)| {
            let style = match (i == p.selected, r.good()) {
                (true, _) => SELECTED_STYLE,
                (false, false) => BAD_STYLE,
                (false, true) => ratatui::style::Style::new(),
            };
            TableRow::new(vec![
                r.line.to_string(),
                r.name.clone(),
                r.district.clone(),
                r.category.clone(),
                state(l, r),
            ])
            .style(style)
        })
        .collect();
    let header = TableRow::new(vec![
        tr!(l, "import.preview.line"),
        tr!(l, "field.name"),
        tr!(l, "field.district"),
        tr!(l, "field.category"),
        tr!(l, "import.preview.state"),
    ])
    .style(HEADER_STYLE);
    let widths = [
        Constraint::Length(5),
        Constraint::Fill(2),
        Constraint::Length(8),
        Constraint::Length(10),
        Constraint::Fill(3),
    ];
    frame.render_widget(Table::new(body, widths).header(header), area);
}

/// A row's state in a few words: ready, ready with an inferred category,
/// or its first problem.
fn state(l: Lang, r: &Row) -> String {
    match (r.problems.first(), &r.inferred) {
        (Some(p), _) if r.problems.len() > 1 => {
            tr!(
                l,
                "import.preview.problems",
                first = p,
                count = r.problems.len()
            )
        }
        (Some(p), _) => p.clone(),
        (None, Some(why)) => tr!(l, "import.preview.inferred", why = why),
        (None, None) => tr!(l, "import.preview.ready"),
    }
}

/// The selected row whole: every problem, or every field it would get.
fn detail_lines(l: Lang, r: Option<&Row>, width: usize) -> Vec<Line<'static>> {
    let Some(r) = r else {
        return vec![Line::from(tr!(l, "import.preview.no_rows"))];
    };
    let head = tr!(l, "import.bad_row", line = r.line, detail = r.name.as_str());
    let mut lines = vec![Line::from(Span::styled(head, LABEL_STYLE))];
    if r.good() {
        let text = r
            .fields
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| tr!(l, "import.preview.field", name = k, value = v))
            .collect::<Vec<_>>()
            .join("  ");
        lines.extend(wrap(&text, width).into_iter().map(Line::from));
        if let Some(why) = &r.inferred {
            let said = tr!(l, "import.preview.inferred", why = why.as_str());
            lines.extend(wrap(&said, width).into_iter().map(Line::from));
        }
    } else {
        for p in &r.problems {
            lines.extend(
                wrap(&format!("· {p}"), width)
                    .into_iter()
                    .map(|s| Line::from(Span::styled(s, BAD_STYLE))),
            );
        }
    }
    lines
}

/// The preview's keys.
fn hint(l: Lang, k: &Keymap) -> String {
    tr!(
        l,
        "import.preview.keys",
        confirm = k.primary(Action::Confirm),
        edit = k.primary(Action::Edit),
        reread = k.primary(Action::Refresh),
        back = k.primary(Action::Back)
    )
}

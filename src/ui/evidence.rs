//! A record's evidence (`app::evidence`): its files on the left with what
//! is here of each, the selected one's preview and details on the right,
//! the keys below.

use super::theme::*;
use super::{ascii_block, clear, wrap};
use crate::app::action::Action;
use crate::app::evidence::{Files, PREVIEW};
use crate::app::keymap::Keymap;
use crate::app::layout;
use crate::i18n::Lang;
use crate::present::evidence::Here;
use crate::tr;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// Draws the record's files over the screen.
pub fn draw(frame: &mut Frame<'_>, l: Lang, keymap: &Keymap, f: &Files, size: Rect) {
    let area = layout::overlay(size);
    clear(frame, area);
    let block = ascii_block(f.title.clone());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width).max(1);
    let keys = wrap(&hint(l, keymap), width);
    let [body, foot] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(keys.len() as u16)]).areas(inner);
    let [list, side] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(PREVIEW.0.saturating_add(2)),
    ])
    .areas(body);
    frame.render_widget(Paragraph::new(items(l, f)), list);
    let [picture, details] =
        Layout::vertical([Constraint::Length(PREVIEW.1), Constraint::Fill(1)]).areas(side);
    match &f.preview {
        Some(p) => frame.render_widget(ratatui_image::Image::new(&p.0), picture),
        None => frame.render_widget(
            Paragraph::new(Span::styled(tr!(l, "evidence.no_preview"), DIM_STYLE)),
            picture,
        ),
    }
    let lines: Vec<Line> = f
        .items
        .get(f.selected)
        .map(|i| {
            i.details
                .iter()
                .flat_map(|(k, v)| {
                    // A long value wraps under itself, not under its label.
                    let label = format!("{k} ");
                    let indent = label.width();
                    let parts = wrap(v, usize::from(details.width).saturating_sub(indent));
                    parts.into_iter().enumerate().map(move |(n, part)| {
                        let head = match n {
                            0 => Span::styled(label.clone(), LABEL_STYLE),
                            _ => Span::raw(" ".repeat(indent)),
                        };
                        Line::from(vec![head, Span::raw(part)])
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    frame.render_widget(Paragraph::new(lines), details);
    let keys: Vec<Line> = keys
        .into_iter()
        .map(|k| Line::from(Span::styled(k, DIM_STYLE)))
        .collect();
    frame.render_widget(Paragraph::new(keys), foot);
}

/// One line per file; the selected one marked.
fn items(l: Lang, f: &Files) -> Vec<Line<'static>> {
    if f.items.is_empty() {
        return vec![Line::from(Span::styled(tr!(l, "evidence.none"), DIM_STYLE))];
    }
    f.items
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let style = match (n == f.selected, i.here) {
                (true, _) => SELECTED_STYLE,
                (false, Here::Present) => ratatui::style::Style::new(),
                (false, _) => DIM_STYLE,
            };
            Line::from(Span::styled(i.line.clone(), style))
        })
        .collect()
}

fn hint(l: Lang, k: &Keymap) -> String {
    tr!(
        l,
        "evidence.keys",
        add = k.primary(Action::Add),
        open = k.primary(Action::Select),
        export = k.primary(Action::Export),
        delete = k.primary(Action::Delete),
        back = k.primary(Action::Back)
    )
}

//! Drawing a form: a label column, the fields, each field's problem under
//! it, and the real terminal cursor in the field being typed in (so a
//! Chinese input method opens its window there).

use super::theme::*;
use crate::app::action::Action;
use crate::app::form::{Field, Form, Input};
use crate::app::keymap::Keymap;
use crate::i18n::Lang;
use crate::tr;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

fn rows_of(f: &Field) -> u16 {
    f.height() + u16::from(f.error.is_some())
}

/// The first field to draw so the focused one is on screen.
fn first_visible(form: &Form, room: u16) -> usize {
    let mut used = 0u16;
    let mut first = form.focus.min(form.fields.len().saturating_sub(1));
    for i in (0..=first).rev() {
        let h = rows_of(&form.fields[i]);
        if used + h > room {
            break;
        }
        used += h;
        first = i;
    }
    first
}

/// A pick list on one line: the chosen option between arrows of ASCII.
fn choice_line(options: &[crate::app::form::Opt], index: usize, focused: bool) -> Line<'static> {
    let label = options
        .get(index)
        .map(|o| o.label.clone())
        .unwrap_or_default();
    let style = if focused { FOCUS_STYLE } else { Style::new() };
    Line::from(vec![
        Span::styled("< ", DIM_STYLE),
        Span::styled(label, style),
        Span::styled(format!(" >  ({}/{})", index + 1, options.len()), DIM_STYLE),
    ])
}

/// Several options on one line, scrolled so the cursor's is visible.
fn multi_line(
    options: &[crate::app::form::Opt],
    chosen: &[bool],
    cursor: usize,
    focused: bool,
    width: u16,
    typed: &str,
) -> Line<'static> {
    // The options that match what was typed, by their index.
    let items: Vec<(usize, String)> = options
        .iter()
        .zip(chosen)
        .enumerate()
        .filter(|(_, (o, _))| crate::app::form::matches(o, typed))
        .map(|(i, (o, c))| (i, format!("[{}] {}", if *c { "x" } else { " " }, o.label)))
        .collect();
    // Start far enough left that the cursor's item fits.
    let at = items.iter().position(|(i, _)| *i == cursor).unwrap_or(0);
    let mut start = at;
    let mut w = 0usize;
    while start > 0 && w + items[start].1.width() + 2 < usize::from(width) / 2 {
        w += items[start].1.width() + 2;
        start -= 1;
    }
    let count = chosen.iter().filter(|c| **c).count();
    let mut spans = Vec::new();
    if start > 0 {
        spans.push(Span::styled("... ", DIM_STYLE));
    }
    for (i, item) in items.iter().skip(start) {
        let style = if focused && *i == cursor {
            FOCUS_STYLE
        } else if chosen.get(*i).copied().unwrap_or(false) {
            GOOD_STYLE
        } else {
            Style::new()
        };
        spans.push(Span::styled(item.clone(), style));
        spans.push(Span::raw("  "));
    }
    if count > 0 && !focused {
        spans.insert(0, Span::styled(format!("({count}) "), LABEL_STYLE));
    }
    Line::from(spans)
}

/// What was typed to search a long pick list, or (focused, nothing typed
/// yet) that typing searches.
fn search_spans(l: Lang, f: &Field, focused: bool) -> Vec<Span<'static>> {
    match f.search.as_deref() {
        Some("") if focused => vec![Span::styled(tr!(l, "form.search_hint"), DIM_STYLE)],
        Some(typed) if !typed.is_empty() => {
            let found = match &f.input {
                Input::Choice { options, .. } | Input::Multi { options, .. } => options
                    .iter()
                    .filter(|o| crate::app::form::matches(o, typed))
                    .count(),
                _ => 0,
            };
            vec![Span::styled(
                tr!(l, "form.searching", typed = typed, found = found),
                LABEL_STYLE,
            )]
        }
        _ => Vec::new(),
    }
}

/// A field's value in `value`: the text editor (with the cursor) when
/// focused, else the text, choice or toggle as it stands.
fn draw_value(frame: &mut Frame<'_>, l: Lang, f: &Field, focused: bool, value: Rect) {
    match &f.input {
        Input::Line(t) | Input::Note(t) if focused => {
            frame.render_widget(t, value);
            let c = t.screen_cursor();
            let (top, left) = t.scroll_offset();
            let x = value.x + (c.col as u16).saturating_sub(left);
            let y = value.y + (c.row as u16).saturating_sub(top);
            if x < value.x + value.width && y < value.y + value.height {
                frame.set_cursor_position(Position::new(x, y));
            }
        }
        Input::Line(t) => {
            let text = t.lines().join(" ");
            let shown = match &f.hint {
                Some(hint) if text.trim().is_empty() => Span::styled(hint.clone(), DIM_STYLE),
                _ => Span::raw(text),
            };
            frame.render_widget(Paragraph::new(shown), value);
        }
        Input::Note(t) => {
            let lines: Vec<Line> = super::wrap(&t.lines().join("\n"), usize::from(value.width))
                .into_iter()
                .map(Line::from)
                .collect();
            frame.render_widget(Paragraph::new(lines), value);
        }
        Input::Choice { options, index } => {
            let mut line = choice_line(options, *index, focused);
            line.spans.extend(search_spans(l, f, focused));
            frame.render_widget(Paragraph::new(line), value);
        }
        Input::Multi {
            options,
            chosen,
            cursor,
        } => {
            let typed = f.search.as_deref().unwrap_or("");
            let mut line = multi_line(options, chosen, *cursor, focused, value.width, typed);
            let search = search_spans(l, f, focused);
            for (i, s) in search.into_iter().enumerate() {
                line.spans.insert(i, s);
            }
            frame.render_widget(Paragraph::new(line), value);
        }
        Input::Toggle(on) => {
            let text = format!(
                "[{}] {}",
                if *on { "x" } else { " " },
                crate::present::yes_no(l, *on)
            );
            let style = if focused { FOCUS_STYLE } else { Style::new() };
            frame.render_widget(Paragraph::new(Span::styled(text, style)), value);
        }
    }
}

pub fn draw(frame: &mut Frame<'_>, l: Lang, keymap: &Keymap, form: &Form, area: Rect) {
    super::clear(frame, area);
    let block = super::ascii_block(form.title.clone());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 || inner.width < 20 {
        return;
    }
    let label_w = form
        .fields
        .iter()
        .map(|f| f.label.width())
        .max()
        .unwrap_or(0) as u16
        + 2;
    let value_x = inner.x + label_w.min(inner.width / 2);
    let value_w = inner.x + inner.width - value_x;
    // Two lines at the bottom: the form's own problem and the keys.
    let room = inner.height.saturating_sub(2);
    let mut y = inner.y;
    for (i, f) in form
        .fields
        .iter()
        .enumerate()
        .skip(first_visible(form, room))
    {
        let h = rows_of(f);
        if y + h > inner.y + room {
            break;
        }
        let focused = i == form.focus;
        let label_style = if focused { FOCUS_STYLE } else { LABEL_STYLE };
        frame.render_widget(
            Paragraph::new(Span::styled(f.label.clone(), label_style)),
            Rect::new(inner.x, y, label_w.min(inner.width / 2), 1),
        );
        let value = Rect::new(value_x, y, value_w, f.height());
        draw_value(frame, l, f, focused, value);
        if let Some(e) = &f.error {
            frame.render_widget(
                Paragraph::new(Span::styled(format!("! {e}"), BAD_STYLE)),
                Rect::new(value_x, y + f.height(), value_w, 1),
            );
        }
        y += h;
    }
    let bottom = inner.y + inner.height - 2;
    if let Some(m) = &form.message {
        frame.render_widget(
            Paragraph::new(Span::styled(format!("! {m}"), BAD_STYLE)),
            Rect::new(inner.x, bottom, inner.width, 1),
        );
    }
    let keys = tr!(
        l,
        "form.keys",
        save = keymap.keys_of(Action::Save, true),
        cancel = keymap.keys_of(Action::Back, true),
        next = keymap.keys_of(Action::NextField, true)
    );
    frame.render_widget(
        Paragraph::new(Span::styled(keys, DIM_STYLE)),
        Rect::new(inner.x, bottom + 1, inner.width, 1),
    );
}

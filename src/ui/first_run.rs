//! The first screen when the data directory holds no workspace.

use super::theme::*;
use crate::app::layout;
use crate::app::{App, FirstRun, FirstRunChoice};
use crate::tr;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame<'_>, app: &App, first: &FirstRun, size: Rect) {
    let l = app.lang;
    let area = layout::centred(size, 72, 16);
    let block = super::ascii_block(tr!(l, "first_run.title"));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let mut lines: Vec<Line> = super::wrap(&tr!(l, "first_run.welcome"), w)
        .into_iter()
        .map(Line::from)
        .collect();
    lines.extend(
        super::wrap(
            &tr!(
                l,
                "first_run.where",
                dir = app.data_dir.display().to_string()
            ),
            w,
        )
        .into_iter()
        .map(|s| Line::from(Span::styled(s, DIM_STYLE))),
    );
    lines.push(Line::from(""));
    for (i, c) in FirstRunChoice::ALL.iter().enumerate() {
        let text = crate::i18n::text(l, &format!("first_run.{}", c.code()));
        let style = if i == first.choice {
            SELECTED_STYLE
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::from(Span::styled(
            format!(" {} {text} ", i + 1),
            style,
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        tr!(l, "first_run.keys"),
        DIM_STYLE,
    )));
    if let Some(m) = &app.message {
        for part in super::wrap(m, w) {
            lines.push(Line::from(Span::styled(part, WARN_STYLE)));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some(f) = &first.form {
        super::form::draw(frame, l, &app.keymap, f, size);
    }
}

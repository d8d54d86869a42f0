//! The dialogs over a screen: the help, a record's history, a report
//! read whole, a new invite ticket, and the forms (`form.rs`). Each
//! returns how far it can scroll, for the keys that follow.

use super::theme::*;
use super::{ascii_block, clear, wrap};
use crate::app::action::Action;
use crate::app::layout;
use crate::app::{Dialog, View};
use crate::i18n::Lang;
use crate::tr;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

/// Draws the open dialog; how far it can scroll, if it scrolls.
pub fn draw(frame: &mut Frame<'_>, v: &View<'_>, dialog: &Dialog, size: Rect) -> Option<usize> {
    let l = v.lang;
    match dialog {
        Dialog::Help { scroll } => Some(help(frame, v, size, *scroll)),
        Dialog::History {
            title,
            entries,
            scroll,
        } => Some(history(frame, l, size, title, entries, *scroll)),
        Dialog::Form(f) => {
            super::form::draw(frame, l, v.keymap, f, layout::overlay(size));
            None
        }
        Dialog::Report { key, scroll } => report(frame, v, size, key, *scroll),
        Dialog::Deadlines { scroll } => Some(deadlines(frame, v, size, *scroll)),
        Dialog::Written {
            title,
            paths,
            folder,
        } => {
            written(frame, l, size, title, paths, folder);
            None
        }
        Dialog::Import(p) => {
            super::import::draw(frame, l, v.keymap, p, size);
            None
        }
        Dialog::Evidence(f) => {
            super::evidence::draw(frame, l, v.keymap, f, size);
            None
        }
        Dialog::Ticket {
            title,
            ticket: t,
            path,
        } => {
            ticket(frame, l, size, title, t, path.as_deref());
            None
        }
    }
}

/// Keys of the current screen and of forms; how far the help can scroll.
fn help(frame: &mut Frame<'_>, v: &View<'_>, size: Rect, scroll: usize) -> usize {
    let l = v.lang;
    let row = |a: Action, form: bool| {
        let key = format!("action.{}", a.code());
        Row::new(vec![
            v.keymap.keys_of(a, form),
            rust_i18n::t!(key.as_str(), locale = l.code()).into_owned(),
        ])
    };
    // A key that means something else on this screen says so
    // (`action.sign.reports`: submit the report).
    let screen_row = |a: Action| {
        let key = format!("action.{}.{}", a.code(), v.screen.code());
        let text = rust_i18n::t!(key.as_str(), locale = l.code()).into_owned();
        if text == key {
            row(a, false)
        } else {
            Row::new(vec![v.keymap.keys_of(a, false), text])
        }
    };
    let mut rows: Vec<Row> =
        vec![Row::new(vec![String::new(), v.screen.label(l)]).style(HEADER_STYLE)];
    rows.extend(v.screen.actions().iter().map(|a| screen_row(*a)));
    rows.push(Row::new(vec![String::new(), tr!(l, "help.forms")]).style(HEADER_STYLE));
    rows.extend(Action::IN_FORMS.iter().map(|a| row(*a, true)));
    rows.push(Row::new(vec![String::new(), tr!(l, "help.choices")]));
    rows.push(Row::new(vec![String::new(), tr!(l, "help.everywhere")]).style(HEADER_STYLE));
    rows.extend(Action::EVERYWHERE.iter().map(|a| row(*a, false)));
    let body = layout::areas(size).body;
    let area = layout::centred(body, 90, rows.len() as u16 + 2);
    let shown = usize::from(area.height.saturating_sub(2));
    let max = rows.len().saturating_sub(shown);
    let scroll = scroll.min(max);
    let more = rows.len() > shown;
    let rows: Vec<Row> = rows.into_iter().skip(scroll).collect();
    clear(frame, area);
    let mut title = tr!(l, "help.title");
    if more {
        title = format!("{title}  {}", tr!(l, "help.scroll"));
    }
    let table = Table::new(
        rows,
        [
            ratatui::layout::Constraint::Length(18),
            ratatui::layout::Constraint::Fill(1),
        ],
    )
    .block(ascii_block(title));
    frame.render_widget(table, area);
    max
}

/// A new invite: the ticket, wrapped, and where it was saved.
fn ticket(
    frame: &mut Frame<'_>,
    l: Lang,
    size: Rect,
    title: &str,
    ticket: &str,
    path: Option<&str>,
) {
    let area = layout::overlay(size);
    clear(frame, area);
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    let mut lines: Vec<Line> = super::wrap_anywhere(ticket, width)
        .into_iter()
        .map(Line::from)
        .collect();
    lines.push(Line::from(""));
    if let Some(p) = path {
        lines.push(Line::from(tr!(l, "invite.saved_to", path = p)));
    }
    lines.push(Line::from(Span::styled(
        tr!(l, "invite.pass_on"),
        DIM_STYLE,
    )));
    frame.render_widget(
        Paragraph::new(lines).block(ascii_block(title.to_string())),
        area,
    );
}

/// Files just written: each path whole (wrapped, never cut), the folder.
fn written(
    frame: &mut Frame<'_>,
    l: Lang,
    size: Rect,
    title: &str,
    paths: &[String],
    folder: &str,
) {
    let area = layout::overlay(size);
    clear(frame, area);
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    let mut lines: Vec<Line> = vec![Line::from(tr!(l, "written.files"))];
    for p in paths {
        lines.extend(super::wrap_anywhere(p, width).into_iter().map(Line::from));
    }
    lines.push(Line::from(""));
    let open = tr!(l, "written.folder", folder = folder);
    lines.extend(
        wrap(&open, width)
            .into_iter()
            .map(|s| Line::from(Span::styled(s, DIM_STYLE))),
    );
    frame.render_widget(
        Paragraph::new(lines).block(ascii_block(title.to_string())),
        area,
    );
}

/// One report, whole, as the terminal prints it; long lines wrap. How
/// far it can scroll.
fn report(
    frame: &mut Frame<'_>,
    v: &View<'_>,
    size: Rect,
    key: &crate::domain::reports::ReportKey,
    scroll: usize,
) -> Option<usize> {
    let l = v.lang;
    let doc = crate::export::report_doc(l, v.model, key, v.today)?;
    let area = layout::overlay(size);
    clear(frame, area);
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    let text = crate::export::text::report_text(l, &doc);
    let all: Vec<String> = text.lines().flat_map(|line| wrap(line, width)).collect();
    let max = all
        .len()
        .saturating_sub(usize::from(area.height.saturating_sub(2)));
    let lines: Vec<Line> = all
        .into_iter()
        .skip(scroll.min(max))
        .map(Line::from)
        .collect();
    let title = format!("{}  {}", doc.title, tr!(l, "report.view_keys"));
    frame.render_widget(Paragraph::new(lines).block(ascii_block(title)), area);
    Some(max)
}

/// Every deadline of the overview, each whole (wrapped); how far it can
/// scroll.
fn deadlines(frame: &mut Frame<'_>, v: &View<'_>, size: Rect, scroll: usize) -> usize {
    let l = v.lang;
    let area = layout::overlay(size);
    clear(frame, area);
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    let mut lines: Vec<Line> = Vec::new();
    for d in crate::domain::calendar::deadlines(v.model, v.today, &v.reach) {
        let style = if d.overdue {
            BAD_STYLE
        } else {
            ratatui::style::Style::new()
        };
        let text = super::dashboard::deadline_text(l, &d);
        for part in wrap(&text, width) {
            lines.push(Line::from(Span::styled(part, style)));
        }
    }
    if lines.is_empty() {
        lines.push(Line::from(tr!(l, "dashboard.no_deadlines")));
    }
    let max = lines
        .len()
        .saturating_sub(usize::from(area.height.saturating_sub(2)));
    let shown: Vec<Line> = lines.into_iter().skip(scroll.min(max)).collect();
    let title = format!(
        "{}（{}）",
        tr!(l, "dashboard.deadlines"),
        crate::i18n::reach(l, &v.reach, v.model)
    );
    frame.render_widget(Paragraph::new(shown).block(ascii_block(title)), area);
    max
}

/// A record's history, newest last; how far it can scroll.
fn history(
    frame: &mut Frame<'_>,
    l: Lang,
    size: Rect,
    title: &str,
    entries: &[crate::app::HistoryEntry],
    scroll: usize,
) -> usize {
    let area = layout::overlay(size);
    clear(frame, area);
    // Inside the frame, below the header row.
    let max = entries
        .len()
        .saturating_sub(usize::from(area.height.saturating_sub(3)));
    let rows: Vec<Row> = entries
        .iter()
        .skip(scroll.min(max))
        .map(|e| {
            // Without the device column: on screen, who and what matter.
            let mut cells = crate::present::history_row(l, e);
            cells.remove(2);
            Row::new(cells)
        })
        .collect();
    let mut columns = crate::present::headers(l, &crate::present::HISTORY_COLUMNS);
    columns.remove(2);
    let header = Row::new(columns).style(HEADER_STYLE);
    use ratatui::layout::Constraint::{Fill, Length};
    let table = Table::new(rows, [Length(17), Length(12), Length(6), Fill(1)])
        .header(header)
        .block(ascii_block(title.to_string()));
    frame.render_widget(table, area);
    max
}

//! Drawing. Every function here reads the [`App`] and draws; none changes
//! it or does I/O. Layout comes from `app::layout`, shared with the mouse.
//!
//! Frames and bars use ASCII only (`+ - | #`): box-drawing and block
//! characters are ambiguous-width and take two columns in many Chinese
//! terminals, which would break every line.

mod dashboard;
mod first_run;
mod form;
mod lists;
pub mod sync;
pub mod theme;

use crate::app::layout::{self, Areas};
use crate::app::{App, Drawn, Overlay, SaveState, Screen};
use crate::tr;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table};
use theme::*;
use unicode_width::UnicodeWidthStr;

/// Draws the whole interface; what it laid out, for the keys that follow
/// (see [`App::set_drawn`]).
pub fn draw(frame: &mut Frame<'_>, app: &App) -> Drawn {
    let size = frame.area();
    if app.model().is_none() {
        first_run::draw(frame, app, size);
        return Drawn::default();
    }
    let a = layout::areas(size);
    tabs(frame, app, &a);
    match app.screen {
        Screen::Dashboard => dashboard::draw(frame, app, a.body),
        Screen::Sync => sync::draw(frame, app, a.body),
        _ => lists::draw(frame, app, &a),
    }
    status(frame, app, a.status);
    let overlay_scroll_max = match &app.overlay {
        None => None,
        Some(Overlay::Help { scroll }) => Some(help(frame, app, size, *scroll)),
        Some(Overlay::History {
            title,
            entries,
            scroll,
        }) => Some(history(frame, app, size, title, entries, *scroll)),
        Some(Overlay::Form(f)) => {
            form::draw(frame, app, f, layout::overlay(size));
            None
        }
        Some(Overlay::Report { key, scroll }) => report(frame, app, size, key, *scroll),
        Some(Overlay::Ticket {
            title,
            ticket,
            path,
        }) => {
            ticket_overlay(frame, app, size, title, ticket, path.as_deref());
            None
        }
    };
    Drawn { overlay_scroll_max }
}

/// The dashboard alone (for `bangfu dashboard`).
pub fn draw_dashboard(frame: &mut Frame<'_>, app: &App, area: Rect) {
    dashboard::draw(frame, app, area);
}

/// A frame of ASCII characters around an overlay, with a title.
pub fn ascii_block(title: String) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_set(ASCII_BORDER)
        .border_style(Style::new().fg(FRAME))
        .title(Span::styled(format!(" {title} "), TITLE_STYLE))
}

fn tabs(frame: &mut Frame<'_>, app: &App, a: &Areas) {
    let tabs = layout::tabs(app.lang, a.tabs);
    // The title only when every tab fits beside it.
    let title = tabs.first().is_some_and(|(_, _, r)| r.x > a.tabs.x);
    let mut spans = Vec::new();
    if title {
        spans.push(Span::styled(layout::TITLE, BRAND_STYLE));
    }
    let used: u16 = if title {
        layout::TITLE.width() as u16
    } else {
        0
    } + tabs.iter().map(|(_, _, r)| r.width).sum::<u16>();
    for (screen, label, _) in &tabs {
        let style = if *screen == app.screen {
            TAB_ACTIVE
        } else {
            TAB_STYLE
        };
        spans.push(Span::styled(label.clone(), style));
    }
    spans.push(Span::styled(
        " ".repeat(usize::from(a.tabs.width.saturating_sub(used))),
        TAB_STYLE,
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), a.tabs);
}

/// The status bar: workspace, role, save state, sync, and what just
/// happened or the most useful keys.
fn status(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let l = app.lang;
    let name = app
        .model()
        .map(|m| m.programme.name.clone())
        .unwrap_or_default();
    let save = match &app.save {
        SaveState::Idle => Span::styled(tr!(l, "status.ready"), STATUS_STYLE),
        SaveState::Saved => Span::styled(tr!(l, "status.saved"), OK_STYLE),
        SaveState::Failed(_) => Span::styled(tr!(l, "status.save_failed"), ERROR_STYLE),
    };
    let me = app
        .me
        .as_deref()
        .and_then(|me| app.model().and_then(|m| m.active_member(me)));
    let role = match me {
        Some(m) => crate::i18n::label(l, m.role),
        None => tr!(l, "status.role_unset"),
    };
    let sync_state = sync::state_text(l, &app.sync_status, app.sync.is_some());
    let mut spans = vec![
        Span::styled(format!(" {name} "), STATUS_STRONG),
        Span::styled(format!(" {role} "), STATUS_STYLE),
        save,
        Span::styled(format!(" {sync_state} "), STATUS_STYLE),
    ];
    let message = match (&app.message, &app.save) {
        (Some(m), _) => Some(Span::styled(format!(" {m}"), STATUS_MESSAGE)),
        (None, SaveState::Failed(m)) => Some(Span::styled(format!(" {m}"), ERROR_STYLE)),
        _ => None,
    };
    let first = |a| {
        app.keymap
            .keys_of(a, false)
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let hint = tr!(
        l,
        "status.hint",
        help = first(crate::app::action::Action::Help),
        quit = first(crate::app::action::Action::Quit)
    );
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    match message {
        Some(m) => spans.push(m),
        None => {
            let pad = usize::from(area.width).saturating_sub(used + hint.width() + 1);
            spans.push(Span::styled(" ".repeat(pad), STATUS_STYLE));
            spans.push(Span::styled(format!("{hint} "), STATUS_STYLE));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(STATUS_STYLE), area);
}

/// Clears an area and one column on each side of it, so no wide character
/// beneath straddles the area's edge.
fn clear(frame: &mut Frame<'_>, area: Rect) {
    let full = frame.area();
    let x = area.x.saturating_sub(1).max(full.x);
    let right = (area.x + area.width + 1).min(full.x + full.width);
    frame.render_widget(Clear, Rect::new(x, area.y, right - x, area.height));
}

/// Keys of the current screen and of forms; how far the help can scroll.
fn help(frame: &mut Frame<'_>, app: &App, size: Rect, scroll: usize) -> usize {
    use crate::app::action::Action;
    let l = app.lang;
    let row = |a: Action, form: bool| {
        let key = format!("action.{}", a.code());
        Row::new(vec![
            app.keymap.keys_of(a, form),
            rust_i18n::t!(key.as_str(), locale = l.code()).into_owned(),
        ])
    };
    // A key that means something else on this screen says so
    // (`action.sign.reports`: submit the report).
    let screen_row = |a: Action| {
        let key = format!("action.{}.{}", a.code(), app.screen.code());
        let text = rust_i18n::t!(key.as_str(), locale = l.code()).into_owned();
        if text == key {
            row(a, false)
        } else {
            Row::new(vec![app.keymap.keys_of(a, false), text])
        }
    };
    let mut rows: Vec<Row> =
        vec![Row::new(vec![String::new(), app.screen.label(l)]).style(HEADER_STYLE)];
    rows.extend(app.screen.actions().iter().map(|a| screen_row(*a)));
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
fn ticket_overlay(
    frame: &mut Frame<'_>,
    app: &App,
    size: Rect,
    title: &str,
    ticket: &str,
    path: Option<&str>,
) {
    let l = app.lang;
    let area = layout::overlay(size);
    clear(frame, area);
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    let mut lines: Vec<Line> = wrap(ticket, width).into_iter().map(Line::from).collect();
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

/// One report, whole, as the terminal prints it; long lines wrap. How
/// far it can scroll.
fn report(
    frame: &mut Frame<'_>,
    app: &App,
    size: Rect,
    key: &crate::domain::reports::ReportKey,
    scroll: usize,
) -> Option<usize> {
    let l = app.lang;
    let doc = crate::export::report_doc(l, app.model()?, key, app.today())?;
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

/// A record's history, newest last; how far it can scroll.
fn history(
    frame: &mut Frame<'_>,
    app: &App,
    size: Rect,
    title: &str,
    entries: &[crate::app::HistoryEntry],
    scroll: usize,
) -> usize {
    let l = app.lang;
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

/// Splits text into lines of at most `width` columns, by display width,
/// breaking anywhere (Chinese has no spaces to break at). Written here
/// because ratatui 0.30's `Wrap` lets a wide character overhang the last
/// column by one (seen: a 46-column line drawn unbroken in 45 columns).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(2);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut w = 0;
        for c in para.chars() {
            let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if w + cw > width {
                out.push(std::mem::take(&mut line));
                w = 0;
            }
            line.push(c);
            w += cw;
        }
        out.push(line);
    }
    out
}

/// `label  value` lines for the detail pane, values wrapped under
/// themselves to fit `width`.
pub fn fields_paragraph(fields: &[(String, String)], width: u16) -> Paragraph<'static> {
    let label_w = fields.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
    let value_w = usize::from(width).saturating_sub(label_w + 2).max(8);
    let mut lines = Vec::new();
    for (k, v) in fields {
        let pad = " ".repeat(label_w - k.width());
        for (i, part) in wrap(v, value_w).into_iter().enumerate() {
            let head = if i == 0 {
                Span::styled(format!("{k}{pad}  "), LABEL_STYLE)
            } else {
                Span::raw(" ".repeat(label_w + 2))
            };
            lines.push(Line::from(vec![head, Span::raw(part)]));
        }
    }
    Paragraph::new(lines)
}

//! Drawing. Every function here reads the [`App`] (an open workspace
//! through its [`View`]) and draws; none changes it or does I/O. One module
//! per screen and one for the dialogs, like `app::screens` and
//! `app::dialog`. Layout comes from `app::layout`, shared with the mouse.
//!
//! Frames and bars use ASCII only (`+ - | #`): box-drawing and block
//! characters are ambiguous-width and take two columns in many Chinese
//! terminals, which would break every line.

mod dashboard;
mod dialog;
mod evidence;
mod first_run;
mod form;
mod import;
mod lists;
pub mod sync;
pub mod theme;

use crate::app::layout::{self, Areas};
use crate::app::{App, Drawn, Phase, SaveState, Screen, View};
use crate::tr;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use theme::*;
use unicode_width::UnicodeWidthStr;

/// Draws the whole interface; what it laid out, for the keys that follow
/// (see [`App::set_drawn`]).
pub fn draw(frame: &mut Frame<'_>, app: &App) -> Drawn {
    let size = frame.area();
    let Some(v) = app.view() else {
        if let Phase::FirstRun(first) = &app.phase {
            first_run::draw(frame, app, first, size);
        }
        return Drawn::default();
    };
    let a = layout::areas(size);
    tabs(frame, &v, &a);
    match v.screen {
        Screen::Dashboard => dashboard::draw(frame, &v, a.body),
        Screen::Sync => sync::draw(frame, &v, a.body),
        _ => lists::draw(frame, &v, &a),
    }
    status(frame, &v, a.status);
    let dialog_scroll_max = v.dialog.and_then(|d| dialog::draw(frame, &v, d, size));
    Drawn { dialog_scroll_max }
}

/// The dashboard alone (for `bangfu dashboard`).
pub fn draw_dashboard(frame: &mut Frame<'_>, app: &App, area: Rect) {
    if let Some(v) = app.view() {
        dashboard::draw(frame, &v, area);
    }
}

/// A frame of ASCII characters around an overlay, with a title.
pub fn ascii_block(title: String) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_set(ASCII_BORDER)
        .border_style(Style::new().fg(FRAME))
        .title(Span::styled(format!(" {title} "), TITLE_STYLE))
}

fn tabs(frame: &mut Frame<'_>, v: &View<'_>, a: &Areas) {
    let tabs = layout::tabs(v.lang, a.tabs);
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
        let style = if *screen == v.screen {
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
fn status(frame: &mut Frame<'_>, v: &View<'_>, area: Rect) {
    let l = v.lang;
    let name = v.model.programme.name.clone();
    let save = match v.save {
        SaveState::Idle => Span::styled(tr!(l, "status.ready"), STATUS_STYLE),
        SaveState::Saved => Span::styled(tr!(l, "status.saved"), OK_STYLE),
        SaveState::Failed(_) => Span::styled(tr!(l, "status.save_failed"), ERROR_STYLE),
    };
    let me = v.me.and_then(|me| v.model.active_member(me));
    let role = match me {
        Some(m) => crate::i18n::label(l, m.role),
        None => tr!(l, "status.role_unset"),
    };
    let sync_state = sync::state_text(l, v.sync_status, v.syncing);
    let mut spans = vec![
        Span::styled(format!(" {name} "), STATUS_STRONG),
        Span::styled(format!(" {role} "), STATUS_STYLE),
        save,
        Span::styled(format!(" {sync_state} "), STATUS_STYLE),
    ];
    if v.unsynced > 0 {
        let n = tr!(l, "status.unsynced", count = v.unsynced);
        spans.push(Span::styled(format!(" {n} "), ERROR_STYLE));
    }
    let message = match (v.message, v.save) {
        (Some(m), _) => Some(Span::styled(format!(" {m}"), STATUS_MESSAGE)),
        (None, SaveState::Failed(m)) => Some(Span::styled(format!(" {m}"), ERROR_STYLE)),
        _ => None,
    };
    let first = |a| v.keymap.primary(a);
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

/// Splits text into lines of at most `width` columns, by display width:
/// between any two Chinese characters, and at spaces between words of
/// Latin script (a word longer than a line is broken where it must).
/// Written here because ratatui 0.30's `Wrap` lets a wide character
/// overhang the last column by one (seen: a 46-column line drawn unbroken
/// in 45 columns).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    wrap_by(text, width, true)
}

/// Like [`wrap`], but breaking anywhere and keeping every space: for paths
/// and tickets, which are copied as shown.
pub fn wrap_anywhere(text: &str, width: usize) -> Vec<String> {
    wrap_by(text, width, false)
}

fn wrap_by(text: &str, width: usize, words: bool) -> Vec<String> {
    let width = width.max(2);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut w = 0;
        let pieces = if words {
            tokens(para)
        } else {
            para.char_indices()
                .filter_map(|(i, c)| para.get(i..i + c.len_utf8()))
                .collect()
        };
        for token in pieces {
            let tw = token.width();
            if w > 0 && w + tw > width {
                let full = std::mem::take(&mut line);
                out.push(if words {
                    full.trim_end().to_string()
                } else {
                    full
                });
                w = 0;
                if words && token.trim().is_empty() {
                    continue;
                }
            }
            if tw <= width {
                line.push_str(token);
                w += tw;
                continue;
            }
            for c in token.chars() {
                let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                if w > 0 && w + cw > width {
                    out.push(std::mem::take(&mut line));
                    w = 0;
                }
                line.push(c);
                w += cw;
            }
        }
        out.push(line);
    }
    out
}

/// What a line may break between: a run of narrow non-space characters (a
/// word), one space, or one wide character.
fn tokens(s: &str) -> Vec<&str> {
    let narrow_word =
        |c: char| !c.is_whitespace() && unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) == 1;
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        if narrow_word(c) {
            start.get_or_insert(i);
            continue;
        }
        if let Some(st) = start.take() {
            out.extend(s.get(st..i));
        }
        out.extend(s.get(i..i + c.len_utf8()));
    }
    if let Some(st) = start {
        out.extend(s.get(st..));
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

#[cfg(test)]
mod tests {
    use super::wrap;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn english_wraps_between_words_chinese_anywhere_and_nothing_is_dropped() {
        let en = "sending teachers to the countryside";
        let lines = wrap(en, 12);
        assert_eq!(lines, ["sending", "teachers to", "the", "countryside"]);
        let zh = "送教下乡活动记录";
        assert_eq!(wrap(zh, 6), ["送教下", "乡活动", "记录"]);
        let mixed = "日期：shows 2024-10-31, another device";
        for l in wrap(mixed, 14) {
            assert!(l.width() <= 14, "{l}");
        }
        assert_eq!(wrap(mixed, 14).join(" ").replace("  ", " "), mixed);
        let long = "f5503009a1b2c3d4e5";
        assert_eq!(wrap(long, 8), ["f5503009", "a1b2c3d4", "e5"]);
    }
}

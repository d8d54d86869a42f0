//! Where things are on screen, computed from the terminal size alone, so
//! drawing and mouse clicks agree without drawing having to remember
//! anything.

use super::Screen;
use crate::i18n::Lang;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use unicode_width::UnicodeWidthStr;

/// The parts of the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub tabs: Rect,
    pub body: Rect,
    pub status: Rect,
    /// On list screens: the list, its header row included.
    pub list: Rect,
    /// On list screens: the selected record's details.
    pub detail: Rect,
}

/// Wide terminals show the list and the details side by side.
pub const SIDE_BY_SIDE_WIDTH: u16 = 100;

pub fn areas(size: Rect) -> Areas {
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .split(size);
    let body = rows[1];
    let (list, detail) = if body.width >= SIDE_BY_SIDE_WIDTH {
        let cols = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Percentage(62), Constraint::Percentage(38)])
            .split(body);
        (cols[0], cols[1])
    } else {
        let detail_h = (body.height / 3).clamp(3, 10);
        let parts = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Min(3), Constraint::Length(detail_h)])
            .split(body);
        (parts[0], parts[1])
    };
    Areas {
        tabs: rows[0],
        body,
        status: rows[2],
        list,
        detail,
    }
}

/// Rows of records the list shows (its header and filter lines taken off).
pub fn list_capacity(list: Rect) -> usize {
    usize::from(list.height.saturating_sub(2)).max(1)
}

/// The title before the tabs.
pub const TITLE: &str = " bangfu 帮扶 ";

/// The label of each tab and where it is drawn.
pub fn tabs(lang: Lang, area: Rect) -> Vec<(Screen, String, Rect)> {
    let named = |short: bool| -> Vec<String> {
        Screen::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let label = if short {
                    let key = format!("tab.short.{}", s.code());
                    crate::i18n::text(lang, &key)
                } else {
                    s.label(lang)
                };
                format!(" {} {} ", i + 1, label)
            })
            .collect()
    };
    // Short names when the full ones do not all fit (English at 80
    // columns), so no tab is ever left out.
    let mut labels = named(false);
    if labels.iter().map(|l| l.width()).sum::<usize>() > usize::from(area.width) {
        labels = named(true);
    }
    let all: usize = labels.iter().map(|l| l.width()).sum();
    // The title goes first when it leaves room for every tab.
    let title = if all + TITLE.width() <= usize::from(area.width) {
        TITLE.width() as u16
    } else {
        0
    };
    let mut x = area.x + title;
    let mut out = Vec::new();
    for (s, label) in Screen::ALL.iter().zip(labels) {
        let w = label.width() as u16;
        if x + w > area.x + area.width {
            break;
        }
        out.push((*s, label, Rect::new(x, area.y, w, 1)));
        x += w;
    }
    out
}

/// A centred box of at most `w` × `h` inside `area`.
pub fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The box forms and history are drawn in: the whole body, so no wide
/// character of the screen beneath straddles its edge.
pub fn overlay(size: Rect) -> Rect {
    areas(size).body
}

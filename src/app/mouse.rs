//! Clicks and the wheel: tabs, rows, scrolling lists and dialogs.

use super::*;
use ratatui::crossterm::event::{MouseButton, MouseEventKind};

impl App {
    pub(super) fn mouse(&mut self, m: MouseEvent) {
        let (cap, max, lang) = (self.capacity(), self.drawn.dialog_scroll_max, self.lang);
        let a = layout::areas(self.size);
        let Phase::Open(o) = &mut self.phase else {
            return;
        };
        let by = match m.kind {
            MouseEventKind::ScrollDown => 3,
            MouseEventKind::ScrollUp => -3,
            MouseEventKind::Down(MouseButton::Left) if o.dialog.is_none() => {
                return o.click(m, &a, cap, lang);
            }
            _ => return,
        };
        match &mut o.dialog {
            Some(d) => d.scroll_by(by, max),
            None => {
                let members = o.ws.model().members.len();
                o.screens.scroll(o.screen, by, cap, members);
            }
        }
    }
}

impl Open {
    /// A click on a tab shows its screen; on a row, selects it.
    fn click(&mut self, m: MouseEvent, a: &layout::Areas, cap: usize, lang: Lang) {
        if m.row == a.tabs.y {
            if let Some((s, _, _)) = layout::tabs(lang, a.tabs)
                .into_iter()
                .find(|(_, _, r)| m.column >= r.x && m.column < r.x + r.width)
            {
                self.screen = s;
            }
            return;
        }
        let list = a.list;
        // The first row of the list area is its header.
        if m.column >= list.x
            && m.column < list.x + list.width
            && m.row > list.y
            && m.row < list.y + list.height
            && let Some(l) = self.screens.list_mut(self.screen)
        {
            let i = l.offset + usize::from(m.row - list.y - 1);
            if i < l.rows.len() {
                l.selected = i;
                l.clamp(cap);
            }
        }
    }
}

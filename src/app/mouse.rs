//! Clicks and the wheel: tabs, rows, scrolling lists and overlays.

use super::*;

impl App {
    pub(super) fn mouse(&mut self, m: MouseEvent) {
        if self.ws.is_none() {
            return;
        }
        match m.kind {
            MouseEventKind::ScrollDown => self.on_list_or_overlay(3),
            MouseEventKind::ScrollUp => self.on_list_or_overlay(-3),
            MouseEventKind::Down(MouseButton::Left) => {
                if self.overlay.is_some() {
                    return;
                }
                let a = layout::areas(self.size);
                if m.row == a.tabs.y {
                    if let Some((s, _, _)) = layout::tabs(self.lang, a.tabs)
                        .into_iter()
                        .find(|(_, _, r)| m.column >= r.x && m.column < r.x + r.width)
                    {
                        self.screen = s;
                    }
                    return;
                }
                let list = a.list;
                // The first row of the list area is its header.
                if self.screen != Screen::Dashboard
                    && m.column >= list.x
                    && m.column < list.x + list.width
                    && m.row > list.y
                    && m.row < list.y + list.height
                {
                    let cap = self.capacity();
                    let screen = self.screen;
                    if let Some(l) = self.list_mut(screen) {
                        let i = l.offset + usize::from(m.row - list.y - 1);
                        if i < l.rows.len() {
                            l.selected = i;
                            l.clamp(cap);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    pub(super) fn on_list_or_overlay(&mut self, by: isize) {
        if self.overlay.is_some() {
            self.scroll_overlay(by);
        } else {
            let cap = self.capacity();
            self.move_selection(by, cap);
        }
    }
}

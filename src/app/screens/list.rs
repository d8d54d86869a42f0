//! A list screen's rows, selection, scroll and filter; the rows come from
//! the one query of each list (`domain::lists`) and are read again when
//! the data or the filter changes.

use crate::domain::Id;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A list of records: which ones (filtered, sorted), which is selected,
/// and which is the first on screen.
#[derive(Debug, Clone, Default)]
pub struct ListState {
    pub rows: Vec<Id>,
    pub selected: usize,
    pub offset: usize,
    /// Typed filter (substring of names, places, notes).
    pub filter: String,
    /// The filter line has the keyboard.
    pub filtering: bool,
    /// The data changed while another screen was shown: `rows` are read
    /// again before this list is shown or asked for.
    pub stale: bool,
}

/// What a key did to the filter line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKey {
    /// The filter changed: the rows must be read again.
    Changed,
    /// The selection or nothing changed.
    Kept,
    /// Ctrl-C.
    Quit,
}

impl ListState {
    pub fn selected_id(&self) -> Option<&Id> {
        self.rows.get(self.selected)
    }

    pub fn clamp(&mut self, capacity: usize) {
        if self.rows.is_empty() {
            self.selected = 0;
            self.offset = 0;
            return;
        }
        self.selected = self.selected.min(self.rows.len() - 1);
        if self.selected < self.offset {
            self.offset = self.selected;
        }
        if self.selected >= self.offset + capacity {
            self.offset = self.selected + 1 - capacity;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(1));
    }

    pub fn move_by(&mut self, delta: isize, capacity: usize) {
        let n = self.rows.len() as isize;
        if n == 0 {
            return;
        }
        self.selected = (self.selected as isize + delta).clamp(0, n - 1) as usize;
        self.clamp(capacity);
    }

    /// New rows, keeping the selected record selected where it is still
    /// listed.
    pub fn set_rows(&mut self, ids: Vec<Id>, capacity: usize) {
        let keep = self.selected_id().cloned();
        self.rows = ids;
        self.stale = false;
        if let Some(k) = keep
            && let Some(i) = self.rows.iter().position(|x| *x == k)
        {
            self.selected = i;
        }
        self.clamp(capacity);
    }

    /// Selects a record if it is listed.
    pub fn select(&mut self, id: &Id, capacity: usize) {
        if let Some(i) = self.rows.iter().position(|x| x == id) {
            self.selected = i;
            self.clamp(capacity);
        }
    }

    /// A key while the filter line has the keyboard.
    pub fn filter_key(&mut self, k: KeyEvent, capacity: usize) -> FilterKey {
        match k.code {
            KeyCode::Esc => {
                self.filter.clear();
                self.filtering = false;
            }
            KeyCode::Enter => self.filtering = false,
            KeyCode::Backspace => {
                self.filter.pop();
            }
            KeyCode::Up => {
                self.move_by(-1, capacity);
                return FilterKey::Kept;
            }
            KeyCode::Down => {
                self.move_by(1, capacity);
                return FilterKey::Kept;
            }
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                return FilterKey::Quit;
            }
            KeyCode::Char(c) => self.filter.push(c),
            _ => return FilterKey::Kept,
        }
        self.selected = 0;
        self.offset = 0;
        FilterKey::Changed
    }

    /// Pasted text goes to the filter line (its first line).
    pub fn paste(&mut self, text: &str) -> bool {
        if !self.filtering {
            return false;
        }
        self.filter.push_str(text.lines().next().unwrap_or(""));
        self.selected = 0;
        true
    }

    /// Esc/Back: clears a typed filter; false when there was none.
    pub fn clear_filter(&mut self) -> bool {
        if self.filter.is_empty() {
            return false;
        }
        self.filter.clear();
        true
    }
}

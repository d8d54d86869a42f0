//! What opens over a screen, one component each: the help, a record's
//! history, a report read whole and an invite ticket (all scroll and close
//! on any other key), and the forms (which keep the keyboard until saved
//! or cancelled).

use super::action::Action;
use super::form::{self, Form};
use super::keymap::Keymap;
use crate::domain::HistoryEntry;
use crate::domain::reports::ReportKey;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

/// An open dialog.
#[derive(Debug, Clone)]
pub enum Dialog {
    Help {
        scroll: usize,
    },
    History {
        title: String,
        entries: Vec<HistoryEntry>,
        scroll: usize,
    },
    Form(Box<Form>),
    /// An invite ticket just made, and the file it was also written to.
    Ticket {
        title: String,
        ticket: String,
        path: Option<String>,
    },
    /// Files just written, each path whole, and the folder they are in.
    Written {
        title: String,
        paths: Vec<String>,
        folder: String,
    },
    /// Every deadline of the overview, whole.
    Deadlines {
        scroll: usize,
    },
    /// One report, whole: facts, figures, sections.
    Report {
        key: ReportKey,
        scroll: usize,
    },
    /// A list read and checked, before it is imported.
    Import(Box<super::import::Preview>),
    /// A record's evidence (佐证材料).
    Evidence(Box<super::evidence::Files>),
}

/// What a key does to a dialog that is read, not filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Scrolled (or nothing to do).
    Stay,
    Close,
    Quit,
    /// A report's own keys (edit, submit, accept, return, export,
    /// refresh): the reports screen runs them on the open report.
    OnReport(Action),
}

impl Dialog {
    /// The report read, if this is one.
    pub fn report(&self) -> Option<&ReportKey> {
        match self {
            Dialog::Report { key, .. } => Some(key),
            _ => None,
        }
    }

    /// The scroll position, if it scrolls.
    pub fn scroll_mut(&mut self) -> Option<&mut usize> {
        match self {
            Dialog::History { scroll, .. }
            | Dialog::Help { scroll }
            | Dialog::Deadlines { scroll }
            | Dialog::Report { scroll, .. } => Some(scroll),
            Dialog::Form(_)
            | Dialog::Ticket { .. }
            | Dialog::Written { .. }
            | Dialog::Import(_)
            | Dialog::Evidence(_) => None,
        }
    }

    /// Scrolls by `by` lines, no further than `max` (what the last drawing
    /// showed it can).
    pub fn scroll_by(&mut self, by: isize, max: Option<usize>) {
        if let Some(scroll) = self.scroll_mut() {
            *scroll = scroll
                .saturating_add_signed(by)
                .min(max.unwrap_or(usize::MAX));
        }
    }

    /// A key on a dialog that is read (a form takes its keys itself).
    pub fn read_key(&mut self, k: &KeyEvent, keymap: &Keymap, max: Option<usize>) -> Reading {
        let a = keymap.normal_action(k);
        if self.report().is_some()
            && let Some(
                a @ (Action::Edit
                | Action::Sign
                | Action::Confirm
                | Action::Return
                | Action::Export
                | Action::Restat),
            ) = a
        {
            return Reading::OnReport(a);
        }
        let by = match a {
            Some(Action::Quit) if form::is_control(k) => return Reading::Quit,
            Some(Action::Up) => -1,
            Some(Action::Down) => 1,
            Some(Action::PageUp) => -10,
            Some(Action::PageDown) => 10,
            _ => return Reading::Close,
        };
        self.scroll_by(by, max);
        Reading::Stay
    }
}

/// What a key does to an open form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filling {
    /// Typed, moved, or nothing.
    Stay,
    /// The focused field's value changed (a pick list may follow it).
    Changed(&'static str),
    Save,
    Cancel,
    Quit,
}

/// A key on an open form.
/// Tab in a field of file paths: the last path completed from the files
/// on disk; false when there is nothing to complete (Tab then moves on).
/// When it cannot go further for several names, they are shown and the
/// focus stays.
fn complete_path(form: &mut Form, lang: crate::i18n::Lang) -> bool {
    let Some(f) = form.fields.get(form.focus).filter(|f| f.paths) else {
        return false;
    };
    let key = f.key;
    let text = form.text(key);
    if let Some(done) = crate::input::paths::complete(&text) {
        form.set_text(key, &done);
        form.message = None;
        return true;
    }
    let names = crate::input::paths::choices(&text);
    if names.is_empty() {
        return false;
    }
    form.message = Some(crate::tr!(
        lang,
        "form.path_choices",
        names = names.join("  ")
    ));
    true
}

pub fn form_key(form: &mut Form, k: KeyEvent, keymap: &Keymap, lang: crate::i18n::Lang) -> Filling {
    let in_note = matches!(
        form.fields.get(form.focus).map(|f| &f.input),
        Some(form::Input::Note(_))
    );
    let arrow = matches!(
        k.code,
        ratatui::crossterm::event::KeyCode::Up | ratatui::crossterm::event::KeyCode::Down
    );
    let action = keymap.form_action(&k);
    let leaving = match action {
        Some(Action::Back) => Some(form::Leaving::Cancel),
        Some(Action::Quit) => Some(form::Leaving::Quit),
        _ => None,
    };
    // Nothing typed is lost by a slip of the finger: leaving a changed
    // form takes the same key twice.
    let asked_before = std::mem::take(&mut form.leaving);
    if let Some(l) = leaving
        && form.changed()
        && asked_before != Some(l)
    {
        form.leaving = Some(l);
        let key = keymap.keys(action.unwrap_or(Action::Back), true);
        form.message = Some(crate::tr!(
            lang,
            "form.leave_again",
            key = key.first().cloned().unwrap_or_default()
        ));
        return Filling::Stay;
    }
    if asked_before.is_some() {
        form.message = None;
    }
    match action {
        Some(Action::Save) => Filling::Save,
        Some(Action::Back) => Filling::Cancel,
        Some(Action::Quit) => Filling::Quit,
        Some(Action::NextField) if k.code == KeyCode::Tab && complete_path(form, lang) => {
            Filling::Changed(form.fields.get(form.focus).map_or("", |f| f.key))
        }
        Some(Action::NextField) if !(in_note && arrow) => {
            form.next_field();
            Filling::Stay
        }
        Some(Action::PrevField) if !(in_note && arrow) => {
            form.prev_field();
            Filling::Stay
        }
        _ => {
            let focus = form.fields.get(form.focus).map(|f| f.key);
            match (form.key(k), focus) {
                (true, Some(key)) => Filling::Changed(key),
                _ => Filling::Stay,
            }
        }
    }
}

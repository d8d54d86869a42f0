//! Forms: labelled fields people fill in, each with its own error shown next
//! to it. What was typed is never lost when saving fails.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

/// One choice of a pick list: the stored value and what people read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opt {
    pub value: String,
    pub label: String,
}

impl Opt {
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Opt {
        Opt {
            value: value.into(),
            label: label.into(),
        }
    }
}

/// How a field is filled in.
#[derive(Debug, Clone)]
pub enum Input {
    /// One line of text (names, dates, numbers).
    Line(TextArea<'static>),
    /// Several lines (notes, goals), wrapped.
    Note(TextArea<'static>),
    /// One of several (Left/Right).
    Choice { options: Vec<Opt>, index: usize },
    /// Any of several (Left/Right to move, Space to tick).
    Multi {
        options: Vec<Opt>,
        chosen: Vec<bool>,
        cursor: usize,
    },
    /// Yes or no (Space).
    Toggle(bool),
}

/// A labelled field.
#[derive(Debug, Clone)]
pub struct Field {
    /// The field's name: rules report problems under it.
    pub key: &'static str,
    pub label: String,
    pub input: Input,
    pub error: Option<String>,
    /// Rows a several-line field takes on screen.
    pub rows: u16,
    /// Shown, dimmed, in an empty line: what empty means.
    pub hint: Option<String>,
    /// A one-line field holding a list: pasted lines become its items,
    /// joined by this.
    pub joins: Option<&'static str>,
    /// Shows a default nobody has touched yet: the first character typed
    /// replaces it (typing 12 over 0 gives 12, not 012).
    pub fresh: bool,
    /// What is typed to narrow a pick list of more than [`SEARCH_OVER`]
    /// options (none for shorter lists, where letters move and tick).
    pub search: Option<String>,
    /// A line of file paths: Tab completes the last one.
    pub paths: bool,
}

/// Pick lists longer than this are searched by typing.
pub const SEARCH_OVER: usize = 10;

/// Whether an option's label holds what was typed (any case).
pub fn matches(o: &Opt, typed: &str) -> bool {
    typed.is_empty() || o.label.to_lowercase().contains(&typed.to_lowercase())
}

/// The next option from `from` (itself first when `inclusive`) that
/// matches `typed`, going forward or back and round; `from` if none does.
fn next_match(options: &[Opt], typed: &str, from: usize, forward: bool, inclusive: bool) -> usize {
    let n = options.len();
    let start = usize::from(!inclusive);
    (start..n.saturating_add(start))
        .map(|k| {
            let k = k % n.max(1);
            if forward {
                (from + k) % n.max(1)
            } else {
                (from + n - k) % n.max(1)
            }
        })
        .find(|i| options.get(*i).is_some_and(|o| matches(o, typed)))
        .unwrap_or(from)
}

fn line_area(text: &str) -> TextArea<'static> {
    let mut t = TextArea::new(vec![text.to_string()]);
    t.move_cursor(CursorMove::End);
    t
}

fn note_area(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        text.lines().map(str::to_string).collect()
    };
    let mut t = TextArea::new(lines);
    t.set_wrap_mode(WrapMode::WordOrGlyph);
    t.move_cursor(CursorMove::Bottom);
    t.move_cursor(CursorMove::End);
    t
}

impl Field {
    fn with(key: &'static str, label: String, input: Input) -> Field {
        let search = match &input {
            Input::Choice { options, .. } | Input::Multi { options, .. } => {
                (options.len() > SEARCH_OVER).then(String::new)
            }
            _ => None,
        };
        Field {
            key,
            label,
            input,
            error: None,
            rows: 4,
            hint: None,
            joins: None,
            fresh: false,
            search,
            paths: false,
        }
    }

    pub fn line(key: &'static str, label: String, text: &str) -> Field {
        Field::with(key, label, Input::Line(line_area(text)))
    }

    pub fn note(key: &'static str, label: String, text: &str) -> Field {
        Field::with(key, label, Input::Note(note_area(text)))
    }

    /// A pick list starting at the option whose value is `selected`.
    pub fn choice(key: &'static str, label: String, options: Vec<Opt>, selected: &str) -> Field {
        let index = options
            .iter()
            .position(|o| o.value == selected)
            .unwrap_or(0);
        Field::with(key, label, Input::Choice { options, index })
    }

    pub fn multi(
        key: &'static str,
        label: String,
        options: Vec<Opt>,
        selected: &[String],
    ) -> Field {
        let chosen = options
            .iter()
            .map(|o| selected.contains(&o.value))
            .collect();
        Field::with(
            key,
            label,
            Input::Multi {
                options,
                chosen,
                cursor: 0,
            },
        )
    }

    pub fn toggle(key: &'static str, label: String, on: bool) -> Field {
        Field::with(key, label, Input::Toggle(on))
    }

    /// What an empty line means, shown dimmed in it.
    /// A default shown until something is typed over it.
    pub fn prefilled(mut self) -> Field {
        self.fresh = true;
        self
    }

    /// A line of file paths (pasted lines joined by spaces; Tab completes
    /// the last path).
    pub fn of_paths(mut self) -> Field {
        self.paths = true;
        self.listing(" ")
    }

    /// A one-line list: pasted lines become items joined by `sep`.
    pub fn listing(mut self, sep: &'static str) -> Field {
        self.joins = Some(sep);
        self
    }

    pub fn hinted(mut self, hint: String) -> Field {
        if let Input::Line(t) = &mut self.input {
            t.set_placeholder_text(hint.clone());
        }
        self.hint = Some(hint);
        self
    }

    /// A several-line field taller than the usual four rows.
    pub fn tall(mut self, rows: u16) -> Field {
        self.rows = rows.max(1);
        self
    }

    /// Rows the field takes on screen.
    pub fn height(&self) -> u16 {
        match &self.input {
            Input::Note(_) => self.rows,
            _ => 1,
        }
    }
}

/// What a form is for (decides how it is saved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    NewKindergarten,
    EditKindergarten(crate::domain::Id),
    NewPairing,
    EditAgreement(crate::domain::Id),
    ConfirmAgreement(crate::domain::Id),
    NewVisit,
    EditVisit(crate::domain::Id),
    NewInspection,
    EditInspection(crate::domain::Id),
    /// Join a programme with an invite (first run).
    Join,
    /// Invite a device (sync screen).
    Invite,
    /// The written sections of a report.
    ReportSections(crate::domain::reports::ReportKey),
    /// Why a report is returned.
    ReturnReport(crate::domain::reports::ReportKey),
    /// A year's targets (dashboard).
    Plan,
    /// Which of a conflict's values to keep.
    Pick(Box<crate::domain::Conflict>),
    /// A district's name and towns, or its deletion (overview).
    District,
    /// Which list to import (kindergartens `i`).
    Import,
    /// Files to attach to a record (its evidence, `a`).
    Attach(crate::domain::AttachedTo, crate::domain::Id),
}

/// An open form.
#[derive(Debug, Clone)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// A problem that belongs to no single field.
    pub message: Option<String>,
    /// What the fields held when the form opened, to see a change.
    initial: Vec<String>,
    /// Esc (or Ctrl-C) was pressed once on a changed form: pressed again,
    /// it throws the changes away.
    pub leaving: Option<Leaving>,
    /// The fields' values when a step that cannot be undone was asked
    /// (`ask_once`).
    asked: Option<Vec<String>>,
}

/// Leaving a form that holds changes: the key that asked, pressed once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving {
    Cancel,
    Quit,
}

impl Form {
    pub fn new(kind: FormKind, title: String, fields: Vec<Field>) -> Form {
        let mut form = Form {
            kind,
            title,
            fields,
            focus: 0,
            message: None,
            initial: Vec::new(),
            leaving: None,
            asked: None,
        };
        form.initial = form.values();
        form
    }

    /// Every field's value as text, in order.
    fn values(&self) -> Vec<String> {
        self.fields
            .iter()
            .map(|f| match &f.input {
                Input::Line(_) | Input::Note(_) => self.text(f.key),
                Input::Choice { .. } => self.choice(f.key),
                Input::Multi { .. } => self.multi(f.key).join(","),
                Input::Toggle(on) => on.to_string(),
            })
            .collect()
    }

    /// A step that cannot be undone asks first: the first save shows
    /// `what` will happen; saving again with nothing changed does it
    /// (true).
    pub fn ask_once(&mut self, what: String) -> bool {
        let now = self.values();
        if self.asked.as_ref() == Some(&now) {
            return true;
        }
        self.asked = Some(now);
        self.message = Some(what);
        false
    }

    /// Whether anything was typed or chosen since the form opened.
    pub fn changed(&self) -> bool {
        self.values() != self.initial
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn field_mut(&mut self, key: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    /// The text of a line or note field, trimmed.
    pub fn text(&self, key: &str) -> String {
        match self.field(key).map(|f| &f.input) {
            Some(Input::Line(t)) | Some(Input::Note(t)) => t.lines().join("\n").trim().to_string(),
            _ => String::new(),
        }
    }

    /// The chosen value of a pick list ("" for none).
    pub fn choice(&self, key: &str) -> String {
        match self.field(key).map(|f| &f.input) {
            Some(Input::Choice { options, index }) => options
                .get(*index)
                .map(|o| o.value.clone())
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    pub fn multi(&self, key: &str) -> Vec<String> {
        match self.field(key).map(|f| &f.input) {
            Some(Input::Multi {
                options, chosen, ..
            }) => options
                .iter()
                .zip(chosen)
                .filter(|(_, c)| **c)
                .map(|(o, _)| o.value.clone())
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn toggle(&self, key: &str) -> bool {
        matches!(self.field(key).map(|f| &f.input), Some(Input::Toggle(true)))
    }

    pub fn clear_errors(&mut self) {
        self.message = None;
        for f in &mut self.fields {
            f.error = None;
        }
    }

    /// Shows a problem next to its field; `false` if the form has no such
    /// field (the caller shows it as the form's message).
    pub fn set_error(&mut self, key: &str, message: String) -> bool {
        match self.field_mut(key) {
            Some(f) => {
                f.error = Some(message);
                true
            }
            None => false,
        }
    }

    /// Moves the focus to the first field with an error.
    pub fn focus_first_error(&mut self) {
        if let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = i;
        }
    }

    pub fn next_field(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
    }

    pub fn prev_field(&mut self) {
        let n = self.fields.len().max(1);
        self.focus = (self.focus + n - 1) % n;
    }

    /// A key for the focused field. Returns whether it changed the value
    /// (so dependent fields can follow).
    pub fn key(&mut self, e: KeyEvent) -> bool {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return false;
        };
        let fresh = std::mem::take(&mut f.fresh);
        if let Some(changed) = search_key(f, &e) {
            return changed;
        }
        match &mut f.input {
            Input::Line(t) => {
                if e.code == KeyCode::Enter {
                    f.fresh = fresh;
                    self.next_field();
                    return false;
                }
                if fresh && matches!(e.code, KeyCode::Char(_)) && !is_control(&e) {
                    *t = line_area("");
                }
                t.input(e)
            }
            Input::Note(t) => t.input(e),
            Input::Choice { options, index } => match e.code {
                KeyCode::Left | KeyCode::Char('h') if !options.is_empty() => {
                    *index = (*index + options.len() - 1) % options.len();
                    true
                }
                KeyCode::Right | KeyCode::Char('l') | KeyCode::Char(' ') if !options.is_empty() => {
                    *index = (*index + 1) % options.len();
                    true
                }
                KeyCode::Enter => {
                    self.next_field();
                    false
                }
                _ => false,
            },
            Input::Multi {
                options,
                chosen,
                cursor,
            } => match e.code {
                KeyCode::Left | KeyCode::Char('h') if !options.is_empty() => {
                    *cursor = (*cursor + options.len() - 1) % options.len();
                    false
                }
                KeyCode::Right | KeyCode::Char('l') if !options.is_empty() => {
                    *cursor = (*cursor + 1) % options.len();
                    false
                }
                KeyCode::Char(' ') | KeyCode::Char('x') => {
                    if let Some(c) = chosen.get_mut(*cursor) {
                        *c = !*c;
                    }
                    true
                }
                KeyCode::Enter => {
                    self.next_field();
                    false
                }
                _ => false,
            },
            Input::Toggle(on) => match e.code {
                KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right => {
                    *on = !*on;
                    true
                }
                KeyCode::Enter => {
                    self.next_field();
                    false
                }
                _ => false,
            },
        }
    }

    /// Pasted text into the focused text field (one line: newlines become
    /// spaces).
    pub fn paste(&mut self, text: &str) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            // Terminals send a pasted line break as \r, \n or both.
            let text = text.replace("\r\n", "\n").replace('\r', "\n");
            let fresh = std::mem::take(&mut f.fresh);
            match &mut f.input {
                Input::Line(t) => {
                    if fresh {
                        *t = line_area("");
                    }
                    let one_line = match f.joins {
                        Some(sep) => text
                            .lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty())
                            .collect::<Vec<_>>()
                            .join(sep),
                        None => text.replace('\n', " "),
                    };
                    t.insert_str(one_line);
                }
                Input::Note(t) => {
                    t.insert_str(text);
                }
                _ => {}
            }
        }
    }

    /// Whether a key goes to the focused field as text (so letters are typed,
    /// not taken as commands).
    pub fn is_typing(&self) -> bool {
        self.fields.get(self.focus).is_some_and(|f| {
            matches!(f.input, Input::Line(_) | Input::Note(_)) || f.search.is_some()
        })
    }

    /// Replaces the options of a pick list, keeping the choice if it is
    /// still there.
    pub fn set_options(&mut self, key: &str, new: Vec<Opt>) {
        if let Some(Field {
            input: Input::Choice { options, index },
            ..
        }) = self.field_mut(key)
        {
            let current = options.get(*index).map(|o| o.value.clone());
            *index = current
                .and_then(|c| new.iter().position(|o| o.value == c))
                .unwrap_or(0);
            *options = new;
        }
        if let Some(f) = self.field_mut(key)
            && let Input::Choice { options, .. } = &f.input
        {
            let long = options.len() > SEARCH_OVER;
            if long != f.search.is_some() {
                f.search = long.then(String::new);
            }
        }
    }

    /// Replaces the text of a one-line field.
    pub fn set_text(&mut self, key: &str, text: &str) {
        if let Some(Field {
            input: Input::Line(t),
            ..
        }) = self.field_mut(key)
        {
            *t = line_area(text);
        }
    }
}

/// A key for a searched pick list: typing narrows it (and moves to the
/// first option that matches), Backspace widens it, Left/Right move among
/// the matches. `None`: not a key of the search (Enter, Space, Tab…).
fn search_key(f: &mut Field, e: &KeyEvent) -> Option<bool> {
    let is_choice = matches!(f.input, Input::Choice { .. });
    let typed = f.search.as_mut()?;
    let (options, at) = match &mut f.input {
        Input::Choice { options, index } => (options, index),
        Input::Multi {
            options, cursor, ..
        } => (options, cursor),
        _ => return None,
    };
    let (forward, inclusive) = match e.code {
        KeyCode::Char(' ') => return None,
        KeyCode::Char(c) if !is_control(e) => {
            typed.push(c);
            (true, true)
        }
        KeyCode::Backspace => {
            typed.pop()?;
            (true, true)
        }
        KeyCode::Right => (true, false),
        KeyCode::Left => (false, false),
        _ => return None,
    };
    let before = *at;
    *at = next_match(options, typed, before, forward, inclusive);
    Some(is_choice && *at != before)
}

/// Ctrl-modified letters are never text.
pub fn is_control(e: &KeyEvent) -> bool {
    e.modifiers.contains(KeyModifiers::CONTROL)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn typed_text_stays_and_choices_move() {
        let mut f = Form::new(
            FormKind::NewVisit,
            "t".into(),
            vec![
                Field::line("date", "日期".into(), "2024-10-15"),
                Field::choice(
                    "form",
                    "形式".into(),
                    vec![Opt::new("a", "甲"), Opt::new("b", "乙")],
                    "a",
                ),
                Field::multi(
                    "tasks",
                    "任务".into(),
                    vec![Opt::new("x", "X"), Opt::new("y", "Y")],
                    &[],
                ),
            ],
        );
        f.key(key('!'));
        assert_eq!(f.text("date"), "2024-10-15!");
        f.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        assert_eq!(f.focus, 1);
        f.key(KeyEvent::new(KeyCode::Right, KeyModifiers::NONE));
        assert_eq!(f.choice("form"), "b");
        f.next_field();
        f.key(KeyEvent::new(KeyCode::Right, KeyModifiers::NONE));
        f.key(key(' '));
        assert_eq!(f.multi("tasks"), vec!["y".to_string()]);
        assert!(f.set_error("date", "坏日期".into()));
        assert!(!f.set_error("nowhere", "x".into()));
        f.focus_first_error();
        assert_eq!(f.focus, 0);
    }
}

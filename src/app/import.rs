//! Importing a kindergarten list from the kindergartens screen (`i`): a
//! form for the file and what rows that say nothing get, then a preview
//! of exactly what would be written, read and checked as the command
//! line's `kindergarten import --dry-run` reads and checks it
//! (`input::list`, `input::import`): every row with its problems, what
//! was passed over, each inferred category (changed with `e`). Nothing
//! is written until it is confirmed; one Ctrl-Z takes the whole import
//! back.

use super::action::Action;
use super::ctx::{Ctx, Go};
use super::dialog::Dialog;
use super::form::{Form, FormKind};
use super::forms::{open_spec_form, read_form};
use super::screens::Screen;
use super::{Unsaved, undo};
use crate::domain::*;
use crate::i18n::{self, Lang};
use crate::input::records::import::{self as spec, ImportDraft};
use crate::input::{Raw, import, list, sheet};
use crate::tr;
use ratatui::crossterm::event::KeyEvent;
use std::collections::BTreeMap;

/// A list read and checked, not yet written.
#[derive(Debug, Clone)]
pub struct Preview {
    pub draft: ImportDraft,
    /// The file as read (read again by Ctrl-R).
    table: sheet::Rows,
    /// Categories chosen here for rows whose list says none.
    chosen: BTreeMap<usize, Category>,
    listing: list::Listing,
    /// The file's name, and what would be written.
    pub title: String,
    pub summary: String,
    /// What was passed over (title rows, unused columns, totals, notes).
    pub notes: Vec<String>,
    pub rows: Vec<Row>,
    pub selected: usize,
    /// The confirm key was pressed once while rows have problems.
    pub asked: bool,
}

/// One row of the list as the preview shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: usize,
    pub name: String,
    pub district: String,
    pub category: String,
    /// What the record would be, field by field (good rows).
    pub fields: Vec<(String, String)>,
    /// Every problem (bad rows).
    pub problems: Vec<String>,
    /// Why the category is what it is, when the list did not say.
    pub inferred: Option<String>,
}

impl Row {
    pub fn good(&self) -> bool {
        self.problems.is_empty()
    }
}

/// `i` on the kindergartens screen: which list, and what its rows get
/// when they say nothing (a district admin's own district first).
pub fn open_form(cx: &mut Ctx<'_>) {
    let mut raw = Raw::new();
    if let Some(d) = cx.member().and_then(|m| m.district) {
        raw.put(spec::DISTRICT.key, d.as_str());
    }
    let title = tr!(cx.lang, "form.import");
    open_spec_form(cx, FormKind::Import, title, spec::FIELDS, &raw);
}

/// The form saved: the list read and checked; a file that cannot be read
/// is said by its field.
pub fn submit(cx: &mut Ctx<'_>, form: &mut Form) -> Result<(), Unsaved> {
    let draft = read_form(cx, form, spec::read)?;
    match read(cx, draft) {
        Ok(p) => {
            cx.open(Dialog::Import(Box::new(p)));
            Ok(())
        }
        Err(msg) => {
            if !form.set_error(spec::FILE.key, msg.clone()) {
                form.message = Some(msg);
            }
            Err(Unsaved::Shown)
        }
    }
}

/// The file as a table with a header row; why not, in words.
fn read_table(l: Lang, file: &std::path::Path) -> Result<sheet::Rows, String> {
    let table = sheet::read(file, list::is_header).map_err(|e| {
        let path = file.display().to_string();
        tr!(l, "import.unreadable", path = path, detail = e.say(l))
    })?;
    if !list::is_header(&table.headers) {
        return Err(tr!(l, "import.no_name_column"));
    }
    Ok(table)
}

/// Reads the file and checks its rows; why not, in words.
fn read(cx: &mut Ctx<'_>, draft: ImportDraft) -> Result<Preview, String> {
    let l = cx.lang;
    let table = read_table(l, &draft.file)?;
    let title = draft
        .file
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut p = Preview {
        draft,
        table,
        chosen: BTreeMap::new(),
        listing: list::Listing::default(),
        title,
        summary: String::new(),
        notes: Vec::new(),
        rows: Vec::new(),
        selected: 0,
        asked: false,
    };
    check(cx, &mut p).map_err(|e| crate::i18n::edit_error(l, &e))?;
    Ok(p)
}

/// Reads the rows again (after a category was chosen, or the file read
/// again) and checks them in a write that is rolled back.
fn check(cx: &mut Ctx<'_>, p: &mut Preview) -> Result<(), crate::store::EditError> {
    let l = cx.lang;
    let defaults = list::Defaults {
        district: p.draft.district.as_ref(),
        category: p.draft.category,
        chosen: Some(&p.chosen),
    };
    p.listing = list::kindergartens(p.table.clone(), cx.input(), defaults);
    let (checked, _) = import::run(l, cx.ws, &p.listing, |_| false)?;
    p.notes = import::notes(l, &p.listing);
    p.rows = rows(l, cx.model(), &p.listing, &checked);
    p.selected = p.selected.min(p.rows.len().saturating_sub(1));
    p.summary = tr!(
        l,
        "import.preview.summary",
        count = checked.good.len(),
        bad = checked.bad.len()
    );
    p.asked = false;
    Ok(())
}

/// Each row of the list: what it would be, or its problems.
fn rows(l: Lang, m: &Model, listing: &list::Listing, c: &import::Checked) -> Vec<Row> {
    let good: BTreeMap<usize, &Kindergarten> = c.good.iter().map(|(n, k)| (*n, k)).collect();
    listing
        .rows
        .iter()
        .map(|r| {
            let k = good.get(&r.line);
            // As the list shows a kindergarten, without the id (the
            // preview's is thrown away with its write).
            use crate::present::View;
            let fields = k.map_or_else(Vec::new, |k| {
                Kindergarten::COLUMNS
                    .iter()
                    .filter(|c| c.key != "id")
                    .map(|c| (i18n::field(l, c.key), (c.cell)(k, l, m)))
                    .collect()
            });
            Row {
                line: r.line,
                name: r.name.clone(),
                district: k
                    .and_then(|k| m.district(&k.district_id))
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
                category: k.map(|k| i18n::label(l, k.category)).unwrap_or_default(),
                fields,
                problems: c.bad.get(&r.line).cloned().unwrap_or_default(),
                inferred: r.inferred.map(|(_, why)| list::because(l, why)),
            }
        })
        .collect()
}

/// A key on the preview; true when it asks to quit.
pub fn key(cx: &mut Ctx<'_>, k: KeyEvent) -> bool {
    let Some(Dialog::Import(mut p)) = cx.dialog.take() else {
        return false;
    };
    let last = p.rows.len().saturating_sub(1);
    let step = |by: isize, p: &mut Preview| {
        p.selected = p.selected.saturating_add_signed(by).min(last);
    };
    match cx.keymap.normal_action(&k) {
        Some(Action::Quit) if super::form::is_control(&k) => {
            cx.open(Dialog::Import(p));
            return true;
        }
        Some(Action::Back) => return false,
        Some(Action::Up) => step(-1, &mut p),
        Some(Action::Down) => step(1, &mut p),
        Some(Action::PageUp) => step(-10, &mut p),
        Some(Action::PageDown) => step(10, &mut p),
        Some(Action::Home) => p.selected = 0,
        Some(Action::End) => p.selected = last,
        Some(Action::Edit) => choose_category(cx, &mut p),
        Some(Action::Refresh) => reread(cx, &mut p),
        // Written: the preview is done.
        Some(Action::Confirm | Action::Select) if write(cx, &mut p) => return false,
        _ => {}
    }
    cx.open(Dialog::Import(p));
    false
}

/// `e`: the next category for the selected row, when the list says none.
fn choose_category(cx: &mut Ctx<'_>, p: &mut Preview) {
    let l = cx.lang;
    let Some(row) = p.listing.rows.get(p.selected) else {
        return;
    };
    let line = row.line;
    let now = match (row.inferred, &row.draft) {
        (Some((c, _)), _) => Some(c),
        (None, Ok(_)) => return cx.say(tr!(l, "import.preview.category_in_file", line = line)),
        (None, Err(_)) => None,
    };
    let all = Category::ALL;
    let next = match now.and_then(|c| all.iter().position(|x| *x == c)) {
        Some(i) => all.get(i.saturating_add(1) % all.len()),
        None => all.first(),
    };
    if let Some(c) = next {
        p.chosen.insert(line, *c);
    }
    if let Err(e) = check(cx, p) {
        cx.say(i18n::edit_error(l, &e));
    }
}

/// Ctrl-R: the file read again (corrected in Excel meanwhile).
fn reread(cx: &mut Ctx<'_>, p: &mut Preview) {
    let l = cx.lang;
    match read_table(l, &p.draft.file) {
        Ok(table) => {
            p.table = table;
            match check(cx, p) {
                Ok(()) => cx.say(tr!(l, "import.preview.reread")),
                Err(e) => cx.say(i18n::edit_error(l, &e)),
            }
        }
        Err(msg) => cx.say(msg),
    }
}

/// The confirm key: writes the good rows (asked once first when some
/// rows have problems); true when the preview is done.
fn write(cx: &mut Ctx<'_>, p: &mut Preview) -> bool {
    let l = cx.lang;
    let good = p.rows.iter().filter(|r| r.good()).count();
    let bad = p.rows.len().saturating_sub(good);
    if good == 0 {
        cx.say(tr!(l, "import.preview.nothing_good"));
        return false;
    }
    if bad > 0 && !p.asked {
        p.asked = true;
        let key = cx.keymap.primary(Action::Confirm);
        cx.say(tr!(
            l,
            "import.preview.only_good",
            bad = bad,
            good = good,
            key = key
        ));
        return false;
    }
    let listing = p.listing.clone();
    match cx.write(|w| import::check(l, w, &listing)) {
        Ok(c) => {
            for (i, (_, k)) in c.good.iter().enumerate() {
                undo::note_joined(cx, Entity::Kindergarten, &k.id, None, i > 0);
            }
            let key = cx.keymap.primary(Action::Undo);
            let (count, bad) = (c.good.len(), c.bad.len());
            cx.say(if bad == 0 {
                tr!(l, "import.preview.done", count = count, key = key)
            } else {
                tr!(
                    l,
                    "import.preview.done_some",
                    count = count,
                    bad = bad,
                    key = key
                )
            });
            cx.asked.go = Some(Go::To(Screen::Kindergartens));
            if let Some((_, k)) = c.good.first() {
                cx.asked.select = Some((Screen::Kindergartens, k.id.clone()));
            }
            true
        }
        Err(why) => {
            cx.say_unsaved(why);
            false
        }
    }
}

//! A list's rows checked against the rules before anything is kept, the
//! same for the command line (`kindergarten import`) and the interface's
//! import dialog: each good row added in a write that is kept or rolled
//! back, each bad row with every problem, by the row number Excel shows.

use super::list::{self, Listing, Passed};
use crate::domain::Kindergarten;
use crate::i18n::{self, Lang};
use crate::store::{EditError, StoreError, Workspace, Writer};
use crate::tr;
use std::collections::BTreeMap;

/// What a list's rows come to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checked {
    /// The rows that are (or would be) written, with the record each
    /// becomes.
    pub good: Vec<(usize, Kindergarten)>,
    /// Every problem of each bad row, in the reader's language, by row.
    pub bad: BTreeMap<usize, Vec<String>>,
}

impl Checked {
    /// One line per problem: `第 N 行：…`.
    pub fn bad_lines(&self, l: Lang) -> Vec<String> {
        self.bad
            .iter()
            .flat_map(|(line, ps)| {
                ps.iter()
                    .map(move |p| tr!(l, "import.bad_row", line = line, detail = p))
            })
            .collect()
    }
}

/// Adds every row that reads well, in the writer's write, each checked
/// against the rules and the rows before it. A row the rules refuse is
/// skipped (the writer keeps nothing of it), so the rows after it are
/// checked against the good ones only.
pub fn check(l: Lang, w: &mut Writer<'_>, listing: &Listing) -> Result<Checked, EditError> {
    let mut c = Checked::default();
    for r in &listing.rows {
        let d = match &r.draft {
            Ok(d) => d.clone(),
            Err(problems) => {
                c.bad.entry(r.line).or_default().extend(problems.clone());
                continue;
            }
        };
        match w.add_kindergarten(d) {
            Ok(id) => c
                .good
                .extend(w.model().kindergarten(&id).cloned().map(|k| (r.line, k))),
            Err(EditError::Invalid(ps)) => c
                .bad
                .entry(r.line)
                .or_default()
                .extend(ps.iter().map(|p| i18n::problem(l, p))),
            Err(e) => return Err(e),
        }
    }
    Ok(c)
}

/// Why a check's write is rolled back.
enum Undone {
    /// Not to be kept (see `keep` in [`run`]).
    NotKept(Checked),
    Edit(EditError),
}

impl From<StoreError> for Undone {
    fn from(e: StoreError) -> Undone {
        Undone::Edit(EditError::Store(e))
    }
}

/// Checks the rows in one write, kept when `keep` says so of what the
/// rows came to (never, for a dry run); whether it was kept.
pub fn run(
    l: Lang,
    ws: &mut Workspace,
    listing: &Listing,
    keep: impl FnOnce(&Checked) -> bool,
) -> Result<(Checked, bool), EditError> {
    let result = ws.write_or_undo(|w| {
        let c = check(l, w, listing).map_err(Undone::Edit)?;
        if keep(&c) {
            Ok(c)
        } else {
            Err(Undone::NotKept(c))
        }
    });
    match result {
        Ok(c) => Ok((c, true)),
        Err(Undone::NotKept(c)) => Ok((c, false)),
        Err(Undone::Edit(e)) => Err(e),
    }
}

/// What a list's reading passed over or decided, line by line: rows
/// above the header, columns not used, totals and notes, inferred
/// categories.
pub fn notes(l: Lang, listing: &Listing) -> Vec<String> {
    let mut lines = Vec::new();
    for (line, text) in &listing.above {
        lines.push(tr!(l, "import.note.above", line = line, text = text));
    }
    if !listing.ignored.is_empty() {
        let columns = listing.ignored.join(l.sep());
        lines.push(tr!(
            l,
            "import.note.ignored",
            line = listing.header_line,
            columns = columns
        ));
    }
    for (line, p) in &listing.passed {
        lines.push(match p {
            Passed::Total(label) => tr!(l, "import.note.total", line = line, label = label),
            Passed::Note(text) => tr!(l, "import.note.note", line = line, text = text),
        });
    }
    lines
}

/// Each inferred category, by row, and how to change them.
pub fn inferences(l: Lang, listing: &Listing) -> Vec<String> {
    let mut lines: Vec<String> = listing
        .rows
        .iter()
        .filter_map(|r| {
            let (c, why) = r.inferred?;
            Some(tr!(
                l,
                "import.note.inferred",
                line = r.line,
                value = i18n::label(l, c),
                why = list::because(l, why)
            ))
        })
        .collect();
    if !lines.is_empty() {
        lines.push(tr!(l, "import.note.inferred_how", count = lines.len()));
    }
    lines
}

//! Reading a kindergarten list (附表) from a spreadsheet into the
//! kindergarten's fields, every row checked before anything is written.

use super::output::{out, table_text};
use super::{CmdResult, Ctx, Fail};
use crate::domain::*;
use crate::i18n::{self, Lang};
use crate::input as parse;
use crate::input::{list, sheet};
use crate::store::{EditError, Workspace};
use crate::tr;
use std::path::Path;

/// The bad rows of a list: one line per problem, and which rows.
#[derive(Default)]
struct BadRows {
    lines: Vec<String>,
    rows: std::collections::BTreeSet<usize>,
}

impl BadRows {
    fn add(&mut self, l: Lang, row: usize, detail: String) {
        self.rows.insert(row);
        self.lines
            .push(tr!(l, "import.bad_row", line = row, detail = detail));
    }
}

/// How to import a list.
pub struct Options {
    /// The district of rows that name none.
    pub district: Option<String>,
    /// The category of rows that say none (otherwise inferred).
    pub category: Option<String>,
    pub dry_run: bool,
    pub only_good: bool,
}

/// Imports a kindergarten list (附表) from a spreadsheet or CSV file: every
/// row checked first; one bad row and nothing is written (each bad row is
/// named by its row number, with all its problems), unless `only_good`
/// asks for the good rows alone. What was passed over (title rows,
/// unused columns, totals, notes) and each inferred category are said.
pub fn import_kindergartens(ctx: &Ctx, ws: &mut Workspace, file: &Path, o: Options) -> CmdResult {
    let l = ctx.lang;
    let district = o
        .district
        .map(|d| parse::district(l, ws.model(), &d))
        .transpose()?;
    let category = o
        .category
        .map(|c| parse::code::<Category>(l, "category", &c))
        .transpose()?;
    let table = sheet::read(file, list::is_header)
        .map_err(|e| Fail::file("import.unreadable", file, e.say(l)))?;
    if !list::is_header(&table.headers) {
        return Err(Fail::said("import.no_name_column", vec![]));
    }
    let defaults = list::Defaults {
        district: district.as_ref(),
        category,
    };
    let listing = list::kindergartens(table, ctx.input(ws.model()), defaults);
    for line in notes(l, &listing) {
        out(&line);
    }
    let mut bad = BadRows::default();
    let mut rows = Vec::new();
    for r in &listing.rows {
        match &r.draft {
            Ok(d) => rows.push((r.line, d.clone())),
            Err(problems) => {
                for p in problems {
                    bad.add(l, r.line, p.clone());
                }
            }
        }
    }
    let mut checked = Vec::new();
    let result = ws.write_or_undo(|w| {
        check_rows(l, w, &rows, &mut checked, &mut bad)?;
        if !o.dry_run && (bad.lines.is_empty() || o.only_good) {
            Ok(())
        } else {
            Err(Rollback::Checked)
        }
    });
    say_result(ctx, ws, result, o.dry_run, &checked, bad)
}

/// What a list's reading passed over or decided, line by line: rows
/// above the header, columns not used, totals and notes, inferred
/// categories.
pub fn notes(l: Lang, listing: &list::Listing) -> Vec<String> {
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
            list::Passed::Total(label) => tr!(l, "import.note.total", line = line, label = label),
            list::Passed::Note(text) => tr!(l, "import.note.note", line = line, text = text),
        });
    }
    let mut inferred = 0usize;
    for r in &listing.rows {
        if let Some((c, why)) = r.inferred {
            inferred = inferred.saturating_add(1);
            lines.push(tr!(
                l,
                "import.note.inferred",
                line = r.line,
                value = i18n::label(l, c),
                why = list::because(l, why)
            ));
        }
    }
    if inferred > 0 {
        lines.push(tr!(l, "import.note.inferred_how", count = inferred));
    }
    lines
}

/// Checks every row against the rules and the good rows before it, in the
/// write the caller keeps or rolls back. A row that breaks a rule is
/// skipped, so the rows after it are checked against the good ones only.
fn check_rows(
    l: Lang,
    w: &mut crate::store::Writer<'_>,
    rows: &[(usize, KindergartenDraft)],
    checked: &mut Vec<Kindergarten>,
    bad: &mut BadRows,
) -> Result<(), Rollback> {
    for (line, k) in rows {
        match w.add_kindergarten(k.clone()) {
            Ok(id) => checked.extend(w.model().kindergarten(&id).cloned()),
            Err(EditError::Invalid(ps)) => {
                for p in ps {
                    bad.add(l, *line, i18n::problem(l, &p));
                }
            }
            Err(e) => return Err(Rollback::Store(e)),
        }
    }
    Ok(())
}

/// What the import did, or would do, or why it wrote nothing.
fn say_result(
    ctx: &Ctx,
    ws: &Workspace,
    result: Result<(), Rollback>,
    dry_run: bool,
    checked: &[Kindergarten],
    mut bad: BadRows,
) -> CmdResult {
    let l = ctx.lang;
    let bad_rows = bad.rows.len();
    match result {
        Ok(()) => {
            for b in &bad.lines {
                eprintln!("{b}");
            }
            out(&tr!(l, "import.done", count = checked.len()));
            if bad_rows > 0 {
                out(&tr!(l, "import.skipped", bad = bad_rows));
            }
            Ok(())
        }
        Err(Rollback::Checked) if dry_run => {
            let refs: Vec<&Kindergarten> = checked.iter().collect();
            out(&table_text(&crate::present::table(l, ws.model(), &refs)));
            for b in &bad.lines {
                out(b);
            }
            out(&tr!(
                l,
                "import.dry_run",
                count = checked.len(),
                bad = bad_rows
            ));
            if bad_rows == 0 {
                Ok(())
            } else {
                Err(Fail::said(
                    "import.dry_run_bad",
                    vec![("bad", bad_rows.to_string())],
                ))
            }
        }
        Err(Rollback::Checked) => {
            bad.lines
                .push(tr!(l, "import.nothing_written", bad = bad_rows));
            Err(Fail::Text(bad.lines))
        }
        Err(Rollback::Store(e)) => Err(ctx.edit(e)),
    }
}

/// Why an import's write is rolled back.
enum Rollback {
    /// Only checking, or a bad row and not only the good ones: nothing
    /// is kept.
    Checked,
    Store(EditError),
}

impl From<crate::store::StoreError> for Rollback {
    fn from(e: crate::store::StoreError) -> Rollback {
        Rollback::Store(EditError::Store(e))
    }
}

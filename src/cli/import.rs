//! Reading a kindergarten list (附表) from a spreadsheet into the
//! kindergarten's fields, every row checked before anything is written.

use super::output::{out, table_text};
use super::{CmdResult, Ctx, Fail};
use crate::domain::*;
use crate::i18n::{self, Lang};
use crate::input as parse;
use crate::input::records::kindergarten as kindergarten_fields;
use crate::input::{FieldSpec, Raw, Why};
use crate::store::{EditError, Workspace};
use crate::tr;
use std::path::Path;

/// Column names a kindergarten list may use, in Chinese or English, for
/// the kindergarten's fields (`input::records::kindergarten`).
pub(super) fn column(header: &str) -> Option<&'static str> {
    use crate::input::records::kindergarten as k;
    let h = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    let pairs: [(&[&str], &FieldSpec); 12] = [
        (&["园名", "幼儿园", "幼儿园名称", "名称", "name"], &k::NAME),
        (&["县区", "县(区)", "区县", "district"], &k::DISTRICT),
        (&["乡镇", "镇", "town"], &k::TOWN),
        (&["村", "村屯", "village"], &k::VILLAGE),
        (&["性质", "办园性质", "ownership"], &k::OWNERSHIP),
        (&["类别", "类型", "category"], &k::CATEGORY),
        (&["星级", "stars"], &k::STARS),
        (&["农村", "农村园", "是否农村", "rural"], &k::RURAL),
        (&["幼儿数", "在园幼儿数", "children"], &k::CHILDREN),
        (&["教师数", "专任教师数", "teachers"], &k::TEACHERS),
        (&["联系人", "contact"], &k::CONTACT),
        (&["电话", "联系电话", "phone"], &k::PHONE),
    ];
    pairs
        .iter()
        .find(|(names, _)| names.contains(&h.as_str()))
        .map(|(_, f)| f.key)
}

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

/// Imports a kindergarten list (附表) from `.xlsx` or `.csv`: every row
/// checked first; one bad row and nothing is written (each bad row is named
/// by its row number), unless `only_good` asks for the good rows alone.
pub fn import_kindergartens(
    ctx: &Ctx,
    ws: &mut Workspace,
    file: &Path,
    district: Option<String>,
    dry_run: bool,
    only_good: bool,
) -> CmdResult {
    let default_district = district
        .map(|d| parse::district(ctx.lang, ws.model(), &d))
        .transpose()?;
    let mut bad = BadRows::default();
    let rows = read_rows(ctx, ws, file, default_district.as_ref(), &mut bad)?;
    let mut checked = Vec::new();
    let result = ws.write_or_undo(|w| {
        check_rows(ctx.lang, w, &rows, &mut checked, &mut bad)?;
        if !dry_run && (bad.lines.is_empty() || only_good) {
            Ok(())
        } else {
            Err(Rollback::Checked)
        }
    });
    say_result(ctx, ws, result, dry_run, &checked, bad)
}

/// Each row of the file read into a kindergarten's fields (the problems of
/// rows that cannot be read go to `bad`).
fn read_rows(
    ctx: &Ctx,
    ws: &Workspace,
    file: &Path,
    default_district: Option<&Id>,
    bad: &mut BadRows,
) -> Result<Vec<(usize, KindergartenDraft)>, Fail> {
    let l = ctx.lang;
    // The header is the row that names the kindergartens' column: title
    // rows above it are passed over.
    let is_header = |cells: &[String]| cells.iter().any(|c| column(c) == Some("name"));
    let table = crate::export::rows::read(file, is_header)
        .map_err(|e| Fail::file("import.unreadable", file, e))?;
    let columns: Vec<Option<&str>> = table.headers.iter().map(|h| column(h)).collect();
    if !columns.contains(&Some("name")) {
        return Err(Fail::said("import.no_name_column", vec![]));
    }
    let mut rows = Vec::new();
    for (line, rec) in table.rows {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                bad.add(l, line, e);
                continue;
            }
        };
        let mut raw = Raw::new();
        for (col, value) in columns.iter().zip(rec.iter()) {
            if let Some(key) = col {
                raw.put(key, value.trim());
            }
        }
        if let Some(d) = default_district
            && !raw.given(kindergarten_fields::DISTRICT.key)
        {
            raw.put(kindergarten_fields::DISTRICT.key, d.as_str());
        }
        match kindergarten_fields::read(&raw, ctx.input(ws.model())) {
            Ok(k) => rows.push((line, k)),
            Err(problems) => {
                for b in problems {
                    let detail = match b.why {
                        Why::Invalid(msg) => msg,
                        Why::Missing => {
                            tr!(l, "import.missing", field = i18n::field(l, b.field))
                        }
                    };
                    bad.add(l, line, detail);
                }
            }
        }
    }
    Ok(rows)
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

//! Reading a kindergarten list (附表) from a spreadsheet into the
//! kindergarten's fields, every row checked before anything is written.

use super::output::{out, table_text};
use super::{CmdResult, Ctx, Fail};
use crate::domain::*;
use crate::input as parse;
use crate::input::{import, list, sheet};
use crate::store::Workspace;
use crate::tr;
use std::path::Path;

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
        chosen: None,
    };
    let listing = list::kindergartens(table, ctx.input(ws.model()), defaults);
    for line in import::notes(l, &listing)
        .into_iter()
        .chain(import::inferences(l, &listing))
    {
        out(&line);
    }
    let keep = |c: &import::Checked| !o.dry_run && (c.bad.is_empty() || o.only_good);
    let (checked, kept) = import::run(l, ws, &listing, keep).map_err(|e| ctx.edit(e))?;
    say_result(ctx, ws, &checked, kept, o.dry_run)
}

/// What the import did, or would do, or why it wrote nothing.
fn say_result(
    ctx: &Ctx,
    ws: &Workspace,
    checked: &import::Checked,
    kept: bool,
    dry_run: bool,
) -> CmdResult {
    let l = ctx.lang;
    let bad_rows = checked.bad.len();
    let mut bad = checked.bad_lines(l);
    if kept {
        for b in &bad {
            eprintln!("{b}");
        }
        out(&tr!(l, "import.done", count = checked.good.len()));
        if bad_rows > 0 {
            out(&tr!(l, "import.skipped", bad = bad_rows));
        }
        return Ok(());
    }
    if !dry_run {
        bad.push(tr!(l, "import.nothing_written", bad = bad_rows));
        return Err(Fail::Text(bad));
    }
    let refs: Vec<&Kindergarten> = checked.good.iter().map(|(_, k)| k).collect();
    out(&table_text(&crate::present::table(l, ws.model(), &refs)));
    for b in &bad {
        out(b);
    }
    out(&tr!(
        l,
        "import.dry_run",
        count = checked.good.len(),
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

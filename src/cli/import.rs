//! Reading a kindergarten list (附表) from a spreadsheet into the
//! kindergarten's fields, every row checked before anything is written.

use super::output::{out, table_text};
use super::{CmdResult, Ctx, Fail};
use crate::domain::*;
use crate::i18n::{self};
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
    let l = ctx.lang;
    let table = crate::export::rows::read(file).map_err(|e| {
        Fail::line(tr!(
            l,
            "import.unreadable",
            path = file.display().to_string(),
            detail = e
        ))
    })?;
    let columns: Vec<Option<&str>> = table.headers.iter().map(|h| column(h)).collect();
    if !columns.contains(&Some("name")) {
        return Err(Fail::line(tr!(l, "import.no_name_column")));
    }
    let default_district = district
        .map(|d| parse::district(l, ws.model(), &d))
        .transpose()?;
    let mut rows = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    let mut bad_lines = std::collections::BTreeSet::new();
    for (line, rec) in table.rows {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                bad.push(tr!(l, "import.bad_row", line = line, detail = e));
                bad_lines.insert(line);
                continue;
            }
        };
        let mut raw = Raw::new();
        for (col, value) in columns.iter().zip(rec.iter()) {
            if let Some(key) = col {
                raw.put(key, value.trim());
            }
        }
        if let Some(d) = &default_district
            && !raw.given(kindergarten_fields::DISTRICT.key)
        {
            raw.put(kindergarten_fields::DISTRICT.key, d.as_str());
        }
        match kindergarten_fields::read(&raw, ctx.input(ws.model())) {
            Ok(k) => rows.push((line, k)),
            Err(problems) => {
                bad_lines.insert(line);
                for b in problems {
                    let detail = match b.why {
                        Why::Invalid(msg) => msg,
                        Why::Missing => {
                            tr!(l, "import.missing", field = i18n::field(l, b.field))
                        }
                    };
                    bad.push(tr!(l, "import.bad_row", line = line, detail = detail));
                }
            }
        }
    }
    // Check every row against the rules (and the rows before it) in one
    // write that is rolled back unless everything is good.
    // A row that breaks a rule with the good rows before it is bad too; a
    // rule-breaking row is skipped, so the rows after it are checked
    // against the good ones only.
    let mut checked = Vec::new();
    let result = ws.write_or_undo(|w| {
        for (line, k) in &rows {
            match w.add_kindergarten(k.clone()) {
                Ok(id) => checked.extend(w.model().kindergarten(&id).cloned()),
                Err(EditError::Invalid(ps)) => {
                    bad_lines.insert(*line);
                    for p in ps {
                        bad.push(tr!(
                            l,
                            "import.bad_row",
                            line = line,
                            detail = i18n::problem(l, &p)
                        ));
                    }
                }
                Err(e) => return Err(Rollback::Store(e)),
            }
        }
        if !dry_run && (bad.is_empty() || only_good) {
            Ok(())
        } else {
            Err(Rollback::Checked)
        }
    });
    match result {
        Ok(()) => {
            for b in &bad {
                eprintln!("{b}");
            }
            out(&tr!(l, "import.done", count = checked.len()));
            if !bad_lines.is_empty() {
                out(&tr!(l, "import.skipped", bad = bad_lines.len()));
            }
            Ok(())
        }
        Err(Rollback::Checked) if dry_run => {
            let refs: Vec<&Kindergarten> = checked.iter().collect();
            out(&table_text(&crate::present::table(l, ws.model(), &refs)));
            for b in &bad {
                out(b);
            }
            out(&tr!(
                l,
                "import.dry_run",
                count = checked.len(),
                bad = bad_lines.len()
            ));
            if bad_lines.is_empty() {
                Ok(())
            } else {
                Err(Fail::line(tr!(
                    l,
                    "import.dry_run_bad",
                    bad = bad_lines.len()
                )))
            }
        }
        Err(Rollback::Checked) => {
            bad.push(tr!(l, "import.nothing_written", bad = bad_lines.len()));
            Err(Fail(bad))
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

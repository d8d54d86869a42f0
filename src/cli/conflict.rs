//! `bangfu conflict`: values two devices set differently while apart,
//! listed, and one of them kept (`store/conflicts.rs`).

use super::output::{Table, out, print_list};
use super::records::write;
use super::{CmdResult, Ctx, Fail, FormatArg, output::Format};
use crate::present::conflicts as words;
use crate::tr;
use clap::Subcommand;
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum ConflictCmd {
    /// List the fields two devices set differently while apart
    List(FormatArg),
    /// Keep one value: 1 is the value shown, 2 and on those set aside
    Pick {
        /// The record's id (a unique prefix)
        id: String,
        /// The field, as `conflict list` names it (e.g. date)
        field: String,
        /// Which value to keep (1, 2, …)
        choice: usize,
    },
}

pub fn conflict(ctx: &Ctx, cmd: ConflictCmd) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    match cmd {
        ConflictCmd::List(f) => {
            let format = ctx.format(&f)?;
            let m = ws.model();
            let all = ws.conflicts();
            let rows = all
                .iter()
                .map(|c| {
                    let set_aside: Vec<String> =
                        c.set_aside.iter().map(|v| words::quoted(l, v)).collect();
                    vec![
                        c.record_id()
                            .map_or_else(|| c.record.clone(), |i| i.short().to_string()),
                        words::record(l, m, c),
                        c.field.clone(),
                        words::quoted(l, &c.kept),
                        set_aside.join(l.sep()),
                    ]
                })
                .collect();
            let table = Table {
                headers: crate::present::headers(
                    l,
                    &["id", "record", "field", "shown", "set_aside"],
                ),
                rows,
            };
            if all.is_empty() && format == Format::Table {
                out(&tr!(l, "conflict.none_here"));
                return Ok(());
            }
            print_list(format, &table, json!(all));
        }
        ConflictCmd::Pick { id, field, choice } => {
            let wanted = id.trim().to_lowercase();
            let found = ws
                .conflicts()
                .iter()
                .find(|c| c.record.starts_with(&wanted) && c.field == field.trim())
                .cloned();
            let Some(c) = found else {
                return Err(Fail::line(tr!(l, "conflict.none")));
            };
            let index = choice.checked_sub(1).filter(|i| *i <= c.set_aside.len());
            let Some(index) = index else {
                return Err(Fail::line(tr!(
                    l,
                    "conflict.choice",
                    count = c.set_aside.len().saturating_add(1)
                )));
            };
            write(ctx, &mut ws, |w| w.pick(&c, index))?;
            let value = if index == 0 {
                c.kept.clone()
            } else {
                c.set_aside.get(index - 1).cloned().unwrap_or_default()
            };
            out(&tr!(l, "conflict.picked", value = words::quoted(l, &value)));
        }
    }
    Ok(())
}

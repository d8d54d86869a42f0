//! Writing the workspace (JSON) or one list (CSV, Excel) to a file or to
//! standard output; saving any file a command writes.

use super::{CmdResult, Ctx, Fail};
use crate::i18n;
use crate::tr;
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// json (the whole workspace), or csv / xlsx (one list, see --what)
    #[arg(long, default_value = "json")]
    pub format: String,
    /// With csv or xlsx: kindergartens, pairings, visits or inspections
    #[arg(long, value_name = "LIST")]
    pub what: Option<String>,
    /// File to write, or `-` for standard output (json and csv)
    #[arg(required_unless_present = "attachments")]
    pub file: Option<PathBuf>,
    /// Write attached files to this folder instead, named date_kindergarten_activity_n: a record's (--record), or a report period's (the files its annex lists)
    #[arg(long, value_name = "DIR", conflicts_with_all = ["file", "what"])]
    pub attachments: Option<PathBuf>,
    /// With --attachments: the record (a unique id prefix)
    #[arg(long, requires = "attachments")]
    pub record: Option<String>,
    /// With --attachments, a report's period: --district D --month YYYY-MM, or --level L [--id ID] --year Y
    #[command(flatten)]
    pub period: super::report::Which,
}

pub fn export(ctx: &Ctx, a: ExportArgs) -> CmdResult {
    use crate::export::lists;
    let l = ctx.lang;
    let (file, period) = match (&a.attachments, &a.file) {
        (Some(dir), _) => return super::evidence::export_files(ctx, dir, a.record, &a.period),
        (None, Some(file)) => (file, &a.period),
        (None, None) => return Err(Fail::said("export.attachments_which", vec![])),
    };
    if period.named() {
        return Err(Fail::said("export.attachments_which", vec![]));
    }
    let format = a.format.trim().to_ascii_lowercase();
    let bytes = match (format.as_str(), &a.what) {
        ("json", None) => {
            let ws = ctx.open()?;
            (serde_json::to_string_pretty(&crate::present::export_json(
                ws.model(),
                ws.workspace_id(),
            ))
            .unwrap_or_default()
                + "\n")
                .into_bytes()
        }
        ("csv" | "xlsx", Some(what)) => {
            let what = lists::What::parse(what)
                .ok_or_else(|| Fail::said("export.bad_what", vec![("value", what.to_string())]))?;
            let ws = ctx.open()?;
            let table = lists::table(l, ws.model(), what);
            let made = if format == "csv" {
                lists::csv_file(&table)
            } else {
                crate::export::xlsx::table(
                    &i18n::entity(l, what.entity()),
                    &table.headers,
                    &table.rows,
                    &ctx.person,
                    ctx.today,
                )
            };
            made.map_err(|e| Fail::said("export.failed", vec![("detail", e.to_string())]))?
        }
        ("csv" | "xlsx", None) => return Err(Fail::said("export.what_needed", vec![])),
        ("json", Some(_)) => return Err(Fail::said("export.json_whole", vec![])),
        _ => {
            return Err(Fail::said(
                "export.bad_format",
                vec![("value", a.format.to_string())],
            ));
        }
    };
    save(ctx, file, &bytes)
}

/// Writes an exported file (or standard output for `-`) and says where.
pub fn save(ctx: &Ctx, file: &Path, bytes: &[u8]) -> CmdResult {
    let l = ctx.lang;
    if file.as_os_str() == "-" {
        let mut o = std::io::stdout().lock();
        let _ = o.write_all(bytes);
        return Ok(());
    }
    write_file_atomically(file, bytes).map_err(|e| Fail::file("export.io", file, e))?;
    eprintln!(
        "{}",
        tr!(
            l,
            "export.done",
            path = file.display().to_string(),
            bytes = bytes.len()
        )
    );
    Ok(())
}

pub use crate::export::write_file_atomically;

//! Looking into the workspace: a record's history, the health check
//! (doctor), debugging dumps.

use super::output::{Table, out, print_list};
use super::{CmdResult, Ctx, Fail, FormatArg, output::Format};
use crate::domain::*;
use crate::i18n::{self, Lang};
use crate::store::{self};
use crate::tr;
use clap::{Args, Subcommand};
use serde_json::json;
use std::io::Write;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Any record's id (a unique prefix)
    pub id: String,
    #[command(flatten)]
    pub format: FormatArg,
}

pub fn history(ctx: &Ctx, a: HistoryArgs) -> CmdResult {
    let l = ctx.lang;
    let format = ctx.format(&a.format)?;
    // Read from the history index and the record's own document when they
    // can answer alone; else (and on any error, which the whole workspace's
    // open then words) from the whole workspace.
    let quick = store::quick_history(&ctx.data_dir, &ctx.options(), &a.id);
    let (what, id, entries) = match quick.ok().flatten() {
        Some(found) => found,
        None => history_of(ctx, &a.id)?,
    };
    let table = Table {
        headers: crate::present::headers(l, &crate::present::HISTORY_COLUMNS),
        rows: entries
            .iter()
            .map(|e| crate::present::history_row(l, e))
            .collect(),
    };
    if format == Format::Table {
        out(&tr!(
            l,
            "history.heading",
            what = i18n::entity(l, what),
            id = id.as_str(),
            count = entries.len()
        ));
    }
    print_list(format, &table, json!(entries));
    Ok(())
}

/// A record's kind, id and history, read from the whole workspace: a
/// record here now, else a whole id of one deleted.
fn history_of(ctx: &Ctx, prefix: &str) -> Result<store::RecordHistory, Fail> {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    match ws.model().resolve_any(prefix) {
        Ok((what, id)) => {
            let entries = ws.history(what, &id).map_err(Fail::Store)?;
            Ok((what, id, entries))
        }
        // A whole id of a record no longer here: its history, deletion
        // last.
        Err(e) => {
            let found = match Id::parse(prefix.trim()) {
                Some(id) => ws
                    .deleted_history(&id)
                    .map_err(Fail::Store)?
                    .map(|x| (id, x)),
                None => None,
            };
            let Some((id, (what, entries))) = found else {
                return Err(Fail::line(i18n::prefix_error(l, None, prefix, &e)));
            };
            Ok((what, id, entries))
        }
    }
}

pub fn doctor(ctx: &Ctx) -> CmdResult {
    let l = ctx.lang;
    let report = store::doctor(&ctx.data_dir, ctx.options()).map_err(Fail::Store)?;
    let mut healthy = storage_lines(l, &report);
    conflict_lines(ctx, &report);
    membership_lines(l, &report);
    if let Ok(ws) = ctx.open() {
        healthy &= file_lines(l, &ws);
    }
    if healthy {
        out(&tr!(l, "doctor.healthy"));
        Ok(())
    } else {
        Err(Fail::said("doctor.unhealthy", vec![]))
    }
}

/// Prints what is held of the attached files; false when one is damaged
/// (a file not here yet is no fault: a sync brings it).
fn file_lines(l: Lang, ws: &store::Workspace) -> bool {
    let h = ws.check_files();
    let m = ws.model();
    out(&tr!(
        l,
        "doctor.files",
        sound = h.sound,
        missing = h.missing.len(),
        unreferenced = h.unreferenced
    ));
    let on = |a: &crate::domain::Attachment| {
        let record = crate::present::record_name(l, m, a.to.entity(), &a.record);
        tr!(
            l,
            "doctor.file_on",
            name = a.name.as_str(),
            what = i18n::entity(l, a.to.entity()),
            record = record
        )
    };
    for a in &h.missing {
        out(&tr!(l, "doctor.file_missing", file = on(a)));
    }
    for a in &h.damaged {
        out(&tr!(l, "doctor.file_damaged", file = on(a)));
    }
    h.damaged.is_empty()
}

/// Prints the file's, each document's and each damaged record's state;
/// whether all is sound.
fn storage_lines(l: Lang, report: &store::DoctorReport) -> bool {
    let mut healthy = true;
    match &report.file {
        Ok(()) => out(&tr!(
            l,
            "doctor.file_ok",
            path = report.path.display().to_string()
        )),
        Err(e) => {
            healthy = false;
            out(&tr!(
                l,
                "doctor.file_bad",
                path = report.path.display().to_string(),
                detail = e.as_str()
            ));
        }
    }
    for d in &report.docs {
        let name = d.name.clone().unwrap_or_else(|| d.id.clone());
        match &d.result {
            Ok(stats) => out(&tr!(
                l,
                "doctor.doc_ok",
                doc = name,
                changes = stats.changes,
                chunks = stats.chunks,
                records = stats.records
            )),
            Err(e) => {
                healthy = false;
                out(&tr!(
                    l,
                    "doctor.doc_bad",
                    doc = name,
                    detail = i18n::store_error(l, e)
                ));
            }
        }
    }
    for dmg in &report.damaged {
        healthy = false;
        out(&tr!(
            l,
            "doctor.record_bad",
            doc = dmg.doc.as_str(),
            collection = dmg.collection.as_str(),
            key = dmg.key.as_str(),
            detail = dmg.detail.as_str()
        ));
    }
    healthy
}

/// Prints the conflicts to settle (not damage: both values are kept),
/// with the records named when the workspace opens.
fn conflict_lines(ctx: &Ctx, report: &store::DoctorReport) {
    let l = ctx.lang;
    if report.conflicts.is_empty() {
        return;
    }
    out(&tr!(l, "conflict.doctor", count = report.conflicts.len()));
    let ws = ctx.open().ok();
    for c in &report.conflicts {
        let line = match &ws {
            Some(ws) => crate::present::conflicts::line(l, ws.model(), c),
            None => format!(
                "{}/{}: {}",
                c.collection,
                c.record,
                crate::present::conflicts::values(l, c)
            ),
        };
        out(&format!("  {line}"));
    }
}

/// Prints the membership log's state and the certificates and changes
/// refused (attacks or mistakes already stopped: not damage).
fn membership_lines(l: Lang, report: &store::DoctorReport) {
    let m = &report.membership;
    match &m.root {
        Some(root) => out(&tr!(
            l,
            "doctor.membership",
            root = crate::identity::short(root),
            certs = m.certs,
            members = m.members
        )),
        None => out(&tr!(l, "doctor.no_membership")),
    }
    // Refused certificates are attacks (or mistakes) already stopped: shown,
    // not counted as damage.
    for (hash, issuer, why) in &m.refused {
        out(&tr!(
            l,
            "doctor.cert_refused",
            cert = crate::identity::short(hash),
            issuer = crate::identity::short(issuer),
            why = i18n::cert_refusal(l, why)
        ));
    }
    // Refused changes too: stopped before they were merged.
    if report.refused_total == 0 {
        out(&tr!(l, "doctor.no_refusals"));
    } else {
        out(&tr!(l, "doctor.refusals", count = report.refused_total));
        for r in &report.refusals {
            let line = i18n::refusal(l, &m.known, r);
            out(&format!(
                "  {line}  {}",
                tr!(
                    l,
                    "refusal.source",
                    source = source_label(l, &m.known, &r.source)
                )
            ));
        }
    }
}

/// Where a refused change came from: a member (by name), a bundle of one,
/// or a revocation learnt later.
pub(super) fn source_label(
    l: Lang,
    known: &std::collections::BTreeMap<String, crate::domain::Member>,
    source: &str,
) -> String {
    if source == "revocation" {
        return tr!(l, "refusal.revocation");
    }
    match source.strip_prefix("bundle:") {
        Some(id) => format!("bundle {}", i18n::device_label(known, id)),
        None => i18n::device_label(known, source),
    }
}

#[derive(Debug, Subcommand)]
pub enum DebugCmd {
    /// Write kindergartens one by one, printing `saved ID` after each is on disk
    WriteStream {
        #[arg(long, default_value = "1000")]
        count: u64,
    },
}

pub fn debug(ctx: &Ctx, cmd: DebugCmd) -> CmdResult {
    match cmd {
        DebugCmd::WriteStream { count } => {
            let mut ws = ctx.open()?;
            let Some(district) = ws.model().districts.keys().next().cloned() else {
                return Err(Fail::line("no district"));
            };
            let pid = std::process::id();
            for i in 0..count {
                let id = ws
                    .write(|w| {
                        let id = w.new_id();
                        w.put_kindergarten(Kindergarten {
                            id,
                            name: format!("压力测试园 {pid}-{i}"),
                            district_id: district.clone(),
                            town: "测试镇".into(),
                            village: String::new(),
                            ownership: Ownership::Public,
                            category: Category::Town,
                            stars: None,
                            rural: true,
                            children: i as i64,
                            teachers: 1,
                            contact: String::new(),
                            phone: String::new(),
                        })
                    })
                    .map_err(|e| ctx.edit(e))?;
                let mut o = std::io::stdout().lock();
                let _ = writeln!(o, "saved {id}");
                let _ = o.flush();
            }
            Ok(())
        }
    }
}

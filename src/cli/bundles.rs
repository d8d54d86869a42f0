//! Bundles: the programme on a USB stick, exported and imported.

use super::net::*;
use super::output::out;
use super::{CmdResult, Ctx, Fail};
use crate::i18n::{self, Lang};
use crate::store::Workspace;
use crate::sync::bundle;
use crate::tr;
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum BundleCmd {
    /// Write the documents a member may read (all of them by default)
    Export {
        /// The member it is for: id prefix or name
        #[arg(long = "for")]
        for_member: Option<String>,
        file: PathBuf,
        /// Leave attached files (photos, scans) out: a smaller file
        #[arg(long)]
        no_attachments: bool,
    },
    /// Check a bundle and merge it: every change is checked (signature,
    /// author's role and scope, locks); what fails is refused
    Import {
        file: PathBuf,
        /// Show, per author, what would be merged and what refused; change nothing
        #[arg(long)]
        dry_run: bool,
    },
}

pub fn bundle(ctx: &Ctx, cmd: BundleCmd) -> CmdResult {
    match cmd {
        BundleCmd::Export {
            for_member,
            file,
            no_attachments,
        } => export(ctx, for_member, &file, !no_attachments),
        BundleCmd::Import { file, dry_run } => import(ctx, &file, dry_run),
    }
}

/// Writes a bundle of what this device holds (of what `for_member` may
/// read, if named).
fn export(ctx: &Ctx, for_member: Option<String>, file: &Path, files: bool) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    let (docs, for_id) = match &for_member {
        None => (ws.doc_ids().into_iter().collect(), None),
        Some(who) => {
            let p = named_peer(l, &ws, who)?;
            let m =
                ws.model().active_member(&p.id).cloned().ok_or_else(|| {
                    Fail::said("sync.unknown_peer", vec![("peer", who.to_string())])
                })?;
            (ws.readable_docs(&m), Some(m.id))
        }
    };
    let bytes = bundle::export_with(&mut ws, &docs, for_id, files)
        .map_err(|e| Fail::said("bundle.failed", vec![("detail", e.to_string())]))?;
    super::export::write_file_atomically(file, &bytes)
        .map_err(|e| Fail::file("export.io", file, e))?;
    out(&tr!(
        l,
        "bundle.written",
        path = file.display().to_string(),
        docs = docs.len(),
        bytes = bytes.len()
    ));
    Ok(())
}

/// Checks a bundle whole, then merges it (or, `dry_run`, says what it
/// would merge and refuse).
fn import(ctx: &Ctx, file: &Path, dry_run: bool) -> CmdResult {
    let l = ctx.lang;
    let bytes = std::fs::read(file).map_err(|e| Fail::file("import.unreadable", file, e))?;
    // Check the whole file before touching anything.
    let header = bundle::read(&bytes)
        .map(|r| r.header)
        .map_err(|e| Fail::said("bundle.refused", vec![("detail", e.to_string())]))?;
    let mut ws = match Workspace::open(&ctx.data_dir, ctx.options()) {
        Ok(ws) => ws,
        Err(crate::store::StoreError::NoWorkspace { .. }) => {
            Workspace::create_joined(&ctx.data_dir, &header.workspace, ctx.options())
                .map_err(Fail::Store)?
        }
        Err(e) => return Err(Fail::Store(e)),
    };
    let refused =
        |e: bundle::BundleError| Fail::said("bundle.refused", vec![("detail", e.to_string())]);
    if dry_run {
        dry_run_lines(l, &mut ws, &bytes).map_err(refused)?;
        return Ok(());
    }
    let before = ws.model().tally();
    let bundle::Imported {
        received: got,
        files,
    } = bundle::import_all(&mut ws, &bytes).map_err(refused)?;
    out(&tr!(l, "bundle.imported", docs = got.changed.len()));
    if files != bundle::FilesIn::default() {
        out(&tr!(
            l,
            "bundle.files",
            kept = files.kept,
            refused = files.refused,
            unreferred = files.unreferred
        ));
    }
    out(&crate::present::arrivals(
        l,
        &before,
        &ws.model().tally(),
        ws.conflicts().len(),
    ));
    print_refusals(l, &ws, &got.refused);
    Ok(())
}

/// What importing `bytes` would merge, per author, and refuse.
fn dry_run_lines(l: Lang, ws: &mut Workspace, bytes: &[u8]) -> Result<(), bundle::BundleError> {
    let d = bundle::dry_run(ws, bytes)?;
    out(&tr!(
        l,
        "bundle.dry_run",
        exporter = i18n::device_label(&ws.model().members, &d.exporter)
    ));
    for (author, count) in &d.merged {
        out(&tr!(
            l,
            "bundle.would_merge",
            author = i18n::device_label(&ws.model().members, author),
            count = *count
        ));
    }
    if !d.refused.is_empty() {
        out(&tr!(l, "bundle.would_refuse", count = d.refused.len()));
        for r in &d.refused {
            out(&format!(
                "    {}",
                i18n::refusal(l, &ws.model().members, &r.row("", 0))
            ));
        }
    }
    if d.merged.is_empty() && d.refused.is_empty() {
        out(&tr!(l, "bundle.dry_run_none"));
    }
    Ok(())
}

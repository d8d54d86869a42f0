//! Evidence on records (佐证材料): `attach` files to a record, list a
//! record's `attachments` (and write them out), `detach` one.

use super::output::{Format, out, print_list};
use super::{CmdResult, Ctx, Fail, FormatArg};
use crate::domain::*;
use crate::i18n::{self, Lang};
use crate::media;
use crate::present::Table;
use crate::present::evidence::{self as words, Here};
use crate::store::blobs::{Blobs, Held};
use crate::store::{NewFile, Workspace};
use crate::tr;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The record: a pairing, visit, inspection, monthly report or annual summary (a unique id prefix)
    pub record: String,
    /// Files, or folders of files: JPEG or PNG photos, PDF scans
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// photo, sign_in, sealed_agreement, score_sheet, appendix or other [default: by the file and the record]
    #[arg(long)]
    pub kind: Option<String>,
    /// What the files show (one caption for every file given)
    #[arg(long, default_value = "")]
    pub caption: String,
    /// Keep photos as they are instead of making them smaller
    #[arg(long)]
    pub keep_original: bool,
}

#[derive(Debug, Args)]
pub struct AttachmentsArgs {
    /// The record (a unique id prefix)
    pub record: String,
    #[command(flatten)]
    pub format: FormatArg,
    /// Also write the files to this folder, named date_kindergarten_activity_n
    #[arg(long, value_name = "DIR")]
    pub export: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DetachArgs {
    /// The attachment (a unique id prefix, as `attachments` lists it)
    pub id: String,
}

/// A record evidence can be attached to, from a typed id prefix.
fn record(ws: &Workspace, l: Lang, typed: &str) -> Result<(AttachedTo, Id), Fail> {
    let (what, id) = ws
        .model()
        .resolve_any(typed)
        .map_err(|e| Fail::line(i18n::prefix_error(l, None, typed, &e)))?;
    match AttachedTo::of(what) {
        Some(to) => Ok((to, id)),
        None => Err(Fail::said(
            "evidence.not_on",
            vec![("what", i18n::entity(l, what))],
        )),
    }
}

/// The files given, folders opened (their files in name order, not
/// their subfolders).
fn files_in(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        match std::fs::read_dir(p) {
            Ok(entries) => {
                let mut inside: Vec<PathBuf> = entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|f| f.is_file())
                    .collect();
                inside.sort();
                out.extend(inside);
            }
            Err(_) => out.push(p.clone()),
        }
    }
    out
}

/// `bangfu attach RECORD FILE…`: every file read and prepared first; the
/// good ones attached in one write, each refused file said with why.
pub fn attach(ctx: &Ctx, a: AttachArgs) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    let (to, id) = record(&ws, l, &a.record)?;
    let kind = a
        .kind
        .as_deref()
        .map(|k| crate::input::code::<EvidenceKind>(l, "evidence_kind", k))
        .transpose()?;
    let mut files = Vec::new();
    let mut refused = Vec::new();
    for path in files_in(&a.files) {
        let shown = path.display().to_string();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| shown.clone());
        let prepared = std::fs::read(&path)
            .map_err(|e| {
                tr!(
                    l,
                    "import.unreadable",
                    path = shown.as_str(),
                    detail = e.to_string()
                )
            })
            .and_then(|bytes| {
                media::prepare(&name, &bytes, a.keep_original).map_err(|e| {
                    tr!(
                        l,
                        "evidence.file_refused",
                        path = shown.as_str(),
                        why = e.say(l)
                    )
                })
            });
        match prepared {
            Ok(p) => files.push(NewFile {
                prepared: p,
                kind,
                caption: a.caption.clone(),
            }),
            Err(why) => refused.push(why),
        }
    }
    let count = files.len();
    if count > 0 {
        ws.attach(to, &id, files).map_err(|e| ctx.edit(e))?;
        let name = crate::present::record_name(l, ws.model(), to.entity(), &id);
        out(&tr!(
            l,
            "evidence.attached",
            count = count,
            what = i18n::entity(l, to.entity()),
            name = name
        ));
    }
    if refused.is_empty() {
        Ok(())
    } else {
        refused.push(tr!(l, "evidence.refused", count = refused.len()));
        Err(Fail::Text(refused))
    }
}

/// What this device holds of an attachment.
pub fn here(blobs: &Blobs, a: &Attachment) -> Here {
    match (
        blobs.held(&a.file),
        a.thumbnail.as_ref().map(|t| blobs.held(t)),
    ) {
        (Held::Present, _) => Here::Present,
        (_, Some(Held::Present)) => Here::ThumbnailOnly,
        _ => Here::Missing,
    }
}

/// `bangfu attachments RECORD`: the record's files, and what is here.
pub fn attachments(ctx: &Ctx, a: AttachmentsArgs) -> CmdResult {
    let l = ctx.lang;
    let format = ctx.format(&a.format)?;
    let ws = ctx.open()?;
    let (_, id) = record(&ws, l, &a.record)?;
    let blobs = ws.blobs();
    let list = ws.model().attachments_of(&id);
    let table = Table {
        headers: crate::present::headers(l, &words::COLUMNS),
        rows: list
            .iter()
            .map(|x| words::row(l, x, here(&blobs, x)))
            .collect(),
    };
    let json = list
        .iter()
        .map(|x| words::json(x, here(&blobs, x)))
        .collect();
    print_list(format, &table, json);
    if let Some(dir) = &a.export {
        let written = write_out(l, ws.model(), &blobs, &list, dir)?;
        let said = tr!(
            l,
            "evidence.exported",
            count = written,
            dir = dir.display().to_string()
        );
        if matches!(format, Format::Table) {
            out(&said);
        } else {
            eprintln!("{said}");
        }
    }
    Ok(())
}

/// Writes the files here to `dir` with a clerk's names; how many. A file
/// not here yet is said, not skipped silently.
fn write_out(
    l: Lang,
    m: &Model,
    blobs: &Blobs,
    list: &[&Attachment],
    dir: &Path,
) -> Result<usize, Fail> {
    std::fs::create_dir_all(dir).map_err(|e| Fail::file("export.io", dir, e))?;
    let mut written = 0usize;
    let mut missing = Vec::new();
    for (n, x) in list.iter().enumerate() {
        let Some(bytes) = blobs.read(&x.file) else {
            missing.push(x.name.clone());
            continue;
        };
        let path = dir.join(words::clerk_name(l, m, x, n.saturating_add(1)));
        crate::export::write_file_atomically(&path, &bytes)
            .map_err(|e| Fail::file("export.io", &path, e))?;
        written = written.saturating_add(1);
    }
    if missing.is_empty() {
        Ok(written)
    } else {
        Err(Fail::said(
            "evidence.not_here",
            vec![
                ("names", missing.join(l.sep())),
                ("written", written.to_string()),
            ],
        ))
    }
}

/// `bangfu detach ID`: the attachment removed from its record (its
/// removal kept in history).
pub fn detach(ctx: &Ctx, a: DetachArgs) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    let id = ws
        .model()
        .resolve(Entity::Attachment, &a.id)
        .map_err(|e| Fail::line(i18n::prefix_error(l, Some(Entity::Attachment), &a.id, &e)))?;
    ws.write(|w| w.delete(Entity::Attachment, &id))
        .map_err(|e| ctx.edit(e))?;
    let name = ws
        .model()
        .attachment(&id)
        .map(|x| x.name.clone())
        .unwrap_or_default();
    out(&tr!(l, "evidence.detached", name = name));
    Ok(())
}

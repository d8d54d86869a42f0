//! Evidence on records (佐证材料): `attach` files to a record, list a
//! record's `attachments` (and write them out), `detach` one.

use super::output::{Format, out, print_list};
use super::{CmdResult, Ctx, Fail, FormatArg};
use crate::domain::*;
use crate::i18n::{self, Lang};
use crate::input::evidence::{here, write_out};
use crate::present::Table;
use crate::present::evidence as words;
use crate::store::blobs::Held;
use crate::store::{NewFile, Workspace};
use crate::tr;
use clap::Args;
use std::path::PathBuf;

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
pub struct FetchArgs {
    /// The attachment (a unique id prefix, as `attachments` lists it)
    pub id: String,
    /// Peers to fetch it from [default: every known peer]
    pub peers: Vec<String>,
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
    let (ready, mut refused) = crate::input::evidence::read_files(l, &a.files, a.keep_original);
    let files: Vec<NewFile> = ready
        .into_iter()
        .map(|prepared| NewFile {
            prepared,
            kind,
            caption: a.caption.clone(),
        })
        .collect();
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
        let written = write_out(l, ws.model(), &blobs, &list, dir).map_err(Fail::line)?;
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

/// `bangfu export --attachments DIR`: a record's files (`--record`), or
/// those of a report's period (the files its annex lists, oldest first),
/// written with a clerk's names.
pub fn export_files(
    ctx: &Ctx,
    dir: &std::path::Path,
    record_typed: Option<String>,
    period: &super::report::Which,
) -> CmdResult {
    let l = ctx.lang;
    let ws = ctx.open()?;
    let m = ws.model();
    let list: Vec<&Attachment> = match (record_typed, period.named()) {
        (Some(typed), false) => m.attachments_of(&record(&ws, l, &typed)?.1),
        (None, true) => {
            let key = super::report::key(l, m, period)?;
            crate::domain::reports::visits_of(m, &key)
                .iter()
                .flat_map(|v| m.attachments_of(&v.id))
                .collect()
        }
        _ => return Err(Fail::said("export.attachments_which", vec![])),
    };
    let written = write_out(l, m, &ws.blobs(), &list, dir).map_err(Fail::line)?;
    out(&tr!(
        l,
        "evidence.exported",
        count = written,
        dir = dir.display().to_string()
    ));
    Ok(())
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

/// `bangfu fetch ID`: the attachment's full file asked for (whatever the
/// `files` setting says) and a sync run to bring it.
pub fn fetch(ctx: &Ctx, a: FetchArgs) -> CmdResult {
    let l = ctx.lang;
    let (name, file) = {
        let mut ws = ctx.open()?;
        let x = ws
            .model()
            .resolve(Entity::Attachment, &a.id)
            .and_then(|id| {
                ws.model()
                    .attachment(&id)
                    .cloned()
                    .ok_or(crate::domain::id::PrefixError::NotFound)
            })
            .map_err(|e| Fail::line(i18n::prefix_error(l, Some(Entity::Attachment), &a.id, &e)))?;
        if !ws.ask_for_file(&x).map_err(Fail::Store)? {
            out(&tr!(l, "evidence.already_here", name = x.name.as_str()));
            return Ok(());
        }
        (x.name, x.file)
    };
    super::net::sync(ctx, super::net::SyncArgs { peers: a.peers })?;
    let ws = ctx.open()?;
    if ws.blobs().held(&file) == Held::Present {
        out(&tr!(l, "evidence.fetched", name = name.as_str()));
        Ok(())
    } else {
        Err(Fail::said("evidence.not_fetched", vec![("name", name)]))
    }
}

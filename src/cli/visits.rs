//! Visit commands: log, change, confirm, delete, list and show support
//! activities. The writes open only what a visit's rules read when the
//! history index can say what that is (`Workspace::open_for`).

use super::fields::{Changes, Fields, VisitSpec};
use super::output;
use super::records::{StampArgs, delete, not_found, saved, show, stamp, write};
use super::{CmdResult, Ctx, Fail, FormatArg};
use crate::domain::lists::{self, Query};
use crate::domain::*;
use crate::i18n::{self, Lang};
use crate::input as parse;
use crate::input::Raw;
use crate::input::records::visit as visit_fields;
use crate::store::Workspace;
use crate::tr;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum VisitCmd {
    /// Log a visit (送教下乡, guidance, shadowing, online learning …)
    Add(Box<Fields<VisitSpec>>),
    /// Change fields of a visit
    Edit {
        /// Visit id (a unique prefix)
        id: String,
        #[command(flatten)]
        fields: Box<Changes<VisitSpec>>,
    },
    /// The helped side confirms a visit
    Confirm(StampArgs),
    /// Delete a visit (logged by mistake)
    Delete {
        /// Visit id (a unique prefix)
        id: String,
    },
    /// List visits
    List {
        /// Only this pairing (id prefix)
        #[arg(long)]
        pairing: Option<String>,
        /// Only this month (YYYY-MM)
        #[arg(long)]
        month: Option<String>,
        /// Only this district (name or id)
        #[arg(long)]
        district: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Show one visit
    Show {
        id: String,
        #[command(flatten)]
        format: FormatArg,
    },
}

/// Runs a visit command on a workspace opened only as far as the record
/// `prefix` of kind `what` needs (`Workspace::open_for`); its result, or
/// `None` when it could not. Any error (a refusal, a field that does not
/// read, a record the index does not know) leaves the command to the
/// whole workspace, which meets it again and words it as always.
fn on_part<T>(
    ctx: &Ctx,
    what: Entity,
    prefix: &str,
    f: impl FnOnce(&mut Workspace) -> Result<T, Fail>,
) -> Option<T> {
    let mut ws = Workspace::open_for(&ctx.data_dir, ctx.options(), what, prefix).ok()??;
    f(&mut ws).ok()
}

fn show_visit(ctx: &Ctx, ws: &Workspace, prefix: &str, format: &FormatArg) -> CmdResult {
    let model = ws.model();
    let id = parse::record(ctx.lang, model, Entity::Visit, prefix)?;
    show(ctx, format, model, model.visit(&id))
}

/// A visit's date and form, as "saved" reports it.
fn visit_detail(l: Lang, d: &VisitDraft) -> String {
    format!("{} {}", d.date, i18n::label(l, d.form))
}

fn add_visit(ctx: &Ctx, ws: &mut Workspace, raw: &Raw) -> Result<(Id, String), Fail> {
    let d = visit_fields::read(raw, ctx.input(ws.model())).map_err(Fields::<VisitSpec>::fail)?;
    let detail = visit_detail(ctx.lang, &d);
    let id = write(ctx, ws, |w| w.add_visit(d))?;
    Ok((id, detail))
}

fn edit_visit(
    ctx: &Ctx,
    ws: &mut Workspace,
    prefix: &str,
    changes: &Raw,
) -> Result<(Id, String), Fail> {
    let (l, model) = (ctx.lang, ws.model());
    let id = parse::record(l, model, Entity::Visit, prefix)?;
    let v = model
        .visit(&id)
        .ok_or_else(|| not_found(l, &id, Entity::Visit))?;
    let mut raw = visit_fields::raw_of(v);
    raw.overlay(changes);
    let d = visit_fields::read(&raw, ctx.input(model)).map_err(Fields::<VisitSpec>::fail)?;
    let detail = visit_detail(l, &d);
    write(ctx, ws, |w| w.edit_visit(&id, d))?;
    Ok((id, detail))
}

fn confirm_visit(ctx: &Ctx, ws: &mut Workspace, a: &StampArgs) -> Result<(Id, String), Fail> {
    let id = parse::record(ctx.lang, ws.model(), Entity::Visit, &a.id)?;
    let s = stamp(ctx, a)?;
    write(ctx, ws, |w| w.confirm_visit(&id, s))?;
    Ok((id, tr!(ctx.lang, "visit.confirmed")))
}

/// A visit command that may run on part of the workspace (see
/// [`on_part`]); whether it did. A place the user names is looked up
/// among every kindergarten, so it needs the whole workspace.
fn quick_visit_cmd(ctx: &Ctx, cmd: &VisitCmd) -> bool {
    let names_place = |raw: &Raw| raw.one(visit_fields::PLACE.key).is_some();
    let said = |done: Option<(Id, String)>| {
        done.map(|(id, detail)| saved(ctx, Entity::Visit, &id, &detail))
            .is_some()
    };
    match cmd {
        VisitCmd::Add(f) if !names_place(&f.raw) => {
            f.raw.one(visit_fields::PAIRING.key).is_some_and(|p| {
                said(on_part(ctx, Entity::Pairing, p, |ws| {
                    add_visit(ctx, ws, &f.raw)
                }))
            })
        }
        VisitCmd::Edit { id, fields } if !names_place(&fields.raw) => {
            said(on_part(ctx, Entity::Visit, id, |ws| {
                edit_visit(ctx, ws, id, &fields.raw)
            }))
        }
        VisitCmd::Confirm(a) => said(on_part(ctx, Entity::Visit, &a.id, |ws| {
            confirm_visit(ctx, ws, a)
        })),
        VisitCmd::Show { id, format } => {
            on_part(ctx, Entity::Visit, id, |ws| show_visit(ctx, ws, id, format)).is_some()
        }
        _ => false,
    }
}

pub fn visit(ctx: &Ctx, cmd: VisitCmd) -> CmdResult {
    let l = ctx.lang;
    if quick_visit_cmd(ctx, &cmd) {
        return Ok(());
    }
    let mut ws = ctx.open()?;
    let model = ws.model();
    match cmd {
        VisitCmd::Add(f) => {
            let (id, detail) = add_visit(ctx, &mut ws, &f.raw)?;
            saved(ctx, Entity::Visit, &id, &detail);
        }
        VisitCmd::Edit { id, fields } => {
            let (id, detail) = edit_visit(ctx, &mut ws, &id, &fields.raw)?;
            saved(ctx, Entity::Visit, &id, &detail);
        }
        VisitCmd::Delete { id } => {
            let id = parse::record(l, model, Entity::Visit, &id)?;
            delete(ctx, &mut ws, Entity::Visit, &id)?;
        }
        VisitCmd::Confirm(a) => {
            let (id, detail) = confirm_visit(ctx, &mut ws, &a)?;
            saved(ctx, Entity::Visit, &id, &detail);
        }
        VisitCmd::List {
            pairing,
            month,
            district,
            format,
        } => {
            let format = ctx.format(&format)?;
            let pairing = pairing
                .map(|p| parse::record(l, model, Entity::Pairing, &p))
                .transpose()?;
            let month = month.map(|m| parse::month(l, &m)).transpose()?;
            let district = district
                .map(|d| parse::district(l, model, &d))
                .transpose()?;
            let q = Query {
                district,
                pairing,
                month,
                ..Query::all()
            };
            let vs = lists::visits(model, &q);
            output::print_all(format, l, model, &vs);
        }
        VisitCmd::Show { id, format } => show_visit(ctx, &ws, &id, &format)?,
    }
    Ok(())
}

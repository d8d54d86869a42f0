//! Commands over the programme's records: kindergartens, pairings and
//! agreements, visits, inspections.

use super::fields::{Changes, Fields, InspectionSpec, KindergartenSpec, PairingSpec, TermsSpec};
use super::output;
use super::output::out;
use super::{CmdResult, Ctx, Fail, FormatArg};
use crate::domain::lists::{self, Query};
use crate::domain::*;
use crate::i18n::{self, Lang};
use crate::input as parse;
use crate::input::records::{inspection as inspection_fields, kindergarten as kg_fields};
use crate::input::records::{pairing as pairing_fields, terms as terms_fields};
use crate::present as views;
use crate::store::{EditError, Workspace, Writer};
use crate::tr;
use clap::{Args, Subcommand};
use std::path::PathBuf;

// ---------- kindergartens ----------

#[derive(Debug, Subcommand)]
pub enum KindergartenCmd {
    /// Add a kindergarten (name, district, ownership and category are
    /// required)
    Add(Fields<KindergartenSpec>),
    /// Change fields of a kindergarten
    Edit {
        /// Id (a unique prefix) or exact name
        id: String,
        #[command(flatten)]
        fields: Changes<KindergartenSpec>,
    },
    /// Delete a kindergarten no pairing or inspection refers to
    Delete {
        /// Id (a unique prefix) or exact name
        id: String,
    },
    /// List kindergartens
    List {
        /// Only this district (name or id)
        #[arg(long)]
        district: Option<String>,
        /// Only rural (yes) or urban (no) kindergartens
        #[arg(long)]
        rural: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Show one kindergarten
    Show {
        id: String,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Import a kindergarten list (附表): .xlsx, .xls, .ods or .csv (UTF-8,
    /// UTF-16 or GBK) with a header row (园名, 县（区）, 乡（镇）, 村, 办园性质,
    /// 类别, 星级, 在园幼儿数, 专任教师数 …, or English); title rows above it,
    /// totals and notes below are passed over
    Import {
        file: PathBuf,
        /// District for rows that do not name one (a row that names
        /// another is refused)
        #[arg(long)]
        district: Option<String>,
        /// Category for rows whose list says none (by default inferred
        /// from the name: 中心 → 镇中心园, 村 → 村屯园, 镇 → 镇幼儿园)
        #[arg(long)]
        category: Option<String>,
        /// Only check the file: show what would be imported and every bad row
        #[arg(long)]
        dry_run: bool,
        /// Import the good rows even if some are bad (by default one bad
        /// row and nothing is imported)
        #[arg(long)]
        only_good: bool,
    },
}

/// Prints one record (found by the caller) in the asked format.
pub(super) fn show<T: views::View>(
    ctx: &Ctx,
    format: &FormatArg,
    model: &Model,
    item: Option<&T>,
) -> CmdResult {
    let format = ctx.format(format)?;
    if let Some(item) = item {
        output::print_one(format, ctx.lang, model, item);
    }
    Ok(())
}

/// Runs one edit and turns its errors into the user's language.
pub(super) fn write<T>(
    ctx: &Ctx,
    ws: &mut Workspace,
    f: impl FnOnce(&mut Writer<'_>) -> Result<T, EditError>,
) -> Result<T, Fail> {
    ws.write(f).map_err(|e| ctx.edit(e))
}

pub(super) fn not_found(l: Lang, id: &Id, what: Entity) -> Fail {
    Fail::said(
        "id.not_found",
        vec![
            ("typed", id.to_string()),
            ("what", (i18n::entity(l, what)).to_string()),
        ],
    )
}

pub(super) fn saved(ctx: &Ctx, what: Entity, id: &Id, detail: &str) {
    out(&tr!(
        ctx.lang,
        "cli.saved",
        what = i18n::entity(ctx.lang, what),
        id = id.short(),
        detail = detail
    ));
}

/// Deletes a record and says so (`history` still shows who and when).
pub(super) fn delete(ctx: &Ctx, ws: &mut Workspace, what: Entity, id: &Id) -> CmdResult {
    write(ctx, ws, |w| w.delete(what, id))?;
    out(&tr!(
        ctx.lang,
        "cli.deleted",
        what = i18n::entity(ctx.lang, what),
        id = id.short()
    ));
    Ok(())
}

pub fn kindergarten(ctx: &Ctx, cmd: KindergartenCmd) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    match cmd {
        KindergartenCmd::Add(f) => {
            let d = kg_fields::read(&f.raw, ctx.input(ws.model()))
                .map_err(Fields::<KindergartenSpec>::fail)?;
            let name = d.name.clone();
            let id = write(ctx, &mut ws, |w| w.add_kindergarten(d))?;
            saved(ctx, Entity::Kindergarten, &id, &name);
        }
        KindergartenCmd::Delete { id } => {
            let id = parse::kindergarten(l, ws.model(), &id)?;
            delete(ctx, &mut ws, Entity::Kindergarten, &id)?;
        }
        KindergartenCmd::Edit { id, fields } => {
            let model = ws.model();
            let id = parse::kindergarten(l, model, &id)?;
            let k = model
                .kindergarten(&id)
                .ok_or_else(|| not_found(l, &id, Entity::Kindergarten))?;
            let raw = kg_fields::edited(k, &fields.raw);
            let d = kg_fields::read(&raw, ctx.input(model))
                .map_err(Fields::<KindergartenSpec>::fail)?;
            let name = d.name.clone();
            write(ctx, &mut ws, |w| w.edit_kindergarten(&id, d))?;
            saved(ctx, Entity::Kindergarten, &id, &name);
        }
        KindergartenCmd::List {
            district,
            rural,
            format,
        } => {
            let format = ctx.format(&format)?;
            let model = ws.model();
            let district = district
                .map(|d| parse::district(l, model, &d))
                .transpose()?;
            let rural = rural.map(|r| parse::yes_no(l, "rural", &r)).transpose()?;
            let q = Query {
                district,
                rural,
                ..Query::all()
            };
            let ks = lists::kindergartens(model, &q);
            output::print_all(format, l, model, &ks);
        }
        KindergartenCmd::Show { id, format } => {
            let model = ws.model();
            let id = parse::kindergarten(l, model, &id)?;
            show(ctx, &format, model, model.kindergarten(&id))?;
        }
        KindergartenCmd::Import {
            file,
            district,
            category,
            dry_run,
            only_good,
        } => {
            let o = super::import::Options {
                district,
                category,
                dry_run,
                only_good,
            };
            super::import::import_kindergartens(ctx, &mut ws, &file, o)?
        }
    }
    Ok(())
}

// ---------- pairings ----------

#[derive(Debug, Subcommand)]
pub enum PairingCmd {
    /// Pair helpers with helped kindergartens and draft their agreement
    Add(Fields<PairingSpec>),
    /// Change the terms of an agreement that is not filed yet
    Edit {
        id: String,
        #[command(flatten)]
        terms: Changes<TermsSpec>,
    },
    /// Both sides sign the agreement (签订)
    Sign(StampArgs),
    /// A supervising bureau confirms the signed agreement (确认)
    Confirm {
        #[command(flatten)]
        stamp: StampArgs,
        /// The confirming district's bureau (name or id)
        #[arg(long)]
        district: String,
    },
    /// The bureau examines and files the agreement (审核备案); locks it
    File(StampArgs),
    /// Delete a pairing not filed, without visits or inspections
    Delete {
        /// Pairing id (a unique prefix)
        id: String,
    },
    /// List pairings
    List {
        /// Only this cohort year
        #[arg(long)]
        year: Option<String>,
        #[arg(long)]
        district: Option<String>,
        /// draft, signed or filed
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Show one pairing and its agreement
    Show {
        id: String,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Write the agreement (帮扶协议书) as a Word document to print, sign
    /// and seal
    Agreement {
        /// Pairing id (a unique prefix)
        id: String,
        /// The .docx file to write
        file: PathBuf,
    },
}

/// Who signs or confirms, and when.
#[derive(Debug, Args)]
pub struct StampArgs {
    /// The pairing's or visit's id (a unique prefix)
    pub id: String,
    /// Who [default: the --as name]
    #[arg(long)]
    pub by: Option<String>,
    /// When [default: today]
    #[arg(long)]
    pub date: Option<String>,
}

pub(super) fn stamp(ctx: &Ctx, a: &StampArgs) -> Result<Stamp, Fail> {
    Ok(Stamp {
        by: a.by.clone().unwrap_or_else(|| ctx.person.clone()),
        on: parse::opt_date(ctx.lang, "date", &a.date)?.unwrap_or(ctx.today),
    })
}

/// Signing or filing an agreement: `step` with who and when, then what
/// the agreement now is.
fn agreement_step(
    ctx: &Ctx,
    ws: &mut Workspace,
    a: &StampArgs,
    now: AgreementStatus,
    step: impl FnOnce(&mut Writer<'_>, &Id, Stamp) -> Result<(), EditError>,
) -> CmdResult {
    let id = parse::record(ctx.lang, ws.model(), Entity::Pairing, &a.id)?;
    let s = stamp(ctx, a)?;
    write(ctx, ws, |w| step(w, &id, s))?;
    saved(ctx, Entity::Pairing, &id, &i18n::label(ctx.lang, now));
    Ok(())
}

pub fn pairing(ctx: &Ctx, cmd: PairingCmd) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    let model = ws.model();
    match cmd {
        PairingCmd::Add(f) => {
            let d = pairing_fields::read(&f.raw, ctx.input(model))
                .map_err(Fields::<PairingSpec>::fail)?;
            let id = write(ctx, &mut ws, |w| w.add_pairing(d))?;
            saved(ctx, Entity::Pairing, &id, &tr!(l, "pairing.drafted"));
        }
        PairingCmd::Edit { id, terms } => {
            let id = parse::record(l, model, Entity::Pairing, &id)?;
            let p = model
                .pairing(&id)
                .ok_or_else(|| not_found(l, &id, Entity::Pairing))?;
            let mut raw = terms_fields::raw_of(&p.agreement);
            raw.overlay(&terms.raw);
            let d =
                terms_fields::read(&raw, ctx.input(model)).map_err(Fields::<TermsSpec>::fail)?;
            let unsigned = write(ctx, &mut ws, |w| w.edit_agreement(&id, d))?;
            saved(ctx, Entity::Pairing, &id, "");
            if unsigned {
                out(&tr!(l, "pairing.back_to_draft"));
            }
        }
        PairingCmd::Sign(a) => {
            agreement_step(ctx, &mut ws, &a, AgreementStatus::Signed, |w, id, s| {
                w.sign(id, s)
            })?;
        }
        PairingCmd::Confirm { stamp: a, district } => {
            let id = parse::record(l, model, Entity::Pairing, &a.id)?;
            let district = parse::district(l, model, &district)?;
            let s = stamp(ctx, &a)?;
            write(ctx, &mut ws, |w| w.confirm(&id, &district, s))?;
            let name = ws.model().district_name(&district);
            saved(
                ctx,
                Entity::Pairing,
                &id,
                &tr!(l, "pairing.confirmed_by", district = name),
            );
        }
        PairingCmd::Delete { id } => {
            let id = parse::record(l, ws.model(), Entity::Pairing, &id)?;
            delete(ctx, &mut ws, Entity::Pairing, &id)?;
        }
        PairingCmd::File(a) => {
            agreement_step(ctx, &mut ws, &a, AgreementStatus::Filed, |w, id, s| {
                w.file(id, s)
            })?;
        }
        PairingCmd::List {
            year,
            district,
            status,
            format,
        } => {
            let q = Query {
                district: district
                    .map(|d| parse::district(l, model, &d))
                    .transpose()?,
                cohort: parse::opt_year(l, &year)?,
                status: parse::opt_code(l, "status", &status)?,
                ..Query::all()
            };
            let format = ctx.format(&format)?;
            output::print_all(format, l, model, &lists::pairings(model, &q));
        }
        PairingCmd::Show { id, format } => {
            let id = parse::record(l, model, Entity::Pairing, &id)?;
            show(ctx, &format, model, model.pairing(&id))?;
        }
        PairingCmd::Agreement { id, file } => agreement_file(ctx, model, &id, &file)?,
    }
    Ok(())
}

/// Writes a pairing's agreement as a Word document.
fn agreement_file(ctx: &Ctx, model: &Model, id: &str, file: &std::path::Path) -> CmdResult {
    let l = ctx.lang;
    let id = parse::record(l, model, Entity::Pairing, id)?;
    let p = model.pairing(&id).ok_or_else(|| {
        Fail::said(
            "id.not_found",
            vec![
                ("typed", id.to_string()),
                ("what", i18n::entity(l, Entity::Pairing)),
            ],
        )
    })?;
    let dated = p.agreement.signed.as_ref().map_or(ctx.today, |s| s.on);
    let doc = crate::export::papers::agreement(l, model, p, dated, &ctx.person);
    let bytes = crate::export::docx::write(&doc)
        .map_err(|e| Fail::said("export.failed", vec![("detail", e.to_string())]))?;
    super::export::save(ctx, file, &bytes)
}

// ---------- inspections ----------

#[derive(Debug, Subcommand)]
pub enum InspectionCmd {
    /// Record an inspection with its four area scores
    Add(InspectionArgs),
    /// Change fields of an inspection
    Edit {
        /// Inspection id (a unique prefix)
        id: String,
        #[command(flatten)]
        fields: InspectionArgs,
    },
    /// Delete an inspection (recorded by mistake)
    Delete {
        /// Inspection id (a unique prefix)
        id: String,
    },
    /// List inspections
    List {
        #[arg(long)]
        district: Option<String>,
        /// Only this pairing (id prefix)
        #[arg(long)]
        pairing: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Show one inspection
    Show {
        id: String,
        #[command(flatten)]
        format: FormatArg,
    },
}

#[derive(Debug, Args)]
pub struct InspectionArgs {
    #[command(flatten)]
    fields: Changes<InspectionSpec>,
    /// The four scores at once, 1-5 each: philosophy, care and education,
    /// environment, management (e.g. 4,3,4,5)
    #[arg(long)]
    scores: Option<String>,
}

impl InspectionArgs {
    /// The typed fields, `--scores` spread over the four areas.
    fn raw(&self) -> Result<crate::input::Raw, Fail> {
        let mut raw = self.fields.raw.clone();
        if let Some(s) = &self.scores {
            let parts = parse::split_list(std::slice::from_ref(s));
            if parts.len() != inspection_fields::SCORES.len() {
                return Err(Fail::said("parse.scores", vec![("value", s.to_string())]));
            }
            for (f, p) in inspection_fields::SCORES.iter().zip(parts) {
                raw.put(f.key, p);
            }
        }
        Ok(raw)
    }
}

pub fn inspection(ctx: &Ctx, cmd: InspectionCmd) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    let model = ws.model();
    match cmd {
        InspectionCmd::Add(a) => {
            let d = inspection_fields::read(&a.raw()?, ctx.input(model))
                .map_err(Changes::<InspectionSpec>::fail)?;
            let detail = d.date.to_string();
            let id = write(ctx, &mut ws, |w| w.add_inspection(d))?;
            saved(ctx, Entity::Inspection, &id, &detail);
        }
        InspectionCmd::Delete { id } => {
            let id = parse::record(l, ws.model(), Entity::Inspection, &id)?;
            delete(ctx, &mut ws, Entity::Inspection, &id)?;
        }
        InspectionCmd::Edit { id, fields } => {
            let id = parse::record(l, model, Entity::Inspection, &id)?;
            let i = model
                .inspection(&id)
                .ok_or_else(|| not_found(l, &id, Entity::Inspection))?;
            let mut raw = inspection_fields::raw_of(i);
            raw.overlay(&fields.raw()?);
            let d = inspection_fields::read(&raw, ctx.input(model))
                .map_err(Changes::<InspectionSpec>::fail)?;
            let detail = d.date.to_string();
            write(ctx, &mut ws, |w| w.edit_inspection(&id, d))?;
            saved(ctx, Entity::Inspection, &id, &detail);
        }
        InspectionCmd::List {
            district,
            pairing,
            format,
        } => {
            let format = ctx.format(&format)?;
            let district = district
                .map(|d| parse::district(l, model, &d))
                .transpose()?;
            let pairing = pairing
                .map(|p| parse::record(l, model, Entity::Pairing, &p))
                .transpose()?;
            let q = Query {
                district,
                pairing,
                ..Query::all()
            };
            let is = lists::inspections(model, &q);
            output::print_all(format, l, model, &is);
        }
        InspectionCmd::Show { id, format } => {
            let id = parse::record(l, model, Entity::Inspection, &id)?;
            show(ctx, &format, model, model.inspection(&id))?;
        }
    }
    Ok(())
}

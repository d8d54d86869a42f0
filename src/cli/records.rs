//! Commands over the programme's records: kindergartens, pairings and
//! agreements, visits, inspections.

use super::output;
use super::output::out;
use super::{CmdResult, Ctx, Fail, FormatArg};
use crate::domain::*;
use crate::i18n::{self, Lang};
use crate::input as parse;
use crate::present as views;
use crate::store::{EditError, Workspace, Writer};
use crate::tr;
use clap::{Args, Subcommand};
use std::path::PathBuf;

// ---------- kindergartens ----------

#[derive(Debug, Subcommand)]
pub enum KindergartenCmd {
    /// Add a kindergarten
    Add(KindergartenArgs),
    /// Change fields of a kindergarten
    Edit {
        /// Id (a unique prefix) or exact name
        id: String,
        #[command(flatten)]
        fields: KindergartenArgs,
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
    /// Import a kindergarten list (附表): .xlsx or .csv with a header row
    /// (园名, 县区, 乡镇, 村, 性质, 类别, 星级, 幼儿数, 教师数 …, or English)
    Import {
        file: PathBuf,
        /// District for rows that do not name one
        #[arg(long)]
        district: Option<String>,
        /// Only check the file: show what would be imported and every bad row
        #[arg(long)]
        dry_run: bool,
        /// Import the good rows even if some are bad (by default one bad
        /// row and nothing is imported)
        #[arg(long)]
        only_good: bool,
    },
}

/// Fields of a kindergarten. For `add`, name, district, ownership and
/// category are required.
#[derive(Debug, Args, Default)]
pub struct KindergartenArgs {
    #[arg(long)]
    pub name: Option<String>,
    /// District (name or id)
    #[arg(long)]
    pub district: Option<String>,
    #[arg(long)]
    pub town: Option<String>,
    #[arg(long)]
    pub village: Option<String>,
    /// public (公办), private (民办), inclusive_private (普惠性民办)
    #[arg(long)]
    pub ownership: Option<String>,
    /// urban_quality, town_central, town, village, village_point
    #[arg(long)]
    pub category: Option<String>,
    /// Star rating 1-5 (0 to clear)
    #[arg(long, allow_negative_numbers = true)]
    pub stars: Option<String>,
    /// Rural kindergarten: yes/no [default: from the category]
    #[arg(long)]
    pub rural: Option<String>,
    /// Number of children
    #[arg(long, allow_negative_numbers = true)]
    pub children: Option<String>,
    /// Number of teachers
    #[arg(long, allow_negative_numbers = true)]
    pub teachers: Option<String>,
    #[arg(long)]
    pub contact: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
}

/// "The option for this field is missing: give it with --option".
fn missing_option(lang: Lang, field: &str) -> Fail {
    Fail::line(tr!(
        lang,
        "cli.missing_option",
        field = i18n::field(lang, field),
        option = field.replace('_', "-")
    ))
}

fn required<T>(lang: Lang, field: &str, v: Option<T>) -> Result<T, Fail> {
    v.ok_or_else(|| missing_option(lang, field))
}

/// Prints one record (found by the caller) in the asked format.
fn show<T: views::View>(
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
fn write<T>(
    ctx: &Ctx,
    ws: &mut Workspace,
    f: impl FnOnce(&mut Writer<'_>) -> Result<T, EditError>,
) -> Result<T, Fail> {
    ws.write(f).map_err(|e| ctx.edit(e))
}

fn saved(ctx: &Ctx, what: Entity, id: &Id, detail: &str) {
    out(&tr!(
        ctx.lang,
        "cli.saved",
        what = i18n::entity(ctx.lang, what),
        id = id.short(),
        detail = detail
    ));
}

/// Lays the given fields over a kindergarten.
fn apply_kindergarten(
    ctx: &Ctx,
    model: &Model,
    k: &mut Kindergarten,
    a: &KindergartenArgs,
) -> Result<(), Fail> {
    let l = ctx.lang;
    if let Some(v) = &a.name {
        k.name = v.clone();
    }
    if let Some(v) = &a.district {
        k.district_id = parse::district(l, model, v)?;
    }
    if let Some(v) = &a.town {
        k.town = v.clone();
    }
    if let Some(v) = &a.village {
        k.village = v.clone();
    }
    if let Some(v) = parse::opt_code(l, "ownership", &a.ownership)? {
        k.ownership = v;
    }
    if let Some(v) = parse::opt_code::<Category>(l, "category", &a.category)? {
        k.category = v;
        if a.rural.is_none() {
            k.rural = v != Category::UrbanQuality;
        }
    }
    if let Some(v) = parse::opt_int(l, "stars", &a.stars)? {
        k.stars = (v != 0).then_some(v);
    }
    if let Some(v) = &a.rural {
        k.rural = parse::yes_no(l, "rural", v)?;
    }
    if let Some(v) = parse::opt_int(l, "children", &a.children)? {
        k.children = v;
    }
    if let Some(v) = parse::opt_int(l, "teachers", &a.teachers)? {
        k.teachers = v;
    }
    if let Some(v) = &a.contact {
        k.contact = v.clone();
    }
    if let Some(v) = &a.phone {
        k.phone = v.clone();
    }
    Ok(())
}

/// A new kindergarten from typed fields. Name, district (unless a default
/// is given), ownership and category are required; `missing` says so.
pub(super) fn new_kindergarten(
    ctx: &Ctx,
    model: &Model,
    a: &KindergartenArgs,
    default_district: Option<&Id>,
    missing: &dyn Fn(&str) -> Fail,
) -> Result<Kindergarten, Fail> {
    let l = ctx.lang;
    let name = a.name.clone().ok_or_else(|| missing("name"))?;
    let district_id = match (&a.district, default_district) {
        (Some(d), _) => parse::district(l, model, d)?,
        (None, Some(d)) => d.clone(),
        (None, None) => return Err(missing("district")),
    };
    let ownership: Ownership = parse::code(
        l,
        "ownership",
        a.ownership.as_deref().ok_or_else(|| missing("ownership"))?,
    )?;
    let category: Category = parse::code(
        l,
        "category",
        a.category.as_deref().ok_or_else(|| missing("category"))?,
    )?;
    let mut k = Kindergarten {
        id: Id::from_random_bytes([0; 16]),
        name,
        district_id,
        town: String::new(),
        village: String::new(),
        ownership,
        category,
        stars: None,
        rural: category != Category::UrbanQuality,
        children: 0,
        teachers: 0,
        contact: String::new(),
        phone: String::new(),
    };
    apply_kindergarten(ctx, model, &mut k, a)?;
    Ok(k)
}

pub fn kindergarten(ctx: &Ctx, cmd: KindergartenCmd) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    match cmd {
        KindergartenCmd::Add(a) => {
            let missing = |field: &str| missing_option(l, field);
            let mut k = new_kindergarten(ctx, ws.model(), &a, None, &missing)?;
            let id = write(ctx, &mut ws, |w| {
                k.id = w.new_id();
                w.put_kindergarten(k.clone())
            })?;
            saved(ctx, Entity::Kindergarten, &id, &k.name);
        }
        KindergartenCmd::Edit { id, fields } => {
            let model = ws.model();
            let id = parse::kindergarten(l, model, &id)?;
            let Some(mut k) = model.kindergarten(&id).cloned() else {
                return Err(Fail::line(tr!(
                    l,
                    "id.not_found",
                    typed = id.as_str(),
                    what = i18n::entity(l, Entity::Kindergarten)
                )));
            };
            apply_kindergarten(ctx, model, &mut k, &fields)?;
            write(ctx, &mut ws, |w| w.put_kindergarten(k.clone()))?;
            saved(ctx, Entity::Kindergarten, &id, &k.name);
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
            let mut ks: Vec<&Kindergarten> = model
                .kindergartens()
                .filter(|k| district.as_ref().is_none_or(|d| &k.district_id == d))
                .filter(|k| rural.is_none_or(|r| k.rural == r))
                .collect();
            ks.sort_by(|a, b| {
                (model.district_name(&a.district_id), &a.town, &a.name).cmp(&(
                    model.district_name(&b.district_id),
                    &b.town,
                    &b.name,
                ))
            });
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
            dry_run,
            only_good,
        } => super::setup::import_kindergartens(ctx, &mut ws, &file, district, dry_run, only_good)?,
    }
    Ok(())
}

// ---------- pairings ----------

#[derive(Debug, Subcommand)]
pub enum PairingCmd {
    /// Pair helpers with helped kindergartens and draft their agreement
    Add(PairingAddArgs),
    /// Change the terms of an agreement that is not filed yet
    Edit {
        id: String,
        #[command(flatten)]
        terms: TermsArgs,
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
}

#[derive(Debug, Args)]
pub struct PairingAddArgs {
    /// Helper kindergarten (帮扶园): id prefix or exact name; repeat or separate with commas
    #[arg(long = "helper", required = true)]
    pub helpers: Vec<String>,
    /// Helped kindergarten (被帮扶园): id prefix or exact name; repeat or separate with commas
    #[arg(long = "helped", required = true)]
    pub helped: Vec<String>,
    /// town, district or cross-region
    #[arg(long)]
    pub mode: String,
    /// Plan year the pairing counts towards [default: the start date's year]
    #[arg(long)]
    pub cohort: Option<String>,
    #[command(flatten)]
    pub terms: TermsArgs,
}

/// Terms of an agreement.
#[derive(Debug, Args, Default)]
pub struct TermsArgs {
    /// First day (YYYY-MM-DD)
    #[arg(long)]
    pub start: Option<String>,
    /// Last day (YYYY-MM-DD); at least two years after the start
    #[arg(long)]
    pub end: Option<String>,
    /// Form of support; repeat or separate with commas
    #[arg(long = "form")]
    pub forms: Vec<String>,
    /// Support task; repeat or separate with commas
    #[arg(long = "task")]
    pub tasks: Vec<String>,
    /// Goals (帮扶目标)
    #[arg(long)]
    pub goals: Option<String>,
    /// Rights and obligations (权利义务)
    #[arg(long)]
    pub rights: Option<String>,
    /// Schedule (时间安排)
    #[arg(long)]
    pub schedule: Option<String>,
    /// Fees charged, in yuan (must be 0)
    #[arg(long, allow_negative_numbers = true)]
    pub fees: Option<String>,
}

/// Who signs or confirms, and when.
#[derive(Debug, Args)]
pub struct StampArgs {
    /// Pairing id (a unique prefix)
    pub id: String,
    /// Who [default: the --as name]
    #[arg(long)]
    pub by: Option<String>,
    /// When [default: today]
    #[arg(long)]
    pub date: Option<String>,
}

fn apply_terms(ctx: &Ctx, a: &mut Agreement, t: &TermsArgs) -> Result<(), Fail> {
    let l = ctx.lang;
    if let Some(d) = parse::opt_date(l, "start", &t.start)? {
        a.start = d;
    }
    if let Some(d) = parse::opt_date(l, "end", &t.end)? {
        a.end = d;
    }
    if !t.forms.is_empty() {
        a.forms = parse::codes(l, "forms", &t.forms)?;
    }
    if !t.tasks.is_empty() {
        a.tasks = parse::codes(l, "tasks", &t.tasks)?;
    }
    if let Some(v) = &t.goals {
        a.goals = v.clone();
    }
    if let Some(v) = &t.rights {
        a.rights = v.clone();
    }
    if let Some(v) = &t.schedule {
        a.schedule = v.clone();
    }
    if let Some(v) = parse::opt_int(l, "fees", &t.fees)? {
        a.fees = v;
    }
    Ok(())
}

fn stamp(ctx: &Ctx, a: &StampArgs) -> Result<Stamp, Fail> {
    Ok(Stamp {
        by: a.by.clone().unwrap_or_else(|| ctx.person.clone()),
        on: parse::opt_date(ctx.lang, "date", &a.date)?.unwrap_or(ctx.today),
    })
}

pub fn pairing(ctx: &Ctx, cmd: PairingCmd) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    let model = ws.model();
    match cmd {
        PairingCmd::Add(a) => {
            let helpers = parse::kindergartens(l, model, &a.helpers)?;
            let helped = parse::kindergartens(l, model, &a.helped)?;
            let mode: Mode = parse::code(l, "mode", &a.mode)?;
            let start = parse::date(l, "start", &required(l, "start", a.terms.start.clone())?)?;
            let end = parse::date(l, "end", &required(l, "end", a.terms.end.clone())?)?;
            let cohort = parse::opt_year(l, &a.cohort)?.unwrap_or(chrono::Datelike::year(&start));
            let mut agreement = Agreement {
                status: AgreementStatus::Draft,
                start,
                end,
                forms: Vec::new(),
                tasks: Vec::new(),
                goals: String::new(),
                rights: String::new(),
                schedule: String::new(),
                fees: 0,
                signed: None,
                confirmations: Vec::new(),
                filed: None,
            };
            apply_terms(ctx, &mut agreement, &a.terms)?;
            let district_id = helped
                .first()
                .and_then(|h| model.kindergarten(h))
                .map(|k| k.district_id.clone())
                .unwrap_or_else(|| Id::from_random_bytes([0; 16]));
            let p = Pairing {
                id: Id::from_random_bytes([0; 16]),
                district_id,
                helpers,
                helped,
                cohort,
                mode,
                agreement,
            };
            let id = write(ctx, &mut ws, |w| {
                let id = w.new_id();
                w.add_pairing(Pairing { id, ..p })
            })?;
            saved(ctx, Entity::Pairing, &id, &tr!(l, "pairing.drafted"));
        }
        PairingCmd::Edit { id, terms } => {
            let id = parse::record(l, model, Entity::Pairing, &id)?;
            let mut a = model
                .pairing(&id)
                .map(|p| p.agreement.clone())
                .ok_or_else(|| {
                    Fail::line(tr!(
                        l,
                        "id.not_found",
                        typed = id.as_str(),
                        what = i18n::entity(l, Entity::Pairing)
                    ))
                })?;
            apply_terms(ctx, &mut a, &terms)?;
            let unsigned = write(ctx, &mut ws, |w| w.edit_agreement(&id, a))?;
            saved(ctx, Entity::Pairing, &id, "");
            if unsigned {
                out(&tr!(l, "pairing.back_to_draft"));
            }
        }
        PairingCmd::Sign(a) => {
            let id = parse::record(l, model, Entity::Pairing, &a.id)?;
            let s = stamp(ctx, &a)?;
            write(ctx, &mut ws, |w| w.sign(&id, s))?;
            saved(
                ctx,
                Entity::Pairing,
                &id,
                &i18n::label(l, AgreementStatus::Signed),
            );
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
        PairingCmd::File(a) => {
            let id = parse::record(l, model, Entity::Pairing, &a.id)?;
            let s = stamp(ctx, &a)?;
            write(ctx, &mut ws, |w| w.file(&id, s))?;
            saved(
                ctx,
                Entity::Pairing,
                &id,
                &i18n::label(l, AgreementStatus::Filed),
            );
        }
        PairingCmd::List {
            year,
            district,
            status,
            format,
        } => {
            let format = ctx.format(&format)?;
            let year = parse::opt_year(l, &year)?;
            let district = district
                .map(|d| parse::district(l, model, &d))
                .transpose()?;
            let status: Option<AgreementStatus> = parse::opt_code(l, "status", &status)?;
            let mut ps: Vec<&Pairing> = model
                .pairings()
                .filter(|p| year.is_none_or(|y| p.cohort == y))
                .filter(|p| district.as_ref().is_none_or(|d| &p.district_id == d))
                .filter(|p| status.is_none_or(|s| p.agreement.status == s))
                .collect();
            ps.sort_by(|a, b| {
                (
                    a.cohort,
                    model.district_name(&a.district_id),
                    a.agreement.start,
                    &a.id,
                )
                    .cmp(&(
                        b.cohort,
                        model.district_name(&b.district_id),
                        b.agreement.start,
                        &b.id,
                    ))
            });
            output::print_all(format, l, model, &ps);
        }
        PairingCmd::Show { id, format } => {
            let id = parse::record(l, model, Entity::Pairing, &id)?;
            show(ctx, &format, model, model.pairing(&id))?;
        }
    }
    Ok(())
}

// ---------- visits ----------

#[derive(Debug, Subcommand)]
pub enum VisitCmd {
    /// Log a support activity
    Add(Box<VisitArgs>),
    /// Change a visit's note, date, form or counts
    Edit(Box<VisitEditArgs>),
    /// The helped side confirms a visit
    Confirm(StampArgs),
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

#[derive(Debug, Args)]
pub struct VisitArgs {
    /// Pairing id (a unique prefix)
    #[arg(long)]
    pub pairing: String,
    /// Date (YYYY-MM-DD) [default: today]
    #[arg(long)]
    pub date: Option<String>,
    /// Form of support: send_teachers, master_studio, on_site_guidance, shadowing, online
    #[arg(long)]
    pub form: String,
    /// Support task; repeat or separate with commas
    #[arg(long = "task")]
    pub tasks: Vec<String>,
    /// Where: one of the pairing's kindergartens [default: the first helped]
    #[arg(long)]
    pub place: Option<String>,
    /// NAME:ROLE, e.g. 王老师:教研员; repeat for each person
    #[arg(long = "participant")]
    pub participants: Vec<String>,
    #[arg(long, allow_negative_numbers = true)]
    pub teachers_reached: Option<String>,
    #[arg(long, allow_negative_numbers = true)]
    pub children_reached: Option<String>,
    /// Toys and teaching aids donated (玩教具)
    #[arg(long, allow_negative_numbers = true)]
    pub toys: Option<String>,
    /// Play materials donated (游戏材料)
    #[arg(long, allow_negative_numbers = true)]
    pub play_materials: Option<String>,
    /// Picture books donated (图画书)
    #[arg(long, allow_negative_numbers = true)]
    pub picture_books: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub follow_up: Option<String>,
}

/// Fields of a visit to change; the others stay.
#[derive(Debug, Args)]
pub struct VisitEditArgs {
    /// Visit id (a unique prefix)
    pub id: String,
    #[arg(long)]
    pub date: Option<String>,
    #[arg(long)]
    pub form: Option<String>,
    /// Support task; repeat or separate with commas (replaces the tasks)
    #[arg(long = "task")]
    pub tasks: Vec<String>,
    #[arg(long, allow_negative_numbers = true)]
    pub teachers_reached: Option<String>,
    #[arg(long, allow_negative_numbers = true)]
    pub children_reached: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub follow_up: Option<String>,
}

pub fn visit(ctx: &Ctx, cmd: VisitCmd) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    let model = ws.model();
    match cmd {
        VisitCmd::Add(a) => {
            let pairing_id = parse::record(l, model, Entity::Pairing, &a.pairing)?;
            let date = parse::opt_date(l, "date", &a.date)?.unwrap_or(ctx.today);
            let form: Form = parse::code(l, "form", &a.form)?;
            let tasks = parse::codes(l, "tasks", &a.tasks)?;
            let place_id = match &a.place {
                Some(p) => Some(parse::kindergarten(l, model, p)?),
                None => model
                    .pairing(&pairing_id)
                    .and_then(|p| p.helped.first().cloned()),
            };
            let participants = a
                .participants
                .iter()
                .map(|p| parse::participant(l, p))
                .collect::<Result<Vec<_>, _>>()?;
            let count =
                |f: &str, v: &Option<String>| parse::opt_int(l, f, v).map(|n| n.unwrap_or(0));
            let v = Visit {
                id: Id::from_random_bytes([0; 16]),
                pairing_id,
                district_id: Id::from_random_bytes([0; 16]),
                date,
                form,
                tasks,
                place_id,
                participants,
                teachers_reached: count("teachers_reached", &a.teachers_reached)?,
                children_reached: count("children_reached", &a.children_reached)?,
                materials: Materials {
                    toys: count("toys", &a.toys)?,
                    play_materials: count("play_materials", &a.play_materials)?,
                    picture_books: count("picture_books", &a.picture_books)?,
                },
                note: a.note.clone().unwrap_or_default(),
                follow_up: a.follow_up.clone().unwrap_or_default(),
                confirmed: None,
            };
            let detail = format!("{} {}", v.date, i18n::label(l, v.form));
            let id = write(ctx, &mut ws, |w| {
                let id = w.new_id();
                w.put_visit(Visit { id, ..v })
            })?;
            saved(ctx, Entity::Visit, &id, &detail);
        }
        VisitCmd::Edit(a) => {
            let id = parse::record(l, model, Entity::Visit, &a.id)?;
            let Some(mut v) = model.visit(&id).cloned() else {
                return Ok(());
            };
            if let Some(d) = parse::opt_date(l, "date", &a.date)? {
                v.date = d;
            }
            if let Some(f) = parse::opt_code(l, "form", &a.form)? {
                v.form = f;
            }
            if !a.tasks.is_empty() {
                v.tasks = parse::codes(l, "tasks", &a.tasks)?;
            }
            if let Some(n) = parse::opt_int(l, "teachers_reached", &a.teachers_reached)? {
                v.teachers_reached = n;
            }
            if let Some(n) = parse::opt_int(l, "children_reached", &a.children_reached)? {
                v.children_reached = n;
            }
            if let Some(t) = &a.note {
                v.note = t.clone();
            }
            if let Some(t) = &a.follow_up {
                v.follow_up = t.clone();
            }
            let detail = format!("{} {}", v.date, i18n::label(l, v.form));
            write(ctx, &mut ws, |w| w.put_visit(v))?;
            saved(ctx, Entity::Visit, &id, &detail);
        }
        VisitCmd::Confirm(a) => {
            let id = parse::record(l, model, Entity::Visit, &a.id)?;
            let s = stamp(ctx, &a)?;
            write(ctx, &mut ws, |w| w.confirm_visit(&id, s))?;
            saved(ctx, Entity::Visit, &id, &tr!(l, "visit.confirmed"));
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
            let mut vs: Vec<&Visit> = model
                .visits()
                .filter(|v| pairing.as_ref().is_none_or(|p| &v.pairing_id == p))
                .filter(|v| {
                    month.is_none_or(|(y, m)| {
                        chrono::Datelike::year(&v.date) == y
                            && chrono::Datelike::month(&v.date) == m
                    })
                })
                .filter(|v| district.as_ref().is_none_or(|d| &v.district_id == d))
                .collect();
            vs.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
            output::print_all(format, l, model, &vs);
        }
        VisitCmd::Show { id, format } => {
            let id = parse::record(l, model, Entity::Visit, &id)?;
            show(ctx, &format, model, model.visit(&id))?;
        }
    }
    Ok(())
}

// ---------- inspections ----------

#[derive(Debug, Subcommand)]
pub enum InspectionCmd {
    /// Record an inspection with its four area scores
    Add(InspectionArgs),
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
    /// The pairing inspected (id prefix)
    #[arg(long)]
    pub pairing: Option<String>,
    /// The kindergarten inspected (id prefix or exact name)
    #[arg(long)]
    pub kindergarten: Option<String>,
    /// Date (YYYY-MM-DD) [default: today]
    #[arg(long)]
    pub date: Option<String>,
    /// Inspector's name [default: the --as name]
    #[arg(long)]
    pub inspector: Option<String>,
    /// Four scores 1-5: philosophy, care and education, environment, management (e.g. 4,3,4,5)
    #[arg(long)]
    pub scores: String,
    #[arg(long)]
    pub findings: Option<String>,
    #[arg(long)]
    pub guidance: Option<String>,
    /// Follow-up due date (YYYY-MM-DD)
    #[arg(long)]
    pub follow_up_due: Option<String>,
}

fn scores(lang: Lang, s: &str) -> Result<Scores, Fail> {
    let parts = parse::split_list(&[s.to_string()]);
    let nums = parts
        .iter()
        .map(|p| parse::int(lang, "scores", p))
        .collect::<Result<Vec<_>, _>>()?;
    match nums.as_slice() {
        [a, b, c, d] => Ok(Scores {
            philosophy: *a,
            care_education: *b,
            environment: *c,
            management: *d,
        }),
        _ => Err(Fail::line(tr!(lang, "parse.scores", value = s))),
    }
}

pub fn inspection(ctx: &Ctx, cmd: InspectionCmd) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    let model = ws.model();
    match cmd {
        InspectionCmd::Add(a) => {
            let pairing_id = a
                .pairing
                .as_ref()
                .map(|p| parse::record(l, model, Entity::Pairing, p))
                .transpose()?;
            let kindergarten_id = a
                .kindergarten
                .as_ref()
                .map(|k| parse::kindergarten(l, model, k))
                .transpose()?;
            let i = Inspection {
                id: Id::from_random_bytes([0; 16]),
                district_id: Id::from_random_bytes([0; 16]),
                pairing_id,
                kindergarten_id,
                date: parse::opt_date(l, "date", &a.date)?.unwrap_or(ctx.today),
                inspector: a.inspector.clone().unwrap_or_else(|| ctx.person.clone()),
                scores: scores(l, &a.scores)?,
                findings: a.findings.clone().unwrap_or_default(),
                guidance: a.guidance.clone().unwrap_or_default(),
                follow_up_due: parse::opt_date(l, "follow_up_due", &a.follow_up_due)?,
            };
            let detail = i.date.to_string();
            let id = write(ctx, &mut ws, |w| {
                let id = w.new_id();
                w.put_inspection(Inspection { id, ..i })
            })?;
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
            let mut is: Vec<&Inspection> = model
                .inspections()
                .filter(|i| district.as_ref().is_none_or(|d| &i.district_id == d))
                .filter(|i| pairing.is_none() || i.pairing_id == pairing)
                .collect();
            is.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
            output::print_all(format, l, model, &is);
        }
        InspectionCmd::Show { id, format } => {
            let id = parse::record(l, model, Entity::Inspection, &id)?;
            show(ctx, &format, model, model.inspection(&id))?;
        }
    }
    Ok(())
}

//! The programme's record forms, built from the field specifications of
//! `crate::input` and read back by the same reader as the command line;
//! the confirmation and join forms; saving any form. Problems come back
//! next to their fields.

use super::Unsaved;
use super::ctx::Ctx;
use super::dialog::Dialog;
use super::form::{Field, Form, FormKind, Input, Opt};
use super::screens::Screen;
use super::screens::reports::{save_return, save_sections};
use crate::domain::lists::{self, Query};
use crate::domain::*;
use crate::i18n::{self, Lang, label};
use crate::input::fields::Default as Given;
use crate::input::records::{inspection, kindergarten, pairing, plan, terms, visit};
use crate::input::{Bad, Context, FieldSpec, Kind, Pick, Raw, Why};
use crate::tr;

fn f(lang: Lang, key: &str) -> String {
    i18n::field(lang, key)
}

fn codes<C: Code>(lang: Lang) -> Vec<Opt> {
    C::ALL
        .iter()
        .map(|c| Opt::new(c.code(), label(lang, *c)))
        .collect()
}

fn district_opts(m: &Model) -> Vec<Opt> {
    m.districts_in_order()
        .iter()
        .map(|d| Opt::new(d.id.as_str(), d.name.clone()))
        .collect()
}

/// Every kindergarten by its name in pinyin order (大洼… before 东风…),
/// whatever its district: the list is searched by typing part of a name.
fn kindergarten_opts(m: &Model) -> Vec<Opt> {
    let mut opts: Vec<Opt> = lists::kindergartens(m, &Query::all())
        .iter()
        .map(|k| Opt::new(k.id.as_str(), k.name.clone()))
        .collect();
    collate::sort_by_name(&mut opts, |o| o.label.as_str());
    opts
}

fn pairing_opts(m: &Model, lang: Lang) -> Vec<Opt> {
    lists::pairings(m, &Query::all())
        .iter()
        .map(|p| Opt::new(p.id.as_str(), crate::present::pairing_label(m, lang, p)))
        .collect()
}

fn member_opts(m: &Model, pairing: &str) -> Vec<Opt> {
    Id::parse(pairing)
        .and_then(|id| m.pairing(&id))
        .map(|p| {
            p.members()
                .map(|k| Opt::new(k.as_str(), m.kindergarten_name(k)))
                .collect()
        })
        .unwrap_or_default()
}

fn score_opts() -> Vec<Opt> {
    (1..=5)
        .map(|n| Opt::new(n.to_string(), n.to_string()))
        .collect()
}

/// The choices of a pick list.
fn options(pick: Pick, cx: &Context<'_>, raw: &Raw) -> Vec<Opt> {
    let (lang, m) = (cx.lang, cx.model);
    match pick {
        Pick::Ownership => codes::<Ownership>(lang),
        Pick::Category => codes::<Category>(lang),
        Pick::Mode => codes::<Mode>(lang),
        Pick::SupportForm => codes::<SupportForm>(lang),
        Pick::Task => codes::<Task>(lang),
        Pick::Score => score_opts(),
        Pick::District => district_opts(m),
        Pick::Kindergarten => kindergarten_opts(m),
        Pick::Pairing => pairing_opts(m, lang),
        Pick::PairingMember => member_opts(m, raw.one(visit::PAIRING.key).unwrap_or("")),
        Pick::Role => codes::<MemberRole>(lang),
    }
}

/// The first choice of a one-of list when nothing is chosen: what it
/// means depends on the field's default.
fn lead_opt(lang: Lang, default: Given) -> Opt {
    let label = match default {
        Given::Required => tr!(lang, "pick.choose"),
        Given::Derived(key) => i18n::text(lang, key),
        _ => tr!(lang, "common.none"),
    };
    Opt::new("", label)
}

/// What a field shows before anything is typed: what was given, else its
/// default.
fn shown(f: &FieldSpec, raw: &Raw, cx: &Context<'_>) -> String {
    if raw.given(f.key) {
        return match f.kind {
            Kind::People | Kind::Many(_) => raw.list(f.key).join("、"),
            _ => raw.text(f.key),
        };
    }
    match f.default {
        Given::Zero => "0".to_string(),
        Given::Today => cx.today.to_string(),
        Given::Person => cx.person.to_string(),
        Given::Text(t) => t.to_string(),
        _ => String::new(),
    }
}

/// A form field for a field specification, showing `raw`.
fn field(f: &'static FieldSpec, raw: &Raw, cx: &Context<'_>) -> Field {
    let text = shown(f, raw, cx);
    let field = kind_field(f, raw, cx, &text);
    // A default shown (0, today, the person) is replaced by what is typed.
    if !raw.given(f.key) && !text.is_empty() {
        field.prefilled()
    } else {
        field
    }
}

/// The form field of a field specification's kind, showing `text`.
fn kind_field(f: &'static FieldSpec, raw: &Raw, cx: &Context<'_>, text: &str) -> Field {
    let lang = cx.lang;
    let label = i18n::field(lang, f.key);
    match f.kind {
        Kind::Line | Kind::Count | Kind::Date | Kind::Year => {
            let line = Field::line(f.key, label, text);
            match f.default {
                Given::Derived(key) => line.hinted(i18n::text(lang, key)),
                _ => line,
            }
        }
        // People as they are written: 王丽（教研员）、张敏（园长）.
        Kind::People => Field::line(f.key, label, text)
            .hinted(tr!(lang, "form.people_hint"))
            .listing("、"),
        Kind::Paths => Field::line(f.key, label, text)
            .hinted(tr!(lang, "form.paths_hint"))
            .of_paths(),
        Kind::Note => Field::note(f.key, label, text),
        Kind::YesNo => {
            let opts = vec![
                lead_opt(lang, f.default),
                Opt::new("yes", tr!(lang, "common.yes")),
                Opt::new("no", tr!(lang, "common.no")),
            ];
            let chosen = raw.one(f.key).map_or("", |v| {
                if crate::input::yes_no(lang, f.key, v) == Ok(true) {
                    "yes"
                } else {
                    "no"
                }
            });
            Field::choice(f.key, label, opts, chosen)
        }
        Kind::One(pick) => {
            let mut opts = vec![lead_opt(lang, f.default)];
            opts.extend(options(pick, cx, raw));
            Field::choice(f.key, label, opts, text)
        }
        Kind::Many(pick) => Field::multi(f.key, label, options(pick, cx, raw), &raw.list(f.key)),
    }
}

/// A form of a record kind's fields showing `raw`.
fn spec_form<'s>(
    kind: FormKind,
    title: String,
    specs: impl IntoIterator<Item = &'s FieldSpec>,
    raw: &Raw,
    cx: &Context<'_>,
) -> Form
where
    's: 'static,
{
    let fields = specs.into_iter().map(|f| field(f, raw, cx)).collect();
    Form::new(kind, title, fields)
}

/// What a form holds, as typed text for `crate::input`.
fn typed(form: &Form) -> Raw {
    let mut raw = Raw::new();
    for f in &form.fields {
        match &f.input {
            Input::Line(_) | Input::Note(_) => raw.put(f.key, form.text(f.key)),
            Input::Choice { .. } => raw.put(f.key, form.choice(f.key)),
            Input::Multi { .. } => raw.put_all(f.key, form.multi(f.key)),
            Input::Toggle(on) => raw.put(f.key, if *on { "yes" } else { "no" }),
        }
    }
    raw
}

/// Shows every field that could not be read next to it.
fn show_bad(lang: Lang, form: &mut Form, bad: Vec<Bad>) {
    for b in bad {
        let msg = match b.why {
            Why::Missing => tr!(lang, "problem.required"),
            Why::Invalid(msg) => msg,
        };
        if !form.set_error(b.field, msg.clone()) && form.message.is_none() {
            form.message = Some(msg);
        }
    }
}

/// A saved record: the screen that lists it, its id and kind.
pub type SavedAt = (Screen, Id, Entity);

/// Opens a form of a record kind's fields showing `raw`.
pub(super) fn open_spec_form(
    cx: &mut Ctx<'_>,
    kind: FormKind,
    title: String,
    specs: impl IntoIterator<Item = &'static FieldSpec>,
    raw: &Raw,
) {
    let form = spec_form(kind, title, specs, raw, &cx.input());
    cx.open(Dialog::Form(Box::new(form)));
}

/// `a` on the kindergartens (or the dashboard).
pub fn new_kindergarten(cx: &mut Ctx<'_>) {
    let title = tr!(cx.lang, "form.new_kindergarten");
    let kind = FormKind::NewKindergarten;
    open_spec_form(cx, kind, title, kindergarten::FIELDS, &Raw::new());
}

/// `e` or Enter on a kindergarten.
pub fn edit_kindergarten(cx: &mut Ctx<'_>, id: &Id) {
    let Some(raw) = cx.model().kindergarten(id).map(kindergarten::raw_of) else {
        return;
    };
    let title = tr!(cx.lang, "form.edit_kindergarten");
    let kind = FormKind::EditKindergarten(id.clone());
    open_spec_form(cx, kind, title, kindergarten::FIELDS, &raw);
}

/// `a` on the pairings.
pub fn new_pairing(cx: &mut Ctx<'_>) {
    if cx.model().kindergartens().nth(1).is_none() {
        return cx.say(tr!(cx.lang, "guide.need_kindergartens"));
    }
    let title = tr!(cx.lang, "form.new_pairing");
    open_spec_form(
        cx,
        FormKind::NewPairing,
        title,
        pairing::fields(),
        &Raw::new(),
    );
}

/// `e` on a pairing: its agreement's terms, unless it is filed.
pub fn edit_agreement(cx: &mut Ctx<'_>, id: &Id) {
    let lang = cx.lang;
    let Some(p) = cx.model().pairing(id) else {
        return;
    };
    if p.agreement.status == AgreementStatus::Filed {
        let filed = Problem {
            field: "status",
            kind: ProblemKind::AgreementFiled,
        };
        return cx.say(i18n::problem(lang, &filed));
    }
    let raw = terms::raw_of(&p.agreement);
    let title = tr!(
        lang,
        "form.edit_agreement",
        pairing = crate::present::pairing_label(cx.model(), lang, p)
    );
    open_spec_form(
        cx,
        FormKind::EditAgreement(id.clone()),
        title,
        terms::FIELDS,
        &raw,
    );
}

/// `a` on the visit log: for the `likely` pairing, if known.
pub fn new_visit(cx: &mut Ctx<'_>, likely: Option<Id>) {
    if cx.model().pairings().next().is_none() {
        return cx.say(tr!(cx.lang, "guide.need_pairings"));
    }
    let mut raw = Raw::new();
    if let Some(p) = likely {
        raw.put(visit::PAIRING.key, p.as_str());
    }
    let title = tr!(cx.lang, "form.new_visit");
    open_spec_form(cx, FormKind::NewVisit, title, visit::FIELDS, &raw);
}

/// `e` or Enter on a visit.
pub fn edit_visit(cx: &mut Ctx<'_>, id: &Id) {
    let Some(raw) = cx.model().visit(id).map(visit::raw_of) else {
        return;
    };
    let title = tr!(cx.lang, "form.edit_visit");
    open_spec_form(
        cx,
        FormKind::EditVisit(id.clone()),
        title,
        visit::FIELDS,
        &raw,
    );
}

/// `a` on the inspections.
pub fn new_inspection(cx: &mut Ctx<'_>) {
    if cx.model().kindergartens().next().is_none() {
        return cx.say(tr!(cx.lang, "guide.need_kindergartens"));
    }
    let title = tr!(cx.lang, "form.new_inspection");
    let kind = FormKind::NewInspection;
    open_spec_form(cx, kind, title, inspection::FIELDS, &Raw::new());
}

/// `e` or Enter on an inspection.
pub fn edit_inspection(cx: &mut Ctx<'_>, id: &Id) {
    let Some(raw) = cx.model().inspection(id).map(inspection::raw_of) else {
        return;
    };
    let title = tr!(cx.lang, "form.edit_inspection");
    let kind = FormKind::EditInspection(id.clone());
    open_spec_form(cx, kind, title, inspection::FIELDS, &raw);
}

/// `c` on a pairing: which bureau confirms.
pub fn confirm_agreement(cx: &mut Ctx<'_>, id: &Id) {
    let lang = cx.lang;
    let person = cx.options.person.clone();
    let today = cx.today().to_string();
    let m = cx.model();
    let Some(p) = m.pairing(id) else { return };
    let districts: Vec<Opt> = m
        .unconfirmed_districts(p)
        .iter()
        .map(|d| Opt::new(d.as_str(), m.district_name(d)))
        .collect();
    let first = districts
        .first()
        .map(|o| o.value.clone())
        .unwrap_or_default();
    let form = Form::new(
        FormKind::ConfirmAgreement(id.clone()),
        tr!(
            lang,
            "form.confirm_agreement",
            pairing = crate::present::pairing_label(m, lang, p)
        ),
        vec![
            Field::choice("district", f(lang, "district"), districts, &first),
            Field::line("by", f(lang, "by"), &person),
            Field::line("date", f(lang, "date"), &today),
        ],
    );
    cx.open(Dialog::Form(Box::new(form)));
}

/// `e` on the dashboard: the targets of the year it shows.
pub fn edit_plan(cx: &mut Ctx<'_>, year: i32) {
    use crate::domain::authz::{self, Target, Write};
    let me = cx.member();
    let problems = authz::check(me.as_ref(), Write::Plan, &Target::programme(), None);
    if !problems.is_empty() {
        return cx.say_problems(&problems);
    }
    let raw = plan::raw_of(cx.model(), year, None);
    let title = tr!(cx.lang, "form.plan", year = year);
    open_spec_form(cx, FormKind::Plan, title, plan::FIELDS, &raw);
}

/// A field's value changed: on a visit form, the places follow the
/// pairing chosen; on a plan form, the counts follow the district.
pub fn follow(form: &mut Form, changed: &str, m: &Model, lang: Lang) {
    if form.kind == FormKind::District {
        return super::districts::follow(form, changed, m, lang);
    }
    let visit_form = matches!(form.kind, FormKind::NewVisit | FormKind::EditVisit(_));
    if visit_form && changed == visit::PAIRING.key {
        let chosen = form.choice(visit::PAIRING.key);
        let mut places = vec![lead_opt(lang, visit::PLACE.default)];
        places.extend(member_opts(m, &chosen));
        form.set_options(visit::PLACE.key, places);
    }
    if form.kind == FormKind::Plan && changed == plan::DISTRICT.key {
        let year = form.text(plan::YEAR.key).parse().unwrap_or_default();
        let district = Id::parse(&form.choice(plan::DISTRICT.key));
        let raw = plan::raw_of(m, year, district.as_ref());
        for f in [plan::HELPERS, plan::HELPED] {
            form.set_text(f.key, raw.one(f.key).unwrap_or_default());
        }
    }
}

/// Ctrl-S: saves a form; returns where the record is shown, its id and
/// kind (`None` when nothing is listed: a report is saved, an invite
/// made). On any problem the form keeps what was typed and shows the
/// problem by its field.
pub fn submit(cx: &mut Ctx<'_>, form: &mut Form) -> Result<Option<SavedAt>, Unsaved> {
    form.clear_errors();
    let outcome = match form.kind.clone() {
        FormKind::Invite => super::invite::submit(cx, form).map(|()| None),
        FormKind::ReportSections(key) => save_sections(cx, form, &key).map(|()| None),
        FormKind::ReturnReport(key) => save_return(cx, form, &key).map(|()| None),
        FormKind::ConfirmAgreement(id) => save_confirmation(cx, form, id).map(Some),
        FormKind::Plan => save_plan(cx, form).map(|()| None),
        FormKind::Pick(c) => save_pick(cx, form, &c).map(|()| None),
        FormKind::District => super::districts::submit(cx, form).map(|()| None),
        FormKind::Import => super::import::submit(cx, form).map(|()| None),
        FormKind::Attach(to, record) => {
            super::evidence::submit(cx, form, to, &record).map(|()| None)
        }
        // Joining is the first-run screen's.
        FormKind::Join => Ok(None),
        kind => {
            let editing = match &kind {
                FormKind::EditKindergarten(id) => Some((Entity::Kindergarten, id)),
                FormKind::EditAgreement(id) => Some((Entity::Pairing, id)),
                FormKind::EditVisit(id) => Some((Entity::Visit, id)),
                FormKind::EditInspection(id) => Some((Entity::Inspection, id)),
                _ => None,
            };
            let before = editing.and_then(|(what, id)| super::undo::snapshot(cx.model(), what, id));
            let saved = save_record(cx, form, kind);
            if let Ok((_, id, what)) = &saved {
                super::undo::note(cx, *what, id, before);
            }
            saved.map(Some)
        }
    };
    if let Err(why) = &outcome {
        show_unsaved(cx.lang, form, why);
    }
    outcome
}

/// Shows why a form was not saved, by its fields.
fn show_unsaved(lang: Lang, form: &mut Form, why: &Unsaved) {
    match why {
        Unsaved::Refused(problems) => {
            for p in problems {
                let msg = i18n::problem_message(lang, p);
                if !form.set_error(p.field, msg.clone()) && form.message.is_none() {
                    form.message = Some(i18n::problem(lang, p));
                }
            }
        }
        Unsaved::Shown => {}
        Unsaved::Failed(said) => form.message = Some(said.clone()),
    }
    form.focus_first_error();
}

/// Reads a record form with `read`; a field that cannot be read is shown
/// by its field.
pub(super) fn read_form<T>(
    cx: &Ctx<'_>,
    form: &mut Form,
    read: impl FnOnce(&Raw, Context<'_>) -> Result<T, Vec<Bad>>,
) -> Result<T, Unsaved> {
    read(&typed(form), cx.input()).map_err(|bad| {
        show_bad(cx.lang, form, bad);
        Unsaved::Shown
    })
}

/// A record form: read into a draft, then checked and saved.
fn save_record(cx: &mut Ctx<'_>, form: &mut Form, kind: FormKind) -> Result<SavedAt, Unsaved> {
    Ok(match kind {
        FormKind::NewKindergarten => {
            let d = read_form(cx, form, kindergarten::read)?;
            let id = cx.write(|w| w.add_kindergarten(d))?;
            (Screen::Kindergartens, id, Entity::Kindergarten)
        }
        FormKind::EditKindergarten(id) => {
            let d = read_form(cx, form, kindergarten::read)?;
            cx.write(|w| w.edit_kindergarten(&id, d))?;
            (Screen::Kindergartens, id, Entity::Kindergarten)
        }
        FormKind::NewPairing => {
            let d = read_form(cx, form, pairing::read)?;
            let id = cx.write(|w| w.add_pairing(d))?;
            (Screen::Pairings, id, Entity::Pairing)
        }
        FormKind::EditAgreement(id) => {
            let d = read_form(cx, form, terms::read)?;
            if cx.write(|w| w.edit_agreement(&id, d))? {
                let said = tr!(cx.lang, "pairing.back_to_draft");
                cx.say(said);
            }
            (Screen::Pairings, id, Entity::Pairing)
        }
        FormKind::NewVisit => {
            let d = read_form(cx, form, visit::read)?;
            let id = cx.write(|w| w.add_visit(d))?;
            (Screen::Visits, id, Entity::Visit)
        }
        FormKind::EditVisit(id) => {
            let d = read_form(cx, form, visit::read)?;
            cx.write(|w| w.edit_visit(&id, d))?;
            (Screen::Visits, id, Entity::Visit)
        }
        FormKind::NewInspection => {
            let d = read_form(cx, form, inspection::read)?;
            let id = cx.write(|w| w.add_inspection(d))?;
            (Screen::Inspections, id, Entity::Inspection)
        }
        FormKind::EditInspection(id) => {
            let d = read_form(cx, form, inspection::read)?;
            cx.write(|w| w.edit_inspection(&id, d))?;
            (Screen::Inspections, id, Entity::Inspection)
        }
        _ => return Err(Unsaved::Shown),
    })
}

/// `p` on a record with a conflict: which value to keep (the one shown
/// first, then those set aside).
pub fn pick_conflict(cx: &mut Ctx<'_>, c: crate::domain::Conflict) {
    use crate::present::conflicts as words;
    let lang = cx.lang;
    let quoted = |v: &str| words::quoted(lang, v);
    let mut opts = vec![Opt::new(
        "0",
        tr!(lang, "form.pick.keep", value = quoted(&c.kept)),
    )];
    for (i, v) in c.set_aside.iter().enumerate() {
        let label = tr!(lang, "form.pick.use", value = quoted(v));
        opts.push(Opt::new(i.saturating_add(1).to_string(), label));
    }
    let title = tr!(
        lang,
        "form.pick_title",
        record = format!(
            "{} · {}",
            words::record(lang, cx.model(), &c),
            words::field(lang, &c)
        )
    );
    let form = Form::new(
        FormKind::Pick(Box::new(c)),
        title,
        vec![Field::choice("value", f(lang, "value"), opts, "0")],
    );
    cx.open(Dialog::Form(Box::new(form)));
}

/// The value picked is written again: the conflict ends on every device
/// that receives it.
fn save_pick(
    cx: &mut Ctx<'_>,
    form: &mut Form,
    c: &crate::domain::Conflict,
) -> Result<(), Unsaved> {
    let index: usize = form.choice("value").parse().unwrap_or_default();
    cx.write(|w| w.pick(c, index))?;
    let value = match index.checked_sub(1) {
        None => c.kept.clone(),
        Some(i) => c.set_aside.get(i).cloned().unwrap_or_default(),
    };
    let lang = cx.lang;
    let said = tr!(
        lang,
        "conflict.picked",
        value = crate::present::conflicts::quoted(lang, &value)
    );
    cx.say(said);
    Ok(())
}

/// A year's targets.
fn save_plan(cx: &mut Ctx<'_>, form: &mut Form) -> Result<(), Unsaved> {
    let d = read_form(cx, form, plan::read)?;
    cx.write(|w| w.set_plan(&d))?;
    let said = tr!(cx.lang, "plan.saved", year = d.year);
    cx.say(said);
    Ok(())
}

/// A bureau's confirmation of an agreement.
fn save_confirmation(cx: &mut Ctx<'_>, form: &mut Form, id: Id) -> Result<SavedAt, Unsaved> {
    let lang = cx.lang;
    let date = crate::input::date(lang, "date", &form.text("date"));
    let district = Id::parse(&form.choice("district"));
    if district.is_none() {
        form.set_error("district", tr!(lang, "problem.required"));
    }
    let date = match date {
        Ok(d) => d,
        Err(msg) => {
            form.set_error("date", msg);
            return Err(Unsaved::Shown);
        }
    };
    let Some(district) = district else {
        return Err(Unsaved::Shown);
    };
    let stamp = Stamp {
        by: form.text("by"),
        on: date,
    };
    cx.write(|w| w.confirm(&id, &district, stamp))?;
    Ok((Screen::Pairings, id, Entity::Pairing))
}

//! The programme's record forms, built from the field specifications of
//! `crate::input` and read back by the same reader as the command line;
//! the confirmation and join forms. Problems come back next to their
//! fields.

use super::form::{Field, Form, FormKind, Input, Opt};
use super::{App, Overlay, Screen, Unsaved, action::Action};
use crate::domain::lists::{self, Query};
use crate::domain::*;
use crate::i18n::{self, Lang, label};
use crate::input::fields::Default as Given;
use crate::input::records::{inspection, kindergarten, pairing, terms, visit};
use crate::input::{Bad, Context, FieldSpec, Kind, Pick, Raw, Why};
use crate::tr;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

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

pub(super) fn kindergarten_opts(m: &Model) -> Vec<Opt> {
    lists::kindergartens(m, &Query::all())
        .iter()
        .map(|k| Opt::new(k.id.as_str(), k.name.clone()))
        .collect()
}

/// "helper -> helped (2024)": ASCII arrow, since arrows take two columns in
/// many Chinese terminals.
pub fn pairing_label(m: &Model, lang: Lang, p: &Pairing) -> String {
    format!(
        "{} -> {} ({})",
        crate::present::names(m, &p.helpers, lang),
        crate::present::names(m, &p.helped, lang),
        p.cohort
    )
}

fn pairing_opts(m: &Model, lang: Lang) -> Vec<Opt> {
    lists::pairings(m, &Query::all())
        .iter()
        .map(|p| Opt::new(p.id.as_str(), pairing_label(m, lang, p)))
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
        _ => String::new(),
    }
}

/// A form field for a field specification, showing `raw`.
fn field(f: &'static FieldSpec, raw: &Raw, cx: &Context<'_>) -> Field {
    let lang = cx.lang;
    let label = i18n::field(lang, f.key);
    let text = shown(f, raw, cx);
    match f.kind {
        Kind::Line | Kind::Count | Kind::Date | Kind::Year | Kind::People => {
            let line = Field::line(f.key, label, &text);
            match f.default {
                Given::Derived(key) => line.hinted(i18n::text(lang, key)),
                _ => line,
            }
        }
        Kind::Note => Field::note(f.key, label, &text),
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
            Field::choice(f.key, label, opts, raw.one(f.key).unwrap_or(""))
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
type SavedAt = (Screen, Id, Entity);

impl App {
    /// What forms read typed text against.
    fn input(&self) -> Option<Context<'_>> {
        Some(Context {
            model: self.model()?,
            lang: self.lang,
            today: self.today(),
            person: &self.options.person,
        })
    }

    /// The pairing a new visit is most likely for: the one whose visits
    /// are shown, or that of the selected visit.
    fn likely_pairing(&self) -> Option<Id> {
        let m = self.model()?;
        self.visit_pairing.clone().or_else(|| {
            self.visits
                .selected_id()
                .and_then(|v| m.visit(v))
                .map(|v| v.pairing_id.clone())
        })
    }

    /// `a`: a new record of the screen's kind.
    pub(super) fn open_add(&mut self) {
        let lang = self.lang;
        let likely = self.likely_pairing();
        let Some(cx) = self.input() else { return };
        let blank = Raw::new();
        let form = match self.screen {
            Screen::Sync => return self.open_invite_form(),
            Screen::Reports => return self.open_report_form(),
            Screen::Kindergartens | Screen::Dashboard => spec_form(
                FormKind::NewKindergarten,
                tr!(lang, "form.new_kindergarten"),
                kindergarten::FIELDS,
                &blank,
                &cx,
            ),
            Screen::Pairings => spec_form(
                FormKind::NewPairing,
                tr!(lang, "form.new_pairing"),
                pairing::fields(),
                &blank,
                &cx,
            ),
            Screen::Visits => {
                let mut raw = Raw::new();
                if let Some(p) = likely {
                    raw.put(visit::PAIRING.key, p.as_str());
                }
                spec_form(
                    FormKind::NewVisit,
                    tr!(lang, "form.new_visit"),
                    visit::FIELDS,
                    &raw,
                    &cx,
                )
            }
            Screen::Inspections => spec_form(
                FormKind::NewInspection,
                tr!(lang, "form.new_inspection"),
                inspection::FIELDS,
                &blank,
                &cx,
            ),
        };
        if self.screen == Screen::Dashboard {
            self.screen = Screen::Kindergartens;
        }
        self.overlay = Some(Overlay::Form(Box::new(form)));
    }

    /// `e` (or Enter on a kindergarten, a visit, an inspection): edit the
    /// selected record.
    pub(super) fn open_edit(&mut self) {
        let lang = self.lang;
        let Some(cx) = self.input() else { return };
        let m = cx.model;
        let form = match self.screen {
            Screen::Reports => return self.open_report_form(),
            Screen::Kindergartens => {
                let Some(k) = self
                    .kindergartens
                    .selected_id()
                    .and_then(|id| m.kindergarten(id))
                else {
                    return;
                };
                spec_form(
                    FormKind::EditKindergarten(k.id.clone()),
                    tr!(lang, "form.edit_kindergarten"),
                    kindergarten::FIELDS,
                    &kindergarten::raw_of(k),
                    &cx,
                )
            }
            Screen::Pairings => {
                let Some(p) = self.pairings.selected_id().and_then(|id| m.pairing(id)) else {
                    return;
                };
                if p.agreement.status == AgreementStatus::Filed {
                    let filed = Problem {
                        field: "status",
                        kind: ProblemKind::AgreementFiled,
                    };
                    self.message = Some(i18n::problem(lang, &filed));
                    return;
                }
                spec_form(
                    FormKind::EditAgreement(p.id.clone()),
                    tr!(
                        lang,
                        "form.edit_agreement",
                        pairing = pairing_label(m, lang, p)
                    ),
                    terms::FIELDS,
                    &terms::raw_of(&p.agreement),
                    &cx,
                )
            }
            Screen::Visits => {
                let Some(v) = self.visits.selected_id().and_then(|id| m.visit(id)) else {
                    return;
                };
                spec_form(
                    FormKind::EditVisit(v.id.clone()),
                    tr!(lang, "form.edit_visit"),
                    visit::FIELDS,
                    &visit::raw_of(v),
                    &cx,
                )
            }
            Screen::Inspections => {
                let Some(i) = self
                    .inspections
                    .selected_id()
                    .and_then(|id| m.inspection(id))
                else {
                    return;
                };
                spec_form(
                    FormKind::EditInspection(i.id.clone()),
                    tr!(lang, "form.edit_inspection"),
                    inspection::FIELDS,
                    &inspection::raw_of(i),
                    &cx,
                )
            }
            Screen::Dashboard | Screen::Sync => return,
        };
        self.overlay = Some(Overlay::Form(Box::new(form)));
    }

    /// `c` on a pairing: which bureau confirms.
    pub(super) fn open_confirm(&mut self, id: &Id) {
        let lang = self.lang;
        let person = self.options.person.clone();
        let today = self.today().to_string();
        let Some(m) = self.model() else { return };
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
                pairing = pairing_label(m, lang, p)
            ),
            vec![
                Field::choice("district", f(lang, "district"), districts, &first),
                Field::line("by", f(lang, "by"), &person),
                Field::line("date", f(lang, "date"), &today),
            ],
        );
        self.overlay = Some(Overlay::Form(Box::new(form)));
    }

    pub(super) fn form_key(&mut self, k: KeyEvent) {
        let Some(Overlay::Form(form)) = &mut self.overlay else {
            return;
        };
        let in_note = matches!(
            form.fields.get(form.focus).map(|f| &f.input),
            Some(Input::Note(_))
        );
        let arrow = matches!(k.code, KeyCode::Up | KeyCode::Down);
        match self.keymap.form_action(&k) {
            Some(Action::Save) => self.submit_form(),
            Some(Action::Back) => self.overlay = None,
            Some(Action::Quit) => self.quit = true,
            Some(Action::NextField) if !(in_note && arrow) => form.next_field(),
            Some(Action::PrevField) if !(in_note && arrow) => form.prev_field(),
            _ => {
                let focus_key = form.fields.get(form.focus).map(|f| f.key);
                let changed = form.key(k);
                let visit_form = matches!(form.kind, FormKind::NewVisit | FormKind::EditVisit(_));
                if changed && focus_key == Some(visit::PAIRING.key) && visit_form {
                    // The places follow the pairing chosen.
                    let chosen = form.choice(visit::PAIRING.key);
                    if let Some(m) = self.ws.as_ref().map(|w| w.model()) {
                        let mut places = vec![lead_opt(self.lang, visit::PLACE.default)];
                        places.extend(member_opts(m, &chosen));
                        if let Some(Overlay::Form(form)) = &mut self.overlay {
                            form.set_options(visit::PLACE.key, places);
                        }
                    }
                }
            }
        }
    }

    /// Ctrl-S: turns the form into a record and saves it; on any problem the
    /// form stays open with what was typed and the problem by its field.
    pub(super) fn submit_form(&mut self) {
        let Some(Overlay::Form(mut form)) = self.overlay.take() else {
            return;
        };
        form.clear_errors();
        let outcome = self.save_form(&mut form);
        match outcome {
            Ok(Some((screen, id, what))) => {
                self.message = Some(tr!(
                    self.lang,
                    "cli.saved",
                    what = i18n::entity(self.lang, what),
                    id = id.short(),
                    detail = ""
                ));
                self.screen = screen;
                let cap = self.capacity();
                if let Some(l) = self.list_mut(screen)
                    && let Some(i) = l.rows.iter().position(|x| *x == id)
                {
                    l.selected = i;
                    l.clamp(cap);
                }
            }
            Ok(None) => {}
            Err(why) => {
                let lang = self.lang;
                match why {
                    Unsaved::Refused(problems) => {
                        for p in problems {
                            let msg = i18n::problem_message(lang, &p);
                            if !form.set_error(p.field, msg.clone()) && form.message.is_none() {
                                form.message = Some(i18n::problem(lang, &p));
                            }
                        }
                    }
                    Unsaved::Shown | Unsaved::NoWorkspace => {}
                    Unsaved::Failed(said) => form.message = Some(said),
                }
                form.focus_first_error();
                self.overlay = Some(Overlay::Form(form));
            }
        }
    }

    /// Checks the invite and starts joining in the background; a bad
    /// invite keeps the form open with the reason by the field.
    fn start_join(&mut self, form: &mut Form) -> Result<Option<SavedAt>, Unsaved> {
        let lang = self.lang;
        let ticket = form.text("ticket").split_whitespace().collect::<String>();
        if let Err(e) = crate::sync::ticket::Invite::verify(&ticket) {
            form.set_error("ticket", i18n::text(lang, &format!("invite.{}", e.code())));
            return Err(Unsaved::Shown);
        }
        let name = Some(form.text("name"))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| self.options.person.clone());
        self.joining = Some(super::Joining::start(
            self.data_dir.clone(),
            ticket,
            name,
            self.options.clone(),
            lang,
            self.lan_discovery,
        ));
        self.message = Some(tr!(lang, "tui.joining"));
        Ok(None)
    }

    /// Saves a form; returns where the record is shown, its id and kind
    /// (`None` when nothing is shown: a join starts, a report is saved).
    fn save_form(&mut self, form: &mut Form) -> Result<Option<SavedAt>, Unsaved> {
        match form.kind.clone() {
            FormKind::Join => self.start_join(form),
            FormKind::Invite => self.save_invite_form(form).map(|()| None),
            FormKind::ReportSections(key) => self.save_report_form(form, &key).map(|()| None),
            FormKind::ReturnReport(key) => self.save_return_form(form, &key).map(|()| None),
            FormKind::ConfirmAgreement(id) => self.save_confirmation(form, id),
            kind => self.save_record(form, kind),
        }
    }

    /// Reads a record form with `read`; a field that cannot be read is
    /// shown by its field.
    fn read_form<T>(
        &self,
        form: &mut Form,
        read: impl FnOnce(&Raw, Context<'_>) -> Result<T, Vec<Bad>>,
    ) -> Option<T> {
        let cx = self.input()?;
        match read(&typed(form), cx) {
            Ok(d) => Some(d),
            Err(bad) => {
                show_bad(self.lang, form, bad);
                None
            }
        }
    }

    /// A record form: read into a draft, then checked and saved.
    fn save_record(&mut self, form: &mut Form, kind: FormKind) -> Result<Option<SavedAt>, Unsaved> {
        macro_rules! read {
            ($read:path) => {
                match self.read_form(form, $read) {
                    Some(d) => d,
                    None => return Err(Unsaved::Shown),
                }
            };
        }
        let saved = match kind {
            FormKind::NewKindergarten => {
                let d = read!(kindergarten::read);
                (
                    Screen::Kindergartens,
                    self.write(|w| w.add_kindergarten(d))?,
                    Entity::Kindergarten,
                )
            }
            FormKind::EditKindergarten(id) => {
                let d = read!(kindergarten::read);
                self.write(|w| w.edit_kindergarten(&id, d))?;
                (Screen::Kindergartens, id, Entity::Kindergarten)
            }
            FormKind::NewPairing => {
                let d = read!(pairing::read);
                (
                    Screen::Pairings,
                    self.write(|w| w.add_pairing(d))?,
                    Entity::Pairing,
                )
            }
            FormKind::EditAgreement(id) => {
                let d = read!(terms::read);
                if self.write(|w| w.edit_agreement(&id, d))? {
                    self.message = Some(tr!(self.lang, "pairing.back_to_draft"));
                }
                (Screen::Pairings, id, Entity::Pairing)
            }
            FormKind::NewVisit => {
                let d = read!(visit::read);
                (
                    Screen::Visits,
                    self.write(|w| w.add_visit(d))?,
                    Entity::Visit,
                )
            }
            FormKind::EditVisit(id) => {
                let d = read!(visit::read);
                self.write(|w| w.edit_visit(&id, d))?;
                (Screen::Visits, id, Entity::Visit)
            }
            FormKind::NewInspection => {
                let d = read!(inspection::read);
                (
                    Screen::Inspections,
                    self.write(|w| w.add_inspection(d))?,
                    Entity::Inspection,
                )
            }
            FormKind::EditInspection(id) => {
                let d = read!(inspection::read);
                self.write(|w| w.edit_inspection(&id, d))?;
                (Screen::Inspections, id, Entity::Inspection)
            }
            _ => return Ok(None),
        };
        Ok(Some(saved))
    }

    /// A bureau's confirmation of an agreement.
    fn save_confirmation(&mut self, form: &mut Form, id: Id) -> Result<Option<SavedAt>, Unsaved> {
        let lang = self.lang;
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
        self.write(|w| w.confirm(&id, &district, stamp))?;
        Ok(Some((Screen::Pairings, id, Entity::Pairing)))
    }
}

/// The first-run form: an invite and the name others will see.
pub(super) fn join_form(lang: Lang, person: &str) -> Form {
    Form::new(
        FormKind::Join,
        tr!(lang, "form.join"),
        vec![
            Field::line("ticket", i18n::field(lang, "invite"), ""),
            Field::line("name", i18n::field(lang, "member_name"), person),
        ],
    )
}

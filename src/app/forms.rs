//! The programme's forms: which fields each has, and how a filled form
//! becomes a record. Problems come back next to their fields.

use super::form::{Field, Form, FormKind, Input, Opt};
use super::{App, Overlay, Screen, action::Action};
use crate::domain::*;
use crate::i18n::{self, Lang, label};
use crate::input as parse;
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

fn code_strings<C: Code>(items: &[C]) -> Vec<String> {
    items.iter().map(|c| c.code().to_string()).collect()
}

fn district_opts(m: &Model) -> Vec<Opt> {
    m.districts_in_order()
        .iter()
        .map(|d| Opt::new(d.id.as_str(), d.name.clone()))
        .collect()
}

fn kindergarten_opts(m: &Model) -> Vec<Opt> {
    let pos = |d: &Id| m.district(d).map_or(i64::MAX, |x| x.position);
    let mut ks: Vec<&Kindergarten> = m.kindergartens().collect();
    ks.sort_by(|a, b| {
        (pos(&a.district_id), &a.town, &a.name).cmp(&(pos(&b.district_id), &b.town, &b.name))
    });
    ks.iter()
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
    let mut ps: Vec<&Pairing> = m.pairings().collect();
    ps.sort_by(|a, b| {
        (a.cohort, &a.agreement.start, &a.id).cmp(&(b.cohort, &b.agreement.start, &b.id))
    });
    ps.iter()
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

fn none_opt(lang: Lang) -> Opt {
    Opt::new("", tr!(lang, "common.none"))
}

fn kindergarten_form(lang: Lang, m: &Model, kind: FormKind, k: Option<&Kindergarten>) -> Form {
    let text = |s: Option<&str>| s.unwrap_or("").to_string();
    let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let title = tr!(
        lang,
        if k.is_some() {
            "form.edit_kindergarten"
        } else {
            "form.new_kindergarten"
        }
    );
    let district = k.map(|k| k.district_id.to_string()).unwrap_or_default();
    Form::new(
        kind,
        title,
        vec![
            Field::line("name", f(lang, "name"), &text(k.map(|k| k.name.as_str()))),
            Field::choice("district", f(lang, "district"), district_opts(m), &district),
            Field::line("town", f(lang, "town"), &text(k.map(|k| k.town.as_str()))),
            Field::line(
                "village",
                f(lang, "village"),
                &text(k.map(|k| k.village.as_str())),
            ),
            Field::choice(
                "ownership",
                f(lang, "ownership"),
                codes::<Ownership>(lang),
                k.map_or("public", |k| k.ownership.code()),
            ),
            Field::choice(
                "category",
                f(lang, "category"),
                codes::<Category>(lang),
                k.map_or("village", |k| k.category.code()),
            ),
            Field::line("stars", f(lang, "stars"), &num(k.and_then(|k| k.stars))),
            Field::toggle("rural", f(lang, "rural"), k.is_none_or(|k| k.rural)),
            Field::line("children", f(lang, "children"), &num(k.map(|k| k.children))),
            Field::line("teachers", f(lang, "teachers"), &num(k.map(|k| k.teachers))),
            Field::line(
                "contact",
                f(lang, "contact"),
                &text(k.map(|k| k.contact.as_str())),
            ),
            Field::line(
                "phone",
                f(lang, "phone"),
                &text(k.map(|k| k.phone.as_str())),
            ),
        ],
    )
}

fn agreement_fields(lang: Lang, a: Option<&Agreement>, default_start: &str) -> Vec<Field> {
    let start = a
        .map(|a| a.start.to_string())
        .unwrap_or_else(|| default_start.to_string());
    let end = a.map(|a| a.end.to_string()).unwrap_or_default();
    vec![
        Field::line("start", f(lang, "start"), &start),
        Field::line("end", f(lang, "end"), &end),
        Field::multi(
            "forms",
            f(lang, "forms"),
            codes::<Form_>(lang),
            &a.map(|a| code_strings(&a.forms)).unwrap_or_default(),
        ),
        Field::multi(
            "tasks",
            f(lang, "tasks"),
            codes::<Task>(lang),
            &a.map(|a| code_strings(&a.tasks)).unwrap_or_default(),
        ),
        Field::line(
            "fees",
            f(lang, "fees"),
            &a.map_or("0".to_string(), |a| a.fees.to_string()),
        ),
        Field::note(
            "goals",
            f(lang, "goals"),
            a.map_or("", |a| a.goals.as_str()),
        ),
        Field::note(
            "rights",
            f(lang, "rights"),
            a.map_or("", |a| a.rights.as_str()),
        ),
        Field::note(
            "schedule",
            f(lang, "schedule"),
            a.map_or("", |a| a.schedule.as_str()),
        ),
    ]
}

use crate::domain::Form as Form_;

impl App {
    /// `a`: a new record of the screen's kind.
    pub(super) fn open_add(&mut self) {
        let lang = self.lang;
        let today = self.today();
        let year = self.year;
        let Some(m) = self.model() else { return };
        let form = match self.screen {
            Screen::Sync => return self.open_invite_form(),
            Screen::Reports => return self.open_report_form(),
            Screen::Kindergartens | Screen::Dashboard => {
                kindergarten_form(lang, m, FormKind::NewKindergarten, None)
            }
            Screen::Pairings => {
                let kgs = kindergarten_opts(m);
                let mut fields = vec![
                    Field::multi("helpers", f(lang, "helpers"), kgs.clone(), &[]),
                    Field::multi("helped", f(lang, "helped"), kgs, &[]),
                    Field::choice("mode", f(lang, "mode"), codes::<Mode>(lang), "town"),
                    Field::line("cohort", f(lang, "cohort"), &year.to_string()),
                ];
                fields.extend(agreement_fields(lang, None, &today.to_string()));
                Form::new(FormKind::NewPairing, tr!(lang, "form.new_pairing"), fields)
            }
            Screen::Visits => {
                let pairings = pairing_opts(m, lang);
                let chosen = self
                    .visit_pairing
                    .clone()
                    .or_else(|| {
                        self.visits
                            .selected_id()
                            .and_then(|v| m.visit(v))
                            .map(|v| v.pairing_id.clone())
                    })
                    .map(|p| p.to_string())
                    .or_else(|| pairings.first().map(|o| o.value.clone()))
                    .unwrap_or_default();
                let places = member_opts(m, &chosen);
                let first_helped = Id::parse(&chosen)
                    .and_then(|p| m.pairing(&p))
                    .and_then(|p| p.helped.first())
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                Form::new(
                    FormKind::NewVisit,
                    tr!(lang, "form.new_visit"),
                    vec![
                        Field::choice("pairing", f(lang, "pairing"), pairings, &chosen),
                        Field::line("date", f(lang, "date"), &today.to_string()),
                        Field::choice(
                            "form",
                            f(lang, "form"),
                            codes::<Form_>(lang),
                            "send_teachers",
                        ),
                        Field::multi("tasks", f(lang, "tasks"), codes::<Task>(lang), &[]),
                        Field::choice("place", f(lang, "place"), places, &first_helped),
                        Field::line("participants", f(lang, "participants"), ""),
                        Field::line("teachers_reached", f(lang, "teachers_reached"), "0"),
                        Field::line("children_reached", f(lang, "children_reached"), "0"),
                        Field::line("toys", f(lang, "toys"), "0"),
                        Field::line("play_materials", f(lang, "play_materials"), "0"),
                        Field::line("picture_books", f(lang, "picture_books"), "0"),
                        Field::note("note", f(lang, "note"), ""),
                        Field::line("follow_up", f(lang, "follow_up"), ""),
                    ],
                )
            }
            Screen::Inspections => {
                let mut pairings = vec![none_opt(lang)];
                pairings.extend(pairing_opts(m, lang));
                let mut kgs = vec![none_opt(lang)];
                kgs.extend(kindergarten_opts(m));
                let person = self.options.person.clone();
                Form::new(
                    FormKind::NewInspection,
                    tr!(lang, "form.new_inspection"),
                    vec![
                        Field::choice("pairing", f(lang, "pairing"), pairings, ""),
                        Field::choice("kindergarten", f(lang, "kindergarten"), kgs, ""),
                        Field::line("date", f(lang, "date"), &today.to_string()),
                        Field::line("inspector", f(lang, "inspector"), &person),
                        Field::choice(
                            "philosophy",
                            label(lang, Area::Philosophy),
                            score_opts(),
                            "3",
                        ),
                        Field::choice(
                            "care_education",
                            label(lang, Area::CareEducation),
                            score_opts(),
                            "3",
                        ),
                        Field::choice(
                            "environment",
                            label(lang, Area::Environment),
                            score_opts(),
                            "3",
                        ),
                        Field::choice(
                            "management",
                            label(lang, Area::Management),
                            score_opts(),
                            "3",
                        ),
                        Field::note("findings", f(lang, "findings"), ""),
                        Field::note("guidance", f(lang, "guidance"), ""),
                        Field::line("follow_up_due", f(lang, "follow_up_due"), ""),
                    ],
                )
            }
        };
        if self.screen == Screen::Dashboard {
            self.screen = Screen::Kindergartens;
        }
        self.overlay = Some(Overlay::Form(Box::new(form)));
    }

    /// `e` (or Enter on a kindergarten): edit the selected record.
    pub(super) fn open_edit(&mut self) {
        let lang = self.lang;
        let Some(m) = self.model() else { return };
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
                kindergarten_form(lang, m, FormKind::EditKindergarten(k.id.clone()), Some(k))
            }
            Screen::Pairings => {
                let Some(p) = self.pairings.selected_id().and_then(|id| m.pairing(id)) else {
                    return;
                };
                if p.agreement.status == AgreementStatus::Filed {
                    self.message = Some(i18n::problem(
                        lang,
                        &Problem {
                            field: "status",
                            kind: ProblemKind::AgreementFiled,
                        },
                    ));
                    return;
                }
                Form::new(
                    FormKind::EditAgreement(p.id.clone()),
                    tr!(
                        lang,
                        "form.edit_agreement",
                        pairing = pairing_label(m, lang, p)
                    ),
                    agreement_fields(lang, Some(&p.agreement), ""),
                )
            }
            _ => return,
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
                if changed && focus_key == Some("pairing") && form.kind == FormKind::NewVisit {
                    let chosen = form.choice("pairing");
                    if let Some(m) = self.ws.as_ref().map(|w| w.model()) {
                        let places = member_opts(m, &chosen);
                        if let Some(Overlay::Form(form)) = &mut self.overlay {
                            form.set_options("place", places);
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
            Err(problems) => {
                let lang = self.lang;
                for p in problems {
                    let msg = i18n::problem_message(lang, &p);
                    if !form.set_error(p.field, msg.clone()) && form.message.is_none() {
                        form.message = Some(i18n::problem(lang, &p));
                    }
                }
                if form.message.is_none() && !form.fields.iter().any(|f| f.error.is_some()) {
                    // A store failure: the status bar says what.
                    form.message = match &self.save {
                        super::SaveState::Failed(m) => Some(m.clone()),
                        _ => None,
                    };
                }
                form.focus_first_error();
                self.overlay = Some(Overlay::Form(form));
            }
        }
    }

    /// Checks the invite and starts joining in the background; a bad
    /// invite keeps the form open with the reason by the field.
    fn start_join(
        &mut self,
        form: &mut Form,
    ) -> Result<Option<(Screen, Id, Entity)>, Vec<Problem>> {
        let lang = self.lang;
        let ticket = form.text("ticket").split_whitespace().collect::<String>();
        if let Err(e) = crate::sync::ticket::Invite::verify(&ticket) {
            form.set_error("ticket", i18n::text(lang, &format!("invite.{}", e.code())));
            return Err(Vec::new());
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

    /// Builds and saves; returns where the record is shown, its id and kind.
    #[allow(clippy::type_complexity)]
    fn save_form(&mut self, form: &mut Form) -> Result<Option<(Screen, Id, Entity)>, Vec<Problem>> {
        let lang = self.lang;
        if form.kind == FormKind::Join {
            return self.start_join(form);
        }
        let Some(m) = self.model() else {
            return Ok(None);
        };
        // Typed values first: each bad one is shown by its field.
        let mut bad = false;
        macro_rules! typed {
            ($key:expr, $e:expr) => {
                match $e {
                    Ok(v) => Some(v),
                    Err(msg) => {
                        form.set_error($key, msg);
                        bad = true;
                        None
                    }
                }
            };
        }
        let int = |form: &Form, key: &str| -> Result<i64, String> {
            let t = form.text(key);
            if t.is_empty() {
                Ok(0)
            } else {
                parse::int(lang, key, &t)
            }
        };
        let opt_id = |form: &Form, key: &str| Id::parse(&form.choice(key));
        match form.kind.clone() {
            FormKind::NewKindergarten | FormKind::EditKindergarten(_) => {
                let stars = typed!("stars", int(form, "stars"));
                let children = typed!("children", int(form, "children"));
                let teachers = typed!("teachers", int(form, "teachers"));
                let district = opt_id(form, "district");
                if bad {
                    return Err(Vec::new());
                }
                let (Some(stars), Some(children), Some(teachers)) = (stars, children, teachers)
                else {
                    return Err(Vec::new());
                };
                let editing = match &form.kind {
                    FormKind::EditKindergarten(id) => Some(id.clone()),
                    _ => None,
                };
                let k = Kindergarten {
                    id: editing
                        .clone()
                        .unwrap_or_else(|| Id::from_random_bytes([0; 16])),
                    name: form.text("name"),
                    district_id: district.unwrap_or_else(|| Id::from_random_bytes([0; 16])),
                    town: form.text("town"),
                    village: form.text("village"),
                    ownership: Ownership::from_code(&form.choice("ownership"))
                        .unwrap_or(Ownership::Public),
                    category: Category::from_code(&form.choice("category"))
                        .unwrap_or(Category::Village),
                    stars: (stars != 0).then_some(stars),
                    rural: form.toggle("rural"),
                    children,
                    teachers,
                    contact: form.text("contact"),
                    phone: form.text("phone"),
                };
                let id = self.write(|w| {
                    let mut k = k;
                    if editing.is_none() {
                        k.id = w.new_id();
                    }
                    w.put_kindergarten(k)
                })?;
                Ok(Some((Screen::Kindergartens, id, Entity::Kindergarten)))
            }
            FormKind::NewPairing | FormKind::EditAgreement(_) => {
                let start = typed!("start", parse::date(lang, "start", &form.text("start")));
                let end = typed!("end", parse::date(lang, "end", &form.text("end")));
                let fees = typed!("fees", int(form, "fees"));
                let cohort = match form.kind {
                    FormKind::NewPairing => {
                        typed!("cohort", parse::year(lang, &form.text("cohort")))
                    }
                    _ => Some(0),
                };
                if bad {
                    return Err(Vec::new());
                }
                let (Some(start), Some(end), Some(fees), Some(cohort)) = (start, end, fees, cohort)
                else {
                    return Err(Vec::new());
                };
                let agreement = Agreement {
                    status: AgreementStatus::Draft,
                    start,
                    end,
                    forms: form
                        .multi("forms")
                        .iter()
                        .filter_map(|c| Form_::from_code(c))
                        .collect(),
                    tasks: form
                        .multi("tasks")
                        .iter()
                        .filter_map(|c| Task::from_code(c))
                        .collect(),
                    goals: form.text("goals"),
                    rights: form.text("rights"),
                    schedule: form.text("schedule"),
                    fees,
                    signed: None,
                    confirmations: Vec::new(),
                    filed: None,
                };
                if let FormKind::EditAgreement(id) = &form.kind {
                    let id = id.clone();
                    let unsigned = self.write(|w| w.edit_agreement(&id, agreement))?;
                    if unsigned {
                        self.message = Some(tr!(lang, "pairing.back_to_draft"));
                    }
                    return Ok(Some((Screen::Pairings, id, Entity::Pairing)));
                }
                let ids = |key: &str| {
                    form.multi(key)
                        .iter()
                        .filter_map(|s| Id::parse(s))
                        .collect::<Vec<_>>()
                };
                let helped = ids("helped");
                let p = Pairing {
                    id: Id::from_random_bytes([0; 16]),
                    district_id: helped
                        .first()
                        .and_then(|h| m.kindergarten(h))
                        .map(|k| k.district_id.clone())
                        .unwrap_or_else(|| Id::from_random_bytes([0; 16])),
                    helpers: ids("helpers"),
                    helped,
                    cohort,
                    mode: Mode::from_code(&form.choice("mode")).unwrap_or(Mode::Town),
                    agreement,
                };
                let id = self.write(|w| {
                    let id = w.new_id();
                    w.add_pairing(Pairing { id, ..p })
                })?;
                Ok(Some((Screen::Pairings, id, Entity::Pairing)))
            }
            FormKind::ConfirmAgreement(id) => {
                let date = typed!("date", parse::date(lang, "date", &form.text("date")));
                let Some(district) = opt_id(form, "district") else {
                    form.set_error("district", tr!(lang, "problem.required"));
                    return Err(Vec::new());
                };
                let (false, Some(date)) = (bad, date) else {
                    return Err(Vec::new());
                };
                let stamp = Stamp {
                    by: form.text("by"),
                    on: date,
                };
                self.write(|w| w.confirm(&id, &district, stamp))?;
                Ok(Some((Screen::Pairings, id, Entity::Pairing)))
            }
            FormKind::NewVisit => {
                let date = typed!("date", parse::date(lang, "date", &form.text("date")));
                let counts: Vec<Option<i64>> = [
                    "teachers_reached",
                    "children_reached",
                    "toys",
                    "play_materials",
                    "picture_books",
                ]
                .iter()
                .map(|k| typed!(*k, int(form, k)))
                .collect();
                let participants: Option<Vec<Participant>> = typed!(
                    "participants",
                    parse::split_list(&[form.text("participants")])
                        .iter()
                        .map(|p| parse::participant(lang, p))
                        .collect::<Result<Vec<_>, String>>()
                );
                let Some(pairing_id) = opt_id(form, "pairing") else {
                    form.set_error("pairing", tr!(lang, "problem.required"));
                    return Err(Vec::new());
                };
                if bad {
                    return Err(Vec::new());
                }
                let (Some(date), Some(participants)) = (date, participants) else {
                    return Err(Vec::new());
                };
                let n = |i: usize| counts.get(i).copied().flatten().unwrap_or(0);
                let v = Visit {
                    id: Id::from_random_bytes([0; 16]),
                    pairing_id,
                    district_id: Id::from_random_bytes([0; 16]),
                    date,
                    form: Form_::from_code(&form.choice("form")).unwrap_or(Form_::SendTeachers),
                    tasks: form
                        .multi("tasks")
                        .iter()
                        .filter_map(|c| Task::from_code(c))
                        .collect(),
                    place_id: opt_id(form, "place"),
                    participants,
                    teachers_reached: n(0),
                    children_reached: n(1),
                    materials: Materials {
                        toys: n(2),
                        play_materials: n(3),
                        picture_books: n(4),
                    },
                    note: form.text("note"),
                    follow_up: form.text("follow_up"),
                    confirmed: None,
                };
                let id = self.write(|w| {
                    let id = w.new_id();
                    w.put_visit(Visit { id, ..v })
                })?;
                Ok(Some((Screen::Visits, id, Entity::Visit)))
            }
            FormKind::Join => Ok(None),
            FormKind::Invite => self.save_invite_form(form).map(|()| None),
            FormKind::ReportSections(key) => self.save_report_form(form, &key).map(|()| None),
            FormKind::ReturnReport(key) => self.save_return_form(form, &key).map(|()| None),
            FormKind::NewInspection => {
                let date = typed!("date", parse::date(lang, "date", &form.text("date")));
                let due_text = form.text("follow_up_due");
                let due = if due_text.is_empty() {
                    Some(None)
                } else {
                    typed!(
                        "follow_up_due",
                        parse::date(lang, "follow_up_due", &due_text).map(Some)
                    )
                };
                if bad {
                    return Err(Vec::new());
                }
                let (Some(date), Some(due)) = (date, due) else {
                    return Err(Vec::new());
                };
                let score = |k: &str| form.choice(k).parse().unwrap_or(0);
                let i = Inspection {
                    id: Id::from_random_bytes([0; 16]),
                    district_id: Id::from_random_bytes([0; 16]),
                    pairing_id: opt_id(form, "pairing"),
                    kindergarten_id: opt_id(form, "kindergarten"),
                    date,
                    inspector: form.text("inspector"),
                    scores: Scores {
                        philosophy: score("philosophy"),
                        care_education: score("care_education"),
                        environment: score("environment"),
                        management: score("management"),
                    },
                    findings: form.text("findings"),
                    guidance: form.text("guidance"),
                    follow_up_due: due,
                };
                let id = self.write(|w| {
                    let id = w.new_id();
                    w.put_inspection(Inspection { id, ..i })
                })?;
                Ok(Some((Screen::Inspections, id, Entity::Inspection)))
            }
        }
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

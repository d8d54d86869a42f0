//! Each record kind as JSON, as `label: value` lines, and its list's
//! columns ([`View`]).

use super::*;

fn stamp_json(s: &Option<Stamp>) -> Value {
    match s {
        Some(s) => json!({"by": s.by, "on": s.on.to_string()}),
        None => Value::Null,
    }
}

fn stamp_text(lang: Lang, s: &Option<Stamp>) -> String {
    match s {
        Some(s) => format!("{} {}", s.by, s.on),
        None => tr!(lang, "common.none"),
    }
}

// ---------- kindergartens ----------

fn kindergarten_json(model: &Model, k: &Kindergarten) -> Value {
    json!({
        "id": k.id,
        "name": k.name,
        "district": model.district_name(&k.district_id),
        "district_id": k.district_id,
        "town": k.town,
        "village": k.village,
        "ownership": k.ownership,
        "category": k.category,
        "stars": k.stars,
        "rural": k.rural,
        "children": k.children,
        "teachers": k.teachers,
        "contact": k.contact,
        "phone": k.phone,
    })
}

fn kindergarten_fields(lang: Lang, model: &Model, k: &Kindergarten) -> Vec<(String, String)> {
    let f = |n: &str| i18n::field(lang, n);
    vec![
        (f("id"), k.id.to_string()),
        (f("name"), k.name.clone()),
        (f("district"), model.district_name(&k.district_id)),
        (f("town"), k.town.clone()),
        (f("village"), k.village.clone()),
        (f("ownership"), label(lang, k.ownership)),
        (f("category"), label(lang, k.category)),
        (
            f("stars"),
            k.stars.map(|s| s.to_string()).unwrap_or_default(),
        ),
        (f("rural"), yes_no(lang, k.rural)),
        (f("children"), k.children.to_string()),
        (f("teachers"), k.teachers.to_string()),
        (f("contact"), k.contact.clone()),
        (f("phone"), k.phone.clone()),
    ]
}

// ---------- pairings ----------

fn pairing_json(model: &Model, p: &Pairing) -> Value {
    let a = &p.agreement;
    let confirmations: Vec<Value> = a
        .confirmations
        .iter()
        .map(|c| {
            json!({
                "district": model.district_name(&c.district_id),
                "district_id": c.district_id,
                "by": c.by,
                "on": c.on.to_string(),
            })
        })
        .collect();
    json!({
        "id": p.id,
        "district": model.district_name(&p.district_id),
        "district_id": p.district_id,
        "helpers": p.helpers,
        "helper_names": p.helpers.iter().map(|h| model.kindergarten_name(h)).collect::<Vec<_>>(),
        "helped": p.helped,
        "helped_names": p.helped.iter().map(|h| model.kindergarten_name(h)).collect::<Vec<_>>(),
        "cohort": p.cohort,
        "mode": p.mode,
        "status": a.status,
        "start": a.start.to_string(),
        "end": a.end.to_string(),
        "forms": a.forms,
        "tasks": a.tasks,
        "goals": a.goals,
        "rights": a.rights,
        "schedule": a.schedule,
        "fees": a.fees,
        "signed": stamp_json(&a.signed),
        "confirmations": confirmations,
        "filed": stamp_json(&a.filed),
    })
}

fn pairing_fields(lang: Lang, model: &Model, p: &Pairing) -> Vec<(String, String)> {
    let f = |n: &str| i18n::field(lang, n);
    let a = &p.agreement;
    let confirmations = if a.confirmations.is_empty() {
        tr!(lang, "common.none")
    } else {
        a.confirmations
            .iter()
            .map(|c| format!("{} {} {}", model.district_name(&c.district_id), c.by, c.on))
            .collect::<Vec<_>>()
            .join("\n")
    };
    vec![
        (f("id"), p.id.to_string()),
        (f("district"), model.district_name(&p.district_id)),
        (f("cohort"), p.cohort.to_string()),
        (f("mode"), label(lang, p.mode)),
        (f("helpers"), names(model, &p.helpers, lang)),
        (f("helped"), names(model, &p.helped, lang)),
        (f("status"), label(lang, a.status)),
        (f("start"), a.start.to_string()),
        (f("end"), a.end.to_string()),
        (f("forms"), labels(lang, &a.forms)),
        (f("tasks"), labels(lang, &a.tasks)),
        (f("goals"), a.goals.clone()),
        (f("rights"), a.rights.clone()),
        (f("schedule"), a.schedule.clone()),
        (f("fees"), a.fees.to_string()),
        (f("signed"), stamp_text(lang, &a.signed)),
        (f("confirmations"), confirmations),
        (f("filed"), stamp_text(lang, &a.filed)),
    ]
}

// ---------- visits ----------

fn participant_text(lang: Lang, p: &Participant) -> String {
    let role = i18n::parse_code::<Role>(&p.role)
        .map(|r| label(lang, r))
        .unwrap_or_else(|| p.role.clone());
    format!("{}:{}", p.name, role)
}

fn visit_json(model: &Model, v: &Visit) -> Value {
    json!({
        "id": v.id,
        "pairing_id": v.pairing_id,
        "district": model.district_name(&v.district_id),
        "date": v.date.to_string(),
        "form": v.form,
        "tasks": v.tasks,
        "place_id": v.place_id,
        "place": v.place_id.as_ref().map(|p| model.kindergarten_name(p)),
        "participants": v.participants,
        "teachers_reached": v.teachers_reached,
        "children_reached": v.children_reached,
        "materials": v.materials,
        "note": v.note,
        "follow_up": v.follow_up,
        "confirmed": stamp_json(&v.confirmed),
    })
}

/// A pairing in a record's fields, by its kindergartens' names in words
/// ("甲园 帮扶 乙园（2024）"); its id when it is gone.
fn pairing_sides(lang: Lang, model: &Model, id: &Id) -> String {
    model
        .pairing(id)
        .map(|p| {
            crate::tr!(
                lang,
                "pairing.sides",
                helpers = names(model, &p.helpers, lang),
                helped = names(model, &p.helped, lang),
                cohort = p.cohort
            )
        })
        .unwrap_or_else(|| id.to_string())
}

fn visit_fields(lang: Lang, model: &Model, v: &Visit) -> Vec<(String, String)> {
    let f = |n: &str| i18n::field(lang, n);
    let pairing = pairing_sides(lang, model, &v.pairing_id);
    vec![
        (f("id"), v.id.to_string()),
        (f("pairing"), pairing),
        (f("district"), model.district_name(&v.district_id)),
        (f("date"), v.date.to_string()),
        (f("form"), label(lang, v.form)),
        (f("tasks"), labels(lang, &v.tasks)),
        (
            f("place"),
            v.place_id
                .as_ref()
                .map(|p| model.kindergarten_name(p))
                .unwrap_or_default(),
        ),
        (
            f("participants"),
            v.participants
                .iter()
                .map(|p| participant_text(lang, p))
                .collect::<Vec<_>>()
                .join(lang.sep()),
        ),
        (f("teachers_reached"), v.teachers_reached.to_string()),
        (f("children_reached"), v.children_reached.to_string()),
        (f("toys"), v.materials.toys.to_string()),
        (f("play_materials"), v.materials.play_materials.to_string()),
        (f("picture_books"), v.materials.picture_books.to_string()),
        (f("note"), v.note.clone()),
        (f("follow_up"), v.follow_up.clone()),
        (f("confirmed"), stamp_text(lang, &v.confirmed)),
    ]
}

// ---------- inspections ----------

/// Who was inspected: the kindergarten, or the helped side of the
/// pairing.
fn target_name(model: &Model, lang: Lang, i: &Inspection) -> String {
    match (&i.kindergarten_id, &i.pairing_id) {
        (Some(k), _) => model.kindergarten_name(k),
        (None, Some(p)) => model
            .pairing(p)
            .map(|p| names(model, &p.helped, lang))
            .unwrap_or_else(|| p.short().to_string()),
        (None, None) => String::new(),
    }
}

/// An inspection's average score, as every list and report shows it.
pub fn average(s: &Scores) -> String {
    format!("{:.2}", s.mean())
}

fn inspection_json(model: &Model, i: &Inspection) -> Value {
    json!({
        "id": i.id,
        "district": model.district_name(&i.district_id),
        "pairing_id": i.pairing_id,
        "kindergarten_id": i.kindergarten_id,
        "kindergarten": i.kindergarten_id.as_ref().map(|k| model.kindergarten_name(k)),
        "date": i.date.to_string(),
        "inspector": i.inspector,
        "scores": i.scores,
        "average": i.scores.mean(),
        "findings": i.findings,
        "guidance": i.guidance,
        "follow_up_due": i.follow_up_due.map(|d| d.to_string()),
    })
}

fn inspection_fields(lang: Lang, model: &Model, i: &Inspection) -> Vec<(String, String)> {
    let f = |n: &str| i18n::field(lang, n);
    let mut out = vec![
        (f("id"), i.id.to_string()),
        (f("district"), model.district_name(&i.district_id)),
        (
            f("pairing"),
            i.pairing_id
                .as_ref()
                .map(|p| pairing_sides(lang, model, p))
                .unwrap_or_default(),
        ),
        (
            f("kindergarten"),
            i.kindergarten_id
                .as_ref()
                .map(|k| model.kindergarten_name(k))
                .unwrap_or_default(),
        ),
        (f("date"), i.date.to_string()),
        (f("inspector"), i.inspector.clone()),
    ];
    for area in Area::ALL {
        out.push((label(lang, *area), i.scores.get(*area).to_string()));
    }
    out.extend([
        (f("average"), average(&i.scores)),
        (f("findings"), i.findings.clone()),
        (f("guidance"), i.guidance.clone()),
        (
            f("follow_up_due"),
            i.follow_up_due.map(|d| d.to_string()).unwrap_or_default(),
        ),
    ]);
    out
}

use Width::{Chars, Share};

impl View for Kindergarten {
    const COLUMNS: &'static [Column<Self>] = &[
        Column::new("id", |k, _, _| k.id.short().to_string(), None),
        Column::new("name", |k, _, _| k.name.clone(), Some(Share(3))),
        Column::new(
            "district",
            |k, _, m| m.district_name(&k.district_id),
            Some(Chars(9)),
        ),
        Column::new("town", |k, _, _| k.town.clone(), Some(Chars(9))),
        Column::new("village", |k, _, _| k.village.clone(), None),
        Column::new("ownership", |k, l, _| label(l, k.ownership), None),
        Column::new("category", |k, l, _| label(l, k.category), Some(Chars(11))),
        Column::new(
            "stars",
            |k, _, _| k.stars.map(|s| s.to_string()).unwrap_or_default(),
            Some(Chars(5)),
        ),
        Column::new("rural", |k, l, _| yes_no(l, k.rural), None),
        Column::new("children", |k, _, _| k.children.to_string(), Some(Chars(7))),
        Column::new("teachers", |k, _, _| k.teachers.to_string(), None),
    ];

    fn json(&self, model: &Model) -> Value {
        kindergarten_json(model, self)
    }

    fn fields(&self, lang: Lang, model: &Model) -> Vec<(String, String)> {
        kindergarten_fields(lang, model, self)
    }
}

impl View for Pairing {
    const COLUMNS: &'static [Column<Self>] = &[
        Column::new("id", |p, _, _| p.id.short().to_string(), None),
        Column::new("cohort", |p, _, _| p.cohort.to_string(), Some(Chars(5))),
        Column::new(
            "district",
            |p, _, m| m.district_name(&p.district_id),
            Some(Chars(9)),
        ),
        Column::new("mode", |p, l, _| label(l, p.mode), Some(Chars(11))),
        Column::new("helpers", |p, l, m| names(m, &p.helpers, l), Some(Share(1))),
        Column::new("helped", |p, l, m| names(m, &p.helped, l), Some(Share(1))),
        Column::new(
            "status",
            |p, l, _| label(l, p.agreement.status),
            Some(Chars(7)),
        ),
        Column::new("start", |p, _, _| p.agreement.start.to_string(), None),
        Column::new("end", |p, _, _| p.agreement.end.to_string(), None),
    ];

    fn json(&self, model: &Model) -> Value {
        pairing_json(model, self)
    }

    fn fields(&self, lang: Lang, model: &Model) -> Vec<(String, String)> {
        pairing_fields(lang, model, self)
    }
}

impl View for Visit {
    const COLUMNS: &'static [Column<Self>] = &[
        Column::new("id", |v, _, _| v.id.short().to_string(), None),
        Column::new("date", |v, _, _| v.date.to_string(), Some(Chars(10))),
        Column::new("district", |v, _, m| m.district_name(&v.district_id), None),
        Column::new("pairing", |v, _, _| v.pairing_id.short().to_string(), None),
        Column::new("form", |v, l, _| label(l, v.form), Some(Chars(13))),
        Column::new(
            "place",
            |v, _, m| {
                v.place_id
                    .as_ref()
                    .map(|p| m.kindergarten_name(p))
                    .unwrap_or_default()
            },
            Some(Share(1)),
        ),
        Column::new(
            "teachers_reached",
            |v, _, _| v.teachers_reached.to_string(),
            Some(Chars(5)),
        ),
        Column::new(
            "children_reached",
            |v, _, _| v.children_reached.to_string(),
            None,
        ),
        Column::new(
            "confirmed",
            |v, l, _| yes_no(l, v.confirmed.is_some()),
            Some(Chars(5)),
        ),
        Column::new("note", |v, _, _| clip(&v.note, 40), Some(Share(2))),
    ];

    fn json(&self, model: &Model) -> Value {
        visit_json(model, self)
    }

    fn fields(&self, lang: Lang, model: &Model) -> Vec<(String, String)> {
        visit_fields(lang, model, self)
    }
}

impl View for Inspection {
    const COLUMNS: &'static [Column<Self>] = &[
        Column::new("id", |i, _, _| i.id.short().to_string(), None),
        Column::new("date", |i, _, _| i.date.to_string(), Some(Chars(10))),
        Column::new("district", |i, _, m| m.district_name(&i.district_id), None),
        Column::new("target", |i, l, m| target_name(m, l, i), Some(Share(1))),
        Column::new("inspector", |i, _, _| i.inspector.clone(), Some(Chars(12))),
        Column::new(
            "scores",
            |i, _, _| {
                let s = &i.scores;
                format!(
                    "{}/{}/{}/{}",
                    s.philosophy, s.care_education, s.environment, s.management
                )
            },
            Some(Chars(8)),
        ),
        Column::new("average", |i, _, _| average(&i.scores), Some(Chars(5))),
        Column::new(
            "follow_up_due",
            |i, _, _| i.follow_up_due.map(|d| d.to_string()).unwrap_or_default(),
            None,
        ),
    ];

    fn json(&self, model: &Model) -> Value {
        inspection_json(model, self)
    }

    fn fields(&self, lang: Lang, model: &Model) -> Vec<(String, String)> {
        inspection_fields(lang, model, self)
    }
}

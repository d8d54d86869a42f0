//! The fields of visits, and how they are read into a draft.

use super::*;
pub const PAIRING: FieldSpec = spec(
    "pairing",
    "pairing",
    Kind::One(Pick::Pairing),
    D::Required,
    "Pairing id (a unique prefix)",
);
pub const DATE: FieldSpec = spec("date", "date", Kind::Date, D::Today, "Date (YYYY-MM-DD)");
pub const FORM: FieldSpec = spec(
    "form",
    "form",
    Kind::One(Pick::SupportForm),
    D::Required,
    "Form of support: send_teachers, master_studio, on_site_guidance, shadowing, online",
);
pub const TASKS: FieldSpec = spec(
    "tasks",
    "task",
    Kind::Many(Pick::Task),
    D::Nothing,
    "Support task; repeat or separate with commas",
);
pub const PLACE: FieldSpec = spec(
    "place",
    "place",
    Kind::One(Pick::PairingMember),
    D::Derived("pick.auto.place"),
    "Where: one of the pairing's kindergartens [default: the first helped]",
);
pub const PARTICIPANTS: FieldSpec = spec(
    "participants",
    "participant",
    Kind::People,
    D::Nothing,
    "NAME:ROLE, e.g. 王老师:教研员; repeat for each person",
);
pub const TEACHERS_REACHED: FieldSpec = spec(
    "teachers_reached",
    "teachers-reached",
    Kind::Count,
    D::Zero,
    "Teachers reached",
);
pub const CHILDREN_REACHED: FieldSpec = spec(
    "children_reached",
    "children-reached",
    Kind::Count,
    D::Zero,
    "Children reached",
);
pub const TOYS: FieldSpec = spec(
    "toys",
    "toys",
    Kind::Count,
    D::Zero,
    "Toys and teaching aids donated (玩教具)",
);
pub const PLAY_MATERIALS: FieldSpec = spec(
    "play_materials",
    "play-materials",
    Kind::Count,
    D::Zero,
    "Play materials donated (游戏材料)",
);
pub const PICTURE_BOOKS: FieldSpec = spec(
    "picture_books",
    "picture-books",
    Kind::Count,
    D::Zero,
    "Picture books donated (图画书)",
);
pub const NOTE: FieldSpec = spec("note", "note", Kind::Note, D::Nothing, "What was done");
pub const FOLLOW_UP: FieldSpec = spec(
    "follow_up",
    "follow-up",
    Kind::Line,
    D::Nothing,
    "What follows",
);

pub const FIELDS: &[FieldSpec] = &[
    PAIRING,
    DATE,
    FORM,
    TASKS,
    PLACE,
    PARTICIPANTS,
    TEACHERS_REACHED,
    CHILDREN_REACHED,
    TOYS,
    PLAY_MATERIALS,
    PICTURE_BOOKS,
    NOTE,
    FOLLOW_UP,
];

pub fn read(raw: &Raw, cx: Context<'_>) -> Result<VisitDraft, Vec<Bad>> {
    let mut r = Reader::new(raw, cx);
    let pairing = r.record(&PAIRING, Entity::Pairing);
    let date = r.date(&DATE);
    let form = r.code::<SupportForm>(&FORM);
    let tasks = r.codes::<Task>(&TASKS);
    let place = r.kindergarten(&PLACE).or_else(|| {
        let p = pairing.as_ref().and_then(|p| cx.model.pairing(p))?;
        p.helped.first().cloned()
    });
    let participants = r.people(&PARTICIPANTS);
    let counts = [
        &TEACHERS_REACHED,
        &CHILDREN_REACHED,
        &TOYS,
        &PLAY_MATERIALS,
        &PICTURE_BOOKS,
    ]
    .map(|f| r.count(f));
    let draft = match (pairing, date, form, counts) {
        (
            Some(pairing_id),
            Some(date),
            Some(form),
            [Some(t), Some(c), Some(k), Some(m), Some(b)],
        ) => Some(VisitDraft {
            pairing_id,
            date,
            form,
            tasks,
            place_id: place,
            participants,
            teachers_reached: t,
            children_reached: c,
            materials: Materials {
                toys: k,
                play_materials: m,
                picture_books: b,
            },
            note: r.text(&NOTE),
            follow_up: r.text(&FOLLOW_UP),
        }),
        _ => None,
    };
    r.finish(draft)
}

pub fn raw_of(v: &Visit) -> Raw {
    let mut raw = Raw::new();
    raw.put(PAIRING.key, v.pairing_id.as_str());
    raw.put(DATE.key, v.date.to_string());
    raw.put(FORM.key, v.form.code());
    raw.put_all(
        TASKS.key,
        v.tasks.iter().map(|c| c.code().to_string()).collect(),
    );
    if let Some(p) = &v.place_id {
        raw.put(PLACE.key, p.as_str());
    }
    raw.put_all(
        PARTICIPANTS.key,
        v.participants
            .iter()
            .map(|p| format!("{}:{}", p.name, p.role))
            .collect(),
    );
    raw.put(TEACHERS_REACHED.key, v.teachers_reached.to_string());
    raw.put(CHILDREN_REACHED.key, v.children_reached.to_string());
    raw.put(TOYS.key, v.materials.toys.to_string());
    raw.put(PLAY_MATERIALS.key, v.materials.play_materials.to_string());
    raw.put(PICTURE_BOOKS.key, v.materials.picture_books.to_string());
    raw.put(NOTE.key, &v.note);
    raw.put(FOLLOW_UP.key, &v.follow_up);
    raw
}

//! Kindergartens, pairings with their agreements, visits and
//! inspections as automerge maps, and back.

use super::*;

impl Record for Kindergarten {
    const COLLECTION: &'static str = "kindergartens";
    fn id(&self) -> &Id {
        &self.id
    }
    fn to_map(&self) -> Map {
        map_of(vec![
            ("name", str_v(&self.name)),
            ("town", str_v(&self.town)),
            ("village", str_v(&self.village)),
            ("ownership", str_v(self.ownership.code())),
            ("category", str_v(self.category.code())),
            ("stars", opt_v(&self.stars, |s| int_v(*s))),
            ("rural", bool_v(self.rural)),
            ("children", int_v(self.children)),
            ("teachers", int_v(self.teachers)),
            ("contact", str_v(&self.contact)),
            ("phone", str_v(&self.phone)),
        ])
    }
    fn from_map(id: Id, home: Home<'_>, m: &Map) -> Result<Self, FieldError> {
        let f = Fields(m);
        Ok(Kindergarten {
            id,
            name: f.string("name")?,
            district_id: home.district()?,
            town: f.string("town")?,
            village: f.string("village")?,
            ownership: f.code("ownership")?,
            category: f.code("category")?,
            stars: f.opt_int("stars")?,
            rural: f.bool("rural")?,
            children: f.int("children")?,
            teachers: f.int("teachers")?,
            contact: f.string("contact")?,
            phone: f.string("phone")?,
        })
    }
    fn collection(data: &mut DistrictData) -> &mut std::collections::BTreeMap<Id, Self> {
        &mut data.kindergartens
    }
}

pub(super) fn agreement_map(a: &Agreement) -> Map {
    let confirmations: Vec<(&str, Value)> = a
        .confirmations
        .iter()
        .map(|c| {
            (
                c.district_id.as_str(),
                Value::Map(map_of(vec![("by", str_v(&c.by)), ("on", date_v(c.on))])),
            )
        })
        .collect();
    map_of(vec![
        ("status", str_v(a.status.code())),
        ("start", date_v(a.start)),
        ("end", date_v(a.end)),
        ("forms", codes_v(&a.forms)),
        ("tasks", codes_v(&a.tasks)),
        ("goals", text_v(&a.goals)),
        ("rights", text_v(&a.rights)),
        ("schedule", text_v(&a.schedule)),
        ("fees", int_v(a.fees)),
        ("signed", opt_v(&a.signed, stamp_v)),
        ("confirmations", Value::Map(map_of(confirmations))),
        ("filed", opt_v(&a.filed, stamp_v)),
    ])
}

pub(super) fn agreement_from(f: &Fields<'_>) -> Result<Agreement, FieldError> {
    let mut confirmations = Vec::new();
    if let Some(cs) = f.map("confirmations")? {
        for (district, v) in cs.0.iter() {
            let Value::Map(m) = &v.value else {
                return Err(bad("confirmations", "not a map"));
            };
            let c = Fields(m);
            let district_id = Id::parse(district)
                .ok_or_else(|| bad("confirmations", format!("`{district}` is not an id")))?;
            confirmations.push(Confirmation {
                district_id,
                by: c.string("by")?,
                on: c.date("on")?,
            });
        }
    }
    confirmations.sort_by(|a, b| a.district_id.cmp(&b.district_id));
    Ok(Agreement {
        status: f.code("status")?,
        start: f.date("start")?,
        end: f.date("end")?,
        forms: f.codes("forms")?,
        tasks: f.codes("tasks")?,
        goals: f.string("goals")?,
        rights: f.string("rights")?,
        schedule: f.string("schedule")?,
        fees: f.int("fees")?,
        signed: f.stamp("signed")?,
        confirmations,
        filed: f.stamp("filed")?,
    })
}

impl Record for Pairing {
    const COLLECTION: &'static str = "pairings";
    fn id(&self) -> &Id {
        &self.id
    }
    fn to_map(&self) -> Map {
        map_of(vec![
            ("helpers", ids_v(&self.helpers)),
            ("helped", ids_v(&self.helped)),
            ("cohort", int_v(i64::from(self.cohort))),
            ("mode", str_v(self.mode.code())),
            ("agreement", Value::Map(agreement_map(&self.agreement))),
        ])
    }
    fn from_map(id: Id, home: Home<'_>, m: &Map) -> Result<Self, FieldError> {
        let f = Fields(m);
        let agreement = f
            .map("agreement")?
            .ok_or_else(|| bad("agreement", "missing"))?;
        Ok(Pairing {
            id,
            district_id: home.district()?,
            helpers: f.ids("helpers")?,
            helped: f.ids("helped")?,
            cohort: f.year("cohort")?,
            mode: f.code("mode")?,
            agreement: agreement_from(&agreement)?,
        })
    }
    fn collection(data: &mut DistrictData) -> &mut std::collections::BTreeMap<Id, Self> {
        &mut data.pairings
    }
}

impl Record for Visit {
    const COLLECTION: &'static str = "visits";
    fn id(&self) -> &Id {
        &self.id
    }
    fn to_map(&self) -> Map {
        let participants = list_v(&self.participants, |p| {
            Value::Map(map_of(vec![
                ("name", str_v(&p.name)),
                ("role", str_v(&p.role)),
            ]))
        });
        map_of(vec![
            ("pairing_id", str_v(self.pairing_id.as_str())),
            ("date", date_v(self.date)),
            ("form", str_v(self.form.code())),
            ("tasks", codes_v(&self.tasks)),
            ("place_id", opt_v(&self.place_id, |id| str_v(id.as_str()))),
            ("participants", participants),
            ("teachers_reached", int_v(self.teachers_reached)),
            ("children_reached", int_v(self.children_reached)),
            ("toys", int_v(self.materials.toys)),
            ("play_materials", int_v(self.materials.play_materials)),
            ("picture_books", int_v(self.materials.picture_books)),
            ("note", text_v(&self.note)),
            ("follow_up", text_v(&self.follow_up)),
            ("confirmed", opt_v(&self.confirmed, stamp_v)),
        ])
    }
    fn from_map(id: Id, home: Home<'_>, m: &Map) -> Result<Self, FieldError> {
        let f = Fields(m);
        let mut participants = Vec::new();
        for v in f.list("participants")? {
            let Value::Map(pm) = v else {
                return Err(bad("participants", "not a map"));
            };
            let p = Fields(pm);
            participants.push(Participant {
                name: p.string("name")?,
                role: p.string("role")?,
            });
        }
        Ok(Visit {
            id,
            pairing_id: f
                .opt_id("pairing_id")?
                .ok_or_else(|| bad("pairing_id", "missing"))?,
            district_id: home.district()?,
            date: f.date("date")?,
            form: f.code("form")?,
            tasks: f.codes("tasks")?,
            place_id: f.opt_id("place_id")?,
            participants,
            teachers_reached: f.int("teachers_reached")?,
            children_reached: f.int("children_reached")?,
            materials: Materials {
                toys: f.int("toys")?,
                play_materials: f.int("play_materials")?,
                picture_books: f.int("picture_books")?,
            },
            note: f.string("note")?,
            follow_up: f.string("follow_up")?,
            confirmed: f.stamp("confirmed")?,
        })
    }
    fn collection(data: &mut DistrictData) -> &mut std::collections::BTreeMap<Id, Self> {
        &mut data.visits
    }
}

impl Record for Inspection {
    const COLLECTION: &'static str = "inspections";
    fn id(&self) -> &Id {
        &self.id
    }
    fn to_map(&self) -> Map {
        map_of(vec![
            (
                "pairing_id",
                opt_v(&self.pairing_id, |id| str_v(id.as_str())),
            ),
            (
                "kindergarten_id",
                opt_v(&self.kindergarten_id, |id| str_v(id.as_str())),
            ),
            ("date", date_v(self.date)),
            ("inspector", str_v(&self.inspector)),
            ("philosophy", int_v(self.scores.philosophy)),
            ("care_education", int_v(self.scores.care_education)),
            ("environment", int_v(self.scores.environment)),
            ("management", int_v(self.scores.management)),
            ("findings", text_v(&self.findings)),
            ("guidance", text_v(&self.guidance)),
            ("follow_up_due", opt_v(&self.follow_up_due, |d| date_v(*d))),
        ])
    }
    fn from_map(id: Id, home: Home<'_>, m: &Map) -> Result<Self, FieldError> {
        let f = Fields(m);
        Ok(Inspection {
            id,
            district_id: home.district()?,
            pairing_id: f.opt_id("pairing_id")?,
            kindergarten_id: f.opt_id("kindergarten_id")?,
            date: f.date("date")?,
            inspector: f.string("inspector")?,
            scores: Scores {
                philosophy: f.int("philosophy")?,
                care_education: f.int("care_education")?,
                environment: f.int("environment")?,
                management: f.int("management")?,
            },
            findings: f.string("findings")?,
            guidance: f.string("guidance")?,
            follow_up_due: f.opt_date("follow_up_due")?,
        })
    }
    fn collection(data: &mut DistrictData) -> &mut std::collections::BTreeMap<Id, Self> {
        &mut data.inspections
    }
}

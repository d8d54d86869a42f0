//! The fields of each record kind people fill in, and how they are read
//! into drafts (`domain::drafts`). `raw_of_*` gives a record's fields back
//! as text, so that editing starts from what is stored.

use super::fields::{Bad, Context, Default as D, FieldSpec, Kind, Pick, Raw, Reader};
use crate::domain::drafts::*;
use crate::domain::*;

const fn spec(
    key: &'static str,
    flag: &'static str,
    kind: Kind,
    default: D,
    help: &'static str,
) -> FieldSpec {
    FieldSpec {
        key,
        flag,
        kind,
        default,
        help,
    }
}

// ---------- kindergartens ----------

pub mod kindergarten {
    use super::*;
    pub const NAME: FieldSpec = spec("name", "name", Kind::Line, D::Required, "Name");
    pub const DISTRICT: FieldSpec = spec(
        "district",
        "district",
        Kind::One(Pick::District),
        D::Required,
        "District (name or id)",
    );
    pub const TOWN: FieldSpec = spec("town", "town", Kind::Line, D::Nothing, "Town (乡镇)");
    pub const VILLAGE: FieldSpec =
        spec("village", "village", Kind::Line, D::Nothing, "Village (村)");
    pub const OWNERSHIP: FieldSpec = spec(
        "ownership",
        "ownership",
        Kind::One(Pick::Ownership),
        D::Required,
        "public (公办), private (民办), inclusive_private (普惠性民办)",
    );
    pub const CATEGORY: FieldSpec = spec(
        "category",
        "category",
        Kind::One(Pick::Category),
        D::Required,
        "urban_quality, town_central, town, village, village_point",
    );
    pub const STARS: FieldSpec = spec(
        "stars",
        "stars",
        Kind::Count,
        D::Nothing,
        "Star rating 1-5 (0 to clear)",
    );
    pub const RURAL: FieldSpec = spec(
        "rural",
        "rural",
        Kind::YesNo,
        D::Derived("pick.auto.rural"),
        "Rural kindergarten: yes/no [default: from the category]",
    );
    pub const CHILDREN: FieldSpec = spec(
        "children",
        "children",
        Kind::Count,
        D::Zero,
        "Number of children",
    );
    pub const TEACHERS: FieldSpec = spec(
        "teachers",
        "teachers",
        Kind::Count,
        D::Zero,
        "Number of teachers",
    );
    pub const CONTACT: FieldSpec = spec(
        "contact",
        "contact",
        Kind::Line,
        D::Nothing,
        "Contact person",
    );
    pub const PHONE: FieldSpec = spec("phone", "phone", Kind::Line, D::Nothing, "Phone");

    pub const FIELDS: &[FieldSpec] = &[
        NAME, DISTRICT, TOWN, VILLAGE, OWNERSHIP, CATEGORY, STARS, RURAL, CHILDREN, TEACHERS,
        CONTACT, PHONE,
    ];

    pub fn read(raw: &Raw, cx: Context<'_>) -> Result<KindergartenDraft, Vec<Bad>> {
        let mut r = Reader::new(raw, cx);
        let name = r.text(&NAME);
        let district = r.district(&DISTRICT);
        let ownership = r.code::<Ownership>(&OWNERSHIP);
        let category = r.code::<Category>(&CATEGORY);
        let stars = r.count(&STARS).filter(|n| *n != 0);
        let rural = r.yes_no(&RURAL).or_else(|| category.map(rural_by_category));
        let children = r.count(&CHILDREN);
        let teachers = r.count(&TEACHERS);
        let draft = match (district, ownership, category, rural, children, teachers) {
            (Some(district_id), Some(ownership), Some(category), Some(rural), Some(c), Some(t)) => {
                Some(KindergartenDraft {
                    name,
                    district_id,
                    town: r.text(&TOWN),
                    village: r.text(&VILLAGE),
                    ownership,
                    category,
                    stars,
                    rural,
                    children: c,
                    teachers: t,
                    contact: r.text(&CONTACT),
                    phone: r.text(&PHONE),
                })
            }
            _ => None,
        };
        r.finish(draft)
    }

    /// A kindergarten's fields as text. `rural` is given only where it
    /// differs from what the category says, so a new category carries it.
    pub fn raw_of(k: &Kindergarten) -> Raw {
        let mut raw = Raw::new();
        raw.put(NAME.key, &k.name);
        raw.put(DISTRICT.key, k.district_id.as_str());
        raw.put(TOWN.key, &k.town);
        raw.put(VILLAGE.key, &k.village);
        raw.put(OWNERSHIP.key, k.ownership.code());
        raw.put(CATEGORY.key, k.category.code());
        if let Some(s) = k.stars {
            raw.put(STARS.key, s.to_string());
        }
        if k.rural != rural_by_category(k.category) {
            raw.put(RURAL.key, if k.rural { "yes" } else { "no" });
        }
        raw.put(CHILDREN.key, k.children.to_string());
        raw.put(TEACHERS.key, k.teachers.to_string());
        raw.put(CONTACT.key, &k.contact);
        raw.put(PHONE.key, &k.phone);
        raw
    }

    /// A kindergarten's fields with `changes` laid over them; a new
    /// category given without `rural` decides it again.
    pub fn edited(k: &Kindergarten, changes: &Raw) -> Raw {
        let mut raw = raw_of(k);
        if changes.given(CATEGORY.key) && !changes.given(RURAL.key) {
            raw.remove(RURAL.key);
        }
        raw.overlay(changes);
        raw
    }
}

// ---------- pairings and their agreements ----------

pub mod terms {
    use super::*;
    pub const START: FieldSpec = spec(
        "start",
        "start",
        Kind::Date,
        D::Today,
        "First day (YYYY-MM-DD)",
    );
    pub const END: FieldSpec = spec(
        "end",
        "end",
        Kind::Date,
        D::Required,
        "Last day (YYYY-MM-DD); at least two years after the start",
    );
    pub const FORMS: FieldSpec = spec(
        "forms",
        "form",
        Kind::Many(Pick::SupportForm),
        D::Nothing,
        "Form of support; repeat or separate with commas",
    );
    pub const TASKS: FieldSpec = spec(
        "tasks",
        "task",
        Kind::Many(Pick::Task),
        D::Nothing,
        "Support task; repeat or separate with commas",
    );
    pub const FEES: FieldSpec = spec(
        "fees",
        "fees",
        Kind::Count,
        D::Zero,
        "Fees charged, in yuan (must be 0)",
    );
    pub const GOALS: FieldSpec = spec("goals", "goals", Kind::Note, D::Nothing, "Goals (帮扶目标)");
    pub const RIGHTS: FieldSpec = spec(
        "rights",
        "rights",
        Kind::Note,
        D::Nothing,
        "Rights and obligations (权利义务)",
    );
    pub const SCHEDULE: FieldSpec = spec(
        "schedule",
        "schedule",
        Kind::Note,
        D::Nothing,
        "Schedule (时间安排)",
    );

    pub const FIELDS: &[FieldSpec] = &[START, END, FORMS, TASKS, FEES, GOALS, RIGHTS, SCHEDULE];

    /// Reads the terms with `r` (problems go to it).
    pub(in crate::input) fn read_with(r: &mut Reader<'_>) -> Option<TermsDraft> {
        let start = r.date(&START);
        let end = r.date(&END);
        let fees = r.count(&FEES);
        let forms = r.codes::<SupportForm>(&FORMS);
        let tasks = r.codes::<Task>(&TASKS);
        let (start, end, fees) = (start?, end?, fees?);
        Some(TermsDraft {
            start,
            end,
            forms,
            tasks,
            goals: r.text(&GOALS),
            rights: r.text(&RIGHTS),
            schedule: r.text(&SCHEDULE),
            fees,
        })
    }

    pub fn read(raw: &Raw, cx: Context<'_>) -> Result<TermsDraft, Vec<Bad>> {
        let mut r = Reader::new(raw, cx);
        let draft = read_with(&mut r);
        r.finish(draft)
    }

    pub fn raw_of(a: &Agreement) -> Raw {
        let mut raw = Raw::new();
        raw.put(START.key, a.start.to_string());
        raw.put(END.key, a.end.to_string());
        raw.put_all(
            FORMS.key,
            a.forms.iter().map(|c| c.code().to_string()).collect(),
        );
        raw.put_all(
            TASKS.key,
            a.tasks.iter().map(|c| c.code().to_string()).collect(),
        );
        raw.put(FEES.key, a.fees.to_string());
        raw.put(GOALS.key, &a.goals);
        raw.put(RIGHTS.key, &a.rights);
        raw.put(SCHEDULE.key, &a.schedule);
        raw
    }
}

pub mod pairing {
    use super::*;
    pub const HELPERS: FieldSpec = spec(
        "helpers",
        "helper",
        Kind::Many(Pick::Kindergarten),
        D::Required,
        "Helper kindergarten (帮扶园): id prefix or exact name; repeat or separate with commas",
    );
    pub const HELPED: FieldSpec = spec(
        "helped",
        "helped",
        Kind::Many(Pick::Kindergarten),
        D::Required,
        "Helped kindergarten (被帮扶园): id prefix or exact name; repeat or separate with commas",
    );
    pub const MODE: FieldSpec = spec(
        "mode",
        "mode",
        Kind::One(Pick::Mode),
        D::Required,
        "town, district or cross-region",
    );
    pub const COHORT: FieldSpec = spec(
        "cohort",
        "cohort",
        Kind::Year,
        D::Derived("pick.auto.cohort"),
        "Plan year the pairing counts towards [default: the start date's year]",
    );

    /// The pairing's own fields; its agreement's follow (`terms::FIELDS`).
    pub const OWN: &[FieldSpec] = &[HELPERS, HELPED, MODE, COHORT];

    pub fn fields() -> impl Iterator<Item = &'static FieldSpec> {
        OWN.iter().chain(terms::FIELDS)
    }

    pub fn read(raw: &Raw, cx: Context<'_>) -> Result<PairingDraft, Vec<Bad>> {
        let mut r = Reader::new(raw, cx);
        let helpers = r.kindergartens(&HELPERS);
        let helped = r.kindergartens(&HELPED);
        let mode = r.code::<Mode>(&MODE);
        let cohort = r.year(&COHORT);
        let terms = terms::read_with(&mut r);
        let draft = match (mode, terms) {
            (Some(mode), Some(terms)) => Some(PairingDraft {
                helpers,
                helped,
                mode,
                cohort: cohort.unwrap_or_else(|| chrono::Datelike::year(&terms.start)),
                terms,
            }),
            _ => None,
        };
        r.finish(draft)
    }
}

// ---------- visits ----------

pub mod visit {
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
}

// ---------- inspections ----------

pub mod inspection {
    use super::*;
    pub const PAIRING: FieldSpec = spec(
        "pairing",
        "pairing",
        Kind::One(Pick::Pairing),
        D::Nothing,
        "The pairing inspected (id prefix)",
    );
    pub const KINDERGARTEN: FieldSpec = spec(
        "kindergarten",
        "kindergarten",
        Kind::One(Pick::Kindergarten),
        D::Nothing,
        "The kindergarten inspected (id prefix or exact name)",
    );
    pub const DATE: FieldSpec = spec("date", "date", Kind::Date, D::Today, "Date (YYYY-MM-DD)");
    pub const INSPECTOR: FieldSpec = spec(
        "inspector",
        "inspector",
        Kind::Line,
        D::Person,
        "Inspector's name [default: the --as name]",
    );
    pub const PHILOSOPHY: FieldSpec = spec(
        "philosophy",
        "philosophy",
        Kind::One(Pick::Score),
        D::Required,
        "Score 1-5: philosophy (办园理念)",
    );
    pub const CARE_EDUCATION: FieldSpec = spec(
        "care_education",
        "care-education",
        Kind::One(Pick::Score),
        D::Required,
        "Score 1-5: care and education (保育教育)",
    );
    pub const ENVIRONMENT: FieldSpec = spec(
        "environment",
        "environment",
        Kind::One(Pick::Score),
        D::Required,
        "Score 1-5: environment (环境创设)",
    );
    pub const MANAGEMENT: FieldSpec = spec(
        "management",
        "management",
        Kind::One(Pick::Score),
        D::Required,
        "Score 1-5: management (内部管理)",
    );
    pub const FINDINGS: FieldSpec = spec(
        "findings",
        "findings",
        Kind::Note,
        D::Nothing,
        "What was found",
    );
    pub const GUIDANCE: FieldSpec = spec(
        "guidance",
        "guidance",
        Kind::Note,
        D::Nothing,
        "Guidance given",
    );
    pub const FOLLOW_UP_DUE: FieldSpec = spec(
        "follow_up_due",
        "follow-up-due",
        Kind::Date,
        D::Nothing,
        "Follow-up due date (YYYY-MM-DD)",
    );

    /// The four area scores, in the order `--scores` takes them.
    pub const SCORES: [FieldSpec; 4] = [PHILOSOPHY, CARE_EDUCATION, ENVIRONMENT, MANAGEMENT];

    pub const FIELDS: &[FieldSpec] = &[
        PAIRING,
        KINDERGARTEN,
        DATE,
        INSPECTOR,
        PHILOSOPHY,
        CARE_EDUCATION,
        ENVIRONMENT,
        MANAGEMENT,
        FINDINGS,
        GUIDANCE,
        FOLLOW_UP_DUE,
    ];

    pub fn read(raw: &Raw, cx: Context<'_>) -> Result<InspectionDraft, Vec<Bad>> {
        let mut r = Reader::new(raw, cx);
        let pairing_id = r.record(&PAIRING, Entity::Pairing);
        let kindergarten_id = r.kindergarten(&KINDERGARTEN);
        let date = r.date(&DATE);
        let inspector = r.text(&INSPECTOR);
        let scores = SCORES.map(|f| r.count(&f));
        let follow_up_due = r.date(&FOLLOW_UP_DUE);
        let due_ok = follow_up_due.is_some() || !r.given(&FOLLOW_UP_DUE);
        let draft = match (date, scores, due_ok) {
            (Some(date), [Some(p), Some(c), Some(e), Some(m)], true) => Some(InspectionDraft {
                pairing_id,
                kindergarten_id,
                date,
                inspector,
                scores: Scores {
                    philosophy: p,
                    care_education: c,
                    environment: e,
                    management: m,
                },
                findings: r.text(&FINDINGS),
                guidance: r.text(&GUIDANCE),
                follow_up_due,
            }),
            _ => None,
        };
        r.finish(draft)
    }

    pub fn raw_of(i: &Inspection) -> Raw {
        let mut raw = Raw::new();
        if let Some(p) = &i.pairing_id {
            raw.put(PAIRING.key, p.as_str());
        }
        if let Some(k) = &i.kindergarten_id {
            raw.put(KINDERGARTEN.key, k.as_str());
        }
        raw.put(DATE.key, i.date.to_string());
        raw.put(INSPECTOR.key, &i.inspector);
        for (f, area) in SCORES.iter().zip(Area::ALL) {
            raw.put(f.key, i.scores.get(*area).to_string());
        }
        raw.put(FINDINGS.key, &i.findings);
        raw.put(GUIDANCE.key, &i.guidance);
        if let Some(d) = i.follow_up_due {
            raw.put(FOLLOW_UP_DUE.key, d.to_string());
        }
        raw
    }
}

// ---------- yearly plans ----------

pub mod plan {
    use super::*;
    pub const YEAR: FieldSpec = spec("year", "year", Kind::Year, D::Required, "The year");
    pub const DISTRICT: FieldSpec = spec(
        "district",
        "district",
        Kind::One(Pick::District),
        D::Nothing,
        "The district whose target this is (with --helpers and --helped)",
    );
    pub const HELPERS: FieldSpec = spec(
        "target_helpers",
        "helpers",
        Kind::Count,
        D::Nothing,
        "Helper kindergartens planned (参与帮扶)",
    );
    pub const HELPED: FieldSpec = spec(
        "target_helped",
        "helped",
        Kind::Count,
        D::Nothing,
        "Helped kindergartens planned (被帮扶)",
    );
    pub const STATED_TOTAL: FieldSpec = spec(
        "stated_total",
        "stated-total",
        Kind::Count,
        D::Nothing,
        "The city's stated total of kindergartens in pairs",
    );
    pub const SHARE: FieldSpec = spec(
        "target_share_percent",
        "share",
        Kind::Count,
        D::Nothing,
        "The target share of rural kindergartens taking part, in percent",
    );

    pub const FIELDS: &[FieldSpec] = &[YEAR, DISTRICT, HELPERS, HELPED, STATED_TOTAL, SHARE];

    /// A district's target needs its district and both counts; the total
    /// and the share stand alone; something must be given.
    pub fn read(raw: &Raw, cx: Context<'_>) -> Result<PlanDraft, Vec<Bad>> {
        let mut r = Reader::new(raw, cx);
        let year = r.year(&YEAR);
        let district = r.district(&DISTRICT);
        let counts = [&HELPERS, &HELPED];
        if r.given(&DISTRICT) || counts.iter().any(|f| r.given(f)) {
            r.needed(&DISTRICT);
            counts.iter().for_each(|f| r.needed(f));
        }
        let helpers = r.count(&HELPERS);
        let helped = r.count(&HELPED);
        let stated_total = r.count(&STATED_TOTAL);
        let share_percent = r.count(&SHARE);
        let target = match (district, helpers, helped) {
            (Some(d), Some(h), Some(k)) => Some((d, h, k)),
            _ => None,
        };
        if target.is_none() && stated_total.is_none() && share_percent.is_none() && r.bad.is_empty()
        {
            let why = crate::tr!(cx.lang, "plan.nothing_to_set");
            r.refuse(&DISTRICT, why);
        }
        let draft = year.map(|year| PlanDraft {
            year,
            target,
            stated_total,
            share_percent,
        });
        r.finish(draft)
    }

    /// A year's plan and one district's target as text (for a form that
    /// starts from what is stored).
    pub fn raw_of(m: &Model, year: i32, district: Option<&Id>) -> Raw {
        let mut raw = Raw::new();
        raw.put(YEAR.key, year.to_string());
        if let Some(d) = district {
            raw.put(DISTRICT.key, d.as_str());
            if let Some(t) = m.targets.get(&(year, d.clone())) {
                raw.put(HELPERS.key, t.helpers.to_string());
                raw.put(HELPED.key, t.helped.to_string());
            }
        }
        if let Some(y) = m.years.get(&year) {
            if let Some(n) = y.stated_total {
                raw.put(STATED_TOTAL.key, n.to_string());
            }
            if let Some(p) = y.target_share_percent {
                raw.put(SHARE.key, p.to_string());
            }
        }
        raw
    }
}

// ---------- invites ----------

pub mod invite {
    use super::*;
    pub const ROLE: FieldSpec = spec(
        "role",
        "role",
        Kind::One(Pick::Role),
        D::Text("kindergarten"),
        "city-admin, district-admin, kindergarten, inspector or viewer",
    );
    pub const DISTRICTS: FieldSpec = spec(
        "district",
        "district",
        Kind::Many(Pick::District),
        D::Nothing,
        "The district (district-admin; repeat for an inspector's districts)",
    );
    pub const KINDERGARTEN: FieldSpec = spec(
        "kindergarten",
        "kindergarten",
        Kind::One(Pick::Kindergarten),
        D::Nothing,
        "The kindergarten (kindergarten role)",
    );
    pub const NAME: FieldSpec = spec(
        "member_name_new",
        "name",
        Kind::Line,
        D::Nothing,
        "The new member's name",
    );
    pub const EXPIRES: FieldSpec = spec(
        "expires",
        "expires",
        Kind::Line,
        D::Text("72h"),
        "How long the invite stays valid: 30m, 72h, 7d",
    );

    pub const FIELDS: &[FieldSpec] = &[ROLE, DISTRICTS, KINDERGARTEN, NAME, EXPIRES];

    pub fn read(raw: &Raw, cx: Context<'_>) -> Result<InviteDraft, Vec<Bad>> {
        let mut r = Reader::new(raw, cx);
        let role = r.code::<MemberRole>(&ROLE);
        let districts = r.districts(&DISTRICTS);
        let kindergarten = r.kindergarten(&KINDERGARTEN);
        let name = Some(r.text(&NAME)).filter(|n| !n.is_empty());
        let expires = r.duration(&EXPIRES);
        let draft = match (role, expires) {
            (Some(role), Some(expires_secs)) => Some(InviteDraft {
                role,
                districts,
                kindergarten,
                name,
                expires_secs,
            }),
            _ => None,
        };
        r.finish(draft)
    }
}

// ---------- the written sections of a report ----------

pub mod sections {
    use super::*;
    use crate::domain::reports::{self, ReportKey};
    pub const PROGRESS: FieldSpec = spec(
        "progress",
        "progress",
        Kind::Note,
        D::Nothing,
        "工作进展 / 进展情况",
    );
    pub const PROBLEMS: FieldSpec =
        spec("problems", "problems", Kind::Note, D::Nothing, "存在问题");
    pub const PRACTICES: FieldSpec = spec(
        "practices",
        "practices",
        Kind::Note,
        D::Nothing,
        "好做法 (monthly)",
    );
    pub const CASES: FieldSpec = spec(
        "cases",
        "cases",
        Kind::Note,
        D::Nothing,
        "典型事例 (monthly)",
    );
    pub const RESULTS: FieldSpec = spec(
        "results",
        "results",
        Kind::Note,
        D::Nothing,
        "取得的成效 (annual)",
    );
    pub const PLAN: FieldSpec = spec(
        "plan",
        "plan",
        Kind::Note,
        D::Nothing,
        "下一步工作计划 (annual)",
    );

    /// Every section of every kind of report (the command line offers
    /// them all; a report takes its own, `fields`).
    pub const FIELDS: &[FieldSpec] = &[PROGRESS, PROBLEMS, PRACTICES, CASES, RESULTS, PLAN];

    /// The field of a section: its key is the section's code.
    pub fn field(s: Section) -> &'static FieldSpec {
        FIELDS
            .iter()
            .find(|f| f.key == s.code())
            .unwrap_or(&PROGRESS)
    }

    /// The sections of this kind of report, in order.
    pub fn fields(key: &ReportKey) -> impl Iterator<Item = &'static FieldSpec> {
        reports::sections(key).iter().map(|s| field(*s))
    }

    /// The sections typed (a blank one clears it), each one this kind of
    /// report has; at least one.
    pub fn read(
        raw: &Raw,
        cx: Context<'_>,
        key: &ReportKey,
    ) -> Result<Vec<(Section, String)>, Vec<Bad>> {
        let mut r = Reader::new(raw, cx);
        let mut texts = Vec::new();
        for s in Section::ALL {
            let f = field(*s);
            if !r.has(f) {
                continue;
            }
            if reports::sections(key).contains(s) {
                texts.push((*s, r.text(f)));
            } else {
                let why = crate::tr!(cx.lang, "report.no_such_section", section = s.code());
                r.refuse(f, why);
            }
        }
        if texts.is_empty() && r.bad.is_empty() {
            let why = crate::tr!(cx.lang, "report.nothing_to_write");
            r.refuse(&PROGRESS, why);
        }
        r.finish(Some(texts))
    }
}

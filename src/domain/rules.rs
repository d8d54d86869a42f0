//! The programme's rules (from the notice), checked before anything is saved.
//!
//! Each check returns every [`Problem`] it finds, each tied to the field a
//! form should show it next to. Messages are written by the caller, in the
//! user's language, from the problem's data.

use super::codes::*;
use super::id::Id;
use super::model::{Entity, Model};
use super::records::*;
use chrono::{Days, Months, NaiveDate};

/// Something wrong with a record, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field (locale key `field.<code>`).
    pub field: &'static str,
    pub kind: ProblemKind,
}

/// What is wrong. Names are kindergarten or district names, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The field must be given.
    Required,
    /// A visit with neither a task nor a note says nothing of what was done.
    TaskOrNote,
    /// Other records still refer to the one to delete.
    InUse { count: usize },
    /// A conflict that cannot be settled by picking a value (a report's
    /// two starts merge instead; a value that does not read as its field).
    NotPickable,
    /// No record of this kind has this id.
    UnknownId { what: Entity, id: String },
    /// A count below zero.
    Negative { value: i64 },
    /// A record holds as many files as it may.
    TooManyFiles { max: usize },
    /// A record's files would together be larger than they may (MB).
    FilesTooLarge { mb: u64, max: u64 },
    /// A number outside its range (stars, scores, shares).
    OutOfRange { value: i64, min: i64, max: i64 },
    /// Another kindergarten of the district has this name.
    DuplicateName { name: String },
    /// A year outside the programme's cycle.
    YearOutsideProgramme { year: i32, start: i32, end: i32 },
    /// 帮扶不少于两年.
    AgreementTooShort {
        start: NaiveDate,
        end: NaiveDate,
        earliest_end: NaiveDate,
    },
    /// 不得收取品牌费、挂钩费.
    FeesCharged { fees: i64 },
    /// One kindergarten on both sides of a pairing.
    BothSides { name: String },
    /// Several helpers and several helped: neither 一对多 nor 多对一.
    ManyToMany,
    /// The helped kindergartens of one pairing are in different districts.
    HelpedInSeveralDistricts,
    /// Mode 1: helper and helped must be in the same town.
    TownModeDifferentTowns { helper: String, helped: String },
    /// Mode 1: the helped must be a village (村屯) private (民办) kindergarten.
    TownModeHelpedNotVillagePrivate { name: String },
    /// Mode 1: the helper must be a public (公办) kindergarten.
    TownModeHelperNotPublic { name: String },
    /// Mode 2: the helper must have four or five stars.
    DistrictModeHelperStars { name: String, stars: Option<i64> },
    /// Mode 2: the helper must be in the helped kindergarten's district.
    DistrictModeOtherDistrict { helper: String, district: String },
    /// Mode 3 with everyone in one district.
    CrossRegionSameDistrict,
    /// A record's district cannot change: it lives in that district's document.
    DistrictFixed { district: String },
    /// A value longer than any honest record needs (see [`limits`]).
    TooLong { len: usize, max: usize },
    /// A list with more items than any honest record needs.
    TooMany { len: usize, max: usize },
    /// A filed agreement is locked (已备案的协议不能修改).
    AgreementFiled,
    /// The step needs a signed agreement.
    NotSigned,
    /// The agreement is already signed.
    AlreadySigned,
    /// This bureau is not one of the pairing's.
    DistrictNotInvolved { district: String },
    /// This bureau already confirmed.
    AlreadyConfirmed,
    /// Filing needs every involved bureau's confirmation; these are missing.
    MissingConfirmations { districts: Vec<String> },
    /// A date after today.
    InFuture { date: NaiveDate, today: NaiveDate },
    /// A visit outside its pairing's agreement period.
    OutsideAgreement {
        date: NaiveDate,
        start: NaiveDate,
        end: NaiveDate,
    },
    /// The place of a visit is not one of the pairing's kindergartens.
    PlaceNotInPairing { name: String },
    /// A due date before the date it follows.
    DueBeforeDate { due: NaiveDate, date: NaiveDate },
    /// This device is not a member of the programme.
    NotAMember,
    /// The authorisation matrix refuses: the role never may make this
    /// kind of write, or not to this record (its kind and short id).
    NotAllowed {
        role: MemberRole,
        write: super::authz::Write,
        record: Option<(Entity, String)>,
        denied: super::authz::Denied,
    },
    /// A submitted or accepted report cannot be edited.
    ReportLocked { status: ReportStatus },
    /// Only a submitted report can be accepted or returned.
    NotSubmitted { status: ReportStatus },
    /// The city's summary goes to no level above.
    NothingAbove,
    /// A monthly report cannot be submitted before its period begins.
    PeriodNotStarted { from: NaiveDate },
    /// A report submitted once is not deleted: its first submission
    /// counts for timeliness.
    ReportWasSubmitted,
}

/// Sizes no honest record reaches, at province scale: they keep one
/// member from growing a shared document past what others can sync.
pub mod limits {
    /// A one-line value: a name, a town, a contact, a phone number, a code.
    pub const LINE: usize = 200;
    /// A note, an agreement's goals, a report section.
    pub const TEXT: usize = 20_000;
    /// A block bangfu generates and keeps as JSON (a report's figures).
    pub const BLOCK: usize = 200_000;
    /// The items of one list (helpers, helped, towns, districts).
    pub const ITEMS: usize = 10_000;
    /// Teachers one activity can reach: a whole county's training day.
    pub const TEACHERS: i64 = 2_000;
    /// Children one activity can reach.
    pub const CHILDREN: i64 = 20_000;
    /// Items of one kind donated in one activity.
    pub const MATERIALS: i64 = 100_000;
}

fn problem(field: &'static str, kind: ProblemKind) -> Problem {
    Problem { field, kind }
}

fn non_negative(out: &mut Vec<Problem>, field: &'static str, value: i64) {
    if value < 0 {
        out.push(problem(field, ProblemKind::Negative { value }));
    }
}

/// A count: not negative, and no more than an honest record needs.
fn count(out: &mut Vec<Problem>, field: &'static str, value: i64, max: i64) {
    non_negative(out, field, value);
    if value > max {
        out.push(problem(
            field,
            ProblemKind::OutOfRange { value, min: 0, max },
        ));
    }
}

fn required(out: &mut Vec<Problem>, field: &'static str, value: &str) {
    if value.trim().is_empty() {
        out.push(problem(field, ProblemKind::Required));
    }
}

fn in_range(out: &mut Vec<Problem>, field: &'static str, value: i64, min: i64, max: i64) {
    if value < min || value > max {
        out.push(problem(field, ProblemKind::OutOfRange { value, min, max }));
    }
}

fn not_in_future(out: &mut Vec<Problem>, field: &'static str, date: NaiveDate, today: NaiveDate) {
    if date > today {
        out.push(problem(field, ProblemKind::InFuture { date, today }));
    }
}

fn year_in_programme(out: &mut Vec<Problem>, model: &Model, year: i32) {
    let (start, end) = (model.programme.start_year, model.programme.end_year);
    if year < start || year > end {
        out.push(problem(
            "year",
            ProblemKind::YearOutsideProgramme { year, start, end },
        ));
    }
}

fn unknown(field: &'static str, what: Entity, id: &Id) -> Problem {
    problem(
        field,
        ProblemKind::UnknownId {
            what,
            id: id.to_string(),
        },
    )
}

/// The last day an agreement starting on `start` may end on and still run
/// two years (帮扶不少于两年): 2024-09-25 → 2026-09-24.
pub fn earliest_end(start: NaiveDate) -> NaiveDate {
    start
        .checked_add_months(Months::new(24))
        .and_then(|d| d.checked_sub_days(Days::new(1)))
        .unwrap_or(NaiveDate::MAX)
}

/// A kindergarten, new or edited.
pub fn check_kindergarten(model: &Model, k: &Kindergarten) -> Vec<Problem> {
    let mut out = Vec::new();
    required(&mut out, "name", &k.name);
    if model.district(&k.district_id).is_none() {
        out.push(unknown("district", Entity::District, &k.district_id));
    }
    if let Some(stars) = k.stars {
        in_range(&mut out, "stars", stars, 1, 5);
    }
    non_negative(&mut out, "children", k.children);
    non_negative(&mut out, "teachers", k.teachers);
    let name = k.name.trim();
    if let Some(data) = model.data.get(&k.district_id)
        && data
            .kindergartens
            .values()
            .any(|o| o.id != k.id && o.name.trim() == name)
    {
        out.push(problem(
            "name",
            ProblemKind::DuplicateName {
                name: name.to_string(),
            },
        ));
    }
    out
}

/// A district's target for a year.
pub fn check_target(model: &Model, t: &PlanTarget) -> Vec<Problem> {
    let mut out = Vec::new();
    if model.district(&t.district_id).is_none() {
        out.push(unknown("district", Entity::District, &t.district_id));
    }
    year_in_programme(&mut out, model, t.year);
    non_negative(&mut out, "helpers", t.helpers);
    non_negative(&mut out, "helped", t.helped);
    out
}

/// The city's plan for a year.
pub fn check_year_plan(model: &Model, y: &YearPlan) -> Vec<Problem> {
    let mut out = Vec::new();
    year_in_programme(&mut out, model, y.year);
    if let Some(n) = y.stated_total {
        non_negative(&mut out, "stated_total", n);
    }
    if let Some(p) = y.target_share_percent {
        in_range(&mut out, "share", p, 0, 100);
    }
    out
}

/// The terms of an agreement that hold whatever its pairing: two years at
/// least, no fees.
pub fn check_agreement_terms(a: &Agreement) -> Vec<Problem> {
    let mut out = Vec::new();
    let earliest = earliest_end(a.start);
    if a.end < earliest {
        out.push(problem(
            "end",
            ProblemKind::AgreementTooShort {
                start: a.start,
                end: a.end,
                earliest_end: earliest,
            },
        ));
    }
    if a.fees > 0 {
        out.push(problem("fees", ProblemKind::FeesCharged { fees: a.fees }));
    }
    non_negative(&mut out, "fees", a.fees);
    out
}

/// The district a pairing belongs to: that of its helped kindergartens, if
/// they are known and all in one district.
pub fn pairing_home(model: &Model, helped: &[Id]) -> Option<Id> {
    let mut ds = helped
        .iter()
        .map(|h| model.kindergarten(h).map(|k| k.district_id.clone()));
    let first = ds.next()??;
    ds.all(|d| d.as_ref() == Some(&first)).then_some(first)
}

/// Both sides of a pairing as people give them.
pub type Sides<'m> = (Vec<&'m Kindergarten>, Vec<&'m Kindergarten>);

/// The two sides of a pairing: both given and known, none on both sides,
/// not many to many, the helped side in one district. Returns the problems
/// and, when every kindergarten is known, both sides.
pub fn check_sides<'m>(
    model: &'m Model,
    helper_ids: &[Id],
    helped_ids: &[Id],
) -> (Vec<Problem>, Option<Sides<'m>>) {
    let mut out = Vec::new();
    if helper_ids.is_empty() {
        out.push(problem("helpers", ProblemKind::Required));
    }
    if helped_ids.is_empty() {
        out.push(problem("helped", ProblemKind::Required));
    }
    let mut helpers = Vec::new();
    for id in helper_ids {
        match model.kindergarten(id) {
            Some(k) => helpers.push(k),
            None => out.push(unknown("helpers", Entity::Kindergarten, id)),
        }
    }
    let mut helped = Vec::new();
    for id in helped_ids {
        match model.kindergarten(id) {
            Some(k) => helped.push(k),
            None => out.push(unknown("helped", Entity::Kindergarten, id)),
        }
    }
    for k in &helpers {
        if helped_ids.contains(&k.id) {
            out.push(problem(
                "helped",
                ProblemKind::BothSides {
                    name: k.name.clone(),
                },
            ));
        }
    }
    if helper_ids.len() > 1 && helped_ids.len() > 1 {
        out.push(problem("helped", ProblemKind::ManyToMany));
    }
    let helped_districts: std::collections::BTreeSet<&Id> =
        helped.iter().map(|k| &k.district_id).collect();
    if helped_districts.len() > 1 {
        out.push(problem("helped", ProblemKind::HelpedInSeveralDistricts));
    }
    let known = !helpers.is_empty()
        && !helped.is_empty()
        && helpers.len() == helper_ids.len()
        && helped.len() == helped_ids.len();
    (out, known.then_some((helpers, helped)))
}

/// A pairing and its agreement: sides, mode rules, terms.
pub fn check_pairing(model: &Model, p: &Pairing) -> Vec<Problem> {
    let (mut out, sides) = check_sides(model, &p.helpers, &p.helped);
    year_in_programme(&mut out, model, p.cohort);
    // The mode rules read both sides; no use checking them against
    // missing or unknown kindergartens.
    if let Some((helpers, helped)) = sides {
        out.extend(check_mode(model, p.mode, &helpers, &helped));
    }
    out.extend(check_agreement_terms(&p.agreement));
    out
}

/// What each mode of pairing asks of its two sides (notice §3).
fn check_mode(
    model: &Model,
    mode: Mode,
    helpers: &[&Kindergarten],
    helped: &[&Kindergarten],
) -> Vec<Problem> {
    let mut out = Vec::new();
    match mode {
        Mode::Town => {
            for h in helpers {
                if h.ownership != Ownership::Public {
                    out.push(problem(
                        "helpers",
                        ProblemKind::TownModeHelperNotPublic {
                            name: h.name.clone(),
                        },
                    ));
                }
                for v in helped {
                    let same_town = h.district_id == v.district_id
                        && !h.town.trim().is_empty()
                        && h.town.trim() == v.town.trim();
                    if !same_town {
                        out.push(problem(
                            "helped",
                            ProblemKind::TownModeDifferentTowns {
                                helper: h.name.clone(),
                                helped: v.name.clone(),
                            },
                        ));
                    }
                }
            }
            for v in helped {
                if !(v.category.is_village() && v.ownership.is_private()) {
                    out.push(problem(
                        "helped",
                        ProblemKind::TownModeHelpedNotVillagePrivate {
                            name: v.name.clone(),
                        },
                    ));
                }
            }
        }
        Mode::District => {
            for h in helpers {
                if h.stars.unwrap_or(0) < 4 {
                    out.push(problem(
                        "helpers",
                        ProblemKind::DistrictModeHelperStars {
                            name: h.name.clone(),
                            stars: h.stars,
                        },
                    ));
                }
                if helped.iter().any(|v| v.district_id != h.district_id) {
                    out.push(problem(
                        "helpers",
                        ProblemKind::DistrictModeOtherDistrict {
                            helper: h.name.clone(),
                            district: model.district_name(&h.district_id),
                        },
                    ));
                }
            }
        }
        Mode::CrossRegion => {
            let all_one_district = helpers
                .iter()
                .all(|h| helped.iter().all(|v| v.district_id == h.district_id));
            if all_one_district {
                out.push(problem("mode", ProblemKind::CrossRegionSameDistrict));
            }
        }
    }
    out
}

/// Whether the agreement may still be changed.
pub fn check_editable(p: &Pairing) -> Vec<Problem> {
    if p.agreement.status == AgreementStatus::Filed {
        vec![problem("status", ProblemKind::AgreementFiled)]
    } else {
        Vec::new()
    }
}

/// Signing (签订): a draft whose pairing holds every rule.
pub fn check_sign(model: &Model, p: &Pairing) -> Vec<Problem> {
    match p.agreement.status {
        AgreementStatus::Filed => vec![problem("status", ProblemKind::AgreementFiled)],
        AgreementStatus::Signed => vec![problem("status", ProblemKind::AlreadySigned)],
        AgreementStatus::Draft => check_pairing(model, p),
    }
}

/// A bureau's confirmation (主管教育局确认) of a signed agreement.
pub fn check_confirm(model: &Model, p: &Pairing, district: &Id) -> Vec<Problem> {
    match p.agreement.status {
        AgreementStatus::Filed => return vec![problem("status", ProblemKind::AgreementFiled)],
        AgreementStatus::Draft => return vec![problem("status", ProblemKind::NotSigned)],
        AgreementStatus::Signed => {}
    }
    if !model.pairing_districts(p).contains(district) {
        return vec![problem(
            "district",
            ProblemKind::DistrictNotInvolved {
                district: model.district_name(district),
            },
        )];
    }
    if p.agreement
        .confirmations
        .iter()
        .any(|c| &c.district_id == district)
    {
        return vec![problem("district", ProblemKind::AlreadyConfirmed)];
    }
    Vec::new()
}

/// Filing (审核备案): signed, and confirmed by every bureau involved — for a
/// cross-region pairing, both sides' bureaus.
pub fn check_file(model: &Model, p: &Pairing) -> Vec<Problem> {
    match p.agreement.status {
        AgreementStatus::Filed => return vec![problem("status", ProblemKind::AgreementFiled)],
        AgreementStatus::Draft => return vec![problem("status", ProblemKind::NotSigned)],
        AgreementStatus::Signed => {}
    }
    let missing: Vec<String> = model
        .unconfirmed_districts(p)
        .iter()
        .map(|d| model.district_name(d))
        .collect();
    if missing.is_empty() {
        check_pairing(model, p)
    } else {
        vec![problem(
            "confirmations",
            ProblemKind::MissingConfirmations { districts: missing },
        )]
    }
}

/// A support activity, new or edited.
pub fn check_visit(model: &Model, v: &Visit, today: NaiveDate) -> Vec<Problem> {
    let mut out = Vec::new();
    not_in_future(&mut out, "date", v.date, today);
    match model.pairing(&v.pairing_id) {
        None => out.push(unknown("pairing", Entity::Pairing, &v.pairing_id)),
        Some(p) => {
            let a = &p.agreement;
            if v.date < a.start || v.date > a.end {
                out.push(problem(
                    "date",
                    ProblemKind::OutsideAgreement {
                        date: v.date,
                        start: a.start,
                        end: a.end,
                    },
                ));
            }
            if let Some(place) = &v.place_id
                && !p.members().any(|m| m == place)
            {
                out.push(problem(
                    "place",
                    ProblemKind::PlaceNotInPairing {
                        name: model.kindergarten_name(place),
                    },
                ));
            }
        }
    }
    if v.tasks.is_empty() && v.note.trim().is_empty() {
        out.push(problem("tasks", ProblemKind::TaskOrNote));
    }
    count(
        &mut out,
        "teachers_reached",
        v.teachers_reached,
        limits::TEACHERS,
    );
    count(
        &mut out,
        "children_reached",
        v.children_reached,
        limits::CHILDREN,
    );
    let m = &v.materials;
    count(&mut out, "toys", m.toys, limits::MATERIALS);
    count(
        &mut out,
        "play_materials",
        m.play_materials,
        limits::MATERIALS,
    );
    count(
        &mut out,
        "picture_books",
        m.picture_books,
        limits::MATERIALS,
    );
    for p in &v.participants {
        required(&mut out, "participants", &p.name);
    }
    out
}

/// The helped side's confirmation of a visit.
pub fn check_visit_confirm(v: &Visit, by: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    required(&mut out, "by", by);
    if v.confirmed.is_some() {
        out.push(problem("confirmed", ProblemKind::AlreadyConfirmed));
    }
    out
}

/// An inspection, new or edited.
pub fn check_inspection(model: &Model, i: &Inspection, today: NaiveDate) -> Vec<Problem> {
    check_inspection_draft(model, &super::drafts::InspectionDraft::of(i), today)
}

/// An inspection as typed (before it has a district to live in).
pub fn check_inspection_draft(
    model: &Model,
    i: &super::drafts::InspectionDraft,
    today: NaiveDate,
) -> Vec<Problem> {
    let mut out = Vec::new();
    if i.pairing_id.is_none() && i.kindergarten_id.is_none() {
        out.push(problem("pairing", ProblemKind::Required));
    }
    if let Some(p) = &i.pairing_id
        && model.pairing(p).is_none()
    {
        out.push(unknown("pairing", Entity::Pairing, p));
    }
    if let Some(k) = &i.kindergarten_id
        && model.kindergarten(k).is_none()
    {
        out.push(unknown("kindergarten", Entity::Kindergarten, k));
    }
    required(&mut out, "inspector", &i.inspector);
    not_in_future(&mut out, "date", i.date, today);
    for area in Area::ALL {
        let field = match area {
            Area::Philosophy => "philosophy",
            Area::CareEducation => "care_education",
            Area::Environment => "environment",
            Area::Management => "management",
        };
        in_range(&mut out, field, i.scores.get(*area), 1, 5);
    }
    if let Some(due) = i.follow_up_due
        && due < i.date
    {
        out.push(problem(
            "follow_up_due",
            ProblemKind::DueBeforeDate { due, date: i.date },
        ));
    }
    out
}

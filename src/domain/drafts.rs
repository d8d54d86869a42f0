//! What people fill in for a new or changed record, before it is one: no
//! id (the writer draws it) and, where the record's district follows from
//! other records (a pairing's helped kindergartens, a visit's pairing, an
//! inspection's subject), no district either. Every front end (command
//! line, forms, spreadsheet rows) fills in the same drafts through
//! `crate::input`, and `store::Writer` checks and saves them.

use super::*;
use chrono::NaiveDate;

/// A kindergarten as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindergartenDraft {
    pub name: String,
    pub district_id: Id,
    pub town: String,
    pub village: String,
    pub ownership: Ownership,
    pub category: Category,
    pub stars: Option<i64>,
    pub rural: bool,
    pub children: i64,
    pub teachers: i64,
    pub contact: String,
    pub phone: String,
}

impl KindergartenDraft {
    pub fn into_record(self, id: Id) -> Kindergarten {
        Kindergarten {
            id,
            name: self.name,
            district_id: self.district_id,
            town: self.town,
            village: self.village,
            ownership: self.ownership,
            category: self.category,
            stars: self.stars,
            rural: self.rural,
            children: self.children,
            teachers: self.teachers,
            contact: self.contact,
            phone: self.phone,
        }
    }
}

/// Whether a kindergarten of this category counts as rural unless told
/// otherwise: every category but the urban quality kindergartens.
pub fn rural_by_category(c: Category) -> bool {
    c != Category::UrbanQuality
}

/// The terms of an agreement as typed (its status and stamps are the
/// writer's business).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermsDraft {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub forms: Vec<SupportForm>,
    pub tasks: Vec<Task>,
    pub goals: String,
    pub rights: String,
    pub schedule: String,
    pub fees: i64,
}

impl TermsDraft {
    /// A draft agreement with these terms.
    pub fn into_agreement(self) -> Agreement {
        Agreement {
            status: AgreementStatus::Draft,
            start: self.start,
            end: self.end,
            forms: self.forms,
            tasks: self.tasks,
            goals: self.goals,
            rights: self.rights,
            schedule: self.schedule,
            fees: self.fees,
            signed: None,
            confirmations: Vec::new(),
            filed: None,
        }
    }

    pub fn of(a: &Agreement) -> TermsDraft {
        TermsDraft {
            start: a.start,
            end: a.end,
            forms: a.forms.clone(),
            tasks: a.tasks.clone(),
            goals: a.goals.clone(),
            rights: a.rights.clone(),
            schedule: a.schedule.clone(),
            fees: a.fees,
        }
    }
}

/// A pairing and its draft agreement as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingDraft {
    pub helpers: Vec<Id>,
    pub helped: Vec<Id>,
    pub mode: Mode,
    pub cohort: i32,
    pub terms: TermsDraft,
}

impl PairingDraft {
    /// The pairing, living in `district` (that of its helped side).
    pub fn into_record(self, id: Id, district: Id) -> Pairing {
        Pairing {
            id,
            district_id: district,
            helpers: self.helpers,
            helped: self.helped,
            cohort: self.cohort,
            mode: self.mode,
            agreement: self.terms.into_agreement(),
        }
    }
}

/// A support activity as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitDraft {
    pub pairing_id: Id,
    pub date: NaiveDate,
    pub form: SupportForm,
    pub tasks: Vec<Task>,
    pub place_id: Option<Id>,
    pub participants: Vec<Participant>,
    pub teachers_reached: i64,
    pub children_reached: i64,
    pub materials: Materials,
    pub note: String,
    pub follow_up: String,
}

impl VisitDraft {
    /// The visit, living in `district` (its pairing's); a confirmation the
    /// visit already had is the caller's to keep.
    pub fn into_record(self, id: Id, district: Id) -> Visit {
        Visit {
            id,
            pairing_id: self.pairing_id,
            district_id: district,
            date: self.date,
            form: self.form,
            tasks: self.tasks,
            place_id: self.place_id,
            participants: self.participants,
            teachers_reached: self.teachers_reached,
            children_reached: self.children_reached,
            materials: self.materials,
            note: self.note,
            follow_up: self.follow_up,
            confirmed: None,
        }
    }
}

/// An inspection as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionDraft {
    pub pairing_id: Option<Id>,
    pub kindergarten_id: Option<Id>,
    pub date: NaiveDate,
    pub inspector: String,
    pub scores: Scores,
    pub findings: String,
    pub guidance: String,
    pub follow_up_due: Option<NaiveDate>,
}

impl InspectionDraft {
    pub fn of(i: &Inspection) -> InspectionDraft {
        InspectionDraft {
            pairing_id: i.pairing_id.clone(),
            kindergarten_id: i.kindergarten_id.clone(),
            date: i.date,
            inspector: i.inspector.clone(),
            scores: i.scores,
            findings: i.findings.clone(),
            guidance: i.guidance.clone(),
            follow_up_due: i.follow_up_due,
        }
    }

    pub fn into_record(self, id: Id, district: Id) -> Inspection {
        Inspection {
            id,
            district_id: district,
            pairing_id: self.pairing_id,
            kindergarten_id: self.kindergarten_id,
            date: self.date,
            inspector: self.inspector,
            scores: self.scores,
            findings: self.findings,
            guidance: self.guidance,
            follow_up_due: self.follow_up_due,
        }
    }
}

/// A year's plan as people set it: one district's target (helpers and
/// helped), and/or the city's stated total and target share. What is not
/// given stays as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDraft {
    pub year: i32,
    /// A district's target: the district, helpers, helped.
    pub target: Option<(Id, i64, i64)>,
    pub stated_total: Option<i64>,
    pub share_percent: Option<i64>,
}

impl PlanDraft {
    /// The district's target to set, if any.
    pub fn plan_target(&self) -> Option<PlanTarget> {
        self.target
            .as_ref()
            .map(|(district, helpers, helped)| PlanTarget {
                year: self.year,
                district_id: district.clone(),
                helpers: *helpers,
                helped: *helped,
            })
    }

    /// The year's plan to set, if the total or the share is given; what is
    /// not given is kept from `old`.
    pub fn year_plan(&self, old: Option<&YearPlan>) -> Option<YearPlan> {
        (self.stated_total.is_some() || self.share_percent.is_some()).then(|| YearPlan {
            year: self.year,
            stated_total: self.stated_total.or(old.and_then(|y| y.stated_total)),
            target_share_percent: self
                .share_percent
                .or(old.and_then(|y| y.target_share_percent)),
        })
    }
}

/// An invite as people ask for it: the role, its scope, the name the new
/// member will have, how long the invite stays valid. Whether this member
/// may invite so is decided by `domain::invites::invite_for`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteDraft {
    pub role: MemberRole,
    /// A district admin's district, or an inspector's districts.
    pub districts: Vec<Id>,
    /// A kindergarten member's kindergarten.
    pub kindergarten: Option<Id>,
    pub name: Option<String>,
    /// Seconds the invite stays valid.
    pub expires_secs: i64,
}

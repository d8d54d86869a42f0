//! Who may write what (写入权限): one matrix of role × kind of write, each
//! cell a scope rule.
//!
//! The store's `Writer` asks it before every edit, whichever front end
//! made the edit (command line, interface, import, demo), and every device
//! asks it again of each change it receives from another (see
//! docs/SECURITY.md): a rule that lived in one front end would be no rule.
//!
//! A [`Target`] says what a write touches as far as permission goes (the
//! district whose document holds the record, the kindergartens it
//! concerns, the report's level); [`decide`] answers from the member's
//! role and scope alone. Workflow locks (a filed agreement, a submitted
//! report) are the rules' business (`rules.rs`, `reports.rs`), checked
//! after this.

use super::access::Member;
use super::codes::{Level, MemberRole};
use super::id::Id;
use super::model::Entity;
use super::model::Model;
use super::records::{Inspection, Kindergarten, Pairing, Visit};
use super::reports::ReportKey;
use super::rules::{Problem, ProblemKind};

/// A kind of write (写入类别).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Write {
    /// The programme's report settings.
    Settings,
    /// Yearly targets and the city's year plans (年度目标).
    Plan,
    AddDistrict,
    /// A district's name or its list of towns.
    EditDistrict,
    /// Inviting a member (a grant of role and scope).
    Invite,
    Revoke,
    AddKindergarten,
    EditKindergarten,
    DeleteKindergarten,
    AddPairing,
    /// The agreement's terms (帮扶协议).
    EditAgreement,
    /// 签订
    SignAgreement,
    /// 主管教育局确认
    ConfirmAgreement,
    /// 审核备案
    FileAgreement,
    DeletePairing,
    AddVisit,
    EditVisit,
    /// The helped side confirms a visit (被帮扶园确认).
    ConfirmVisit,
    DeleteVisit,
    AddInspection,
    EditInspection,
    DeleteInspection,
    /// A report's sections or statistics (starting it if nobody has).
    WriteReport,
    /// 报送
    SubmitReport,
    AcceptReport,
    ReturnReport,
    /// The receiving level notes having seen a submitted report.
    MarkSeen,
    DeleteReport,
    /// Evidence attached to, or removed from, a pairing, a visit or an
    /// inspection (佐证材料).
    Attach,
    /// Appendices attached to, or removed from, a report.
    AttachToReport,
}

impl Write {
    pub const ALL: [Write; 30] = [
        Write::Settings,
        Write::Plan,
        Write::AddDistrict,
        Write::EditDistrict,
        Write::Invite,
        Write::Revoke,
        Write::AddKindergarten,
        Write::EditKindergarten,
        Write::DeleteKindergarten,
        Write::AddPairing,
        Write::EditAgreement,
        Write::SignAgreement,
        Write::ConfirmAgreement,
        Write::FileAgreement,
        Write::DeletePairing,
        Write::AddVisit,
        Write::EditVisit,
        Write::ConfirmVisit,
        Write::DeleteVisit,
        Write::AddInspection,
        Write::EditInspection,
        Write::DeleteInspection,
        Write::WriteReport,
        Write::SubmitReport,
        Write::AcceptReport,
        Write::ReturnReport,
        Write::MarkSeen,
        Write::DeleteReport,
        Write::Attach,
        Write::AttachToReport,
    ];

    /// Locale key (`write.<code>`) and stable name.
    pub fn code(self) -> &'static str {
        match self {
            Write::Settings => "settings",
            Write::Plan => "plan",
            Write::AddDistrict => "add_district",
            Write::EditDistrict => "edit_district",
            Write::Invite => "invite",
            Write::Revoke => "revoke",
            Write::AddKindergarten => "add_kindergarten",
            Write::EditKindergarten => "edit_kindergarten",
            Write::DeleteKindergarten => "delete_kindergarten",
            Write::AddPairing => "add_pairing",
            Write::EditAgreement => "edit_agreement",
            Write::SignAgreement => "sign_agreement",
            Write::ConfirmAgreement => "confirm_agreement",
            Write::FileAgreement => "file_agreement",
            Write::DeletePairing => "delete_pairing",
            Write::AddVisit => "add_visit",
            Write::EditVisit => "edit_visit",
            Write::ConfirmVisit => "confirm_visit",
            Write::DeleteVisit => "delete_visit",
            Write::AddInspection => "add_inspection",
            Write::EditInspection => "edit_inspection",
            Write::DeleteInspection => "delete_inspection",
            Write::WriteReport => "write_report",
            Write::SubmitReport => "submit_report",
            Write::AcceptReport => "accept_report",
            Write::ReturnReport => "return_report",
            Write::MarkSeen => "mark_seen",
            Write::DeleteReport => "delete_report",
            Write::Attach => "attach",
            Write::AttachToReport => "attach_to_report",
        }
    }
}

/// What a report is, for permissions: the level that writes it, the
/// district it belongs to and, for a kindergarten's summary, the
/// kindergarten. A monthly report is written at the district's level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSubject {
    pub level: Level,
    pub district: Option<Id>,
    pub kindergarten: Option<Id>,
}

/// What a write touches, as far as who may make it goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    /// The district whose document holds the record; none for the
    /// programme document. For an invite: the district of the scope given.
    pub district: Option<Id>,
    /// The kindergartens the record concerns: the kindergarten itself, or
    /// both sides of the pairing (of a visit, of an inspection).
    pub kindergartens: Vec<Id>,
    /// The helped side of the pairing (who confirms its visits).
    pub helped: Vec<Id>,
    /// The bureau a confirmation is made for.
    pub confirming: Option<Id>,
    pub report: Option<ReportSubject>,
    /// For an invite or a revocation: the role given or taken, and an
    /// inspector's districts.
    pub role: Option<MemberRole>,
    pub districts: Vec<Id>,
}

impl Target {
    /// Something of the programme document as a whole.
    pub fn programme() -> Target {
        Target::default()
    }

    pub fn district(d: &Id) -> Target {
        Target {
            district: Some(d.clone()),
            ..Target::default()
        }
    }

    pub fn kindergarten(k: &Kindergarten) -> Target {
        Target::listed(&k.district_id, &k.id)
    }

    /// A kindergarten as its district's directory names it.
    pub fn listed(district: &Id, kindergarten: &Id) -> Target {
        Target {
            district: Some(district.clone()),
            kindergartens: vec![kindergarten.clone()],
            ..Target::default()
        }
    }

    pub fn pairing(p: &Pairing) -> Target {
        Target {
            district: Some(p.district_id.clone()),
            kindergartens: p.members().cloned().collect(),
            helped: p.helped.clone(),
            ..Target::default()
        }
    }

    /// A confirmation of the pairing's agreement by `bureau`.
    pub fn confirmation(p: &Pairing, bureau: &Id) -> Target {
        Target {
            confirming: Some(bureau.clone()),
            ..Target::pairing(p)
        }
    }

    /// A visit: as its pairing (when known), in the visit's district.
    pub fn visit(v: &Visit, pairing: Option<&Pairing>) -> Target {
        Target {
            district: Some(v.district_id.clone()),
            ..pairing.map(Target::pairing).unwrap_or_default()
        }
    }

    /// An inspection: its district, and the kindergartens inspected.
    pub fn inspection(i: &Inspection, pairing: Option<&Pairing>) -> Target {
        let mut kindergartens: Vec<Id> = pairing
            .map(|p| p.members().cloned().collect())
            .unwrap_or_default();
        kindergartens.extend(i.kindergarten_id.clone());
        Target {
            district: Some(i.district_id.clone()),
            kindergartens,
            ..Target::default()
        }
    }

    /// A report, by its key; `home` is the district document it lives in.
    pub fn report(key: &ReportKey, home: Option<Id>) -> Target {
        let kindergarten = match key {
            ReportKey::Annual {
                level: Level::Kindergarten,
                subject,
                ..
            } => subject.clone(),
            _ => None,
        };
        Target {
            district: home.clone(),
            report: Some(ReportSubject {
                level: key.level(),
                district: home,
                kindergarten,
            }),
            ..Target::default()
        }
    }

    /// A member given or taken a role: the district of its scope (a
    /// kindergarten's district as the model knows it).
    pub fn member(model: &Model, m: &Member) -> Target {
        let kd = m
            .kindergarten
            .as_ref()
            .and_then(|k| model.kindergarten(k))
            .map(|k| k.district_id.clone());
        Target::member_in(m, kd.as_ref())
    }

    /// The same, with the kindergarten's district given (a membership
    /// certificate names it; no model is needed).
    pub fn member_in(m: &Member, kindergarten_district: Option<&Id>) -> Target {
        let district = match m.role {
            MemberRole::Kindergarten => kindergarten_district.cloned(),
            _ => m.district.clone(),
        };
        Target {
            district,
            kindergartens: m.kindergarten.iter().cloned().collect(),
            role: Some(m.role),
            districts: m.districts.clone(),
            ..Target::default()
        }
    }
}

/// The scope in which a role may make a kind of write: one cell of the
/// matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// This role never may.
    Never,
    /// Anywhere in the programme.
    Everywhere,
    /// In the member's own district (a district bureau).
    OwnDistrict,
    /// The member's own kindergarten record.
    OwnKindergarten,
    /// A pairing the member's kindergarten is in (either side).
    OwnPairing,
    /// A pairing in which the member's kindergarten is helped.
    HelpedSide,
    /// One of the inspector's districts.
    InspectedDistrict,
    /// A confirmation in the name of the member's own bureau.
    OwnBureau,
    /// A report the member's level writes, or a bureau above it.
    ReportWriter,
    /// A report submitted to the member's level.
    ReportReviewer,
    /// Members within the bureau's own district.
    DistrictMembers,
}

/// The matrix: in which scope `role` may make `write`.
pub fn scope(role: MemberRole, write: Write) -> Scope {
    use Scope::*;
    use Write as W;
    match role {
        MemberRole::CityAdmin => Everywhere,
        MemberRole::Viewer => Never,
        MemberRole::DistrictAdmin => match write {
            W::Settings | W::Plan | W::AddDistrict => Never,
            W::Invite | W::Revoke => DistrictMembers,
            W::ConfirmAgreement => OwnBureau,
            W::WriteReport | W::SubmitReport | W::DeleteReport | W::AttachToReport => ReportWriter,
            W::AcceptReport | W::ReturnReport | W::MarkSeen => ReportReviewer,
            W::EditDistrict
            | W::AddKindergarten
            | W::EditKindergarten
            | W::DeleteKindergarten
            | W::AddPairing
            | W::EditAgreement
            | W::SignAgreement
            | W::FileAgreement
            | W::DeletePairing
            | W::AddVisit
            | W::EditVisit
            | W::ConfirmVisit
            | W::DeleteVisit
            | W::AddInspection
            | W::EditInspection
            | W::DeleteInspection
            | W::Attach => OwnDistrict,
        },
        MemberRole::Kindergarten => match write {
            W::EditKindergarten => OwnKindergarten,
            W::EditAgreement | W::SignAgreement => OwnPairing,
            W::AddVisit | W::EditVisit | W::DeleteVisit | W::Attach => OwnPairing,
            W::ConfirmVisit => HelpedSide,
            W::WriteReport | W::SubmitReport | W::DeleteReport | W::AttachToReport => ReportWriter,
            _ => Never,
        },
        MemberRole::Inspector => match write {
            W::AddInspection | W::EditInspection | W::DeleteInspection | W::Attach => {
                InspectedDistrict
            }
            _ => Never,
        },
    }
}

/// Why a write is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The member's role never may make this kind of write.
    Role,
    /// It may, but not to this record: it lies outside the member's scope.
    Scope,
}

fn is(mine: &Option<Id>, theirs: &Option<Id>) -> bool {
    mine.is_some() && mine == theirs
}

fn holds(s: Scope, me: &Member, t: &Target) -> bool {
    let my_kindergarten_in = |ks: &[Id]| me.kindergarten.as_ref().is_some_and(|k| ks.contains(k));
    let report = t.report.as_ref();
    match s {
        Scope::Never => false,
        Scope::Everywhere => true,
        Scope::OwnDistrict => is(&me.district, &t.district),
        Scope::OwnKindergarten => {
            t.kindergartens.len() == 1 && my_kindergarten_in(&t.kindergartens)
        }
        Scope::OwnPairing => my_kindergarten_in(&t.kindergartens),
        Scope::HelpedSide => my_kindergarten_in(&t.helped),
        Scope::InspectedDistrict => t
            .district
            .as_ref()
            .is_some_and(|d| me.districts.contains(d)),
        Scope::OwnBureau => is(&me.district, &t.confirming),
        Scope::ReportWriter => report.is_some_and(|r| match me.role {
            MemberRole::DistrictAdmin => r.level != Level::City && is(&me.district, &r.district),
            MemberRole::Kindergarten => {
                r.level == Level::Kindergarten && is(&me.kindergarten, &r.kindergarten)
            }
            _ => false,
        }),
        Scope::ReportReviewer => report.is_some_and(|r| {
            me.role == MemberRole::DistrictAdmin
                && r.level == Level::Kindergarten
                && is(&me.district, &r.district)
        }),
        Scope::DistrictMembers => match t.role {
            Some(MemberRole::DistrictAdmin | MemberRole::Kindergarten) => {
                is(&me.district, &t.district)
            }
            Some(MemberRole::Inspector) => {
                me.district.is_some()
                    && !t.districts.is_empty()
                    && t.districts.iter().all(|d| Some(d) == me.district.as_ref())
            }
            _ => false,
        },
    }
}

/// May `me` make `write` to what `target` describes?
pub fn decide(me: &Member, write: Write, target: &Target) -> Result<(), Denied> {
    match scope(me.role, write) {
        Scope::Never => Err(Denied::Role),
        s if holds(s, me, target) => Ok(()),
        _ => Err(Denied::Scope),
    }
}

/// Whether `me` may make `write` to `target` (see [`decide`]).
pub fn allowed(me: &Member, write: Write, target: &Target) -> bool {
    decide(me, write, target).is_ok()
}

/// [`decide`] as the problems a form or the command line shows: none when
/// allowed; "not a member" when there is no member; else which role may
/// not do what to which record (kind and id).
pub fn check(
    me: Option<&Member>,
    write: Write,
    target: &Target,
    record: Option<(Entity, &Id)>,
) -> Vec<Problem> {
    let Some(me) = me else {
        return vec![Problem {
            field: "member",
            kind: ProblemKind::NotAMember,
        }];
    };
    match decide(me, write, target) {
        Ok(()) => Vec::new(),
        Err(denied) => vec![Problem {
            field: "member",
            kind: ProblemKind::NotAllowed {
                role: me.role,
                write,
                record: record.map(|(what, id)| (what, id.short().to_string())),
                denied,
            },
        }],
    }
}

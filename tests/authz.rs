//! The authorisation matrix, exhaustively: every role × every kind of
//! write × a record of the member's own, another record of its district,
//! and a record of another district. The expectations are written out as
//! a table below, independently of the code's own matrix.

use bangfu::domain::authz::{self, Denied, ReportSubject, Target, Write};
use bangfu::domain::*;

fn id(n: u8) -> Id {
    Id::from_random_bytes([n; 16])
}

/// 盘山县 (D1) and 大洼区 (D2); K1 and K2 in D1, K3 and K4 in D2.
struct World {
    d1: Id,
    d2: Id,
    k1: Id,
    k2: Id,
    k3: Id,
    k4: Id,
}

fn world() -> World {
    World {
        d1: id(1),
        d2: id(2),
        k1: id(11),
        k2: id(12),
        k3: id(13),
        k4: id(14),
    }
}

fn member(role: MemberRole, w: &World) -> Member {
    Member {
        id: format!("{:064x}", role as u8),
        name: "成员".into(),
        role,
        district: (role == MemberRole::DistrictAdmin).then(|| w.d1.clone()),
        // The kindergarten member is K1, helped in its pairing.
        kindergarten: (role == MemberRole::Kindergarten).then(|| w.k1.clone()),
        districts: if role == MemberRole::Inspector {
            vec![w.d1.clone()]
        } else {
            vec![]
        },
        added_by: String::new(),
        added_on: chrono::NaiveDate::from_ymd_opt(2024, 9, 1).unwrap_or_default(),
        revoked: false,
    }
}

fn pairing(district: &Id, helper: &Id, helped: &Id) -> Target {
    Target {
        district: Some(district.clone()),
        kindergartens: vec![helper.clone(), helped.clone()],
        helped: vec![helped.clone()],
        ..Target::default()
    }
}

fn report(level: Level, district: &Id, kindergarten: Option<&Id>) -> Target {
    Target {
        district: Some(district.clone()),
        report: Some(ReportSubject {
            level,
            district: Some(district.clone()),
            kindergarten: kindergarten.cloned(),
        }),
        ..Target::default()
    }
}

fn grant(role: MemberRole, district: &Id, kindergarten: Option<&Id>) -> Target {
    Target {
        district: (role != MemberRole::Inspector).then(|| district.clone()),
        kindergartens: kindergarten.cloned().into_iter().collect(),
        role: Some(role),
        districts: if role == MemberRole::Inspector {
            vec![district.clone()]
        } else {
            vec![]
        },
        ..Target::default()
    }
}

/// The three records each write is tried on: the member's own, another of
/// its district, one of another district.
fn targets(write: Write, w: &World) -> [Target; 3] {
    use Write::*;
    match write {
        Settings | Plan | AddDistrict => [
            Target::programme(),
            Target::programme(),
            Target::programme(),
        ],
        EditDistrict => [
            Target::district(&w.d1),
            Target::district(&w.d1),
            Target::district(&w.d2),
        ],
        Invite | Revoke => [
            grant(MemberRole::Kindergarten, &w.d1, Some(&w.k2)),
            grant(MemberRole::Inspector, &w.d1, None),
            grant(MemberRole::DistrictAdmin, &w.d2, None),
        ],
        AddKindergarten | EditKindergarten | DeleteKindergarten => {
            let k = |d: &Id, k: &Id| Target {
                district: Some(d.clone()),
                kindergartens: vec![k.clone()],
                ..Target::default()
            };
            [k(&w.d1, &w.k1), k(&w.d1, &w.k2), k(&w.d2, &w.k3)]
        }
        ConfirmAgreement => {
            let c = |t: Target, d: &Id| Target {
                confirming: Some(d.clone()),
                ..t
            };
            [
                c(pairing(&w.d1, &w.k2, &w.k1), &w.d1),
                c(pairing(&w.d1, &w.k2, &w.k2), &w.d1),
                c(pairing(&w.d2, &w.k3, &w.k4), &w.d2),
            ]
        }
        AddPairing | EditAgreement | SignAgreement | FileAgreement | DeletePairing | AddVisit
        | EditVisit | ConfirmVisit | DeleteVisit | Attach => [
            pairing(&w.d1, &w.k2, &w.k1),
            pairing(&w.d1, &w.k2, &w.k2),
            pairing(&w.d2, &w.k3, &w.k4),
        ],
        AddInspection | EditInspection | DeleteInspection => {
            let i = |d: &Id, k: &Id| Target {
                district: Some(d.clone()),
                kindergartens: vec![k.clone()],
                ..Target::default()
            };
            [i(&w.d1, &w.k1), i(&w.d1, &w.k2), i(&w.d2, &w.k3)]
        }
        WriteReport | SubmitReport | AcceptReport | ReturnReport | MarkSeen | DeleteReport
        | AttachToReport => [
            report(Level::Kindergarten, &w.d1, Some(&w.k1)),
            report(Level::District, &w.d1, None),
            report(Level::District, &w.d2, None),
        ],
    }
}

/// Who may: per role (city, district, kindergarten, inspector, viewer), on
/// (own, same district, other district).
const EXPECTED: &[(&str, [&str; 5])] = &[
    ("settings", ["YYY", "---", "---", "---", "---"]),
    ("plan", ["YYY", "---", "---", "---", "---"]),
    ("add_district", ["YYY", "---", "---", "---", "---"]),
    ("edit_district", ["YYY", "YY-", "---", "---", "---"]),
    ("invite", ["YYY", "YY-", "---", "---", "---"]),
    ("revoke", ["YYY", "YY-", "---", "---", "---"]),
    ("add_kindergarten", ["YYY", "YY-", "---", "---", "---"]),
    ("edit_kindergarten", ["YYY", "YY-", "Y--", "---", "---"]),
    ("delete_kindergarten", ["YYY", "YY-", "---", "---", "---"]),
    ("add_pairing", ["YYY", "YY-", "---", "---", "---"]),
    ("edit_agreement", ["YYY", "YY-", "Y--", "---", "---"]),
    ("sign_agreement", ["YYY", "YY-", "Y--", "---", "---"]),
    ("confirm_agreement", ["YYY", "YY-", "---", "---", "---"]),
    ("file_agreement", ["YYY", "YY-", "---", "---", "---"]),
    ("delete_pairing", ["YYY", "YY-", "---", "---", "---"]),
    ("add_visit", ["YYY", "YY-", "Y--", "---", "---"]),
    ("edit_visit", ["YYY", "YY-", "Y--", "---", "---"]),
    ("confirm_visit", ["YYY", "YY-", "Y--", "---", "---"]),
    ("delete_visit", ["YYY", "YY-", "Y--", "---", "---"]),
    ("add_inspection", ["YYY", "YY-", "---", "YY-", "---"]),
    ("edit_inspection", ["YYY", "YY-", "---", "YY-", "---"]),
    ("delete_inspection", ["YYY", "YY-", "---", "YY-", "---"]),
    ("write_report", ["YYY", "YY-", "Y--", "---", "---"]),
    ("submit_report", ["YYY", "YY-", "Y--", "---", "---"]),
    ("accept_report", ["YYY", "Y--", "---", "---", "---"]),
    ("return_report", ["YYY", "Y--", "---", "---", "---"]),
    ("mark_seen", ["YYY", "Y--", "---", "---", "---"]),
    ("delete_report", ["YYY", "YY-", "Y--", "---", "---"]),
    ("attach", ["YYY", "YY-", "Y--", "YY-", "---"]),
    ("attach_to_report", ["YYY", "YY-", "Y--", "---", "---"]),
];

const ROLES: [MemberRole; 5] = [
    MemberRole::CityAdmin,
    MemberRole::DistrictAdmin,
    MemberRole::Kindergarten,
    MemberRole::Inspector,
    MemberRole::Viewer,
];

#[test]
fn every_role_and_every_write_is_decided_as_the_table_says() {
    let w = world();
    assert_eq!(
        EXPECTED.len(),
        Write::ALL.len(),
        "one row per kind of write"
    );
    let mut cells = 0;
    for write in Write::ALL {
        let row = EXPECTED
            .iter()
            .find(|(code, _)| *code == write.code())
            .map(|(_, r)| r)
            .unwrap_or_else(|| panic!("no row for {}", write.code()));
        let ts = targets(write, &w);
        for (role, expected) in ROLES.iter().zip(row.iter()) {
            let me = member(*role, &w);
            let never = *expected == "---";
            for (t, want) in ts.iter().zip(expected.chars()) {
                let got = authz::decide(&me, write, t);
                let what = format!("{} {:?} on {t:?}", write.code(), role);
                match want {
                    'Y' => assert_eq!(got, Ok(()), "{what} should be allowed"),
                    _ if never => assert_eq!(got, Err(Denied::Role), "{what}: the role never may"),
                    _ => assert_eq!(got, Err(Denied::Scope), "{what}: outside its scope"),
                }
                cells += 1;
            }
        }
    }
    assert_eq!(cells, Write::ALL.len() * ROLES.len() * 3);
}

#[test]
fn a_revoked_or_unknown_member_is_no_member_and_problems_name_role_and_record() {
    let w = world();
    let problems = authz::check(None, Write::AddVisit, &Target::programme(), None);
    assert_eq!(problems[0].kind, ProblemKind::NotAMember);
    let k = member(MemberRole::Kindergarten, &w);
    let visit = id(77);
    let problems = authz::check(
        Some(&k),
        Write::EditVisit,
        &pairing(&w.d2, &w.k3, &w.k4),
        Some((Entity::Visit, &visit)),
    );
    assert_eq!(
        problems[0].kind,
        ProblemKind::NotAllowed {
            role: MemberRole::Kindergarten,
            write: Write::EditVisit,
            record: Some((Entity::Visit, visit.short().to_string())),
            denied: Denied::Scope,
        }
    );
    let text = bangfu::i18n::problem(bangfu::i18n::Lang::Zh, &problems[0]);
    assert!(
        text.contains("幼儿园") && text.contains("帮扶活动") && text.contains(visit.short()),
        "{text}"
    );
}

#[test]
fn scopes_follow_the_record_not_the_document() {
    let w = world();
    // K1 helps across regions: a pairing in D2 with K1 as helper.
    let k1 = member(MemberRole::Kindergarten, &w);
    let across = pairing(&w.d2, &w.k1, &w.k4);
    assert!(authz::allowed(&k1, Write::AddVisit, &across));
    // It is not the helped side there, so it does not confirm visits.
    assert_eq!(
        authz::decide(&k1, Write::ConfirmVisit, &across),
        Err(Denied::Scope)
    );
    // D1's bureau confirms in its own name, in D2's document; not D2's.
    let bureau = member(MemberRole::DistrictAdmin, &w);
    let ours = Target {
        confirming: Some(w.d1.clone()),
        ..across.clone()
    };
    let theirs = Target {
        confirming: Some(w.d2.clone()),
        ..across.clone()
    };
    assert!(authz::allowed(&bureau, Write::ConfirmAgreement, &ours));
    assert_eq!(
        authz::decide(&bureau, Write::ConfirmAgreement, &theirs),
        Err(Denied::Scope)
    );
    // But it files only in its own district.
    assert_eq!(
        authz::decide(&bureau, Write::FileAgreement, &across),
        Err(Denied::Scope)
    );
    // A district bureau invites no one city-wide, nor an inspector of two districts.
    assert_eq!(
        authz::decide(
            &bureau,
            Write::Invite,
            &grant(MemberRole::Viewer, &w.d1, None)
        ),
        Err(Denied::Scope)
    );
    let two = Target {
        districts: vec![w.d1.clone(), w.d2.clone()],
        ..grant(MemberRole::Inspector, &w.d1, None)
    };
    assert_eq!(
        authz::decide(&bureau, Write::Invite, &two),
        Err(Denied::Scope)
    );
    // A city summary is nobody's below the city.
    assert_eq!(
        authz::decide(
            &bureau,
            Write::WriteReport,
            &report(Level::City, &w.d1, None)
        ),
        Err(Denied::Scope)
    );
}

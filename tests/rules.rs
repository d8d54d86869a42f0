//! The programme's rules, each accepted and refused, on a hand-made model.

use bangfu::domain::plan::{self, year_status};
use bangfu::domain::rules::*;
use bangfu::domain::*;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn id(n: u8) -> Id {
    Id::from_random_bytes([n; 16])
}

const PANSHAN: u8 = 1;
const XLT: u8 = 2;
// kindergartens
const CENTRAL: u8 = 10; // 东风镇中心幼儿园: public, town central, 5 stars, 盘山县
const VILLAGE: u8 = 11; // 红旗村幼儿园: private village, 东风镇
const VILLAGE2: u8 = 12; // 前进村幼儿园: inclusive private village, 东风镇
const OTHER_TOWN_VILLAGE: u8 = 13; // 胜利村幼儿园: private village, 西河镇
const PUBLIC_VILLAGE: u8 = 14; // 公办村幼儿园, 东风镇
const WEAK_TOWN: u8 = 15; // 西河镇第二幼儿园: town, 2 stars
const THREE_STAR: u8 = 16; // 西河镇中心幼儿园: 3 stars, private
const URBAN: u8 = 17; // 兴隆台区第一幼儿园: 5 stars, 兴隆台区

fn kg(
    n: u8,
    name: &str,
    district: u8,
    town: &str,
    ownership: Ownership,
    category: Category,
    stars: Option<i64>,
) -> Kindergarten {
    Kindergarten {
        id: id(n),
        name: name.into(),
        district_id: id(district),
        town: town.into(),
        village: String::new(),
        ownership,
        category,
        stars,
        rural: category != Category::UrbanQuality,
        children: 30,
        teachers: 3,
        contact: String::new(),
        phone: String::new(),
    }
}

fn model() -> Model {
    let setup = plan::panjin();
    let mut m = Model::new(setup.programme);
    for (n, name) in [(PANSHAN, "盘山县"), (XLT, "兴隆台区")] {
        m.districts.insert(
            id(n),
            District {
                id: id(n),
                name: name.into(),
                position: n as i64,
                towns: vec![],
                directory: Default::default(),
            },
        );
    }
    let ks = [
        kg(
            CENTRAL,
            "东风镇中心幼儿园",
            PANSHAN,
            "东风镇",
            Ownership::Public,
            Category::TownCentral,
            Some(5),
        ),
        kg(
            VILLAGE,
            "红旗村幼儿园",
            PANSHAN,
            "东风镇",
            Ownership::Private,
            Category::Village,
            None,
        ),
        kg(
            VILLAGE2,
            "前进村幼儿园",
            PANSHAN,
            "东风镇",
            Ownership::InclusivePrivate,
            Category::VillagePoint,
            None,
        ),
        kg(
            OTHER_TOWN_VILLAGE,
            "胜利村幼儿园",
            PANSHAN,
            "西河镇",
            Ownership::Private,
            Category::Village,
            None,
        ),
        kg(
            PUBLIC_VILLAGE,
            "公办村幼儿园",
            PANSHAN,
            "东风镇",
            Ownership::Public,
            Category::Village,
            None,
        ),
        kg(
            WEAK_TOWN,
            "西河镇第二幼儿园",
            PANSHAN,
            "西河镇",
            Ownership::Public,
            Category::Town,
            Some(2),
        ),
        kg(
            THREE_STAR,
            "西河镇中心幼儿园",
            PANSHAN,
            "西河镇",
            Ownership::Public,
            Category::TownCentral,
            Some(3),
        ),
        kg(
            URBAN,
            "兴隆台区第一幼儿园",
            XLT,
            "",
            Ownership::Public,
            Category::UrbanQuality,
            Some(5),
        ),
    ];
    for k in ks {
        m.data
            .entry(k.district_id.clone())
            .or_default()
            .kindergartens
            .insert(k.id.clone(), k);
    }
    m
}

fn agreement(start: &str, end: &str) -> Agreement {
    Agreement {
        status: AgreementStatus::Draft,
        start: d(start),
        end: d(end),
        forms: vec![SupportForm::SendTeachers],
        tasks: vec![Task::Teachers],
        goals: String::new(),
        rights: String::new(),
        schedule: String::new(),
        fees: 0,
        signed: None,
        confirmations: vec![],
        filed: None,
    }
}

fn pairing(helpers: &[u8], helped: &[u8], mode: Mode) -> Pairing {
    Pairing {
        id: id(100),
        district_id: id(PANSHAN),
        helpers: helpers.iter().map(|n| id(*n)).collect(),
        helped: helped.iter().map(|n| id(*n)).collect(),
        cohort: 2024,
        mode,
        agreement: agreement("2024-09-25", "2026-09-24"),
    }
}

fn kinds(ps: &[Problem]) -> Vec<&ProblemKind> {
    ps.iter().map(|p| &p.kind).collect()
}

fn has(ps: &[Problem], f: impl Fn(&ProblemKind) -> bool) -> bool {
    ps.iter().any(|p| f(&p.kind))
}

#[test]
fn a_two_year_agreement_is_accepted_and_a_day_less_is_refused() {
    let m = model();
    let p = pairing(&[CENTRAL], &[VILLAGE], Mode::Town);
    assert_eq!(check_pairing(&m, &p), vec![]);
    let mut short = p.clone();
    short.agreement.end = d("2026-09-23");
    let ps = check_pairing(&m, &short);
    assert!(
        has(
            &ps,
            |k| matches!(k, ProblemKind::AgreementTooShort { earliest_end, .. } if *earliest_end == d("2026-09-24"))
        ),
        "{ps:?}"
    );
}

#[test]
fn a_one_year_agreement_is_refused() {
    let m = model();
    let mut p = pairing(&[CENTRAL], &[VILLAGE], Mode::Town);
    p.agreement.end = d("2025-09-24");
    let ps = check_pairing(&m, &p);
    assert_eq!(ps.len(), 1, "{ps:?}");
    assert_eq!(ps[0].field, "end");
}

#[test]
fn agreements_of_later_cohorts_may_run_past_the_programme() {
    let m = model();
    let mut p = pairing(&[CENTRAL], &[VILLAGE], Mode::Town);
    p.cohort = 2026;
    p.agreement = agreement("2026-09-25", "2028-09-24");
    assert_eq!(check_pairing(&m, &p), vec![]);
    p.cohort = 2027;
    assert!(has(&check_pairing(&m, &p), |k| matches!(
        k,
        ProblemKind::YearOutsideProgramme { .. }
    )));
}

#[test]
fn fees_above_zero_are_refused() {
    let m = model();
    let mut p = pairing(&[CENTRAL], &[VILLAGE], Mode::Town);
    p.agreement.fees = 500;
    assert_eq!(
        kinds(&check_pairing(&m, &p)),
        vec![&ProblemKind::FeesCharged { fees: 500 }]
    );
    p.agreement.fees = 0;
    assert_eq!(check_pairing(&m, &p), vec![]);
}

#[test]
fn a_kindergarten_on_both_sides_is_refused() {
    let m = model();
    let p = pairing(&[CENTRAL], &[CENTRAL], Mode::Town);
    assert!(has(
        &check_pairing(&m, &p),
        |k| matches!(k, ProblemKind::BothSides { name } if name == "东风镇中心幼儿园")
    ));
}

#[test]
fn one_to_many_and_many_to_one_are_accepted_many_to_many_is_refused() {
    let m = model();
    assert_eq!(
        check_pairing(&m, &pairing(&[CENTRAL], &[VILLAGE, VILLAGE2], Mode::Town)),
        vec![]
    );
    assert_eq!(
        check_pairing(
            &m,
            &pairing(&[CENTRAL, URBAN], &[WEAK_TOWN], Mode::CrossRegion)
        ),
        vec![]
    );
    let ps = check_pairing(
        &m,
        &pairing(&[CENTRAL, URBAN], &[WEAK_TOWN, VILLAGE], Mode::CrossRegion),
    );
    assert!(has(&ps, |k| *k == ProblemKind::ManyToMany), "{ps:?}");
}

#[test]
fn unknown_kindergartens_are_refused() {
    let m = model();
    let ps = check_pairing(&m, &pairing(&[99], &[VILLAGE], Mode::Town));
    assert!(has(&ps, |k| matches!(
        k,
        ProblemKind::UnknownId {
            what: Entity::Kindergarten,
            ..
        }
    )));
    assert!(has(
        &check_pairing(&m, &pairing(&[], &[VILLAGE], Mode::Town)),
        |k| *k == ProblemKind::Required
    ));
}

#[test]
fn within_a_town_needs_the_same_town() {
    let m = model();
    let ps = check_pairing(&m, &pairing(&[CENTRAL], &[OTHER_TOWN_VILLAGE], Mode::Town));
    assert!(
        has(&ps, |k| matches!(
            k,
            ProblemKind::TownModeDifferentTowns { .. }
        )),
        "{ps:?}"
    );
}

#[test]
fn within_a_town_the_helped_must_be_a_village_private_one() {
    let m = model();
    let ps = check_pairing(&m, &pairing(&[CENTRAL], &[PUBLIC_VILLAGE], Mode::Town));
    assert!(has(
        &ps,
        |k| matches!(k, ProblemKind::TownModeHelpedNotVillagePrivate { name } if name == "公办村幼儿园")
    ));
    // An inclusive private village point counts as village private.
    assert_eq!(
        check_pairing(&m, &pairing(&[CENTRAL], &[VILLAGE2], Mode::Town)),
        vec![]
    );
}

#[test]
fn within_a_town_the_helper_must_be_public() {
    let mut m = model();
    if let Some(k) = m
        .data
        .get_mut(&id(PANSHAN))
        .and_then(|d| d.kindergartens.get_mut(&id(CENTRAL)))
    {
        k.ownership = Ownership::Private;
    }
    let ps = check_pairing(&m, &pairing(&[CENTRAL], &[VILLAGE], Mode::Town));
    assert!(has(&ps, |k| matches!(
        k,
        ProblemKind::TownModeHelperNotPublic { .. }
    )));
}

#[test]
fn within_a_district_the_helper_needs_four_stars() {
    let m = model();
    let ps = check_pairing(&m, &pairing(&[THREE_STAR], &[WEAK_TOWN], Mode::District));
    assert!(has(&ps, |k| matches!(
        k,
        ProblemKind::DistrictModeHelperStars { stars: Some(3), .. }
    )));
    assert_eq!(
        check_pairing(&m, &pairing(&[CENTRAL], &[WEAK_TOWN], Mode::District)),
        vec![]
    );
}

#[test]
fn within_a_district_the_helper_must_be_in_that_district() {
    let m = model();
    let ps = check_pairing(&m, &pairing(&[URBAN], &[WEAK_TOWN], Mode::District));
    assert!(has(
        &ps,
        |k| matches!(k, ProblemKind::DistrictModeOtherDistrict { district, .. } if district == "兴隆台区")
    ));
}

#[test]
fn cross_region_needs_two_districts_and_both_confirmations_to_file() {
    let m = model();
    let ps = check_pairing(&m, &pairing(&[CENTRAL], &[WEAK_TOWN], Mode::CrossRegion));
    assert!(has(&ps, |k| *k == ProblemKind::CrossRegionSameDistrict));

    let mut p = pairing(&[URBAN], &[WEAK_TOWN], Mode::CrossRegion);
    assert_eq!(check_pairing(&m, &p), vec![]);
    assert!(has(&check_file(&m, &p), |k| *k == ProblemKind::NotSigned));
    assert_eq!(check_sign(&m, &p), vec![]);
    p.agreement.status = AgreementStatus::Signed;
    let stamp = |n: u8| Confirmation {
        district_id: id(n),
        by: "局".into(),
        on: d("2024-10-01"),
    };
    p.agreement.confirmations = vec![stamp(PANSHAN)];
    let ps = check_file(&m, &p);
    assert!(
        has(
            &ps,
            |k| matches!(k, ProblemKind::MissingConfirmations { districts } if districts == &vec!["兴隆台区".to_string()])
        ),
        "{ps:?}"
    );
    assert_eq!(
        check_confirm(&m, &p, &id(PANSHAN)),
        vec![Problem {
            field: "district",
            kind: ProblemKind::AlreadyConfirmed
        }]
    );
    assert_eq!(check_confirm(&m, &p, &id(XLT)), vec![]);
    p.agreement.confirmations.push(stamp(XLT));
    assert_eq!(check_file(&m, &p), vec![]);
}

#[test]
fn a_bureau_not_involved_cannot_confirm() {
    let mut m = model();
    m.districts.insert(
        id(3),
        District {
            id: id(3),
            name: "大洼区".into(),
            position: 3,
            towns: vec![],
            directory: Default::default(),
        },
    );
    let mut p = pairing(&[CENTRAL], &[VILLAGE], Mode::Town);
    p.agreement.status = AgreementStatus::Signed;
    assert!(has(&check_confirm(&m, &p, &id(3)), |k| matches!(
        k,
        ProblemKind::DistrictNotInvolved { .. }
    )));
}

#[test]
fn a_filed_agreement_is_locked() {
    let mut p = pairing(&[CENTRAL], &[VILLAGE], Mode::Town);
    assert_eq!(check_editable(&p), vec![]);
    p.agreement.status = AgreementStatus::Filed;
    assert_eq!(
        kinds(&check_editable(&p)),
        vec![&ProblemKind::AgreementFiled]
    );
    assert_eq!(
        kinds(&check_sign(&model(), &p)),
        vec![&ProblemKind::AgreementFiled]
    );
}

fn visit(date: &str) -> Visit {
    Visit {
        id: id(200),
        pairing_id: id(100),
        district_id: id(PANSHAN),
        date: d(date),
        form: SupportForm::SendTeachers,
        tasks: vec![Task::Teachers],
        place_id: Some(id(VILLAGE)),
        participants: vec![Participant {
            name: "王丽".into(),
            role: "researcher".into(),
        }],
        teachers_reached: 5,
        children_reached: 30,
        materials: Materials::default(),
        note: "送教下乡".into(),
        follow_up: String::new(),
        confirmed: None,
    }
}

fn model_with_pairing() -> Model {
    let mut m = model();
    let p = pairing(&[CENTRAL], &[VILLAGE], Mode::Town);
    m.data
        .entry(id(PANSHAN))
        .or_default()
        .pairings
        .insert(p.id.clone(), p);
    m
}

#[test]
fn a_visit_inside_its_agreement_is_accepted_including_both_ends() {
    let m = model_with_pairing();
    let today = d("2026-11-28");
    assert_eq!(check_visit(&m, &visit("2024-09-25"), today), vec![]);
    assert_eq!(check_visit(&m, &visit("2026-09-24"), today), vec![]);
}

#[test]
fn a_visit_outside_its_agreement_or_in_the_future_is_refused() {
    let m = model_with_pairing();
    let today = d("2025-01-10");
    assert!(has(
        &check_visit(&m, &visit("2024-09-24"), today),
        |k| matches!(k, ProblemKind::OutsideAgreement { .. })
    ));
    let ps = check_visit(&m, &visit("2025-01-11"), today);
    assert_eq!(
        kinds(&ps),
        vec![&ProblemKind::InFuture {
            date: d("2025-01-11"),
            today
        }]
    );
}

#[test]
fn a_visit_of_an_unknown_pairing_or_elsewhere_is_refused() {
    let m = model_with_pairing();
    let today = d("2026-11-28");
    let mut v = visit("2025-03-01");
    v.pairing_id = id(101);
    assert!(has(&check_visit(&m, &v, today), |k| matches!(
        k,
        ProblemKind::UnknownId {
            what: Entity::Pairing,
            ..
        }
    )));
    let mut v = visit("2025-03-01");
    v.place_id = Some(id(URBAN));
    assert!(has(&check_visit(&m, &v, today), |k| matches!(
        k,
        ProblemKind::PlaceNotInPairing { .. }
    )));
}

#[test]
fn negative_counts_are_refused() {
    let m = model_with_pairing();
    let mut v = visit("2025-03-01");
    v.children_reached = -1;
    v.materials.picture_books = -5;
    let ps = check_visit(&m, &v, d("2026-11-28"));
    let fields: Vec<&str> = ps.iter().map(|p| p.field).collect();
    assert_eq!(fields, vec!["children_reached", "picture_books"]);
    let mut k = kg(
        50,
        "新园",
        PANSHAN,
        "东风镇",
        Ownership::Public,
        Category::Town,
        None,
    );
    k.teachers = -2;
    assert_eq!(
        kinds(&check_kindergarten(&m, &k)),
        vec![&ProblemKind::Negative { value: -2 }]
    );
}

#[test]
fn a_kindergarten_needs_a_known_district_a_name_unique_there_and_stars_1_to_5() {
    let m = model();
    let mut k = kg(
        50,
        "红旗村幼儿园",
        PANSHAN,
        "东风镇",
        Ownership::Private,
        Category::Village,
        Some(6),
    );
    let ps = check_kindergarten(&m, &k);
    assert!(has(&ps, |x| matches!(x, ProblemKind::DuplicateName { .. })));
    assert!(has(&ps, |x| *x
        == ProblemKind::OutOfRange {
            value: 6,
            min: 1,
            max: 5
        }));
    k.name = "新村幼儿园".into();
    k.stars = None;
    k.district_id = id(77);
    assert!(has(&check_kindergarten(&m, &k), |x| matches!(
        x,
        ProblemKind::UnknownId {
            what: Entity::District,
            ..
        }
    )));
    k.district_id = id(PANSHAN);
    assert_eq!(check_kindergarten(&m, &k), vec![]);
}

#[test]
fn inspection_scores_are_1_to_5_and_follow_up_comes_after() {
    let m = model_with_pairing();
    let mut i = Inspection {
        id: id(210),
        district_id: id(PANSHAN),
        pairing_id: Some(id(100)),
        kindergarten_id: None,
        date: d("2025-06-10"),
        inspector: "赵督导".into(),
        scores: Scores {
            philosophy: 4,
            care_education: 3,
            environment: 5,
            management: 1,
        },
        findings: String::new(),
        guidance: String::new(),
        follow_up_due: Some(d("2025-07-10")),
    };
    assert_eq!(check_inspection(&m, &i, d("2026-11-28")), vec![]);
    i.scores.care_education = 0;
    i.follow_up_due = Some(d("2025-06-01"));
    let fields: Vec<&str> = check_inspection(&m, &i, d("2026-11-28"))
        .iter()
        .map(|p| p.field)
        .collect();
    assert_eq!(fields, vec!["care_education", "follow_up_due"]);
    i.pairing_id = None;
    i.scores.care_education = 3;
    i.follow_up_due = None;
    assert!(has(&check_inspection(&m, &i, d("2026-11-28")), |k| *k
        == ProblemKind::Required));
}

#[test]
fn the_panjin_plan_shows_its_21_against_22_mismatch_in_2024_only() {
    let setup = plan::panjin();
    let mut m = Model::new(setup.programme.clone());
    for (i, name) in setup.districts.iter().enumerate() {
        let did = id(i as u8 + 1);
        m.districts.insert(
            did.clone(),
            District {
                id: did,
                name: name.clone(),
                position: i as i64,
                towns: vec![],
                directory: Default::default(),
            },
        );
    }
    for y in &setup.years {
        m.years.insert(y.year, y.clone());
    }
    for (year, name, helpers, helped) in &setup.targets {
        let did = m
            .district_by_name(name)
            .map(|x| x.id.clone())
            .expect("district");
        m.targets.insert(
            (*year, did.clone()),
            PlanTarget {
                year: *year,
                district_id: did,
                helpers: *helpers,
                helped: *helped,
            },
        );
    }
    assert_eq!(year_status(&m, 2024, &Reach::City).mismatch, Some((21, 22)));
    assert_eq!(year_status(&m, 2025, &Reach::City).mismatch, None);
    assert_eq!(year_status(&m, 2025, &Reach::City).target_sum, 20);
    assert_eq!(year_status(&m, 2026, &Reach::City).mismatch, None);
    assert_eq!(
        year_status(&m, 2026, &Reach::City).cumulative_target_percent,
        Some(100)
    );
    assert_eq!(
        year_status(&m, 2025, &Reach::City).cumulative_target_percent,
        Some(75)
    );
}

#[test]
fn the_share_counts_distinct_kindergartens_in_the_year_s_pairings_over_rural_ones() {
    let mut m = model_with_pairing();
    // 7 rural kindergartens in the fixture (the urban one is not).
    let s = year_status(&m, 2024, &Reach::City);
    assert_eq!((s.in_pairs, s.rural_total), (2, 7));
    assert!((s.share_percent.unwrap_or(0.0) - 200.0 / 7.0).abs() < 1e-9);
    let mut later = pairing(&[CENTRAL], &[VILLAGE2], Mode::Town);
    later.id = id(101);
    later.cohort = 2025;
    m.data
        .entry(id(PANSHAN))
        .or_default()
        .pairings
        .insert(later.id.clone(), later);
    let s = year_status(&m, 2025, &Reach::City);
    // 2025 alone: the central and 前进村; cumulative: three distinct ones.
    assert_eq!((s.in_pairs, s.cumulative_in_pairs), (2, 3));
    let panshan = s
        .districts
        .iter()
        .find(|x| x.name == "盘山县")
        .expect("盘山县");
    assert_eq!(
        (
            panshan.actual_helpers,
            panshan.actual_helped,
            panshan.pairings
        ),
        (1, 1, 1)
    );
}

fn member(
    role: MemberRole,
    district: Option<u8>,
    kindergarten: Option<u8>,
    districts: &[u8],
) -> Member {
    Member {
        id: format!("{:064x}", role as u8),
        name: "成员".into(),
        role,
        district: district.map(id),
        kindergarten: kindergarten.map(id),
        districts: districts.iter().map(|n| id(*n)).collect(),
        added_by: String::new(),
        added_on: d("2026-11-28"),
        revoked: false,
    }
}

#[test]
fn a_district_bureau_invites_only_within_its_own_district() {
    use bangfu::domain::access::{may_invite, within_scope};
    let m = model();
    let city = member(MemberRole::CityAdmin, None, None, &[]);
    let panshan = member(MemberRole::DistrictAdmin, Some(PANSHAN), None, &[]);
    let village = member(MemberRole::Kindergarten, None, Some(VILLAGE), &[]);
    let urban = member(MemberRole::Kindergarten, None, Some(URBAN), &[]);
    let viewer = member(MemberRole::Viewer, None, None, &[]);
    // The city invites anyone, anywhere.
    for w in [&panshan, &village, &urban, &viewer] {
        assert!(may_invite(&city, w.role) && within_scope(&m, &city, w));
    }
    // 盘山县's bureau: its own kindergartens and inspectors, not another
    // district's, not a city-wide viewer or admin.
    assert!(may_invite(&panshan, village.role) && within_scope(&m, &panshan, &village));
    assert!(!within_scope(&m, &panshan, &urban));
    let inspector_here = member(MemberRole::Inspector, None, None, &[PANSHAN]);
    let inspector_both = member(MemberRole::Inspector, None, None, &[PANSHAN, XLT]);
    assert!(within_scope(&m, &panshan, &inspector_here));
    assert!(!within_scope(&m, &panshan, &inspector_both));
    assert!(!may_invite(&panshan, MemberRole::Viewer));
    assert!(!may_invite(&panshan, MemberRole::CityAdmin));
    // A kindergarten invites nobody.
    assert!(!may_invite(&village, MemberRole::Kindergarten));
}

#[test]
fn a_kindergarten_reads_its_district_and_a_cross_region_pairing_s() {
    use bangfu::domain::access::readable_districts;
    let mut m = model();
    // 兴隆台区第一幼儿园 helps 红旗村幼儿园 of 盘山县 across regions.
    let p = pairing(&[URBAN], &[VILLAGE], Mode::CrossRegion);
    m.data
        .entry(id(PANSHAN))
        .or_default()
        .pairings
        .insert(p.id.clone(), p);
    let set = |ns: &[u8]| {
        ns.iter()
            .map(|n| id(*n))
            .collect::<std::collections::BTreeSet<Id>>()
    };
    let urban = member(MemberRole::Kindergarten, None, Some(URBAN), &[]);
    assert_eq!(readable_districts(&m, &urban), set(&[XLT, PANSHAN]));
    let village = member(MemberRole::Kindergarten, None, Some(VILLAGE), &[]);
    assert_eq!(readable_districts(&m, &village), set(&[PANSHAN]));
    let xlt_bureau = member(MemberRole::DistrictAdmin, Some(XLT), None, &[]);
    assert_eq!(readable_districts(&m, &xlt_bureau), set(&[XLT, PANSHAN]));
    let inspector = member(MemberRole::Inspector, None, None, &[XLT]);
    assert_eq!(readable_districts(&m, &inspector), set(&[XLT]));
}

/// Lists and pick lists read names in pinyin order, as a bureau's list is
/// sorted: 红旗 (hong) before 前进 (qian), though 前 comes first in Unicode.
#[test]
fn kindergartens_are_listed_by_town_and_name_in_pinyin_order() {
    let m = model();
    let names: Vec<&str> = lists::kindergartens(&m, &lists::Query::all())
        .iter()
        .filter(|k| k.district_id == id(PANSHAN))
        .map(|k| k.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "东风镇中心幼儿园",
            "公办村幼儿园",
            "红旗村幼儿园",
            "前进村幼儿园",
            "胜利村幼儿园",
            "西河镇第二幼儿园",
            "西河镇中心幼儿园",
        ]
    );
    // 西 (xi) before 新 (xin); 大 (da) before 东 (dong); Latin letters
    // without case among them.
    let mut any = vec![
        "新村幼儿园",
        "东风幼儿园",
        "西沟幼儿园",
        "大洼幼儿园",
        "Bay kindergarten",
        "apple",
    ];
    collate::sort_by_name(&mut any, |s| s);
    assert_eq!(
        any,
        [
            "apple",
            "Bay kindergarten",
            "大洼幼儿园",
            "东风幼儿园",
            "西沟幼儿园",
            "新村幼儿园"
        ]
    );
}

use super::*;
use crate::domain::Id;
use chrono::NaiveDate;

const WS: &str = "ws-test";

fn key(n: u8) -> SecretKey {
    SecretKey::from_bytes(&[n; 32])
}

fn id(k: &SecretKey) -> String {
    crate::identity::endpoint_hex(k)
}

fn did(s: &str) -> Id {
    Id::from_random_bytes([s.len() as u8; 16])
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default()
}

fn cert(k: &SecretKey, prev: &[&Cert], kind: Kind) -> Cert {
    Cert::issue(
        k,
        Body {
            v: VERSION,
            workspace: WS.into(),
            issuer: id(k),
            issued_ms: 0,
            prev: prev.iter().map(|c| c.hash.clone()).collect(),
            kind,
        },
    )
}

fn grant(member: &SecretKey, role: MemberRole, district: Option<&str>, kg: Option<&str>) -> Kind {
    Kind::Grant {
        member: id(member),
        name: format!("m{}", &id(member)[..4]),
        role,
        district: if role == MemberRole::Kindergarten {
            None
        } else {
            district.map(did)
        },
        kindergarten: kg.map(did),
        kindergarten_district: if role == MemberRole::Kindergarten {
            district.map(did)
        } else {
            None
        },
        districts: if role == MemberRole::Inspector {
            district.iter().map(|d| did(d)).collect()
        } else {
            Vec::new()
        },
        invite: Some(format!("inv-{}", &id(member)[..6])),
        added_on: day(),
    }
}

fn revoke(member: &SecretKey) -> Kind {
    Kind::Revoke {
        member: id(member),
        cutoff: BTreeMap::from([("programme".to_string(), 3)]),
    }
}

fn root_cert(k: &SecretKey) -> Cert {
    cert(
        k,
        &[],
        Kind::Root {
            name: "市教育局".into(),
            added_on: day(),
        },
    )
}

fn refusal(r: &Roster, c: &Cert) -> Option<Refusal> {
    r.refused
        .iter()
        .find(|(h, _)| *h == c.hash)
        .map(|(_, why)| why.clone())
}

#[test]
fn a_certificate_reads_back_and_an_altered_or_forged_one_is_refused() {
    let root = key(1);
    let c = root_cert(&root);
    assert_eq!(Cert::decode(c.bytes()).as_ref(), Ok(&c));
    // One byte of the body changed.
    let mut bytes = c.bytes().to_vec();
    if let Some(b) = bytes.get_mut(10) {
        *b ^= 1;
    }
    assert!(Cert::decode(&bytes).is_err());
    // Signed by another key while naming the root as issuer.
    let other = key(2);
    let mut forged = cert(
        &other,
        &[],
        Kind::Root {
            name: "x".into(),
            added_on: day(),
        },
    );
    forged.body.issuer = id(&root);
    let json = serde_json::to_vec(&forged.body).unwrap_or_default();
    let mut b = u32::try_from(json.len())
        .unwrap_or(0)
        .to_be_bytes()
        .to_vec();
    b.extend(&json);
    b.extend(other.sign(&json).to_bytes());
    assert_eq!(Cert::decode(&b), Err(CertError::BadSignature));
    assert!(matches!(
        Cert::decode(&vec![0u8; MAX_CERT + 1]),
        Err(CertError::TooLarge(_))
    ));
}

/// The root, a district admin it granted, and a kindergarten of that
/// district the admin granted: keys and certificates.
fn district_log() -> ([SecretKey; 3], [Cert; 3]) {
    let (root, da, kg) = (key(1), key(2), key(3));
    let r = root_cert(&root);
    let g_da = cert(
        &root,
        &[&r],
        grant(&da, MemberRole::DistrictAdmin, Some("d1"), None),
    );
    let g_kg = cert(
        &da,
        &[&g_da],
        grant(&kg, MemberRole::Kindergarten, Some("d1"), Some("k1")),
    );
    ([root, da, kg], [r, g_da, g_kg])
}

#[test]
fn grants_within_the_matrix_make_members_and_others_do_not() {
    // The district admin invites a kindergarten of its own district…
    let ([root, da, kg], [r, g_da, g_kg]) = district_log();
    let da2 = key(4);
    // …but not one of another district, nor a city admin.
    let far = cert(
        &da,
        &[&g_da],
        grant(&da2, MemberRole::Kindergarten, Some("d22"), Some("k2")),
    );
    let city = cert(
        &da,
        &[&g_da],
        grant(&da2, MemberRole::CityAdmin, None, None),
    );
    // A kindergarten raises itself to city admin.
    let raise = cert(&kg, &[&g_kg], grant(&kg, MemberRole::CityAdmin, None, None));
    // A stranger grants itself.
    let stranger = key(9);
    let s = cert(
        &stranger,
        &[&r],
        grant(&stranger, MemberRole::CityAdmin, None, None),
    );
    let all = [
        r.clone(),
        g_da.clone(),
        g_kg.clone(),
        far.clone(),
        city.clone(),
        raise.clone(),
        s.clone(),
    ];
    let ro = roster(WS, &id(&root), &all);
    assert_eq!(
        ro.active(&id(&da)).map(|m| m.role),
        Some(MemberRole::DistrictAdmin)
    );
    assert_eq!(
        ro.active(&id(&kg)).map(|m| m.role),
        Some(MemberRole::Kindergarten)
    );
    assert_eq!(
        ro.active(&id(&kg)).map(|m| m.added_by.clone()),
        Some(id(&da))
    );
    assert!(ro.active(&id(&da2)).is_none());
    assert!(ro.active(&id(&stranger)).is_none());
    assert_eq!(refusal(&ro, &far), Some(Refusal::NotAllowed));
    assert_eq!(refusal(&ro, &city), Some(Refusal::NotAllowed));
    assert_eq!(refusal(&ro, &raise), Some(Refusal::NotAllowed));
    assert_eq!(refusal(&ro, &s), Some(Refusal::IssuerNotMember));
    assert_eq!(ro.used_invites.len(), 2);
    // The same certificates in another order, twice over: the same roster.
    let mut shuffled: Vec<Cert> = all.iter().rev().cloned().collect();
    shuffled.extend(all.iter().cloned());
    let again = roster(WS, &id(&root), &shuffled);
    assert_eq!(again.members, ro.members);
    assert_eq!(again.heads, ro.heads);
}

#[test]
fn a_revoked_device_cannot_race_its_revocation_nor_come_back() {
    let (root, da, kg, helper) = (key(1), key(2), key(3), key(5));
    let r = root_cert(&root);
    let g_da = cert(
        &root,
        &[&r],
        grant(&da, MemberRole::DistrictAdmin, Some("d1"), None),
    );
    let rev = cert(&root, &[&g_da], revoke(&da));
    // Concurrently (not having seen the revocation) the admin adds a
    // kindergarten, and re-grants itself.
    let sneak = cert(
        &da,
        &[&g_da],
        grant(&kg, MemberRole::Kindergarten, Some("d1"), Some("k1")),
    );
    let itself = cert(
        &da,
        &[&g_da],
        grant(&helper, MemberRole::Inspector, Some("d1"), None),
    );
    // After the revocation, a peer that knew it re-admits it: refused.
    let back = cert(
        &root,
        &[&rev],
        grant(&da, MemberRole::DistrictAdmin, Some("d1"), None),
    );
    // What the admin issued before the revocation saw it stays.
    let before = cert(
        &da,
        &[&g_da],
        grant(&key(6), MemberRole::Kindergarten, Some("d1"), Some("k6")),
    );
    let ro = roster(
        WS,
        &id(&root),
        &[
            r,
            g_da,
            rev.clone(),
            sneak.clone(),
            itself.clone(),
            back.clone(),
            before.clone(),
        ],
    );
    assert!(ro.active(&id(&da)).is_none());
    assert!(ro.members.get(&id(&da)).is_some_and(|m| m.revoked));
    assert_eq!(refusal(&ro, &sneak), Some(Refusal::IssuerRevoked));
    assert_eq!(refusal(&ro, &itself), Some(Refusal::IssuerRevoked));
    assert_eq!(refusal(&ro, &back), Some(Refusal::Revoked));
    // `before` is concurrent with the revocation too: it goes.
    assert_eq!(refusal(&ro, &before), Some(Refusal::IssuerRevoked));
    assert_eq!(
        ro.revoked
            .get(&id(&da))
            .and_then(|x| x.cutoff.get("programme")),
        Some(&3)
    );
}

#[test]
fn what_a_revoked_admin_issued_before_its_revocation_stays() {
    let ([root, da, kg], [r, g_da, g_kg]) = district_log();
    let rev = cert(&root, &[&g_kg], revoke(&da));
    let ro = roster(WS, &id(&root), &[r, g_da, g_kg, rev]);
    assert!(ro.active(&id(&da)).is_none());
    assert!(ro.active(&id(&kg)).is_some());
}

#[test]
fn two_admins_revoking_each_other_both_go_and_the_root_stays() {
    let (root, a, b) = (key(1), key(2), key(3));
    let r = root_cert(&root);
    let ga = cert(&root, &[&r], grant(&a, MemberRole::CityAdmin, None, None));
    let gb = cert(&root, &[&ga], grant(&b, MemberRole::CityAdmin, None, None));
    let a_b = cert(&a, &[&gb], revoke(&b));
    let b_a = cert(&b, &[&gb], revoke(&a));
    let b_root = cert(&b, &[&gb], revoke(&root));
    let ro = roster(WS, &id(&root), &[r, ga, gb, a_b, b_a, b_root.clone()]);
    assert!(ro.active(&id(&a)).is_none());
    assert!(ro.active(&id(&b)).is_none());
    assert!(refusal(&ro, &b_root).is_some());
    assert_eq!(
        ro.active(&id(&root)).map(|m| m.role),
        Some(MemberRole::CityAdmin)
    );
    // The root cannot be revoked by anyone in good standing either.
    let r2 = root_cert(&root);
    let gc = cert(
        &root,
        &[&r2],
        grant(&key(4), MemberRole::CityAdmin, None, None),
    );
    let c_root = cert(&key(4), &[&gc], revoke(&root));
    let ro = roster(WS, &id(&root), &[r2, gc, c_root.clone()]);
    assert_eq!(refusal(&ro, &c_root), Some(Refusal::NotRoot));
    assert!(ro.active(&id(&root)).is_some());
}

#[test]
fn a_certificate_waits_for_its_parents_and_other_workspaces_are_ignored() {
    let (root, a) = (key(1), key(2));
    let r = root_cert(&root);
    let ga = cert(&root, &[&r], grant(&a, MemberRole::CityAdmin, None, None));
    let ro = roster(WS, &id(&root), std::slice::from_ref(&ga));
    assert_eq!(refusal(&ro, &ga), Some(Refusal::MissingParent));
    assert!(ro.members.is_empty());
    let mut other = root_cert(&root);
    other.body.workspace = "elsewhere".into();
    let ro = roster(WS, &id(&root), std::slice::from_ref(&other));
    assert_eq!(refusal(&ro, &other), Some(Refusal::OtherWorkspace));
    // Only the pinned root starts a log.
    let fake_root = root_cert(&a);
    let ro = roster(WS, &id(&root), std::slice::from_ref(&fake_root));
    assert_eq!(refusal(&ro, &fake_root), Some(Refusal::NotRoot));
}

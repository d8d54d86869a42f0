//! What a received change amounts to (`domain/judge.rs`): the writes it
//! implies from a record's state before and after, the matrix's answer
//! for the author, and the workflow locks. Written out case by case,
//! independently of the code that makes the changes.

use bangfu::domain::authz::{Denied, Write};
use bangfu::domain::judge::{Touched, Verdict, judge};
use bangfu::domain::*;
use chrono::NaiveDate;

fn id(n: u8) -> Id {
    Id::from_random_bytes([n; 16])
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
}

/// K1 (helped) and K2 (helper) in D1; K3 in D2.
fn member(role: MemberRole, kindergarten: Option<u8>, district: Option<u8>) -> Member {
    Member {
        id: format!(
            "{:064x}",
            kindergarten.unwrap_or(0) as u16 + 256 * role as u16
        ),
        name: "成员".into(),
        role,
        district: district.map(id),
        kindergarten: kindergarten.map(id),
        districts: Vec::new(),
        added_by: String::new(),
        added_on: day(1),
        revoked: false,
    }
}

fn pairing() -> Pairing {
    Pairing {
        id: id(50),
        district_id: id(1),
        helpers: vec![id(12)],
        helped: vec![id(11)],
        cohort: 2026,
        mode: Mode::Town,
        agreement: Agreement {
            status: AgreementStatus::Draft,
            start: day(1),
            end: day(30),
            forms: vec![SupportForm::SendTeachers],
            tasks: vec![Task::Teachers],
            goals: "提升保教质量".into(),
            rights: String::new(),
            schedule: String::new(),
            fees: 0,
            signed: None,
            confirmations: Vec::new(),
            filed: None,
        },
    }
}

fn stamp() -> Option<Stamp> {
    Some(Stamp {
        by: "园长".into(),
        on: day(2),
    })
}

fn summary(status: ReportStatus) -> AnnualSummary {
    AnnualSummary {
        id: id(60),
        level: Level::Kindergarten,
        subject_id: Some(id(11)),
        year: 2026,
        due: day(30),
        workflow: Workflow {
            status,
            ..Workflow::default()
        },
        progress: "进展".into(),
        results: String::new(),
        problems: String::new(),
        plan: String::new(),
        stats: None,
    }
}

fn denied(write: Write, denied: Denied) -> Result<(), Verdict> {
    Err(Verdict::NotAllowed { write, denied })
}

#[test]
fn signing_confirming_and_filing_an_agreement() {
    let k1 = member(MemberRole::Kindergarten, Some(11), None);
    let k3 = member(MemberRole::Kindergarten, Some(13), None);
    let d1 = member(MemberRole::DistrictAdmin, None, Some(1));
    let d2 = member(MemberRole::DistrictAdmin, None, Some(2));
    let draft = pairing();
    let mut signed = draft.clone();
    signed.agreement.status = AgreementStatus::Signed;
    signed.agreement.signed = stamp();
    let t = Touched::Pairing(Some(&draft), Some(&signed));
    assert_eq!(judge(&k1, &t), Ok(()), "a side of the pairing signs");
    assert_eq!(judge(&k3, &t), denied(Write::SignAgreement, Denied::Scope));

    let mut confirmed = signed.clone();
    confirmed.agreement.confirmations.push(Confirmation {
        district_id: id(1),
        by: "县局".into(),
        on: day(3),
    });
    let t = Touched::Pairing(Some(&signed), Some(&confirmed));
    assert_eq!(judge(&d1, &t), Ok(()), "its own bureau confirms");
    assert_eq!(
        judge(&d2, &t),
        denied(Write::ConfirmAgreement, Denied::Scope)
    );
    assert_eq!(
        judge(&k1, &t),
        denied(Write::ConfirmAgreement, Denied::Role)
    );

    let mut filed = confirmed.clone();
    filed.agreement.status = AgreementStatus::Filed;
    filed.agreement.filed = stamp();
    assert_eq!(
        judge(&d1, &Touched::Pairing(Some(&confirmed), Some(&filed))),
        Ok(())
    );
    assert_eq!(
        judge(&k1, &Touched::Pairing(Some(&confirmed), Some(&filed))),
        denied(Write::FileAgreement, Denied::Role)
    );
    // Filed: locked for everyone, the city included.
    let mut later = filed.clone();
    later.agreement.end = day(29);
    let city = member(MemberRole::CityAdmin, None, None);
    assert_eq!(
        judge(&city, &Touched::Pairing(Some(&filed), Some(&later))),
        Err(Verdict::Locked)
    );
    // Changing the terms of a draft is the sides' (and the bureau's).
    let mut terms = draft.clone();
    terms.agreement.goals = "新的目标".into();
    assert_eq!(
        judge(&k1, &Touched::Pairing(Some(&draft), Some(&terms))),
        Ok(())
    );
    assert_eq!(
        judge(&k3, &Touched::Pairing(Some(&draft), Some(&terms))),
        denied(Write::EditAgreement, Denied::Scope)
    );
}

#[test]
fn a_summary_goes_up_and_only_the_level_above_accepts_it() {
    let k1 = member(MemberRole::Kindergarten, Some(11), None);
    let d1 = member(MemberRole::DistrictAdmin, None, Some(1));
    let home = id(1);
    let draft = summary(ReportStatus::Draft);
    let mut written = draft.clone();
    written.progress = "本年度开展送教下乡四次".into();
    let at = |b, a| Touched::Annual(b, a, Some(&home));
    assert_eq!(judge(&k1, &at(Some(&draft), Some(&written))), Ok(()));
    assert_eq!(judge(&k1, &at(None, Some(&written))), Ok(()), "started");

    let mut submitted = written.clone();
    submitted.workflow.status = ReportStatus::Submitted;
    submitted.workflow.submitted = stamp();
    submitted.workflow.first_submitted = stamp();
    assert_eq!(judge(&k1, &at(Some(&written), Some(&submitted))), Ok(()));

    let mut accepted = submitted.clone();
    accepted.workflow.status = ReportStatus::Accepted;
    assert_eq!(
        judge(&k1, &at(Some(&submitted), Some(&accepted))),
        denied(Write::AcceptReport, Denied::Role),
        "nobody accepts their own"
    );
    let mut by_bureau = accepted.clone();
    by_bureau.workflow.seen.insert(d1.id.clone(), day(4));
    assert_eq!(judge(&d1, &at(Some(&submitted), Some(&by_bureau))), Ok(()));

    // Submitted or accepted: the text is locked.
    let mut rewritten = by_bureau.clone();
    rewritten.progress = "改写".into();
    assert_eq!(
        judge(&k1, &at(Some(&by_bureau), Some(&rewritten))),
        Err(Verdict::Locked)
    );
    let mut edited_in_review = submitted.clone();
    edited_in_review.progress = "改写".into();
    assert_eq!(
        judge(&k1, &at(Some(&submitted), Some(&edited_in_review))),
        Err(Verdict::Locked)
    );
    // An accepted report does not go back.
    let mut back = by_bureau.clone();
    back.workflow.status = ReportStatus::Returned;
    assert_eq!(
        judge(&d1, &at(Some(&by_bureau), Some(&back))),
        Err(Verdict::Locked)
    );
    // A draft nobody submitted may be deleted by its writer; one submitted
    // once may not, even after a return.
    assert_eq!(judge(&k1, &at(Some(&written), None)), Ok(()));
    let mut returned = submitted.clone();
    returned.workflow.status = ReportStatus::Returned;
    assert_eq!(judge(&k1, &at(Some(&returned), None)), Err(Verdict::Locked));
    // A mark of having seen it is one's own only.
    let mut marked = submitted.clone();
    marked.workflow.seen.insert("someone else".into(), day(5));
    assert_eq!(
        judge(&d1, &at(Some(&submitted), Some(&marked))),
        Err(Verdict::Malformed)
    );
}

#[test]
fn visits_are_the_pairings_and_confirmed_by_the_helped_side() {
    let helped = member(MemberRole::Kindergarten, Some(11), None);
    let helper = member(MemberRole::Kindergarten, Some(12), None);
    let other = member(MemberRole::Kindergarten, Some(13), None);
    let inspector = Member {
        districts: vec![id(1)],
        ..member(MemberRole::Inspector, None, None)
    };
    let p = pairing();
    let v = Visit::of_pairing(id(9), &p, day(5), SupportForm::SendTeachers, "送教下乡");
    let t = Touched::Visit(None, Some(&v), Some(&p));
    assert_eq!(judge(&helper, &t), Ok(()));
    assert_eq!(judge(&other, &t), denied(Write::AddVisit, Denied::Scope));
    assert_eq!(judge(&inspector, &t), denied(Write::AddVisit, Denied::Role));

    let mut confirmed = v.clone();
    confirmed.confirmed = stamp();
    let t = Touched::Visit(Some(&v), Some(&confirmed), Some(&p));
    assert_eq!(judge(&helped, &t), Ok(()));
    assert_eq!(
        judge(&helper, &t),
        denied(Write::ConfirmVisit, Denied::Scope)
    );

    assert_eq!(
        judge(&other, &Touched::Visit(Some(&v), None, Some(&p))),
        denied(Write::DeleteVisit, Denied::Scope)
    );
    assert_eq!(
        judge(&helper, &Touched::Visit(None, None, Some(&p))),
        Err(Verdict::Malformed),
        "a record that does not read"
    );
    assert_eq!(judge(&helper, &Touched::Structure), Err(Verdict::Malformed));
    assert_eq!(
        judge(&helper, &Touched::LegacyMembers),
        Err(Verdict::Malformed)
    );
}

//! What a received change to one record amounts to, and whether its
//! author could have made it (docs/SECURITY.md, "Checked on receipt").
//!
//! A device that receives a change reads each record the change touches
//! as it stood at the change's parents and as the change left it, and
//! asks [`judge`]: which kinds of write (authz.rs) those two states imply,
//! whether the author's role and scope allow each of them, and whether a
//! workflow lock forbids it (a filed agreement; a submitted or accepted
//! report, except by the transitions of the level above). The answer
//! depends only on the change and its causal past, so every device gives
//! the same one whatever order changes arrive in.

use super::access::Member;
use super::authz::{self, Denied, ReportSubject, Target, Write};
use super::codes::AgreementStatus;
use super::codes::{Level, ReportStatus};
use super::evidence::Attachment;
use super::id::Id;
use super::records::*;

/// One record as a change found it and left it (`None`: absent, or not
/// readable as that kind of record).
#[derive(Debug, Clone, Copy)]
pub enum Touched<'a> {
    /// The programme's report settings.
    Settings,
    /// Year plans and targets.
    Plan,
    District(Option<&'a District>, Option<&'a District>),
    /// The programme document's old `members` / `used_invites` maps,
    /// which nothing writes once a workspace has a membership log.
    LegacyMembers,
    /// The document's own shape: a root key, a whole collection.
    Structure,
    Kindergarten(Option<&'a Kindergarten>, Option<&'a Kindergarten>),
    Pairing(Option<&'a Pairing>, Option<&'a Pairing>),
    /// A visit, with its pairing as it stood.
    Visit(Option<&'a Visit>, Option<&'a Visit>, Option<&'a Pairing>),
    Inspection(
        Option<&'a Inspection>,
        Option<&'a Inspection>,
        Option<&'a Pairing>,
    ),
    Monthly(Option<&'a MonthlyReport>, Option<&'a MonthlyReport>),
    /// An annual summary, and the district document it lives in (none
    /// for the city's, in the programme document).
    Annual(
        Option<&'a AnnualSummary>,
        Option<&'a AnnualSummary>,
        Option<&'a Id>,
    ),
    /// Evidence attached to a record, with what attaching to that record
    /// is (`attaching`), when the record is there.
    Attachment(
        Option<&'a Attachment>,
        Option<&'a Attachment>,
        Option<&'a (Write, Target)>,
    ),
}

/// A record evidence is attached to, as it stood.
#[derive(Debug, Clone, Copy)]
pub enum AttachedRecord<'a> {
    Pairing(&'a Pairing),
    Visit(&'a Visit, Option<&'a Pairing>),
    Inspection(&'a Inspection, Option<&'a Pairing>),
    Monthly(&'a MonthlyReport),
    /// An annual summary, and the district document it lives in.
    Annual(&'a AnnualSummary, Option<&'a Id>),
}

/// The kind of write attaching evidence to (or removing it from) a record
/// is, and what it touches: as editing the record, for permissions.
pub fn attaching(r: AttachedRecord<'_>) -> (Write, Target) {
    let report = report_target;
    match r {
        AttachedRecord::Pairing(p) => (Write::Attach, Target::pairing(p)),
        AttachedRecord::Visit(v, p) => (Write::Attach, Target::visit(v, p)),
        AttachedRecord::Inspection(i, p) => (Write::Attach, Target::inspection(i, p)),
        AttachedRecord::Monthly(m) => (Write::AttachToReport, report(monthly_subject(m))),
        AttachedRecord::Annual(s, home) => (Write::AttachToReport, report(annual_subject(s, home))),
    }
}

/// What an attachment's change needs: adding it, or changing its caption
/// or removing it, is attaching to its record; what it is (the record,
/// the bytes, who added it) never changes, and it is never deleted.
fn attachment_needs(
    b: Option<&Attachment>,
    a: Option<&Attachment>,
    on: Option<&(Write, Target)>,
) -> Result<Needs, Verdict> {
    let Some((write, target)) = on else {
        return Err(Verdict::Malformed);
    };
    let fixed = |x: &Attachment| Attachment {
        caption: String::new(),
        removed: None,
        ..x.clone()
    };
    match (b, a) {
        (None, Some(_)) => Ok(vec![(*write, target.clone())]),
        (Some(b), Some(a)) if fixed(b) == fixed(a) => Ok(if b == a {
            Vec::new()
        } else {
            vec![(*write, target.clone())]
        }),
        _ => Err(Verdict::Malformed),
    }
}

/// Why a change to a record is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The matrix refuses one of the writes the change amounts to.
    NotAllowed { write: Write, denied: Denied },
    /// The record is locked (a filed agreement, a submitted or accepted
    /// report) and the change is not a transition allowed on it.
    Locked,
    /// Not a change bangfu makes: a record that does not read, a record
    /// moved to another district, the document's shape replaced.
    Malformed,
}

impl Verdict {
    /// A stable name (logs, the `refusals` table).
    pub fn code(&self) -> String {
        match self {
            Verdict::NotAllowed { write, denied } => format!(
                "not_allowed:{}:{}",
                write.code(),
                match denied {
                    Denied::Role => "role",
                    Denied::Scope => "scope",
                }
            ),
            Verdict::Locked => "locked".into(),
            Verdict::Malformed => "malformed".into(),
        }
    }
}

/// Each write a change amounts to, with what it touches.
type Needs = Vec<(Write, Target)>;

fn both<T>(write: Write, before: &T, after: &T, target: impl Fn(&T) -> Target) -> Needs {
    vec![(write, target(before)), (write, target(after))]
}

/// Add, delete or edit: what a plain record's change needs.
fn plain<T: PartialEq>(
    before: Option<&T>,
    after: Option<&T>,
    writes: [Write; 3],
    target: impl Fn(&T) -> Target,
) -> Result<Needs, Verdict> {
    let [add, edit, delete] = writes;
    match (before, after) {
        (None, Some(a)) => Ok(vec![(add, target(a))]),
        (Some(b), None) => Ok(vec![(delete, target(b))]),
        (Some(b), Some(a)) if b == a => Ok(Vec::new()),
        (Some(b), Some(a)) => Ok(both(edit, b, a, target)),
        (None, None) => Err(Verdict::Malformed),
    }
}

/// A district entry's change: its name, position and towns are the
/// district's (the bureau's) to change; each name in its directory is its
/// kindergarten's, written as that kindergarten is added, edited, deleted.
fn district_needs(b: Option<&District>, a: Option<&District>) -> Result<Needs, Verdict> {
    let unlisted = |d: &District| District {
        directory: Default::default(),
        ..d.clone()
    };
    let (ub, ua) = (b.map(unlisted), a.map(unlisted));
    let mut needs = plain(
        ub.as_ref(),
        ua.as_ref(),
        [Write::AddDistrict, Write::EditDistrict, Write::AddDistrict],
        |d| Target::district(&d.id),
    )?;
    let Some(district) = a.or(b).map(|d| &d.id) else {
        return Err(Verdict::Malformed);
    };
    let empty = Default::default();
    let (names_b, names_a) = (
        b.map_or(&empty, |d| &d.directory),
        a.map_or(&empty, |d| &d.directory),
    );
    let ids: std::collections::BTreeSet<&Id> = names_b.keys().chain(names_a.keys()).collect();
    for id in ids {
        let write = match (names_b.get(id), names_a.get(id)) {
            (None, Some(_)) => Write::AddKindergarten,
            (Some(_), None) => Write::DeleteKindergarten,
            (Some(x), Some(y)) if x != y => Write::EditKindergarten,
            _ => continue,
        };
        needs.push((write, Target::listed(district, id)));
    }
    Ok(needs)
}

fn agreement_terms(a: &Agreement) -> Agreement {
    Agreement {
        status: AgreementStatus::Draft,
        signed: None,
        confirmations: Vec::new(),
        filed: None,
        ..a.clone()
    }
}

fn pairing_needs(before: Option<&Pairing>, after: Option<&Pairing>) -> Result<Needs, Verdict> {
    let (b, a) = match (before, after) {
        (Some(b), _) if b.agreement.filed.is_some() => {
            return if after == before {
                Ok(Vec::new())
            } else {
                Err(Verdict::Locked)
            };
        }
        (None, Some(a)) => {
            // A new pairing is a draft; anything beyond that is also the
            // signature, confirmation or filing it carries.
            let mut draft = a.clone();
            draft.agreement = agreement_terms(&a.agreement);
            let mut needs = vec![(Write::AddPairing, Target::pairing(a))];
            needs.extend(pairing_needs(Some(&draft), Some(a))?);
            return Ok(needs);
        }
        (Some(b), None) => return Ok(vec![(Write::DeletePairing, Target::pairing(b))]),
        (None, None) => return Err(Verdict::Malformed),
        (Some(b), Some(a)) => (b, a),
    };
    if b.district_id != a.district_id {
        return Err(Verdict::Malformed);
    }
    let mut needs = Vec::new();
    let shape_changed =
        b.helpers != a.helpers || b.helped != a.helped || b.cohort != a.cohort || b.mode != a.mode;
    let ba = &b.agreement;
    let aa = &a.agreement;
    let unconfirmed = ba
        .confirmations
        .iter()
        .any(|c| !aa.confirmations.contains(c));
    if shape_changed || agreement_terms(ba) != agreement_terms(aa) || unconfirmed {
        needs.extend(both(Write::EditAgreement, b, a, Target::pairing));
    }
    if aa.signed.is_some() && aa.signed != ba.signed {
        needs.push((Write::SignAgreement, Target::pairing(b)));
    }
    for c in aa
        .confirmations
        .iter()
        .filter(|c| !ba.confirmations.contains(c))
    {
        needs.push((
            Write::ConfirmAgreement,
            Target::confirmation(b, &c.district_id),
        ));
    }
    if aa.filed.is_some() {
        needs.push((Write::FileAgreement, Target::pairing(b)));
    }
    if needs.is_empty() && b != a {
        // Only the status moved, with nothing that moves it.
        needs.extend(both(Write::EditAgreement, b, a, Target::pairing));
    }
    Ok(needs)
}

fn visit_needs(
    before: Option<&Visit>,
    after: Option<&Visit>,
    pairing: Option<&Pairing>,
) -> Result<Needs, Verdict> {
    let target = |v: &Visit| Target::visit(v, pairing);
    match (before, after) {
        (Some(b), Some(a)) if b != a => {
            if b.district_id != a.district_id || b.pairing_id != a.pairing_id {
                return Err(Verdict::Malformed);
            }
            let mut needs = Vec::new();
            if a.confirmed != b.confirmed {
                needs.push((Write::ConfirmVisit, target(b)));
            }
            let unconfirmed = Visit {
                confirmed: b.confirmed.clone(),
                ..a.clone()
            };
            if &unconfirmed != b {
                needs.extend(both(Write::EditVisit, b, a, target));
            }
            Ok(needs)
        }
        _ => plain(
            before,
            after,
            [Write::AddVisit, Write::EditVisit, Write::DeleteVisit],
            target,
        ),
    }
}

/// What a report's change needs, from its workflow before and after and
/// whether its content (sections, statistics) changed.
fn report_needs(
    before: Option<&Workflow>,
    after: Option<&Workflow>,
    content_changed: bool,
    subject: ReportSubject,
    me: &Member,
) -> Result<Needs, Verdict> {
    let target = report_target(subject);
    let Some(a) = after else {
        // A report submitted once keeps its first submission, which
        // timeliness counts: never deleted.
        return match before {
            Some(b) if b.locked() || b.first_submitted.is_some() => Err(Verdict::Locked),
            Some(_) => Ok(vec![(Write::DeleteReport, target)]),
            None => Err(Verdict::Malformed),
        };
    };
    let blank = Workflow::default();
    let b = before.unwrap_or(&blank);
    let mut needs = Vec::new();
    use ReportStatus as S;
    let transition = match (b.status, a.status) {
        (x, y) if x == y => None,
        (S::Draft | S::Returned, S::Submitted) => Some(Write::SubmitReport),
        (S::Submitted, S::Accepted) => Some(Write::AcceptReport),
        (S::Submitted, S::Returned) => Some(Write::ReturnReport),
        _ => return Err(Verdict::Locked),
    };
    if let Some(w) = transition {
        needs.push((w, target.clone()));
    }
    // A submission freezes the figures: part of submitting, not an edit.
    let stamps_changed = a.first_submitted != b.first_submitted
        || a.submitted != b.submitted
        || a.reviewed != b.reviewed;
    if (content_changed && transition != Some(Write::SubmitReport))
        || (stamps_changed && transition.is_none())
    {
        if b.locked() {
            return Err(Verdict::Locked);
        }
        needs.push((Write::WriteReport, target.clone()));
    }
    // A mark of having seen it: only one's own.
    let new_marks: Vec<&String> = a
        .seen
        .iter()
        .filter(|(k, v)| b.seen.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .collect();
    let marks_removed = b.seen.keys().any(|k| !a.seen.contains_key(k));
    if marks_removed || new_marks.iter().any(|k| **k != me.id) {
        return Err(Verdict::Malformed);
    }
    if !new_marks.is_empty() && transition.is_none() {
        needs.push((Write::MarkSeen, target));
    }
    Ok(needs)
}

fn monthly_content(r: &MonthlyReport) -> MonthlyReport {
    MonthlyReport {
        workflow: Workflow::default(),
        ..r.clone()
    }
}

fn annual_content(s: &AnnualSummary) -> AnnualSummary {
    AnnualSummary {
        workflow: Workflow::default(),
        ..s.clone()
    }
}

/// The writes a change to one record amounts to (empty when it changed
/// nothing a reader sees).
pub fn needs(me: &Member, t: &Touched<'_>) -> Result<Needs, Verdict> {
    match *t {
        Touched::Settings => Ok(vec![(Write::Settings, Target::programme())]),
        Touched::Plan => Ok(vec![(Write::Plan, Target::programme())]),
        Touched::LegacyMembers | Touched::Structure => Err(Verdict::Malformed),
        Touched::District(b, a) => district_needs(b, a),
        Touched::Kindergarten(b, a) => {
            if let (Some(b), Some(a)) = (b, a)
                && b.district_id != a.district_id
            {
                return Err(Verdict::Malformed);
            }
            plain(
                b,
                a,
                [
                    Write::AddKindergarten,
                    Write::EditKindergarten,
                    Write::DeleteKindergarten,
                ],
                Target::kindergarten,
            )
        }
        Touched::Pairing(b, a) => pairing_needs(b, a),
        Touched::Visit(b, a, p) => visit_needs(b, a, p),
        Touched::Inspection(b, a, p) => plain(
            b,
            a,
            [
                Write::AddInspection,
                Write::EditInspection,
                Write::DeleteInspection,
            ],
            |i| Target::inspection(i, p),
        ),
        Touched::Monthly(b, a) => monthly_needs(b, a, me),
        Touched::Annual(b, a, home) => annual_needs(b, a, home, me),
        Touched::Attachment(b, a, on) => attachment_needs(b, a, on),
    }
}

/// What a write to a report touches: the report, in its district.
fn report_target(subject: ReportSubject) -> Target {
    Target {
        district: subject.district.clone(),
        report: Some(subject),
        ..Target::default()
    }
}

fn monthly_subject(r: &MonthlyReport) -> ReportSubject {
    ReportSubject {
        level: Level::District,
        district: Some(r.district_id.clone()),
        kindergarten: None,
    }
}

fn annual_subject(s: &AnnualSummary, home: Option<&Id>) -> ReportSubject {
    ReportSubject {
        level: s.level,
        district: home.cloned(),
        kindergarten: match s.level {
            Level::Kindergarten => s.subject_id.clone(),
            _ => None,
        },
    }
}

/// The writes a change to a monthly report amounts to.
fn monthly_needs(
    b: Option<&MonthlyReport>,
    a: Option<&MonthlyReport>,
    me: &Member,
) -> Result<Needs, Verdict> {
    let Some(r) = a.or(b) else {
        return Err(Verdict::Malformed);
    };
    let subject = monthly_subject(r);
    let changed = b.map(monthly_content) != a.map(monthly_content);
    report_needs(
        b.map(|r| &r.workflow),
        a.map(|r| &r.workflow),
        changed,
        subject,
        me,
    )
}

/// The writes a change to an annual summary amounts to; `home`: the
/// district whose document holds it (none for the city's).
fn annual_needs(
    b: Option<&AnnualSummary>,
    a: Option<&AnnualSummary>,
    home: Option<&Id>,
    me: &Member,
) -> Result<Needs, Verdict> {
    let Some(s) = a.or(b) else {
        return Err(Verdict::Malformed);
    };
    let subject = annual_subject(s, home);
    let changed = b.map(annual_content) != a.map(annual_content);
    report_needs(
        b.map(|s| &s.workflow),
        a.map(|s| &s.workflow),
        changed,
        subject,
        me,
    )
}

/// Whether `me` could have made this change to this record: every write
/// it amounts to allowed by the matrix, no lock broken.
pub fn judge(me: &Member, t: &Touched<'_>) -> Result<(), Verdict> {
    for (write, target) in needs(me, t)? {
        authz::decide(me, write, &target)
            .map_err(|denied| Verdict::NotAllowed { write, denied })?;
    }
    Ok(())
}

//! Who writes and who accepts a report, and the checks of editing,
//! submitting and reviewing it.

use super::*;

/// Whether `m` may write and submit the report: its own level, or a
/// bureau above it (a district bureau for its kindergartens, the city for
/// all). The matrix's `WriteReport` cell (`authz.rs`).
pub fn may_write(model: &Model, m: &Member, key: &ReportKey) -> bool {
    authz::allowed(
        m,
        authz::Write::WriteReport,
        &authz::Target::report(key, key.home(model)),
    )
}

/// Whether `m` may accept or return the report: the level above it (the
/// district bureau for a kindergarten's summary, the city for a district's
/// reports). The city's summary goes to nobody.
pub fn may_review(model: &Model, m: &Member, key: &ReportKey) -> bool {
    key.level() != Level::City
        && authz::allowed(
            m,
            authz::Write::AcceptReport,
            &authz::Target::report(key, key.home(model)),
        )
}

/// Whether `m`, of the level a submitted report goes to, opens it for the
/// first time since it came in: the day is then noted as "first seen".
pub fn unseen_by(model: &Model, m: &Member, key: &ReportKey) -> bool {
    may_review(model, m, key)
        && key
            .workflow(model)
            .is_some_and(|w| w.status == ReportStatus::Submitted && !w.seen.contains_key(&m.id))
}

pub(super) fn refuse(field: &'static str, kind: ProblemKind) -> Vec<Problem> {
    vec![Problem { field, kind }]
}

/// The report as a permission target, with its kind and id for messages.
pub(super) fn report_target(model: &Model, key: &ReportKey) -> authz::Target {
    authz::Target::report(key, key.home(model))
}

pub fn report_entity(key: &ReportKey) -> crate::domain::model::Entity {
    match key {
        ReportKey::Monthly { .. } => crate::domain::model::Entity::MonthlyReport,
        ReportKey::Annual { .. } => crate::domain::model::Entity::AnnualSummary,
    }
}

/// Why `m` may not make `write` to this report (empty: it may), by the
/// permission matrix alone.
fn denied(model: &Model, m: Option<&Member>, write: authz::Write, key: &ReportKey) -> Vec<Problem> {
    let id = key.id();
    let target = report_target(model, key);
    authz::check(m, write, &target, Some((report_entity(key), &id)))
}

/// May `m` change the sections of this report now?
pub fn check_edit(model: &Model, m: Option<&Member>, key: &ReportKey) -> Vec<Problem> {
    let denied = denied(model, m, authz::Write::WriteReport, key);
    if !denied.is_empty() {
        return denied;
    }
    match key.workflow(model) {
        Some(w) if w.locked() => refuse("report", ProblemKind::ReportLocked { status: w.status }),
        _ => Vec::new(),
    }
}

/// May `m` delete this report: one started and never submitted (a report
/// submitted once keeps its first submission, which timeliness counts)?
pub fn check_delete(model: &Model, m: Option<&Member>, key: &ReportKey) -> Vec<Problem> {
    let denied = denied(model, m, authz::Write::DeleteReport, key);
    if !denied.is_empty() {
        return denied;
    }
    match key.workflow(model) {
        None => refuse(
            "report",
            ProblemKind::UnknownId {
                what: report_entity(key),
                id: key.id().to_string(),
            },
        ),
        Some(w) if w.first_submitted.is_some() || w.locked() => {
            refuse("report", ProblemKind::ReportWasSubmitted)
        }
        Some(_) => Vec::new(),
    }
}

/// May `m` submit this report now, with these sections?
pub fn check_submit(
    model: &Model,
    m: Option<&Member>,
    key: &ReportKey,
    texts: &[(Section, &str)],
    today: NaiveDate,
) -> Vec<Problem> {
    let mut out = check_edit(model, m, key);
    if !out.is_empty() {
        return out;
    }
    if let ReportKey::Monthly { month, .. } = key
        && let Some(p) = monthly_period(&model.programme, *month)
        && p.from > today
    {
        out.push(Problem {
            field: "month",
            kind: ProblemKind::PeriodNotStarted { from: p.from },
        });
    }
    // A monthly report needs at least its progress; a summary all four.
    for (s, text) in texts {
        let needed = matches!(key, ReportKey::Annual { .. }) || *s == Section::Progress;
        if needed && text.trim().is_empty() {
            out.push(Problem {
                field: s.code(),
                kind: ProblemKind::Required,
            });
        }
    }
    out
}

/// May `m` accept (or, `accept` false, return) this report now?
pub fn check_review(
    model: &Model,
    m: Option<&Member>,
    key: &ReportKey,
    accept: bool,
) -> Vec<Problem> {
    if matches!(
        key,
        ReportKey::Annual {
            level: Level::City,
            ..
        }
    ) {
        return refuse("report", ProblemKind::NothingAbove);
    }
    let write = if accept {
        authz::Write::AcceptReport
    } else {
        authz::Write::ReturnReport
    };
    let denied = denied(model, m, write, key);
    if !denied.is_empty() {
        return denied;
    }
    match key.workflow(model).map(|w| w.status) {
        Some(ReportStatus::Submitted) => Vec::new(),
        status => refuse(
            "report",
            ProblemKind::NotSubmitted {
                status: status.unwrap_or_default(),
            },
        ),
    }
}

//! The user's language: zh-CN first, English second. Every string a user
//! sees comes from `locales/*.yml` through [`tr!`].
//!
//! rust-i18n's current locale is process-global; bangfu never sets it and
//! passes the language explicitly instead, so tests in one process can use
//! both languages at once.

use crate::domain::Code;
use crate::domain::id::PrefixError;
use crate::domain::model::Entity;
use crate::domain::rules::{Problem, ProblemKind};
use crate::store::StoreError;

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// Looks up a message in the given language, with `%{name}` arguments.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $key:expr $(, $name:ident = $value:expr)* $(,)?) => {
        rust_i18n::t!($key, locale = $lang.code() $(, $name = $value)*).into_owned()
    };
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The other language (the language key switches to it).
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// What separates the items of a list: 、 in Chinese, a comma in English.
    pub fn sep(self) -> &'static str {
        match self {
            Lang::Zh => "、",
            Lang::En => ", ",
        }
    }

    /// The locale file's name.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Reads `zh`, `zh-CN`, `zh_CN.UTF-8`, `en`, `en_US.UTF-8`, ….
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// From `BANGFU_LANG`, `LC_ALL`, `LC_MESSAGES` or `LANG`, the first that
    /// names a language bangfu speaks; Chinese otherwise.
    pub fn from_env() -> Lang {
        ["BANGFU_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find_map(|v| Lang::parse(&v))
            .unwrap_or_default()
    }
}

/// A message whose key is built at run time (`screen.visits`, …).
pub fn text(lang: Lang, key: &str) -> String {
    rust_i18n::t!(key, locale = lang.code()).into_owned()
}

/// The label of a vocabulary value, e.g. 送教下乡 / Sending teachers.
pub fn label<C: Code>(lang: Lang, value: C) -> String {
    let key = format!("{}.{}", C::KIND, value.code());
    rust_i18n::t!(key.as_str(), locale = lang.code()).into_owned()
}

/// Labels of several values, joined.
pub fn labels<C: Code>(lang: Lang, values: &[C]) -> String {
    let sep = lang.sep();
    values
        .iter()
        .map(|v| label(lang, *v))
        .collect::<Vec<_>>()
        .join(sep)
}

/// Reads a vocabulary value typed as its code or its label in any language.
pub fn parse_code<C: Code>(s: &str) -> Option<C> {
    let s = s.trim();
    C::from_code(s).or_else(|| {
        C::ALL.iter().copied().find(|v| {
            Lang::ALL
                .iter()
                .any(|l| label(*l, *v).eq_ignore_ascii_case(s))
        })
    })
}

/// Every accepted value of a vocabulary, as `code (label)`, for error messages.
pub fn choices<C: Code>(lang: Lang) -> String {
    C::ALL
        .iter()
        .map(|v| format!("{} ({})", v.code(), label(lang, *v)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn entity(lang: Lang, what: Entity) -> String {
    let key = format!("entity.{}", what.code());
    rust_i18n::t!(key.as_str(), locale = lang.code()).into_owned()
}

/// A kind of write, as a verb phrase ("记录帮扶活动").
pub fn write_label(lang: Lang, w: crate::domain::authz::Write) -> String {
    let key = format!("write.{}", w.code());
    rust_i18n::t!(key.as_str(), locale = lang.code()).into_owned()
}

pub fn field(lang: Lang, field: &str) -> String {
    let key = format!("field.{field}");
    rust_i18n::t!(key.as_str(), locale = lang.code()).into_owned()
}

/// A problem as one sentence: the field, what is wrong, what to do.
/// Why a membership certificate does not count, in words.
pub fn cert_refusal(l: Lang, r: &crate::trust::Refusal) -> String {
    use crate::trust::Refusal;
    let key = match r {
        Refusal::OtherWorkspace => "cert.other_workspace",
        Refusal::MissingParent => "cert.missing_parent",
        Refusal::IssuerNotMember => "cert.issuer_not_member",
        Refusal::NotAllowed => "cert.not_allowed",
        Refusal::NotRoot => "cert.not_root",
        Refusal::Revoked => "cert.revoked",
        Refusal::IssuerRevoked => "cert.issuer_revoked",
        Refusal::UnknownMember => "cert.unknown_member",
    };
    tr!(l, key)
}

pub fn problem(lang: Lang, p: &Problem) -> String {
    tr!(
        lang,
        "problem.line",
        field = field(lang, p.field),
        message = problem_message(lang, p)
    )
}

/// What is wrong, without the field's name (shown next to the field).
pub fn problem_message(lang: Lang, p: &Problem) -> String {
    let said = match &p.kind {
        ProblemKind::Required
        | ProblemKind::TaskOrNote
        | ProblemKind::InUse { .. }
        | ProblemKind::NotPickable
        | ProblemKind::UnknownId { .. }
        | ProblemKind::Negative { .. }
        | ProblemKind::TooManyFiles { .. }
        | ProblemKind::FilesTooLarge { .. }
        | ProblemKind::OutOfRange { .. }
        | ProblemKind::DuplicateName { .. }
        | ProblemKind::YearOutsideProgramme { .. }
        | ProblemKind::TooLong { .. }
        | ProblemKind::TooMany { .. }
        | ProblemKind::InFuture { .. }
        | ProblemKind::DueBeforeDate { .. } => value_problem(lang, &p.kind),
        ProblemKind::AgreementTooShort { .. }
        | ProblemKind::FeesCharged { .. }
        | ProblemKind::BothSides { .. }
        | ProblemKind::ManyToMany
        | ProblemKind::HelpedInSeveralDistricts
        | ProblemKind::TownModeDifferentTowns { .. }
        | ProblemKind::TownModeHelpedNotVillagePrivate { .. }
        | ProblemKind::TownModeHelperNotPublic { .. }
        | ProblemKind::DistrictModeHelperStars { .. }
        | ProblemKind::DistrictModeOtherDistrict { .. }
        | ProblemKind::CrossRegionSameDistrict
        | ProblemKind::DistrictFixed { .. }
        | ProblemKind::OutsideAgreement { .. }
        | ProblemKind::PlaceNotInPairing { .. } => pairing_problem(lang, &p.kind),
        ProblemKind::AgreementFiled
        | ProblemKind::NotSigned
        | ProblemKind::AlreadySigned
        | ProblemKind::DistrictNotInvolved { .. }
        | ProblemKind::AlreadyConfirmed
        | ProblemKind::MissingConfirmations { .. }
        | ProblemKind::NotAMember
        | ProblemKind::NotAllowed { .. }
        | ProblemKind::ReportLocked { .. }
        | ProblemKind::NotSubmitted { .. }
        | ProblemKind::NothingAbove
        | ProblemKind::PeriodNotStarted { .. }
        | ProblemKind::ReportWasSubmitted => step_problem(lang, &p.kind),
    };
    said.unwrap_or_default()
}

/// A value that is missing, unknown, out of range or too long.
fn value_problem(l: Lang, kind: &ProblemKind) -> Option<String> {
    Some(match kind {
        ProblemKind::Required => tr!(l, "problem.required"),
        ProblemKind::TaskOrNote => tr!(l, "problem.task_or_note"),
        ProblemKind::InUse { count } => tr!(l, "problem.in_use", count = count),
        ProblemKind::NotPickable => tr!(l, "problem.not_pickable"),
        ProblemKind::UnknownId { what, id } => {
            tr!(l, "problem.unknown_id", what = entity(l, *what), id = id)
        }
        ProblemKind::Negative { value } => tr!(l, "problem.negative", value = value),
        ProblemKind::TooManyFiles { max } => tr!(l, "problem.too_many_files", max = max),
        ProblemKind::FilesTooLarge { mb, max } => {
            tr!(l, "problem.files_too_large", mb = mb, max = max)
        }
        ProblemKind::OutOfRange { value, min, max } => {
            tr!(
                l,
                "problem.out_of_range",
                value = value,
                min = min,
                max = max
            )
        }
        ProblemKind::DuplicateName { name } => tr!(l, "problem.duplicate_name", name = name),
        ProblemKind::YearOutsideProgramme { year, start, end } => tr!(
            l,
            "problem.year_outside_programme",
            year = year,
            start = start,
            end = end
        ),
        ProblemKind::TooLong { len, max } => tr!(l, "problem.too_long", len = len, max = max),
        ProblemKind::TooMany { len, max } => tr!(l, "problem.too_many", len = len, max = max),
        ProblemKind::InFuture { date, today } => {
            tr!(l, "problem.in_future", date = date, today = today)
        }
        ProblemKind::DueBeforeDate { due, date } => {
            tr!(l, "problem.due_before_date", due = due, date = date)
        }
        _ => return None,
    })
}

/// A pairing or its agreement breaking the programme's rules.
fn pairing_problem(l: Lang, kind: &ProblemKind) -> Option<String> {
    Some(match kind {
        ProblemKind::AgreementTooShort {
            start,
            end,
            earliest_end,
        } => tr!(
            l,
            "problem.agreement_too_short",
            start = start,
            end = end,
            earliest = earliest_end
        ),
        ProblemKind::FeesCharged { fees } => tr!(l, "problem.fees_charged", fees = fees),
        ProblemKind::BothSides { name } => tr!(l, "problem.both_sides", name = name),
        ProblemKind::ManyToMany => tr!(l, "problem.many_to_many"),
        ProblemKind::HelpedInSeveralDistricts => tr!(l, "problem.helped_in_several_districts"),
        ProblemKind::TownModeDifferentTowns { helper, helped } => tr!(
            l,
            "problem.town_mode_different_towns",
            helper = helper,
            helped = helped
        ),
        ProblemKind::TownModeHelpedNotVillagePrivate { name } => {
            tr!(
                l,
                "problem.town_mode_helped_not_village_private",
                name = name
            )
        }
        ProblemKind::TownModeHelperNotPublic { name } => {
            tr!(l, "problem.town_mode_helper_not_public", name = name)
        }
        ProblemKind::DistrictModeHelperStars { name, stars } => tr!(
            l,
            "problem.district_mode_helper_stars",
            name = name,
            stars = stars.map_or_else(|| "-".to_string(), |s| s.to_string())
        ),
        ProblemKind::DistrictModeOtherDistrict { helper, district } => tr!(
            l,
            "problem.district_mode_other_district",
            helper = helper,
            district = district
        ),
        ProblemKind::CrossRegionSameDistrict => tr!(l, "problem.cross_region_same_district"),
        ProblemKind::DistrictFixed { district } => {
            tr!(l, "problem.district_fixed", district = district)
        }
        ProblemKind::OutsideAgreement { date, start, end } => tr!(
            l,
            "problem.outside_agreement",
            date = date,
            start = start,
            end = end
        ),
        ProblemKind::PlaceNotInPairing { name } => {
            tr!(l, "problem.place_not_in_pairing", name = name)
        }
        _ => return None,
    })
}

/// A step not allowed now or not allowed to this member.
fn step_problem(l: Lang, kind: &ProblemKind) -> Option<String> {
    Some(match kind {
        ProblemKind::AgreementFiled => tr!(l, "problem.agreement_filed"),
        ProblemKind::NotSigned => tr!(l, "problem.not_signed"),
        ProblemKind::AlreadySigned => tr!(l, "problem.already_signed"),
        ProblemKind::DistrictNotInvolved { district } => {
            tr!(l, "problem.district_not_involved", district = district)
        }
        ProblemKind::AlreadyConfirmed => tr!(l, "problem.already_confirmed"),
        ProblemKind::MissingConfirmations { districts } => tr!(
            l,
            "problem.missing_confirmations",
            districts = districts.join(l.sep())
        ),
        ProblemKind::NotAMember => tr!(l, "problem.not_a_member"),
        ProblemKind::NotAllowed {
            role,
            write,
            record,
            denied,
        } => {
            let write = write_label(l, *write);
            match (denied, record) {
                (crate::domain::authz::Denied::Role, _) => {
                    tr!(
                        l,
                        "problem.role_never",
                        role = label(l, *role),
                        write = write
                    )
                }
                (_, Some((what, id))) => tr!(
                    l,
                    "problem.out_of_scope",
                    role = label(l, *role),
                    write = write,
                    record = format!("{} {id}", entity(l, *what))
                ),
                (_, None) => tr!(
                    l,
                    "problem.out_of_scope_here",
                    role = label(l, *role),
                    write = write
                ),
            }
        }
        ProblemKind::ReportLocked { status } => {
            tr!(l, "problem.report_locked", status = label(l, *status))
        }
        ProblemKind::NotSubmitted { status } => {
            tr!(l, "problem.not_submitted", status = label(l, *status))
        }
        ProblemKind::NothingAbove => tr!(l, "problem.nothing_above"),
        ProblemKind::PeriodNotStarted { from } => {
            tr!(l, "problem.period_not_started", from = from)
        }
        ProblemKind::ReportWasSubmitted => tr!(l, "problem.report_was_submitted"),

        _ => return None,
    })
}

/// Why a typed id names no single record.
pub fn prefix_error(lang: Lang, what: Option<Entity>, typed: &str, e: &PrefixError) -> String {
    let what = what.map_or_else(|| tr!(lang, "entity.record"), |w| entity(lang, w));
    match e {
        PrefixError::Malformed => tr!(lang, "id.malformed", typed = typed, what = what),
        PrefixError::NotFound => tr!(lang, "id.not_found", typed = typed, what = what),
        PrefixError::Ambiguous { count } => {
            tr!(
                lang,
                "id.ambiguous",
                typed = typed,
                what = what,
                count = count
            )
        }
    }
}

/// Why an edit saved nothing, in one line: the first rule it broke, or
/// the store's failure.
pub fn edit_error(lang: Lang, e: &crate::store::EditError) -> String {
    match e {
        crate::store::EditError::Invalid(ps) => {
            ps.first().map(|p| problem(lang, p)).unwrap_or_default()
        }
        crate::store::EditError::Store(e) => store_error(lang, e),
    }
}

/// A store error as one line saying what failed and what to do.
pub fn store_error(lang: Lang, e: &StoreError) -> String {
    let l = lang;
    match e {
        StoreError::NoWorkspace { dir } => {
            tr!(l, "store.no_workspace", dir = dir.display().to_string())
        }
        StoreError::NotADirectory { path } => {
            tr!(
                l,
                "store.not_a_directory",
                path = path.display().to_string()
            )
        }
        StoreError::AlreadyExists { dir } => {
            tr!(l, "store.already_exists", dir = dir.display().to_string())
        }
        StoreError::NotDemo { dir } => {
            tr!(l, "store.not_demo", dir = dir.display().to_string())
        }
        StoreError::NotAWorkspace { path } => {
            tr!(
                l,
                "store.not_a_workspace",
                path = path.display().to_string()
            )
        }
        StoreError::TooNew { path, version } => tr!(
            l,
            "store.too_new",
            path = path.display().to_string(),
            version = version
        ),
        StoreError::Sqlite { path, source } => {
            use rusqlite::ErrorCode as C;
            // Not every SQLite failure is a damaged file: a directory this
            // user may not write to, or another bangfu holding the file,
            // each have their own remedy.
            let key = match source.sqlite_error_code() {
                Some(C::ReadOnly | C::CannotOpen | C::PermissionDenied) => "store.read_only",
                Some(C::DatabaseBusy | C::DatabaseLocked) => "store.busy",
                _ => "store.unreadable",
            };
            tr!(
                l,
                key,
                path = path.display().to_string(),
                detail = source.to_string()
            )
        }
        StoreError::Io { path, source } => tr!(
            l,
            "store.io",
            path = path.display().to_string(),
            detail = source.to_string()
        ),
        StoreError::Damaged { doc, detail } => {
            tr!(l, "store.damaged", doc = doc, detail = detail)
        }
        StoreError::NoDeviceKey => tr!(l, "store.no_device_key"),
        StoreError::Automerge { doc, detail } => {
            tr!(l, "store.internal", doc = doc, detail = detail)
        }
    }
}

/// Why an invite cannot be made, in the user's words (`expiry` as typed).
pub fn invite_refusal(
    lang: Lang,
    r: &crate::domain::invites::InviteRefusal,
    expiry: &str,
) -> String {
    use crate::domain::invites::InviteRefusal as R;
    match r {
        R::NeedsScope {
            role,
            what: Some(what),
        } => tr!(
            lang,
            "invite.needs_scope",
            role = label(lang, *role),
            what = field(lang, what)
        ),
        R::NeedsScope { role, what: None } => {
            tr!(lang, "invite.no_scope", role = label(lang, *role))
        }
        R::RoleMayNot { inviter, wanted } => tr!(
            lang,
            "invite.role_may_not",
            role = label(lang, *inviter),
            wanted = label(lang, *wanted)
        ),
        R::OutOfScope => tr!(lang, "invite.out_of_scope"),
        R::NotAMember => tr!(lang, "sync.not_a_member_here"),
        R::BadExpiry => tr!(lang, "invite.bad_expiry", value = expiry),
    }
}

/// A sync failure in the user's words.
pub fn sync_error(lang: Lang, e: &crate::sync::SyncError) -> String {
    use crate::sync::{PeerRefusal, SyncError};
    match e {
        SyncError::NotMember(p) => tr!(lang, "sync.not_member", peer = crate::identity::short(p)),
        SyncError::OtherWorkspace => tr!(lang, "sync.other_workspace"),
        SyncError::Refused(PeerRefusal::NotMember) => tr!(lang, "sync.refused_not_member"),
        SyncError::Refused(PeerRefusal::OtherWorkspace) => tr!(lang, "sync.other_workspace"),
        SyncError::Refused(PeerRefusal::Busy) => tr!(lang, "sync.refused_busy"),
        SyncError::Refused(PeerRefusal::Protocol) => tr!(lang, "sync.refused_protocol"),
        SyncError::Refused(PeerRefusal::Other(why)) => {
            tr!(lang, "sync.refused", why = why.as_str())
        }
        SyncError::Unreachable { peer, detail } => tr!(
            lang,
            "sync.unreachable",
            peer = peer.as_str(),
            detail = detail.as_str()
        ),
        SyncError::Invite(code) => text(lang, &format!("invite.{}", code.code())),
        SyncError::Store(s) => store_error(lang, s),
        other => tr!(lang, "sync.failed", detail = other.to_string()),
    }
}

/// A refused change as one line: whose (the member's name when known),
/// which change and record, why.
pub fn refusal(
    l: Lang,
    members: &std::collections::BTreeMap<String, crate::domain::Member>,
    r: &crate::store::RefusalRow,
) -> String {
    let author = device_label(members, &r.author);
    let record = match &r.record {
        Some(rec) => rec
            .split_once('/')
            .map(|(c, k)| format!("{c}/{}", crate::identity::short(k)))
            .unwrap_or_else(|| rec.clone()),
        None => tr!(l, "refusal.whole_document"),
    };
    tr!(
        l,
        "refusal.line",
        author = author,
        change = crate::identity::short(&r.change),
        record = record,
        reason = refusal_reason(l, &r.reason)
    )
}

/// Whose figures are shown: 全市, 本县区：大洼区, 本园：….
pub fn reach(l: Lang, reach: &crate::domain::Reach, model: &crate::domain::Model) -> String {
    let key = format!("reach.{}", reach.code());
    tr!(l, key.as_str(), name = reach.name(model))
}

/// A device as people know it: the member's name and short id, or the
/// short id alone for a device the log does not name.
pub fn device_label(
    members: &std::collections::BTreeMap<String, crate::domain::Member>,
    device: &str,
) -> String {
    match members.get(device) {
        Some(m) => format!("{}（{}）", m.name, crate::identity::short(device)),
        None => crate::identity::short(device),
    }
}

/// Words for a refusal's reason code (`store::Reason::code`).
pub fn refusal_reason(l: Lang, code: &str) -> String {
    let mut parts = code.split(':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("not_allowed"), Some(w), Some(why)) => {
            let write = crate::domain::authz::Write::ALL
                .iter()
                .find(|x| x.code() == w)
                .map(|x| write_label(l, *x))
                .unwrap_or_else(|| w.to_string());
            let why = if why == "role" {
                tr!(l, "refusal.why_role")
            } else {
                tr!(l, "refusal.why_scope")
            };
            tr!(l, "refusal.not_allowed", write = write, why = why)
        }
        (Some(c), None, None) => {
            let key = format!("refusal.{c}");
            let text = rust_i18n::t!(key.as_str(), locale = l.code()).into_owned();
            if text == key { c.to_string() } else { text }
        }
        _ => code.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(code: i32) -> StoreError {
        StoreError::Sqlite {
            path: "/data/workspace.db".into(),
            source: rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None),
        }
    }

    /// A folder the user may not write to is not a damaged file: the
    /// message says what to do about it, and does not send the user to
    /// restore a backup of a file that is fine.
    #[test]
    fn a_read_only_or_busy_workspace_is_not_called_damaged() {
        for l in Lang::ALL {
            let damaged = store_error(l, &sqlite(rusqlite::ffi::SQLITE_CORRUPT));
            let read_only = store_error(l, &sqlite(rusqlite::ffi::SQLITE_READONLY));
            let cannot_open = store_error(l, &sqlite(rusqlite::ffi::SQLITE_CANTOPEN));
            let busy = store_error(l, &sqlite(rusqlite::ffi::SQLITE_BUSY));
            assert!(damaged.contains("doctor"), "{damaged}");
            for said in [&read_only, &cannot_open] {
                assert!(said.contains("--data-dir"), "{said}");
                assert!(!said.contains("doctor"), "{said}");
            }
            assert!(!busy.contains("doctor") && busy != damaged, "{busy}");
        }
    }
}

//! What an invite may give (pure): the scope a role needs, and whether
//! the inviting member may hand out that role and scope.

use super::access::{may_invite, within_scope};
use super::{Id, Member, MemberRole, Model};

/// Why an invite cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteRefusal {
    /// The role needs this scope (`district`, `kindergarten`) and no
    /// other; none when it takes no scope at all.
    NeedsScope {
        role: crate::domain::MemberRole,
        what: Option<&'static str>,
    },
    /// The inviter's role may not hand out this role.
    RoleMayNot {
        inviter: crate::domain::MemberRole,
        wanted: crate::domain::MemberRole,
    },
    /// The scope lies outside what the inviter oversees.
    OutOfScope,
    /// This device is not a member.
    NotAMember,
    /// Not a duration like 72h, 7d.
    BadExpiry,
}

/// What an invite would give, checked against the role's scope and what
/// the inviting member (`me`, an endpoint id) may hand out.
#[allow(clippy::too_many_arguments)]
pub fn invite_for(
    model: &Model,
    me: &str,
    role: MemberRole,
    districts: Vec<Id>,
    kindergarten: Option<Id>,
    name: Option<String>,
    today: chrono::NaiveDate,
) -> Result<Member, InviteRefusal> {
    use MemberRole as R;
    let need = |ok: bool, what: Option<&'static str>| {
        if ok {
            Ok(())
        } else {
            Err(InviteRefusal::NeedsScope { role, what })
        }
    };
    let (district, inspector_districts) = match role {
        R::DistrictAdmin => {
            need(
                districts.len() == 1 && kindergarten.is_none(),
                Some("district"),
            )?;
            (districts.first().cloned(), Vec::new())
        }
        R::Kindergarten => {
            need(
                kindergarten.is_some() && districts.is_empty(),
                Some("kindergarten"),
            )?;
            (None, Vec::new())
        }
        R::Inspector => {
            need(
                !districts.is_empty() && kindergarten.is_none(),
                Some("district"),
            )?;
            (None, districts)
        }
        R::CityAdmin | R::Viewer => {
            need(districts.is_empty() && kindergarten.is_none(), None)?;
            (None, Vec::new())
        }
    };
    let wanted = Member {
        id: String::new(),
        name: name.unwrap_or_default(),
        role,
        district,
        kindergarten,
        districts: inspector_districts,
        added_by: me.to_string(),
        added_on: today,
        revoked: false,
    };
    match model.active_member(me) {
        Some(m) if !may_invite(m, role) => Err(InviteRefusal::RoleMayNot {
            inviter: m.role,
            wanted: role,
        }),
        Some(m) if !within_scope(model, m, &wanted) => Err(InviteRefusal::OutOfScope),
        Some(_) => Ok(wanted),
        None => Err(InviteRefusal::NotAMember),
    }
}

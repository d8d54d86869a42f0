//! Members and what each may read (成员与权限).
//!
//! A member is a device, known by its endpoint id (the public half of its
//! key), with a role. Each role reads only the documents it needs: the
//! programme document always; district documents as below.

use super::codes::{Code, MemberRole};
use super::id::Id;
use super::model::Model;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A member of the programme (成员): one device of one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The device's endpoint id: 64 hex digits.
    pub id: String,
    pub name: String,
    pub role: MemberRole,
    /// A district admin's district.
    pub district: Option<Id>,
    /// A kindergarten member's kindergarten.
    pub kindergarten: Option<Id>,
    /// An inspector's districts.
    pub districts: Vec<Id>,
    /// The member who added this one (endpoint id), empty for the first.
    pub added_by: String,
    pub added_on: NaiveDate,
    /// A revoked member is refused like a stranger.
    pub revoked: bool,
}

impl Member {
    /// The first eight characters of the device id (all of it when it is
    /// shorter or not cut there).
    pub fn short_id(&self) -> &str {
        self.id.get(..8).unwrap_or(&self.id)
    }

    /// The programme's first member, the root of its membership log: a
    /// city admin added by no one.
    pub fn root(id: &str, name: &str, added_on: NaiveDate) -> Member {
        Member {
            id: id.to_string(),
            name: name.to_string(),
            role: MemberRole::CityAdmin,
            district: None,
            kindergarten: None,
            districts: Vec::new(),
            added_by: String::new(),
            added_on,
            revoked: false,
        }
    }
}

/// The districts whose documents a member may read.
pub fn readable_districts(model: &Model, m: &Member) -> BTreeSet<Id> {
    let all = || model.districts.keys().cloned().collect::<BTreeSet<Id>>();
    // Districts of the pairings some kindergartens help across regions.
    let helping = |helpers: &dyn Fn(&Id) -> bool| -> BTreeSet<Id> {
        model
            .pairings()
            .filter(|p| p.helpers.iter().any(helpers))
            .map(|p| p.district_id.clone())
            .collect()
    };
    match m.role {
        MemberRole::CityAdmin | MemberRole::Viewer => all(),
        MemberRole::DistrictAdmin => {
            let Some(d) = &m.district else {
                return BTreeSet::new();
            };
            let mut out = helping(&|h| model.kindergarten(h).is_some_and(|k| &k.district_id == d));
            out.insert(d.clone());
            out
        }
        MemberRole::Kindergarten => {
            let Some(k) = &m.kindergarten else {
                return BTreeSet::new();
            };
            let mut out = helping(&|h| h == k);
            if let Some(kg) = model.kindergarten(k) {
                out.insert(kg.district_id.clone());
            }
            out
        }
        MemberRole::Inspector => m.districts.iter().cloned().collect(),
    }
}

/// Whether `inviter` may hand out `role` at all (in some scope): the
/// authorisation matrix's `Invite` cell (`authz.rs`).
pub fn may_invite(inviter: &Member, role: MemberRole) -> bool {
    use super::authz::{Scope, Write, scope};
    match scope(inviter.role, Write::Invite) {
        Scope::Everywhere => true,
        Scope::DistrictMembers => matches!(
            role,
            MemberRole::DistrictAdmin | MemberRole::Kindergarten | MemberRole::Inspector
        ),
        _ => false,
    }
}

/// Whether `inviter` may give `wanted` its role and scope: a district
/// admin invites only into its own district (the matrix, `authz.rs`).
pub fn within_scope(model: &Model, inviter: &Member, wanted: &Member) -> bool {
    super::authz::allowed(
        inviter,
        super::authz::Write::Invite,
        &super::authz::Target::member(model, wanted),
    )
}

impl MemberRole {
    /// The role as written on the command line: `city-admin`, ….
    pub fn cli_name(self) -> String {
        self.code().replace('_', "-")
    }
}

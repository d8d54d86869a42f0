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
    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(8)]
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

/// The roles that may invite others, and which roles they may hand out: a
/// city admin any; a district admin the district's own admins,
/// kindergartens and inspectors (not a city-wide viewer); others none.
pub fn may_invite(inviter: &Member, role: MemberRole) -> bool {
    match inviter.role {
        MemberRole::CityAdmin => true,
        MemberRole::DistrictAdmin => matches!(
            role,
            MemberRole::DistrictAdmin | MemberRole::Kindergarten | MemberRole::Inspector
        ),
        _ => false,
    }
}

/// Whether the scope of `wanted` lies within what `inviter` oversees: a
/// district admin invites only into its own district.
pub fn within_scope(model: &Model, inviter: &Member, wanted: &Member) -> bool {
    match inviter.role {
        MemberRole::CityAdmin => true,
        MemberRole::DistrictAdmin => {
            let Some(d) = &inviter.district else {
                return false;
            };
            match wanted.role {
                MemberRole::DistrictAdmin => wanted.district.as_ref() == Some(d),
                MemberRole::Kindergarten => wanted
                    .kindergarten
                    .as_ref()
                    .and_then(|k| model.kindergarten(k))
                    .is_some_and(|k| &k.district_id == d),
                MemberRole::Inspector => {
                    !wanted.districts.is_empty() && wanted.districts.iter().all(|x| x == d)
                }
                MemberRole::CityAdmin | MemberRole::Viewer => false,
            }
        }
        _ => false,
    }
}

impl MemberRole {
    /// The role as written on the command line: `city-admin`, ….
    pub fn cli_name(self) -> String {
        self.code().replace('_', "-")
    }
}

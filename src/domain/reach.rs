//! Whose work a device's figures count (统计范围).
//!
//! A device holds only the documents its member may read: a kindergarten
//! its own district's and those of the pairings it helps in. Figures over
//! everything a device holds are neither the city's nor the member's own,
//! so targets, shares and deadlines are computed over the member's
//! [`Reach`] and labelled with it (本园, 本县区, 全市).

use super::access::Member;
use super::codes::MemberRole;
use super::id::Id;
use super::model::Model;
use super::records::{District, Kindergarten, Pairing, Visit};
use std::collections::BTreeSet;

/// The work a member answers for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// The whole programme: a city admin, a viewer, or a device that is no
    /// member (a workspace of its own).
    City,
    /// A district admin's district, or an inspector's districts.
    Districts(BTreeSet<Id>),
    /// A kindergarten member's kindergarten, in its district (none while
    /// the device does not hold the kindergarten's record).
    Kindergarten { id: Id, district: Option<Id> },
}

impl Reach {
    /// The reach of `member` (the city when there is none).
    pub fn of(model: &Model, member: Option<&Member>) -> Reach {
        let Some(m) = member else {
            return Reach::City;
        };
        match m.role {
            MemberRole::CityAdmin | MemberRole::Viewer => Reach::City,
            MemberRole::DistrictAdmin => Reach::Districts(m.district.iter().cloned().collect()),
            MemberRole::Inspector => Reach::Districts(m.districts.iter().cloned().collect()),
            MemberRole::Kindergarten => match &m.kindergarten {
                Some(k) => Reach::Kindergarten {
                    id: k.clone(),
                    district: model.kindergarten(k).map(|x| x.district_id.clone()),
                },
                None => Reach::Districts(BTreeSet::new()),
            },
        }
    }

    /// Locale-key suffix (`reach.<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            Reach::City => "city",
            Reach::Districts(_) => "district",
            Reach::Kindergarten { .. } => "kindergarten",
        }
    }

    /// Whether the reach is the whole programme.
    pub fn is_city(&self) -> bool {
        matches!(self, Reach::City)
    }

    /// Whether a district's targets, kindergartens and reports count: the
    /// city's every district, a bureau's own, a kindergarten's district.
    pub fn has_district(&self, d: &Id) -> bool {
        match self {
            Reach::City => true,
            Reach::Districts(ds) => ds.contains(d),
            Reach::Kindergarten { district, .. } => district.as_ref() == Some(d),
        }
    }

    /// The districts whose targets count, in programme order.
    pub fn districts<'m>(&self, model: &'m Model) -> Vec<&'m District> {
        model
            .districts_in_order()
            .into_iter()
            .filter(|d| self.has_district(&d.id))
            .collect()
    }

    /// Whether a kindergarten's own work (its summary) counts.
    pub fn has_kindergarten(&self, k: &Id, model: &Model) -> bool {
        match self {
            Reach::City => true,
            Reach::Kindergarten { id, .. } => id == k,
            Reach::Districts(_) => model
                .kindergarten(k)
                .is_some_and(|x| self.has_district(&x.district_id)),
        }
    }

    /// Whether a pairing counts: the city's every pairing; a bureau's
    /// pairings kept in its district or with one of its kindergartens; a
    /// kindergarten's own pairings.
    pub fn has_pairing(&self, p: &Pairing, model: &Model) -> bool {
        match self {
            Reach::City => true,
            Reach::Kindergarten { id, .. } => p.members().any(|k| k == id),
            Reach::Districts(_) => {
                self.has_district(&p.district_id)
                    || p.members().any(|k| self.has_kindergarten(k, model))
            }
        }
    }

    /// The pairings of the reach.
    pub fn pairings<'m>(&self, model: &'m Model) -> impl Iterator<Item = &'m Pairing> {
        model.pairings().filter(|p| self.has_pairing(p, model))
    }

    /// The visits of the reach's pairings.
    pub fn visits<'m>(&self, model: &'m Model) -> Vec<&'m Visit> {
        let pairings: BTreeSet<&Id> = self.pairings(model).map(|p| &p.id).collect();
        model
            .visits()
            .filter(|v| pairings.contains(&v.pairing_id))
            .collect()
    }

    /// The kindergartens of the reach's districts (the kindergarten's
    /// district for a kindergarten: targets and shares are a district's).
    pub fn district_kindergartens<'m>(
        &self,
        model: &'m Model,
    ) -> impl Iterator<Item = &'m Kindergarten> {
        model
            .kindergartens()
            .filter(|k| self.has_district(&k.district_id))
    }

    /// The name the reach is shown under: the city's, the districts', or
    /// the kindergarten's.
    pub fn name(&self, model: &Model) -> String {
        match self {
            Reach::City => model.programme.city.clone(),
            Reach::Districts(_) => self
                .districts(model)
                .iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            Reach::Kindergarten { id, .. } => model.kindergarten_name(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan;

    fn member(role: MemberRole) -> Member {
        let mut m = Member::root("a", "a", chrono::NaiveDate::MIN);
        m.role = role;
        m
    }

    #[test]
    fn each_role_answers_for_its_own_scope() {
        let model = Model::new(plan::panjin().programme);
        let d = Id::from_random_bytes([7; 16]);
        assert_eq!(Reach::of(&model, None), Reach::City);
        assert_eq!(
            Reach::of(&model, Some(&member(MemberRole::Viewer))),
            Reach::City
        );
        let mut bureau = member(MemberRole::DistrictAdmin);
        bureau.district = Some(d.clone());
        let r = Reach::of(&model, Some(&bureau));
        assert!(r.has_district(&d) && !r.has_district(&Id::from_random_bytes([8; 16])));
        let mut kg = member(MemberRole::Kindergarten);
        kg.kindergarten = Some(Id::from_random_bytes([9; 16]));
        let r = Reach::of(&model, Some(&kg));
        assert_eq!(r.code(), "kindergarten");
        assert!(!r.has_district(&d), "its record is not held: no district");
    }
}

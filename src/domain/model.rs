//! The whole programme as read from the documents: what screens, commands
//! and rules look at. Built by the store; nothing here does I/O.

use super::codes::AgreementStatus;
use super::id::{Id, PrefixError, resolve_prefix};
use super::records::*;
use std::collections::BTreeMap;

/// Everything one district's document holds.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DistrictData {
    pub kindergartens: BTreeMap<Id, Kindergarten>,
    pub pairings: BTreeMap<Id, Pairing>,
    pub visits: BTreeMap<Id, Visit>,
    pub inspections: BTreeMap<Id, Inspection>,
    pub monthly_reports: BTreeMap<Id, MonthlyReport>,
    pub annual_summaries: BTreeMap<Id, AnnualSummary>,
    /// Evidence attached to this document's records (`evidence.rs`).
    #[serde(default)]
    pub attachments: BTreeMap<Id, super::evidence::Attachment>,
}

/// How many records of each kind a model holds: compared before and
/// after a sync or a refresh to say what arrived.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub kindergartens: usize,
    pub pairings: usize,
    /// Pairings whose agreement is filed with the bureau.
    pub filed: usize,
    pub visits: usize,
    pub inspections: usize,
    /// Reports and summaries submitted (or accepted).
    pub reports_in: usize,
    /// Reports and summaries accepted by the level above.
    pub reports_accepted: usize,
    pub members: usize,
}

impl Tally {
    /// What grew since `before`, as (kind, how many more); kinds as in
    /// the locale keys `sync.new.*`.
    pub fn growth(&self, before: &Tally) -> Vec<(&'static str, usize)> {
        [
            ("kindergartens", self.kindergartens, before.kindergartens),
            ("pairings", self.pairings, before.pairings),
            ("filed", self.filed, before.filed),
            ("visits", self.visits, before.visits),
            ("inspections", self.inspections, before.inspections),
            ("reports_in", self.reports_in, before.reports_in),
            (
                "reports_accepted",
                self.reports_accepted,
                before.reports_accepted,
            ),
            ("members", self.members, before.members),
        ]
        .into_iter()
        .filter(|(_, a, b)| a > b)
        .map(|(k, a, b)| (k, a - b))
        .collect()
    }
}

/// The programme and every district's records.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub programme: Programme,
    pub districts: BTreeMap<Id, District>,
    pub years: BTreeMap<i32, YearPlan>,
    /// Keyed by (year, district).
    pub targets: BTreeMap<(i32, Id), PlanTarget>,
    /// City-level annual summaries (in the programme document).
    pub city_summaries: BTreeMap<Id, AnnualSummary>,
    /// Members by endpoint id (in the programme document).
    pub members: BTreeMap<String, super::access::Member>,
    /// Invites already used, by invite id: who used them (in the programme
    /// document).
    pub used_invites: BTreeMap<String, String>,
    /// Keyed by district id.
    pub data: BTreeMap<Id, DistrictData>,
}

/// Which kind of record an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entity {
    District,
    Kindergarten,
    Pairing,
    Visit,
    Inspection,
    MonthlyReport,
    AnnualSummary,
    /// A file attached to a record as evidence (`evidence.rs`).
    Attachment,
}

impl Entity {
    /// Every kind, in the order a prefix is looked for.
    pub const ALL: [Entity; 8] = [
        Entity::District,
        Entity::Kindergarten,
        Entity::Pairing,
        Entity::Visit,
        Entity::Inspection,
        Entity::MonthlyReport,
        Entity::AnnualSummary,
        Entity::Attachment,
    ];

    /// Locale-key and collection name of this kind of record.
    pub fn code(self) -> &'static str {
        match self {
            Entity::District => "district",
            Entity::Kindergarten => "kindergarten",
            Entity::Pairing => "pairing",
            Entity::Visit => "visit",
            Entity::Inspection => "inspection",
            Entity::MonthlyReport => "monthly_report",
            Entity::AnnualSummary => "annual_summary",
            Entity::Attachment => "attachment",
        }
    }
}

impl Model {
    pub fn tally(&self) -> Tally {
        let workflows: Vec<&Workflow> = self
            .data
            .values()
            .flat_map(|d| {
                d.monthly_reports
                    .values()
                    .map(|r| &r.workflow)
                    .chain(d.annual_summaries.values().map(|s| &s.workflow))
            })
            .chain(self.city_summaries.values().map(|s| &s.workflow))
            .collect();
        Tally {
            reports_in: workflows.iter().filter(|w| w.locked()).count(),
            reports_accepted: workflows
                .iter()
                .filter(|w| w.status == crate::domain::ReportStatus::Accepted)
                .count(),
            kindergartens: self.kindergartens().count(),
            pairings: self.pairings().count(),
            filed: self
                .pairings()
                .filter(|p| p.agreement.status == AgreementStatus::Filed)
                .count(),
            visits: self.visits().count(),
            inspections: self.inspections().count(),
            members: self.members.len(),
        }
    }

    pub fn new(programme: Programme) -> Model {
        Model {
            programme,
            districts: BTreeMap::new(),
            years: BTreeMap::new(),
            targets: BTreeMap::new(),
            city_summaries: BTreeMap::new(),
            members: BTreeMap::new(),
            used_invites: BTreeMap::new(),
            data: BTreeMap::new(),
        }
    }

    /// Districts in their programme order.
    pub fn districts_in_order(&self) -> Vec<&District> {
        let mut ds: Vec<&District> = self.districts.values().collect();
        ds.sort_by(|a, b| (a.position, &a.name).cmp(&(b.position, &b.name)));
        ds
    }

    pub fn district(&self, id: &Id) -> Option<&District> {
        self.districts.get(id)
    }

    /// The district's name, or its short id if it is unknown here.
    pub fn district_name(&self, id: &Id) -> String {
        self.districts
            .get(id)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| id.short().to_string())
    }

    pub fn district_by_name(&self, name: &str) -> Option<&District> {
        let name = name.trim();
        self.districts.values().find(|d| d.name == name)
    }

    pub fn kindergartens(&self) -> impl Iterator<Item = &Kindergarten> {
        self.data.values().flat_map(|d| d.kindergartens.values())
    }

    pub fn pairings(&self) -> impl Iterator<Item = &Pairing> {
        self.data.values().flat_map(|d| d.pairings.values())
    }

    pub fn visits(&self) -> impl Iterator<Item = &Visit> {
        self.data.values().flat_map(|d| d.visits.values())
    }

    pub fn inspections(&self) -> impl Iterator<Item = &Inspection> {
        self.data.values().flat_map(|d| d.inspections.values())
    }

    pub fn kindergarten(&self, id: &Id) -> Option<&Kindergarten> {
        self.data.values().find_map(|d| d.kindergartens.get(id))
    }

    /// The kindergarten's name: from its record, else from its district's
    /// directory in the programme document (for a kindergarten of a
    /// district whose document this device does not hold).
    pub fn known_name(&self, id: &Id) -> Option<&str> {
        self.kindergarten(id).map(|k| k.name.as_str()).or_else(|| {
            self.districts
                .values()
                .find_map(|d| d.directory.get(id).map(String::as_str))
        })
    }

    /// The kindergarten's name, or its short id if it is unknown here.
    pub fn kindergarten_name(&self, id: &Id) -> String {
        self.known_name(id)
            .map_or_else(|| id.short().to_string(), str::to_string)
    }

    pub fn pairing(&self, id: &Id) -> Option<&Pairing> {
        self.data.values().find_map(|d| d.pairings.get(id))
    }

    pub fn visit(&self, id: &Id) -> Option<&Visit> {
        self.data.values().find_map(|d| d.visits.get(id))
    }

    pub fn inspection(&self, id: &Id) -> Option<&Inspection> {
        self.data.values().find_map(|d| d.inspections.get(id))
    }

    /// Every record id of one kind (for prefix lookup).
    pub fn ids(&self, what: Entity) -> Vec<&Id> {
        let per = |f: fn(&DistrictData) -> Vec<&Id>| -> Vec<&Id> {
            self.data.values().flat_map(f).collect()
        };
        match what {
            Entity::District => self.districts.keys().collect(),
            Entity::Kindergarten => per(|d| d.kindergartens.keys().collect()),
            Entity::Pairing => per(|d| d.pairings.keys().collect()),
            Entity::Visit => per(|d| d.visits.keys().collect()),
            Entity::Inspection => per(|d| d.inspections.keys().collect()),
            Entity::MonthlyReport => per(|d| d.monthly_reports.keys().collect()),
            Entity::AnnualSummary => self
                .city_summaries
                .keys()
                .chain(self.data.values().flat_map(|d| d.annual_summaries.keys()))
                .collect(),
            Entity::Attachment => per(|d| d.attachments.keys().collect()),
        }
    }

    /// Resolves a typed id prefix among records of one kind.
    pub fn resolve(&self, what: Entity, prefix: &str) -> Result<Id, PrefixError> {
        resolve_prefix(prefix, self.ids(what))
    }

    /// Resolves a prefix among records of any kind.
    pub fn resolve_any(&self, prefix: &str) -> Result<(Entity, Id), PrefixError> {
        let mut hits = Vec::new();
        for what in Entity::ALL {
            match self.resolve(what, prefix) {
                Ok(id) => hits.push((what, id)),
                Err(PrefixError::NotFound) => {}
                Err(PrefixError::Ambiguous { count }) => {
                    return Err(PrefixError::Ambiguous { count });
                }
                Err(e) => return Err(e),
            }
        }
        match hits.len() {
            0 => Err(PrefixError::NotFound),
            1 => Ok(hits.remove(0)),
            n => Err(PrefixError::Ambiguous { count: n }),
        }
    }

    /// A member who may sync: known and not revoked.
    pub fn active_member(&self, endpoint: &str) -> Option<&super::access::Member> {
        self.members.get(endpoint).filter(|m| !m.revoked)
    }

    /// The districts of a pairing whose bureau has not confirmed its
    /// agreement yet.
    pub fn unconfirmed_districts(&self, p: &Pairing) -> Vec<Id> {
        self.pairing_districts(p)
            .into_iter()
            .filter(|d| {
                !p.agreement
                    .confirmations
                    .iter()
                    .any(|c| &c.district_id == d)
            })
            .collect()
    }

    /// The districts a pairing involves: its helped kindergartens' and its
    /// helpers', sorted, without repeats. These bureaus must confirm it.
    pub fn pairing_districts(&self, p: &Pairing) -> Vec<Id> {
        let mut ds: Vec<Id> = p
            .members()
            .filter_map(|k| self.kindergarten(k).map(|k| k.district_id.clone()))
            .collect();
        ds.push(p.district_id.clone());
        ds.sort();
        ds.dedup();
        ds
    }
}

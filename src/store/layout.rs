//! The shape of the two kinds of documents (see docs/STORAGE.md).
//!
//! Programme document (`programme`):
//! ```text
//! { schema: 1, kind: "programme", workspace: ID,
//!   programme: {name, city, start_year, end_year, report_due_day,
//!               period_start_day, *_summary_due},
//!   districts: {ID: {name, towns: {NAME: true}}},
//!   years: {"2024": {year, stated_total, target_share_percent}},
//!   targets: {"2024/ID": {year, district_id, helpers, helped}},
//!   members: {}, annual_summaries: {ID: {...}} }
//! ```
//! District document (`district/ID`):
//! ```text
//! { schema: 1, kind: "district", workspace: ID, district_id: ID,
//!   kindergartens: {}, pairings: {}, visits: {}, inspections: {},
//!   monthly_reports: {}, annual_summaries: {}, attachments: {} }
//! ```
//! Every collection map exists from the document's creation, so two devices
//! never create the same map concurrently (which would hide one's records).

use super::mapping::*;
use super::{AuthorInfo, StoreError};
use crate::domain::*;
use automerge::Automerge;
use automerge::hydrate::{Map, Value};
use automerge::transaction::{CommitOptions, Transactable};
use std::collections::BTreeMap;

/// The document schema this version writes.
pub(crate) const SCHEMA_VERSION: i64 = 1;
pub(crate) const PROGRAMME_DOC: &str = "programme";
const DISTRICT_PREFIX: &str = "district/";

pub(crate) const DISTRICT_COLLECTIONS: [&str; 7] = [
    "kindergartens",
    "pairings",
    "visits",
    "inspections",
    "monthly_reports",
    "annual_summaries",
    "attachments",
];

pub(crate) fn district_doc_id(district: &Id) -> String {
    format!("{DISTRICT_PREFIX}{district}")
}

/// The district a document id names, if it is a district document.
pub(crate) fn district_of_doc(doc: &str) -> Option<Id> {
    doc.strip_prefix(DISTRICT_PREFIX).and_then(Id::parse)
}

/// Who makes a new document, when, for which workspace.
pub(crate) struct Made<'a> {
    pub workspace: &'a str,
    pub time: i64,
    pub author: &'a AuthorInfo,
}

fn new_doc(
    doc: &str,
    made: &Made<'_>,
    root: Vec<(&str, Value)>,
    collections: &[&str],
) -> Result<Automerge, StoreError> {
    let (time, author) = (made.time, made.author);
    let mut fields = root;
    for c in collections {
        fields.push((c, Value::Map(Map::default())));
    }
    let map = map_of(fields);
    let mut am = Automerge::new();
    // Made by this device, under its actor for the document, signed when
    // stored like any change.
    super::state::writes_as(&mut am, doc, author);
    am.transact_with(
        |_| {
            CommitOptions::default()
                .with_time(time)
                .with_message(format!("create {doc}"))
        },
        |tx| tx.init_root_from_hydrate(&map),
    )
    .map_err(|f| StoreError::Automerge {
        doc: doc.to_string(),
        detail: f.error.to_string(),
    })?;
    Ok(am)
}

/// A new programme document holding the programme, its districts, years and
/// targets.
pub(crate) fn new_programme_doc(
    made: &Made<'_>,
    programme: &Programme,
    districts: &[District],
    years: &[YearPlan],
    targets: &[PlanTarget],
    members: &[Member],
) -> Result<Automerge, StoreError> {
    let ms = map_of(
        members
            .iter()
            .map(|m| (m.id.as_str(), Value::Map(member_map(m))))
            .collect(),
    );
    let ds = map_of(
        districts
            .iter()
            .map(|d| (d.id.as_str(), Value::Map(district_map(d))))
            .collect(),
    );
    let year_keys: Vec<String> = years.iter().map(|y| y.year.to_string()).collect();
    let ys = map_of(
        years
            .iter()
            .zip(&year_keys)
            .map(|(y, k)| (k.as_str(), Value::Map(year_map(y))))
            .collect(),
    );
    let target_keys: Vec<String> = targets
        .iter()
        .map(|t| target_key(t.year, &t.district_id))
        .collect();
    let ts = map_of(
        targets
            .iter()
            .zip(&target_keys)
            .map(|(t, k)| (k.as_str(), Value::Map(target_map(t))))
            .collect(),
    );
    new_doc(
        PROGRAMME_DOC,
        made,
        vec![
            ("schema", int_v(SCHEMA_VERSION)),
            ("kind", str_v("programme")),
            ("workspace", str_v(made.workspace)),
            ("programme", Value::Map(programme_map(programme))),
            ("districts", Value::Map(ds)),
            ("years", Value::Map(ys)),
            ("targets", Value::Map(ts)),
            ("members", Value::Map(ms)),
        ],
        // districts, years, targets and members are given above, filled.
        &["used_invites", "annual_summaries"],
    )
}

/// A new, empty district document.
pub(crate) fn new_district_doc(made: &Made<'_>, district: &Id) -> Result<Automerge, StoreError> {
    new_doc(
        &district_doc_id(district),
        made,
        vec![
            ("schema", int_v(SCHEMA_VERSION)),
            ("kind", str_v("district")),
            ("workspace", str_v(made.workspace)),
            ("district_id", str_v(district.as_str())),
        ],
        &DISTRICT_COLLECTIONS,
    )
}

fn damaged(doc: &str, detail: impl Into<String>) -> StoreError {
    StoreError::Damaged {
        doc: doc.to_string(),
        detail: detail.into(),
    }
}

/// The root of a document, checked for schema version and workspace.
pub(crate) fn root_of(am: &Automerge, doc: &str, workspace: &str) -> Result<Map, StoreError> {
    let Value::Map(root) = am.hydrate(None) else {
        return Err(damaged(doc, "root is not a map"));
    };
    let f = Fields(&root);
    let schema = f.int("schema").map_err(|e| damaged(doc, e.to_string()))?;
    if schema > SCHEMA_VERSION {
        return Err(damaged(
            doc,
            format!("schema {schema} is newer than this bangfu ({SCHEMA_VERSION}): update bangfu"),
        ));
    }
    let ws = f
        .string("workspace")
        .map_err(|e| damaged(doc, e.to_string()))?;
    if ws != workspace {
        return Err(damaged(doc, format!("belongs to workspace {ws}")));
    }
    Ok(root)
}

/// A record that could not be read, and why. It is left as it is on disk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Damaged {
    pub doc: String,
    pub collection: String,
    pub key: String,
    pub detail: String,
}

/// Everything the programme document holds, as domain values.
pub(crate) struct ProgrammeData {
    pub programme: Programme,
    pub districts: BTreeMap<Id, District>,
    pub years: BTreeMap<i32, YearPlan>,
    pub targets: BTreeMap<(i32, Id), PlanTarget>,
    pub summaries: BTreeMap<Id, AnnualSummary>,
    pub members: BTreeMap<String, Member>,
    /// Invite id → the endpoint id that used it.
    pub used_invites: BTreeMap<String, String>,
}

fn each_entry<'m>(
    root: &'m Map,
    collection: &str,
    doc: &str,
    damaged_out: &mut Vec<Damaged>,
) -> Vec<(&'m String, &'m Map)> {
    let mut out = Vec::new();
    match root.get(collection) {
        Some(Value::Map(m)) => {
            for (k, v) in m.iter() {
                match &v.value {
                    Value::Map(rec) => out.push((k, rec)),
                    _ => damaged_out.push(Damaged {
                        doc: doc.to_string(),
                        collection: collection.to_string(),
                        key: k.clone(),
                        detail: "not a map".into(),
                    }),
                }
            }
        }
        None => {}
        Some(_) => damaged_out.push(Damaged {
            doc: doc.to_string(),
            collection: collection.to_string(),
            key: String::new(),
            detail: "collection is not a map".into(),
        }),
    }
    out
}

fn note(out: &mut Vec<Damaged>, doc: &str, collection: &str, key: &str, e: FieldError) {
    out.push(Damaged {
        doc: doc.to_string(),
        collection: collection.to_string(),
        key: key.to_string(),
        detail: e.to_string(),
    });
}

pub(crate) fn read_programme(
    am: &Automerge,
    workspace: &str,
    damaged_out: &mut Vec<Damaged>,
) -> Result<ProgrammeData, StoreError> {
    programme_of(&root_of(am, PROGRAMME_DOC, workspace)?, damaged_out)
}

/// The programme document's records, from its hydrated root.
pub(crate) fn programme_of(
    root: &Map,
    damaged_out: &mut Vec<Damaged>,
) -> Result<ProgrammeData, StoreError> {
    let doc = PROGRAMME_DOC;
    let programme = match root.get("programme") {
        Some(Value::Map(m)) => programme_from(m).map_err(|e| damaged(doc, e.to_string()))?,
        _ => return Err(damaged(doc, "no programme settings")),
    };
    let mut data = ProgrammeData {
        programme,
        districts: BTreeMap::new(),
        years: BTreeMap::new(),
        targets: BTreeMap::new(),
        summaries: BTreeMap::new(),
        members: BTreeMap::new(),
        used_invites: BTreeMap::new(),
    };
    for (k, m) in each_entry(root, "districts", doc, damaged_out) {
        match Id::parse(k)
            .ok_or_else(|| FieldError {
                field: "id".into(),
                problem: "not an id".into(),
            })
            .and_then(|id| district_from(id, m))
        {
            Ok(d) => {
                data.districts.insert(d.id.clone(), d);
            }
            Err(e) => note(damaged_out, doc, "districts", k, e),
        }
    }
    for (k, m) in each_entry(root, "years", doc, damaged_out) {
        match year_from(m) {
            Ok(y) => {
                data.years.insert(y.year, y);
            }
            Err(e) => note(damaged_out, doc, "years", k, e),
        }
    }
    for (k, m) in each_entry(root, "targets", doc, damaged_out) {
        match target_from(m) {
            Ok(t) => {
                data.targets.insert((t.year, t.district_id.clone()), t);
            }
            Err(e) => note(damaged_out, doc, "targets", k, e),
        }
    }
    for (k, m) in each_entry(root, "members", doc, damaged_out) {
        match member_from(k, m) {
            Ok(member) => {
                data.members.insert(member.id.clone(), member);
            }
            Err(e) => note(damaged_out, doc, "members", k, e),
        }
    }
    for (k, m) in each_entry(root, "used_invites", doc, damaged_out) {
        let by = Fields(m).string("by").unwrap_or_default();
        data.used_invites.insert(k.clone(), by);
    }
    read_collection(root, doc, Home::Programme, &mut data.summaries, damaged_out);
    Ok(data)
}

fn read_collection<R: Record>(
    root: &Map,
    doc: &str,
    home: Home<'_>,
    into: &mut BTreeMap<Id, R>,
    damaged_out: &mut Vec<Damaged>,
) {
    for (k, m) in each_entry(root, R::COLLECTION, doc, damaged_out) {
        let read = Id::parse(k)
            .ok_or_else(|| FieldError {
                field: "id".into(),
                problem: "not an id".into(),
            })
            .and_then(|id| R::from_map(id, home, m));
        match read {
            Ok(r) => {
                into.insert(r.id().clone(), r);
            }
            Err(e) => note(damaged_out, doc, R::COLLECTION, k, e),
        }
    }
}

/// A district document's records, from its hydrated root.
pub(crate) fn district_of(
    root: &Map,
    doc: &str,
    district: &Id,
    damaged_out: &mut Vec<Damaged>,
) -> DistrictData {
    let mut data = DistrictData::default();
    let home = Home::District(district);
    read_collection(root, doc, home, &mut data.kindergartens, damaged_out);
    read_collection(root, doc, home, &mut data.pairings, damaged_out);
    read_collection(root, doc, home, &mut data.visits, damaged_out);
    read_collection(root, doc, home, &mut data.inspections, damaged_out);
    read_collection(root, doc, home, &mut data.monthly_reports, damaged_out);
    read_collection(root, doc, home, &mut data.annual_summaries, damaged_out);
    read_collection(root, doc, home, &mut data.attachments, damaged_out);
    data
}

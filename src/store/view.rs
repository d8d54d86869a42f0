//! Views: each document's records as domain values, cached next to the
//! document and keyed by its heads.
//!
//! Reading a city's documents into records costs about a second (loading
//! the automerge snapshots and hydrating them); reading the same records
//! from a view costs milliseconds. A view is used only when its heads are
//! the document's heads, so it can never show a state the document is not
//! in; otherwise the document is loaded and the view written anew. The
//! automerge documents themselves are loaded when a write, a compaction or
//! a history needs them.

use super::Records;
use super::layout::{Damaged, ProgrammeData};
use crate::domain::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bump whenever a domain record's serialized shape changes: older views
/// are then ignored and rebuilt from their documents. 8: a view written
/// after an edit that shortened a list could hold what automerge's
/// `update_object` never wrote to the document (docs/STORAGE.md); each
/// device reads every document once, and then shows what all others do.
pub(crate) const VIEW_FORMAT: i64 = 8;

/// How many documents' views are read and decoded together: enough to
/// keep every core busy, few enough that their bytes stay small (a
/// province's district view is about 1.2 MB).
pub(crate) const VIEW_BATCH: usize = 8;

/// Decodes stored views, each on its own and the lot spread over the
/// machine's cores (at most four); a view that does not decode (or whose
/// thread failed) is `None`, and its document is then read from its
/// automerge data. For a model of what syncing reads, on this thread
/// alone: it keeps few of the records it decodes, and the memory of
/// those freed on other threads stayed with them (at province scale 17
/// MiB held after opening, against 8.6 here, in 0.2 s).
pub(crate) fn decode_all(bytes: Vec<Option<Vec<u8>>>, records: Records) -> Vec<Option<View>> {
    let decode = |b: &Option<Vec<u8>>| {
        b.as_deref()
            .and_then(|b| postcard::from_bytes::<View>(b).ok())
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    if threads < 2 || bytes.len() < 2 || records == Records::ForSync {
        return bytes.iter().map(decode).collect();
    }
    let per = bytes.len().div_ceil(threads);
    std::thread::scope(|s| {
        // A part whose thread cannot be started is decoded here.
        let parts: Vec<_> = bytes
            .chunks(per)
            .map(|part| {
                let work = move || part.iter().map(decode).collect::<Vec<_>>();
                (part, std::thread::Builder::new().spawn_scoped(s, work))
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|(part, started)| match started {
                Ok(h) => h.join().unwrap_or_else(|_| vec![None; part.len()]),
                Err(_) => part.iter().map(decode).collect(),
            })
            .collect()
    })
}

/// A document's records, stored in postcard's compact binary encoding
/// (format 7; JSON before: `history` of a city visit, a whole process
/// that mostly opens views, went from 51 to 29–43 ms). Lists, not maps,
/// so that no encoding needs composite keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum ViewData {
    Programme {
        programme: Programme,
        districts: Vec<District>,
        years: Vec<YearPlan>,
        targets: Vec<PlanTarget>,
        summaries: Vec<AnnualSummary>,
        members: Vec<Member>,
        used_invites: Vec<(String, String)>,
    },
    District {
        district: Id,
        kindergartens: Vec<Kindergarten>,
        pairings: Vec<Pairing>,
        visits: Vec<Visit>,
        inspections: Vec<Inspection>,
        monthly_reports: Vec<MonthlyReport>,
        annual_summaries: Vec<AnnualSummary>,
        #[serde(default)]
        attachments: Vec<Attachment>,
    },
}

/// A view as stored: the records and those that could not be read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct View {
    pub data: ViewData,
    pub damaged: Vec<Damaged>,
    /// Values two devices set differently (`conflicts.rs`).
    pub conflicts: Vec<Conflict>,
}

impl ViewData {
    pub(crate) fn from_programme(p: ProgrammeData) -> ViewData {
        ViewData::Programme {
            programme: p.programme,
            districts: p.districts.into_values().collect(),
            years: p.years.into_values().collect(),
            targets: p.targets.into_values().collect(),
            summaries: p.summaries.into_values().collect(),
            members: p.members.into_values().collect(),
            used_invites: p.used_invites.into_iter().collect(),
        }
    }

    pub(crate) fn from_district(district: Id, d: DistrictData) -> ViewData {
        ViewData::District {
            district,
            kindergartens: d.kindergartens.into_values().collect(),
            pairings: d.pairings.into_values().collect(),
            visits: d.visits.into_values().collect(),
            inspections: d.inspections.into_values().collect(),
            monthly_reports: d.monthly_reports.into_values().collect(),
            annual_summaries: d.annual_summaries.into_values().collect(),
            attachments: d.attachments.into_values().collect(),
        }
    }

    /// The view of one document as the model holds it now; the members
    /// and used invites are the programme document's own (`legacy`), not
    /// the membership log's that the model shows.
    pub(crate) fn of(
        model: &Model,
        district: Option<&Id>,
        legacy: &(BTreeMap<String, Member>, BTreeMap<String, String>),
    ) -> ViewData {
        match district {
            None => ViewData::Programme {
                programme: model.programme.clone(),
                districts: model.districts.values().cloned().collect(),
                years: model.years.values().cloned().collect(),
                targets: model.targets.values().cloned().collect(),
                summaries: model.city_summaries.values().cloned().collect(),
                members: legacy.0.values().cloned().collect(),
                used_invites: legacy.1.clone().into_iter().collect(),
            },
            Some(d) => {
                ViewData::from_district(d.clone(), model.data.get(d).cloned().unwrap_or_default())
            }
        }
    }

    /// What a model of [`super::Records::ForSync`] keeps of these records:
    /// a district's kindergartens, pairings and attachments; the
    /// programme's whole.
    pub(crate) fn for_sync(self) -> ViewData {
        match self {
            ViewData::District {
                district,
                kindergartens,
                pairings,
                attachments,
                ..
            } => ViewData::District {
                district,
                kindergartens,
                pairings,
                visits: Vec::new(),
                inspections: Vec::new(),
                monthly_reports: Vec::new(),
                annual_summaries: Vec::new(),
                attachments,
            },
            programme => programme,
        }
    }

    /// How many records the document holds (districts, years, targets
    /// and summaries for the programme's).
    pub(crate) fn records(&self) -> usize {
        match self {
            ViewData::Programme {
                districts,
                years,
                targets,
                summaries,
                ..
            } => districts.len() + years.len() + targets.len() + summaries.len(),
            ViewData::District {
                kindergartens,
                pairings,
                visits,
                inspections,
                monthly_reports,
                annual_summaries,
                attachments,
                ..
            } => {
                kindergartens.len()
                    + pairings.len()
                    + visits.len()
                    + inspections.len()
                    + monthly_reports.len()
                    + annual_summaries.len()
                    + attachments.len()
            }
        }
    }

    /// Puts these records into the model, replacing the document's old ones.
    pub(crate) fn apply(self, model: &mut Model) {
        fn keyed<T>(items: Vec<T>, key: impl Fn(&T) -> Id) -> std::collections::BTreeMap<Id, T> {
            items.into_iter().map(|x| (key(&x), x)).collect()
        }
        match self {
            ViewData::Programme {
                programme,
                districts,
                years,
                targets,
                summaries,
                members,
                used_invites,
            } => {
                model.programme = programme;
                model.districts = keyed(districts, |d| d.id.clone());
                model.years = years.into_iter().map(|y| (y.year, y)).collect();
                model.targets = targets
                    .into_iter()
                    .map(|t| ((t.year, t.district_id.clone()), t))
                    .collect();
                model.city_summaries = keyed(summaries, |s| s.id.clone());
                model.members = members.into_iter().map(|m| (m.id.clone(), m)).collect();
                model.used_invites = used_invites.into_iter().collect();
            }
            ViewData::District {
                district,
                kindergartens,
                pairings,
                visits,
                inspections,
                monthly_reports,
                annual_summaries,
                attachments,
            } => {
                model.data.insert(
                    district,
                    DistrictData {
                        kindergartens: keyed(kindergartens, |x| x.id.clone()),
                        pairings: keyed(pairings, |x| x.id.clone()),
                        visits: keyed(visits, |x| x.id.clone()),
                        inspections: keyed(inspections, |x| x.id.clone()),
                        monthly_reports: keyed(monthly_reports, |x| x.id.clone()),
                        annual_summaries: keyed(annual_summaries, |x| x.id.clone()),
                        attachments: keyed(attachments, |x| x.id.clone()),
                    },
                );
            }
        }
    }
}

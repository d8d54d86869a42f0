//! `bangfu doctor`: every document checked on its own, from its automerge
//! data (never from a view), so one damaged document does not hide the
//! state of the others.

use super::layout::*;
use super::state::{load_doc, read_doc, sqlite_err};
use super::{AuthorInfo, DB_FILE, Options, StoreError, db};
use crate::domain::Id;
use db::Db;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Health of one document, as `doctor` reports it.
#[derive(Debug)]
pub struct DocHealth {
    pub id: String,
    /// The district's name, when the programme document could be read.
    pub name: Option<String>,
    pub result: Result<DocFigures, StoreError>,
}

/// What a healthy document holds.
#[derive(Debug, Clone)]
pub struct DocFigures {
    pub changes: usize,
    pub chunks: i64,
    pub records: usize,
}

/// Everything `doctor` found.
#[derive(Debug)]
pub struct DoctorReport {
    pub path: PathBuf,
    /// SQLite's own check of the file.
    pub file: Result<(), String>,
    pub docs: Vec<DocHealth>,
    pub damaged: Vec<Damaged>,
    /// Values two devices set differently, not yet settled.
    pub conflicts: Vec<super::Conflict>,
    /// The membership log: its root, how many certificates, how many
    /// active members it makes, and the certificates that do not count
    /// (hash, issuer, why): forgeries and grants their issuer had no right
    /// to, refused on this device.
    pub membership: Membership,
    /// The changes refused on arrival lately (newest first, at most 20),
    /// and how many in all.
    pub refusals: Vec<super::RefusalRow>,
    pub refused_total: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Membership {
    pub root: Option<String>,
    pub certs: usize,
    pub members: usize,
    /// Every device the log ever made a member (names for the report).
    pub known: std::collections::BTreeMap<String, crate::domain::Member>,
    pub refused: Vec<(String, String, crate::trust::Refusal)>,
}

/// The membership log as the store holds it: its root, certificates,
/// members, and the certificates refused (with their issuers).
fn membership(tx: &rusqlite::Connection, workspace: &str) -> rusqlite::Result<Membership> {
    let root = db::meta_get(tx, "root")?;
    let certs: Vec<crate::trust::Cert> = db::certs(tx)?
        .iter()
        .filter_map(|b| crate::trust::Cert::decode(b).ok())
        .collect();
    Ok(match &root {
        None => Membership {
            certs: certs.len(),
            ..Membership::default()
        },
        Some(r) => {
            let roster = crate::trust::roster(workspace, r, &certs);
            let issuer = |h: &str| {
                certs
                    .iter()
                    .find(|c| c.hash == h)
                    .map(|c| c.body.issuer.clone())
                    .unwrap_or_default()
            };
            Membership {
                root: root.clone(),
                certs: certs.len(),
                members: roster.members.values().filter(|m| !m.revoked).count(),
                known: roster.members.clone(),
                refused: roster
                    .refused
                    .iter()
                    .map(|(h, why)| (h.clone(), issuer(h), why.clone()))
                    .collect(),
            }
        }
    })
}

/// Checks every document on its own, so one damaged document does not hide
/// the state of the others. Reads only.
pub fn doctor(dir: &Path, options: Options) -> Result<DoctorReport, StoreError> {
    let mut db = Db::open(&dir.join(DB_FILE))?;
    let path = db.path.clone();
    let file = {
        let r: Result<String, _> = db.conn.query_row("PRAGMA quick_check", [], |r| r.get(0));
        match r {
            Ok(s) if s == "ok" => Ok(()),
            Ok(s) => Err(s),
            Err(e) => Err(e.to_string()),
        }
    };
    let tx = db.begin_read()?;
    let err = sqlite_err(&path);
    let workspace = db::meta_get(&tx, "workspace_id")
        .map_err(&err)?
        .unwrap_or_default();
    let author = AuthorInfo {
        person: options.person,
        device: String::new(),
    };
    let mut damaged = Vec::new();
    let mut conflicts = Vec::new();
    let mut loaded = Vec::new();
    for (id, _, _) in db::doc_versions(&tx).map_err(&err)? {
        let doc = load_doc(&tx, &path, &id, &author).map(|(am, _)| am);
        let chunks = db::chunk_count(&tx, &id).map_err(&err)?;
        loaded.push((id, doc, chunks));
    }
    let names: BTreeMap<Id, String> = loaded
        .iter()
        .find(|(id, _, _)| id == PROGRAMME_DOC)
        .and_then(|(_, d, _)| d.as_ref().ok())
        .and_then(|d| read_programme(d, &workspace, &mut Vec::new()).ok())
        .map(|p| p.districts.into_iter().map(|(k, v)| (k, v.name)).collect())
        .unwrap_or_default();
    let docs = loaded
        .into_iter()
        .map(|(id, doc, chunks)| {
            let district = district_of_doc(&id);
            let name = district.as_ref().and_then(|d| names.get(d).cloned());
            let result = doc.and_then(|d| {
                let (data, found) = read_doc(&d, &id, &workspace, &mut damaged)?;
                conflicts.extend(found);
                Ok(DocFigures {
                    changes: d.get_changes_meta(&[]).len(),
                    chunks,
                    records: data.records(),
                })
            });
            DocHealth { id, name, result }
        })
        .collect();
    let membership = membership(&tx, &workspace).map_err(&err)?;
    let refusals = db::refusals(&tx, 20).map_err(&err)?;
    let refused_total = db::refusal_count(&tx).map_err(&err)?;
    drop(err);
    drop(tx);
    Ok(DoctorReport {
        path,
        file,
        docs,
        damaged,
        conflicts,
        membership,
        refusals,
        refused_total,
    })
}

//! Edits, each checked against the programme's rules, each one automerge
//! change with its time, author and a short message.

use super::db;
use super::layout::*;
use super::mapping::*;
use super::state::{Doc, State, sqlite_err};
use super::{EditError, IdSource, StoreError};
use crate::domain::authz::{self, Target, Write};
use crate::domain::plan::ProgrammeSetup;
use crate::domain::reports::{self, Report, ReportKey};
use crate::domain::rules::{self, Problem, ProblemKind};
use crate::domain::*;
use crate::trust::Kind;
use automerge::hydrate::{Map, Value};
use automerge::transaction::{CommitOptions, Transactable, Transaction};
use automerge::{ChangeHash, ObjType, ROOT, ReadDoc};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// Checks a programme to be created: names given, no district twice, years
/// in order.
pub(crate) fn check_setup(setup: &ProgrammeSetup) -> Vec<Problem> {
    let mut out = Vec::new();
    if setup.programme.name.trim().is_empty() {
        out.push(Problem {
            field: "programme",
            kind: ProblemKind::Required,
        });
    }
    if setup.districts.is_empty() {
        out.push(Problem {
            field: "district",
            kind: ProblemKind::Required,
        });
    }
    let mut seen = BTreeSet::new();
    for d in &setup.districts {
        let name = d.trim();
        if name.is_empty() {
            out.push(Problem {
                field: "district",
                kind: ProblemKind::Required,
            });
        } else if !seen.insert(name) {
            out.push(Problem {
                field: "district",
                kind: ProblemKind::DuplicateName { name: name.into() },
            });
        }
    }
    let (start, end) = (setup.programme.start_year, setup.programme.end_year);
    if start > end || !(2000..=2100).contains(&start) || !(2000..=2100).contains(&end) {
        out.push(Problem {
            field: "years",
            kind: ProblemKind::YearOutsideProgramme {
                year: end,
                start,
                end,
            },
        });
    }
    out
}

/// Makes edits inside [`super::Workspace::write`].
pub struct Writer<'a> {
    /// The write transaction, to load documents on demand.
    conn: &'a rusqlite::Connection,
    path: &'a std::path::Path,
    state: &'a mut State,
    ids: &'a mut IdSource,
    today: NaiveDate,
    time: Option<i64>,
    /// Heads of each document before its first edit here.
    touched: &'a mut BTreeMap<String, Vec<ChangeHash>>,
    /// Documents created here.
    created: &'a mut BTreeSet<String>,
}

fn invalid<T>(problems: Vec<Problem>) -> Result<T, EditError> {
    Err(EditError::Invalid(problems))
}

fn check(problems: Vec<Problem>) -> Result<(), EditError> {
    EditError::invalid(problems)
}

fn unknown(field: &'static str, what: Entity, id: &Id) -> EditError {
    EditError::Invalid(vec![Problem {
        field,
        kind: ProblemKind::UnknownId {
            what,
            id: id.to_string(),
        },
    }])
}

fn am_err(doc: &str) -> impl Fn(automerge::AutomergeError) -> StoreError + '_ {
    move |e| StoreError::Automerge {
        doc: doc.to_string(),
        detail: e.to_string(),
    }
}

/// The map object under `key` of `parent`.
fn child_map(
    tx: &mut Transaction<'_>,
    parent: &automerge::ObjId,
    key: &str,
    doc: &str,
) -> Result<automerge::ObjId, StoreError> {
    match tx.get(parent, key).map_err(am_err(doc))? {
        Some((automerge::Value::Object(ObjType::Map), id)) => Ok(id),
        // A collection this version has and the document's creator did not
        // (made by an older bangfu): made now. Two devices doing so at once
        // would each make their own; only documents older than the
        // collection can meet that.
        None if *parent == ROOT => tx.put_object(ROOT, key, ObjType::Map).map_err(am_err(doc)),
        _ => Err(StoreError::Damaged {
            doc: doc.to_string(),
            detail: format!("`{key}` is missing or not a map"),
        }),
    }
}

/// Writes `value` under `path` (a chain of map keys from the root, the last
/// being the record's key): creates it in one batch if new, otherwise lays it
/// over the old value so only changed fields produce operations.
fn put_map(
    tx: &mut Transaction<'_>,
    doc: &str,
    path: &[&str],
    value: Map,
) -> Result<(), StoreError> {
    let Some((key, parents)) = path.split_last() else {
        return Ok(());
    };
    let mut obj = ROOT;
    for p in parents {
        obj = child_map(tx, &obj, p, doc)?;
    }
    match tx.get(&obj, *key).map_err(am_err(doc))? {
        Some((automerge::Value::Object(ObjType::Map), existing)) => {
            let old = tx.hydrate(&existing, None).map_err(am_err(doc))?;
            let old_map = match &old {
                Value::Map(m) => Some(m),
                _ => None,
            };
            let merged = overlay(old_map, value);
            tx.update_object(&existing, &Value::Map(merged))
                .map_err(|e| StoreError::Automerge {
                    doc: doc.to_string(),
                    detail: e.to_string(),
                })?;
        }
        _ => {
            tx.batch_create_object(&obj, *key, &Value::Map(value), false)
                .map_err(am_err(doc))?;
        }
    }
    Ok(())
}

impl<'a> Writer<'a> {
    pub(crate) fn new(
        conn: &'a rusqlite::Connection,
        path: &'a std::path::Path,
        state: &'a mut State,
        ids: &'a mut IdSource,
        today: NaiveDate,
        touched: &'a mut BTreeMap<String, Vec<ChangeHash>>,
        created: &'a mut BTreeSet<String>,
    ) -> Writer<'a> {
        Writer {
            conn,
            path,
            state,
            ids,
            today,
            time: None,
            touched,
            created,
        }
    }

    /// The programme as it stands, including this write's edits so far.
    pub fn model(&self) -> &Model {
        &self.state.model
    }

    /// The member this device is (none if it is not, or no longer, one):
    /// every edit is checked against its role and scope.
    pub fn me(&self) -> Option<&Member> {
        self.state.model.active_member(&self.state.author.device)
    }

    /// Refuses the edit unless this device's member may make `write` to
    /// `target` (the matrix in `domain/authz.rs`).
    fn allow(
        &self,
        write: Write,
        target: &Target,
        record: Option<(Entity, &Id)>,
    ) -> Result<(), EditError> {
        check(authz::check(self.me(), write, target, record))
    }

    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// A fresh record id.
    pub fn new_id(&mut self) -> Id {
        self.ids.next()
    }

    /// Records the following changes at `ms` (milliseconds since 1970)
    /// instead of now; demo data uses it to spread history over the years.
    pub fn set_time(&mut self, ms: Option<i64>) {
        self.time = ms;
    }

    /// Sets "today" for the rules (demo data written as of a past day).
    pub fn set_today(&mut self, today: NaiveDate) {
        self.today = today;
    }

    /// Runs one automerge change on `doc`.
    fn change(
        &mut self,
        doc: &str,
        message: String,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let time = self.time.unwrap_or_else(super::now_ms);
        let am = self.state.loaded(self.conn, self.path, doc)?;
        self.touched
            .entry(doc.to_string())
            .or_insert_with(|| am.get_heads());
        am.transact_with(
            |_| {
                CommitOptions::default()
                    .with_time(time)
                    .with_message(message)
            },
            f,
        )
        .map(|_| ())
        .map_err(|failure| failure.error)
    }

    /// A raw automerge change to `doc`, past every check: what a modified
    /// program could write. For tests of what receivers refuse; nothing in
    /// bangfu calls it.
    #[doc(hidden)]
    pub fn raw_change(
        &mut self,
        doc: &str,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<(), automerge::AutomergeError>,
    ) -> Result<(), EditError> {
        self.change(doc, "raw".into(), |tx| f(tx).map_err(am_err(doc)))?;
        self.state.reread(doc)?;
        Ok(())
    }

    /// A raw change to `doc` under another actor and author device,
    /// signed with this device's key: what a modified program posing as
    /// another device could make. For tests of what receivers refuse.
    #[doc(hidden)]
    pub fn raw_change_as(
        &mut self,
        doc: &str,
        actor: automerge::ActorId,
        device: &str,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<(), automerge::AutomergeError>,
    ) -> Result<(), EditError> {
        let key = self.state.key.clone().ok_or(StoreError::NoDeviceKey)?;
        let author = super::AuthorInfo {
            person: "冒名".into(),
            device: device.to_string(),
        };
        let mine = self.state.author.clone();
        let am = self.state.loaded(self.conn, self.path, doc)?;
        let before = am.get_heads();
        super::state::writes_as(am, doc, &author);
        am.set_actor(actor);
        self.touched
            .entry(doc.to_string())
            .or_insert_with(|| before.clone());
        let result = am
            .transact_with(|_| CommitOptions::default().with_time(0), f)
            .map(|_| ())
            .map_err(|failure| am_err(doc)(failure.error));
        super::state::writes_as(am, doc, &mine);
        result?;
        let sigs: Vec<_> = am
            .get_changes(&before)
            .iter()
            .map(|c| {
                let h = c.hash();
                (
                    h,
                    crate::trust::changes::sign(&key, &self.state.workspace_id, doc, &h),
                )
            })
            .collect();
        db::put_sigs(self.conn, &sigs).map_err(sqlite_err(self.path))?;
        self.state.reread(doc)?;
        Ok(())
    }

    /// Signs and stores a certificate of any kind, past every check: what
    /// a modified program could issue. For tests; nothing in bangfu calls
    /// it.
    #[doc(hidden)]
    pub fn raw_cert(&mut self, kind: Kind) -> Result<(), EditError> {
        self.issue(kind)
    }

    fn put_record<R: Record>(
        &mut self,
        district: &Id,
        record: &R,
        verb: &str,
    ) -> Result<(), EditError> {
        let doc = district_doc_id(district);
        let map = record.to_map();
        check(oversized(&map).into_iter().collect())?;
        let id = record.id().to_string();
        let message = format!("{verb} {} {id}", R::COLLECTION);
        self.change(&doc, message, |tx| {
            put_map(tx, &doc, &[R::COLLECTION, &id], map)
        })?;
        let data = self.state.model.data.entry(district.clone()).or_default();
        R::collection(data).insert(record.id().clone(), record.clone());
        Ok(())
    }

    fn put_programme(
        &mut self,
        path: &[&str],
        value: Map,
        message: String,
    ) -> Result<(), EditError> {
        check(oversized(&value).into_iter().collect())?;
        self.change(PROGRAMME_DOC, message, |tx| {
            put_map(tx, PROGRAMME_DOC, path, value)
        })?;
        Ok(())
    }

    // ---------- districts and plans ----------

    /// Adds a district (县区) and creates its document.
    pub fn add_district(&mut self, name: &str) -> Result<Id, EditError> {
        self.allow(Write::AddDistrict, &Target::programme(), None)?;
        let name = name.trim();
        if name.is_empty() {
            return invalid(vec![Problem {
                field: "name",
                kind: ProblemKind::Required,
            }]);
        }
        if self.model().district_by_name(name).is_some() {
            return invalid(vec![Problem {
                field: "name",
                kind: ProblemKind::DuplicateName { name: name.into() },
            }]);
        }
        let position = self
            .model()
            .districts
            .values()
            .map(|d| d.position)
            .max()
            .unwrap_or(0)
            + 1;
        let d = District {
            id: self.new_id(),
            name: name.to_string(),
            position,
            towns: Vec::new(),
        };
        let doc = district_doc_id(&d.id);
        let time = self.time.unwrap_or_else(super::now_ms);
        let made = Made {
            workspace: &self.state.workspace_id,
            time,
            author: &self.state.author,
        };
        let am = new_district_doc(&made, &d.id)?;
        let mut heads = am.get_heads();
        heads.sort();
        self.state.docs.insert(
            doc.clone(),
            Doc {
                am: Some(am),
                generation: 0,
                heads,
                view_stale: true,
            },
        );
        self.created.insert(doc);
        self.put_programme(
            &["districts", d.id.as_str()],
            district_map(&d),
            format!("add district {}", d.id),
        )?;
        self.state.model.data.entry(d.id.clone()).or_default();
        self.state.model.districts.insert(d.id.clone(), d.clone());
        Ok(d.id)
    }

    /// Adds a town to a district's list if it is not there yet.
    fn note_town(&mut self, district: &Id, town: &str) -> Result<(), EditError> {
        let town = town.trim();
        let Some(d) = self.state.model.districts.get(district) else {
            return Ok(());
        };
        if town.is_empty() || d.towns.iter().any(|t| t == town) {
            return Ok(());
        }
        // The town list is the bureau's: a kindergarten that names a new
        // town for itself keeps it on its record only.
        if self
            .allow(Write::EditDistrict, &Target::district(district), None)
            .is_err()
        {
            return Ok(());
        }
        let mut d = d.clone();
        d.towns.push(town.to_string());
        d.towns.sort();
        let towns = map_of(vec![(
            town,
            Value::Scalar(automerge::ScalarValue::Boolean(true)),
        )]);
        self.put_programme(
            &["districts", district.as_str(), "towns"],
            towns,
            format!("add town to district {district}"),
        )?;
        self.state.model.districts.insert(district.clone(), d);
        Ok(())
    }

    /// Sets a district's target for a year (年度目标).
    pub fn set_target(&mut self, t: PlanTarget) -> Result<(), EditError> {
        self.allow(Write::Plan, &Target::programme(), None)?;
        check(rules::check_target(self.model(), &t))?;
        let key = target_key(t.year, &t.district_id);
        self.put_programme(
            &["targets", &key],
            target_map(&t),
            format!("set target {key}"),
        )?;
        self.state
            .model
            .targets
            .insert((t.year, t.district_id.clone()), t);
        Ok(())
    }

    /// Sets the city's stated total and target share for a year.
    pub fn set_year_plan(&mut self, y: YearPlan) -> Result<(), EditError> {
        self.allow(Write::Plan, &Target::programme(), None)?;
        check(rules::check_year_plan(self.model(), &y))?;
        let key = y.year.to_string();
        self.put_programme(&["years", &key], year_map(&y), format!("set year {key}"))?;
        self.state.model.years.insert(y.year, y);
        Ok(())
    }

    // ---------- members ----------

    /// Adds a member (or replaces one with the same endpoint id).
    pub fn put_member(&mut self, m: Member) -> Result<(), EditError> {
        self.admit(m, None)
    }

    /// Adds, changes or (with `revoked` set) revokes a member; `invite`:
    /// the invite it joined with, used up by this. Once the workspace has
    /// a membership log, this is a certificate signed by this device,
    /// never an edit of a document.
    pub fn admit(&mut self, m: Member, invite: Option<&str>) -> Result<(), EditError> {
        let write = if m.revoked {
            Write::Revoke
        } else {
            Write::Invite
        };
        self.allow(write, &Target::member(self.model(), &m), None)?;
        let mut problems = Vec::new();
        if m.name.trim().is_empty() {
            problems.push(Problem {
                field: "name",
                kind: ProblemKind::Required,
            });
        }
        for (field, id, what) in [
            ("district", m.district.as_ref(), Entity::District),
            (
                "kindergarten",
                m.kindergarten.as_ref(),
                Entity::Kindergarten,
            ),
        ] {
            let known = match (id, what) {
                (None, _) => true,
                (Some(d), Entity::District) => self.model().district(d).is_some(),
                (Some(k), _) => self.model().kindergarten(k).is_some(),
            };
            if let (false, Some(id)) = (known, id) {
                problems.push(Problem {
                    field,
                    kind: ProblemKind::UnknownId {
                        what,
                        id: id.to_string(),
                    },
                });
            }
        }
        // The size limits of every record, also when the member becomes a
        // certificate rather than a map.
        problems.extend(oversized(&member_map(&m)));
        check(problems)?;
        if self.state.trust.root.is_some() {
            let kind = if m.revoked {
                Kind::Revoke {
                    cutoff: self.cutoff(&m.id)?,
                    member: m.id.clone(),
                }
            } else {
                self.grant_of(m, invite.map(str::to_string))
            };
            return self.issue(kind);
        }
        self.put_programme(
            &["members", m.id.as_str()],
            member_map(&m),
            format!("member {}", m.id),
        )?;
        let joiner = m.id.clone();
        self.state.trust.legacy.0.insert(m.id.clone(), m.clone());
        self.state.model.members.insert(m.id.clone(), m);
        if let Some(inv) = invite {
            self.mark_invite_used(inv, &joiner)?;
        }
        Ok(())
    }

    /// A revocation's cut-off: per document, how many of `device`'s
    /// changes this device holds. Those keep counting everywhere; any
    /// later one is refused.
    fn cutoff(&mut self, device: &str) -> Result<BTreeMap<String, u64>, EditError> {
        let ids: Vec<String> = self.state.docs.keys().cloned().collect();
        let mut out = BTreeMap::new();
        for id in ids {
            let actor = crate::trust::changes::actor_for(device, &id);
            let am = self.state.loaded(self.conn, self.path, &id)?;
            let last = am
                .get_changes_meta(&[])
                .iter()
                .filter(|c| *c.actor == actor)
                .map(|c| c.seq)
                .max();
            if let Some(seq) = last {
                out.insert(id, seq);
            }
        }
        Ok(out)
    }

    /// The grant that makes `m` a member (its kindergarten's district as
    /// this device knows it, for the scope check).
    fn grant_of(&self, m: Member, invite: Option<String>) -> Kind {
        Kind::Grant {
            kindergarten_district: m
                .kindergarten
                .as_ref()
                .and_then(|k| self.model().kindergarten(k))
                .map(|k| k.district_id.clone()),
            member: m.id,
            name: m.name.trim().to_string(),
            role: m.role,
            district: m.district,
            kindergarten: m.kindergarten,
            districts: m.districts,
            invite,
            added_on: m.added_on,
        }
    }

    /// Signs and stores a certificate of the membership log.
    fn issue(&mut self, kind: Kind) -> Result<(), EditError> {
        let key = self.state.key.clone().ok_or(StoreError::NoDeviceKey)?;
        let body = crate::trust::Body {
            v: crate::trust::VERSION,
            workspace: self.state.workspace_id.clone(),
            issuer: crate::identity::endpoint_hex(&key),
            issued_ms: self.time.unwrap_or_else(super::now_ms),
            prev: crate::trust::heads_of(&self.state.trust.certs),
            kind,
        };
        let cert = crate::trust::Cert::issue(&key, body);
        db::put_cert(self.conn, &cert.hash, cert.bytes()).map_err(sqlite_err(self.path))?;
        let t = &mut self.state.trust;
        t.certs.push(cert);
        t.stored = t.stored.saturating_add(1);
        t.dirty = true;
        t.recompute(&self.state.workspace_id);
        t.overlay(&mut self.state.model);
        Ok(())
    }

    /// Starts the membership log with this device as its root: the
    /// programme's creator, or (upgrading a workspace an older version
    /// wrote) its first member, who vouches for the members and documents
    /// as they stand.
    pub(crate) fn establish_root(&mut self) -> Result<(), EditError> {
        let key = self.state.key.clone().ok_or(StoreError::NoDeviceKey)?;
        let me = crate::identity::endpoint_hex(&key);
        if self.state.trust.root.is_some() {
            return Ok(());
        }
        let legacy: Vec<Member> = self.model().members.values().cloned().collect();
        let invites = self.model().used_invites.clone();
        let name = legacy
            .iter()
            .find(|m| m.id == me)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| self.state.author.person.clone());
        db::meta_pin(self.conn, "root", &me).map_err(sqlite_err(self.path))?;
        self.state.trust.root = Some(me.clone());
        let added_on = self.today;
        self.issue(Kind::Root { name, added_on })?;
        for m in legacy.into_iter().filter(|m| m.id != me) {
            let invite = invites
                .iter()
                .find(|(_, by)| **by == m.id)
                .map(|(i, _)| i.clone());
            let (id, revoked) = (m.id.clone(), m.revoked);
            let kind = self.grant_of(m, invite);
            self.issue(kind)?;
            if revoked {
                self.issue(Kind::Revoke {
                    member: id,
                    cutoff: BTreeMap::new(),
                })?;
            }
        }
        self.checkpoint()
    }

    /// The root vouches for the documents as they stand (their changes
    /// need no signature): upgrading from a version that did not sign.
    pub(crate) fn checkpoint(&mut self) -> Result<(), EditError> {
        let docs: BTreeMap<String, Vec<String>> = self
            .state
            .docs
            .iter()
            .map(|(id, d)| (id.clone(), d.heads.iter().map(|h| h.to_string()).collect()))
            .collect();
        if docs.is_empty() {
            return Ok(());
        }
        self.issue(Kind::Checkpoint { docs })
    }

    pub(crate) fn conn(&self) -> &rusqlite::Connection {
        self.conn
    }

    pub(crate) fn path(&self) -> &std::path::Path {
        self.path
    }

    /// Records that an invite was used, so no one can use it again (in a
    /// workspace with a membership log, the grant made with it does).
    pub fn mark_invite_used(&mut self, invite: &str, by: &str) -> Result<(), EditError> {
        if self.state.trust.root.is_some() {
            return Ok(());
        }
        // Only a member who may invite anyone records an invite's use.
        if self
            .me()
            .is_none_or(|me| authz::scope(me.role, Write::Invite) == authz::Scope::Never)
        {
            self.allow(Write::Invite, &Target::programme(), None)?;
        }
        let today = self.today;
        self.put_programme(
            &["used_invites", invite],
            used_invite_map(by, today),
            format!("invite {invite} used"),
        )?;
        for map in [
            &mut self.state.model.used_invites,
            &mut self.state.trust.legacy.1,
        ] {
            map.insert(invite.to_string(), by.to_string());
        }
        Ok(())
    }

    // ---------- kindergartens ----------

    /// Adds a kindergarten as typed; returns its new id.
    pub fn add_kindergarten(&mut self, d: KindergartenDraft) -> Result<Id, EditError> {
        let id = self.new_id();
        self.put_kindergarten(d.into_record(id))
    }

    /// Changes a kindergarten to what was typed.
    pub fn edit_kindergarten(&mut self, id: &Id, d: KindergartenDraft) -> Result<(), EditError> {
        if self.model().kindergarten(id).is_none() {
            return Err(unknown("id", Entity::Kindergarten, id));
        }
        self.put_kindergarten(d.into_record(id.clone())).map(|_| ())
    }

    /// Adds or edits a kindergarten (its id decides which).
    pub fn put_kindergarten(&mut self, k: Kindergarten) -> Result<Id, EditError> {
        let k = Kindergarten {
            name: k.name.trim().to_string(),
            town: k.town.trim().to_string(),
            village: k.village.trim().to_string(),
            ..k
        };
        let write = match self.model().kindergarten(&k.id) {
            Some(old) => {
                // Permission is judged on the record as it stands.
                self.allow(
                    Write::EditKindergarten,
                    &Target::kindergarten(old),
                    Some((Entity::Kindergarten, &k.id)),
                )?;
                Write::EditKindergarten
            }
            None => Write::AddKindergarten,
        };
        self.allow(
            write,
            &Target::kindergarten(&k),
            Some((Entity::Kindergarten, &k.id)),
        )?;
        check(rules::check_kindergarten(self.model(), &k))?;
        if let Some(old) = self.model().kindergarten(&k.id) {
            self.stays_home(&old.district_id, &k.district_id, "district")?;
        }
        let verb = if self.model().kindergarten(&k.id).is_some() {
            "edit"
        } else {
            "add"
        };
        self.note_town(&k.district_id, &k.town)?;
        self.put_record(&k.district_id.clone(), &k, verb)?;
        Ok(k.id)
    }

    // ---------- pairings and agreements ----------

    /// Adds a pairing (a whole record, id drawn by the caller) with its
    /// draft agreement. Its district is that of its helped kindergartens.
    pub fn insert_pairing(&mut self, mut p: Pairing) -> Result<Id, EditError> {
        p.helpers.dedup();
        p.helped.dedup();
        p.agreement.status = AgreementStatus::Draft;
        p.agreement.signed = None;
        p.agreement.confirmations.clear();
        p.agreement.filed = None;
        let problems = rules::check_pairing(self.model(), &p);
        check(problems)?;
        let Some(home) = rules::pairing_home(self.model(), &p.helped) else {
            return invalid(vec![Problem {
                field: "helped",
                kind: ProblemKind::HelpedInSeveralDistricts,
            }]);
        };
        p.district_id = home.clone();
        self.allow(Write::AddPairing, &Target::pairing(&p), None)?;
        self.put_record(&home, &p, "add")?;
        Ok(p.id)
    }

    /// Adds a pairing as typed, with its draft agreement; returns its new
    /// id. It lives in the district of its helped kindergartens.
    pub fn add_pairing(&mut self, d: PairingDraft) -> Result<Id, EditError> {
        let Some(home) = rules::pairing_home(self.model(), &d.helped) else {
            // No one district to live in: the sides say why.
            let (mut problems, _) = rules::check_sides(self.model(), &d.helpers, &d.helped);
            problems.extend(rules::check_agreement_terms(
                &d.terms.clone().into_agreement(),
            ));
            return invalid(problems);
        };
        let id = self.new_id();
        self.insert_pairing(d.into_record(id, home))
    }

    fn pairing(&self, id: &Id) -> Result<Pairing, EditError> {
        self.model()
            .pairing(id)
            .cloned()
            .ok_or_else(|| unknown("pairing", Entity::Pairing, id))
    }

    /// Changes the terms of an agreement. A filed agreement is locked; a
    /// signed one goes back to draft (its signature and confirmations no
    /// longer match the terms). Returns whether it went back to draft.
    pub fn edit_agreement(&mut self, id: &Id, terms: TermsDraft) -> Result<bool, EditError> {
        let agreement = terms.into_agreement();
        let old = self.pairing(id)?;
        self.allow(
            Write::EditAgreement,
            &Target::pairing(&old),
            Some((Entity::Pairing, id)),
        )?;
        check(rules::check_editable(&old))?;
        let mut p = old.clone();
        let unsigned = old.agreement.status == AgreementStatus::Signed;
        p.agreement = Agreement {
            status: AgreementStatus::Draft,
            signed: None,
            confirmations: Vec::new(),
            filed: None,
            ..agreement
        };
        if p.agreement == old.agreement {
            return Ok(false);
        }
        check(rules::check_pairing(self.model(), &p))?;
        self.put_record(&p.district_id.clone(), &p, "edit")?;
        Ok(unsigned)
    }

    /// Both sides sign the agreement (签订).
    pub fn sign(&mut self, id: &Id, stamp: Stamp) -> Result<(), EditError> {
        let mut p = self.pairing(id)?;
        self.allow(
            Write::SignAgreement,
            &Target::pairing(&p),
            Some((Entity::Pairing, id)),
        )?;
        check(rules::check_sign(self.model(), &p))?;
        p.agreement.status = AgreementStatus::Signed;
        p.agreement.signed = Some(stamp);
        self.put_record(&p.district_id.clone(), &p, "sign")?;
        Ok(())
    }

    /// A supervising bureau confirms the signed agreement (主管教育局确认).
    pub fn confirm(&mut self, id: &Id, district: &Id, stamp: Stamp) -> Result<(), EditError> {
        let mut p = self.pairing(id)?;
        self.allow(
            Write::ConfirmAgreement,
            &Target::confirmation(&p, district),
            Some((Entity::Pairing, id)),
        )?;
        check(rules::check_confirm(self.model(), &p, district))?;
        p.agreement.confirmations.push(Confirmation {
            district_id: district.clone(),
            by: stamp.by,
            on: stamp.on,
        });
        p.agreement
            .confirmations
            .sort_by(|a, b| a.district_id.cmp(&b.district_id));
        self.put_record(&p.district_id.clone(), &p, "confirm")?;
        Ok(())
    }

    /// The bureau examines and files the agreement (审核备案); it is locked
    /// from then on.
    pub fn file(&mut self, id: &Id, stamp: Stamp) -> Result<(), EditError> {
        let mut p = self.pairing(id)?;
        self.allow(
            Write::FileAgreement,
            &Target::pairing(&p),
            Some((Entity::Pairing, id)),
        )?;
        check(rules::check_file(self.model(), &p))?;
        p.agreement.status = AgreementStatus::Filed;
        p.agreement.filed = Some(stamp);
        self.put_record(&p.district_id.clone(), &p, "file")?;
        Ok(())
    }

    // ---------- visits and inspections ----------

    /// Adds or edits a support activity (帮扶活动记录). It lives with its
    /// pairing.
    pub fn put_visit(&mut self, mut v: Visit) -> Result<Id, EditError> {
        if let Some(old) = self.model().visit(&v.id) {
            // Permission is judged on the visit as it stands, then as edited.
            let pairing = self.model().pairing(&old.pairing_id);
            self.allow(
                Write::EditVisit,
                &Target::visit(old, pairing),
                Some((Entity::Visit, &v.id)),
            )?;
        }
        check(rules::check_visit(self.model(), &v, self.today))?;
        let p = self.pairing(&v.pairing_id)?;
        v.district_id = p.district_id.clone();
        let (verb, write) = if self.model().visit(&v.id).is_some() {
            ("edit", Write::EditVisit)
        } else {
            ("add", Write::AddVisit)
        };
        self.allow(
            write,
            &Target::visit(&v, Some(&p)),
            Some((Entity::Visit, &v.id)),
        )?;
        self.put_record(&p.district_id, &v, verb)?;
        Ok(v.id)
    }

    /// Adds a support activity as typed; returns its new id. It lives with
    /// its pairing.
    pub fn add_visit(&mut self, d: VisitDraft) -> Result<Id, EditError> {
        let home = self.pairing(&d.pairing_id)?.district_id;
        let id = self.new_id();
        self.put_visit(d.into_record(id, home))
    }

    /// Changes a support activity to what was typed; a confirmation it had
    /// stays only if nothing the helped side confirmed changed.
    pub fn edit_visit(&mut self, id: &Id, d: VisitDraft) -> Result<(), EditError> {
        let old = self
            .model()
            .visit(id)
            .cloned()
            .ok_or_else(|| unknown("id", Entity::Visit, id))?;
        let home = self.pairing(&d.pairing_id)?.district_id;
        self.stays_home(&old.district_id, &home, "pairing")?;
        let mut v = d.into_record(id.clone(), home);
        let same = Visit {
            confirmed: old.confirmed.clone(),
            ..v.clone()
        } == old;
        if same {
            return Ok(());
        }
        v.confirmed = None;
        self.put_visit(v).map(|_| ())
    }

    /// The helped side confirms a visit took place as recorded.
    pub fn confirm_visit(&mut self, id: &Id, stamp: Stamp) -> Result<(), EditError> {
        let mut v = self
            .model()
            .visit(id)
            .cloned()
            .ok_or_else(|| unknown("visit", Entity::Visit, id))?;
        self.allow(
            Write::ConfirmVisit,
            &Target::visit(&v, self.model().pairing(&v.pairing_id)),
            Some((Entity::Visit, id)),
        )?;
        check(rules::check_visit_confirm(&v, &stamp.by))?;
        v.confirmed = Some(stamp);
        self.put_record(&v.district_id.clone(), &v, "confirm")?;
        Ok(())
    }

    /// Adds or edits an inspection (检查评估). It lives in the district of the
    /// pairing or kindergarten inspected.
    pub fn put_inspection(&mut self, mut i: Inspection) -> Result<Id, EditError> {
        if let Some(old) = self.model().inspection(&i.id) {
            let pairing = old
                .pairing_id
                .as_ref()
                .and_then(|p| self.model().pairing(p));
            self.allow(
                Write::EditInspection,
                &Target::inspection(old, pairing),
                Some((Entity::Inspection, &i.id)),
            )?;
        }
        check(rules::check_inspection(self.model(), &i, self.today))?;
        let home = self.inspection_home(&i.pairing_id, &i.kindergarten_id)?;
        i.district_id = home.clone();
        let (verb, write) = if self.model().inspection(&i.id).is_some() {
            ("edit", Write::EditInspection)
        } else {
            ("add", Write::AddInspection)
        };
        let pairing = i.pairing_id.as_ref().and_then(|p| self.model().pairing(p));
        self.allow(
            write,
            &Target::inspection(&i, pairing),
            Some((Entity::Inspection, &i.id)),
        )?;
        self.put_record(&home, &i, verb)?;
        Ok(i.id)
    }

    /// Adds an inspection as typed; returns its new id. It lives in the
    /// district of the pairing or kindergarten inspected.
    pub fn add_inspection(&mut self, d: InspectionDraft) -> Result<Id, EditError> {
        check(rules::check_inspection_draft(self.model(), &d, self.today))?;
        let home = self.inspection_home(&d.pairing_id, &d.kindergarten_id)?;
        let id = self.new_id();
        self.put_inspection(d.into_record(id, home))
    }

    /// Changes an inspection to what was typed.
    pub fn edit_inspection(&mut self, id: &Id, d: InspectionDraft) -> Result<(), EditError> {
        if self.model().inspection(id).is_none() {
            return Err(unknown("id", Entity::Inspection, id));
        }
        check(rules::check_inspection_draft(self.model(), &d, self.today))?;
        let home = self.inspection_home(&d.pairing_id, &d.kindergarten_id)?;
        if let Some(old) = self.model().inspection(id) {
            self.stays_home(&old.district_id, &home, "pairing")?;
        }
        self.put_inspection(d.into_record(id.clone(), home))
            .map(|_| ())
    }

    /// A record lives in its district's document; moving it would need a
    /// delete and a create that peers can see as one.
    fn stays_home(&self, old: &Id, new: &Id, field: &'static str) -> Result<(), EditError> {
        if old == new {
            return Ok(());
        }
        invalid(vec![Problem {
            field,
            kind: ProblemKind::DistrictFixed {
                district: self.model().district_name(old),
            },
        }])
    }

    /// Where an inspection lives: with the pairing inspected, else the
    /// kindergarten.
    fn inspection_home(
        &self,
        pairing: &Option<Id>,
        kindergarten: &Option<Id>,
    ) -> Result<Id, EditError> {
        let m = self.model();
        match (pairing, kindergarten) {
            (Some(p), _) => m
                .pairing(p)
                .map(|p| p.district_id.clone())
                .ok_or_else(|| unknown("pairing", Entity::Pairing, p)),
            (None, Some(k)) => m
                .kindergarten(k)
                .map(|k| k.district_id.clone())
                .ok_or_else(|| unknown("kindergarten", Entity::Kindergarten, k)),
            (None, None) => invalid(vec![Problem {
                field: "pairing",
                kind: ProblemKind::Required,
            }]),
        }
    }

    // ---------- reports ----------

    /// Writes a report where it lives: a district's document, or the
    /// programme document for the city's summary.
    fn put_report(
        &mut self,
        key: &ReportKey,
        report: &Report,
        verb: &str,
    ) -> Result<(), EditError> {
        match (report, key.home(self.model())) {
            (Report::Monthly(r), _) => self.put_record(&r.district_id.clone(), r, verb),
            (Report::Annual(s), Some(home)) => self.put_record(&home, s, verb),
            (Report::Annual(s), None) => {
                let id = s.id.to_string();
                self.put_programme(
                    &["annual_summaries", &id],
                    s.to_map(),
                    format!("{verb} annual_summaries {id}"),
                )?;
                self.state
                    .model
                    .city_summaries
                    .insert(s.id.clone(), s.clone());
                Ok(())
            }
        }
    }

    fn report(&self, key: &ReportKey) -> Result<Report, EditError> {
        let subject_known = match key {
            ReportKey::Monthly { district, .. } => self.model().district(district).is_some(),
            ReportKey::Annual { .. } => {
                key.home(self.model()).is_some() || key.level() == Level::City
            }
        };
        if !subject_known {
            return invalid(vec![Problem {
                field: "subject",
                kind: ProblemKind::Required,
            }]);
        }
        match Report::get_or_new(self.model(), key) {
            Some(r) => Ok(r),
            None => invalid(vec![Problem {
                field: "month",
                kind: ProblemKind::Required,
            }]),
        }
    }

    /// Writes sections of a report (starting it if nobody has): each is a
    /// Text, so two people's offline edits of one section both stay.
    pub fn set_report_text(
        &mut self,
        key: &ReportKey,
        texts: &[(Section, String)],
    ) -> Result<(), EditError> {
        check(reports::check_edit(self.model(), self.me(), key))?;
        let mut r = self.report(key)?;
        let mut problems = Vec::new();
        for (section, text) in texts {
            if !r.set_text(*section, text.clone()) {
                problems.push(Problem {
                    field: section.code(),
                    kind: ProblemKind::UnknownId {
                        what: Entity::AnnualSummary,
                        id: section.code().to_string(),
                    },
                });
            }
        }
        check(problems)?;
        self.put_report(key, &r, "write")?;
        Ok(())
    }

    /// Submits a report to the level above (报送): it is locked from now on
    /// until returned; a monthly report keeps its figures as they are now.
    pub fn submit_report(&mut self, key: &ReportKey, by: &str) -> Result<(), EditError> {
        let mut r = self.report(key)?;
        let texts: Vec<(Section, &str)> = reports::sections(key)
            .iter()
            .map(|s| (*s, r.text(*s).unwrap_or_default()))
            .collect();
        check(reports::check_submit(
            self.model(),
            self.me(),
            key,
            &texts,
            self.today,
        ))?;
        let stamp = Stamp {
            by: by.to_string(),
            on: self.today,
        };
        if let Report::Monthly(m) = &mut r {
            m.figures = Some(reports::monthly_figures(
                self.model(),
                &MonthlyReport {
                    figures: None,
                    ..m.clone()
                },
            ));
        }
        let w = r.workflow_mut();
        w.status = ReportStatus::Submitted;
        w.first_submitted.get_or_insert_with(|| stamp.clone());
        // `seen` is kept: the level above first saw the report when it
        // first came in.
        w.submitted = Some(stamp);
        self.put_report(key, &r, "submit")?;
        Ok(())
    }

    /// The level above accepts a submitted report, or returns it with a
    /// comment (unlocking it).
    pub fn review_report(
        &mut self,
        key: &ReportKey,
        accept: bool,
        by: &str,
        comment: &str,
    ) -> Result<(), EditError> {
        check(reports::check_review(self.model(), self.me(), key, accept))?;
        let me = self.me().map(|m| m.id.clone());
        if !accept && comment.trim().is_empty() {
            return invalid(vec![Problem {
                field: "comment",
                kind: ProblemKind::Required,
            }]);
        }
        let mut r = self.report(key)?;
        let today = self.today;
        let w = r.workflow_mut();
        w.status = if accept {
            ReportStatus::Accepted
        } else {
            ReportStatus::Returned
        };
        w.reviewed = Some(Review {
            by: by.to_string(),
            on: today,
            comment: comment.trim().to_string(),
        });
        if let Some(m) = me {
            w.seen.entry(m).or_insert(today);
        }
        self.put_report(key, &r, if accept { "accept" } else { "return" })?;
        Ok(())
    }

    /// Notes that this device's member, of the receiving level, has seen
    /// the submitted report today, unless it saw it before. True if
    /// anything was written.
    pub fn mark_seen(&mut self, key: &ReportKey) -> Result<bool, EditError> {
        let Some(me) = self.me().cloned() else {
            return Ok(false);
        };
        if !reports::unseen_by(self.model(), &me, key) {
            return Ok(false);
        }
        let Some(mut r) = Report::get_or_new(self.model(), key) else {
            return Ok(false);
        };
        let today = self.today;
        r.workflow_mut().seen.insert(me.id.clone(), today);
        self.put_report(key, &r, "seen")?;
        Ok(true)
    }

    /// Regenerates the statistics block of an annual summary from the data;
    /// the sections people wrote stay as they are.
    pub fn refresh_stats(&mut self, key: &ReportKey) -> Result<(), EditError> {
        check(reports::check_edit(self.model(), self.me(), key))?;
        let mut r = self.report(key)?;
        if let Report::Annual(s) = &mut r {
            s.stats = reports::annual_stats(self.model(), key, self.today);
            self.put_report(key, &r, "refresh")?;
        }
        Ok(())
    }

    /// Changes the programme's report settings: the monthly due day and
    /// period, and the summaries' due days. Reports already started keep
    /// the dates they were started with.
    pub fn set_programme(&mut self, p: Programme) -> Result<(), EditError> {
        self.allow(Write::Settings, &Target::programme(), None)?;
        let mut problems = Vec::new();
        for (field, value) in [
            ("report_due_day", p.report_due_day),
            ("period_start_day", p.period_start_day),
        ] {
            if !(1..=28).contains(&value) {
                problems.push(Problem {
                    field,
                    kind: ProblemKind::OutOfRange {
                        value: i64::from(value),
                        min: 1,
                        max: 28,
                    },
                });
            }
        }
        check(problems)?;
        self.put_programme(&["programme"], programme_map(&p), "settings".to_string())?;
        self.state.model.programme = p;
        Ok(())
    }
}

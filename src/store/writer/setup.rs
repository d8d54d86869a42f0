//! The writer's edits of the programme's frame: districts, towns, plans
//! and targets, members and invites.

use super::*;

impl Writer<'_> {
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
            directory: Default::default(),
        };
        let doc = district_doc_id(&d.id);
        let time = self.time.unwrap_or_else(crate::store::now_ms);
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
                appended: None,
                adopted: None,
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

    /// The district `id`, or the problem that it is unknown.
    fn district(&self, id: &Id) -> Result<District, EditError> {
        let d = self.model().districts.get(id).cloned();
        d.ok_or_else(|| unknown("id", Entity::District, id))
    }

    /// Corrects a district's name and its list of towns (a town no
    /// kindergarten of the district names can be taken off).
    pub fn edit_district(
        &mut self,
        id: &Id,
        name: &str,
        towns: &[String],
    ) -> Result<(), EditError> {
        let before = self.district(id)?;
        self.allow(Write::EditDistrict, &Target::district(id), None)?;
        let name = name.trim();
        let mut problems = Vec::new();
        if name.is_empty() {
            problems.push(Problem {
                field: "name",
                kind: ProblemKind::Required,
            });
        } else if self
            .model()
            .district_by_name(name)
            .is_some_and(|d| &d.id != id)
        {
            problems.push(Problem {
                field: "name",
                kind: ProblemKind::DuplicateName { name: name.into() },
            });
        }
        let mut towns: Vec<String> = towns
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        towns.sort();
        towns.dedup();
        let named = self
            .model()
            .data
            .get(id)
            .map(|d| {
                d.kindergartens
                    .values()
                    .filter(|k| !towns.contains(&k.town) && before.towns.contains(&k.town))
                    .count()
            })
            .unwrap_or(0);
        if named > 0 {
            problems.push(Problem {
                field: "towns",
                kind: ProblemKind::InUse { count: named },
            });
        }
        check(problems)?;
        let d = District {
            name: name.to_string(),
            towns,
            ..before
        };
        self.put_programme(
            &["districts", id.as_str()],
            district_map(&d),
            format!("edit district {id}"),
        )?;
        self.state.model.districts.insert(id.clone(), d);
        Ok(())
    }

    /// Deletes a district added by mistake: one that nothing refers to (no
    /// kindergarten, report or member of it); its targets go with it.
    pub fn delete_district(&mut self, id: &Id) -> Result<(), EditError> {
        let d = self.district(id)?;
        self.allow(Write::AddDistrict, &Target::district(id), None)?;
        let m = self.model();
        let data = m.data.get(id);
        let records = data.map_or(0, |x| {
            x.kindergartens.len()
                + x.pairings.len()
                + x.visits.len()
                + x.inspections.len()
                + x.monthly_reports.len()
                + x.annual_summaries.len()
        });
        let members = m
            .members
            .values()
            .filter(|x| !x.revoked && (x.district.as_ref() == Some(id) || x.districts.contains(id)))
            .count();
        // Kindergartens this device does not hold are still named in the
        // directory.
        let unheld = d
            .directory
            .keys()
            .filter(|k| data.is_none_or(|x| !x.kindergartens.contains_key(*k)))
            .count();
        let used = records + unheld + members;
        if used > 0 {
            return invalid(vec![Problem {
                field: "id",
                kind: ProblemKind::InUse { count: used },
            }]);
        }
        let targets: Vec<(i32, Id)> = m.targets.keys().filter(|(_, t)| t == id).cloned().collect();
        for (year, district) in &targets {
            let key = target_key(*year, district);
            let message = format!("delete target {key}");
            self.remove_key(PROGRAMME_DOC, "targets", &key, message)?;
            self.state.model.targets.remove(&(*year, district.clone()));
        }
        let message = format!("delete district {id}");
        self.remove_key(PROGRAMME_DOC, "districts", id.as_str(), message)?;
        self.state.model.districts.remove(id);
        self.state.model.data.remove(id);
        Ok(())
    }

    /// Keeps the district's directory in the programme document naming
    /// kindergarten `id` as its record does (`None`: deleted). The caller
    /// has checked the kindergarten's own write, which the directory
    /// entry needs too (`judge.rs`).
    pub(super) fn list_name(
        &mut self,
        district: &Id,
        id: &Id,
        name: Option<&str>,
    ) -> Result<(), EditError> {
        let Some(d) = self.state.model.districts.get(district) else {
            return Ok(());
        };
        if d.directory.get(id).map(String::as_str) == name {
            return Ok(());
        }
        let mut d = d.clone();
        let path = ["districts", district.as_str(), "directory"];
        match name {
            Some(name) => {
                d.directory.insert(id.clone(), name.to_string());
                let entry = map_of(vec![(id.as_str(), str_v(name))]);
                self.put_programme(&path, entry, format!("list kindergarten {id}"))?;
            }
            None => {
                d.directory.remove(id);
                let doc = PROGRAMME_DOC;
                self.change(doc, format!("unlist kindergarten {id}"), |tx| {
                    let mut obj = ROOT;
                    for p in path {
                        obj = child_map(tx, &obj, p, doc)?;
                    }
                    tx.delete(&obj, id.as_str()).map_err(am_err(doc))
                })?;
                self.state
                    .recheck(doc, Some(("districts", district.as_str())));
            }
        }
        self.state.model.districts.insert(district.clone(), d);
        Ok(())
    }

    /// Adds a town to a district's list if it is not there yet.
    pub(super) fn note_town(&mut self, district: &Id, town: &str) -> Result<(), EditError> {
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

    /// Sets what a plan draft gives: a district's target and/or the
    /// year's stated total and share (what it does not give is kept).
    pub fn set_plan(&mut self, d: &PlanDraft) -> Result<(), EditError> {
        if let Some(t) = d.plan_target() {
            self.set_target(t)?;
        }
        if let Some(y) = d.year_plan(self.model().years.get(&d.year)) {
            self.set_year_plan(y)?;
        }
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
                self.grant_of(m.clone(), invite.map(str::to_string))
            };
            self.issue(kind)?;
            if !m.revoked {
                self.vouch_for(&m)?;
            }
            return Ok(());
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
    pub(super) fn cutoff(&mut self, device: &str) -> Result<BTreeMap<String, u64>, EditError> {
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
    pub(super) fn grant_of(&self, m: Member, invite: Option<String>) -> Kind {
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
    pub(super) fn issue(&mut self, kind: Kind) -> Result<(), EditError> {
        let key = self.state.key.clone().ok_or(StoreError::NoDeviceKey)?;
        let body = crate::trust::Body {
            v: crate::trust::VERSION,
            workspace: self.state.workspace_id.clone(),
            issuer: crate::identity::endpoint_hex(&key),
            issued_ms: self.time.unwrap_or_else(crate::store::now_ms),
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
        let all: BTreeSet<String> = self.state.docs.keys().cloned().collect();
        self.vouch(all)
    }

    /// On the root, admitting `m`: vouches for the documents `m` will
    /// receive as they stand. Its device then takes their changes without
    /// judging each one again (what the root holds, it checked or made
    /// itself), which was most of a join's time. Elsewhere, nothing.
    fn vouch_for(&mut self, m: &Member) -> Result<(), EditError> {
        let me = self.state.key.as_ref().map(crate::identity::endpoint_hex);
        if me.is_none() || me != self.state.trust.root {
            return Ok(());
        }
        let docs = self.state.readable_docs(m);
        self.vouch(docs)
    }

    /// A checkpoint of `docs` at the heads held here, leaving out those
    /// already vouched for (none when all are: the log grows only with
    /// what is new).
    fn vouch(&mut self, docs: BTreeSet<String>) -> Result<(), EditError> {
        let vouched = self.state.trust.roster.as_ref().map(|r| &r.checkpoint);
        let docs: BTreeMap<String, Vec<String>> = docs
            .into_iter()
            .filter_map(|id| {
                let heads: Vec<String> = self
                    .state
                    .docs
                    .get(&id)?
                    .heads
                    .iter()
                    .map(|h| h.to_string())
                    .collect();
                let known = vouched.and_then(|v| v.get(&id));
                let new = heads.iter().any(|h| known.is_none_or(|k| !k.contains(h)));
                (new && !heads.is_empty()).then_some((id, heads))
            })
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
}

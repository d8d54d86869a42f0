//! The writer's edits of records: kindergartens, pairings and their
//! agreements, visits, inspections (from drafts, or whole records).

use super::*;

impl Writer<'_> {
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
        self.list_name(&k.district_id, &k.id, Some(&k.name))?;
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

    pub(super) fn pairing(&self, id: &Id) -> Result<Pairing, EditError> {
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
        let home = self.draft_home(&d)?;
        let id = self.new_id();
        self.put_inspection(d.into_record(id, home))
    }

    /// Changes an inspection to what was typed.
    pub fn edit_inspection(&mut self, id: &Id, d: InspectionDraft) -> Result<(), EditError> {
        if self.model().inspection(id).is_none() {
            return Err(unknown("id", Entity::Inspection, id));
        }
        let home = self.draft_home(&d)?;
        if let Some(old) = self.model().inspection(id) {
            self.stays_home(&old.district_id, &home, "pairing")?;
        }
        self.put_inspection(d.into_record(id.clone(), home))
            .map(|_| ())
    }

    /// A record lives in its district's document; moving it would need a
    /// delete and a create that peers can see as one.
    pub(super) fn stays_home(
        &self,
        old: &Id,
        new: &Id,
        field: &'static str,
    ) -> Result<(), EditError> {
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

    /// Where a typed inspection would live. When it has no such place,
    /// every problem the rules find with it is said, not only that one
    /// (otherwise `put_inspection` checks the rules).
    fn draft_home(&self, d: &InspectionDraft) -> Result<Id, EditError> {
        self.inspection_home(&d.pairing_id, &d.kindergarten_id)
            .or_else(|e| {
                check(rules::check_inspection_draft(self.model(), d, self.today))?;
                Err(e)
            })
    }

    /// Where an inspection lives: with the pairing inspected, else the
    /// kindergarten.
    pub(super) fn inspection_home(
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
}

//! Deleting records (删除): a change like any other, signed and judged on
//! every device as the record's delete write (`authz.rs`); who deleted it
//! and when stay in the document's history. A filed agreement cannot be
//! deleted, nor a record others still refer to.

use super::*;

impl Writer<'_> {
    /// Deletes a kindergarten, a pairing, a visit, an inspection, a
    /// district, or a report never submitted.
    pub fn delete(&mut self, what: Entity, id: &Id) -> Result<(), EditError> {
        match what {
            Entity::Visit => self.delete_visit(id),
            Entity::Inspection => self.delete_inspection(id),
            Entity::Pairing => self.delete_pairing(id),
            Entity::Kindergarten => self.delete_kindergarten(id),
            Entity::District => self.delete_district(id),
            // Removed, never deleted: who removed it stays on record.
            Entity::Attachment => {
                let stamp = Stamp {
                    by: self.state.author.person.clone(),
                    on: self.today,
                };
                self.remove_attachment(id, stamp)
            }
            Entity::MonthlyReport | Entity::AnnualSummary => {
                let m = self.model();
                let key = reports::monthly(m, id)
                    .and_then(ReportKey::of_monthly)
                    .or_else(|| reports::annual(m, id).map(ReportKey::of_annual))
                    .ok_or_else(|| unknown("id", what, id))?;
                self.delete_report(&key)
            }
        }
    }

    fn delete_visit(&mut self, id: &Id) -> Result<(), EditError> {
        let v = self
            .model()
            .visit(id)
            .cloned()
            .ok_or_else(|| unknown("id", Entity::Visit, id))?;
        let target = Target::visit(&v, self.model().pairing(&v.pairing_id));
        self.allow(Write::DeleteVisit, &target, Some((Entity::Visit, id)))?;
        self.remove_record::<Visit>(&v.district_id, id)
    }

    fn delete_inspection(&mut self, id: &Id) -> Result<(), EditError> {
        let i = self
            .model()
            .inspection(id)
            .cloned()
            .ok_or_else(|| unknown("id", Entity::Inspection, id))?;
        let pairing = i.pairing_id.as_ref().and_then(|p| self.model().pairing(p));
        let target = Target::inspection(&i, pairing);
        self.allow(
            Write::DeleteInspection,
            &target,
            Some((Entity::Inspection, id)),
        )?;
        self.remove_record::<Inspection>(&i.district_id, id)
    }

    fn delete_pairing(&mut self, id: &Id) -> Result<(), EditError> {
        let p = self.pairing(id)?;
        self.allow(
            Write::DeletePairing,
            &Target::pairing(&p),
            Some((Entity::Pairing, id)),
        )?;
        if p.agreement.status == AgreementStatus::Filed {
            return invalid(vec![Problem {
                field: "status",
                kind: ProblemKind::AgreementFiled,
            }]);
        }
        let m = self.model();
        let used = m.visits().filter(|v| &v.pairing_id == id).count()
            + m.inspections()
                .filter(|i| i.pairing_id.as_ref() == Some(id))
                .count();
        in_use(used)?;
        self.remove_record::<Pairing>(&p.district_id, id)
    }

    fn delete_kindergarten(&mut self, id: &Id) -> Result<(), EditError> {
        let k = self
            .model()
            .kindergarten(id)
            .cloned()
            .ok_or_else(|| unknown("id", Entity::Kindergarten, id))?;
        self.allow(
            Write::DeleteKindergarten,
            &Target::kindergarten(&k),
            Some((Entity::Kindergarten, id)),
        )?;
        let m = self.model();
        let used = m
            .pairings()
            .filter(|p| p.members().any(|x| x == id))
            .count()
            + m.inspections()
                .filter(|i| i.kindergarten_id.as_ref() == Some(id))
                .count();
        in_use(used)?;
        self.remove_record::<Kindergarten>(&k.district_id, id)?;
        self.list_name(&k.district_id, id, None)
    }

    /// Takes the record out of its collection in the district's document.
    fn remove_record<R: Record>(&mut self, district: &Id, id: &Id) -> Result<(), EditError> {
        let doc = district_doc_id(district);
        let key = id.to_string();
        let message = format!("delete {} {key}", R::COLLECTION);
        self.remove_key(&doc, R::COLLECTION, &key, message)?;
        if let Some(data) = self.state.model.data.get_mut(district) {
            R::collection(data).remove(id);
        }
        Ok(())
    }
}

/// Refuses to delete a record `used` other records still refer to.
fn in_use(used: usize) -> Result<(), EditError> {
    if used == 0 {
        return Ok(());
    }
    invalid(vec![Problem {
        field: "id",
        kind: ProblemKind::InUse { count: used },
    }])
}

//! Settling a conflict (`store/conflicts.rs`): one of the values two
//! devices set differently is written again, through the same checks as an
//! edit of its record, so every device that receives the write shows it
//! alone.

use super::*;
use crate::domain::judge::Touched;
use crate::store::conflicts;

impl Writer<'_> {
    /// Keeps value number `choice` of a conflict (0: the one shown now;
    /// then the values set aside, in order). Only a member allowed to edit
    /// the record may, and never in a locked record (a filed agreement, a
    /// submitted or accepted report).
    pub fn pick(&mut self, c: &Conflict, choice: usize) -> Result<(), EditError> {
        if c.is_start()
            && matches!(
                c.collection.as_str(),
                "monthly_reports" | "annual_summaries"
            )
        {
            return not_pickable();
        }
        let am = self.state.loaded(self.conn, self.path, &c.doc)?;
        let (Ok(map), Some(id)) = (conflicts::with_choice(am, c, choice), c.record_id()) else {
            return not_pickable();
        };
        let district = district_of_doc(&c.doc);
        let home = district.as_ref().map_or(Home::Programme, Home::District);
        self.force = Some(if c.is_start() {
            Vec::new()
        } else {
            c.field.split('.').map(String::from).collect()
        });
        let done = self.put_picked(&c.collection, id, home, &map);
        self.force = None;
        done
    }

    fn put_picked(
        &mut self,
        collection: &str,
        id: Id,
        home: Home<'_>,
        map: &Map,
    ) -> Result<(), EditError> {
        let read = |_: FieldError| EditError::Invalid(vec![not_pickable_problem()]);
        match collection {
            "kindergartens" => {
                let k = Kindergarten::from_map(id, home, map).map_err(read)?;
                self.put_kindergarten(k).map(drop)
            }
            "visits" => {
                let v = Visit::from_map(id, home, map).map_err(read)?;
                self.put_visit(v).map(drop)
            }
            "inspections" => {
                let i = Inspection::from_map(id, home, map).map_err(read)?;
                self.put_inspection(i).map(drop)
            }
            "pairings" => {
                let p = Pairing::from_map(id, home, map).map_err(read)?;
                self.restore_pairing(p)
            }
            "monthly_reports" => {
                let r = MonthlyReport::from_map(id, home, map).map_err(read)?;
                let Some(key) = ReportKey::of_monthly(&r) else {
                    return not_pickable();
                };
                self.put_picked_report(&key, Report::Monthly(r))
            }
            "annual_summaries" => {
                let s = AnnualSummary::from_map(id, home, map).map_err(read)?;
                self.put_picked_report(&ReportKey::of_annual(&s), Report::Annual(s))
            }
            _ => not_pickable(),
        }
    }

    /// Puts a pairing as it stood (a value picked, a step undone; one
    /// deleted comes back): allowed here only if every write receivers
    /// will judge it to amount to is allowed (`judge::needs`: terms,
    /// signature, confirmations), never on a filed agreement.
    pub fn restore_pairing(&mut self, p: Pairing) -> Result<(), EditError> {
        let old = self.model().pairing(&p.id).cloned();
        let Some(me) = self.me().cloned() else {
            return self.allow(Write::EditAgreement, &Target::pairing(&p), None);
        };
        let needs = crate::domain::judge::needs(&me, &Touched::Pairing(old.as_ref(), Some(&p)))
            .map_err(|_| {
                EditError::Invalid(vec![Problem {
                    field: "status",
                    kind: ProblemKind::AgreementFiled,
                }])
            })?;
        for (write, target) in &needs {
            self.allow(*write, target, Some((Entity::Pairing, &p.id)))?;
        }
        if let Some(old) = &old {
            check(rules::check_editable(old))?;
            self.stays_home(&old.district_id, &p.district_id, "pairing")?;
        }
        check(rules::check_pairing(self.model(), &p))?;
        let verb = if old.is_some() { "restore" } else { "add" };
        self.put_record(&p.district_id.clone(), &p, verb)
    }

    /// A report as picked: judged as writing it, which a submitted or
    /// accepted one does not allow.
    fn put_picked_report(&mut self, key: &ReportKey, r: Report) -> Result<(), EditError> {
        check(reports::check_edit(self.model(), self.me(), key))?;
        self.put_report(key, &r, "pick")
    }
}

fn not_pickable_problem() -> Problem {
    Problem {
        field: "field",
        kind: ProblemKind::NotPickable,
    }
}

fn not_pickable<T>() -> Result<T, EditError> {
    invalid(vec![not_pickable_problem()])
}

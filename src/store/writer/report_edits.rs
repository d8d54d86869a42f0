//! The writer's edits of reports: written sections, submission, review,
//! marks of having seen, statistics, the programme's settings.

use super::*;

impl Writer<'_> {
    // ---------- reports ----------

    /// Writes a report where it lives: a district's document, or the
    /// programme document for the city's summary.
    pub(super) fn put_report(
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

    /// Deletes a report started by mistake and never submitted.
    pub fn delete_report(&mut self, key: &ReportKey) -> Result<(), EditError> {
        check(reports::check_delete(self.model(), self.me(), key))?;
        let id = key.id();
        let collection = match key {
            ReportKey::Monthly { .. } => MonthlyReport::COLLECTION,
            ReportKey::Annual { .. } => AnnualSummary::COLLECTION,
        };
        // The city's summary lives in the programme document.
        let home = key.home(self.model());
        let doc = home
            .as_ref()
            .map_or(PROGRAMME_DOC.to_string(), district_doc_id);
        let message = format!("delete {collection} {id}");
        self.remove_key(&doc, collection, id.as_str(), message)?;
        let m = &mut self.state.model;
        match home.and_then(|h| m.data.get_mut(&h)) {
            Some(data) => {
                data.monthly_reports.remove(&id);
                data.annual_summaries.remove(&id);
            }
            None => {
                m.city_summaries.remove(&id);
            }
        }
        Ok(())
    }

    pub(super) fn report(&self, key: &ReportKey) -> Result<Report, EditError> {
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

//! Monthly reports and annual summaries as automerge maps, and back:
//! their workflow, frozen figures and written sections.

use super::*;

pub(super) fn review_v(r: &Review) -> Value {
    Value::Map(map_of(vec![
        ("by", str_v(&r.by)),
        ("on", date_v(r.on)),
        ("comment", text_v(&r.comment)),
    ]))
}

/// A report's workflow, as fields of its record. `seen` is a map by member,
/// so two devices of the receiving level both keep their day.
pub(super) fn workflow_fields(w: &Workflow) -> Vec<(&'static str, Value)> {
    let seen = map_of(
        w.seen
            .iter()
            .map(|(who, on)| (who.as_str(), date_v(*on)))
            .collect(),
    );
    vec![
        ("status", str_v(w.status.code())),
        ("first_submitted", opt_v(&w.first_submitted, stamp_v)),
        ("submitted", opt_v(&w.submitted, stamp_v)),
        ("reviewed", opt_v(&w.reviewed, review_v)),
        ("seen", Value::Map(seen)),
    ]
}

pub(super) fn workflow_from(f: &Fields<'_>) -> Result<Workflow, FieldError> {
    let reviewed = match f.map("reviewed")? {
        None => None,
        Some(r) => Some(Review {
            by: r.string("by")?,
            on: r.date("on").map_err(|e| bad("reviewed", e.to_string()))?,
            comment: r.string("comment")?,
        }),
    };
    let mut seen = std::collections::BTreeMap::new();
    if let Some(m) = f.map("seen")? {
        for who in m.0.keys() {
            seen.insert(
                who.clone(),
                m.date(who).map_err(|e| bad("seen", e.to_string()))?,
            );
        }
    }
    Ok(Workflow {
        status: f.code("status")?,
        first_submitted: f.stamp("first_submitted")?,
        submitted: f.stamp("submitted")?,
        reviewed,
        seen,
    })
}

/// A generated block kept as JSON text: written once by one device (on
/// submission or refresh), never edited by hand, so it need not merge.
pub(super) fn json_v<T: serde::Serialize>(v: &Option<T>) -> Value {
    opt_v(v, |x| str_v(&serde_json::to_string(x).unwrap_or_default()))
}

pub(super) fn json_from<T: serde::de::DeserializeOwned>(
    f: &Fields<'_>,
    k: &str,
) -> Result<Option<T>, FieldError> {
    match f.get(k) {
        None => Ok(None),
        Some(_) => serde_json::from_str(&f.string(k)?)
            .map(Some)
            .map_err(|e| bad(k, e.to_string())),
    }
}

impl Record for MonthlyReport {
    const COLLECTION: &'static str = "monthly_reports";
    fn id(&self) -> &Id {
        &self.id
    }
    fn to_map(&self) -> Map {
        let mut fields = vec![
            ("month", str_v(&self.month)),
            ("from", date_v(self.from)),
            ("to", date_v(self.to)),
            ("due", date_v(self.due)),
            ("progress", text_v(&self.progress)),
            ("problems", text_v(&self.problems)),
            ("practices", text_v(&self.practices)),
            ("cases", text_v(&self.cases)),
            ("figures", json_v(&self.figures)),
        ];
        fields.extend(workflow_fields(&self.workflow));
        map_of(fields)
    }
    fn from_map(id: Id, home: Home<'_>, m: &Map) -> Result<Self, FieldError> {
        let f = Fields(m);
        Ok(MonthlyReport {
            id,
            district_id: home.district()?,
            month: f.string("month")?,
            from: f.date("from")?,
            to: f.date("to")?,
            due: f.date("due")?,
            workflow: workflow_from(&f)?,
            progress: f.string("progress")?,
            problems: f.string("problems")?,
            practices: f.string("practices")?,
            cases: f.string("cases")?,
            figures: json_from(&f, "figures")?,
        })
    }
    fn collection(data: &mut DistrictData) -> &mut std::collections::BTreeMap<Id, Self> {
        &mut data.monthly_reports
    }
}

impl Record for AnnualSummary {
    const COLLECTION: &'static str = "annual_summaries";
    fn id(&self) -> &Id {
        &self.id
    }
    fn to_map(&self) -> Map {
        let mut fields = vec![
            ("level", str_v(self.level.code())),
            (
                "subject_id",
                opt_v(&self.subject_id, |id| str_v(id.as_str())),
            ),
            ("year", int_v(i64::from(self.year))),
            ("due", date_v(self.due)),
            ("progress", text_v(&self.progress)),
            ("results", text_v(&self.results)),
            ("problems", text_v(&self.problems)),
            ("plan", text_v(&self.plan)),
            ("stats", json_v(&self.stats)),
        ];
        fields.extend(workflow_fields(&self.workflow));
        map_of(fields)
    }
    fn from_map(id: Id, _home: Home<'_>, m: &Map) -> Result<Self, FieldError> {
        let f = Fields(m);
        Ok(AnnualSummary {
            id,
            level: f.code("level")?,
            subject_id: f.opt_id("subject_id")?,
            year: f.year("year")?,
            due: f.date("due")?,
            workflow: workflow_from(&f)?,
            progress: f.string("progress")?,
            results: f.string("results")?,
            problems: f.string("problems")?,
            plan: f.string("plan")?,
            stats: json_from(&f, "stats")?,
        })
    }
    fn collection(data: &mut DistrictData) -> &mut std::collections::BTreeMap<Id, Self> {
        &mut data.annual_summaries
    }
}

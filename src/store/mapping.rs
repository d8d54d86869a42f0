//! Domain records ⇄ automerge values, written by hand.
//!
//! Why by hand: autosurgeon 0.14 indexes text by bytes while automerge 0.12
//! counts code points, which corrupts Chinese text. Each record is a map
//! under its id; single values are scalars, free text people edit together is
//! an automerge Text (so two offline edits of one note both survive), sets of
//! codes and ids are lists, and a missing optional value is `null`.
//!
//! Reading is lenient where it safely can be (a field a newer or older
//! version did not write reads as its default) and strict where a wrong value
//! would mislead (a date that is not a date is an error).

use crate::domain::*;
use automerge::hydrate::{List, Map, MapValue, Text, Value};
use automerge::{ScalarValue, TextEncoding};
use chrono::NaiveDate;
use std::fmt;

/// How text indexes are counted: Unicode code points, so Chinese works.
pub(crate) const ENCODING: TextEncoding = TextEncoding::UnicodeCodePoint;

/// A record whose fields could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub problem: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field `{}`: {}", self.field, self.problem)
    }
}

fn bad(field: &str, problem: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_string(),
        problem: problem.into(),
    }
}

// ---------- writing ----------

/// The first value of `m` over the size limits: its field and the problem.
/// Scalars are one-line values, Text is free text; nested maps and lists
/// are walked.
pub(crate) fn oversized(m: &Map) -> Option<Problem> {
    use crate::domain::rules::limits;
    fn walk(key: &str, v: &Value) -> Option<Problem> {
        let field = FIELD_KEYS
            .iter()
            .find(|k| **k == key)
            .copied()
            .unwrap_or("value");
        let over = |len: usize, max: usize, many: bool| {
            (len > max).then_some(Problem {
                field,
                kind: if many {
                    ProblemKind::TooMany { len, max }
                } else {
                    ProblemKind::TooLong { len, max }
                },
            })
        };
        match v {
            Value::Scalar(ScalarValue::Str(s)) => {
                let max = if JSON_KEYS.contains(&key) {
                    limits::BLOCK
                } else {
                    limits::LINE
                };
                over(s.chars().count(), max, false)
            }
            Value::Scalar(ScalarValue::Bytes(b)) => over(b.len(), limits::LINE, false),
            Value::Text(t) => over(String::from(t).chars().count(), limits::TEXT, false),
            Value::List(items) => over(items.len(), limits::ITEMS, true)
                .or_else(|| items.iter().find_map(|i| walk(key, &i.value))),
            Value::Map(inner) => {
                over(inner.len(), limits::ITEMS, true).or_else(|| oversized(inner))
            }
            Value::Scalar(_) => None,
        }
    }
    m.iter().find_map(|(k, v)| {
        // Keys are values too (a district's towns are the keys of a map).
        let len = k.chars().count();
        (len > limits::LINE)
            .then_some(Problem {
                field: "value",
                kind: ProblemKind::TooLong {
                    len,
                    max: limits::LINE,
                },
            })
            .or_else(|| walk(k, &v.value))
    })
}

/// Fields holding a generated JSON block ([`json_v`]).
const JSON_KEYS: &[&str] = &["figures", "stats"];

/// The field names records are written with, so a problem can name one.
const FIELD_KEYS: &[&str] = &[
    "added_by",
    "by",
    "category",
    "city",
    "city_summary_due",
    "contact",
    "district_id",
    "form",
    "inspector",
    "level",
    "mode",
    "month",
    "name",
    "ownership",
    "pairing_id",
    "phone",
    "role",
    "status",
    "town",
    "village",
    "cases",
    "comment",
    "findings",
    "follow_up",
    "goals",
    "guidance",
    "note",
    "plan",
    "practices",
    "problems",
    "progress",
    "results",
    "rights",
    "schedule",
    "helpers",
    "helped",
    "towns",
    "districts",
    "teachers",
    "places",
];

pub(crate) fn str_v(s: &str) -> Value {
    Value::Scalar(ScalarValue::Str(s.into()))
}

pub(crate) fn text_v(s: &str) -> Value {
    Value::Text(Text::new(ENCODING, s))
}

pub(crate) fn int_v(n: i64) -> Value {
    Value::Scalar(ScalarValue::Int(n))
}

fn bool_v(b: bool) -> Value {
    Value::Scalar(ScalarValue::Boolean(b))
}

fn null_v() -> Value {
    Value::Scalar(ScalarValue::Null)
}

fn date_v(d: NaiveDate) -> Value {
    str_v(&d.format("%Y-%m-%d").to_string())
}

fn opt_v<T>(v: &Option<T>, f: impl Fn(&T) -> Value) -> Value {
    v.as_ref().map(f).unwrap_or_else(null_v)
}

fn list_v<T>(items: &[T], f: impl Fn(&T) -> Value) -> Value {
    Value::List(List::from(items.iter().map(f).collect::<Vec<_>>()))
}

fn codes_v<C: Code>(items: &[C]) -> Value {
    list_v(items, |c| str_v(c.code()))
}

fn ids_v(items: &[Id]) -> Value {
    list_v(items, |id| str_v(id.as_str()))
}

/// Builds a map from (key, value) pairs.
pub(crate) fn map_of(fields: Vec<(&str, Value)>) -> Map {
    let mut m = Map::default();
    for (k, v) in fields {
        m.insert(
            k.to_string(),
            MapValue {
                value: v,
                conflict: false,
            },
        );
    }
    m
}

fn stamp_v(s: &Stamp) -> Value {
    Value::Map(map_of(vec![("by", str_v(&s.by)), ("on", date_v(s.on))]))
}

// ---------- reading ----------

/// Reads typed fields out of a hydrated map.
pub(crate) struct Fields<'a>(pub &'a Map);

impl<'a> Fields<'a> {
    pub(crate) fn get(&self, k: &str) -> Option<&'a Value> {
        match self.0.get(k) {
            None | Some(Value::Scalar(ScalarValue::Null)) => None,
            Some(v) => Some(v),
        }
    }

    /// A string or text field; missing reads as empty.
    pub(crate) fn string(&self, k: &str) -> Result<String, FieldError> {
        match self.get(k) {
            None => Ok(String::new()),
            Some(Value::Scalar(ScalarValue::Str(s))) => Ok(s.to_string()),
            Some(Value::Text(t)) => Ok(t.to_string()),
            Some(_) => Err(bad(k, "not text")),
        }
    }

    pub(crate) fn opt_int(&self, k: &str) -> Result<Option<i64>, FieldError> {
        match self.get(k) {
            None => Ok(None),
            Some(Value::Scalar(ScalarValue::Int(n))) => Ok(Some(*n)),
            Some(Value::Scalar(ScalarValue::Uint(n))) => i64::try_from(*n)
                .map(Some)
                .map_err(|_| bad(k, "number too large")),
            Some(Value::Scalar(ScalarValue::Counter(c))) => Ok(Some(i64::from(c))),
            Some(_) => Err(bad(k, "not a whole number")),
        }
    }

    /// A count or number; missing reads as 0.
    pub(crate) fn int(&self, k: &str) -> Result<i64, FieldError> {
        Ok(self.opt_int(k)?.unwrap_or(0))
    }

    fn year(&self, k: &str) -> Result<i32, FieldError> {
        let n = self.opt_int(k)?.ok_or_else(|| bad(k, "missing"))?;
        i32::try_from(n).map_err(|_| bad(k, "not a year"))
    }

    fn bool(&self, k: &str) -> Result<bool, FieldError> {
        match self.get(k) {
            None => Ok(false),
            Some(Value::Scalar(ScalarValue::Boolean(b))) => Ok(*b),
            Some(_) => Err(bad(k, "not true/false")),
        }
    }

    fn opt_date(&self, k: &str) -> Result<Option<NaiveDate>, FieldError> {
        match self.get(k) {
            None => Ok(None),
            Some(_) => {
                let s = self.string(k)?;
                NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| bad(k, format!("`{s}` is not a date")))
            }
        }
    }

    pub(crate) fn date(&self, k: &str) -> Result<NaiveDate, FieldError> {
        self.opt_date(k)?.ok_or_else(|| bad(k, "missing"))
    }

    fn code<C: Code>(&self, k: &str) -> Result<C, FieldError> {
        let s = self.string(k)?;
        C::from_code(&s).ok_or_else(|| bad(k, format!("unknown {} `{s}`", C::KIND)))
    }

    fn list(&self, k: &str) -> Result<Vec<&'a Value>, FieldError> {
        match self.get(k) {
            None => Ok(Vec::new()),
            Some(Value::List(l)) => Ok(l.iter().map(|lv| &lv.value).collect()),
            Some(_) => Err(bad(k, "not a list")),
        }
    }

    fn strings(&self, k: &str) -> Result<Vec<String>, FieldError> {
        self.list(k)?
            .into_iter()
            .map(|v| match v {
                Value::Scalar(ScalarValue::Str(s)) => Ok(s.to_string()),
                Value::Text(t) => Ok(t.to_string()),
                _ => Err(bad(k, "list item is not text")),
            })
            .collect()
    }

    /// Codes this version does not know (written by a newer one) are skipped.
    fn codes<C: Code>(&self, k: &str) -> Result<Vec<C>, FieldError> {
        Ok(self
            .strings(k)?
            .iter()
            .filter_map(|s| C::from_code(s))
            .collect())
    }

    fn ids(&self, k: &str) -> Result<Vec<Id>, FieldError> {
        self.strings(k)?
            .iter()
            .map(|s| Id::parse(s).ok_or_else(|| bad(k, format!("`{s}` is not an id"))))
            .collect()
    }

    fn opt_id(&self, k: &str) -> Result<Option<Id>, FieldError> {
        match self.get(k) {
            None => Ok(None),
            Some(_) => {
                let s = self.string(k)?;
                Id::parse(&s)
                    .map(Some)
                    .ok_or_else(|| bad(k, format!("`{s}` is not an id")))
            }
        }
    }

    pub(crate) fn map(&self, k: &str) -> Result<Option<Fields<'a>>, FieldError> {
        match self.get(k) {
            None => Ok(None),
            Some(Value::Map(m)) => Ok(Some(Fields(m))),
            Some(_) => Err(bad(k, "not a map")),
        }
    }

    fn stamp(&self, k: &str) -> Result<Option<Stamp>, FieldError> {
        match self.map(k)? {
            None => Ok(None),
            Some(f) => Ok(Some(Stamp {
                by: f.string("by")?,
                on: f.date("on").map_err(|e| bad(k, e.to_string()))?,
            })),
        }
    }
}

/// The document a record is read from: a district's (its records take
/// that district), or the programme's (the city's own summaries).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Home<'a> {
    District(&'a Id),
    Programme,
}

impl Home<'_> {
    /// The district of a record that lives in a district document; one
    /// found in the programme document is damaged.
    fn district(self) -> Result<Id, FieldError> {
        match self {
            Home::District(d) => Ok(d.clone()),
            Home::Programme => Err(FieldError {
                field: "district".into(),
                problem: "a district's record in the programme document".into(),
            }),
        }
    }
}

/// A record kind stored in a collection map of a district document.
pub(crate) trait Record: Sized + Clone {
    /// The collection map under the document root.
    const COLLECTION: &'static str;
    fn id(&self) -> &Id;
    fn to_map(&self) -> Map;
    fn from_map(id: Id, home: Home<'_>, m: &Map) -> Result<Self, FieldError>;
    /// The collection of the district's data this record belongs to.
    fn collection(data: &mut DistrictData) -> &mut std::collections::BTreeMap<Id, Self>;
}

impl Record for Kindergarten {
    const COLLECTION: &'static str = "kindergartens";
    fn id(&self) -> &Id {
        &self.id
    }
    fn to_map(&self) -> Map {
        map_of(vec![
            ("name", str_v(&self.name)),
            ("town", str_v(&self.town)),
            ("village", str_v(&self.village)),
            ("ownership", str_v(self.ownership.code())),
            ("category", str_v(self.category.code())),
            ("stars", opt_v(&self.stars, |s| int_v(*s))),
            ("rural", bool_v(self.rural)),
            ("children", int_v(self.children)),
            ("teachers", int_v(self.teachers)),
            ("contact", str_v(&self.contact)),
            ("phone", str_v(&self.phone)),
        ])
    }
    fn from_map(id: Id, home: Home<'_>, m: &Map) -> Result<Self, FieldError> {
        let f = Fields(m);
        Ok(Kindergarten {
            id,
            name: f.string("name")?,
            district_id: home.district()?,
            town: f.string("town")?,
            village: f.string("village")?,
            ownership: f.code("ownership")?,
            category: f.code("category")?,
            stars: f.opt_int("stars")?,
            rural: f.bool("rural")?,
            children: f.int("children")?,
            teachers: f.int("teachers")?,
            contact: f.string("contact")?,
            phone: f.string("phone")?,
        })
    }
    fn collection(data: &mut DistrictData) -> &mut std::collections::BTreeMap<Id, Self> {
        &mut data.kindergartens
    }
}

fn agreement_map(a: &Agreement) -> Map {
    let confirmations: Vec<(&str, Value)> = a
        .confirmations
        .iter()
        .map(|c| {
            (
                c.district_id.as_str(),
                Value::Map(map_of(vec![("by", str_v(&c.by)), ("on", date_v(c.on))])),
            )
        })
        .collect();
    map_of(vec![
        ("status", str_v(a.status.code())),
        ("start", date_v(a.start)),
        ("end", date_v(a.end)),
        ("forms", codes_v(&a.forms)),
        ("tasks", codes_v(&a.tasks)),
        ("goals", text_v(&a.goals)),
        ("rights", text_v(&a.rights)),
        ("schedule", text_v(&a.schedule)),
        ("fees", int_v(a.fees)),
        ("signed", opt_v(&a.signed, stamp_v)),
        ("confirmations", Value::Map(map_of(confirmations))),
        ("filed", opt_v(&a.filed, stamp_v)),
    ])
}

fn agreement_from(f: &Fields<'_>) -> Result<Agreement, FieldError> {
    let mut confirmations = Vec::new();
    if let Some(cs) = f.map("confirmations")? {
        for (district, v) in cs.0.iter() {
            let Value::Map(m) = &v.value else {
                return Err(bad("confirmations", "not a map"));
            };
            let c = Fields(m);
            let district_id = Id::parse(district)
                .ok_or_else(|| bad("confirmations", format!("`{district}` is not an id")))?;
            confirmations.push(Confirmation {
                district_id,
                by: c.string("by")?,
                on: c.date("on")?,
            });
        }
    }
    confirmations.sort_by(|a, b| a.district_id.cmp(&b.district_id));
    Ok(Agreement {
        status: f.code("status")?,
        start: f.date("start")?,
        end: f.date("end")?,
        forms: f.codes("forms")?,
        tasks: f.codes("tasks")?,
        goals: f.string("goals")?,
        rights: f.string("rights")?,
        schedule: f.string("schedule")?,
        fees: f.int("fees")?,
        signed: f.stamp("signed")?,
        confirmations,
        filed: f.stamp("filed")?,
    })
}

impl Record for Pairing {
    const COLLECTION: &'static str = "pairings";
    fn id(&self) -> &Id {
        &self.id
    }
    fn to_map(&self) -> Map {
        map_of(vec![
            ("helpers", ids_v(&self.helpers)),
            ("helped", ids_v(&self.helped)),
            ("cohort", int_v(i64::from(self.cohort))),
            ("mode", str_v(self.mode.code())),
            ("agreement", Value::Map(agreement_map(&self.agreement))),
        ])
    }
    fn from_map(id: Id, home: Home<'_>, m: &Map) -> Result<Self, FieldError> {
        let f = Fields(m);
        let agreement = f
            .map("agreement")?
            .ok_or_else(|| bad("agreement", "missing"))?;
        Ok(Pairing {
            id,
            district_id: home.district()?,
            helpers: f.ids("helpers")?,
            helped: f.ids("helped")?,
            cohort: f.year("cohort")?,
            mode: f.code("mode")?,
            agreement: agreement_from(&agreement)?,
        })
    }
    fn collection(data: &mut DistrictData) -> &mut std::collections::BTreeMap<Id, Self> {
        &mut data.pairings
    }
}

impl Record for Visit {
    const COLLECTION: &'static str = "visits";
    fn id(&self) -> &Id {
        &self.id
    }
    fn to_map(&self) -> Map {
        let participants = list_v(&self.participants, |p| {
            Value::Map(map_of(vec![
                ("name", str_v(&p.name)),
                ("role", str_v(&p.role)),
            ]))
        });
        map_of(vec![
            ("pairing_id", str_v(self.pairing_id.as_str())),
            ("date", date_v(self.date)),
            ("form", str_v(self.form.code())),
            ("tasks", codes_v(&self.tasks)),
            ("place_id", opt_v(&self.place_id, |id| str_v(id.as_str()))),
            ("participants", participants),
            ("teachers_reached", int_v(self.teachers_reached)),
            ("children_reached", int_v(self.children_reached)),
            ("toys", int_v(self.materials.toys)),
            ("play_materials", int_v(self.materials.play_materials)),
            ("picture_books", int_v(self.materials.picture_books)),
            ("note", text_v(&self.note)),
            ("follow_up", text_v(&self.follow_up)),
            ("confirmed", opt_v(&self.confirmed, stamp_v)),
        ])
    }
    fn from_map(id: Id, home: Home<'_>, m: &Map) -> Result<Self, FieldError> {
        let f = Fields(m);
        let mut participants = Vec::new();
        for v in f.list("participants")? {
            let Value::Map(pm) = v else {
                return Err(bad("participants", "not a map"));
            };
            let p = Fields(pm);
            participants.push(Participant {
                name: p.string("name")?,
                role: p.string("role")?,
            });
        }
        Ok(Visit {
            id,
            pairing_id: f
                .opt_id("pairing_id")?
                .ok_or_else(|| bad("pairing_id", "missing"))?,
            district_id: home.district()?,
            date: f.date("date")?,
            form: f.code("form")?,
            tasks: f.codes("tasks")?,
            place_id: f.opt_id("place_id")?,
            participants,
            teachers_reached: f.int("teachers_reached")?,
            children_reached: f.int("children_reached")?,
            materials: Materials {
                toys: f.int("toys")?,
                play_materials: f.int("play_materials")?,
                picture_books: f.int("picture_books")?,
            },
            note: f.string("note")?,
            follow_up: f.string("follow_up")?,
            confirmed: f.stamp("confirmed")?,
        })
    }
    fn collection(data: &mut DistrictData) -> &mut std::collections::BTreeMap<Id, Self> {
        &mut data.visits
    }
}

impl Record for Inspection {
    const COLLECTION: &'static str = "inspections";
    fn id(&self) -> &Id {
        &self.id
    }
    fn to_map(&self) -> Map {
        map_of(vec![
            (
                "pairing_id",
                opt_v(&self.pairing_id, |id| str_v(id.as_str())),
            ),
            (
                "kindergarten_id",
                opt_v(&self.kindergarten_id, |id| str_v(id.as_str())),
            ),
            ("date", date_v(self.date)),
            ("inspector", str_v(&self.inspector)),
            ("philosophy", int_v(self.scores.philosophy)),
            ("care_education", int_v(self.scores.care_education)),
            ("environment", int_v(self.scores.environment)),
            ("management", int_v(self.scores.management)),
            ("findings", text_v(&self.findings)),
            ("guidance", text_v(&self.guidance)),
            ("follow_up_due", opt_v(&self.follow_up_due, |d| date_v(*d))),
        ])
    }
    fn from_map(id: Id, home: Home<'_>, m: &Map) -> Result<Self, FieldError> {
        let f = Fields(m);
        Ok(Inspection {
            id,
            district_id: home.district()?,
            pairing_id: f.opt_id("pairing_id")?,
            kindergarten_id: f.opt_id("kindergarten_id")?,
            date: f.date("date")?,
            inspector: f.string("inspector")?,
            scores: Scores {
                philosophy: f.int("philosophy")?,
                care_education: f.int("care_education")?,
                environment: f.int("environment")?,
                management: f.int("management")?,
            },
            findings: f.string("findings")?,
            guidance: f.string("guidance")?,
            follow_up_due: f.opt_date("follow_up_due")?,
        })
    }
    fn collection(data: &mut DistrictData) -> &mut std::collections::BTreeMap<Id, Self> {
        &mut data.inspections
    }
}

fn review_v(r: &Review) -> Value {
    Value::Map(map_of(vec![
        ("by", str_v(&r.by)),
        ("on", date_v(r.on)),
        ("comment", text_v(&r.comment)),
    ]))
}

/// A report's workflow, as fields of its record. `seen` is a map by member,
/// so two devices of the receiving level both keep their day.
fn workflow_fields(w: &Workflow) -> Vec<(&'static str, Value)> {
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

fn workflow_from(f: &Fields<'_>) -> Result<Workflow, FieldError> {
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
fn json_v<T: serde::Serialize>(v: &Option<T>) -> Value {
    opt_v(v, |x| str_v(&serde_json::to_string(x).unwrap_or_default()))
}

fn json_from<T: serde::de::DeserializeOwned>(
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

// ---------- programme document ----------

pub(crate) fn programme_map(p: &Programme) -> Map {
    map_of(vec![
        ("name", str_v(&p.name)),
        ("city", str_v(&p.city)),
        ("start_year", int_v(i64::from(p.start_year))),
        ("end_year", int_v(i64::from(p.end_year))),
        ("report_due_day", int_v(i64::from(p.report_due_day))),
        ("period_start_day", int_v(i64::from(p.period_start_day))),
        (
            "kindergarten_summary_due",
            str_v(&p.summary_due.kindergarten.to_string()),
        ),
        (
            "district_summary_due",
            str_v(&p.summary_due.district.to_string()),
        ),
        ("city_summary_due", str_v(&p.summary_due.city.to_string())),
    ])
}

pub(crate) fn programme_from(m: &Map) -> Result<Programme, FieldError> {
    let f = Fields(m);
    let due = f.opt_int("report_due_day")?.unwrap_or(20);
    let start = f.opt_int("period_start_day")?.unwrap_or(due);
    let defaults = SummaryDue::default();
    // Settings older documents lack read as the notice's.
    let month_day = |k: &str, default: MonthDay| -> Result<MonthDay, FieldError> {
        match f.string(k)? {
            s if s.is_empty() => Ok(default),
            s => MonthDay::parse(&s).ok_or_else(|| bad(k, format!("`{s}` is not a day (MM-DD)"))),
        }
    };
    Ok(Programme {
        name: f.string("name")?,
        city: f.string("city")?,
        start_year: f.year("start_year")?,
        end_year: f.year("end_year")?,
        report_due_day: u32::try_from(due).map_err(|_| bad("report_due_day", "not a day"))?,
        period_start_day: u32::try_from(start).map_err(|_| bad("period_start_day", "not a day"))?,
        summary_due: SummaryDue {
            kindergarten: month_day("kindergarten_summary_due", defaults.kindergarten)?,
            district: month_day("district_summary_due", defaults.district)?,
            city: month_day("city_summary_due", defaults.city)?,
        },
    })
}

/// A district entry: its name and the set of its towns (a map, so two
/// people adding the same town offline do not make it appear twice).
pub(crate) fn district_map(d: &District) -> Map {
    let towns = map_of(
        d.towns
            .iter()
            .map(|t| (t.as_str(), Value::Scalar(ScalarValue::Boolean(true))))
            .collect(),
    );
    map_of(vec![
        ("name", str_v(&d.name)),
        ("position", int_v(d.position)),
        ("towns", Value::Map(towns)),
    ])
}

pub(crate) fn district_from(id: Id, m: &Map) -> Result<District, FieldError> {
    let f = Fields(m);
    let mut towns: Vec<String> = f
        .map("towns")?
        .map(|t| t.0.keys().cloned().collect())
        .unwrap_or_default();
    towns.sort();
    Ok(District {
        id,
        name: f.string("name")?,
        position: f.int("position")?,
        towns,
    })
}

pub(crate) fn year_map(y: &YearPlan) -> Map {
    map_of(vec![
        ("year", int_v(i64::from(y.year))),
        ("stated_total", opt_v(&y.stated_total, |n| int_v(*n))),
        (
            "target_share_percent",
            opt_v(&y.target_share_percent, |n| int_v(*n)),
        ),
    ])
}

pub(crate) fn year_from(m: &Map) -> Result<YearPlan, FieldError> {
    let f = Fields(m);
    Ok(YearPlan {
        year: f.year("year")?,
        stated_total: f.opt_int("stated_total")?,
        target_share_percent: f.opt_int("target_share_percent")?,
    })
}

/// A member under its endpoint id in the programme's `members` map.
pub(crate) fn member_map(m: &Member) -> Map {
    map_of(vec![
        ("name", str_v(&m.name)),
        ("role", str_v(m.role.code())),
        ("district", opt_v(&m.district, |id| str_v(id.as_str()))),
        (
            "kindergarten",
            opt_v(&m.kindergarten, |id| str_v(id.as_str())),
        ),
        ("districts", ids_v(&m.districts)),
        ("added_by", str_v(&m.added_by)),
        ("added_on", date_v(m.added_on)),
        ("revoked", bool_v(m.revoked)),
    ])
}

pub(crate) fn member_from(id: &str, m: &Map) -> Result<Member, FieldError> {
    let f = Fields(m);
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad("id", format!("`{id}` is not an endpoint id")));
    }
    Ok(Member {
        id: id.to_ascii_lowercase(),
        name: f.string("name")?,
        role: f.code("role")?,
        district: f.opt_id("district")?,
        kindergarten: f.opt_id("kindergarten")?,
        districts: f.ids("districts")?,
        added_by: f.string("added_by")?,
        added_on: f.date("added_on")?,
        revoked: f.bool("revoked")?,
    })
}

/// A used invite: who used it, and when.
pub(crate) fn used_invite_map(by: &str, on: NaiveDate) -> Map {
    map_of(vec![("by", str_v(by)), ("on", date_v(on))])
}

/// Key of a target in the `targets` map: `YEAR/DISTRICT_ID`.
pub(crate) fn target_key(year: i32, district: &Id) -> String {
    format!("{year}/{district}")
}

pub(crate) fn target_map(t: &PlanTarget) -> Map {
    map_of(vec![
        ("year", int_v(i64::from(t.year))),
        ("district_id", str_v(t.district_id.as_str())),
        ("helpers", int_v(t.helpers)),
        ("helped", int_v(t.helped)),
    ])
}

pub(crate) fn target_from(m: &Map) -> Result<PlanTarget, FieldError> {
    let f = Fields(m);
    Ok(PlanTarget {
        year: f.year("year")?,
        district_id: f
            .opt_id("district_id")?
            .ok_or_else(|| bad("district_id", "missing"))?,
        helpers: f.int("helpers")?,
        helped: f.int("helped")?,
    })
}

/// Lays `new` over `old`: fields this version writes replace old ones, fields
/// it does not know (written by a newer version) are kept.
pub(crate) fn overlay(old: Option<&Map>, new: Map) -> Map {
    let mut out = old.cloned().unwrap_or_default();
    for (k, v) in new.iter() {
        let value = match (out.get(k), &v.value) {
            // Nested maps (an agreement) are laid over recursively too.
            (Some(Value::Map(o)), Value::Map(n)) if k != "confirmations" && k != "towns" => {
                Value::Map(overlay(Some(o), n.clone()))
            }
            _ => v.value.clone(),
        };
        out.insert(
            k.clone(),
            MapValue {
                value,
                conflict: false,
            },
        );
    }
    out
}

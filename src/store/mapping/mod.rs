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

mod evidence;
mod programme;
mod records;
mod report_maps;

pub(crate) use evidence::is_hash;
pub(crate) use programme::*;

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

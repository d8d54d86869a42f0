//! Field specifications and the reader that turns typed text into typed
//! values. A record kind's fields are described once (`FieldSpec`): the
//! command line builds its options from them, the interface its forms, the
//! spreadsheet import its columns. Whatever the front end, what was typed
//! arrives as `Raw` text and is read by the same code with the same
//! defaults and the same errors.

use super::parse;
use crate::domain::*;
use crate::i18n::Lang;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// How a field is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One line of text.
    Line,
    /// Several lines of text.
    Note,
    /// A whole number.
    Count,
    /// A date (`YYYY-MM-DD`).
    Date,
    /// A year.
    Year,
    /// Yes or no.
    YesNo,
    /// One of a list.
    One(Pick),
    /// Any of a list (repeated, or separated by commas).
    Many(Pick),
    /// People as `NAME:ROLE`, repeated or separated by commas.
    People,
    /// Files or folders, several separated by spaces (quoted when a name
    /// has spaces), as a terminal pastes dropped files.
    Paths,
}

/// The lists a field picks from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    Ownership,
    Category,
    Mode,
    SupportForm,
    Task,
    /// A score 1–5.
    Score,
    District,
    Kindergarten,
    Pairing,
    /// One of the kindergartens of the pairing chosen in the same draft.
    PairingMember,
    /// A member's role.
    Role,
}

/// What a field is when nothing is typed in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Default {
    /// Nothing: empty text, no choice.
    Nothing,
    /// It must be given.
    Required,
    /// Zero.
    Zero,
    /// Today.
    Today,
    /// The name of the person using bangfu.
    Person,
    /// Follows from other fields; the key names the rule for people
    /// (`form.auto.*`).
    Derived(&'static str),
    /// This text.
    Text(&'static str),
}

/// One field of a record kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field's name: its label is `field.KEY`, and the rules report
    /// problems under it.
    pub key: &'static str,
    /// The command line's option, without `--`.
    pub flag: &'static str,
    pub kind: Kind,
    pub default: Default,
    /// The command line's help for the option.
    pub help: &'static str,
}

impl FieldSpec {
    pub fn required(&self) -> bool {
        self.default == Default::Required
    }

    /// Whether the field takes several values.
    pub fn many(&self) -> bool {
        matches!(self.kind, Kind::Many(_) | Kind::People)
    }
}

/// What was typed, by field: each field's texts (several for a list).
/// A field with no non-blank text counts as not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Raw(BTreeMap<&'static str, Vec<String>>);

impl Raw {
    pub fn new() -> Raw {
        Raw::default()
    }

    /// Sets one text (replacing what the field had).
    pub fn put(&mut self, key: &'static str, value: impl Into<String>) {
        self.0.insert(key, vec![value.into()]);
    }

    /// Sets several texts (replacing what the field had).
    pub fn put_all(&mut self, key: &'static str, values: Vec<String>) {
        self.0.insert(key, values);
    }

    pub fn remove(&mut self, key: &str) {
        self.0.remove(key);
    }

    /// Lays `other`'s given fields over these.
    pub fn overlay(&mut self, other: &Raw) {
        for (k, v) in &other.0 {
            if other.given(k) {
                self.0.insert(k, v.clone());
            }
        }
    }

    /// Whether the field was typed at all, even blank (a blank note
    /// clears it).
    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// Whether the field has any non-blank text.
    pub fn given(&self, key: &str) -> bool {
        self.0
            .get(key)
            .is_some_and(|v| v.iter().any(|s| !s.trim().is_empty()))
    }

    /// The field's one text, trimmed (`None` when not given). Several
    /// texts for a one-value field: the last one counts, as with repeated
    /// command-line options.
    pub fn one(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .and_then(|v| v.iter().rev().map(|s| s.trim()).find(|s| !s.is_empty()))
    }

    /// The field's texts, each split at commas, trimmed, blanks dropped.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.0
            .get(key)
            .map(|v| parse::split_list(v))
            .unwrap_or_default()
    }

    /// The field's text as typed, lines kept (for several-line notes).
    pub fn text(&self, key: &str) -> String {
        self.0
            .get(key)
            .map(|v| v.join("\n").trim().to_string())
            .unwrap_or_default()
    }
}

/// Who is typing, and when: what defaults and names resolve against.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub model: &'a Model,
    pub lang: Lang,
    pub today: NaiveDate,
    pub person: &'a str,
}

/// Why a field could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// A required field was not given.
    Missing,
    /// The text is not a value of the field's kind (the sentence says how
    /// to write it, in the reader's language).
    Invalid(String),
}

/// A field that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bad {
    pub field: &'static str,
    pub why: Why,
}

/// Reads typed fields, collecting every problem (not just the first).
pub(super) struct Reader<'a> {
    raw: &'a Raw,
    pub cx: Context<'a>,
    pub bad: Vec<Bad>,
}

impl<'a> Reader<'a> {
    pub fn new(raw: &'a Raw, cx: Context<'a>) -> Reader<'a> {
        Reader {
            raw,
            cx,
            bad: Vec::new(),
        }
    }

    pub fn given(&self, f: &FieldSpec) -> bool {
        self.raw.given(f.key)
    }

    /// Whether the field was typed at all, even blank.
    pub fn has(&self, f: &FieldSpec) -> bool {
        self.raw.has(f.key)
    }

    fn invalid<T>(&mut self, f: &FieldSpec, r: Result<T, String>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(msg) => {
                self.bad.push(Bad {
                    field: f.key,
                    why: Why::Invalid(msg),
                });
                None
            }
        }
    }

    /// The field's text, or its default as text (`None` for nothing; a
    /// required field not given is reported missing).
    fn value(&mut self, f: &FieldSpec) -> Option<String> {
        if let Some(v) = self.raw.one(f.key) {
            return Some(v.to_string());
        }
        match f.default {
            Default::Required => {
                self.bad.push(Bad {
                    field: f.key,
                    why: Why::Missing,
                });
                None
            }
            Default::Zero => Some("0".to_string()),
            Default::Today => Some(self.cx.today.to_string()),
            Default::Person => Some(self.cx.person.to_string()).filter(|p| !p.is_empty()),
            Default::Text(t) => Some(t.to_string()),
            Default::Nothing | Default::Derived(_) => None,
        }
    }

    /// Text, lines kept ("" when not given and not required).
    pub fn text(&mut self, f: &FieldSpec) -> String {
        if self.raw.given(f.key) {
            return self.raw.text(f.key);
        }
        self.value(f).unwrap_or_default()
    }

    pub fn count(&mut self, f: &FieldSpec) -> Option<i64> {
        let v = self.value(f)?;
        let lang = self.cx.lang;
        self.invalid(f, parse::int(lang, f.key, &v))
    }

    pub fn date(&mut self, f: &FieldSpec) -> Option<NaiveDate> {
        let v = self.value(f)?;
        let lang = self.cx.lang;
        self.invalid(f, parse::date(lang, f.key, &v))
    }

    pub fn year(&mut self, f: &FieldSpec) -> Option<i32> {
        let v = self.value(f)?;
        let lang = self.cx.lang;
        self.invalid(f, parse::year(lang, &v))
    }

    pub fn yes_no(&mut self, f: &FieldSpec) -> Option<bool> {
        let v = self.value(f)?;
        let lang = self.cx.lang;
        self.invalid(f, parse::yes_no(lang, f.key, &v))
    }

    pub fn code<C: Code>(&mut self, f: &FieldSpec) -> Option<C> {
        let v = self.value(f)?;
        let lang = self.cx.lang;
        self.invalid(f, parse::code(lang, f.key, &v))
    }

    pub fn codes<C: Code>(&mut self, f: &FieldSpec) -> Vec<C> {
        let items = self.raw.list(f.key);
        let lang = self.cx.lang;
        self.invalid(f, parse::codes(lang, f.key, &items))
            .unwrap_or_default()
    }

    pub fn district(&mut self, f: &FieldSpec) -> Option<Id> {
        let v = self.value(f)?;
        let (lang, model) = (self.cx.lang, self.cx.model);
        self.invalid(f, parse::district(lang, model, &v))
    }

    pub fn districts(&mut self, f: &FieldSpec) -> Vec<Id> {
        let items = self.raw.list(f.key);
        let (lang, model) = (self.cx.lang, self.cx.model);
        let read = items
            .iter()
            .map(|d| parse::district(lang, model, d))
            .collect::<Result<Vec<_>, String>>();
        self.invalid(f, read).unwrap_or_default()
    }

    /// A length of time (`30m`, `72h`, `7d`) in seconds.
    pub fn duration(&mut self, f: &FieldSpec) -> Option<i64> {
        let v = self.value(f)?;
        let lang = self.cx.lang;
        let secs = parse::duration_secs(&v)
            .ok_or_else(|| crate::tr!(lang, "invite.bad_expiry", value = v.as_str()));
        self.invalid(f, secs)
    }

    /// A field that must be given because another one is: reported
    /// missing if it is not.
    pub fn needed(&mut self, f: &FieldSpec) {
        if !self.given(f) {
            self.bad.push(Bad {
                field: f.key,
                why: Why::Missing,
            });
        }
    }

    /// Refuses the whole draft with a sentence, under `f`.
    pub fn refuse(&mut self, f: &FieldSpec, why: String) {
        self.bad.push(Bad {
            field: f.key,
            why: Why::Invalid(why),
        });
    }

    pub fn kindergarten(&mut self, f: &FieldSpec) -> Option<Id> {
        let v = self.value(f)?;
        let (lang, model) = (self.cx.lang, self.cx.model);
        self.invalid(f, parse::kindergarten(lang, model, &v))
    }

    pub fn kindergartens(&mut self, f: &FieldSpec) -> Vec<Id> {
        let items = self.raw.list(f.key);
        if items.is_empty() && f.required() {
            self.value(f);
            return Vec::new();
        }
        let (lang, model) = (self.cx.lang, self.cx.model);
        self.invalid(f, parse::kindergartens(lang, model, &items))
            .unwrap_or_default()
    }

    pub fn record(&mut self, f: &FieldSpec, what: Entity) -> Option<Id> {
        let v = self.value(f)?;
        let (lang, model) = (self.cx.lang, self.cx.model);
        self.invalid(f, parse::record(lang, model, what, &v))
    }

    pub fn people(&mut self, f: &FieldSpec) -> Vec<Participant> {
        let lang = self.cx.lang;
        let people = self
            .raw
            .list(f.key)
            .iter()
            .map(|p| parse::participant(lang, p))
            .collect::<Result<Vec<_>, String>>();
        self.invalid(f, people).unwrap_or_default()
    }

    /// The draft if every field was read, else every problem.
    pub fn finish<T>(self, draft: Option<T>) -> Result<T, Vec<Bad>> {
        match draft {
            Some(d) if self.bad.is_empty() => Ok(d),
            _ => Err(self.bad),
        }
    }
}

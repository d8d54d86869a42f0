//! One typed value at a time (a date, a count, a code, a record by name or
//! id prefix), with errors in the reader's language that say what was
//! wrong and how to write it. Each error is one sentence; the caller shows it as a line or next to
//! the field.

use crate::domain::id::PrefixError;
use crate::domain::*;
use crate::i18n::{self, Lang};
use crate::tr;
use chrono::NaiveDate;

/// Text as typed on a Chinese keyboard made plain: full-width digits,
/// letters and punctuation (１２, －, ／) as their ASCII forms, the ideographic
/// space as a space; trimmed.
pub fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match u32::from(c) {
            0x3000 => ' ',
            cp @ 0xFF01..=0xFF5E => cp.checked_sub(0xFEE0).and_then(char::from_u32).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A date as `YYYY-MM-DD` (also `YYYY/MM/DD`, full-width digits too), or
/// `today` / `今天`.
pub fn date(lang: Lang, field: &str, s: &str) -> Result<NaiveDate, String> {
    let t = &half_width(s);
    if t.eq_ignore_ascii_case("today") || t == "今天" {
        return Ok(chrono::Local::now().date_naive());
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y/%m/%d"))
        .map_err(|_| {
            tr!(
                lang,
                "parse.date",
                field = field_name(lang, field),
                value = t
            )
        })
}

pub fn opt_date(lang: Lang, field: &str, s: &Option<String>) -> Result<Option<NaiveDate>, String> {
    s.as_deref().map(|s| date(lang, field, s)).transpose()
}

/// A month as `YYYY-MM`.
pub fn month(lang: Lang, s: &str) -> Result<(i32, u32), String> {
    let t = s.trim();
    NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d")
        .map(|d| (chrono::Datelike::year(&d), chrono::Datelike::month(&d)))
        .map_err(|_| tr!(lang, "parse.month", value = t))
}

/// A whole number (negative ones too: the rules say why they are
/// refused; full-width digits too). One too large to count is said so.
pub fn int(lang: Lang, field: &str, s: &str) -> Result<i64, String> {
    let t = half_width(s);
    t.parse().map_err(|e: std::num::ParseIntError| {
        let key = match e.kind() {
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                "parse.too_big"
            }
            _ => "parse.int",
        };
        tr!(lang, key, field = field_name(lang, field), value = s.trim())
    })
}

pub fn opt_int(lang: Lang, field: &str, s: &Option<String>) -> Result<Option<i64>, String> {
    s.as_deref().map(|s| int(lang, field, s)).transpose()
}

pub fn year(lang: Lang, s: &str) -> Result<i32, String> {
    let n = int(lang, "year", s)?;
    i32::try_from(n).map_err(|_| {
        tr!(
            lang,
            "parse.int",
            field = field_name(lang, "year"),
            value = s
        )
    })
}

pub fn opt_year(lang: Lang, s: &Option<String>) -> Result<Option<i32>, String> {
    s.as_deref().map(|s| year(lang, s)).transpose()
}

/// Yes or no: `yes/no/true/false/1/0/是/否`.
pub fn yes_no(lang: Lang, field: &str, s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "是" => Ok(true),
        "no" | "n" | "false" | "0" | "否" => Ok(false),
        other => Err(tr!(
            lang,
            "parse.yes_no",
            field = field_name(lang, field),
            value = other
        )),
    }
}

fn field_name(lang: Lang, field: &str) -> String {
    i18n::field(lang, field)
}

/// One value of a vocabulary, by code or label.
pub fn code<C: Code>(lang: Lang, field: &str, s: &str) -> Result<C, String> {
    i18n::parse_code(s).ok_or_else(|| {
        tr!(
            lang,
            "parse.code",
            field = field_name(lang, field),
            value = s.trim(),
            choices = i18n::choices::<C>(lang)
        )
    })
}

pub fn opt_code<C: Code>(lang: Lang, field: &str, s: &Option<String>) -> Result<Option<C>, String> {
    s.as_deref().map(|s| code(lang, field, s)).transpose()
}

/// Several values, given as repeated options and/or separated by commas
/// (`,` `，` `、`). Each value once, in the order given.
pub fn codes<C: Code>(lang: Lang, field: &str, items: &[String]) -> Result<Vec<C>, String> {
    let mut out: Vec<C> = Vec::new();
    for part in split_list(items) {
        let c = code::<C>(lang, field, &part)?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
}

/// Splits repeated values, and values separated by commas, 、, semicolons
/// or line breaks.
pub fn split_list(items: &[String]) -> Vec<String> {
    items
        .iter()
        .flat_map(|s| s.split([',', '，', '、', ';', '；', '\n', '\r']))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn resolve_err(lang: Lang, what: Option<Entity>, s: &str, e: &PrefixError) -> String {
    i18n::prefix_error(lang, what, s.trim(), e)
}

/// A record of one kind by id prefix.
pub fn record(lang: Lang, model: &Model, what: Entity, s: &str) -> Result<Id, String> {
    model
        .resolve(what, s)
        .map_err(|e| resolve_err(lang, Some(what), s, &e))
}

/// A kindergarten by its exact name or an id prefix.
pub fn kindergarten(lang: Lang, model: &Model, s: &str) -> Result<Id, String> {
    let name = s.trim();
    let by_name: Vec<&Kindergarten> = model.kindergartens().filter(|k| k.name == name).collect();
    match by_name.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => record(lang, model, Entity::Kindergarten, s),
        many => Err(resolve_err(
            lang,
            Some(Entity::Kindergarten),
            s,
            &PrefixError::Ambiguous { count: many.len() },
        )),
    }
}

pub fn kindergartens(lang: Lang, model: &Model, items: &[String]) -> Result<Vec<Id>, String> {
    let mut out: Vec<Id> = Vec::new();
    for s in split_list(items) {
        let id = kindergarten(lang, model, &s)?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// A district by its name or an id prefix.
pub fn district(lang: Lang, model: &Model, s: &str) -> Result<Id, String> {
    match model.district_by_name(s) {
        Some(d) => Ok(d.id.clone()),
        None => model.resolve(Entity::District, s).map_err(|_| {
            let names: Vec<&str> = model
                .districts_in_order()
                .iter()
                .map(|d| d.name.as_str())
                .collect();
            tr!(
                lang,
                "parse.district",
                value = s.trim(),
                choices = names.join(lang.sep())
            )
        }),
    }
}

/// A participant as people write them: `姓名（角色）`, `姓名(角色)` or
/// `姓名:角色` (`：` too), or a name alone (a teacher). The role is a known
/// role's code or its label in either language; any other is refused,
/// naming the choices.
pub fn participant(lang: Lang, s: &str) -> Result<Participant, String> {
    let t = s.trim();
    let in_brackets = t
        .strip_suffix(['）', ')'])
        .and_then(|inner| inner.split_once(['（', '(']));
    let (name, role) = match (t.split_once([':', '：']), in_brackets) {
        (Some((n, r)), _) | (None, Some((n, r))) => (n.trim(), r.trim()),
        (None, None) => (t, ""),
    };
    if name.is_empty() {
        return Err(tr!(lang, "parse.participant", value = s));
    }
    let role = if role.is_empty() {
        Role::Teacher
    } else {
        i18n::parse_code::<Role>(role).ok_or_else(|| {
            tr!(
                lang,
                "parse.code",
                field = i18n::field(lang, "role"),
                value = role,
                choices = Role::ALL
                    .iter()
                    .map(|r| i18n::label(lang, *r))
                    .collect::<Vec<_>>()
                    .join(lang.sep())
            )
        })?
    };
    Ok(Participant {
        name: name.to_string(),
        role: role.code().to_string(),
    })
}

/// A duration as typed: `90m`, `72h`, `7d`, `30s`; in seconds.
pub fn duration_secs(s: &str) -> Option<i64> {
    let t = s.trim();
    let (n, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = n.parse().ok()?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return None,
    };
    n.checked_mul(mult).filter(|v| *v > 0)
}

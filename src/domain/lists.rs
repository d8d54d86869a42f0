//! One query per list, in one order: the interface's lists, its pick
//! lists, the command line's `list` commands (table, JSON, CSV) and the
//! list exports all ask here, so they show the same records in the same
//! order.
//!
//! - kindergartens: by district (the programme's order), town, name (towns
//!   and names in pinyin order, see `collate`);
//! - pairings: by cohort, district, agreement start;
//! - visits and inspections: newest first (a log is read from today
//!   backwards), then by id so equal dates keep one order.

use super::*;
use chrono::Datelike;

/// A typed filter: its words, lowercased. A record matches when every word
/// is found in one of its fields (so "东风 村" finds 东风镇's village
/// kindergartens).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Words(Vec<String>);

impl Words {
    pub fn new(text: &str) -> Words {
        Words(text.split_whitespace().map(str::to_lowercase).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn matches(&self, fields: &[&str]) -> bool {
        self.0.iter().all(|w| {
            fields.iter().any(|f| {
                // Only letters with case need lowering; Chinese is compared
                // as it is, without allocating.
                if w.bytes().any(|b| b.is_ascii_alphabetic()) {
                    f.to_lowercase().contains(w.as_str())
                } else {
                    f.contains(w.as_str())
                }
            })
        })
    }
}

/// Which records of a list: each part narrows it when set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub words: Words,
    pub district: Option<Id>,
    /// Kindergartens: rural (yes) or not.
    pub rural: Option<bool>,
    /// Pairings: the cohort year.
    pub cohort: Option<i32>,
    /// Pairings: the agreement's status.
    pub status: Option<AgreementStatus>,
    /// Visits and inspections: of this pairing.
    pub pairing: Option<Id>,
    /// Visits: in this month (year, month).
    pub month: Option<(i32, u32)>,
}

impl Query {
    /// Everything.
    pub fn all() -> Query {
        Query::default()
    }

    /// Records whose fields hold every word of `text`.
    pub fn words(text: &str) -> Query {
        Query {
            words: Words::new(text),
            ..Query::default()
        }
    }

    fn in_district(&self, d: &Id) -> bool {
        self.district.as_ref().is_none_or(|x| x == d)
    }
}

fn position(m: &Model, d: &Id) -> i64 {
    m.district(d).map_or(i64::MAX, |x| x.position)
}

fn name_of<'m>(m: &'m Model, k: Option<&Id>) -> &'m str {
    k.and_then(|k| m.known_name(k)).unwrap_or("")
}

pub fn kindergartens<'m>(m: &'m Model, q: &Query) -> Vec<&'m Kindergarten> {
    let mut ks: Vec<&Kindergarten> = m
        .kindergartens()
        .filter(|k| q.in_district(&k.district_id))
        .filter(|k| q.rural.is_none_or(|r| k.rural == r))
        .filter(|k| {
            q.words.is_empty() || {
                let district = m.district_name(&k.district_id);
                q.words
                    .matches(&[&k.name, &k.town, &k.village, &district, &k.contact])
            }
        })
        .collect();
    // Towns and names in pinyin order, as a bureau's list has them.
    ks.sort_by_cached_key(|k| {
        let (town, name) = (collate::key(&k.town), collate::key(&k.name));
        (position(m, &k.district_id), town, name, k.id.clone())
    });
    ks
}

pub fn pairings<'m>(m: &'m Model, q: &Query) -> Vec<&'m Pairing> {
    let mut ps: Vec<&Pairing> = m
        .pairings()
        .filter(|p| q.in_district(&p.district_id))
        .filter(|p| q.cohort.is_none_or(|y| p.cohort == y))
        .filter(|p| q.status.is_none_or(|s| p.agreement.status == s))
        .filter(|p| {
            q.words.is_empty() || {
                let mut fields: Vec<String> = p.members().map(|k| m.kindergarten_name(k)).collect();
                fields.push(m.district_name(&p.district_id));
                fields.push(p.cohort.to_string());
                q.words
                    .matches(&fields.iter().map(String::as_str).collect::<Vec<_>>())
            }
        })
        .collect();
    ps.sort_by(|a, b| {
        (
            a.cohort,
            position(m, &a.district_id),
            a.agreement.start,
            &a.id,
        )
            .cmp(&(
                b.cohort,
                position(m, &b.district_id),
                b.agreement.start,
                &b.id,
            ))
    });
    ps
}

pub fn visits<'m>(m: &'m Model, q: &Query) -> Vec<&'m Visit> {
    let mut vs: Vec<&Visit> = m
        .visits()
        .filter(|v| q.in_district(&v.district_id))
        .filter(|v| q.pairing.as_ref().is_none_or(|p| &v.pairing_id == p))
        .filter(|v| {
            q.month
                .is_none_or(|(y, mo)| v.date.year() == y && v.date.month() == mo)
        })
        .filter(|v| {
            q.words.is_empty() || {
                let date = v.date.to_string();
                let place = name_of(m, v.place_id.as_ref());
                q.words.matches(&[&v.note, place, &date, &v.follow_up])
            }
        })
        .collect();
    vs.sort_by(|a, b| (b.date, &b.id).cmp(&(a.date, &a.id)));
    vs
}

pub fn inspections<'m>(m: &'m Model, q: &Query) -> Vec<&'m Inspection> {
    let mut is: Vec<&Inspection> = m
        .inspections()
        .filter(|i| q.in_district(&i.district_id))
        .filter(|i| q.pairing.is_none() || i.pairing_id == q.pairing)
        .filter(|i| {
            q.words.is_empty() || {
                let date = i.date.to_string();
                let k = name_of(m, i.kindergarten_id.as_ref());
                q.words.matches(&[k, &i.inspector, &date, &i.findings])
            }
        })
        .collect();
    is.sort_by(|a, b| (b.date, &b.id).cmp(&(a.date, &a.id)));
    is
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_word_of_a_filter_must_match() {
        let m = |f: &str, fields: &[&str]| super::Words::new(f).matches(fields);
        assert!(m("东风 村", &["东风镇", "红旗村幼儿园"]));
        assert!(!m("东风 屯", &["东风镇", "红旗村幼儿园"]));
        assert!(m("", &["anything"]));
        assert!(m("HONG", &["hongqi"]));
    }
}

//! Conflicts (values two devices set differently while apart) in words:
//! the same sentence in a record's detail, in `doctor` and after a sync.

use crate::domain::reports::{self, ReportKey};
use crate::domain::{Conflict, Entity, Model};
use crate::i18n::{self, Lang};
use crate::tr;

/// The kind of record a collection holds.
pub fn entity_of(collection: &str) -> Option<Entity> {
    Some(match collection {
        "kindergartens" => Entity::Kindergarten,
        "pairings" => Entity::Pairing,
        "visits" => Entity::Visit,
        "inspections" => Entity::Inspection,
        "monthly_reports" => Entity::MonthlyReport,
        "annual_summaries" => Entity::AnnualSummary,
        "attachments" => Entity::Attachment,
        _ => return None,
    })
}

/// The field's name in the user's language (its path when it has none).
pub fn field(lang: Lang, c: &Conflict) -> String {
    let name = i18n::field(lang, c.field_name());
    if name.starts_with("field.") {
        c.field.clone()
    } else {
        name
    }
}

/// A value as shown: quoted as the language quotes, "(empty)" when empty.
pub fn quoted(lang: Lang, v: &str) -> String {
    if v.trim().is_empty() {
        return tr!(lang, "conflict.empty");
    }
    match lang {
        Lang::Zh => format!("「{v}」"),
        Lang::En => format!("\u{201c}{v}\u{201d}"),
    }
}

/// What the conflict holds: the value shown and those set aside (or, for a
/// report started twice, that both texts were merged).
pub fn values(lang: Lang, c: &Conflict) -> String {
    if c.is_start() {
        return tr!(lang, "conflict.start");
    }
    let others: Vec<String> = c.set_aside.iter().map(|v| quoted(lang, v)).collect();
    tr!(
        lang,
        "conflict.values",
        field = field(lang, c),
        kept = quoted(lang, &c.kept),
        other = others.join(lang.sep())
    )
}

/// The record a conflict is in, named as lists name it.
pub fn record(lang: Lang, m: &Model, c: &Conflict) -> String {
    let Some((what, id)) = entity_of(&c.collection).zip(c.record_id()) else {
        return format!("{}/{}", c.collection, c.record);
    };
    let name = match what {
        Entity::MonthlyReport => reports::monthly(m, &id)
            .and_then(ReportKey::of_monthly)
            .map(|k| format!("{} {}", k.subject_name(m), k.id().short())),
        Entity::AnnualSummary => reports::annual(m, &id).map(|s| {
            let k = ReportKey::of_annual(s);
            format!("{} {}", k.subject_name(m), s.year)
        }),
        _ => None,
    }
    .unwrap_or_else(|| super::record_name(lang, m, what, &id));
    format!("{} {}", i18n::entity(lang, what), quoted(lang, &name))
}

/// One line: the record, the field, the values.
pub fn line(lang: Lang, m: &Model, c: &Conflict) -> String {
    let colon = match lang {
        Lang::Zh => "：",
        Lang::En => ": ",
    };
    format!("{}{colon}{}", record(lang, m, c), values(lang, c))
}

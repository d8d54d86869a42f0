//! Records for people: as table rows and `label: value` lines in the
//! user's language (short ids, labels for codes), and as JSON objects
//! (snake_case, codes for vocabularies, names next to ids). Shared by the
//! command line and the terminal interface.

/// Rows under headers: what tables and CSV print.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}
use crate::domain::*;
use crate::i18n::{self, Lang, label, labels};
use crate::tr;
use comfy_table::{ContentArrangement, Table as Grid, TableStyle, presets::NOTHING};
use serde_json::{Value, json};

pub mod conflicts;
pub mod evidence;
mod records;
pub use records::average;

/// How wide a column is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// This many columns of the terminal.
    Chars(u16),
    /// A share of what the fixed columns leave.
    Share(u16),
}

/// One column of a list, the same for the command line's tables and the
/// interface's lists: the field it shows (`field.<key>` heads a table, the
/// shorter `list.col.<key>` a screen), its cell, and its width on screen
/// (`None`: in tables only, a screen is narrower).
pub struct Column<T> {
    pub key: &'static str,
    pub cell: fn(&T, Lang, &Model) -> String,
    pub screen: Option<Width>,
}

impl<T> Column<T> {
    pub const fn new(
        key: &'static str,
        cell: fn(&T, Lang, &Model) -> String,
        screen: Option<Width>,
    ) -> Column<T> {
        Column { key, cell, screen }
    }
}

/// The columns' field names.
pub fn column_keys<T>(columns: &[Column<T>]) -> Vec<&'static str> {
    columns.iter().map(|c| c.key).collect()
}

/// How one kind of record prints: as JSON, as a table row under its
/// columns, and as `label: value` lines.
pub trait View: Sized + 'static {
    /// The list's columns (command line and interface).
    const COLUMNS: &'static [Column<Self>];
    fn json(&self, model: &Model) -> Value;
    fn fields(&self, lang: Lang, model: &Model) -> Vec<(String, String)>;

    /// The record as a table row under [`View::COLUMNS`].
    fn row(&self, lang: Lang, model: &Model) -> Vec<String> {
        Self::COLUMNS
            .iter()
            .map(|c| (c.cell)(self, lang, model))
            .collect()
    }
}

/// Records as a table.
pub fn table<T: View>(lang: Lang, model: &Model, items: &[&T]) -> Table {
    Table {
        headers: headers(lang, &column_keys(T::COLUMNS)),
        rows: items.iter().map(|x| x.row(lang, model)).collect(),
    }
}

pub fn yes_no(lang: Lang, b: bool) -> String {
    tr!(lang, if b { "common.yes" } else { "common.no" })
}

pub fn headers(lang: Lang, fields: &[&str]) -> Vec<String> {
    fields.iter().map(|f| i18n::field(lang, f)).collect()
}

/// Text as it may reach a terminal: control characters (escape
/// sequences a member could have typed into a name to retitle or clear
/// someone else's terminal) are dropped; line breaks and tabs stay.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| c.is_control() && c != '\n' && c != '\t';
    if s.chars().any(bad) {
        std::borrow::Cow::Owned(s.chars().filter(|c| !bad(*c)).collect())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// A typed name made safe as part of a file name: letters and digits (of
/// any script), `-` and `_` kept, anything else (path separators, dots,
/// control characters) made `_`, at most 40 characters, never empty.
pub fn file_stem(name: &str) -> String {
    let s: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    if s.is_empty() { "_".to_string() } else { s }
}

/// What ends a cut text: ASCII, since "…" is ambiguous width (two
/// columns in many Chinese terminals, which would spill past the cut).
const CUT: &str = "..";

/// `text` on one line, cut to `width` display columns (a Chinese character
/// takes two) at a character boundary, ending in [`CUT`] when cut: for
/// table cells and lines of the interface.
pub fn clip(text: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    let one_line = text.replace(['\r', '\n'], " ");
    if one_line.width() <= width {
        return one_line;
    }
    let room = width.saturating_sub(CUT.len());
    let mut out = String::new();
    let mut used = 0usize;
    for c in one_line.chars() {
        let w = c.width().unwrap_or(0);
        if used.saturating_add(w) > room {
            break;
        }
        out.push(c);
        used = used.saturating_add(w);
    }
    out.push_str(CUT.get(..width.min(CUT.len())).unwrap_or_default());
    out
}

pub fn names(model: &Model, ids: &[Id], lang: Lang) -> String {
    let sep = lang.sep();
    ids.iter()
        .map(|id| model.kindergarten_name(id))
        .collect::<Vec<_>>()
        .join(sep)
}

/// A pairing as people name it, "helper -> helped (2024)": an ASCII
/// arrow, since arrows take two columns in many Chinese terminals.
pub fn pairing_label(m: &Model, lang: Lang, p: &Pairing) -> String {
    format!(
        "{} -> {} ({})",
        names(m, &p.helpers, lang),
        names(m, &p.helped, lang),
        p.cohort
    )
}

/// A record as a sentence names it: a kindergarten's name, a pairing's
/// sides, a visit's or an inspection's date and kind; else its short id.
pub fn record_name(lang: Lang, m: &Model, what: Entity, id: &Id) -> String {
    let named = match what {
        Entity::Kindergarten => m.known_name(id).map(str::to_string),
        Entity::Pairing => m.pairing(id).map(|p| pairing_label(m, lang, p)),
        Entity::Visit => m
            .visit(id)
            .map(|v| format!("{} {}", v.date, crate::i18n::label(lang, v.form))),
        Entity::Inspection => m
            .inspection(id)
            .map(|i| format!("{} {}", i.date, i.inspector)),
        Entity::Attachment => m.attachment(id).map(|a| a.name.clone()),
        _ => None,
    };
    named.unwrap_or_else(|| id.short().to_string())
}

/// The columns of a history: when (local time), by whom, on which device,
/// created or edited, which fields.
pub const HISTORY_COLUMNS: [&str; 5] = ["time", "person", "device", "action", "fields"];

/// A moment (milliseconds since 1970) in local time to the minute; "-"
/// for never.
pub fn local_time(ms: Option<i64>) -> String {
    ms.and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|| "-".into())
}

/// One change of a record's history as a row under [`HISTORY_COLUMNS`].
pub fn history_row(lang: Lang, e: &HistoryEntry) -> Vec<String> {
    let when = local_time(Some(e.time_ms));
    let action = tr!(
        lang,
        if e.created {
            "history.created"
        } else if e.deleted {
            "history.deleted"
        } else {
            "history.edited"
        }
    );
    vec![
        when,
        e.person.clone(),
        crate::identity::short(&e.device),
        action,
        e.fields
            .iter()
            .map(|f| i18n::field(lang, f))
            .collect::<Vec<_>>()
            .join(lang.sep()),
    ]
}

/// The whole workspace as one JSON document: deterministic (records sorted
/// by id), so two exports of the same data are byte-identical.
/// A report in the export: who saw it first, as a day, instead of the
/// devices that saw it (device ids are not part of the programme's data).
fn report_json(mut v: serde_json::Value, w: &Workflow) -> serde_json::Value {
    if let Some(obj) = v.get_mut("workflow").and_then(|x| x.as_object_mut()) {
        obj.remove("seen");
        obj.insert("first_seen".into(), json!(w.first_seen()));
    }
    v
}

pub fn export_json(m: &Model, workspace_id: &str) -> serde_json::Value {
    let all = |f: fn(&DistrictData) -> Vec<serde_json::Value>| -> Vec<serde_json::Value> {
        m.data.values().flat_map(f).collect()
    };
    let mut kgs = all(|d| d.kindergartens.values().map(|x| json!(x)).collect());
    let mut pairings = all(|d| d.pairings.values().map(|x| json!(x)).collect());
    let mut visits = all(|d| d.visits.values().map(|x| json!(x)).collect());
    let mut inspections = all(|d| d.inspections.values().map(|x| json!(x)).collect());
    let mut reports = all(|d| {
        d.monthly_reports
            .values()
            .map(|x| report_json(json!(x), &x.workflow))
            .collect()
    });
    let mut summaries = all(|d| {
        d.annual_summaries
            .values()
            .map(|x| report_json(json!(x), &x.workflow))
            .collect()
    });
    summaries.extend(
        m.city_summaries
            .values()
            .map(|x| report_json(json!(x), &x.workflow)),
    );
    for list in [
        &mut kgs,
        &mut pairings,
        &mut visits,
        &mut inspections,
        &mut reports,
        &mut summaries,
    ] {
        list.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    }
    json!({
        "format": "bangfu-export",
        "version": 1,
        "workspace_id": workspace_id,
        "programme": m.programme,
        "districts": m.districts_in_order(),
        "years": m.years.values().collect::<Vec<_>>(),
        "targets": m.targets.values().collect::<Vec<_>>(),
        "kindergartens": kgs,
        "pairings": pairings,
        "visits": visits,
        "inspections": inspections,
        "monthly_reports": reports,
        "annual_summaries": summaries,
    })
}

/// What arrived, in words ("received: 12 visits, 1 agreement filed"),
/// from the tallies before and after, and how many conflicts are left to
/// settle.
pub fn arrivals(lang: Lang, before: &Tally, after: &Tally, conflicts: usize) -> String {
    let parts: Vec<String> = after
        .growth(before)
        .into_iter()
        .map(|(what, n)| {
            i18n::text(lang, &format!("sync.new.{what}")).replace("%{count}", &n.to_string())
        })
        .collect();
    let mut said = if parts.is_empty() {
        tr!(lang, "sync.nothing_new")
    } else {
        tr!(lang, "sync.arrived", what = parts.join(lang.sep()))
    };
    if conflicts > 0 {
        said.push_str(lang.sep());
        said.push_str(&tr!(lang, "conflict.after_sync", count = conflicts));
    }
    said
}

/// A plain table: a header, a line of dashes, aligned columns. Only ASCII
/// in the frame, since box-drawing characters take two columns in many
/// Chinese terminals.
fn table_style() -> TableStyle {
    NOTHING.header_separator(comfy_table::LineStyle::none().fill('-').junction(' '))
}

pub fn table_text(t: &Table) -> String {
    let mut g = Grid::new();
    g.load_style(table_style())
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(t.headers.clone());
    for r in &t.rows {
        g.add_row(r.clone());
    }
    g.lines()
        .map(|l| l.trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::clip;
    use unicode_width::UnicodeWidthStr;

    /// A Chinese character takes two columns: a cut counts columns, never
    /// splits a character, says it cut, and keeps to one line.
    #[test]
    fn a_cut_counts_columns_not_characters_and_says_so() {
        let zh = "盘山县东风镇中心幼儿园送教下乡";
        let cut = clip(zh, 11);
        assert_eq!(cut, "盘山县东..");
        assert!(cut.width() <= 11);
        assert_eq!(clip(zh, 30), zh, "what fits is left whole");
        assert_eq!(clip("第一行\r\n第二行", 40), "第一行  第二行");
        assert_eq!(clip("abcdef", 4), "ab..");
        assert_eq!(clip("盘山县", 1), ".");
        for w in 0..32 {
            assert!(clip(zh, w).width() <= w, "{w}");
        }
    }
}

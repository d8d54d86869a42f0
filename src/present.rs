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

/// Shortens free text for a table cell, by characters.
pub fn clip(s: &str, n: usize) -> String {
    let one_line = s.replace(['\n', '\r'], " ");
    if one_line.chars().count() <= n {
        one_line
    } else {
        let mut t: String = one_line.chars().take(n).collect();
        t.push_str("...");
        t
    }
}

pub fn names(model: &Model, ids: &[Id], lang: Lang) -> String {
    let sep = lang.sep();
    ids.iter()
        .map(|id| model.kindergarten_name(id))
        .collect::<Vec<_>>()
        .join(sep)
}

fn stamp_json(s: &Option<Stamp>) -> Value {
    match s {
        Some(s) => json!({"by": s.by, "on": s.on.to_string()}),
        None => Value::Null,
    }
}

fn stamp_text(lang: Lang, s: &Option<Stamp>) -> String {
    match s {
        Some(s) => format!("{} {}", s.by, s.on),
        None => tr!(lang, "common.none"),
    }
}

// ---------- kindergartens ----------

fn kindergarten_json(model: &Model, k: &Kindergarten) -> Value {
    json!({
        "id": k.id,
        "name": k.name,
        "district": model.district_name(&k.district_id),
        "district_id": k.district_id,
        "town": k.town,
        "village": k.village,
        "ownership": k.ownership,
        "category": k.category,
        "stars": k.stars,
        "rural": k.rural,
        "children": k.children,
        "teachers": k.teachers,
        "contact": k.contact,
        "phone": k.phone,
    })
}

fn kindergarten_fields(lang: Lang, model: &Model, k: &Kindergarten) -> Vec<(String, String)> {
    let f = |n: &str| i18n::field(lang, n);
    vec![
        (f("id"), k.id.to_string()),
        (f("name"), k.name.clone()),
        (f("district"), model.district_name(&k.district_id)),
        (f("town"), k.town.clone()),
        (f("village"), k.village.clone()),
        (f("ownership"), label(lang, k.ownership)),
        (f("category"), label(lang, k.category)),
        (
            f("stars"),
            k.stars.map(|s| s.to_string()).unwrap_or_default(),
        ),
        (f("rural"), yes_no(lang, k.rural)),
        (f("children"), k.children.to_string()),
        (f("teachers"), k.teachers.to_string()),
        (f("contact"), k.contact.clone()),
        (f("phone"), k.phone.clone()),
    ]
}

// ---------- pairings ----------

fn pairing_json(model: &Model, p: &Pairing) -> Value {
    let a = &p.agreement;
    let confirmations: Vec<Value> = a
        .confirmations
        .iter()
        .map(|c| {
            json!({
                "district": model.district_name(&c.district_id),
                "district_id": c.district_id,
                "by": c.by,
                "on": c.on.to_string(),
            })
        })
        .collect();
    json!({
        "id": p.id,
        "district": model.district_name(&p.district_id),
        "district_id": p.district_id,
        "helpers": p.helpers,
        "helper_names": p.helpers.iter().map(|h| model.kindergarten_name(h)).collect::<Vec<_>>(),
        "helped": p.helped,
        "helped_names": p.helped.iter().map(|h| model.kindergarten_name(h)).collect::<Vec<_>>(),
        "cohort": p.cohort,
        "mode": p.mode,
        "status": a.status,
        "start": a.start.to_string(),
        "end": a.end.to_string(),
        "forms": a.forms,
        "tasks": a.tasks,
        "goals": a.goals,
        "rights": a.rights,
        "schedule": a.schedule,
        "fees": a.fees,
        "signed": stamp_json(&a.signed),
        "confirmations": confirmations,
        "filed": stamp_json(&a.filed),
    })
}

fn pairing_fields(lang: Lang, model: &Model, p: &Pairing) -> Vec<(String, String)> {
    let f = |n: &str| i18n::field(lang, n);
    let a = &p.agreement;
    let confirmations = if a.confirmations.is_empty() {
        tr!(lang, "common.none")
    } else {
        a.confirmations
            .iter()
            .map(|c| format!("{} {} {}", model.district_name(&c.district_id), c.by, c.on))
            .collect::<Vec<_>>()
            .join("\n")
    };
    vec![
        (f("id"), p.id.to_string()),
        (f("district"), model.district_name(&p.district_id)),
        (f("cohort"), p.cohort.to_string()),
        (f("mode"), label(lang, p.mode)),
        (f("helpers"), names(model, &p.helpers, lang)),
        (f("helped"), names(model, &p.helped, lang)),
        (f("status"), label(lang, a.status)),
        (f("start"), a.start.to_string()),
        (f("end"), a.end.to_string()),
        (f("forms"), labels(lang, &a.forms)),
        (f("tasks"), labels(lang, &a.tasks)),
        (f("goals"), a.goals.clone()),
        (f("rights"), a.rights.clone()),
        (f("schedule"), a.schedule.clone()),
        (f("fees"), a.fees.to_string()),
        (f("signed"), stamp_text(lang, &a.signed)),
        (f("confirmations"), confirmations),
        (f("filed"), stamp_text(lang, &a.filed)),
    ]
}

// ---------- visits ----------

fn participant_text(lang: Lang, p: &Participant) -> String {
    let role = i18n::parse_code::<Role>(&p.role)
        .map(|r| label(lang, r))
        .unwrap_or_else(|| p.role.clone());
    format!("{}:{}", p.name, role)
}

fn visit_json(model: &Model, v: &Visit) -> Value {
    json!({
        "id": v.id,
        "pairing_id": v.pairing_id,
        "district": model.district_name(&v.district_id),
        "date": v.date.to_string(),
        "form": v.form,
        "tasks": v.tasks,
        "place_id": v.place_id,
        "place": v.place_id.as_ref().map(|p| model.kindergarten_name(p)),
        "participants": v.participants,
        "teachers_reached": v.teachers_reached,
        "children_reached": v.children_reached,
        "materials": v.materials,
        "note": v.note,
        "follow_up": v.follow_up,
        "confirmed": stamp_json(&v.confirmed),
    })
}

fn visit_fields(lang: Lang, model: &Model, v: &Visit) -> Vec<(String, String)> {
    let f = |n: &str| i18n::field(lang, n);
    let pairing = model
        .pairing(&v.pairing_id)
        .map(|p| {
            format!(
                "{} ({} -> {})",
                p.id.short(),
                names(model, &p.helpers, lang),
                names(model, &p.helped, lang)
            )
        })
        .unwrap_or_else(|| v.pairing_id.to_string());
    vec![
        (f("id"), v.id.to_string()),
        (f("pairing"), pairing),
        (f("district"), model.district_name(&v.district_id)),
        (f("date"), v.date.to_string()),
        (f("form"), label(lang, v.form)),
        (f("tasks"), labels(lang, &v.tasks)),
        (
            f("place"),
            v.place_id
                .as_ref()
                .map(|p| model.kindergarten_name(p))
                .unwrap_or_default(),
        ),
        (
            f("participants"),
            v.participants
                .iter()
                .map(|p| participant_text(lang, p))
                .collect::<Vec<_>>()
                .join(lang.sep()),
        ),
        (f("teachers_reached"), v.teachers_reached.to_string()),
        (f("children_reached"), v.children_reached.to_string()),
        (f("toys"), v.materials.toys.to_string()),
        (f("play_materials"), v.materials.play_materials.to_string()),
        (f("picture_books"), v.materials.picture_books.to_string()),
        (f("note"), v.note.clone()),
        (f("follow_up"), v.follow_up.clone()),
        (f("confirmed"), stamp_text(lang, &v.confirmed)),
    ]
}

// ---------- inspections ----------

/// Who was inspected: the kindergarten, or the helped side of the
/// pairing.
fn target_name(model: &Model, lang: Lang, i: &Inspection) -> String {
    match (&i.kindergarten_id, &i.pairing_id) {
        (Some(k), _) => model.kindergarten_name(k),
        (None, Some(p)) => model
            .pairing(p)
            .map(|p| names(model, &p.helped, lang))
            .unwrap_or_else(|| p.short().to_string()),
        (None, None) => String::new(),
    }
}

/// An inspection's average score, as every list and report shows it.
pub fn average(s: &Scores) -> String {
    format!("{:.2}", s.mean())
}

fn inspection_json(model: &Model, i: &Inspection) -> Value {
    json!({
        "id": i.id,
        "district": model.district_name(&i.district_id),
        "pairing_id": i.pairing_id,
        "kindergarten_id": i.kindergarten_id,
        "kindergarten": i.kindergarten_id.as_ref().map(|k| model.kindergarten_name(k)),
        "date": i.date.to_string(),
        "inspector": i.inspector,
        "scores": i.scores,
        "average": i.scores.mean(),
        "findings": i.findings,
        "guidance": i.guidance,
        "follow_up_due": i.follow_up_due.map(|d| d.to_string()),
    })
}

fn inspection_fields(lang: Lang, model: &Model, i: &Inspection) -> Vec<(String, String)> {
    let f = |n: &str| i18n::field(lang, n);
    let mut out = vec![
        (f("id"), i.id.to_string()),
        (f("district"), model.district_name(&i.district_id)),
        (
            f("pairing"),
            i.pairing_id
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default(),
        ),
        (
            f("kindergarten"),
            i.kindergarten_id
                .as_ref()
                .map(|k| model.kindergarten_name(k))
                .unwrap_or_default(),
        ),
        (f("date"), i.date.to_string()),
        (f("inspector"), i.inspector.clone()),
    ];
    for area in Area::ALL {
        out.push((label(lang, *area), i.scores.get(*area).to_string()));
    }
    out.extend([
        (f("average"), average(&i.scores)),
        (f("findings"), i.findings.clone()),
        (f("guidance"), i.guidance.clone()),
        (
            f("follow_up_due"),
            i.follow_up_due.map(|d| d.to_string()).unwrap_or_default(),
        ),
    ]);
    out
}

use Width::{Chars, Share};

impl View for Kindergarten {
    const COLUMNS: &'static [Column<Self>] = &[
        Column::new("id", |k, _, _| k.id.short().to_string(), None),
        Column::new("name", |k, _, _| k.name.clone(), Some(Share(3))),
        Column::new(
            "district",
            |k, _, m| m.district_name(&k.district_id),
            Some(Chars(9)),
        ),
        Column::new("town", |k, _, _| k.town.clone(), Some(Chars(9))),
        Column::new("village", |k, _, _| k.village.clone(), None),
        Column::new("ownership", |k, l, _| label(l, k.ownership), None),
        Column::new("category", |k, l, _| label(l, k.category), Some(Chars(11))),
        Column::new(
            "stars",
            |k, _, _| k.stars.map(|s| s.to_string()).unwrap_or_default(),
            Some(Chars(5)),
        ),
        Column::new("rural", |k, l, _| yes_no(l, k.rural), None),
        Column::new("children", |k, _, _| k.children.to_string(), Some(Chars(7))),
        Column::new("teachers", |k, _, _| k.teachers.to_string(), None),
    ];

    fn json(&self, model: &Model) -> Value {
        kindergarten_json(model, self)
    }

    fn fields(&self, lang: Lang, model: &Model) -> Vec<(String, String)> {
        kindergarten_fields(lang, model, self)
    }
}

impl View for Pairing {
    const COLUMNS: &'static [Column<Self>] = &[
        Column::new("id", |p, _, _| p.id.short().to_string(), None),
        Column::new("cohort", |p, _, _| p.cohort.to_string(), Some(Chars(5))),
        Column::new(
            "district",
            |p, _, m| m.district_name(&p.district_id),
            Some(Chars(9)),
        ),
        Column::new("mode", |p, l, _| label(l, p.mode), Some(Chars(11))),
        Column::new("helpers", |p, l, m| names(m, &p.helpers, l), Some(Share(1))),
        Column::new("helped", |p, l, m| names(m, &p.helped, l), Some(Share(1))),
        Column::new(
            "status",
            |p, l, _| label(l, p.agreement.status),
            Some(Chars(7)),
        ),
        Column::new("start", |p, _, _| p.agreement.start.to_string(), None),
        Column::new("end", |p, _, _| p.agreement.end.to_string(), None),
    ];

    fn json(&self, model: &Model) -> Value {
        pairing_json(model, self)
    }

    fn fields(&self, lang: Lang, model: &Model) -> Vec<(String, String)> {
        pairing_fields(lang, model, self)
    }
}

impl View for Visit {
    const COLUMNS: &'static [Column<Self>] = &[
        Column::new("id", |v, _, _| v.id.short().to_string(), None),
        Column::new("date", |v, _, _| v.date.to_string(), Some(Chars(10))),
        Column::new("district", |v, _, m| m.district_name(&v.district_id), None),
        Column::new("pairing", |v, _, _| v.pairing_id.short().to_string(), None),
        Column::new("form", |v, l, _| label(l, v.form), Some(Chars(13))),
        Column::new(
            "place",
            |v, _, m| {
                v.place_id
                    .as_ref()
                    .map(|p| m.kindergarten_name(p))
                    .unwrap_or_default()
            },
            Some(Share(1)),
        ),
        Column::new(
            "teachers_reached",
            |v, _, _| v.teachers_reached.to_string(),
            Some(Chars(5)),
        ),
        Column::new(
            "children_reached",
            |v, _, _| v.children_reached.to_string(),
            None,
        ),
        Column::new(
            "confirmed",
            |v, l, _| yes_no(l, v.confirmed.is_some()),
            Some(Chars(5)),
        ),
        Column::new("note", |v, _, _| clip(&v.note, 40), Some(Share(2))),
    ];

    fn json(&self, model: &Model) -> Value {
        visit_json(model, self)
    }

    fn fields(&self, lang: Lang, model: &Model) -> Vec<(String, String)> {
        visit_fields(lang, model, self)
    }
}

impl View for Inspection {
    const COLUMNS: &'static [Column<Self>] = &[
        Column::new("id", |i, _, _| i.id.short().to_string(), None),
        Column::new("date", |i, _, _| i.date.to_string(), Some(Chars(10))),
        Column::new("district", |i, _, m| m.district_name(&i.district_id), None),
        Column::new("target", |i, l, m| target_name(m, l, i), Some(Share(1))),
        Column::new("inspector", |i, _, _| i.inspector.clone(), Some(Chars(12))),
        Column::new(
            "scores",
            |i, _, _| {
                let s = &i.scores;
                format!(
                    "{}/{}/{}/{}",
                    s.philosophy, s.care_education, s.environment, s.management
                )
            },
            Some(Chars(8)),
        ),
        Column::new("average", |i, _, _| average(&i.scores), Some(Chars(5))),
        Column::new(
            "follow_up_due",
            |i, _, _| i.follow_up_due.map(|d| d.to_string()).unwrap_or_default(),
            None,
        ),
    ];

    fn json(&self, model: &Model) -> Value {
        inspection_json(model, self)
    }

    fn fields(&self, lang: Lang, model: &Model) -> Vec<(String, String)> {
        inspection_fields(lang, model, self)
    }
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
pub fn history_row(lang: Lang, e: &crate::store::HistoryEntry) -> Vec<String> {
    let when = local_time(Some(e.time_ms));
    let action = tr!(
        lang,
        if e.created {
            "history.created"
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

pub fn export_json(ws: &crate::store::Workspace) -> serde_json::Value {
    let m = ws.model();
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
        "workspace_id": ws.workspace_id(),
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
/// from the tallies before and after.
pub fn arrivals(lang: Lang, before: &Tally, after: &Tally) -> String {
    let parts: Vec<String> = after
        .growth(before)
        .into_iter()
        .map(|(what, n)| {
            i18n::text(lang, &format!("sync.new.{what}")).replace("%{count}", &n.to_string())
        })
        .collect();
    if parts.is_empty() {
        tr!(lang, "sync.nothing_new")
    } else {
        tr!(lang, "sync.arrived", what = parts.join(lang.sep()))
    }
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

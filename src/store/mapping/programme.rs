//! The programme document's entries as maps: the programme, districts,
//! year plans and targets, members and used invites.

use super::*;

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
    let directory = map_of(
        d.directory
            .iter()
            .map(|(id, name)| (id.as_str(), str_v(name)))
            .collect(),
    );
    map_of(vec![
        ("name", str_v(&d.name)),
        ("position", int_v(d.position)),
        ("towns", Value::Map(towns)),
        ("directory", Value::Map(directory)),
    ])
}

pub(crate) fn district_from(id: Id, m: &Map) -> Result<District, FieldError> {
    let f = Fields(m);
    let mut towns: Vec<String> = f
        .map("towns")?
        .map(|t| t.0.keys().cloned().collect())
        .unwrap_or_default();
    towns.sort();
    // An entry that does not read is left out: the name falls back to
    // the short id, as for a kindergarten never listed.
    let directory = f
        .map("directory")?
        .map(|names| {
            names
                .0
                .iter()
                .filter_map(|(k, v)| match &v.value {
                    Value::Scalar(ScalarValue::Str(name)) => {
                        Some((Id::parse(k)?, name.to_string()))
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(District {
        id,
        name: f.string("name")?,
        position: f.int("position")?,
        towns,
        directory,
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

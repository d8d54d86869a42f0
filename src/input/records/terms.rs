//! The fields of a pairing's agreement: its terms, and how they are read into a draft.

use super::*;
pub const START: FieldSpec = spec(
    "start",
    "start",
    Kind::Date,
    D::Today,
    "First day (YYYY-MM-DD)",
);
pub const END: FieldSpec = spec(
    "end",
    "end",
    Kind::Date,
    D::Required,
    "Last day (YYYY-MM-DD); at least two years after the start",
);
pub const FORMS: FieldSpec = spec(
    "forms",
    "form",
    Kind::Many(Pick::SupportForm),
    D::Nothing,
    "Form of support; repeat or separate with commas",
);
pub const TASKS: FieldSpec = spec(
    "tasks",
    "task",
    Kind::Many(Pick::Task),
    D::Nothing,
    "Support task; repeat or separate with commas",
);
pub const FEES: FieldSpec = spec(
    "fees",
    "fees",
    Kind::Count,
    D::Zero,
    "Fees charged, in yuan (must be 0)",
);
pub const GOALS: FieldSpec = spec("goals", "goals", Kind::Note, D::Nothing, "Goals (帮扶目标)");
pub const RIGHTS: FieldSpec = spec(
    "rights",
    "rights",
    Kind::Note,
    D::Nothing,
    "Rights and obligations (权利义务)",
);
pub const SCHEDULE: FieldSpec = spec(
    "schedule",
    "schedule",
    Kind::Note,
    D::Nothing,
    "Schedule (时间安排)",
);

pub const FIELDS: &[FieldSpec] = &[START, END, FORMS, TASKS, FEES, GOALS, RIGHTS, SCHEDULE];

/// Reads the terms with `r` (problems go to it).
pub(in crate::input) fn read_with(r: &mut Reader<'_>) -> Option<TermsDraft> {
    let start = r.date(&START);
    let end = r.date(&END);
    let fees = r.count(&FEES);
    let forms = r.codes::<SupportForm>(&FORMS);
    let tasks = r.codes::<Task>(&TASKS);
    let (start, end, fees) = (start?, end?, fees?);
    Some(TermsDraft {
        start,
        end,
        forms,
        tasks,
        goals: r.text(&GOALS),
        rights: r.text(&RIGHTS),
        schedule: r.text(&SCHEDULE),
        fees,
    })
}

pub fn read(raw: &Raw, cx: Context<'_>) -> Result<TermsDraft, Vec<Bad>> {
    let mut r = Reader::new(raw, cx);
    let draft = read_with(&mut r);
    r.finish(draft)
}

pub fn raw_of(a: &Agreement) -> Raw {
    let mut raw = Raw::new();
    raw.put(START.key, a.start.to_string());
    raw.put(END.key, a.end.to_string());
    raw.put_all(
        FORMS.key,
        a.forms.iter().map(|c| c.code().to_string()).collect(),
    );
    raw.put_all(
        TASKS.key,
        a.tasks.iter().map(|c| c.code().to_string()).collect(),
    );
    raw.put(FEES.key, a.fees.to_string());
    raw.put(GOALS.key, &a.goals);
    raw.put(RIGHTS.key, &a.rights);
    raw.put(SCHEDULE.key, &a.schedule);
    raw
}

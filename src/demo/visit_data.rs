//! The demo's visits and inspections, month by month.

use super::*;

pub(super) fn note(g: &mut Gen, helper: &str, helped: &str, form: SupportForm) -> String {
    let role = g.pick(&["教研员", "领航园长", "骨干教师", "园长"]);
    let name = g.person();
    let topic = g.pick(TOPICS);
    let activity = g.pick(ACTIVITIES);
    let obs = g.pick(OBSERVATIONS);
    let next = g.pick(NEXT_STEPS);
    let how = match form {
        SupportForm::SendTeachers => "送教下乡",
        SupportForm::MasterStudio => "名师工作室研修",
        SupportForm::OnSiteGuidance => "入园指导",
        SupportForm::Shadowing => "跟岗研修",
        SupportForm::Online => "线上教研",
    };
    format!(
        "{helper}{role}{name}与{helped}教师开展{how}活动，围绕“{topic}”进行了{activity}。{obs}。双方商定{next}。"
    )
}

pub(super) fn weighted_form(g: &mut Gen) -> SupportForm {
    match g.between(0, 99) {
        0..=29 => SupportForm::SendTeachers,
        30..=59 => SupportForm::OnSiteGuidance,
        60..=79 => SupportForm::Online,
        80..=91 => SupportForm::Shadowing,
        _ => SupportForm::MasterStudio,
    }
}

/// Visits and inspections for every pairing, from its start until today.
pub(super) fn visits_and_inspections(
    w: &mut Writer<'_>,
    g: &mut Gen,
    scale: Scale,
    pairings: &[Id],
    today: NaiveDate,
) -> Result<(usize, usize), EditError> {
    let (lo, hi) = scale.visits_per_month();
    let (mut visits, mut inspections) = (0, 0);
    for pid in pairings {
        let Some(p) = w.model().pairing(pid).cloned() else {
            continue;
        };
        let helper = w.model().kindergarten_name(&p.helpers[0]);
        let helped = w.model().kindergarten_name(&p.helped[0]);
        let last = p.agreement.end.min(today);
        let mut month =
            NaiveDate::from_ymd_opt(p.agreement.start.year(), p.agreement.start.month(), 1)
                .unwrap_or(p.agreement.start);
        let mut months = 0;
        while month <= last {
            months += 1;
            let n = if scale == Scale::Small {
                u32::from(months <= 3)
            } else {
                g.rng.random_range(lo..=hi)
            };
            let days_in_month = month
                .checked_add_months(chrono::Months::new(1))
                .map_or(28, |next| (next - month).num_days());
            for _ in 0..n {
                let day = month + Days::new(g.between(0, days_in_month - 1) as u64);
                if day < p.agreement.start || day > last {
                    continue;
                }
                visit(w, g, &p, day, today, (&helper, &helped))?;
                visits += 1;
            }
            // An inspection each term: in December and in June.
            if matches!(month.month(), 6 | 12) && scale != Scale::Small
                || (scale == Scale::Small && months == 3)
            {
                let day = (month + Days::new(g.between(5, 20) as u64)).min(last);
                if day >= p.agreement.start {
                    inspection(w, g, &p, day)?;
                    inspections += 1;
                }
            }
            month = month
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(NaiveDate::MAX);
        }
    }
    Ok((visits, inspections))
}

/// One visit of pairing `p` on `day`, drawn; `names` are its helper's and
/// its helped kindergarten's names, for the note.
fn visit(
    w: &mut Writer<'_>,
    g: &mut Gen,
    p: &Pairing,
    day: NaiveDate,
    today: NaiveDate,
    names: (&str, &str),
) -> Result<(), EditError> {
    let (helper, helped) = names;
    let form = weighted_form(g);
    let tasks: Vec<Task> = p.agreement.tasks.sample(&mut g.rng, 2).copied().collect();
    let place = if form == SupportForm::Shadowing {
        &p.helpers[0]
    } else {
        &p.helped[0]
    };
    let gift = tasks.contains(&Task::Conditions) && g.rng.random_bool(0.4);
    let participants = (0..g.between(1, 3))
        .map(|_| Participant {
            name: g.person(),
            role: Role::ALL
                .choose(&mut g.rng)
                .map(|r| r.code())
                .unwrap_or("teacher")
                .to_string(),
        })
        .collect();
    let children = if matches!(form, SupportForm::Online | SupportForm::Shadowing) {
        0
    } else {
        g.between(15, 120)
    };
    let confirmed = (g.rng.random_bool(0.8)).then(|| Stamp {
        by: format!("{}园长", g.person()),
        on: (day + Days::new(g.between(0, 6) as u64)).min(today),
    });
    let v = Visit {
        id: w.new_id(),
        pairing_id: p.id.clone(),
        district_id: p.district_id.clone(),
        date: day,
        form,
        tasks,
        place_id: Some(place.clone()),
        participants,
        teachers_reached: g.between(2, 15),
        children_reached: children,
        materials: Materials {
            toys: if gift { g.between(5, 40) } else { 0 },
            play_materials: if gift { g.between(5, 60) } else { 0 },
            picture_books: if gift { g.between(20, 150) } else { 0 },
        },
        note: note(g, helper, helped, form),
        follow_up: if g.rng.random_bool(0.3) {
            g.pick(NEXT_STEPS).to_string()
        } else {
            String::new()
        },
        confirmed,
    };
    w.set_time(Some(millis(day, 17)));
    w.put_visit(v)?;
    Ok(())
}

/// One inspection of pairing `p`'s helped kindergarten on `day`, drawn.
fn inspection(
    w: &mut Writer<'_>,
    g: &mut Gen,
    p: &Pairing,
    day: NaiveDate,
) -> Result<(), EditError> {
    let scores = Scores {
        philosophy: g.between(2, 5),
        care_education: g.between(2, 5),
        environment: g.between(2, 5),
        management: g.between(2, 5),
    };
    let i = Inspection {
        id: w.new_id(),
        district_id: p.district_id.clone(),
        pairing_id: Some(p.id.clone()),
        kindergarten_id: Some(p.helped[0].clone()),
        date: day,
        inspector: format!("{}（督导）", g.person()),
        scores,
        findings: g.pick(FINDINGS).to_string(),
        guidance: g.pick(GUIDANCE).to_string(),
        follow_up_due: day.checked_add_days(Days::new(30)),
    };
    w.set_time(Some(millis(day, 11)));
    w.put_inspection(i)?;
    Ok(())
}

//! The demo's monthly reports and annual summaries, written, sent up
//! and reviewed on the programme's calendar.

use super::*;

/// A short paragraph from a list, two or three sentences.
pub(super) fn sentences(g: &mut Gen, pool: &[&str]) -> String {
    let n = g.between(2, 3) as usize;
    pool.sample(&mut g.rng, n.min(pool.len()))
        .copied()
        .collect::<Vec<_>>()
        .join("")
}

pub(super) fn figure_sentence(f: &figures::Figures) -> String {
    let by = |form: SupportForm| {
        f.by_form
            .iter()
            .find(|(x, _)| *x == form)
            .map_or(0, |(_, n)| *n)
    };
    format!(
        "统计期间在帮扶期内的结对{}个，开展帮扶活动{}次，其中送教下乡{}次、入园指导{}次、跟岗研修{}次、网络在线学习{}次，受益教师{}人次、幼儿{}人次。",
        f.pairings_active,
        f.visits,
        by(SupportForm::SendTeachers),
        by(SupportForm::OnSiteGuidance),
        by(SupportForm::Shadowing),
        by(SupportForm::Online),
        f.teachers_reached,
        f.children_reached
    )
}

/// Submits a report on `day` as `me`, and has the level above accept it a
/// few days later (or, now and then, return it first).
pub(super) fn send_up(
    w: &mut Writer<'_>,
    g: &mut Gen,
    key: &reports::ReportKey,
    day: NaiveDate,
    today: NaiveDate,
) -> Result<(), EditError> {
    let by = format!("{}科长", g.person());
    w.set_today(day);
    w.set_time(Some(millis(day, 16)));
    w.submit_report(key, &by)?;
    let mut review_day = day + Days::new(g.between(1, 5) as u64);
    if review_day <= today && g.rng.random_bool(0.08) {
        w.set_today(review_day);
        w.set_time(Some(millis(review_day, 10)));
        w.review_report(key, false, "市教育局", "请补充典型事例的具体做法和成效。")?;
        let again = review_day + Days::new(2);
        if again > today {
            return Ok(());
        }
        w.set_today(again);
        w.set_time(Some(millis(again, 15)));
        w.submit_report(key, &by)?;
        review_day = again + Days::new(1);
    }
    if review_day <= today {
        w.set_today(review_day);
        w.set_time(Some(millis(review_day, 11)));
        w.review_report(key, true, "市教育局", "")?;
    }
    Ok(())
}

/// Monthly reports of every district up to today — mostly on time, some
/// late, a few missing — and the annual summaries of past Decembers.
pub(super) fn reports(w: &mut Writer<'_>, g: &mut Gen, today: NaiveDate) -> Result<(), EditError> {
    // The demo device is the programme's city admin; it stands in for
    // every bureau.
    if w.me().is_none() {
        return Ok(());
    }
    monthly_reports(w, g, today)?;
    annual_summaries(w, g, today)
}

/// Each district's monthly reports, most on time, a few late, a few never
/// sent.
fn monthly_reports(w: &mut Writer<'_>, g: &mut Gen, today: NaiveDate) -> Result<(), EditError> {
    let districts: Vec<Id> = w
        .model()
        .districts_in_order()
        .iter()
        .map(|d| d.id.clone())
        .collect();
    for month in reports::report_months(&w.model().programme) {
        let Some(period) = reports::monthly_period(&w.model().programme, month) else {
            continue;
        };
        if period.to >= today {
            break;
        }
        for d in &districts {
            let roll = g.between(1, 100);
            if roll <= 4 {
                continue; // never sent
            }
            let day = if roll <= 16 {
                period.due + Days::new(g.between(1, 6) as u64)
            } else {
                period.due - Days::new(g.between(0, 4) as u64)
            };
            if day > today {
                continue;
            }
            let key = reports::ReportKey::Monthly {
                district: d.clone(),
                month,
            };
            let f = figures::compile(
                w.model(),
                &figures::Scope::District(d.clone()),
                period.from,
                period.to,
            );
            let cases = w
                .model()
                .data
                .get(d)
                .and_then(|data| data.pairings.values().next())
                .map(|p| {
                    format!(
                        "{}与{}结对，本月围绕{}开展活动，被帮扶园教师的组织能力明显提高。",
                        w.model().kindergarten_name(&p.helpers[0]),
                        w.model().kindergarten_name(&p.helped[0]),
                        p.agreement
                            .tasks
                            .first()
                            .map(|t| crate::i18n::label(crate::i18n::Lang::Zh, *t))
                            .unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            let texts = vec![
                (Section::Progress, figure_sentence(&f)),
                (Section::Problems, sentences(g, MONTH_PROBLEMS)),
                (Section::Practices, sentences(g, MONTH_PRACTICES)),
                (Section::Cases, cases),
            ];
            w.set_today(day);
            w.set_time(Some(millis(day, 9)));
            w.set_report_text(&key, &texts)?;
            send_up(w, g, &key, day, today)?;
        }
    }
    Ok(())
}

/// Every level's annual summaries, written and sent up.
fn annual_summaries(w: &mut Writer<'_>, g: &mut Gen, today: NaiveDate) -> Result<(), EditError> {
    let p = w.model().programme.clone();
    for year in p.start_year..=p.end_year {
        for level in Level::ALL {
            let Some(due) = p.summary_due.of(*level).in_year(year) else {
                continue;
            };
            if due >= today {
                continue;
            }
            for subject in reports::summary_subjects(w.model(), year, *level) {
                let key = reports::ReportKey::Annual {
                    level: *level,
                    subject,
                    year,
                };
                let day = if g.rng.random_bool(0.1) {
                    due + Days::new(g.between(1, 3) as u64)
                } else {
                    due - Days::new(g.between(0, 6) as u64)
                };
                w.set_today(day);
                w.set_time(Some(millis(day, 9)));
                let f = reports::annual_stats(w.model(), &key, day)
                    .map(|s| figure_sentence(&s.figures))
                    .unwrap_or_default();
                let texts = vec![
                    (Section::Progress, format!("{year}年，{f}")),
                    (Section::Results, sentences(g, YEAR_RESULTS)),
                    (Section::Problems, sentences(g, MONTH_PROBLEMS)),
                    (Section::Plan, sentences(g, YEAR_PLANS)),
                ];
                w.set_report_text(&key, &texts)?;
                w.refresh_stats(&key)?;
                if *level == Level::City {
                    w.set_time(Some(millis(day, 16)));
                    w.submit_report(&key, "市教育局")?;
                } else {
                    send_up(w, g, &key, day, today)?;
                }
            }
        }
    }
    Ok(())
}

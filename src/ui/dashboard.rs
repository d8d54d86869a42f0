//! 总览: the year's targets against actual pairings per district, the
//! participation share, the plan mismatch, visits by month and by form, and
//! the deadlines coming or missed.

use super::theme::*;
use crate::app::View;
use crate::app::screens::DashboardFigures as Figures;
use crate::domain::calendar::Deadline;
use crate::domain::plan::YearStatus;
use crate::domain::*;
use crate::i18n::{Lang, label};
use crate::tr;
use chrono::Datelike;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::bar;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph, Row, Table};
use unicode_width::UnicodeWidthStr;

/// Bars of `#`: block characters are ambiguous-width in CJK terminals.
const ASCII_BARS: bar::Set = bar::Set {
    full: "#",
    seven_eighths: "#",
    three_quarters: "#",
    five_eighths: "#",
    half: "=",
    three_eighths: "=",
    one_quarter: "_",
    one_eighth: "_",
    empty: " ",
};

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |p| format!("{p:.1}%"))
}

pub fn draw(frame: &mut Frame<'_>, v: &View<'_>, area: Rect) {
    let (m, l) = (v.model, v.lang);
    // As the data last stood (read again when it changes); else now.
    let now;
    let f = match v.screens.dashboard.figures.as_deref() {
        Some(f) if !v.screens.dashboard.stale => f,
        _ => {
            now = Figures::of(m, v.today, &v.reach);
            &now
        }
    };
    let years = &f.years;
    let Some(s) = years
        .iter()
        .find(|y| y.year == v.screens.dashboard.year)
        .or(years.first())
    else {
        return;
    };
    let mismatches = years.iter().filter(|y| y.mismatch.is_some()).count() as u16;
    let top_h = 5 + s.districts.len() as u16 + mismatches;
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Length(top_h), Constraint::Min(0)])
        .split(area);
    targets(frame, l, years, s, parts[0], &reach_label(v));
    if m.kindergartens().next().is_none() {
        // A new workspace: what to do first, instead of empty charts.
        let guide = Paragraph::new(tr!(l, "guide.empty"))
            .style(WARN_STYLE)
            .wrap(ratatui::widgets::Wrap { trim: true });
        frame.render_widget(guide, parts[1]);
        return;
    }
    let bottom = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Percentage(50), Constraint::Percentage(50)])
        .split(parts[1]);
    let no_visits = [0; 12];
    let months = f.by_month.get(&s.year).unwrap_or(&no_visits);
    chart(frame, l, months, s.year, bottom[0]);
    let today = v.today;
    let forms_h = (SupportForm::ALL.len() as u16 + 1).min(bottom[1].height / 2);
    let right = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Length(forms_h), Constraint::Min(0)])
        .split(bottom[1]);
    this_month(frame, l, &f.this_month, today, right[0]);
    deadlines(frame, l, &f.deadlines, right[1]);
}

/// Whose figures these are: 全市, 本县区（大洼区）, 本园（…）.
fn reach_label(v: &View<'_>) -> String {
    crate::i18n::reach(v.lang, &v.reach, v.model)
}

/// Every year's targets against actual pairings, district by district
/// ("actual/target"), the selected year in bold; then every year whose
/// districts do not add up to the stated total, and the selected year's
/// participation share.
fn targets(
    frame: &mut Frame<'_>,
    l: Lang,
    years: &[YearStatus],
    s: &YearStatus,
    area: Rect,
    reach: &str,
) {
    let stated = s.plan.as_ref().and_then(|p| p.stated_total);
    let share = s.plan.as_ref().and_then(|p| p.target_share_percent);
    let heading = tr!(
        l,
        "plan.heading",
        year = s.year,
        stated = stated.map_or_else(|| "-".to_string(), |n| n.to_string()),
        share = share.map_or_else(|| "-".to_string(), |n| format!("{n}%"))
    );
    // Cut at the right with an ellipsis: the keys first, then the heading.
    let width = usize::from(area.width);
    let reach = crate::present::clip(&format!("{reach}  "), width);
    let heading = crate::present::clip(&heading, width.saturating_sub(reach.width()));
    let keys = format!("  {}", tr!(l, "dashboard.year_keys"));
    let keys = crate::present::clip(&keys, width.saturating_sub(reach.width() + heading.width()));
    let title = Line::from(vec![
        Span::styled(reach, WARN_STYLE),
        Span::styled(heading, TITLE_STYLE),
        Span::styled(keys, DIM_STYLE),
    ]);
    let (header, rows, widths) = target_table(l, years, s);
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Length(rows.len() as u16 + 1),
            Constraint::Min(0),
        ])
        .split(area);
    frame.render_widget(Paragraph::new(title), parts[0]);
    let table = Table::new(rows, widths).header(Row::new(header).style(HEADER_STYLE));
    frame.render_widget(table, parts[1]);
    let notes = target_notes(l, years, s, share);
    frame.render_widget(Paragraph::new(notes), parts[2]);
}

/// The targets table: its header, rows (districts, then the total) and
/// column widths.
fn target_table(
    l: Lang,
    years: &[YearStatus],
    s: &YearStatus,
) -> (Vec<String>, Vec<Row<'static>>, Vec<Constraint>) {
    let short = |k: &str| crate::i18n::text(l, &format!("dashboard.col.{k}"));
    let mut header = vec![short("district")];
    for y in years {
        header.push(format!("{} {}", y.year, short("helpers")));
        header.push(short("helped"));
    }
    header.push(short("rural"));
    let cell = |actual: i64, target: Option<i64>, bold: bool| {
        let style = match target {
            Some(t) if actual < t => WARN_STYLE,
            Some(_) => GOOD_STYLE,
            None => Style::new(),
        };
        let style = if bold {
            style.add_modifier(ratatui::style::Modifier::BOLD)
        } else {
            style
        };
        let t = target.map_or_else(|| "-".to_string(), |n| n.to_string());
        Line::from(Span::styled(format!("{actual}/{t}"), style))
    };
    let mut rows = Vec::new();
    for (i, d) in s.districts.iter().enumerate() {
        let mut cells = vec![Line::from(d.name.clone())];
        for y in years {
            let Some(dy) = y.districts.get(i) else {
                continue;
            };
            let (th, td) = dy
                .target
                .as_ref()
                .map_or((None, None), |t| (Some(t.helpers), Some(t.helped)));
            cells.push(cell(dy.actual_helpers, th, y.year == s.year));
            cells.push(cell(dy.actual_helped, td, y.year == s.year));
        }
        cells.push(Line::from(d.rural.to_string()));
        rows.push(Row::new(cells));
    }
    let mut total = vec![Line::from(tr!(l, "plan.total"))];
    for y in years {
        let sum = |f: &dyn Fn(&plan::DistrictYear) -> i64| y.districts.iter().map(f).sum::<i64>();
        total.push(cell(
            sum(&|d| d.actual_helpers),
            Some(sum(&|d| d.target.as_ref().map_or(0, |t| t.helpers))),
            y.year == s.year,
        ));
        total.push(cell(
            sum(&|d| d.actual_helped),
            Some(sum(&|d| d.target.as_ref().map_or(0, |t| t.helped))),
            y.year == s.year,
        ));
    }
    total.push(Line::from(s.rural_total.to_string()));
    rows.push(Row::new(total).style(TITLE_STYLE));
    let mut widths = vec![Constraint::Length(10)];
    for _ in years {
        widths.push(Constraint::Length(10));
        widths.push(Constraint::Length(6));
    }
    widths.push(Constraint::Length(7));
    (header, rows, widths)
}

/// Under the targets table: the years whose districts do not add up to the
/// stated total, and the selected year's participation shares.
fn target_notes(
    l: Lang,
    years: &[YearStatus],
    s: &YearStatus,
    share: Option<i64>,
) -> Vec<Line<'static>> {
    let mut notes = Vec::new();
    for y in years {
        if let Some((sum, stated)) = y.mismatch {
            notes.push(Line::from(Span::styled(
                tr!(
                    l,
                    "plan.mismatch",
                    year = y.year,
                    sum = sum,
                    stated = stated
                ),
                BAD_STYLE,
            )));
        }
    }
    let reached = s.share_percent.unwrap_or(0.0);
    let share_style = match share {
        Some(t) if reached < t as f64 => WARN_STYLE,
        Some(_) => GOOD_STYLE,
        None => Style::new(),
    };
    notes.push(Line::from(vec![Span::styled(
        tr!(
            l,
            "dashboard.share",
            year = s.year,
            in_pairs = s.in_pairs,
            rural = s.rural_total,
            share = pct(s.share_percent),
            target = share.map_or_else(|| "-".to_string(), |n| format!("{n}%"))
        ),
        share_style,
    )]));
    notes.push(Line::from(tr!(
        l,
        "dashboard.cumulative",
        share = pct(s.cumulative_share_percent),
        target = s
            .cumulative_target_percent
            .map_or_else(|| "-".to_string(), |n| format!("{n}%"))
    )));
    notes
}

/// Visits per month of the year, as ASCII bars.
fn chart(frame: &mut Frame<'_>, l: Lang, counts: &[u64; 12], year: i32, area: Rect) {
    let bars: Vec<Bar> = counts
        .iter()
        .enumerate()
        .map(|(i, n)| {
            // No digits inside the bars: in bars two columns wide they
            // read as garbage (`2#`); the counts of the month are beside.
            Bar::default()
                .value(*n)
                .text_value(String::new())
                .label(Line::from(format!("{}", i + 1)))
        })
        .collect();
    let title = Line::from(Span::styled(
        tr!(l, "dashboard.visits_by_month", year = year),
        TITLE_STYLE,
    ));
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Length(1), Constraint::Min(0)])
        .split(area);
    frame.render_widget(Paragraph::new(title), parts[0]);
    let width = ((parts[1].width.saturating_sub(1)) / 12)
        .saturating_sub(1)
        .clamp(1, 5);
    let chart = BarChart::default()
        .data(BarGroup::default().bars(&bars))
        .bar_set(ASCII_BARS)
        .bar_width(width)
        .bar_gap(1)
        .bar_style(Style::new().fg(ratatui::style::Color::Cyan))
        .value_style(
            Style::new()
                .fg(ratatui::style::Color::Black)
                .bg(ratatui::style::Color::Cyan),
        );
    frame.render_widget(chart, parts[1]);
}

fn this_month(
    frame: &mut Frame<'_>,
    l: Lang,
    forms: &[(SupportForm, usize)],
    today: chrono::NaiveDate,
    area: Rect,
) {
    let title = tr!(
        l,
        "dashboard.this_month",
        year = today.year(),
        month = today.month()
    );
    let width = usize::from(area.width);
    let mut lines = vec![Line::from(Span::styled(
        crate::present::clip(&title, width),
        TITLE_STYLE,
    ))];
    for (f, n) in forms {
        let count = format!("{n:>5}  ");
        // Cut where a label does not fit, marked as cut (English ones are long).
        let room = width.saturating_sub(count.len());
        lines.push(Line::from(vec![
            Span::raw(count),
            Span::raw(crate::present::clip(&label(l, *f), room)),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// One deadline as a line of text: mark, date, what is due.
pub fn deadline_text(l: Lang, d: &Deadline) -> String {
    let key = format!("deadline.{}", d.kind.code());
    let what = rust_i18n::t!(
        key.as_str(),
        locale = l.code(),
        year = d.year,
        month = d.date.month(),
        pending = d.pending
    );
    let mark = if d.overdue {
        tr!(l, "dashboard.overdue")
    } else {
        tr!(l, "dashboard.upcoming")
    };
    format!("{mark} {}  {what}", d.date.format("%m-%d"))
}

/// The deadlines, one line each cut to the panel's width; when there are
/// more than fit, the last line says how many more (Enter shows all).
fn deadlines(frame: &mut Frame<'_>, l: Lang, ds: &[Deadline], area: Rect) {
    let width = usize::from(area.width);
    let mut lines = vec![Line::from(Span::styled(
        tr!(l, "dashboard.deadlines"),
        TITLE_STYLE,
    ))];
    if ds.is_empty() {
        lines.push(Line::from(Span::styled(
            tr!(l, "dashboard.no_deadlines"),
            DIM_STYLE,
        )));
    }
    let room = usize::from(area.height).saturating_sub(1);
    let shown = if ds.len() > room {
        room.saturating_sub(1)
    } else {
        ds.len()
    };
    for d in ds.iter().take(shown) {
        let style = if d.overdue { BAD_STYLE } else { Style::new() };
        let text = crate::present::clip(&deadline_text(l, d), width);
        lines.push(Line::from(Span::styled(text, style)));
    }
    if ds.len() > shown {
        let more = tr!(l, "dashboard.more_deadlines", count = ds.len() - shown);
        lines.push(Line::from(Span::styled(
            crate::present::clip(&more, width),
            DIM_STYLE,
        )));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

//! `bangfu bench`: one table of what users wait for, each figure beside a
//! baseline measured in the same run (the same data as plain automerge
//! documents, automerge's own sync protocol, a bundle of the documents),
//! the ratio, the target and whether it holds. Written for
//! docs/PERFORMANCE.md and for a machine to compare runs (`--json`).
//!
//! Every figure is of this run on this machine: the demo data is made
//! first (by this program in a child process, so that this process's
//! memory is the interface's alone when the first frame is measured).

pub mod link;
mod local;
mod net;

use crate::demo::Scale;
use crate::store::Options;
use chrono::NaiveDate;
use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What a target bounds: the figure itself, or its ratio to the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    Value,
    Ratio,
}

/// One measured figure.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    pub value: f64,
    pub unit: &'static str,
    /// The same work done the plain way, in the same run.
    pub baseline: Option<f64>,
    /// At most this (of `on`).
    pub target: Option<f64>,
    pub on: On,
    /// What was measured, in a few words.
    pub what: String,
}

impl Row {
    fn new(name: &str, value: f64, unit: &'static str, what: &str) -> Row {
        Row {
            name: name.to_string(),
            value,
            unit,
            baseline: None,
            target: None,
            on: On::Value,
            what: what.to_string(),
        }
    }

    fn baseline(mut self, b: f64) -> Row {
        self.baseline = Some(b);
        self
    }

    /// The figure must stay at or under `t`.
    fn at_most(mut self, t: f64) -> Row {
        self.target = Some(t);
        self.on = On::Value;
        self
    }

    /// The figure must stay within `t` times the baseline.
    fn ratio_at_most(mut self, t: f64) -> Row {
        self.target = Some(t);
        self.on = On::Ratio;
        self
    }

    pub fn ratio(&self) -> Option<f64> {
        self.baseline.filter(|b| *b > 0.0).map(|b| self.value / b)
    }

    pub fn holds(&self) -> Option<bool> {
        let t = self.target?;
        match self.on {
            On::Value => Some(self.value <= t),
            On::Ratio => self.ratio().map(|r| r <= t),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "baseline": self.baseline,
            "ratio": self.ratio(),
            "target": self.target,
            "target_on": match self.on { On::Value => "value", On::Ratio => "ratio" },
            "holds": self.holds(),
            "what": self.what,
        })
    }
}

/// Milliseconds since `t`.
fn ms_since(t: Instant) -> f64 {
    ms(t.elapsed())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The value at fraction `p` of a list (sorted here).
pub fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let last = values.len().saturating_sub(1);
    let i = ((last as f64) * p).round() as usize;
    values.get(i.min(last)).copied().unwrap_or(0.0)
}

/// Median of `n` runs of `f`, in ms.
pub fn median_ms(n: usize, mut f: impl FnMut()) -> f64 {
    let mut v: Vec<f64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            ms_since(t)
        })
        .collect();
    percentile(&mut v, 0.5)
}

/// This process's peak resident memory so far, in MiB (Linux; 0 elsewhere).
pub fn peak_rss_mib() -> f64 {
    peak_rss_mib_of("self")
}

/// The peak resident memory so far of process `pid` (a number, or `self`),
/// in MiB (Linux; 0 elsewhere).
pub fn peak_rss_mib_of(pid: &str) -> f64 {
    status_mib(pid, "VmHWM:")
}

/// The resident memory now of process `pid`, in MiB (Linux; 0 elsewhere).
pub fn rss_mib_of(pid: &str) -> f64 {
    status_mib(pid, "VmRSS:")
}

/// A figure in kB of `/proc/{pid}/status`, in MiB.
fn status_mib(pid: &str, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The visit the benchmarks write: on-site guidance for `pairing` on
/// `date`, the `i`th of a series.
pub fn sample_visit(
    id: crate::domain::Id,
    pairing: &crate::domain::Pairing,
    date: NaiveDate,
    i: i64,
) -> crate::domain::Visit {
    use crate::domain::{SupportForm, Task, Visit};
    Visit {
        tasks: vec![Task::Teachers],
        teachers_reached: i,
        ..Visit::of_pairing(
            id,
            pairing,
            date,
            SupportForm::OnSiteGuidance,
            &format!("第{i}次：入园指导，观察区域游戏材料投放情况，提出改进建议。"),
        )
    }
}

/// Writes `n` sample visits of the workspace's first pairing, and how
/// long each write took (ms).
pub fn write_visits(
    ws: &mut crate::store::Workspace,
    n: i64,
    date: NaiveDate,
) -> Result<Vec<f64>, BenchError> {
    let pairing = ws
        .model()
        .pairings()
        .next()
        .cloned()
        .ok_or_else(|| failed("demo data", "no pairing"))?;
    let mut times = Vec::new();
    for i in 0..n {
        let t = Instant::now();
        ws.write(|w| {
            let id = w.new_id();
            w.put_visit(sample_visit(id, &pairing, date, i))
        })
        .map_err(|e| failed("write", e))?;
        times.push(ms_since(t));
    }
    Ok(times)
}

/// Key to frame on the reports screen: `n` keys (Down four times in
/// five, else Up), each handled and drawn; the times in ms.
pub fn report_keys(
    app: &mut crate::app::App,
    term: &mut ratatui::Terminal<ratatui::backend::TestBackend>,
    n: usize,
) -> Result<Vec<f64>, BenchError> {
    screen_keys(app, term, '6', n)
}

/// Key to frame on the screen the digit `screen` opens (1 the overview,
/// 2 kindergartens, 3 pairings, 4 visits, 5 inspections, 6 reports): `n`
/// keys as [`report_keys`] presses them.
pub fn screen_keys(
    app: &mut crate::app::App,
    term: &mut ratatui::Terminal<ratatui::backend::TestBackend>,
    screen: char,
    n: usize,
) -> Result<Vec<f64>, BenchError> {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |c| crate::app::Event::Key(KeyEvent::new(c, KeyModifiers::NONE));
    app.handle(key(KeyCode::Char(screen)));
    let mut times = Vec::new();
    for i in 0..n {
        let code = if i % 100 < 80 {
            KeyCode::Down
        } else {
            KeyCode::Up
        };
        let t = Instant::now();
        app.handle(key(code));
        term.draw(|f| {
            crate::ui::draw(f, app);
        })
        .map_err(|e| failed("draw", e))?;
        times.push(ms_since(t));
    }
    Ok(times)
}

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{0}")]
    Failed(String),
}

fn failed(what: &str, e: impl std::fmt::Display) -> BenchError {
    BenchError::Failed(format!("{what}: {e}"))
}

/// Targets by scale: (first frame ms, RSS MiB, CLI write ms, history ms).
fn targets(scale: Scale) -> (f64, f64, f64, f64) {
    match scale {
        Scale::Province => (500.0, 150.0, 300.0, 100.0),
        _ => (500.0, 60.0, 150.0, 50.0),
    }
}

/// Where and how a benchmark runs.
#[derive(Debug, Clone)]
pub struct Setup {
    /// This program, run for whole commands.
    pub program: PathBuf,
    /// An empty directory for the demo data.
    pub dir: PathBuf,
    pub scale: Scale,
    pub today: NaiveDate,
}

impl Setup {
    fn options(&self, who: &str) -> Options {
        Options::new(who, self.today)
    }
}

/// A group of benchmarks: rows, or why they could not be measured.
pub type Part = fn(&Setup) -> Result<Vec<Row>, BenchError>;

/// The groups by name, in the order the table shows them.
pub const PARTS: [&str; 4] = ["interface", "commands", "saves", "sync"];

/// The groups named (every group for none), or the first unknown name.
pub fn parts(names: &[String]) -> Result<Vec<Part>, String> {
    let all: [Part; 4] = [local::interface, local::commands, local::saves, net::sync];
    if let Some(bad) = names.iter().find(|n| !PARTS.contains(&n.trim())) {
        return Err(bad.clone());
    }
    Ok(PARTS
        .iter()
        .zip(all)
        .filter(|(name, _)| names.is_empty() || names.iter().any(|n| n.trim() == **name))
        .map(|(_, part)| part)
        .collect())
}

/// Runs the given benchmarks on fresh demo data of the setup's scale, and
/// returns the rows in order (each also given to `progress` as it comes).
pub fn run(
    setup: &Setup,
    parts: &[Part],
    progress: &mut dyn FnMut(&Row),
) -> Result<Vec<Row>, BenchError> {
    local::make_demo(setup)?;
    let mut rows = Vec::new();
    for part in parts {
        for r in part(setup)? {
            progress(&r);
            rows.push(r);
        }
    }
    Ok(rows)
}

/// The rows as a table for a terminal.
pub fn table(rows: &[Row]) -> String {
    let num = |v: f64| {
        if v.abs() >= 100.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.2}")
        }
    };
    let dash = || String::from("-");
    let body = rows
        .iter()
        .map(|r| {
            let target = r.target.map_or_else(dash, |t| match r.on {
                On::Value => format!("<= {}", num(t)),
                On::Ratio => format!("<= {}x", num(t)),
            });
            vec![
                r.name.clone(),
                num(r.value),
                r.unit.to_string(),
                r.baseline.map_or_else(dash, num),
                r.ratio().map_or_else(dash, |x| format!("{x:.3}")),
                target,
                match r.holds() {
                    Some(true) => "yes".into(),
                    Some(false) => "NO".into(),
                    None => dash(),
                },
            ]
        })
        .collect();
    crate::present::table_text(&crate::present::Table {
        headers: [
            "figure", "value", "unit", "baseline", "ratio", "target", "holds",
        ]
        .map(String::from)
        .to_vec(),
        rows: body,
    })
}

/// The rows as a JSON array.
pub fn to_json(rows: &[Row]) -> serde_json::Value {
    serde_json::Value::Array(rows.iter().map(Row::to_json).collect())
}

//! Figures for docs/PERFORMANCE.md: `cargo bench --bench tui`.
//!
//! At city scale: the time from opening the workspace to the first drawn
//! frame, and from a key press to the next frame on the visit log (the
//! whole `handle` + `draw` path of the interface, into a 120×40 test
//! terminal; a real terminal adds only the bytes of the changed cells).

use bangfu::app::keymap::Keymap;
use bangfu::app::{App, Event};
use bangfu::bench::percentile;
use bangfu::demo::{self, Scale};
use bangfu::i18n::Lang;
use bangfu::store::Options;
use chrono::NaiveDate;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use std::time::Instant;

fn options() -> Options {
    Options::new(
        "bench",
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default(),
    )
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = demo::create(dir.path(), Scale::City, 7, options()).expect("demo");
    println!("city: {} visits", summary.visits);
    let mut firsts = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let app = App::new(
            dir.path().to_path_buf(),
            options(),
            Lang::Zh,
            Keymap::default(),
            Rect::new(0, 0, 120, 40),
        )
        .expect("app");
        let Ok(mut term) = Terminal::new(TestBackend::new(120, 40));
        let Ok(_) = term.draw(|f| {
            bangfu::ui::draw(f, &app);
        });
        firsts.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "city: open + first frame (dashboard) median {:.1} ms, max {:.1} ms",
        percentile(&mut firsts, 0.5),
        firsts[firsts.len() - 1]
    );

    let mut app = App::new(
        dir.path().to_path_buf(),
        options(),
        Lang::Zh,
        Keymap::default(),
        Rect::new(0, 0, 120, 40),
    )
    .expect("app");
    let Ok(mut term) = Terminal::new(TestBackend::new(120, 40));
    app.handle(key(KeyCode::Char('4')));
    let Ok(_) = term.draw(|f| {
        bangfu::ui::draw(f, &app);
    });
    let mut times = Vec::new();
    for i in 0..2000 {
        let code = match i % 100 {
            0..=79 => KeyCode::Down,
            80..=89 => KeyCode::PageDown,
            _ => KeyCode::Up,
        };
        let t = Instant::now();
        app.handle(key(code));
        let Ok(_) = term.draw(|f| {
            bangfu::ui::draw(f, &app);
        });
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "city: key to frame on the visit log ({} keys: Down, PageDown, Up) p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        percentile(&mut times, 0.5),
        percentile(&mut times, 0.99),
        times[times.len() - 1]
    );

    // Typing a filter re-filters 5,000 visits on every key.
    app.handle(key(KeyCode::Char('/')));
    let mut filter = Vec::new();
    for c in "送教 区域游戏".chars().cycle().take(200) {
        let t = Instant::now();
        app.handle(key(KeyCode::Char(c)));
        let Ok(_) = term.draw(|f| {
            bangfu::ui::draw(f, &app);
        });
        filter.push(t.elapsed().as_secs_f64() * 1000.0);
        if c == ' ' {
            for _ in 0..7 {
                app.handle(key(KeyCode::Backspace));
            }
        }
    }
    println!(
        "city: key to frame while typing a filter of the visit log p50 {:.2} ms, p99 {:.2} ms",
        percentile(&mut filter, 0.5),
        percentile(&mut filter, 0.99)
    );

    // The reports screen: every frame lays out the selected report (its
    // figures compiled live until submitted).
    app.handle(key(KeyCode::Esc));
    app.handle(key(KeyCode::Esc));
    let mut reports = bangfu::bench::report_keys(&mut app, &mut term, 1000).expect("keys");
    println!(
        "city: key to frame on the reports screen ({} keys: Down, Up) p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        reports.len(),
        percentile(&mut reports, 0.5),
        percentile(&mut reports, 0.99),
        reports[reports.len() - 1]
    );

    evidence(&mut app, &mut term);
}

/// The screen as text.
fn screen(term: &Terminal<TestBackend>) -> String {
    bangfu::tui::buffer_text(term.backend().buffer())
}

/// The evidence dialog on a visit with the demo's photos: `A` to the
/// frame with the photo's preview (its thumbnail read, decoded and drawn
/// in halfblocks), and moving between the files.
fn evidence(app: &mut App, term: &mut Terminal<TestBackend>) {
    // A key as the real loop takes it: handled, its slow work done, drawn.
    let draw = |app: &mut App, term: &mut Terminal<TestBackend>| {
        app.run_later();
        let mut drawn = bangfu::app::Drawn::default();
        let Ok(_) = term.draw(|f| drawn = bangfu::ui::draw(f, app));
        app.set_drawn(drawn);
    };
    app.handle(key(KeyCode::Esc));
    app.handle(key(KeyCode::Char('4')));
    app.handle(key(KeyCode::Home));
    draw(app, term);
    let mut found = false;
    for _ in 0..5000 {
        if screen(term).contains("课堂_1.jpg") {
            found = true;
            break;
        }
        app.handle(key(KeyCode::Down));
        draw(app, term);
    }
    if !found {
        println!("city: no visit with photos found for the preview figures");
        return;
    }
    let (mut open, mut moves) = (Vec::new(), Vec::new());
    for _ in 0..50 {
        let t = Instant::now();
        app.handle(key(KeyCode::Char('A')));
        draw(app, term);
        open.push(t.elapsed().as_secs_f64() * 1000.0);
        for code in [KeyCode::Down, KeyCode::Up] {
            let t = Instant::now();
            app.handle(key(code));
            draw(app, term);
            moves.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        app.handle(key(KeyCode::Esc));
        draw(app, term);
    }
    println!(
        "city: A to the evidence dialog's frame with a photo's preview p50 {:.2} ms, p99 {:.2} ms; to the next photo's p50 {:.2} ms, p99 {:.2} ms",
        percentile(&mut open, 0.5),
        percentile(&mut open, 0.99),
        percentile(&mut moves, 0.5),
        percentile(&mut moves, 0.99)
    );
}

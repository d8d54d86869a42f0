//! The full-screen terminal: setting it up, the event loop, and putting it
//! back as it was on every way out (normal exit, error, panic).

use crate::app::{App, Event};
use crate::ui;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event as CEvent, KeyEventKind,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use std::io::{self, Stdout};
use std::time::{Duration, Instant};

/// How often the interface looks for other processes' writes.
const TICK: Duration = Duration::from_secs(2);

fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
}

/// Puts the terminal back when dropped, whatever the way out.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        restore();
    }
}

fn setup() -> io::Result<(Restore, Terminal<CrosstermBackend<Stdout>>)> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // One the store turns into an error (automerge stopping on a
        // change it was given): the interface goes on.
        if crate::store::panic_is_contained() {
            return;
        }
        restore();
        previous(info);
    }));
    enable_raw_mode()?;
    let guard = Restore;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok((guard, terminal))
}

fn event_of(e: CEvent) -> Option<Event> {
    match e {
        // Windows reports releases too; act on presses only.
        CEvent::Key(k) if k.kind == KeyEventKind::Press => Some(Event::Key(k)),
        CEvent::Paste(s) => Some(Event::Paste(s)),
        CEvent::Mouse(m) => Some(Event::Mouse(m)),
        CEvent::Resize(w, h) => Some(Event::Resize(w, h)),
        _ => None,
    }
}

/// Runs the interface until the person quits.
pub fn run(app: &mut App) -> io::Result<()> {
    let (_guard, mut terminal) = setup()?;
    let size = terminal.size()?;
    app.handle(Event::Resize(size.width, size.height));
    draw(&mut terminal, app)?;
    let mut last_tick = Instant::now();
    while !app.quit {
        let wait = TICK.saturating_sub(last_tick.elapsed());
        if event::poll(wait)? {
            // Take every event already waiting before drawing again, so
            // key repeat never queues up stale frames.
            loop {
                if let Some(e) = event_of(event::read()?) {
                    app.handle(e);
                }
                if app.quit || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        } else {
            app.handle(Event::Tick);
            last_tick = Instant::now();
        }
        draw(&mut terminal, app)?;
        // Slow work runs once its frame ("reading…") is on the screen.
        if app.has_later() {
            app.run_later();
            draw(&mut terminal, app)?;
        }
    }
    app.close();
    Ok(())
}

/// Draws a frame and tells the state what it laid out.
fn draw<B: ratatui::backend::Backend>(terminal: &mut Terminal<B>, app: &mut App) -> io::Result<()>
where
    io::Error: From<B::Error>,
{
    let mut drawn = crate::app::Drawn::default();
    terminal.draw(|f| drawn = ui::draw(f, app))?;
    app.set_drawn(drawn);
    Ok(())
}

/// Draws the dashboard once into a buffer and returns it as plain text
/// (`bangfu dashboard`): the same drawing as on screen, without colours.
pub fn dashboard_text(app: &App, width: u16, height: u16) -> String {
    use ratatui::backend::TestBackend;
    let Ok(mut terminal) = Terminal::new(TestBackend::new(width, height));
    let _ = terminal.draw(|f| ui::draw_dashboard(f, app, f.area()));
    buffer_text(terminal.backend().buffer())
}

/// A buffer's text, line by line, wide characters counted once, trailing
/// blanks and blank lines dropped.
pub fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    let area = buf.area;
    let mut lines = Vec::new();
    for y in 0..area.height {
        let mut line = String::new();
        let mut skip = 0usize;
        for x in 0..area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            line.push_str(sym);
        }
        lines.push(line.trim_end().to_string());
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

//! The sync screen: this device, the last round, and every known peer
//! (reachable now, last seen, last sync, last problem).

use super::theme::*;
use crate::app::View;
use crate::i18n::{Lang, label};
use crate::present::{clip, local_time};
use crate::sync::agent::{PeerStatus, State, Status};
use crate::tr;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};
use unicode_width::UnicodeWidthStr;

/// The sync state in a few words (status bar and this screen).
pub fn state_text(l: Lang, s: &Status, running: bool) -> String {
    if !running {
        return tr!(l, "status.sync_off");
    }
    match &s.state {
        State::Starting => tr!(l, "status.sync_starting"),
        State::Syncing => match &s.files {
            Some(f) => tr!(
                l,
                "status.sync_files",
                received = f.received,
                offered = f.offered,
                bytes = crate::present::evidence::size_text(f.bytes_received)
            ),
            None => tr!(l, "status.sync_running"),
        },
        State::Off(_) => tr!(l, "status.sync_offline"),
        State::Listening => match s.reachable() {
            0 => tr!(l, "status.sync_alone"),
            n => tr!(l, "status.sync_reachable", count = n),
        },
    }
}

/// The lines above the peer list: this device, the sync state, its
/// addresses, the last round and the latest refusals; `w`: the width.
fn status_lines(v: &View<'_>, w: usize) -> Vec<Line<'static>> {
    let l = v.lang;
    let s = v.sync_status;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let me = v.me.unwrap_or_default();
    let who = v
        .model
        .members
        .get(me)
        .map(|m| format!("{}（{}）", m.name, label(l, m.role)))
        .unwrap_or_else(|| tr!(l, "sync.not_a_member_here"));
    // A labelled line, its value cut to what is left of the width.
    let row = |k: &str, value: &str| {
        let label = format!(" {} ", crate::i18n::field(l, k));
        let room = w.saturating_sub(label.width());
        Line::from(vec![
            Span::styled(label, LABEL_STYLE),
            Span::raw(clip(value, room)),
        ])
    };
    lines.push(row(
        "this_device",
        &format!("{}  {who}", crate::identity::short(me)),
    ));
    let state = match &s.state {
        State::Off(why) if !why.is_empty() => {
            format!("{} — {why}", state_text(l, s, v.syncing))
        }
        _ => state_text(l, s, v.syncing),
    };
    lines.push(row("sync_state", &state));
    if let Some(e) = &s.store_error {
        lines.push(Line::from(Span::styled(
            format!(
                " {}",
                clip(
                    &tr!(l, "sync.store_error", error = e.as_str()),
                    w.saturating_sub(1)
                )
            ),
            ERROR_STYLE,
        )));
    }
    if let Some(addr) = &s.me {
        let addrs: Vec<String> = addr.book_entries();
        lines.push(row("addresses", &addrs.join("  ")));
    }
    let last = match &s.last_round {
        Some(r) => {
            let mut t = tr!(
                l,
                "sync.last_round",
                at = local_time(Some(r.at_ms)),
                reached = r.reached,
                tried = r.tried,
                changed = r.changed
            );
            if r.files_received > 0 || r.files_missing > 0 {
                t.push_str(&tr!(
                    l,
                    "sync.last_round_files",
                    received = r.files_received,
                    missing = r.files_missing
                ));
            }
            t
        }
        None => tr!(l, "sync.no_round_yet"),
    };
    lines.push(row("last_sync", &last));
    // Changes a peer sent that were checked and refused: attacks (or a
    // broken program) stopped at the door.
    for r in s.refusals.iter().take(3) {
        lines.push(Line::from(Span::styled(
            format!(
                " {}",
                clip(
                    &crate::i18n::refusal(l, &v.model.members, r),
                    w.saturating_sub(2)
                )
            ),
            ERROR_STYLE,
        )));
    }
    for part in super::wrap(&v.hint(), w.saturating_sub(1)) {
        lines.push(Line::from(Span::styled(format!(" {part}"), DIM_STYLE)));
    }
    lines
}

pub fn draw(frame: &mut Frame<'_>, v: &View<'_>, area: Rect) {
    let l = v.lang;
    let s = v.sync_status;
    let lines = status_lines(v, usize::from(area.width));
    let top = lines.len() as u16 + 1;
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(area.x, area.y, area.width, top.min(area.height)),
    );
    if area.height <= top + 1 {
        return;
    }
    let list = Rect::new(area.x, area.y + top, area.width, area.height - top);
    peers(frame, l, &s.peers, v.screens.sync.scroll, list);
}

/// A peer's last problem in a few words: the address book keeps its code
/// (`SyncError::code`); anything else (older versions kept sentences) is
/// shown as it is.
fn problem(l: Lang, code: &str) -> String {
    let key = match code {
        "unreachable" | "timed_out" | "net" | "wire" => "sync.problem.unreachable",
        "not_member" | "refused_not_member" => "sync.problem.not_member",
        "other_workspace" => "sync.problem.other_workspace",
        "protocol" => "sync.problem.protocol",
        "too_many_rounds" | "refused" | "invite" => "sync.problem.refused",
        "store" => "sync.problem.store",
        other => return other.to_string(),
    };
    tr!(l, key)
}

fn reachable_text(l: Lang, p: &PeerStatus) -> (String, ratatui::style::Style) {
    match p.reachable {
        Some(true) => (tr!(l, "common.yes"), GOOD_STYLE),
        Some(false) => (tr!(l, "common.no"), BAD_STYLE),
        None => ("?".into(), DIM_STYLE),
    }
}

fn peers(frame: &mut Frame<'_>, l: Lang, peers: &[PeerStatus], scroll: usize, area: Rect) {
    if peers.is_empty() {
        frame.render_widget(
            Paragraph::new(
                super::wrap(&tr!(l, "sync.no_peers_tui"), usize::from(area.width)).join("\n"),
            )
            .style(DIM_STYLE),
            area,
        );
        return;
    }
    let headers = [
        "name",
        "role",
        "reachable",
        "last_seen",
        "last_sync",
        "problem",
    ];
    let header = Row::new(
        headers
            .iter()
            .map(|h| crate::i18n::field(l, h))
            .collect::<Vec<_>>(),
    )
    .style(HEADER_STYLE);
    let cap = usize::from(area.height.saturating_sub(1)).max(1);
    let start = scroll.min(peers.len().saturating_sub(1));
    let rows = peers.iter().skip(start).take(cap).map(|p| {
        let (reach, style) = reachable_text(l, p);
        let name = if p.name.is_empty() {
            crate::identity::short(&p.id)
        } else {
            p.name.clone()
        };
        Row::new(vec![
            ratatui::text::Text::from(name),
            ratatui::text::Text::from(p.role.map(|r| label(l, r)).unwrap_or_default()),
            ratatui::text::Text::from(Span::styled(reach, style)),
            ratatui::text::Text::from(local_time(p.last_seen)),
            ratatui::text::Text::from(local_time(p.last_sync)),
            ratatui::text::Text::from(
                p.last_error
                    .as_deref()
                    .map(|e| problem(l, e))
                    .unwrap_or_default(),
            ),
        ])
    });
    let widths = [
        Constraint::Fill(2),
        Constraint::Length(16),
        Constraint::Length(6),
        Constraint::Length(16),
        Constraint::Length(16),
        Constraint::Fill(2),
    ];
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        area,
    );
}

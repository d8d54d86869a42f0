//! Colours and frame characters. Readable on dark and light terminals;
//! meaning never rests on colour alone (overdue items also say so).

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

pub const FRAME: Color = Color::DarkGray;
pub const TITLE_STYLE: Style = Style::new().add_modifier(Modifier::BOLD);
pub const BRAND_STYLE: Style = Style::new()
    .fg(Color::Black)
    .bg(Color::Cyan)
    .add_modifier(Modifier::BOLD);
pub const TAB_STYLE: Style = Style::new().fg(Color::White).bg(Color::Blue);
pub const TAB_ACTIVE: Style = Style::new()
    .fg(Color::Black)
    .bg(Color::White)
    .add_modifier(Modifier::BOLD);
pub const STATUS_STYLE: Style = Style::new().fg(Color::White).bg(Color::DarkGray);
pub const STATUS_STRONG: Style = Style::new()
    .fg(Color::White)
    .bg(Color::DarkGray)
    .add_modifier(Modifier::BOLD);
pub const STATUS_MESSAGE: Style = Style::new().fg(Color::Yellow).bg(Color::DarkGray);
pub const OK_STYLE: Style = Style::new().fg(Color::Black).bg(Color::Green);
pub const ERROR_STYLE: Style = Style::new()
    .fg(Color::White)
    .bg(Color::Red)
    .add_modifier(Modifier::BOLD);
pub const HEADER_STYLE: Style = Style::new()
    .add_modifier(Modifier::BOLD)
    .add_modifier(Modifier::UNDERLINED);
pub const SELECTED_STYLE: Style = Style::new().add_modifier(Modifier::REVERSED);
pub const LABEL_STYLE: Style = Style::new().fg(Color::Cyan);
pub const WARN_STYLE: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
pub const BAD_STYLE: Style = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
pub const GOOD_STYLE: Style = Style::new().fg(Color::Green);
pub const DIM_STYLE: Style = Style::new().fg(Color::DarkGray);
pub const FOCUS_STYLE: Style = Style::new().fg(Color::Black).bg(Color::Yellow);

/// Frames drawn with `+ - |`: single-width in every terminal.
pub const ASCII_BORDER: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

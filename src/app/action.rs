//! Everything a person can ask the interface to do. Keys map to actions by
//! name (see `keymap.rs`), so a config file can rebind them.

use serde::{Deserialize, Serialize};

/// A named action. The snake_case names are what the key config uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    NextTab,
    PrevTab,
    Dashboard,
    Kindergartens,
    Pairings,
    Visits,
    Inspections,
    /// The reports screen.
    Reports,
    /// The sync screen.
    Sync,
    /// Sync with every known peer now.
    SyncNow,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    /// Open the selected record's form or go into it.
    Select,
    /// Close what is open (a form, an overlay, a filter).
    Back,
    Add,
    Edit,
    History,
    Filter,
    /// Sign the selected agreement (签订).
    Sign,
    /// A bureau confirms the selected agreement; on the visit log, the
    /// helped side confirms the selected visit.
    Confirm,
    /// File the selected agreement (审核备案).
    File,
    PrevYear,
    NextYear,
    PrevMonth,
    NextMonth,
    /// Show visits of every month / of the selected month again.
    AllMonths,
    ToggleLanguage,
    /// Save the open form.
    Save,
    NextField,
    PrevField,
    /// Read what other processes wrote.
    Refresh,
    /// Return the selected report with a comment (退回).
    Return,
    /// Write the selected report to files (xlsx or docx, and Markdown).
    Export,
    /// Regenerate the selected summary's statistics.
    Restat,
    /// Delete the selected record (asked once first).
    Delete,
    /// Settle a conflict of the selected record: pick the value to keep.
    Pick,
    /// Take back this session's last change (`app/undo.rs`).
    Undo,
    /// Correct a district's name or towns, or delete one (overview).
    Districts,
    /// Read a kindergarten list from a spreadsheet (kindergartens screen).
    Import,
    /// Back to the first-run menu from a workspace nobody used, or demo
    /// data (the sync screen).
    StartOver,
    /// A record's evidence: its files, attaching, opening (visits,
    /// pairings, inspections).
    Evidence,
}

impl Action {
    /// Every action, for the help overlay and config checks.
    pub const ALL: [Action; 47] = [
        Action::Quit,
        Action::Help,
        Action::NextTab,
        Action::PrevTab,
        Action::Dashboard,
        Action::Kindergartens,
        Action::Pairings,
        Action::Visits,
        Action::Inspections,
        Action::Reports,
        Action::Sync,
        Action::SyncNow,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Home,
        Action::End,
        Action::Select,
        Action::Back,
        Action::Add,
        Action::Edit,
        Action::History,
        Action::Filter,
        Action::Sign,
        Action::Confirm,
        Action::File,
        Action::PrevYear,
        Action::NextYear,
        Action::PrevMonth,
        Action::NextMonth,
        Action::AllMonths,
        Action::ToggleLanguage,
        Action::Save,
        Action::NextField,
        Action::PrevField,
        Action::Refresh,
        Action::Return,
        Action::Export,
        Action::Restat,
        Action::Delete,
        Action::Pick,
        Action::Undo,
        Action::Districts,
        Action::Import,
        Action::StartOver,
        Action::Evidence,
    ];

    /// The actions of every form.
    pub const IN_FORMS: [Action; 4] = [
        Action::Save,
        Action::Back,
        Action::NextField,
        Action::PrevField,
    ];

    /// The actions of every screen.
    pub const EVERYWHERE: [Action; 20] = [
        Action::NextTab,
        Action::PrevTab,
        Action::Dashboard,
        Action::Kindergartens,
        Action::Pairings,
        Action::Visits,
        Action::Inspections,
        Action::Reports,
        Action::Sync,
        Action::SyncNow,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Back,
        Action::ToggleLanguage,
        Action::Refresh,
        Action::Undo,
        Action::Help,
        Action::Quit,
    ];

    /// The locale-key suffix (`action.<code>`) and config name.
    pub fn code(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::NextTab => "next_tab",
            Action::PrevTab => "prev_tab",
            Action::Dashboard => "dashboard",
            Action::Kindergartens => "kindergartens",
            Action::Pairings => "pairings",
            Action::Visits => "visits",
            Action::Inspections => "inspections",
            Action::Reports => "reports",
            Action::Sync => "sync",
            Action::SyncNow => "sync_now",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Home => "home",
            Action::End => "end",
            Action::Select => "select",
            Action::Back => "back",
            Action::Add => "add",
            Action::Edit => "edit",
            Action::History => "history",
            Action::Filter => "filter",
            Action::Sign => "sign",
            Action::Confirm => "confirm",
            Action::File => "file",
            Action::PrevYear => "prev_year",
            Action::NextYear => "next_year",
            Action::PrevMonth => "prev_month",
            Action::NextMonth => "next_month",
            Action::AllMonths => "all_months",
            Action::ToggleLanguage => "toggle_language",
            Action::Save => "save",
            Action::NextField => "next_field",
            Action::PrevField => "prev_field",
            Action::Refresh => "refresh",
            Action::Return => "return",
            Action::Export => "export",
            Action::Restat => "restat",
            Action::Delete => "delete",
            Action::Pick => "pick",
            Action::Undo => "undo",
            Action::Districts => "districts",
            Action::Import => "import",
            Action::Evidence => "evidence",
            Action::StartOver => "start_over",
        }
    }
}

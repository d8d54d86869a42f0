//! What drawing reads of an open workspace: an immutable view of the
//! state, so `ui` never holds the workspace itself.

use super::*;

/// What drawing reads of an open workspace, immutably.
pub struct View<'a> {
    pub lang: Lang,
    pub keymap: &'a Keymap,
    pub today: chrono::NaiveDate,
    pub model: &'a Model,
    /// Values two devices set differently, not yet settled.
    pub conflicts: &'a [crate::domain::Conflict],
    /// This device's id.
    pub me: Option<&'a str>,
    /// Whose work the figures count: this device's member's.
    pub reach: crate::domain::Reach,
    pub save: &'a SaveState,
    pub message: Option<&'a str>,
    /// Whether background sync runs.
    pub syncing: bool,
    /// This device's changes no peer has yet.
    pub unsynced: usize,
    pub sync_status: &'a Status,
    pub screen: Screen,
    pub screens: &'a Screens,
    pub dialog: Option<&'a Dialog>,
}

impl App {
    /// The open workspace as drawing sees it.
    pub fn view(&self) -> Option<View<'_>> {
        let o = self.opened()?;
        Some(View {
            lang: self.lang,
            keymap: &self.keymap,
            today: self.options.today,
            model: o.ws.model(),
            conflicts: o.ws.conflicts(),
            me: o.me.as_deref(),
            reach: crate::domain::Reach::of(
                o.ws.model(),
                o.me.as_deref().and_then(|d| o.ws.model().active_member(d)),
            ),
            save: &o.save,
            message: self.message.as_deref(),
            syncing: o.sync.is_some(),
            unsynced: o.unsynced,
            sync_status: &o.sync_status,
            screen: o.screen,
            screens: &o.screens,
            dialog: o.dialog.as_ref(),
        })
    }
}

impl View<'_> {
    /// The line of keys under the screen: its words (`list.hint.<screen>`)
    /// with the keys the key map gives the screen's actions.
    pub fn hint(&self) -> String {
        let key = format!("list.hint.{}", self.screen.code());
        self.keymap
            .fill(&crate::i18n::text(self.lang, &key), self.screen.actions())
    }
}

//! What happens in the background of the interface: sync started and
//! stopped, its status read for the next frame, and what other processes
//! (or the sync agent) wrote taken in.

use super::screens;
use super::{App, SaveState, Screen};
use crate::sync::agent::Agent;
use crate::tr;

impl App {
    /// Starts background sync if the interface runs with the network and a
    /// workspace is open.
    pub fn start_sync(&mut self) {
        let (network, dir, options) = (self.network, self.data_dir.clone(), self.options.clone());
        if let Some(o) = self.opened_mut()
            && network
            && o.sync.is_none()
        {
            o.sync = Some(Agent::start(&dir, options));
        }
    }

    /// Stops background sync (it ends when dropped).
    pub fn stop_sync(&mut self) {
        if let Some(o) = self.opened_mut() {
            o.sync = None;
        }
    }

    /// Before the interface closes: stops background sync, then takes in
    /// what it wrote last, so that the views this process writes on
    /// closing hold it too (the agent's own workspace, holding only what
    /// syncing reads, writes none).
    pub fn close(&mut self) {
        self.stop_sync();
        self.refresh(false);
    }

    /// Reads the sync status for the next frame.
    pub fn refresh_sync_status(&mut self) {
        if let Some(o) = self.opened_mut() {
            let shown = o.screen == Screen::Sync;
            o.sync_status = screens::sync_status(o.sync.as_ref(), shown, &o.ws, o.me.as_deref());
        }
    }

    /// Loads what other processes wrote (every tick, and on request).
    pub(super) fn refresh(&mut self, say: bool) {
        let lang = self.lang;
        let Some(o) = self.opened_mut() else { return };
        let before = o.ws.model().tally();
        let (said, changed) = match o.ws.refresh() {
            Ok(true) => {
                let after = o.ws.model().tally();
                let said = if after == before {
                    tr!(lang, "tui.refreshed")
                } else {
                    crate::present::arrivals(lang, &before, &after, o.ws.conflicts().len())
                };
                (Some(said), true)
            }
            Ok(false) if say => (Some(tr!(lang, "tui.up_to_date")), false),
            Ok(false) => (None, false),
            Err(e) => {
                o.save = SaveState::Failed(crate::i18n::store_error(lang, &e));
                (None, false)
            }
        };
        // The upkeep of what the interface saved since the last tick: the
        // history index, compaction if due (caches: a failure leaves them
        // to the next tick).
        if let Some(o) = self.opened_mut() {
            let _ = o.ws.upkeep();
        }
        if changed {
            self.rebuild_rows();
        }
        if said.is_some() {
            self.message = said;
        }
    }
}

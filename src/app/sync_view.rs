//! What the sync screen shows, read from the running sync or, without one
//! (tests, `--offline`), from the workspace: so drawing never queries.

use super::{App, Screen};
use crate::sync::agent::{self, State, Status};

impl App {
    /// Reads the sync status for the next frame: the running sync's, or
    /// the peers and refusals as the workspace knows them while the sync
    /// screen is shown.
    pub fn refresh_sync_status(&mut self) {
        self.sync_status = match &self.sync {
            Some(a) => a.status(),
            None if self.screen == Screen::Sync => self.stored_sync_status(),
            None => Status::default(),
        };
    }

    fn stored_sync_status(&self) -> Status {
        let listed = match (&self.ws, &self.me) {
            (Some(ws), Some(me)) => agent::peer_list(ws, me, &[]),
            _ => Ok(Vec::new()),
        };
        let refusals = self
            .ws
            .as_ref()
            .map(|ws| ws.refusals(agent::RECENT_REFUSALS));
        let (peers, refusals, store_error) = match (listed, refusals.transpose()) {
            (Ok(p), Ok(r)) => (p, r.unwrap_or_default(), None),
            (Err(e), _) | (_, Err(e)) => (Vec::new(), Vec::new(), Some(e.to_string())),
        };
        Status {
            state: State::Off(String::new()),
            peers,
            store_error,
            refusals,
            ..Status::default()
        }
    }
}

//! Work too slow to do before the screen has said it is under way (the
//! history of a record at city scale): a key asks for it and puts a line in
//! the status bar; the interface draws that frame, then does the work
//! ([`App::run_later`]) and draws again.

use super::App;
use crate::domain::{Entity, Id};

/// A piece of slow work asked for by a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Later {
    /// The history dialog of a record.
    History(Entity, Id),
}

impl App {
    /// Whether slow work waits for [`App::run_later`].
    pub fn has_later(&self) -> bool {
        self.opened().is_some_and(|o| o.later.is_some())
    }

    /// Does the slow work asked for, if any (after a frame has shown that
    /// it is under way).
    pub fn run_later(&mut self) {
        let Some(work) = self.opened_mut().and_then(|o| o.later.take()) else {
            return;
        };
        self.message = None;
        match work {
            Later::History(what, id) => {
                self.with_ctx(|_, _, cx| super::screens::show_history(cx, what, id));
            }
        }
    }
}

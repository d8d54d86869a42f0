//! Leaving with changes no peer has yet: the status bar counts them, and
//! quitting asks first, offering to sync now (with a time limit) or quit.

use super::action::Action;
use super::*;
use std::time::{Duration, Instant};

/// How long "sync now, then quit" waits for a peer.
pub const SYNC_BEFORE_QUIT: Duration = Duration::from_secs(10);

/// Where leaving stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving {
    /// Told that changes are not synced; the quit key again quits.
    Asked,
    /// Syncing; quits when nothing is left unsynced, or says so at the
    /// deadline.
    Syncing(Instant),
}

impl App {
    /// Counts this device's changes no peer has yet (after a write, and
    /// on every tick, as sync sessions move on).
    pub(super) fn count_unsynced(&mut self) {
        if let Some(o) = self.opened_mut() {
            // A store that cannot be read says so through the save state
            // on the next write; the count stays as it was.
            if let Ok(n) = o.ws.unsynced() {
                o.unsynced = n;
            }
        }
    }

    /// The quit key, or "sync now" while asked: quits at once when every
    /// change has reached a peer; otherwise asks first.
    pub(super) fn leave(&mut self, a: Action) {
        let lang = self.lang;
        let (sync, quit) = (
            self.keymap.primary(Action::SyncNow),
            self.keymap.primary(Action::Quit),
        );
        let Some(o) = self.opened_mut() else {
            self.quit = true;
            return;
        };
        let n = o.unsynced;
        let say = match (a, o.leaving) {
            // Sync is off here (started without the network): nothing to
            // wait for; still asked.
            (Action::SyncNow, Some(Leaving::Asked)) if o.sync.is_none() => {
                self.message = Some(tr!(lang, "tui.sync_unavailable"));
                return;
            }
            (Action::SyncNow, Some(Leaving::Asked)) => {
                o.leaving = Some(Leaving::Syncing(Instant::now() + SYNC_BEFORE_QUIT));
                return self.with_ctx(|_, _, cx| {
                    screens::sync_now(cx);
                    cx.say(tr!(
                        cx.lang,
                        "quit.syncing",
                        seconds = SYNC_BEFORE_QUIT.as_secs()
                    ));
                });
            }
            // Already syncing to quit: keep waiting.
            (Action::SyncNow, Some(Leaving::Syncing(_))) => return,
            (Action::Quit, Some(_)) => None,
            (Action::Quit, None) if n > 0 => Some(tr!(
                lang,
                "quit.unsynced",
                count = n,
                sync = sync,
                quit = quit
            )),
            _ => None,
        };
        match say {
            Some(said) => {
                o.leaving = Some(Leaving::Asked);
                self.message = Some(said);
            }
            None => self.quit = true,
        }
    }

    /// On each tick while syncing to quit: quits once every change has
    /// reached a peer; at the deadline says none could be reached.
    pub(super) fn leaving_tick(&mut self) {
        let lang = self.lang;
        let quit = self.keymap.primary(Action::Quit);
        let Some(o) = self.opened_mut() else { return };
        let Some(Leaving::Syncing(deadline)) = o.leaving else {
            return;
        };
        if o.unsynced == 0 {
            self.quit = true;
        } else if Instant::now() >= deadline {
            o.leaving = Some(Leaving::Asked);
            let n = o.unsynced;
            self.message = Some(tr!(lang, "quit.sync_failed", count = n, quit = quit));
        }
    }
}

//! What a screen or a dialog may use while it handles a key: the open
//! workspace (to read, and to write through the store's checks), the
//! language and options, the status bar, the dialog slot. What it asks of
//! the rest of the interface (go to another screen, select a record) it
//! leaves in [`Asked`], which the application carries out after.

use super::dialog::Dialog;
use super::screens::Screen;
use super::{SaveState, Unsaved};
use crate::domain::*;
use crate::i18n::{self, Lang};
use crate::store::{EditError, Options, Workspace, Writer};
use crate::sync::agent::Agent;
use std::path::{Path, PathBuf};

/// Where a screen asks the interface to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Go {
    To(Screen),
    /// The visit log of one pairing.
    VisitsOf(Id),
}

/// What a component asked for while handling a key.
#[derive(Debug, Default)]
pub struct Asked {
    pub go: Option<Go>,
    /// Select this record in its screen's list (after a save).
    pub select: Option<(Screen, Id)>,
    /// Something was written or a filter changed: every list is read
    /// again.
    pub reread: bool,
    /// A step asked once, to be done if its key comes again next.
    pub wait: Option<(super::action::Action, Id)>,
    /// Leave this workspace for the first-run menu (confirmed).
    pub start_over: bool,
    /// Slow work, done after a frame has said it is under way.
    pub later: Option<super::later::Later>,
}

/// The context of one key press (see the module comment).
pub struct Ctx<'a> {
    pub lang: Lang,
    pub keymap: &'a crate::app::keymap::Keymap,
    pub options: &'a Options,
    pub data_dir: &'a Path,
    /// Where exported reports and invite tickets are written.
    pub export_dir: &'a Path,
    /// Rows a list shows at once.
    pub capacity: usize,
    pub ws: &'a mut Workspace,
    /// This device's id (None until it has a key).
    pub me: Option<&'a str>,
    pub sync: Option<&'a Agent>,
    pub save: &'a mut SaveState,
    pub message: &'a mut Option<String>,
    pub dialog: &'a mut Option<Dialog>,
    /// The step the key before asked about (see [`Ctx::confirmed`]).
    pub waiting: Option<(super::action::Action, Id)>,
    /// This session's changes, for Ctrl-Z (`undo.rs`).
    pub undo: &'a mut Vec<super::undo::Step>,
    pub asked: Asked,
}

impl Ctx<'_> {
    pub fn model(&self) -> &Model {
        self.ws.model()
    }

    pub fn today(&self) -> chrono::NaiveDate {
        self.options.today
    }

    /// This device's member record, if it is an active member.
    pub fn member(&self) -> Option<Member> {
        self.ws.model().active_member(self.me?).cloned()
    }

    /// A stamp of the person at the keyboard, today.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            by: self.options.person.clone(),
            on: self.today(),
        }
    }

    /// What forms read typed text against.
    pub fn input(&self) -> crate::input::Context<'_> {
        crate::input::Context {
            model: self.ws.model(),
            lang: self.lang,
            today: self.today(),
            person: &self.options.person,
        }
    }

    pub fn say(&mut self, message: String) {
        *self.message = Some(message);
    }

    pub fn open(&mut self, dialog: Dialog) {
        *self.dialog = Some(dialog);
    }

    /// Runs an edit; the save state says how it went. Says why when
    /// nothing was saved.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T, EditError>,
    ) -> Result<T, Unsaved> {
        match self.ws.write(f) {
            Ok(v) => {
                *self.save = SaveState::Saved;
                if let Some(a) = self.sync {
                    a.edited();
                }
                self.asked.reread = true;
                Ok(v)
            }
            Err(EditError::Invalid(p)) => Err(Unsaved::Refused(p)),
            Err(EditError::Store(e)) => {
                let said = i18n::store_error(self.lang, &e);
                *self.save = SaveState::Failed(said.clone());
                Err(Unsaved::Failed(said))
            }
        }
    }

    /// Says in the status bar why an action without a form saved nothing
    /// (a store failure is said by the save state already).
    pub fn say_unsaved(&mut self, why: Unsaved) {
        if let Unsaved::Refused(problems) = why {
            self.say_problems(&problems);
        }
    }

    /// A step that cannot be undone asks first: the first press says what
    /// will happen; the same key on the same record next does it (true).
    /// Any other key leaves it undone.
    pub fn confirmed(&mut self, a: super::action::Action, id: &Id, what: String) -> bool {
        let step = (a, id.clone());
        if self.waiting.as_ref() == Some(&step) {
            return true;
        }
        self.asked.wait = Some(step);
        let key = self.keymap.primary(a);
        let said = crate::tr!(self.lang, "confirm.again", key = key, what = what);
        self.say(said);
        false
    }

    /// Shows rule problems in the status bar (for actions without a form).
    pub fn say_problems(&mut self, problems: &[Problem]) {
        if let Some(p) = problems.first() {
            let said = i18n::problem(self.lang, p);
            self.say(said);
        }
    }
}

/// Where the interface writes exported reports: `BANGFU_EXPORT_DIR`, or
/// `bangfu-exports` in the home directory.
pub fn export_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("BANGFU_EXPORT_DIR") {
        return PathBuf::from(d);
    }
    directories::UserDirs::new()
        .map(|u| u.home_dir().join("bangfu-exports"))
        .unwrap_or_else(|| PathBuf::from("bangfu-exports"))
}

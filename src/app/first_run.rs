//! The first-run screen, when the data directory holds no workspace: make
//! the Panjin programme, an empty one, demo data, or join with an invite
//! (in the background, so the screen never waits on the network).

use super::action::Action;
use super::dialog::{self, Filling};
use super::form::{Field, Form, FormKind};
use super::keymap::Keymap;
use super::{App, Phase};
use crate::i18n::{self, Lang};
use crate::store::Options;
use crate::store::{EditError, Workspace};
use crate::tr;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use std::path::PathBuf;

/// The first-run menu's choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstRunChoice {
    Panjin,
    Empty,
    Demo,
    Join,
}

impl FirstRunChoice {
    pub const ALL: [FirstRunChoice; 4] = [
        FirstRunChoice::Panjin,
        FirstRunChoice::Empty,
        FirstRunChoice::Demo,
        FirstRunChoice::Join,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FirstRunChoice::Panjin => "panjin",
            FirstRunChoice::Empty => "empty",
            FirstRunChoice::Demo => "demo",
            FirstRunChoice::Join => "join",
        }
    }
}

/// The first-run screen's state.
#[derive(Default)]
pub struct FirstRun {
    /// The choice under the cursor.
    pub choice: usize,
    /// The join form, while open.
    pub form: Option<Form>,
    /// A join running in the background.
    pub joining: Option<Joining>,
}

/// What a key on the first-run screen asks of the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    Nothing,
    Quit,
    ToggleLanguage,
    /// Make a workspace of this kind.
    Make(FirstRunChoice),
    /// Join with this invite, under this name.
    Join {
        ticket: String,
        name: String,
    },
}

impl FirstRun {
    pub fn chosen(&self) -> FirstRunChoice {
        let last = FirstRunChoice::ALL.len() - 1;
        FirstRunChoice::ALL[self.choice.min(last)]
    }

    pub fn key(&mut self, k: KeyEvent, keymap: &Keymap, lang: Lang, person: &str) -> Asked {
        if let Some(form) = &mut self.form {
            return match dialog::form_key(form, k, keymap, lang) {
                Filling::Save => self.join(lang, person),
                Filling::Cancel => {
                    self.form = None;
                    Asked::Nothing
                }
                Filling::Quit => Asked::Quit,
                Filling::Stay | Filling::Changed(_) => Asked::Nothing,
            };
        }
        let a = keymap.normal_action(&k);
        if self.joining.is_some() {
            return match a {
                Some(Action::Quit) => Asked::Quit,
                _ => Asked::Nothing,
            };
        }
        // A choice's number moves to it; Enter then does what is shown.
        if let KeyCode::Char(c) = k.code
            && let Some(n) = c.to_digit(10)
            && (1..=FirstRunChoice::ALL.len()).contains(&(n as usize))
        {
            self.choice = n as usize - 1;
            return Asked::Nothing;
        }
        match a {
            Some(Action::Up) => self.choice = self.choice.saturating_sub(1),
            Some(Action::Down) => {
                self.choice = (self.choice + 1).min(FirstRunChoice::ALL.len() - 1);
            }
            Some(Action::Quit) | Some(Action::Back) => return Asked::Quit,
            Some(Action::ToggleLanguage) => return Asked::ToggleLanguage,
            Some(Action::Select) if self.chosen() == FirstRunChoice::Join => {
                self.form = Some(join_form(lang, person));
            }
            Some(Action::Select) => return Asked::Make(self.chosen()),
            _ => {}
        }
        Asked::Nothing
    }

    /// Checks the invite; a bad one keeps the form open with the reason by
    /// the field.
    fn join(&mut self, lang: Lang, person: &str) -> Asked {
        let Some(form) = &mut self.form else {
            return Asked::Nothing;
        };
        form.clear_errors();
        let ticket = form.text("ticket").split_whitespace().collect::<String>();
        if let Err(e) = crate::sync::ticket::Invite::verify(&ticket) {
            form.set_error("ticket", i18n::text(lang, &format!("invite.{}", e.code())));
            form.focus_first_error();
            return Asked::Nothing;
        }
        let name = Some(form.text("name"))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| person.to_string());
        self.form = None;
        Asked::Join { ticket, name }
    }
}

/// The join form: an invite and the name others will see.
fn join_form(lang: Lang, person: &str) -> Form {
    Form::new(
        FormKind::Join,
        tr!(lang, "form.join"),
        vec![
            Field::line("ticket", i18n::field(lang, "invite"), ""),
            Field::line("name", i18n::field(lang, "member_name"), person),
        ],
    )
}

/// A join running on its own thread.
pub struct Joining {
    rx: std::sync::mpsc::Receiver<Result<(), String>>,
}

impl Joining {
    pub fn start(
        dir: PathBuf,
        ticket: String,
        name: String,
        options: Options,
        lang: Lang,
        mdns: bool,
    ) -> Joining {
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("bangfu-join".into())
            .spawn({
                let tx = tx.clone();
                move || {
                    let outcome =
                        crate::sync::node::join_blocking(&dir, &ticket, &name, options, mdns)
                            .map_err(|e| crate::i18n::sync_error(lang, &e));
                    let _ = tx.send(outcome);
                }
            });
        if let Err(e) = spawned {
            let _ = tx.send(Err(e.to_string()));
        }
        Joining { rx }
    }

    /// How the join ended, once it has.
    pub fn ended(&self) -> Option<Result<(), String>> {
        match self.rx.try_recv() {
            Ok(o) => Some(o),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Some(Err(String::new())),
        }
    }
}

impl App {
    pub(super) fn first_run_key(&mut self, k: KeyEvent) {
        let Phase::FirstRun(f) = &mut self.phase else {
            return;
        };
        match f.key(k, &self.keymap, self.lang, &self.options.person) {
            Asked::Nothing => {}
            Asked::Quit => self.quit = true,
            Asked::ToggleLanguage => self.toggle_language(),
            Asked::Make(choice) => self.make(choice),
            Asked::Join { ticket, name } => {
                f.joining = Some(Joining::start(
                    self.data_dir.clone(),
                    ticket,
                    name,
                    self.options.clone(),
                    self.lang,
                    self.lan_discovery,
                ));
                self.message = Some(tr!(self.lang, "tui.joining"));
            }
        }
    }

    /// Makes the workspace chosen on the first-run screen.
    fn make(&mut self, choice: FirstRunChoice) {
        use crate::domain::plan;
        let (dir, options) = (&self.data_dir, self.options.clone());
        let made = match choice {
            FirstRunChoice::Panjin => Workspace::init(dir, &plan::panjin(), options),
            FirstRunChoice::Empty => {
                let y = chrono::Datelike::year(&self.options.today);
                let setup = plan::empty(
                    &tr!(self.lang, "tui.new_programme"),
                    &[tr!(self.lang, "tui.new_district")],
                    y,
                    y + 2,
                );
                Workspace::init(dir, &setup, options)
            }
            FirstRunChoice::Demo => {
                crate::demo::create(dir, crate::demo::Scale::City, 1, options.clone())
                    .and_then(|_| Workspace::open(dir, options).map_err(EditError::from))
            }
            FirstRunChoice::Join => return,
        };
        match made {
            Ok(ws) => self.opened_anew(ws, tr!(self.lang, "tui.created")),
            Err(EditError::Store(e)) => {
                self.message = Some(crate::i18n::store_error(self.lang, &e))
            }
            Err(EditError::Invalid(p)) => {
                self.message = p.first().map(|p| crate::i18n::problem(self.lang, p));
            }
        }
    }

    /// Picks up the end of a join started on the first-run screen.
    pub(super) fn poll_join(&mut self) {
        let Phase::FirstRun(f) = &mut self.phase else {
            return;
        };
        let Some(outcome) = f.joining.as_ref().and_then(|j| j.ended()) else {
            return;
        };
        f.joining = None;
        match outcome.and_then(|()| {
            Workspace::open(&self.data_dir, self.options.clone())
                .map_err(|e| crate::i18n::store_error(self.lang, &e))
        }) {
            Ok(ws) => self.opened_anew(ws, tr!(self.lang, "tui.joined")),
            Err(m) => self.message = Some(m),
        }
    }

    /// Leaves the open workspace (the sync screen's N, confirmed) for the
    /// first-run menu: it is closed and set aside; if that fails it is
    /// opened again and nothing is lost.
    pub(super) fn start_over(&mut self) {
        self.stop_sync();
        self.phase = Phase::FirstRun(Box::default());
        match crate::store::set_aside(&self.data_dir) {
            Ok(path) => {
                let path = path.display().to_string();
                self.message = Some(tr!(self.lang, "start_over.done", path = path));
            }
            Err(e) => {
                let said = crate::i18n::store_error(self.lang, &e);
                if let Ok(ws) = Workspace::open(&self.data_dir, self.options.clone()) {
                    self.opened_anew(ws, said);
                } else {
                    self.message = Some(said);
                }
            }
        }
    }

    /// A workspace was made or joined on the first-run screen.
    fn opened_anew(&mut self, ws: Workspace, message: String) {
        self.open(ws);
        self.message = Some(message);
        self.start_sync();
    }
}

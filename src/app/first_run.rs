//! The first-run menu and joining with an invite in the background.

use super::*;

/// The first-run menu, when the data directory holds no workspace.
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

/// A join running on its own thread: the first-run screen waits for it
/// without waiting on the network.
pub struct Joining {
    rx: std::sync::mpsc::Receiver<Result<(), String>>,
}

impl Joining {
    pub(super) fn start(
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
}

impl App {
    pub(super) fn first_run_key(&mut self, k: KeyEvent) {
        if self.joining.is_some() {
            if self.keymap.normal_action(&k) == Some(Action::Quit) {
                self.quit = true;
            }
            return;
        }
        match self.keymap.normal_action(&k) {
            Some(Action::Up) => self.first_run = self.first_run.saturating_sub(1),
            Some(Action::Down) => {
                self.first_run = (self.first_run + 1).min(FirstRunChoice::ALL.len() - 1);
            }
            Some(Action::Quit) | Some(Action::Back) => self.quit = true,
            Some(Action::Select) => self.first_run_choose(),
            Some(Action::ToggleLanguage) => {
                self.lang = if self.lang == Lang::Zh {
                    Lang::En
                } else {
                    Lang::Zh
                };
            }
            Some(Action::Help) => {}
            _ => {}
        }
    }

    pub(super) fn first_run_choose(&mut self) {
        use crate::domain::plan;
        let choice = FirstRunChoice::ALL[self.first_run.min(FirstRunChoice::ALL.len() - 1)];
        let made = match choice {
            FirstRunChoice::Panjin => {
                Workspace::init(&self.data_dir, &plan::panjin(), self.options.clone())
            }
            FirstRunChoice::Empty => {
                let y = chrono::Datelike::year(&self.today());
                let setup = plan::empty(
                    &tr!(self.lang, "tui.new_programme"),
                    &[tr!(self.lang, "tui.new_district")],
                    y,
                    y + 2,
                );
                Workspace::init(&self.data_dir, &setup, self.options.clone())
            }
            FirstRunChoice::Demo => crate::demo::create(
                &self.data_dir,
                crate::demo::Scale::City,
                1,
                self.options.clone(),
            )
            .and_then(|_| {
                Workspace::open(&self.data_dir, self.options.clone()).map_err(EditError::from)
            }),
            FirstRunChoice::Join => {
                self.overlay = Some(Overlay::Form(Box::new(forms::join_form(
                    self.lang,
                    &self.options.person,
                ))));
                return;
            }
        };
        match made {
            Ok(ws) => self.opened(ws, tr!(self.lang, "tui.created")),
            Err(EditError::Store(e)) => {
                self.message = Some(crate::i18n::store_error(self.lang, &e))
            }
            Err(EditError::Invalid(p)) => self.say_problems(&p),
        }
    }

    /// Picks up the end of a join started on the first-run screen.
    pub(super) fn poll_join(&mut self) {
        let Some(j) = &self.joining else { return };
        let outcome = match j.rx.try_recv() {
            Ok(o) => o,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Err(String::new()),
        };
        self.joining = None;
        match outcome.and_then(|()| {
            Workspace::open(&self.data_dir, self.options.clone())
                .map_err(|e| crate::i18n::store_error(self.lang, &e))
        }) {
            Ok(ws) => self.opened(ws, tr!(self.lang, "tui.joined")),
            Err(m) => self.message = Some(m),
        }
    }

    /// A workspace was created or joined on the first-run screen.
    pub(super) fn opened(&mut self, ws: Workspace, message: String) {
        self.ws = Some(ws);
        self.me = crate::identity::load(&self.data_dir)
            .ok()
            .flatten()
            .map(|k| crate::identity::endpoint_hex(&k));
        self.clamp_year();
        self.rebuild_rows();
        self.message = Some(message);
        self.start_sync();
    }
}

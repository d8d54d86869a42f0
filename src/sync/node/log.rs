//! The hub's log: sessions and refusals, rate-limited. The sync layer
//! knows no languages: it logs [`Entry`] values, and whoever opens the log
//! (`bangfu serve`) says how each is worded.

use super::*;

/// One thing the hub did or refused; peers by their short id.
#[derive(Debug)]
pub enum Entry<'a> {
    /// Started: the programme, this device, the addresses it listens on.
    Serving {
        programme: &'a str,
        me: &'a str,
        addrs: &'a str,
    },
    /// The address book could not be read (from the store).
    AddressBook(&'a crate::store::StoreError),
    /// A session this hub started brought changed documents.
    Pulled {
        peer: &'a str,
        docs: usize,
    },
    /// A session this hub started failed.
    NotReached {
        peer: &'a str,
        error: &'a SyncError,
    },
    /// A session a peer started, done.
    Synced {
        peer: &'a str,
        report: &'a SessionReport,
    },
    /// The exchange of files that followed a session a peer started.
    Files {
        peer: &'a str,
        report: &'a files::FilesReport,
    },
    /// A session a peer started, failed.
    SyncFailed {
        peer: &'a str,
        error: &'a SyncError,
    },
    /// A session a peer started, cut by the session timeout.
    TimedOut {
        peer: &'a str,
    },
    /// A device joined with an invite.
    Joined {
        peer: &'a str,
    },
    /// A join was refused; the refusal's code.
    JoinRefused {
        peer: &'a str,
        code: &'a str,
    },
    /// A device that is no member was turned away.
    NotMember {
        peer: &'a str,
    },
    /// Too many sessions (`join`: joins) at once.
    Busy {
        peer: &'a str,
        join: bool,
    },
    /// The refusals of this minute from here on are not logged.
    Quiet,
    Stopping,
}

/// How entries are worded.
pub type Words = Arc<dyn Fn(&Entry<'_>) -> String + Send + Sync>;

/// A log of what the hub did, one timestamped line each, to a file (and
/// standard error when asked).
#[derive(Clone)]
pub struct Log {
    file: Option<Arc<Mutex<std::fs::File>>>,
    echo: bool,
    words: Words,
    /// Refusals logged in the current minute: (minute, count).
    refusals: Arc<Mutex<(i64, u32)>>,
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Log")
            .field("file", &self.file.is_some())
            .field("echo", &self.echo)
            .finish()
    }
}

impl Log {
    /// A log that keeps nothing (the interface's background sync).
    pub fn none() -> Log {
        Log {
            file: None,
            echo: false,
            words: Arc::new(|_| String::new()),
            refusals: Arc::default(),
        }
    }

    /// A log appended to `path`, each entry worded by `words`.
    pub fn to_file(path: &Path, echo: bool, words: Words) -> std::io::Result<Log> {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(Log {
            file: Some(Arc::new(Mutex::new(f))),
            echo,
            words,
            refusals: Arc::default(),
        })
    }

    /// A refused connection or join: logged, at most
    /// [`REFUSALS_PER_MINUTE`] a minute.
    pub fn refusal(&self, entry: &Entry<'_>) {
        let minute = chrono::Utc::now().timestamp().div_euclid(60);
        let n = {
            let mut r = self.refusals.lock().unwrap_or_else(|e| e.into_inner());
            if r.0 != minute {
                *r = (minute, 0);
            }
            r.1 = r.1.saturating_add(1);
            r.1
        };
        match n.cmp(&REFUSALS_PER_MINUTE) {
            std::cmp::Ordering::Less => self.line(entry),
            std::cmp::Ordering::Equal => {
                self.line(entry);
                self.line(&Entry::Quiet);
            }
            std::cmp::Ordering::Greater => {}
        }
    }

    pub fn line(&self, entry: &Entry<'_>) {
        if self.file.is_none() && !self.echo {
            return;
        }
        let line = format!(
            "{} {}\n",
            chrono::Local::now().format("%Y-%m-%d %H:%M:%S"),
            (self.words)(entry)
        );
        if let Some(f) = &self.file {
            let mut f = f.lock().unwrap_or_else(|e| e.into_inner());
            let _ = std::io::Write::write_all(&mut *f, line.as_bytes());
        }
        if self.echo {
            eprint!("{line}");
        }
    }
}

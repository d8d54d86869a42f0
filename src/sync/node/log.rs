//! The hub's log: sessions and refusals, rate-limited.

use super::*;

/// A log of what the hub did, one timestamped line each, to a file (and
/// standard error when asked).
#[derive(Debug, Clone)]
pub struct Log {
    file: Option<Arc<Mutex<std::fs::File>>>,
    echo: bool,
    /// Refusals logged in the current minute: (minute, count).
    refusals: Arc<Mutex<(i64, u32)>>,
}

impl Log {
    pub fn none() -> Log {
        Log {
            file: None,
            echo: false,
            refusals: Arc::default(),
        }
    }

    pub fn to_file(path: &Path, echo: bool) -> std::io::Result<Log> {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(Log {
            file: Some(Arc::new(Mutex::new(f))),
            echo,
            refusals: Arc::default(),
        })
    }

    /// A refused connection or join: logged, at most
    /// [`REFUSALS_PER_MINUTE`] a minute.
    pub fn refusal(&self, text: &str) {
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
            std::cmp::Ordering::Less => self.line(text),
            std::cmp::Ordering::Equal => self.line(&format!(
                "{text} (more refusals this minute are not logged)"
            )),
            std::cmp::Ordering::Greater => {}
        }
    }

    pub fn line(&self, text: &str) {
        let line = format!(
            "{} {text}\n",
            chrono::Local::now().format("%Y-%m-%d %H:%M:%S")
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

//! What can go wrong with a workspace on disk.

use crate::domain::Problem;
use std::path::PathBuf;

/// A workspace that cannot be created, read or written. Each names what
/// failed; none leaves the files changed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no workspace in {dir}")]
    NoWorkspace { dir: PathBuf },
    /// The data directory named is a file.
    #[error("{path} is not a directory")]
    NotADirectory { path: PathBuf },
    #[error("a workspace already exists in {dir}")]
    AlreadyExists { dir: PathBuf },
    #[error("the workspace in {dir} holds real data, not demo data")]
    NotDemo { dir: PathBuf },
    #[error("{path} is not a bangfu workspace")]
    NotAWorkspace { path: PathBuf },
    #[error("{path} was written by a newer bangfu (storage format {version})")]
    TooNew { path: PathBuf, version: i32 },
    #[error("{path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A document whose stored bytes do not load, or load incompletely.
    #[error("document {doc}: {detail}")]
    Damaged { doc: String, detail: String },
    /// A membership change needs this device's key to sign it.
    #[error("this device has no key to sign with")]
    NoDeviceKey,
    /// An automerge operation failed (a bug, not bad data).
    #[error("document {doc}: {detail}")]
    Automerge { doc: String, detail: String },
}

/// Why an edit was not saved: the record breaks a rule, or the store failed.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("invalid: {0:?}")]
    Invalid(Vec<Problem>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl EditError {
    /// A single problem as an error.
    pub fn invalid(problems: Vec<Problem>) -> Result<(), EditError> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(EditError::Invalid(problems))
        }
    }
}

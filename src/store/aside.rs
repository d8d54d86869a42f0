//! Making room for another workspace in a data directory: one made by
//! mistake and never used, or demo data, is set aside (renamed) before a
//! join or a new choice on the first-run menu; demo data can be removed.

use super::db::{self, Db};
use super::state::sqlite_err;
use super::{DB_FILE, Options, StoreError, Workspace, now_ms};
use std::path::{Path, PathBuf};

impl Workspace {
    /// Whether nobody has used this workspace yet: no kindergarten, no
    /// other member, never synced (what `init` or the first-run menu made
    /// by mistake).
    pub fn unused(&self) -> Result<bool, StoreError> {
        let m = self.model();
        let fresh = m.kindergartens().next().is_none() && m.members.len() <= 1;
        Ok(fresh && self.peers()?.is_empty())
    }

    /// Whether it holds demo data (made by `bangfu demo`).
    pub fn is_demo(&self) -> Result<bool, StoreError> {
        db::meta_get(&self.db.conn, "demo_seed")
            .map(|seed| seed.is_some())
            .map_err(sqlite_err(&self.db.path))
    }
}

/// Sets aside a workspace nobody has used yet ([`Workspace::unused`]) so
/// a join or the first-run menu can take its place: the file is renamed, never
/// deleted. `None` when there is none, or it has been used (then it
/// stays where it is).
pub fn set_aside_unused(dir: &Path, options: Options) -> Result<Option<PathBuf>, StoreError> {
    let path = dir.join(DB_FILE);
    if !path.exists() {
        return Ok(None);
    }
    if !Workspace::open(dir, options)?.unused()? {
        return Ok(None);
    }
    set_aside(dir).map(Some)
}

/// Renames the workspace in `dir` (with its WAL files) to
/// `workspace.db.unused-<ms>`, kept for whoever wants it back; returns
/// the new name. The caller has closed it and decided it may go.
pub fn set_aside(dir: &Path) -> Result<PathBuf, StoreError> {
    let path = dir.join(DB_FILE);
    let when = now_ms();
    let aside = dir.join(format!("{DB_FILE}.unused-{when}"));
    for suffix in ["-wal", "-shm"] {
        let p = dir.join(format!("{DB_FILE}{suffix}"));
        if p.exists() {
            let mut to = aside.clone().into_os_string();
            to.push(suffix);
            let to = PathBuf::from(to);
            std::fs::rename(&p, &to).map_err(|source| StoreError::Io { path: p, source })?;
        }
    }
    // Its attached files go aside with it, under the same time.
    let blobs = dir.join("blobs");
    if blobs.is_dir() {
        let to = dir.join(format!("blobs.unused-{when}"));
        std::fs::rename(&blobs, to).map_err(|source| StoreError::Io {
            path: blobs.clone(),
            source,
        })?;
    }
    std::fs::rename(&path, &aside).map_err(|source| StoreError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(aside)
}

/// Deletes the workspace in `dir` if it holds demo data (made with a seed);
/// refuses to touch any other. Returns whether one was deleted.
pub fn remove_demo(dir: &Path) -> Result<bool, StoreError> {
    let path = dir.join(DB_FILE);
    if !path.exists() {
        return Ok(false);
    }
    let is_demo = {
        let db = Db::open(&path)?;
        db::meta_get(&db.conn, "demo_seed")
            .map_err(sqlite_err(&path))?
            .is_some()
    };
    if !is_demo {
        return Err(StoreError::NotDemo {
            dir: dir.to_path_buf(),
        });
    }
    for suffix in ["", "-wal", "-shm"] {
        let p = dir.join(format!("{DB_FILE}{suffix}"));
        if p.exists() {
            std::fs::remove_file(&p).map_err(|source| StoreError::Io {
                path: p.clone(),
                source,
            })?;
        }
    }
    // The demo's drawn photos.
    let blobs = dir.join("blobs");
    if blobs.is_dir() {
        std::fs::remove_dir_all(&blobs).map_err(|source| StoreError::Io {
            path: blobs.clone(),
            source,
        })?;
    }
    Ok(true)
}

//! The workspace's attached files, kept by content: `blobs/ab/abcd…`
//! under the data directory, named by the BLAKE3 hash of their bytes
//! (docs/STORAGE.md, "Attached files").
//!
//! A file is written to a temporary name, synced, renamed into place and
//! its directory synced, before any record refers to it: a reference is
//! only ever committed after its bytes are durable, so a crash leaves at
//! most a file nothing refers to (which `doctor` lists), never a
//! reference without its file. A file is present only when its length and
//! hash are right: a partial or damaged file is never shown as present.

pub(crate) use super::mapping::is_hash;
use crate::domain::Blob;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where a workspace keeps its files.
#[derive(Debug, Clone)]
pub struct Blobs {
    dir: PathBuf,
}

/// What the store holds of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    Present,
    Missing,
    /// There, but its bytes are not the ones the record names.
    Damaged,
}

/// The BLAKE3 hash of `bytes` as the store names it.
pub fn hash_of(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

impl Blobs {
    /// The files of the workspace in `data_dir`.
    pub fn in_dir(data_dir: &Path) -> Blobs {
        Blobs {
            dir: data_dir.join("blobs"),
        }
    }

    /// Where a file with this hash lives; none for what is not a hash
    /// (a hash comes from records other devices wrote: it must never name
    /// a path outside the store).
    pub fn path(&self, hash: &str) -> Option<PathBuf> {
        if !super::mapping::is_hash(hash) {
            return None;
        }
        let fan = hash.get(..2)?;
        Some(self.dir.join(fan).join(hash))
    }

    /// Keeps `bytes`; returns the blob that names them. Durable when it
    /// returns (see the module comment). Keeping bytes already kept
    /// changes nothing.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<Blob> {
        let blob = Blob {
            hash: hash_of(bytes),
            bytes: bytes.len() as u64,
        };
        if self.held(&blob) == Held::Present {
            return Ok(blob);
        }
        let Some(path) = self.path(&blob.hash) else {
            return Err(std::io::Error::other("not a hash"));
        };
        write_durably(&path, bytes)?;
        Ok(blob)
    }

    /// Where the part of a file still arriving is kept between transfers
    /// (`blobs/partial/<hash>`); none for what is not a hash.
    pub fn partial_path(&self, hash: &str) -> Option<PathBuf> {
        super::mapping::is_hash(hash).then(|| self.dir.join("partial").join(hash))
    }

    /// Keeps what arrived of a file (durably: a crash keeps the old part
    /// or the new one, never a torn one).
    pub fn put_partial(&self, hash: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self
            .partial_path(hash)
            .ok_or_else(|| std::io::Error::other("not a hash"))?;
        write_durably(&path, bytes)
    }

    /// What arrived of a file in earlier transfers.
    pub fn partial(&self, hash: &str) -> Option<Vec<u8>> {
        std::fs::read(self.partial_path(hash)?).ok()
    }

    /// Forgets what arrived of a file (it is whole now, or the part was
    /// unusable).
    pub fn drop_partial(&self, hash: &str) {
        if let Some(p) = self.partial_path(hash) {
            let _ = std::fs::remove_file(p);
        }
    }

    /// Forgets every part kept but those of `lacking` (files still to
    /// come): parts of files that are whole now or no longer asked for,
    /// and temporary files a killed process left behind.
    pub fn tidy_partials(&self, lacking: &std::collections::BTreeSet<String>) {
        let Ok(entries) = std::fs::read_dir(self.dir.join("partial")) else {
            return;
        };
        for e in entries.flatten() {
            let keep = e.file_name().to_str().is_some_and(|n| lacking.contains(n));
            if !keep {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }

    /// The file's bytes, checked against its hash.
    pub fn read(&self, blob: &Blob) -> Option<Vec<u8>> {
        let bytes = std::fs::read(self.path(&blob.hash)?).ok()?;
        (bytes.len() as u64 == blob.bytes && hash_of(&bytes) == blob.hash).then_some(bytes)
    }

    /// Whether the file is here, checked by length only (cheap: for lists
    /// and screens). [`Blobs::verify`] reads it whole.
    pub fn held(&self, blob: &Blob) -> Held {
        match self.path(&blob.hash).map(std::fs::metadata) {
            Some(Ok(m)) if m.len() == blob.bytes => Held::Present,
            Some(Ok(_)) => Held::Damaged,
            _ => Held::Missing,
        }
    }

    /// Whether the file is here with exactly its bytes (`doctor`).
    pub fn verify(&self, blob: &Blob) -> Held {
        match self.held(blob) {
            Held::Present if self.read(blob).is_none() => Held::Damaged,
            h => h,
        }
    }

    /// Every file kept here, by hash (`doctor`: files nothing refers to).
    pub fn hashes(&self) -> Vec<String> {
        let mut out = Vec::new();
        let Ok(fans) = std::fs::read_dir(&self.dir) else {
            return out;
        };
        // Only the fan-out directories (`ab/`), not `partial/`.
        for fan in fans.flatten().filter(|f| f.file_name().len() == 2) {
            let Ok(files) = std::fs::read_dir(fan.path()) else {
                continue;
            };
            out.extend(
                files
                    .flatten()
                    .filter_map(|f| f.file_name().into_string().ok())
                    .filter(|n| super::mapping::is_hash(n)),
            );
        }
        out.sort();
        out
    }
}

/// Writes a file under a temporary name, syncs it, renames it into place
/// and syncs its directory.
fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let Some(parent) = path.parent() else {
        return Err(std::io::Error::other("no directory"));
    };
    std::fs::create_dir_all(parent)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = parent.join(format!(".{name}.{}.part", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(parent)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_kept_by_its_hash_and_read_back_only_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blobs = Blobs::in_dir(dir.path());
        let b = blobs.put("签到表".as_bytes()).expect("put");
        assert_eq!(b.hash, hash_of("签到表".as_bytes()));
        assert_eq!(blobs.read(&b).as_deref(), Some("签到表".as_bytes()));
        assert_eq!(blobs.held(&b), Held::Present);
        assert_eq!(blobs.hashes(), vec![b.hash.clone()]);
        // Cut short: not present.
        let path = blobs.path(&b.hash).expect("path");
        std::fs::write(&path, b"x").expect("cut");
        assert_eq!(blobs.held(&b), Held::Damaged);
        assert_eq!(blobs.read(&b), None);
        // The same length, other bytes: found by reading it whole.
        std::fs::write(&path, "签到单".as_bytes()).expect("swap");
        assert_eq!(blobs.held(&b), Held::Present);
        assert_eq!(blobs.verify(&b), Held::Damaged);
        // A name from elsewhere that is not a hash names no path.
        assert_eq!(blobs.path("../../etc/passwd"), None);
        assert_eq!(blobs.path(&"A".repeat(64)), None);
    }
}

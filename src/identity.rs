//! This device's identity: an ed25519 key kept in the data directory
//! (`device.key`, readable by its owner only). Its public half is the
//! device's endpoint id: how peers know it, and the device recorded with
//! each change it makes.

use iroh::SecretKey;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const KEY_FILE: &str = "device.key";

pub fn key_path(dir: &Path) -> PathBuf {
    dir.join(KEY_FILE)
}

/// An endpoint id as 64 lowercase hex digits.
pub fn endpoint_hex(key: &SecretKey) -> String {
    hex(key.public().as_bytes())
}

/// The first eight characters of a device id: how people see it.
pub fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

/// An endpoint id from its 64 hex digits (either case), by iroh's own
/// parser: no slicing of text a stranger sent.
pub fn endpoint_id(hex: &str) -> Option<iroh::EndpointId> {
    let h = hex.trim();
    if h.len() != 64 {
        return None;
    }
    h.to_ascii_lowercase().parse::<iroh::PublicKey>().ok()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The device key, if the data directory has one.
pub fn load(dir: &Path) -> std::io::Result<Option<SecretKey>> {
    let path = key_path(dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let t = text.trim();
    let key = (t.len() == 64)
        .then(|| t.to_ascii_lowercase().parse::<SecretKey>().ok())
        .flatten();
    key.map(Some).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} is not a device key", path.display()),
        )
    })
}

/// The device key, made (and saved with mode 0600) if there is none yet.
pub fn load_or_create(dir: &Path) -> std::io::Result<SecretKey> {
    if let Some(k) = load(dir)? {
        return Ok(k);
    }
    std::fs::create_dir_all(dir)?;
    let mut bytes = [0u8; 32];
    rand::RngExt::fill(&mut rand::rng(), &mut bytes);
    let key = SecretKey::from_bytes(&bytes);
    let path = key_path(dir);
    let tmp = path.with_extension(format!("key.new-{}", std::process::id()));
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp)?;
        f.write_all(format!("{}\n", hex(&key.to_bytes())).as_bytes())?;
        f.sync_all()?;
    }
    // Another process may have made one meanwhile: keep the first.
    if path.exists() {
        let _ = std::fs::remove_file(&tmp);
        return load(dir)?.ok_or_else(|| std::io::Error::other("device key vanished"));
    }
    std::fs::rename(&tmp, &path)?;
    Ok(key)
}

/// Files bangfu makes hold staff names and phone numbers: from here on,
/// everything this process creates (the workspace, its WAL, logs, bundles,
/// exports, folders) is readable by its owner only (0600 files, 0700
/// folders).
pub fn private_by_default() {
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file creation mask; it reads
    // no memory and cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Tightens a data folder and the workspace files already in it (made by
/// an earlier version) to owner-only. Best effort: a folder someone else
/// owns is left as it is.
pub fn make_private(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let set = |p: &Path, mode: u32| {
            if let Ok(m) = std::fs::metadata(p)
                && m.permissions().mode() & 0o777 != mode
            {
                let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode));
            }
        };
        set(dir, 0o700);
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_file() {
                    set(&p, 0o600);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_key_is_made_once_and_only_its_owner_may_read_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = super::load_or_create(dir.path()).expect("key");
        let b = super::load_or_create(dir.path()).expect("key");
        assert_eq!(a.to_bytes(), b.to_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(super::key_path(dir.path()))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(super::endpoint_hex(&a).len(), 64);
    }
}

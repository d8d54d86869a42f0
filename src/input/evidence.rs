//! Files given to attach, from either front end: folders opened, each file
//! read and prepared (`media::prepare`), each refusal said with why.

use crate::domain::evidence::Prepared;
use crate::domain::{Attachment, Model};
use crate::i18n::Lang;
use crate::media;
use crate::present::evidence::Here;
use crate::store::blobs::{Blobs, Held};
use crate::tr;
use std::path::{Path, PathBuf};

/// The files given, folders opened (their files in name order, not
/// their subfolders).
pub fn files_in(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        match std::fs::read_dir(p) {
            Ok(entries) => {
                let mut inside: Vec<PathBuf> = entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|f| f.is_file())
                    .collect();
                inside.sort();
                out.extend(inside);
            }
            Err(_) => out.push(p.clone()),
        }
    }
    out
}

/// One file read and prepared; why not, in words.
pub fn read_file(l: Lang, path: &Path, keep_original: bool) -> Result<Prepared, String> {
    let shown = path.display().to_string();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let bytes = std::fs::read(path).map_err(|e| {
        tr!(
            l,
            "import.unreadable",
            path = shown.as_str(),
            detail = e.to_string()
        )
    })?;
    media::prepare(&name, &bytes, keep_original).map_err(|e| {
        tr!(
            l,
            "evidence.file_refused",
            path = shown.as_str(),
            why = e.say(l)
        )
    })
}

/// Every file given (folders opened) read and prepared: those ready to
/// attach, and a sentence for each refused one.
pub fn read_files(l: Lang, paths: &[PathBuf], keep_original: bool) -> (Vec<Prepared>, Vec<String>) {
    let mut ready = Vec::new();
    let mut refused = Vec::new();
    for path in files_in(paths) {
        match read_file(l, &path, keep_original) {
            Ok(p) => ready.push(p),
            Err(why) => refused.push(why),
        }
    }
    (ready, refused)
}

/// What this device holds of an attachment.
pub fn here(blobs: &Blobs, a: &Attachment) -> Here {
    match (
        blobs.held(&a.file),
        a.thumbnail.as_ref().map(|t| blobs.held(t)),
    ) {
        (Held::Present, _) => Here::Present,
        (_, Some(Held::Present)) => Here::ThumbnailOnly,
        _ => Here::Missing,
    }
}

/// Writes the files here to `dir` with a clerk's names; how many. A file
/// not here yet is said (with how many were written), not skipped
/// silently.
pub fn write_out(
    l: Lang,
    m: &Model,
    blobs: &Blobs,
    list: &[&Attachment],
    dir: &Path,
) -> Result<usize, String> {
    let io = |path: &Path, e: std::io::Error| {
        tr!(
            l,
            "export.io",
            path = path.display().to_string(),
            detail = e.to_string()
        )
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut written = 0usize;
    let mut missing = Vec::new();
    // Numbered from 1 among the files whose names would be the same (two
    // visits to one kindergarten on one day share a stem).
    let mut numbers: std::collections::BTreeMap<String, usize> = Default::default();
    for x in list {
        let stem = crate::present::evidence::clerk_stem(l, m, x);
        let n = numbers.entry(stem.clone()).or_insert(0);
        *n = n.saturating_add(1);
        let Some(bytes) = blobs.read(&x.file) else {
            missing.push(x.name.clone());
            continue;
        };
        let path = dir.join(crate::present::evidence::clerk_name(&stem, x, *n));
        crate::export::write_file_atomically(&path, &bytes).map_err(|e| io(&path, e))?;
        written = written.saturating_add(1);
    }
    if missing.is_empty() {
        Ok(written)
    } else {
        Err(tr!(
            l,
            "evidence.not_here",
            names = missing.join(l.sep()),
            written = written
        ))
    }
}

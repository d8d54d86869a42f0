//! The layers keep their direction: drawing (`src/ui`) does no I/O and
//! never reaches the store, and no two top-level modules import each other
//! (directly or round a longer cycle). A small check over the source text:
//! comments and test modules are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("read src").flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A file's code: comments dropped, and everything from a `#[cfg(test)]`
/// on (test modules sit at the end of a file). Files that are test
/// modules as a whole (`tests.rs`) have no code here.
fn code(path: &Path) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(path).expect("read source");
    let mut out = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = match line.find("//") {
            Some(i) => line.get(..i).unwrap_or(line),
            None => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a file belongs to (`src/ui/sync.rs` → `ui`).
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    Some(first.trim_end_matches(".rs").to_string())
}

/// The top-level modules `code` names as `crate::X`.
fn uses(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = code.get(i + "crate::".len()..).unwrap_or("");
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if modules.contains(&name) {
            out.insert(name);
        }
        // `use crate::{a, b::c}` names several.
        if rest.starts_with('{') {
            let group: String = rest.chars().take_while(|c| *c != '}').collect();
            for part in group.trim_start_matches('{').split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if modules.contains(&name) {
                    out.insert(name);
                }
            }
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let files = rust_files(&src());
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| module_of(f))
        .filter(|m| m != "main" && m != "lib")
        .collect();
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let Some(m) = module_of(f) else { continue };
        let mut used = uses(&code(f), &modules);
        used.remove(&m);
        g.entry(m).or_default().extend(used);
    }
    g
}

/// A path from `from` back to `to`, if there is one.
fn path_back(
    g: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    to: &str,
    seen: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if from == to {
        return Some(vec![to.to_string()]);
    }
    if !seen.insert(from.to_string()) {
        return None;
    }
    for next in g.get(from).into_iter().flatten() {
        if let Some(mut p) = path_back(g, next, to, seen) {
            p.insert(0, from.to_string());
            return Some(p);
        }
    }
    None
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let g = graph();
    assert!(g.contains_key("domain") && g.contains_key("ui"), "{g:?}");
    let mut cycles = Vec::new();
    for (m, used) in &g {
        for u in used {
            if let Some(p) = path_back(&g, u, m, &mut BTreeSet::new()) {
                cycles.push(format!("{m} -> {}", p.join(" -> ")));
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_domain_depends_on_nothing_else_in_bangfu() {
    let g = graph();
    let used = g.get("domain").cloned().unwrap_or_default();
    assert!(used.is_empty(), "domain uses {used:?}");
}

#[test]
fn drawing_does_no_io_and_never_reaches_the_store() {
    let forbidden = [
        "crate::store",
        "std::fs",
        "std::net",
        "std::process",
        "File::",
        "rusqlite",
        "Workspace",
        ".workspace()",
    ];
    let files: Vec<PathBuf> = rust_files(&src().join("ui"));
    assert!(files.len() > 3, "the interface's drawing is in src/ui");
    let mut found = Vec::new();
    for f in &files {
        // Without white space, so a call chain split over lines is seen.
        let code: String = code(f).split_whitespace().collect();
        for bad in forbidden {
            if code.contains(bad) {
                found.push(format!("{}: {bad}", f.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "I/O or store in drawing:\n{}",
        found.join("\n")
    );
}

/// Words and files for people (records as rows and JSON, reports as
/// files) are made from the domain alone (and device ids shortened by
/// `identity`): they never reach into the store, the network or the
/// interface.
#[test]
fn present_and_export_depend_only_on_the_domain_and_the_words() {
    let g = graph();
    for (module, allowed) in [
        ("present", &["domain", "i18n", "identity"][..]),
        ("export", &["domain", "i18n", "present"][..]),
    ] {
        let used = g
            .get(module)
            .cloned()
            .unwrap_or_else(|| panic!("no {module}"));
        let beyond: Vec<&String> = used
            .iter()
            .filter(|m| !allowed.contains(&m.as_str()))
            .collect();
        assert!(beyond.is_empty(), "{module} uses {beyond:?}");
    }
}

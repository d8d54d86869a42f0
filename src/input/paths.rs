//! Paths as people give them in a form: typed, pasted, or dropped onto the
//! terminal by a file manager (in quotes, with escaped spaces, or as
//! `file://` URLs), one or several; and Tab completion of the last one.

/// One path: quotes taken off, a `file://` URL decoded.
pub fn one(path: &str) -> String {
    let p = path.trim();
    let p = p
        .strip_prefix('\'')
        .and_then(|q| q.strip_suffix('\''))
        .or_else(|| p.strip_prefix('"').and_then(|q| q.strip_suffix('"')))
        .unwrap_or(p);
    match p.strip_prefix("file://") {
        // `%20` and the like, as a dropped file's URL writes them.
        Some(url) => percent_encoding::percent_decode_str(url)
            .decode_utf8()
            .map_or_else(|_| url.to_string(), |d| d.into_owned()),
        None => p.to_string(),
    }
}

/// The words of `text` as a shell would split them: spaces separate,
/// quotes and a backslash keep a space inside a word.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            (None, c) => word.push(c),
        }
    }
    if any || !word.is_empty() {
        out.push(word);
    }
    out
}

/// Several paths, separated by spaces (a path with spaces in quotes, or
/// its spaces escaped, as terminals paste dropped files).
pub fn several(text: &str) -> Vec<String> {
    words(text)
        .iter()
        .map(|w| one(w))
        .filter(|p| !p.is_empty())
        .collect()
}

/// What the last path of `text` could become: the text before it, the
/// folder typed, the start of the name typed, and the names on disk that
/// begin so (sorted; whether each is a folder).
struct Candidates {
    head: String,
    dir: String,
    prefix: String,
    names: Vec<(String, bool)>,
}

fn candidates(text: &str) -> Option<Candidates> {
    let start = last_word_start(text);
    let (head, last) = text.split_at_checked(start)?;
    let typed = words(last).pop().map(|w| one(&w)).unwrap_or_default();
    let (dir, prefix) = match typed.rfind('/') {
        Some(i) => {
            let (d, p) = typed.split_at_checked(i.checked_add(1)?)?;
            (d.to_string(), p.to_string())
        }
        None => (String::new(), typed.clone()),
    };
    let look_in = if dir.is_empty() { "." } else { dir.as_str() };
    let mut names: Vec<(String, bool)> = std::fs::read_dir(look_in)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let hidden = name.starts_with('.') && !prefix.starts_with('.');
            (name.starts_with(&prefix) && !hidden).then(|| (name, e.path().is_dir()))
        })
        .collect();
    names.sort();
    Some(Candidates {
        head: head.to_string(),
        dir,
        prefix,
        names,
    })
}

/// `text` with its last path completed as far as the files on disk allow
/// (a folder gets its `/`); none when nothing more can be added.
pub fn complete(text: &str) -> Option<String> {
    let c = candidates(text)?;
    let (done, whole) = match c.names.as_slice() {
        [] => return None,
        [(name, true)] => (format!("{name}/"), false),
        [(name, false)] => (name.clone(), true),
        many => (common_prefix(many.iter().map(|(n, _)| n.as_str())), false),
    };
    if done == c.prefix {
        return None;
    }
    let path = format!("{}{done}", c.dir);
    // A name with spaces is quoted; the quote is closed once the name is
    // a whole file (a folder's stays open for what follows).
    let shown = match (path.contains(char::is_whitespace), whole) {
        (true, true) => format!("'{path}'"),
        (true, false) => format!("'{path}"),
        (false, _) => path,
    };
    Some(format!("{}{shown}", c.head))
}

/// The names the last path of `text` could go on to, when there are
/// several (a folder's with its `/`): what a second Tab shows.
pub fn choices(text: &str) -> Vec<String> {
    let names = candidates(text).map(|c| c.names).unwrap_or_default();
    if names.len() < 2 {
        return Vec::new();
    }
    names
        .into_iter()
        .map(|(n, dir)| if dir { format!("{n}/") } else { n })
        .collect()
}

/// Where the last word of `text` starts (a byte index at a char boundary).
fn last_word_start(text: &str) -> usize {
    let mut start = 0;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\\') => escaped = true,
            (None, '\'' | '"') => quote = Some(c),
            (None, c) if c.is_whitespace() => start = i.saturating_add(c.len_utf8()),
            _ => {}
        }
    }
    start
}

/// The longest start all names share, by characters.
fn common_prefix<'a>(mut names: impl Iterator<Item = &'a str>) -> String {
    let Some(first) = names.next() else {
        return String::new();
    };
    let mut common: Vec<char> = first.chars().collect();
    for n in names {
        let same = common
            .iter()
            .zip(n.chars())
            .take_while(|(a, b)| *a == b)
            .count();
        common.truncate(same);
    }
    common.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_or_quoted_path_is_read_as_the_path() {
        assert_eq!(one("'/home/a/名单 2024.xlsx'"), "/home/a/名单 2024.xlsx");
        assert_eq!(one("\"/tmp/x.csv\" "), "/tmp/x.csv");
        assert_eq!(
            one("file:///home/a/%E5%90%8D%E5%8D%95%202024.xlsx"),
            "/home/a/名单 2024.xlsx"
        );
        assert_eq!(one("/tmp/100%.csv"), "/tmp/100%.csv");
    }

    #[test]
    fn several_dropped_files_are_read_one_by_one() {
        assert_eq!(
            several("'/a/课堂 1.jpg' /b/c\\ d.png  file:///e/%E7%AD%BE.pdf \"/f g/\""),
            vec!["/a/课堂 1.jpg", "/b/c d.png", "/e/签.pdf", "/f g/"]
        );
        assert!(several("   ").is_empty());
    }

    #[test]
    fn tab_completes_the_last_path_from_the_files_on_disk() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path().display().to_string();
        for f in ["课堂1.jpg", "课堂2.jpg", "签到表.pdf"] {
            std::fs::write(dir.path().join(f), b"x").expect("file");
        }
        std::fs::create_dir(dir.path().join("送教 照片")).expect("dir");
        let first = format!("{d}/a.jpg ");
        assert_eq!(
            complete(&format!("{first}{d}/签")),
            Some(format!("{first}{d}/签到表.pdf"))
        );
        // Several matches: as far as they agree.
        assert_eq!(complete(&format!("{d}/课")), Some(format!("{d}/课堂")));
        assert_eq!(complete(&format!("{d}/课堂")), None);
        assert_eq!(
            choices(&format!("{d}/课堂")),
            vec!["课堂1.jpg".to_string(), "课堂2.jpg".to_string()]
        );
        assert!(
            choices(&format!("{d}/签")).is_empty(),
            "one name: completed"
        );
        // A folder with a space: quoted, with its slash, the quote open;
        // a file in it: the quote closed.
        let folder = format!("'{d}/送教 照片/");
        assert_eq!(complete(&format!("{d}/送")), Some(folder.clone()));
        std::fs::write(dir.path().join("送教 照片").join("合影 1.jpg"), b"x").expect("file");
        assert_eq!(
            complete(&format!("{folder}合")),
            Some(format!("'{d}/送教 照片/合影 1.jpg'"))
        );
        assert_eq!(
            several(&format!("'{d}/送教 照片/合影 1.jpg' {d}/签到表.pdf")),
            vec![
                format!("{d}/送教 照片/合影 1.jpg"),
                format!("{d}/签到表.pdf")
            ]
        );
        assert_eq!(complete(&format!("{d}/无")), None);
    }
}

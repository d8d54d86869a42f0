//! Names in the order a Chinese reader looks for them: by pinyin (大洼 before
//! 东风, although 东 comes first in Unicode), the way a directory or a
//! bureau's list is sorted. Other characters keep their own order, letters
//! without case.

use pinyin::ToPinyin;

/// The key `name` sorts by: each Chinese character as its syllable, ended
/// by a mark below every letter, so 西 (xi) comes before 新 (xin).
pub fn key(name: &str) -> String {
    let mut key = String::with_capacity(name.len().saturating_mul(2));
    for c in name.chars() {
        match c.to_pinyin() {
            Some(p) => {
                key.push_str(p.plain());
                key.push('\u{1}');
            }
            None => key.extend(c.to_lowercase()),
        }
    }
    key
}

/// Sorts `items` by the name each has, in pinyin order.
pub fn sort_by_name<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by_cached_key(|t| {
        let n = name(t);
        (key(n), n.to_string())
    });
}

//! Stable record identifiers (记录编号).
//!
//! Every record lives in an automerge map under a random 128-bit id, written
//! as 32 lowercase hex digits. Ids are never list positions, so two people who
//! add records offline never collide. People type a unique prefix, like git.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Shortest prefix a person may type to name a record.
pub const MIN_PREFIX: usize = 4;
/// Length of the short form shown in tables.
pub const SHORT_LEN: usize = 8;

/// A record id: 32 lowercase hex digits (a random UUID in its simple form).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(String);

impl Id {
    /// Makes an id from 16 random bytes (the caller chooses the randomness,
    /// so demo data can be reproducible).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Id {
        Id(uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .simple()
            .to_string())
    }

    /// Accepts a complete id (32 hex digits, any case); `None` otherwise.
    pub fn parse(s: &str) -> Option<Id> {
        let s = s.trim().to_ascii_lowercase();
        (s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())).then_some(Id(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first [`SHORT_LEN`] digits, as shown in tables.
    pub fn short(&self) -> &str {
        &self.0[..SHORT_LEN.min(self.0.len())]
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.short())
    }
}

/// Why a typed prefix does not name exactly one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrefixError {
    /// Fewer than [`MIN_PREFIX`] characters, or not hex.
    Malformed,
    NotFound,
    /// Several records start with it; `count` of them.
    Ambiguous {
        count: usize,
    },
}

/// Finds the one id among `ids` that starts with `prefix`.
pub fn resolve_prefix<'a>(
    prefix: &str,
    ids: impl IntoIterator<Item = &'a Id>,
) -> Result<Id, PrefixError> {
    let p = prefix.trim().to_ascii_lowercase();
    if p.len() < MIN_PREFIX || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(PrefixError::Malformed);
    }
    let mut found: Option<&Id> = None;
    let mut count = 0;
    for id in ids {
        if id.0.starts_with(&p) {
            count += 1;
            found = Some(id);
        }
    }
    match (count, found) {
        (1, Some(id)) => Ok(id.clone()),
        (0, _) | (_, None) => Err(PrefixError::NotFound),
        (n, _) => Err(PrefixError::Ambiguous { count: n }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> Id {
        Id::from_random_bytes([n; 16])
    }

    #[test]
    fn an_id_is_32_hex_digits_and_parses_back() {
        let a = id(7);
        assert_eq!(a.as_str().len(), 32);
        assert_eq!(Id::parse(&a.as_str().to_uppercase()), Some(a.clone()));
        assert_eq!(Id::parse("xyz"), None);
        assert_eq!(a.short().len(), SHORT_LEN);
    }

    #[test]
    fn a_unique_prefix_names_one_record_and_a_shared_one_is_ambiguous() {
        let ids = [id(0x11), id(0x12), id(0x22)];
        let first = &ids[0];
        assert_eq!(
            resolve_prefix(&first.as_str()[..6], &ids),
            Ok(first.clone())
        );
        // 0x11 and 0x12 both start with "1"
        let common = "1111";
        let r = resolve_prefix(common, &ids);
        assert_eq!(r, Ok(ids[0].clone()));
        assert_eq!(resolve_prefix("ffff", &ids), Err(PrefixError::NotFound));
        assert_eq!(resolve_prefix("ab", &ids), Err(PrefixError::Malformed));
        let twins = [Id("abcd0000".repeat(4)), Id("abcd1111".repeat(4))];
        assert_eq!(
            resolve_prefix("abcd", &twins),
            Err(PrefixError::Ambiguous { count: 2 })
        );
    }
}

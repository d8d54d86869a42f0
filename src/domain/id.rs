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
///
/// Kept inline, not as a `String`: a province's model holds over half a
/// million ids (each visit names itself, its pairing, district and place,
/// and is keyed by its id), and an inline id needs no allocation to read,
/// copy or drop. Compared, ordered and hashed as its text.
#[derive(Clone)]
pub struct Id(Repr);

#[derive(Clone)]
enum Repr {
    /// 32 lowercase hex digits, every id bangfu makes or reads from a
    /// document.
    Hex([u8; 32]),
    /// Anything else named as an id where ids are not checked (a file or
    /// a peer's message), kept as it was.
    Other(Box<str>),
}

impl Id {
    /// Makes an id from 16 random bytes (the caller chooses the randomness,
    /// so demo data can be reproducible).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Id {
        let text = uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .simple()
            .to_string();
        Id::from_text(&text)
    }

    /// Accepts a complete id (32 hex digits, any case); `None` otherwise.
    pub fn parse(s: &str) -> Option<Id> {
        let s = s.trim().to_ascii_lowercase();
        is_whole(&s).then(|| Id::from_text(&s))
    }

    /// An id of exactly this text.
    fn from_text(s: &str) -> Id {
        match <[u8; 32]>::try_from(s.as_bytes()) {
            Ok(b) if is_whole(s) => Id(Repr::Hex(b)),
            _ => Id(Repr::Other(s.into())),
        }
    }

    fn bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Hex(b) => b,
            Repr::Other(s) => s.as_bytes(),
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Hex digits are ASCII: this never fails.
            Repr::Hex(b) => std::str::from_utf8(b).unwrap_or_default(),
            Repr::Other(s) => s,
        }
    }

    /// The first [`SHORT_LEN`] digits, as shown in tables.
    pub fn short(&self) -> &str {
        let s = self.as_str();
        s.char_indices()
            .nth(SHORT_LEN)
            .and_then(|(at, _)| s.get(..at))
            .unwrap_or(s)
    }
}

/// Whether `s` is a whole id as stored: 32 lowercase hex digits.
fn is_whole(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl PartialEq for Id {
    fn eq(&self, other: &Id) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for Id {}

impl PartialOrd for Id {
    fn partial_cmp(&self, other: &Id) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Id {
    fn cmp(&self, other: &Id) -> std::cmp::Ordering {
        self.bytes().cmp(other.bytes())
    }
}

impl std::hash::Hash for Id {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes().hash(state);
    }
}

impl Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a record id")
            }
            // Borrowed where the format allows: no allocation for an id.
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Id, E> {
                Ok(Id::from_text(v))
            }
        }
        d.deserialize_str(Text)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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

/// A prefix as ids are compared with it (trimmed, lowercase), if it is
/// one: at least [`MIN_PREFIX`] hex digits.
pub fn normal_prefix(prefix: &str) -> Option<String> {
    let p = prefix.trim().to_ascii_lowercase();
    (p.len() >= MIN_PREFIX && p.bytes().all(|b| b.is_ascii_hexdigit())).then_some(p)
}

/// Finds the one id among `ids` that starts with `prefix`.
pub fn resolve_prefix<'a>(
    prefix: &str,
    ids: impl IntoIterator<Item = &'a Id>,
) -> Result<Id, PrefixError> {
    let p = normal_prefix(prefix).ok_or(PrefixError::Malformed)?;
    let mut found: Option<&Id> = None;
    let mut count = 0;
    for id in ids {
        if id.as_str().starts_with(&p) {
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
        let twins = [
            Id::from_text(&"abcd0000".repeat(4)),
            Id::from_text(&"abcd1111".repeat(4)),
        ];
        assert_eq!(
            resolve_prefix("abcd", &twins),
            Err(PrefixError::Ambiguous { count: 2 })
        );
    }

    #[test]
    fn ids_order_compare_and_round_trip_as_their_text_whatever_they_hold() {
        let odd = Id::from_text("Z-not-an-id");
        let mut ids = vec![id(0x22), odd.clone(), id(0x11), Id::from_text("0")];
        let mut texts: Vec<String> = ids.iter().map(Id::to_string).collect();
        ids.sort();
        texts.sort();
        assert_eq!(ids.iter().map(Id::to_string).collect::<Vec<_>>(), texts);
        for i in &ids {
            let json = serde_json::to_string(i).expect("json");
            assert_eq!(json, format!("\"{i}\""));
            assert_eq!(&serde_json::from_str::<Id>(&json).expect("back"), i);
            let bytes = postcard::to_allocvec(i).expect("postcard");
            assert_eq!(&postcard::from_bytes::<Id>(&bytes).expect("back"), i);
        }
        // An upper-case id read from elsewhere stays what it was, unequal
        // to the lower-case id a document holds.
        let upper = Id::from_text(&id(0xab).as_str().to_uppercase());
        assert_ne!(upper.as_str(), id(0xab).as_str());
        assert_ne!(upper, id(0xab));
        assert_eq!(Id::parse(upper.as_str()), Some(id(0xab)));
        assert_eq!(odd.short(), "Z-not-an");
        assert_eq!(
            Id::from_text("幼儿园一二三四五六七").short(),
            "幼儿园一二三四五"
        );
        assert!(std::mem::size_of::<Id>() <= 40);
    }
}

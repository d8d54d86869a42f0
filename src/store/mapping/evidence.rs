//! Attachments (evidence on records) as automerge maps, and back.

use super::*;
use chrono::NaiveDateTime;

const TAKEN: &str = "%Y-%m-%dT%H:%M:%S";

fn blob_v(b: &Blob) -> Value {
    Value::Map(map_of(vec![
        ("hash", str_v(&b.hash)),
        ("bytes", int_v(i64::try_from(b.bytes).unwrap_or(i64::MAX))),
    ]))
}

/// A hash as the store names files: 64 lowercase hex digits, nothing
/// else (it becomes part of a path).
pub(crate) fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Fields<'_> {
    fn blob(&self, k: &str) -> Result<Option<Blob>, FieldError> {
        let Some(f) = self.map(k)? else {
            return Ok(None);
        };
        let hash = f.string("hash")?;
        if !is_hash(&hash) {
            return Err(bad(k, "not a BLAKE3 hash"));
        }
        let bytes = u64::try_from(f.int("bytes")?).map_err(|_| bad(k, "negative size"))?;
        Ok(Some(Blob { hash, bytes }))
    }

    fn pixels(&self) -> Result<Option<(u32, u32)>, FieldError> {
        let side = |k: &str| -> Result<Option<u32>, FieldError> {
            self.opt_int(k)?
                .map(|n| u32::try_from(n).map_err(|_| bad(k, "not a size")))
                .transpose()
        };
        Ok(side("width")?.zip(side("height")?))
    }

    fn time(&self, k: &str) -> Result<Option<NaiveDateTime>, FieldError> {
        match self.get(k) {
            None | Some(Value::Scalar(ScalarValue::Null)) => Ok(None),
            Some(_) => {
                let s = self.string(k)?;
                NaiveDateTime::parse_from_str(&s, TAKEN)
                    .map(Some)
                    .map_err(|_| bad(k, "not a time"))
            }
        }
    }
}

impl Record for Attachment {
    const COLLECTION: &'static str = "attachments";
    fn id(&self) -> &Id {
        &self.id
    }
    fn to_map(&self) -> Map {
        let (w, h) = self.pixels.unzip();
        map_of(vec![
            ("to", str_v(self.to.code())),
            ("record", str_v(self.record.as_str())),
            ("kind", str_v(self.kind.code())),
            ("format", str_v(self.format.code())),
            ("name", str_v(&self.name)),
            ("file", blob_v(&self.file)),
            ("thumbnail", opt_v(&self.thumbnail, blob_v)),
            ("width", opt_v(&w, |n| int_v(i64::from(*n)))),
            ("height", opt_v(&h, |n| int_v(i64::from(*n)))),
            (
                "taken",
                opt_v(&self.taken, |t| str_v(&t.format(TAKEN).to_string())),
            ),
            ("caption", str_v(&self.caption)),
            ("added", stamp_v(&self.added)),
            ("removed", opt_v(&self.removed, stamp_v)),
        ])
    }
    fn from_map(id: Id, home: Home<'_>, m: &Map) -> Result<Self, FieldError> {
        let f = Fields(m);
        let record = f
            .opt_id("record")?
            .ok_or_else(|| bad("record", "missing"))?;
        Ok(Attachment {
            id,
            district_id: home.district()?,
            to: f.code("to")?,
            record,
            kind: f.code("kind")?,
            format: f.code("format")?,
            name: f.string("name")?,
            file: f.blob("file")?.ok_or_else(|| bad("file", "missing"))?,
            thumbnail: f.blob("thumbnail")?,
            pixels: f.pixels()?,
            taken: f.time("taken")?,
            caption: f.string("caption")?,
            added: f.stamp("added")?.ok_or_else(|| bad("added", "missing"))?,
            removed: f.stamp("removed")?,
        })
    }
    fn collection(data: &mut DistrictData) -> &mut std::collections::BTreeMap<Id, Self> {
        &mut data.attachments
    }
}

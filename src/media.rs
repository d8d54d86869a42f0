//! Files as they are attached: a photo made small enough to travel over a
//! rural link (upright, its long side at most 2,000 pixels, about 300 KB,
//! every piece of metadata dropped but when it was taken) with a small
//! thumbnail; a PDF kept as it is; anything else refused with a sentence
//! that says what to do.
//!
//! Bytes in, bytes out: no files, no store.

// Files from people's phones: no slicing that can panic, no arithmetic
// that can overflow.
#![warn(
    clippy::string_slice,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use crate::domain::FileFormat;
use crate::domain::evidence::{MAX_FILE_BYTES, Prepared};
use crate::i18n::Lang;
use crate::tr;
use chrono::NaiveDateTime;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use std::io::Cursor;

/// The long side of a photo as kept.
pub const LONG_SIDE: u32 = 2000;
/// The long side of a thumbnail.
pub const THUMB_SIDE: u32 = 320;
/// The size a photo is brought near (qualities are tried downwards).
const TARGET_BYTES: usize = 350 * 1024;
const QUALITIES: [u8; 4] = [82, 72, 62, 50];
const THUMB_QUALITY: u8 = 70;

/// Why a file cannot be attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaError {
    TooLarge {
        bytes: u64,
    },
    /// HEIC/HEIF (iPhone photos), which this build cannot read.
    Heic,
    /// Not a JPEG, PNG or PDF: what it seems to be, if known.
    Unsupported {
        seems: Option<&'static str>,
    },
    /// A JPEG or PNG that does not decode.
    Unreadable(String),
}

impl MediaError {
    pub fn say(&self, l: Lang) -> String {
        match self {
            MediaError::TooLarge { bytes } => tr!(
                l,
                "media.too_large",
                mb = format!("{:.1}", *bytes as f64 / 1_048_576.0),
                max = MAX_FILE_BYTES / 1_048_576
            ),
            MediaError::Heic => tr!(l, "media.heic"),
            MediaError::Unsupported { seems } => {
                tr!(l, "media.unsupported", seems = seems.unwrap_or("?"))
            }
            MediaError::Unreadable(detail) => tr!(l, "media.unreadable", detail = detail),
        }
    }
}

/// What the first bytes say a file is.
fn sniff(bytes: &[u8]) -> Result<FileFormat, MediaError> {
    let head = bytes.get(..12).unwrap_or(bytes);
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(FileFormat::Jpeg);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(FileFormat::Png);
    }
    if head.starts_with(b"%PDF-") {
        return Ok(FileFormat::Pdf);
    }
    let brand = head.get(4..12).unwrap_or_default();
    if brand.starts_with(b"ftyphei") || brand.starts_with(b"ftypmif1") || brand == b"ftypheix" {
        return Err(MediaError::Heic);
    }
    let seems = [
        (&b"GIF8"[..], "GIF"),
        (b"RIFF", "WebP/AVI"),
        (b"PK\x03\x04", "Office/ZIP"),
        (b"\xD0\xCF\x11\xE0", "Office 97-2003"),
        (b"BM", "BMP"),
        (b"II*\0", "TIFF"),
        (b"MM\0*", "TIFF"),
    ]
    .iter()
    .find(|(magic, _)| head.starts_with(magic))
    .map(|(_, name)| *name)
    .or_else(|| brand.starts_with(b"ftyp").then_some("MP4/MOV"));
    Err(MediaError::Unsupported { seems })
}

/// Prepares a file as given (`name`: its file name) for attaching;
/// `keep_original` keeps a photo's bytes as they are (still with a
/// thumbnail).
pub fn prepare(name: &str, bytes: &[u8], keep_original: bool) -> Result<Prepared, MediaError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(MediaError::TooLarge {
            bytes: bytes.len() as u64,
        });
    }
    let format = sniff(bytes)?;
    if format == FileFormat::Pdf {
        return Ok(Prepared {
            format,
            bytes: bytes.to_vec(),
            thumbnail: None,
            pixels: None,
            taken: None,
            name: name.to_string(),
        });
    }
    let (img, taken) = decode(bytes, format)?;
    let thumbnail = Some(jpeg(&img.thumbnail(THUMB_SIDE, THUMB_SIDE), THUMB_QUALITY)?);
    if keep_original {
        return Ok(Prepared {
            format,
            bytes: bytes.to_vec(),
            thumbnail,
            pixels: Some((img.width(), img.height())),
            taken,
            name: name.to_string(),
        });
    }
    let small = if img.width().max(img.height()) > LONG_SIDE {
        img.resize(LONG_SIDE, LONG_SIDE, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let mut out = Vec::new();
    for q in QUALITIES {
        out = jpeg(&small, q)?;
        if out.len() <= TARGET_BYTES {
            break;
        }
    }
    Ok(Prepared {
        format: FileFormat::Jpeg,
        bytes: out,
        thumbnail,
        pixels: Some((small.width(), small.height())),
        taken,
        name: as_jpg(name),
    })
}

/// The image upright, and when it was taken (EXIF DateTimeOriginal).
fn decode(
    bytes: &[u8],
    format: FileFormat,
) -> Result<(DynamicImage, Option<NaiveDateTime>), MediaError> {
    let bad = |e: image::ImageError| MediaError::Unreadable(e.to_string());
    let f = match format {
        FileFormat::Png => image::ImageFormat::Png,
        _ => image::ImageFormat::Jpeg,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), f);
    // A small file can claim a huge picture: refuse before allocating.
    let mut limits = Limits::default();
    limits.max_image_width = Some(16_000);
    limits.max_image_height = Some(16_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(bad)?;
    let orientation = decoder.orientation().map_err(bad)?;
    let taken = decoder
        .exif_metadata()
        .ok()
        .flatten()
        .and_then(|raw| taken_at(&raw));
    let mut img = DynamicImage::from_decoder(decoder).map_err(bad)?;
    img.apply_orientation(orientation);
    Ok((img, taken))
}

/// When a photo was taken, from its raw EXIF block.
fn taken_at(raw: &[u8]) -> Option<NaiveDateTime> {
    let exif = exif::Reader::new().read_raw(raw.to_vec()).ok()?;
    let field = [exif::Tag::DateTimeOriginal, exif::Tag::DateTime]
        .iter()
        .find_map(|t| exif.get_field(*t, exif::In::PRIMARY))?;
    let exif::Value::Ascii(parts) = &field.value else {
        return None;
    };
    let text = std::str::from_utf8(parts.first()?).ok()?;
    NaiveDateTime::parse_from_str(text.trim(), "%Y:%m:%d %H:%M:%S").ok()
}

/// The image as a baseline JPEG with nothing but pixels.
fn jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    img.to_rgb8()
        .write_with_encoder(enc)
        .map_err(|e| MediaError::Unreadable(e.to_string()))?;
    Ok(out)
}

/// `photo.png` → `photo.jpg`; a name without an extension gets one.
fn as_jpg(name: &str) -> String {
    let p = std::path::Path::new(name);
    match p.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("jpg") || e.eq_ignore_ascii_case("jpeg") => {
            name.to_string()
        }
        Some(_) => p.with_extension("jpg").to_string_lossy().into_owned(),
        None => format!("{name}.jpg"),
    }
}

/// A stored image (a thumbnail, or a photo as kept) decoded for a preview;
/// none for what is not a JPEG or PNG.
pub fn decode_preview(bytes: &[u8]) -> Option<DynamicImage> {
    let format = sniff(bytes).ok()?;
    if !matches!(format, FileFormat::Jpeg | FileFormat::Png) {
        return None;
    }
    decode(bytes, format).ok().map(|(img, _)| img)
}

/// Opens a file with the system's viewer, without waiting for it: the
/// program in `BANGFU_OPEN` if set, else `xdg-open` (`open` on macOS).
pub fn open_with_viewer(path: &std::path::Path) -> std::io::Result<()> {
    let program = std::env::var_os("BANGFU_OPEN").unwrap_or_else(|| {
        if cfg!(target_os = "macos") {
            "open".into()
        } else {
            "xdg-open".into()
        }
    });
    std::process::Command::new(program)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_first_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Ok(FileFormat::Pdf));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0"), Err(MediaError::Heic));
        assert_eq!(
            sniff(b"PK\x03\x04rest"),
            Err(MediaError::Unsupported {
                seems: Some("Office/ZIP")
            })
        );
        assert_eq!(sniff(b""), Err(MediaError::Unsupported { seems: None }));
        assert_eq!(as_jpg("签到表.PNG"), "签到表.jpg");
        assert_eq!(as_jpg("a.jpeg"), "a.jpeg");
        assert_eq!(as_jpg("scan"), "scan.jpg");
    }
}

//! Photos for the demo, drawn here (no files shipped): a lesson in a
//! classroom, a few children at tables before a blackboard, attached to
//! the newest visits that took teachers to the countryside (送教下乡).

use crate::domain::*;
use crate::store::{EditError, NewFile, Workspace};
use image::{Rgb, RgbImage};

/// How many visits get photos, and how many each.
const VISITS: usize = 3;
const PER_VISIT: u32 = 2;

/// One drawn photo: wall, blackboard, a row of tables with children;
/// `n` varies the colours and the number of children.
fn drawing(n: u32) -> Vec<u8> {
    let (w, h) = (1600u32, 1200u32);
    let wall = Rgb([235u8, 225, 200]);
    let board = Rgb([40u8, 80, 60]);
    let table = Rgb([170u8, 120, 70]);
    let shirts = [
        Rgb([220u8, 60, 60]),
        Rgb([60u8, 120, 220]),
        Rgb([240u8, 190, 40]),
        Rgb([90u8, 170, 90]),
    ];
    let children = 4 + n % 3;
    let img = RgbImage::from_fn(w, h, |x, y| {
        if (400..1200).contains(&x) && (120..480).contains(&y) {
            return board;
        }
        if (900..980).contains(&y) {
            return table;
        }
        // Children: a head and a shirt above the tables.
        for c in 0..children {
            let cx = 200 + c * (1200 / children);
            let dx = x.abs_diff(cx);
            let head = dx * dx + y.abs_diff(700).pow(2) < 55 * 55;
            if head {
                return Rgb([240, 200, 170]);
            }
            if dx < 80 && (760..900).contains(&y) {
                return shirts[((c + n) % 4) as usize];
            }
        }
        // The floor, and light from a window on the wall.
        if y > 980 {
            Rgb([150, 150, 155])
        } else {
            let light = (x / 8 % 20) as u8;
            Rgb([wall[0].saturating_sub(light), wall[1], wall[2]])
        }
    });
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    // A drawing this size always encodes; an empty file is refused later.
    let _ = img.write_with_encoder(enc);
    out
}

/// Attaches drawn photos to the newest 送教下乡 visits.
pub fn attach(ws: &mut Workspace) -> Result<(), EditError> {
    let mut visits: Vec<(chrono::NaiveDate, Id)> = ws
        .model()
        .visits()
        .filter(|v| v.form == SupportForm::SendTeachers)
        .map(|v| (v.date, v.id.clone()))
        .collect();
    visits.sort();
    for (i, (date, id)) in visits.iter().rev().take(VISITS).enumerate() {
        let files = (0..PER_VISIT)
            .filter_map(|k| {
                let n = (i as u32).saturating_mul(PER_VISIT).saturating_add(k);
                let name = format!("{date}_课堂_{}.jpg", k.saturating_add(1));
                crate::media::prepare(&name, &drawing(n), false).ok()
            })
            .map(|prepared| NewFile {
                prepared,
                kind: Some(EvidenceKind::Photo),
                caption: "送教下乡：集体教学活动".to_string(),
            })
            .collect();
        ws.attach(AttachedTo::Visit, id, files)?;
    }
    Ok(())
}

//! Running the real `bangfu` binary against a scratch data directory.
#![allow(dead_code)]

pub mod net;
pub mod ui;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The day tests live on.
pub const TODAY: &str = "2026-11-28";

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "failed:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        &self.stdout
    }

    /// Asserts failure with exit code 1 and returns stderr.
    #[track_caller]
    pub fn fails(&self) -> &str {
        assert_eq!(
            self.code, 1,
            "expected failure:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        &self.stderr
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.ok())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

/// A `bangfu` command with a clean environment: fixed today, no language
/// from the machine, a known author, no multicast.
pub fn command(dir: &Path) -> Command {
    prepared(Command::new(env!("CARGO_BIN_EXE_bangfu")), dir)
}

/// The same command run inside a network namespace (`ip netns exec`),
/// as a device on its own network.
pub fn command_in(netns: &str, dir: &Path) -> Command {
    let mut c = Command::new("ip");
    c.args(["netns", "exec", netns, env!("CARGO_BIN_EXE_bangfu")]);
    prepared(c, dir)
}

fn prepared(mut c: Command, dir: &Path) -> Command {
    c.arg("--data-dir")
        .arg(dir)
        .env("BANGFU_TODAY", TODAY)
        .env("BANGFU_AS", "测试员")
        // No multicast: nothing a test does leaves this machine.
        .env("BANGFU_NO_MDNS", "1")
        .env_remove("BANGFU_DATA_DIR")
        // Its own config directory (key map, remembered language).
        .env("BANGFU_CONFIG_DIR", dir.join("config"))
        .env_remove("BANGFU_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .stdin(Stdio::null());
    c
}

/// Runs `bangfu --data-dir DIR ARGS…` to the end.
pub fn run(dir: &Path, args: &[&str]) -> Run {
    finish(command(dir).args(args))
}

/// Runs a command to the end.
pub fn finish(c: &mut Command) -> Run {
    Run::from(c.output().expect("bangfu runs"))
}

/// Every file in a directory with its bytes, to prove nothing changed.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read file");
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

/// How many workspaces were set aside in a directory (renamed
/// `workspace.db.unused-…`, never deleted).
pub fn set_aside_count(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("workspace.db.unused-")
        })
        .count()
}

/// The id of the first element of a JSON list printed by a command.
pub fn first_id(v: &serde_json::Value) -> String {
    v[0]["id"].as_str().expect("an id").to_string()
}

/// A photo as a phone camera saves it: `w`×`h` of smooth light with fine
/// grain (so it shrinks as a real scene does), quality 92.
pub fn camera_photo(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let (fw, fh) = (w.max(1) as f32, h.max(1) as f32);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let grain = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503))
            .wrapping_add(u32::from(seed))
            % 9;
        let shade = |a: f32, b: f32| (a * 180.0 + b * 60.0) as u8;
        let (u, v) = (x as f32 / fw, y as f32 / fh);
        let g = grain as u8;
        image::Rgb([
            shade(u, v).saturating_add(g),
            shade(v, 1.0 - u).saturating_add(seed).saturating_add(g),
            shade(1.0 - v, u).saturating_add(g),
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(&img)
        .expect("jpeg");
    out
}

/// A file of `n` bytes no compression makes smaller, that reads as a PDF.
pub fn scanned_pdf(n: usize, seed: u32) -> Vec<u8> {
    let mut b = b"%PDF-1.4\n".to_vec();
    let mut x: u32 = 0x9e37_79b9 ^ seed;
    while b.len() < n {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b.push(x as u8);
    }
    b
}

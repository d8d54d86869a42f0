//! Devices on a network: a hub serving in the background, and what the
//! sync tests look at (a ticket, a whole export, a new visit).

use super::{command, run};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The last line of what a command printed (a ticket).
pub fn last_line(s: &str) -> String {
    s.lines().last().unwrap_or_default().trim().to_string()
}

/// Everything a device holds, as JSON text.
pub fn export(dir: &Path) -> String {
    run(dir, &["export", "--format", "json", "-"])
        .ok()
        .to_string()
}

/// A hub running in the background; killed if a test fails before
/// [`stop`] (a hub left running would outlive the test, and keep its
/// network namespace).
pub struct Served(Option<Child>);

impl Served {
    pub fn id(&self) -> u32 {
        self.0.as_ref().map_or(0, Child::id)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `bangfu serve` in the background, once it says it is serving.
pub fn serve(dir: &Path) -> Served {
    serve_as(command(dir))
}

/// A hub started by the given command (e.g. inside a network namespace).
pub fn serve_as(mut c: Command) -> Served {
    let mut child = c
        .args(["serve", "--interval", "3600"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let err = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(err).lines();
    loop {
        match lines.next() {
            Some(Ok(l)) if l.contains("开始服务") => break,
            Some(Ok(_)) => {}
            _ => panic!("serve ended before serving"),
        }
    }
    // Keep draining its log so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Served(Some(child))
}

/// SIGTERM, and the hub stops cleanly.
pub fn stop(mut served: Served) {
    let Some(mut child) = served.0.take() else {
        return;
    };
    let pid = child.id() as i32;
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let status = child.wait().expect("wait");
    assert!(
        status.success(),
        "serve ends with success on SIGTERM: {status}"
    );
}

pub fn first_pairing(dir: &Path) -> String {
    let list = run(dir, &["pairing", "list", "--format", "json"]).json();
    list[0]["id"].as_str().expect("a pairing").to_string()
}

pub fn add_visit(dir: &Path, pairing: &str, note: &str) -> String {
    let out = run(
        dir,
        &[
            "visit",
            "add",
            "--pairing",
            pairing,
            "--form",
            "on_site_guidance",
            "--note",
            note,
        ],
    );
    out.ok().to_string()
}

//! The real binary in a real terminal (tmux), as a person would use it:
//! keys typed, Chinese typed, the screen read back, the terminal checked
//! after quitting.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of our own, with one window running bangfu.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(dir: &Path, w: u16, h: u16, args: &[&str]) -> Tmux {
        assert!(
            Command::new("tmux")
                .arg("-V")
                .output()
                .is_ok_and(|o| o.status.success()),
            "these tests need tmux (.ci/run installs it)"
        );
        let socket = format!("bangfu-test-{}-{}", std::process::id(), rand_suffix());
        let mut cmd = vec![
            env!("CARGO_BIN_EXE_bangfu").to_string(),
            "--data-dir".to_string(),
            dir.display().to_string(),
        ];
        cmd.extend(args.iter().map(|a| a.to_string()));
        let status = Command::new("tmux")
            .args([
                "-u",
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
            ])
            .arg(w.to_string())
            .arg("-y")
            .arg(h.to_string())
            .args([
                "-e",
                &format!("BANGFU_TODAY={TODAY}"),
                "-e",
                "BANGFU_AS=测试员",
                "-e",
                "LANG=C.UTF-8",
                // Background sync without multicast: nothing is sent off
                // this machine.
                "-e",
                "BANGFU_NO_MDNS=1",
                // Its own config directory: a language chosen with L is
                // remembered there, not in this machine's.
                "-e",
                &format!("BANGFU_CONFIG_DIR={}", dir.join("config").display()),
            ])
            // The shell stays after bangfu exits, so the terminal's state
            // can be read and the exit status is printed.
            .arg(format!(
                "{}; echo bangfu-exit=$?; sleep 600",
                shell_words(&cmd)
            ))
            .status()
            .expect("tmux runs");
        assert!(status.success());
        Tmux { socket }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", k]);
        }
    }

    /// Sends keys one at a time, each after the screen has stopped
    /// changing: a key sent while bangfu is still busy with the one before
    /// (loading a history) could reach it glued to an Escape, which a
    /// terminal cannot tell from Alt plus that key.
    fn keys_settled(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", k]);
            let start = Instant::now();
            let mut last = self.screen();
            loop {
                std::thread::sleep(Duration::from_millis(60));
                let now = self.screen();
                if now == last || start.elapsed() > Duration::from_secs(3) {
                    break;
                }
                last = now;
            }
        }
    }

    fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-l", text]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p"])
    }

    fn var(&self, name: &str) -> String {
        self.tmux(&["display", "-p", &format!("#{{{name}}}")])
            .trim()
            .to_string()
    }

    /// Waits (up to 10 s) until the screen shows `text`.
    #[track_caller]
    fn wait_for(&self, text: &str) {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "never showed {text:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until bangfu has exited; returns its exit status.
    fn wait_exit(&self) -> String {
        self.wait_for("bangfu-exit=");
        let s = self.screen();
        s.split("bangfu-exit=")
            .nth(1)
            .map(|rest| rest.chars().take_while(|c| c.is_ascii_digit()).collect())
            .unwrap_or_default()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64 % 1_000_000_007)
}

/// Quotes a command line for tmux's shell.
fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', "'\\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    run(dir.path(), &["demo", "--seed", "7"]).ok();
    dir
}

#[test]
fn a_visit_with_a_chinese_note_typed_in_the_interface_is_in_the_store() {
    let dir = demo();
    let t = Tmux::start(dir.path(), 120, 40, &[]);
    t.wait_for("全市规划");
    // The dashboard of 2024 shows the notice's 21 against 22.
    t.keys(&["[", "["]);
    t.wait_for("2024 年度目标");
    t.wait_for("各县区目标合计 21 所，与全市规划的 22 所不一致");
    t.keys(&["?"]);
    t.wait_for("按键");
    t.keys(&["Escape", "4"]);
    t.wait_for("记录活动");
    t.keys(&["a"]);
    t.wait_for("记录帮扶活动");
    // Two fields down to the form of support, which must be chosen.
    t.keys(&["Tab", "Tab", "Right"]);
    t.wait_for("< 送教下乡 >");
    // Nine more down to the note.
    for _ in 0..9 {
        t.keys(&["Tab"]);
    }
    let note = "今天走访红旗村幼儿园，和老师们一起调整了区域游戏材料。";
    t.type_text(note);
    t.wait_for("今天走访红旗村幼儿园");
    t.keys(&["C-s"]);
    t.wait_for("已保存：帮扶活动");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), "0");
    let visits = run(dir.path(), &["visit", "list", "--format", "json"]).json();
    assert!(
        visits
            .as_array()
            .expect("list")
            .iter()
            .any(|v| v["note"] == note),
        "the note is in the store"
    );
}

#[test]
fn english_when_asked_for() {
    let dir = demo();
    let t = Tmux::start(dir.path(), 120, 40, &["--lang", "en"]);
    t.wait_for("Overview");
    t.wait_for("Deadlines");
    t.keys(&["L"]);
    t.wait_for("截止事项");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), "0");
}

#[test]
fn a_small_terminal_resized_through_every_screen_exits_cleanly() {
    let dir = demo();
    let t = Tmux::start(dir.path(), 60, 20, &[]);
    t.wait_for("总览");
    for (w, h) in [("100", "30"), ("40", "12"), ("60", "20")] {
        t.tmux(&["resize-window", "-x", w, "-y", h]);
        for screen in ["1", "2", "3", "4", "5", "6", "7"] {
            t.keys_settled(&[screen, "a", "Escape", "?", "Escape", "h", "Escape"]);
        }
    }
    t.keys(&["1"]);
    t.wait_for("总览");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), "0", "no panic:\n{}", t.screen());
    assert_eq!(t.var("alternate_on"), "0", "left the alternate screen");
    assert_eq!(t.var("mouse_any_flag"), "0", "mouse reporting off");
    assert_eq!(t.var("cursor_flag"), "1", "cursor visible");
    assert!(!t.screen().contains("panicked"));
}

#[test]
fn first_run_creates_the_panjin_programme() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(dir.path(), 100, 30, &[]);
    t.wait_for("这里还没有工作区");
    t.keys(&["Enter"]);
    t.wait_for("全市规划 14 所");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), "0");
    let plan = run(
        dir.path(),
        &["plan", "show", "--year", "2024", "--format", "json"],
    )
    .json();
    assert_eq!(plan[0]["mismatch"]["stated"], 22);
}

#[test]
fn a_damaged_store_is_reported_without_starting_the_full_screen() {
    let dir = demo();
    let db = dir.path().join("workspace.db");
    let bytes = std::fs::read(&db).expect("db");
    std::fs::write(&db, &bytes[..bytes.len() / 2]).expect("truncate");
    let t = Tmux::start(dir.path(), 100, 30, &[]);
    assert_eq!(t.wait_exit(), "1");
    let s = t.screen();
    assert!(s.contains("workspace.db"), "{s}");
    assert_eq!(t.var("alternate_on"), "0");
}

//! Keys → actions. Defaults below; a TOML file can rebind any action:
//!
//! ```toml
//! # ~/.config/bangfu/keys.toml
//! [keys]          # lists and screens
//! quit = ["q", "ctrl-c"]
//! add = ["a", "n"]
//! [form_keys]     # inside a form
//! save = ["ctrl-s", "f2"]
//! ```
//!
//! A key is a character (`a`, `L`, `?`, `[`) or a name (`enter`, `esc`,
//! `tab`, `backtab`, `up`, `down`, `left`, `right`, `pgup`, `pgdn`, `home`,
//! `end`, `f1`…`f12`, `space`), optionally after `ctrl-` or `alt-`.

use super::action::Action;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashMap;

/// A key as the keymap sees it: shift is part of the character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn from_event(e: &KeyEvent) -> Key {
        let mut mods =
            e.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match e.code {
            // Terminals send shift-tab as BackTab, some with SHIFT too.
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c)
            }
            other => other,
        };
        Key { code, mods }
    }

    /// Reads `ctrl-s`, `L`, `pgdn`, `f1`, ….
    pub fn parse(spec: &str) -> Option<Key> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = spec.trim();
        loop {
            if let Some(r) = rest
                .strip_prefix("ctrl-")
                .or_else(|| rest.strip_prefix("ctrl+"))
            {
                mods |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = rest
                .strip_prefix("alt-")
                .or_else(|| rest.strip_prefix("alt+"))
            {
                mods |= KeyModifiers::ALT;
                rest = r;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" | "shift-tab" => KeyCode::BackTab,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdn" | "pagedown" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                other => KeyCode::F(other.strip_prefix('f')?.parse().ok()?),
            },
        };
        Some(Key { code, mods })
    }

    /// How the key is written in help and config.
    pub fn label(&self) -> String {
        let mut s = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            s.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            s.push_str("Alt-");
        }
        match self.code {
            KeyCode::Char(' ') => s.push_str("Space"),
            KeyCode::Char(c) => s.push(c),
            KeyCode::Enter => s.push_str("Enter"),
            KeyCode::Esc => s.push_str("Esc"),
            KeyCode::Tab => s.push_str("Tab"),
            KeyCode::BackTab => s.push_str("Shift-Tab"),
            // Words, not arrows: arrows are ambiguous-width characters that
            // take two columns in many Chinese terminals.
            KeyCode::Up => s.push_str("Up"),
            KeyCode::Down => s.push_str("Down"),
            KeyCode::Left => s.push_str("Left"),
            KeyCode::Right => s.push_str("Right"),
            KeyCode::PageUp => s.push_str("PgUp"),
            KeyCode::PageDown => s.push_str("PgDn"),
            KeyCode::Home => s.push_str("Home"),
            KeyCode::End => s.push_str("End"),
            KeyCode::F(n) => s.push_str(&format!("F{n}")),
            other => s.push_str(&format!("{other:?}")),
        }
        s
    }
}

/// Which keys do what, on lists and inside forms.
#[derive(Debug, Clone)]
pub struct Keymap {
    pub normal: HashMap<Key, Action>,
    pub form: HashMap<Key, Action>,
}

const NORMAL: &[(Action, &[&str])] = &[
    (Action::Quit, &["q", "ctrl-c"]),
    (Action::Help, &["?", "f1"]),
    (Action::NextTab, &["tab"]),
    (Action::PrevTab, &["backtab"]),
    (Action::Dashboard, &["1"]),
    (Action::Kindergartens, &["2"]),
    (Action::Pairings, &["3"]),
    (Action::Visits, &["4"]),
    (Action::Inspections, &["5"]),
    (Action::Reports, &["6"]),
    (Action::Sync, &["7"]),
    (Action::SyncNow, &["S"]),
    (Action::Up, &["up", "k"]),
    (Action::Down, &["down", "j"]),
    (Action::PageUp, &["pgup"]),
    (Action::PageDown, &["pgdn"]),
    (Action::Home, &["home", "g"]),
    (Action::End, &["end", "G"]),
    (Action::Select, &["enter"]),
    (Action::Back, &["esc"]),
    (Action::Add, &["a"]),
    (Action::Edit, &["e"]),
    (Action::History, &["h"]),
    (Action::Filter, &["/"]),
    (Action::Sign, &["s"]),
    (Action::Confirm, &["c"]),
    (Action::File, &["f"]),
    (Action::PrevYear, &["["]),
    (Action::NextYear, &["]"]),
    (Action::PrevMonth, &["<", ","]),
    (Action::NextMonth, &[">", "."]),
    (Action::AllMonths, &["m"]),
    (Action::ToggleLanguage, &["L"]),
    (Action::Refresh, &["ctrl-r"]),
    (Action::Return, &["r"]),
    (Action::Export, &["x"]),
    (Action::Restat, &["u"]),
    (Action::Delete, &["d", "delete"]),
    (Action::Pick, &["p"]),
    (Action::Undo, &["ctrl-z"]),
    (Action::Districts, &["D"]),
    (Action::Import, &["i"]),
    (Action::StartOver, &["N"]),
    (Action::Evidence, &["A"]),
];

const FORM: &[(Action, &[&str])] = &[
    (Action::Save, &["ctrl-s", "f2"]),
    (Action::Back, &["esc"]),
    (Action::NextField, &["tab", "down"]),
    (Action::PrevField, &["backtab", "up"]),
    (Action::Quit, &["ctrl-c"]),
    (Action::Help, &["f1"]),
];

fn table(defaults: &[(Action, &[&str])]) -> HashMap<Key, Action> {
    let mut m = HashMap::new();
    for (action, keys) in defaults {
        for k in keys.iter().filter_map(|k| Key::parse(k)) {
            m.insert(k, *action);
        }
    }
    m
}

/// A problem with a key config file, said in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    Syntax(String),
    UnknownAction(String),
    UnknownKey(String),
}

impl Default for Keymap {
    fn default() -> Keymap {
        Keymap {
            normal: table(NORMAL),
            form: table(FORM),
        }
    }
}

impl Keymap {
    /// The defaults with the file's bindings laid over them: an action named
    /// in the file gets exactly the keys listed there.
    pub fn from_toml(text: &str) -> Result<Keymap, ConfigError> {
        #[derive(serde::Deserialize, Default)]
        struct File {
            #[serde(default)]
            keys: HashMap<String, Vec<String>>,
            #[serde(default)]
            form_keys: HashMap<String, Vec<String>>,
        }
        let file: File = toml::from_str(text).map_err(|e| ConfigError::Syntax(e.to_string()))?;
        let mut km = Keymap::default();
        for (section, map) in [
            (&file.keys, &mut km.normal),
            (&file.form_keys, &mut km.form),
        ] {
            for (name, keys) in section {
                let action = Action::ALL
                    .iter()
                    .copied()
                    .find(|a| a.code() == name)
                    .ok_or_else(|| ConfigError::UnknownAction(name.clone()))?;
                map.retain(|_, a| *a != action);
                for k in keys {
                    let key = Key::parse(k).ok_or_else(|| ConfigError::UnknownKey(k.clone()))?;
                    map.insert(key, action);
                }
            }
        }
        Ok(km)
    }

    pub fn normal_action(&self, e: &KeyEvent) -> Option<Action> {
        self.normal.get(&Key::from_event(e)).copied()
    }

    pub fn form_action(&self, e: &KeyEvent) -> Option<Action> {
        self.form.get(&Key::from_event(e)).copied()
    }

    /// The one key shown for an action in a hint line: its first default
    /// key still bound to it (`<` before its alias `,`), else the first of
    /// the keys a config file gave it.
    pub fn primary(&self, action: Action) -> String {
        self.first_default(NORMAL, &self.normal, action)
            .or_else(|| self.keys(action, false).into_iter().next())
            .unwrap_or_default()
    }

    /// Like [`Keymap::primary`], for an action inside a form (`Ctrl-s`
    /// before its alias `F2`).
    pub fn primary_in_form(&self, action: Action) -> String {
        self.first_default(FORM, &self.form, action)
            .or_else(|| self.keys(action, true).into_iter().next())
            .unwrap_or_default()
    }

    fn first_default(
        &self,
        defaults: &[(Action, &[&str])],
        bound: &HashMap<Key, Action>,
        action: Action,
    ) -> Option<String> {
        defaults
            .iter()
            .filter(|(a, _)| *a == action)
            .flat_map(|(_, keys)| keys.iter().filter_map(|k| Key::parse(k)))
            .find(|k| bound.get(k) == Some(&action))
            .map(|k| k.label())
    }

    /// A hint line's words with `%{code}` of each action replaced by its
    /// key (see [`Keymap::primary`]).
    pub fn fill(&self, template: &str, actions: &[Action]) -> String {
        let names: Vec<&str> = actions.iter().map(|a| a.code()).collect();
        let keys: Vec<String> = actions.iter().map(|a| self.primary(*a)).collect();
        rust_i18n::replace_patterns(template, &names, &keys)
    }

    /// The keys of an action, shortest first.
    pub fn keys(&self, action: Action, form: bool) -> Vec<String> {
        let map = if form { &self.form } else { &self.normal };
        let mut keys: Vec<String> = map
            .iter()
            .filter(|(_, a)| **a == action)
            .map(|(k, _)| k.label())
            .collect();
        keys.sort_by_key(|k| (k.chars().count(), k.clone()));
        keys
    }

    /// The keys of an action, for help, e.g. `a` or `Ctrl-S/F2`.
    pub fn keys_of(&self, action: Action, form: bool) -> String {
        self.keys(action, form).join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn default_keys_name_their_actions() {
        let k = Keymap::default();
        assert_eq!(
            k.normal_action(&ev(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::Quit)
        );
        assert_eq!(
            k.normal_action(&ev(KeyCode::Char('L'), KeyModifiers::SHIFT)),
            Some(Action::ToggleLanguage)
        );
        assert_eq!(
            k.form_action(&ev(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Some(Action::Save)
        );
        assert_eq!(k.keys_of(Action::Save, true), "F2/Ctrl-s");
    }

    #[test]
    fn a_config_file_rebinds_an_action() {
        let k = Keymap::from_toml("[keys]\nadd = [\"n\", \"ctrl-n\"]\n").expect("valid");
        assert_eq!(
            k.normal_action(&ev(KeyCode::Char('n'), KeyModifiers::NONE)),
            Some(Action::Add)
        );
        assert_eq!(
            k.normal_action(&ev(KeyCode::Char('a'), KeyModifiers::NONE)),
            None
        );
        assert!(matches!(
            Keymap::from_toml("[keys]\nfly = [\"x\"]"),
            Err(ConfigError::UnknownAction(_))
        ));
        assert!(matches!(
            Keymap::from_toml("[keys]\nadd = [\"hyper-x\"]"),
            Err(ConfigError::UnknownKey(_))
        ));
        assert!(matches!(
            Keymap::from_toml("[keys"),
            Err(ConfigError::Syntax(_))
        ));
    }
}

//! `--help` in the user's language. clap takes its texts from the doc
//! comments (English); for zh-CN they come from
//! `locales/cli-help.zh-CN.yml`: a command's description under `cli_cmd.`
//! and its path (`cli_cmd.visit.add` is `bangfu visit add`), an option's
//! help under `cli_arg.`, the path and the option's id, or under a
//! shorter path when the commands below share it (`cli_arg.visit.date`
//! serves `visit add` and `visit edit`; `cli_arg.format` every command).
//! A text missing there stays English; a test keeps none missing.

use super::Cli;
use crate::i18n::Lang;
use clap::{Command, CommandFactory};

/// The command line as clap parses it, its help in `lang`.
pub fn command(lang: Lang) -> Command {
    let mut cmd = Cli::command();
    if lang == Lang::En {
        return cmd;
    }
    // Built, so the generated --help, --version and `help` exist, and
    // the global options are copied into every command.
    cmd.build();
    localize(cmd, &[], lang)
}

/// The key of a command's description.
pub fn command_key(path: &[&str]) -> String {
    if path.is_empty() {
        return "cli_cmd.bangfu".to_string();
    }
    format!("cli_cmd.{}", path.join("."))
}

/// The text of an option of the command at `path`: the most specific key
/// the locale has, from the command's own up to the one every command
/// shares.
fn arg_text(lang: Lang, path: &[&str], id: &str) -> Option<String> {
    (0..=path.len()).rev().find_map(|n| {
        let mut parts: Vec<&str> = path.get(..n).unwrap_or_default().to_vec();
        parts.push(id);
        text(lang, &format!("cli_arg.{}", parts.join(".")))
    })
}

/// The text of `key` in `lang`, if the locale has it.
fn text(lang: Lang, key: &str) -> Option<String> {
    let t = rust_i18n::t!(key, locale = lang.code()).into_owned();
    (t != key).then_some(t)
}

fn localize(cmd: Command, path: &[&str], lang: Lang) -> Command {
    let word = |k: &str| text(lang, &format!("cli_cmd.word.{k}")).unwrap_or_default();
    let mut cmd = cmd
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{}{{usage}}\n\n{{all-args}}{{after-help}}",
            word("usage")
        ))
        .subcommand_help_heading(word("commands"));
    if let Some(about) = text(lang, &command_key(path)) {
        // The translation is the whole description: an English long one
        // would otherwise stand under `--help`.
        cmd = cmd.about(about).long_about(None);
    }
    let (options, arguments, default) = (word("options"), word("arguments"), word("default"));
    cmd = cmd.mut_args(|a| {
        let id = a.get_id().as_str().to_string();
        let heading = if a.is_positional() {
            &arguments
        } else {
            &options
        };
        let a = a.help_heading(heading.clone());
        let Some(said) = arg_text(lang, path, &id) else {
            return a;
        };
        // clap would add "[default: table]" in English.
        let shown: Vec<String> = a
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .filter(|v| !v.is_empty())
            .collect();
        let said = match shown.is_empty() || a.is_hide_default_value_set() {
            true => said,
            false => format!("{said}（{default}：{}）", shown.join("、")),
        };
        a.help(said).long_help(None).hide_default_value(true)
    });
    each_subcommand(cmd, path, |s, sub_path| match sub_path.last() {
        Some(&"help") => help_command(s, path, lang),
        _ => localize(s, sub_path, lang),
    })
}

/// `cmd` with `change` applied to each of its commands, given its path.
fn each_subcommand(
    mut cmd: Command,
    path: &[&str],
    change: impl Fn(Command, &[&str]) -> Command,
) -> Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let mut sub_path = path.to_vec();
        sub_path.push(&name);
        cmd = cmd.mut_subcommand(&name, |s| change(s, &sub_path));
    }
    cmd
}

/// clap's `help` command (`bangfu help visit add`): its commands mirror
/// those beside it and take their texts.
fn help_command(cmd: Command, path: &[&str], lang: Lang) -> Command {
    let cmd = match text(lang, "cli_cmd.word.help") {
        Some(about) => cmd.about(about),
        None => cmd,
    };
    each_subcommand(cmd, path, |s, sub_path| {
        let about = text(lang, &command_key(sub_path));
        let s = help_command(s, sub_path, lang);
        match about {
            Some(a) => s.about(a),
            None => s,
        }
    })
}

/// Every command and option whose help has no translation in `lang`: its
/// key and the English text (empty for none).
pub fn untranslated(lang: Lang) -> Vec<(String, String)> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    missing(&cmd, &mut Vec::new(), lang, &mut out);
    out
}

fn missing(cmd: &Command, path: &mut Vec<String>, lang: Lang, out: &mut Vec<(String, String)>) {
    let parts: Vec<&str> = path.iter().map(String::as_str).collect();
    // clap's own `help` mirrors the commands checked beside it.
    if cmd.is_hide_set() || path.last().is_some_and(|p| p == "help") {
        return;
    }
    let k = command_key(&parts);
    if text(lang, &k).is_none() {
        let about = cmd.get_about().map(|s| s.to_string()).unwrap_or_default();
        out.push((k, about));
    }
    for a in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
        let id = a.get_id().as_str();
        if arg_text(lang, &parts, id).is_none() {
            let help = a.get_help().map(|s| s.to_string()).unwrap_or_default();
            out.push((
                format!("cli_arg.{}", [&parts[..], &[id]].concat().join(".")),
                help,
            ));
        }
    }
    for sub in cmd.get_subcommands() {
        path.push(sub.get_name().to_string());
        missing(sub, path, lang, out);
        path.pop();
    }
}

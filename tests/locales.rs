//! Every message has both languages, and every message the code asks for
//! exists.

mod common;
use bangfu::domain::*;
use bangfu::i18n::{Lang, label};
use std::collections::BTreeSet;
use std::path::Path;

fn keys(file: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(file),
    )
    .expect("locale file");
    text.lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && !l.starts_with('_'))
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim().to_string()))
        .filter(|k| !k.is_empty())
        .collect()
}

/// Keys named literally in `tr!(lang, "key"` calls, across lines.
fn used_keys() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).expect("dir").filter_map(|e| e.ok()) {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                for (i, _) in text.match_indices("tr!(") {
                    let rest = &text[i + 4..];
                    let Some(comma) = rest.find(',') else {
                        continue;
                    };
                    let after = rest[comma + 1..].trim_start();
                    if let Some(lit) = after.strip_prefix('"')
                        && let Some(end) = lit.find('"')
                    {
                        out.insert(lit[..end].to_string());
                    }
                }
            }
        }
    }
    out
}

#[test]
fn both_languages_have_the_same_messages() {
    let zh = keys("zh-CN.yml");
    let en = keys("en.yml");
    assert!(zh.len() > 200, "{} keys", zh.len());
    assert_eq!(
        zh.difference(&en).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "missing in en"
    );
    assert_eq!(
        en.difference(&zh).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "missing in zh-CN"
    );
}

#[test]
fn every_message_the_code_asks_for_exists() {
    let zh = keys("zh-CN.yml");
    let used = used_keys();
    assert!(used.len() > 50, "found {} uses", used.len());
    let missing: Vec<&String> = used.iter().filter(|k| !zh.contains(*k)).collect();
    assert!(missing.is_empty(), "no message for {missing:?}");
}

fn all_labelled<C: Code + std::fmt::Debug>() {
    for v in C::ALL {
        for lang in Lang::ALL {
            let l = label(lang, *v);
            assert!(!l.contains('.'), "{lang:?} label of {v:?}: {l}");
        }
    }
}

#[test]
fn every_vocabulary_value_has_a_label_in_both_languages() {
    all_labelled::<Ownership>();
    all_labelled::<Category>();
    all_labelled::<Mode>();
    all_labelled::<AgreementStatus>();
    all_labelled::<SupportForm>();
    all_labelled::<Task>();
    all_labelled::<Area>();
    all_labelled::<Role>();
    all_labelled::<ReportStatus>();
    all_labelled::<Level>();
    assert_eq!(label(Lang::Zh, SupportForm::SendTeachers), "送教下乡");
}

#[test]
fn every_key_built_at_run_time_has_a_message() {
    use bangfu::app::action::Action;
    use bangfu::app::{FirstRunChoice, Screen};
    use bangfu::domain::calendar::DeadlineKind;
    use bangfu::i18n::text;
    let mut keys: Vec<String> = Vec::new();
    keys.extend(Action::ALL.iter().map(|a| format!("action.{}", a.code())));
    keys.extend(Screen::ALL.iter().map(|s| format!("screen.{}", s.code())));
    keys.extend(
        Screen::ALL
            .iter()
            .skip(1)
            .map(|s| format!("list.hint.{}", s.code())),
    );
    keys.extend(
        FirstRunChoice::ALL
            .iter()
            .map(|c| format!("first_run.{}", c.code())),
    );
    let deadlines = [
        DeadlineKind::PlanTable,
        DeadlineKind::AgreementsSigned,
        DeadlineKind::AgreementsFiled,
        DeadlineKind::MonthlyReport,
        DeadlineKind::KindergartenSummaries,
        DeadlineKind::DistrictSummaries,
        DeadlineKind::CitySummary,
        DeadlineKind::UnconfirmedVisits,
    ];
    keys.extend(deadlines.iter().map(|d| format!("deadline.{}", d.code())));
    for k in [
        "name",
        "district",
        "town",
        "category",
        "stars",
        "children",
        "cohort",
        "mode",
        "helpers",
        "helped",
        "status",
        "date",
        "form",
        "place",
        "teachers_reached",
        "confirmed",
        "note",
        "target",
        "inspector",
        "scores",
        "average",
    ] {
        keys.push(format!("list.col.{k}"));
    }
    for k in ["district", "helpers", "helped", "rural"] {
        keys.push(format!("dashboard.col.{k}"));
    }
    for scale in [
        bangfu::demo::Scale::Small,
        bangfu::demo::Scale::City,
        bangfu::demo::Scale::Province,
    ] {
        keys.push(format!("bench.scale.{}", scale.word()));
    }
    for lang in Lang::ALL {
        for k in &keys {
            assert_ne!(&text(lang, k), k, "no {lang:?} message for {k}");
        }
    }
}

/// Every reason a received change can be refused for reads as words in
/// both languages, never as its code.
#[test]
fn every_refusal_reason_has_words_in_both_languages() {
    let codes = [
        "no_log",
        "unknown_author",
        "unsigned",
        "bad_signature",
        "forged_author",
        "revoked",
        "locked",
        "malformed",
        "depends_on_refused",
        "too_large",
    ];
    for l in [Lang::Zh, Lang::En] {
        for c in codes {
            let words = bangfu::i18n::refusal_reason(l, c);
            assert!(
                words != c && !words.contains("refusal.") && words.chars().count() > 3,
                "{l:?} {c}: {words}"
            );
        }
        let words = bangfu::i18n::refusal_reason(l, "not_allowed:edit_visit:scope");
        assert!(
            words.contains(&bangfu::i18n::write_label(
                l,
                bangfu::domain::authz::Write::EditVisit
            )),
            "{words}"
        );
    }
}

/// The line of keys under each screen names only actions the screen
/// answers to, each as `%{action}`, so the key shown is the one bound.
#[test]
fn the_key_hints_name_only_the_screens_own_actions() {
    use bangfu::app::Screen;
    use bangfu::app::keymap::Keymap;
    let keymap = Keymap::default();
    let mut checked = 0;
    for lang in Lang::ALL {
        for screen in Screen::ALL.into_iter().filter(|s| *s != Screen::Dashboard) {
            let words = bangfu::i18n::text(lang, &format!("list.hint.{}", screen.code()));
            assert!(words.contains("%{"), "{screen:?} names no key: {words}");
            let filled = keymap.fill(&words, screen.actions());
            assert!(
                !filled.contains("%{"),
                "{lang:?} {screen:?}: an action the screen does not answer to: {filled}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 12);
}

/// `bangfu --help` in Chinese: every command and option visible in the
/// help has its text in locales/cli-help.zh-CN.yml.
#[test]
fn every_command_and_option_has_its_help_in_chinese() {
    let missing = bangfu::cli::help::untranslated(Lang::Zh);
    let listed: Vec<String> = missing
        .iter()
        .map(|(key, english)| format!("{key}: \"{english}\""))
        .collect();
    assert!(listed.is_empty(), "{}", listed.join("\n"));
}

/// A clerk who types `--help` reads it in her language: the one BANGFU_LANG
/// (or the interface) chose, or `--lang`'s; clap's `help` command too.
#[test]
fn help_is_printed_in_the_chosen_language() {
    let dir = tempfile::tempdir().expect("tempdir");
    let help = |lang: Option<&str>, args: &[&str]| {
        let mut c = common::command(dir.path());
        if let Some(l) = lang {
            c.env("BANGFU_LANG", l);
        }
        let out = c.args(args).output().expect("bangfu runs");
        assert!(out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let zh = help(Some("zh-CN"), &["visit", "add", "--help"]);
    for said in [
        "记录一次帮扶活动",
        "用法：bangfu visit add",
        "选项",
        "受益教师数",
        "显示帮助",
    ] {
        assert!(zh.contains(said), "{said} missing:\n{zh}");
    }
    assert!(
        !zh.contains("Usage") && !zh.contains("Teachers reached"),
        "{zh}"
    );
    // A default clap would print in English is said in Chinese.
    let list = help(Some("zh-CN"), &["visit", "list", "--help"]);
    assert!(
        list.contains("（默认：table）") && !list.contains("[default:"),
        "{list}"
    );
    let top = help(Some("zh-CN"), &["help", "visit"]);
    assert!(
        top.contains("帮扶活动记录") && top.contains("删除误记的活动"),
        "{top}"
    );
    let en = help(Some("zh-CN"), &["--lang", "en", "visit", "add", "--help"]);
    for said in ["Log a visit", "Usage: bangfu visit add", "Teachers reached"] {
        assert!(en.contains(said), "{said} missing:\n{en}");
    }
}

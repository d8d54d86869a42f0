//! The command line. Every command opens the workspace, does one thing, and
//! says what happened in one line (or prints what was asked for). On bad
//! input: one clear line saying what was wrong and what to do, exit code 1,
//! and nothing written.

mod bench;
mod bundles;
mod conflict;
mod districts;
mod evidence;
mod export;
mod fields;
mod health;
pub mod help;
mod import;
mod members;
mod net;
mod output;
mod plan;
mod records;
mod report;
mod setup;
mod tui_cmd;
mod visits;

use crate::i18n::{self, Lang};
use crate::input as parse;
use crate::store::{EditError, Options, Records, StoreError, Workspace};
use crate::tr;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use output::Format;
use std::path::PathBuf;

/// bangfu (帮扶): the rural kindergarten support programme, offline first.
#[derive(Debug, Parser)]
#[command(name = "bangfu", version, about, long_about = None)]
pub struct Cli {
    /// Data directory holding the workspace [default: the platform's data dir]
    #[arg(long, global = true, env = "BANGFU_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Interface language: zh-CN (default) or en
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,
    /// Name recorded as the author of changes [default: $USER]
    #[arg(long = "as", global = true, env = "BANGFU_AS", value_name = "NAME")]
    pub person: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a workspace: the Panjin plan, or an empty programme
    Init(setup::InitArgs),
    /// Create a workspace filled with fictional demo data
    Demo(setup::DemoArgs),
    /// Measure what users wait for on fresh demo data: one table of figures, baselines and targets
    Bench(bench::BenchArgs),
    /// Counties and districts (县区)
    #[command(subcommand)]
    District(districts::DistrictCmd),
    /// Yearly targets (年度目标)
    #[command(subcommand)]
    Plan(plan::PlanCmd),
    /// Kindergartens (幼儿园)
    #[command(subcommand, alias = "kg")]
    Kindergarten(records::KindergartenCmd),
    /// Pairings and their agreements (帮扶结对与协议)
    #[command(subcommand)]
    Pairing(records::PairingCmd),
    /// Visits: the support given, each logged (帮扶活动记录)
    #[command(subcommand)]
    Visit(visits::VisitCmd),
    /// Inspections (检查评估)
    #[command(subcommand)]
    Inspection(records::InspectionCmd),
    /// Monthly reports and annual summaries: show, write, submit, accept, export
    #[command(subcommand)]
    Report(report::ReportCmd),
    /// Print the dashboard (targets, shares, visits, deadlines) as text
    Dashboard(tui_cmd::DashboardArgs),
    /// Attach photos, sign-in sheets or scans to a record (佐证材料)
    Attach(evidence::AttachArgs),
    /// A record's attached files, and which are here
    Attachments(evidence::AttachmentsArgs),
    /// Remove an attached file from its record (kept in its history)
    Detach(evidence::DetachArgs),
    /// Fetch an attached file's full bytes from peers now (even when only thumbnails are fetched)
    Fetch(evidence::FetchArgs),
    /// Every change to one record: when, by whom, which fields
    History(health::HistoryArgs),
    /// Fields two devices set differently while apart: list, pick one (冲突)
    #[command(subcommand)]
    Conflict(conflict::ConflictCmd),
    /// Check every document of the workspace
    Doctor,
    /// This device's id and address ticket (for `sync` on another device)
    Id,
    /// Members of the programme and their roles
    #[command(subcommand)]
    Member(members::MemberCmd),
    /// Invite a device to join, with a role
    Invite(members::InviteArgs),
    /// Join a programme with an invite ticket
    Join(net::JoinArgs),
    /// Sync now with the given peers, or with every known peer
    Sync(net::SyncArgs),
    /// Run as a hub: accept members, sync, log (a bureau's always-on machine)
    Serve(net::ServeArgs),
    /// Peers this device knows: role, last seen, last sync
    Peers(FormatArg),
    /// Write or read a file of documents, for a USB stick
    #[command(subcommand)]
    Bundle(bundles::BundleCmd),
    /// This device's settings: port, relay, mdns, bind, which attached files to fetch
    #[command(subcommand)]
    Config(net::ConfigCmd),
    /// Write the whole workspace (json) or one list (csv, xlsx) to a file, or attached files to a folder
    Export(export::ExportArgs),
    #[command(hide = true, subcommand)]
    Debug(health::DebugCmd),
}

/// Output format of list and show commands.
#[derive(Debug, Clone, Args)]
pub struct FormatArg {
    /// table, json or csv
    #[arg(long, default_value = "table", value_name = "FORMAT")]
    pub format: String,
}

/// Why a command failed, kept as what happened until it is printed:
/// [`Fail::lines`] words it, once, in the user's language.
#[derive(Debug)]
pub enum Fail {
    /// The rules refused an edit; each problem names its field.
    Refused(Vec<crate::domain::Problem>),
    Store(StoreError),
    Sync(crate::sync::SyncError),
    /// Options that could not be read, with the option (flag) that gives
    /// each field.
    Unread {
        bad: Vec<crate::input::Bad>,
        flags: Vec<(&'static str, &'static str)>,
    },
    /// An invite this member may not make (with the expiry as typed).
    Invite(crate::domain::invites::InviteRefusal, String),
    /// A message of the locale files (`key`) with its values.
    Said(&'static str, Vec<(&'static str, String)>),
    /// Sentences already in the user's language: what the input layer
    /// says about a value it could not read (it says how to write it),
    /// a spreadsheet's bad rows, each peer's failure.
    Text(Vec<String>),
}

impl Fail {
    /// A message of the locale files with its values.
    pub fn said(key: &'static str, args: Vec<(&'static str, String)>) -> Fail {
        Fail::Said(key, args)
    }

    /// A file that could not be read or written: the message `key` with
    /// its `path` and the system's `detail`.
    pub fn file(key: &'static str, path: &std::path::Path, detail: impl std::fmt::Display) -> Fail {
        Fail::Said(
            key,
            vec![
                ("path", path.display().to_string()),
                ("detail", detail.to_string()),
            ],
        )
    }

    /// One sentence already in the user's language.
    pub fn line(s: impl Into<String>) -> Fail {
        Fail::Text(vec![s.into()])
    }

    /// What is printed, one line each, in `lang`.
    pub fn lines(&self, lang: Lang) -> Vec<String> {
        match self {
            Fail::Refused(problems) => problems.iter().map(|p| i18n::problem(lang, p)).collect(),
            Fail::Store(e) => vec![i18n::store_error(lang, e)],
            Fail::Sync(e) => vec![i18n::sync_error(lang, e)],
            Fail::Invite(r, expires) => vec![i18n::invite_refusal(lang, r, expires)],
            Fail::Unread { bad, flags } => bad
                .iter()
                .map(|b| match &b.why {
                    crate::input::Why::Invalid(msg) => msg.clone(),
                    crate::input::Why::Missing => {
                        let flag = flags
                            .iter()
                            .find(|(k, _)| *k == b.field)
                            .map_or(b.field, |(_, f)| f);
                        tr!(
                            lang,
                            "cli.missing_option",
                            field = i18n::field(lang, b.field),
                            option = flag
                        )
                    }
                })
                .collect(),
            Fail::Said(key, args) => {
                let text = i18n::text(lang, key);
                let names: Vec<&str> = args.iter().map(|(n, _)| *n).collect();
                let values: Vec<String> = args.iter().map(|(_, v)| v.clone()).collect();
                vec![rust_i18n::replace_patterns(&text, &names, &values)]
            }
            Fail::Text(lines) => lines.clone(),
        }
    }
}

/// An input error (one sentence, in the user's language) fails the
/// command with that line.
impl From<String> for Fail {
    fn from(s: String) -> Fail {
        Fail::line(s)
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Fail {
        Fail::Store(e)
    }
}

impl From<EditError> for Fail {
    fn from(e: EditError) -> Fail {
        match e {
            EditError::Invalid(problems) => Fail::Refused(problems),
            EditError::Store(e) => Fail::Store(e),
        }
    }
}

impl From<crate::sync::SyncError> for Fail {
    fn from(e: crate::sync::SyncError) -> Fail {
        Fail::Sync(e)
    }
}

pub type CmdResult = Result<(), Fail>;

/// What every command knows: language, where the data is, who and when.
pub struct Ctx {
    pub lang: Lang,
    pub data_dir: PathBuf,
    pub person: String,
    pub today: NaiveDate,
}

impl Ctx {
    pub fn options(&self) -> Options {
        let mut o = Options::new(self.person.clone(), self.today);
        if let Some(n) = std::env::var("BANGFU_COMPACT_AFTER")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            o.compact_after = n;
        }
        o
    }

    /// Opens the workspace for a command on its records: a workspace
    /// joined but not synced yet has none, and says so.
    pub fn open(&self) -> Result<Workspace, Fail> {
        self.open_holding(Records::All)
    }

    /// Opens the workspace for a command, its model holding `records`
    /// (the hub holds only what syncing reads); one with no records yet
    /// says so.
    pub fn open_holding(&self, records: Records) -> Result<Workspace, Fail> {
        let ws = self.open_any_holding(records)?;
        if ws.is_empty() {
            return Err(Fail::said("sync.not_synced_yet", vec![]));
        }
        Ok(ws)
    }

    /// Opens the workspace, even one joined and not synced yet.
    pub fn open_any(&self) -> Result<Workspace, Fail> {
        self.open_any_holding(Records::All)
    }

    fn open_any_holding(&self, records: Records) -> Result<Workspace, Fail> {
        let options = Options {
            records,
            ..self.options()
        };
        let ws = Workspace::open(&self.data_dir, options)?;
        if !ws.damaged().is_empty() {
            eprintln!(
                "{}",
                tr!(
                    self.lang,
                    "store.damaged_records",
                    count = ws.damaged().len()
                )
            );
        }
        Ok(ws)
    }

    /// What typed fields are read against.
    pub fn input<'a>(&'a self, model: &'a crate::domain::Model) -> crate::input::Context<'a> {
        crate::input::Context {
            model,
            lang: self.lang,
            today: self.today,
            person: &self.person,
        }
    }

    pub fn edit(&self, e: EditError) -> Fail {
        Fail::from(e)
    }

    pub fn format(&self, f: &FormatArg) -> Result<Format, Fail> {
        Format::parse(&f.format)
            .ok_or_else(|| Fail::said("cli.bad_format", vec![("value", f.format.to_string())]))
    }
}

fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("org", "bangfu", "bangfu")
        .map(|p| p.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".bangfu"))
}

/// Today, or the day named by `BANGFU_TODAY` (YYYY-MM-DD), which tests and
/// demos use to fix the date.
fn today(lang: Lang) -> Result<NaiveDate, Fail> {
    match std::env::var("BANGFU_TODAY") {
        Ok(s) if !s.trim().is_empty() => Ok(parse::date(lang, "BANGFU_TODAY", &s)?),
        _ => Ok(chrono::Local::now().date_naive()),
    }
}

/// Where `keys.toml` and the remembered language are read from:
/// `BANGFU_CONFIG_DIR`, else the platform's config directory
/// (`~/.config/bangfu` on Linux).
pub(crate) fn config_dir() -> Option<PathBuf> {
    std::env::var_os("BANGFU_CONFIG_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            directories::ProjectDirs::from("org", "bangfu", "bangfu")
                .map(|p| p.config_dir().to_path_buf())
        })
}

/// The file in the config directory that remembers the language last
/// chosen in the interface (`L`).
pub(crate) const LANG_FILE: &str = "interface.toml";

/// The language last chosen in the interface, if any.
fn remembered_lang() -> Option<Lang> {
    let text = std::fs::read_to_string(config_dir()?.join(LANG_FILE)).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    Lang::parse(table.get("lang")?.as_str()?)
}

/// Who is typing, when `--as` does not say: the login name, else "unknown"
/// in the user's language.
fn default_person(lang: Lang) -> String {
    ["USER", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| tr!(lang, "cli.unknown_person"))
}

/// The language, known before the command line is read (its help and
/// usage errors are in it): `--lang` if it names one, then BANGFU_LANG,
/// then the language last chosen in the interface, then the system's.
fn chosen_lang() -> Lang {
    lang_from_args()
        .or_else(|| {
            std::env::var("BANGFU_LANG")
                .ok()
                .and_then(|v| Lang::parse(&v))
        })
        .or_else(remembered_lang)
        .unwrap_or_else(Lang::from_env)
}

/// The `--lang` given on the command line, read before clap parses it.
fn lang_from_args() -> Option<Lang> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .enumerate()
        .find_map(|(i, a)| match a.strip_prefix("--lang") {
            Some("") => args.get(i + 1).and_then(|v| Lang::parse(v)),
            Some(v) => v.strip_prefix('=').and_then(Lang::parse),
            None => None,
        })
}

/// A usage error as one line in the user's language, ending with where to
/// read the usage of the command.
fn usage_error(lang: Lang, e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => v
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    };
    let arg = text(ContextKind::InvalidArg);
    let value = text(ContextKind::InvalidValue);
    let message = match e.kind() {
        ErrorKind::MissingRequiredArgument => tr!(lang, "usage.missing", arg = arg),
        ErrorKind::UnknownArgument => tr!(lang, "usage.unknown_argument", arg = arg),
        ErrorKind::InvalidSubcommand => {
            let wrong = tr!(
                lang,
                "usage.unknown_command",
                arg = text(ContextKind::InvalidSubcommand)
            );
            match text(ContextKind::SuggestedSubcommand) {
                s if s.is_empty() => wrong,
                s => tr!(lang, "usage.did_you_mean", message = wrong, suggestion = s),
            }
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            tr!(lang, "usage.missing_command")
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            tr!(lang, "usage.invalid_value", arg = arg, value = value)
        }
        ErrorKind::ArgumentConflict => tr!(
            lang,
            "usage.conflict",
            arg = arg,
            other = text(ContextKind::PriorArg)
        ),
        _ => e
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_string(),
    };
    // "Usage: bangfu visit add [OPTIONS] …" names the command.
    let usage = text(ContextKind::Usage);
    let command: Vec<&str> = usage
        .trim_start_matches("Usage:")
        .split_whitespace()
        .take_while(|w| !w.starts_with(['[', '-', '<']))
        .collect();
    let command = if command.is_empty() {
        "bangfu".to_string()
    } else {
        command.join(" ")
    };
    tr!(lang, "usage.line", message = message, command = command)
}

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    use clap::FromArgMatches;
    let chosen = chosen_lang();
    let read = help::command(chosen)
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match read {
        Ok(c) => c,
        Err(e) if e.use_stderr() => {
            let line = tr!(
                chosen,
                "cli.error_prefix",
                message = usage_error(chosen, &e)
            );
            eprintln!("{line}");
            return 2;
        }
        Err(e) => {
            // --help, --version
            let _ = e.print();
            return 0;
        }
    };
    let lang = match &cli.lang {
        Some(s) if Lang::parse(s).is_none() => {
            let said = tr!(chosen, "cli.bad_lang", value = s.as_str());
            eprintln!("{}", tr!(chosen, "cli.error_prefix", message = said));
            return 2;
        }
        _ => chosen,
    };
    match run(cli, lang) {
        Ok(()) => 0,
        Err(fail) => {
            for l in fail.lines(lang) {
                let line = tr!(lang, "cli.error_prefix", message = l);
                eprintln!("{}", crate::present::printable(&line));
            }
            1
        }
    }
}

fn run(cli: Cli, lang: Lang) -> CmdResult {
    let ctx = Ctx {
        lang,
        data_dir: cli.data_dir.unwrap_or_else(default_data_dir),
        person: cli.person.unwrap_or_else(|| default_person(lang)),
        today: today(lang)?,
    };
    let Some(command) = cli.command else {
        return tui_cmd::interface(&ctx);
    };
    match command {
        Command::Init(a) => setup::init(&ctx, a),
        Command::Demo(a) => setup::demo(&ctx, a),
        Command::Bench(a) => bench::bench(&ctx, a),
        Command::District(c) => districts::district(&ctx, c),
        Command::Plan(c) => plan::plan(&ctx, c),
        Command::Kindergarten(c) => records::kindergarten(&ctx, c),
        Command::Pairing(c) => records::pairing(&ctx, c),
        Command::Visit(c) => visits::visit(&ctx, c),
        Command::Inspection(c) => records::inspection(&ctx, c),
        Command::Report(c) => report::report(&ctx, c),
        Command::Dashboard(a) => tui_cmd::dashboard(&ctx, a),
        Command::Attach(a) => evidence::attach(&ctx, a),
        Command::Attachments(a) => evidence::attachments(&ctx, a),
        Command::Detach(a) => evidence::detach(&ctx, a),
        Command::Fetch(a) => evidence::fetch(&ctx, a),
        Command::History(a) => health::history(&ctx, a),
        Command::Conflict(c) => conflict::conflict(&ctx, c),
        Command::Doctor => health::doctor(&ctx),
        Command::Id => net::id(&ctx),
        Command::Member(c) => members::member(&ctx, c),
        Command::Invite(a) => members::invite(&ctx, a),
        Command::Join(a) => net::join(&ctx, a),
        Command::Sync(a) => net::sync(&ctx, a),
        Command::Serve(a) => net::serve(&ctx, a),
        Command::Peers(f) => net::peers(&ctx, f),
        Command::Bundle(c) => bundles::bundle(&ctx, c),
        Command::Config(c) => net::config(&ctx, c),
        Command::Export(a) => export::export(&ctx, a),
        Command::Debug(c) => health::debug(&ctx, c),
    }
}

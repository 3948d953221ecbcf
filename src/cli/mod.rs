//! The subcommands, one file each.

mod check;
mod conform;
mod fixtures;
mod merge;
mod plan;
mod progress;
mod replay;
mod rules;
mod scenario;
mod simulate;
mod sweep;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use replywindow::rules::Policy;

/// The program's version and the version of the rules it follows
/// ([`replywindow::rules::RULES_VERSION`]; a test keeps them equal).
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (rules 1.0.0)");

/// Meta's messaging rules for WhatsApp, Facebook Messenger and Instagram Direct, made
/// measurable.
///
/// Every business message gets a verdict (delivered, held, undelivered, violation) and a
/// reason. Exit codes: 0 success, 1 `check` found disagreements or `plan` found no staffing
/// that meets its targets, 2 invalid input or usage.
#[derive(Debug, Parser)]
#[command(
    name = "replywindow",
    version = VERSION,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Simulate(simulate::Args),
    Sweep(sweep::Args),
    Merge(merge::Args),
    Plan(plan::Args),
    Scenario(scenario::Args),
    Replay(replay::Args),
    Check(check::Args),
    Conform(conform::Args),
    Rules(rules::Args),
    Fixtures(fixtures::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Example:\n  replywindow completions bash > ~/.local/share/bash-completion/completions/replywindow"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Simulate(args) => simulate::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Scenario(args) => scenario::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Check(args) => check::run(args),
        Command::Conform(args) => conform::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Fixtures(args) => fixtures::run(args),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "replywindow",
                &mut script,
            );
            emit(None, &script)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Options shared by `simulate` and `sweep`.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// Replications (per point in a sweep); overrides the scenario's `replications`.
    #[arg(long, short = 'r', value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub replications: Option<u32>,
    /// Seed of the random streams; overrides the scenario's `seed`.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads; 0 uses every core.
    #[arg(long, short = 'j', value_name = "T", default_value_t = 0)]
    pub threads: usize,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// A scenario file's text and the name it goes by when it has no `name` (its file name).
pub(crate) fn read_scenario(path: &Path) -> anyhow::Result<(String, String)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the scenario {}", path.display()))?;
    let stem = path
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    Ok((text, stem))
}

/// The folder of a scenario file, where its counts files are read from.
pub(crate) fn scenario_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Reads a policy file, or Meta's default without one.
pub(crate) fn load_policy(path: Option<&Path>) -> anyhow::Result<Policy> {
    let Some(path) = path else {
        return Ok(Policy::meta());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the policy file {}", path.display()))?;
    Policy::from_toml(&text).with_context(|| format!("policy file {}", path.display()))
}

/// Writes `text` to standard output (see [`emit`]).
pub(crate) fn say(text: &str) -> anyhow::Result<()> {
    emit(None, text.as_bytes())
}

/// Writes `text` and a line end to standard output.
pub(crate) fn sayln(text: &str) -> anyhow::Result<()> {
    emit(None, format!("{text}\n").as_bytes())
}

/// Writes a line to standard error; a closed standard error is ignored.
pub(crate) fn note(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// Writes `bytes` to `out` atomically, or to standard output without one. A closed pipe on
/// standard output (`| head`) ends the output quietly.
pub(crate) fn emit(out: Option<&PathBuf>, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    match out {
        Some(path) => replywindow::output::write_atomically(path, bytes)
            .with_context(|| format!("cannot write {}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .context("cannot write to standard output")
        }
    }
}

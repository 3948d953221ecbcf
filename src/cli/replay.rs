use std::path::PathBuf;
use std::process::ExitCode;

use replywindow::trace::{Input, explain, replay, write_explained, write_verdicts};

/// Give every business row of a trace its verdict, reason and delivery instant.
///
/// Writes the verdict file (case,seq,verdict,reason,delivered_at; one row per business row,
/// in trace order) to standard output or to --out. The trace is validated in full first: an
/// invalid row stops the command with exit code 2, naming line, column and value, and
/// nothing is written.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  replywindow replay trace.csv > verdicts.csv\n  \
    replywindow replay trace.csv --policy no-extension.toml --out verdicts.csv\n  \
    replywindow replay --explain fixtures/boundary.csv\n  \
    cat trace.csv | replywindow replay -"
)]
pub struct Args {
    /// The trace file (CSV), or `-` for standard input.
    trace: PathBuf,
    /// A policy file (TOML) changing Meta's default numbers; see `replywindow rules`.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Write the verdicts to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Explain each verdict: after the verdict file's columns, the step of the decision
    /// order that decided it (rule, rule_name), the row's instant, where it sits against
    /// the nearest end (position: W, E or P with an offset such as W-1ms), and the case's
    /// state before the decision (latest customer message, window and extension ends,
    /// unused credits as comment/end pairs, request pending, latest is a comment, held).
    #[arg(long)]
    explain: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let policy = super::load_policy(args.policy.as_deref())?;
    let input = Input::open(&args.trace)?;
    let mut bytes = Vec::new();
    if args.explain {
        write_explained(&mut bytes, &explain(input, &policy)?)?;
    } else {
        write_verdicts(&mut bytes, &replay(input, &policy)?)?;
    }
    super::emit(args.out.as_ref(), &bytes)?;
    Ok(ExitCode::SUCCESS)
}

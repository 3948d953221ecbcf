use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use replywindow::trace::{CheckOptions, Input, check};

/// Compare a verdict file with a fixture's expected verdicts.
///
/// Rows are matched by (case, seq), in any order; delivery instants are compared as
/// instants. Prints each disagreement (different, missing or extra row) with the row's
/// instant, where it sits against the nearest end (W, E, P), its note, and the case's
/// timeline up to it (instants relative to the case's first row, `a`); then a summary by
/// verdict and reason, a table of expected → returned, and a diagnosis where the
/// disagreements share a shape (an inclusive window end, an accept that opens the window,
/// Instagram holds, a policy file not read). Exit code 0 when all agree, 1 when any
/// disagreement is found, 2 when either file is invalid.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  replywindow replay fixture.csv | replywindow check fixture.csv -"
)]
pub struct Args {
    /// The fixture: a trace whose business rows carry expect, reason and delivered_at
    /// (`-` for standard input).
    fixture: PathBuf,
    /// The verdict file to check (`-` for standard input; not both).
    verdicts: PathBuf,
    /// Compare only the verdicts, not reasons nor delivery instants.
    #[arg(long)]
    verdict_only: bool,
    /// The fixture's policy file (TOML), for a fixture designed for another policy than
    /// Meta's (such as boundary-no-extension.csv with boundary-no-extension.toml): the
    /// explanations draw their ends from it.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let stdin = std::path::Path::new("-");
    if args.fixture == stdin && args.verdicts == stdin {
        bail!("the fixture and the verdict file cannot both be standard input (`-`)");
    }
    let report = check(
        Input::open(&args.fixture)?,
        Input::open(&args.verdicts)?,
        CheckOptions {
            verdict_only: args.verdict_only,
            policy: super::load_policy(args.policy.as_deref())?,
        },
    )?;
    let mut out = String::new();
    for d in &report.disagreements {
        out.push_str(&d.to_string());
        out.push('\n');
    }
    out.push_str(&report.summary());
    super::emit(None, out.as_bytes())?;
    Ok(if report.agrees() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

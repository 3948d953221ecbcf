use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use replywindow::conform::{ConformOptions, SuiteListing, Template, conform};
use replywindow::fixtures::{SuiteOptions, build_suite};
use replywindow::output::{OutputFile, write_files};
use replywindow::time::parse_duration;

/// Run another implementation of the rules over the whole fixture suite and score it.
///
/// Runs COMMAND (with `sh -c`) once per fixture, with the fixture's policy file, and once
/// per invalid input, which it must refuse with a non-zero exit code. In COMMAND, {trace}
/// is the trace's path, {policy} the policy file's (TOML, every number written out) and
/// {out} the path to write the verdicts to (case,seq,verdict,reason,delivered_at). Without
/// {trace} the trace comes on standard input; without {out} the verdicts are read from
/// standard output. A run that takes longer than --time-limit is stopped (with any
/// processes it started) and reported.
///
/// Prints a scorecard: per file (with a diagnosis and the first disagreements, each with
/// its case's timeline), per (channel, verdict, reason), and the result. Exit code 0 when
/// everything agrees and every invalid input is refused, 1 otherwise, 2 when the command
/// or the suite cannot be used.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    replywindow conform --run 'ruby engine.rb {trace} {policy} {out}'\n  \
    replywindow conform --run 'python3 engine.py --policy {policy}' --junit conform.xml\n  \
    replywindow conform --suite fixtures --run 'php engine.php {trace} {policy} {out}' --time-limit 2m")]
pub struct Args {
    /// The command that runs the implementation under test, with {trace}, {policy} and
    /// {out} placeholders (see above).
    #[arg(long, value_name = "COMMAND")]
    run: String,
    /// The suite written by `replywindow fixtures --out DIR`. Without it, this version's
    /// suite (seed 1, 200 traffic cases) is written to a temporary folder and used.
    #[arg(long, value_name = "DIR")]
    suite: Option<PathBuf>,
    /// The longest one run may take, such as 30s or 2m.
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    time_limit: String,
    /// Also write JUnit XML to FILE: one test case per fixture case and per invalid input.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
}

/// A folder under the system's temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let template = Template::parse(&args.run).context("--run")?;
    let limit = parse_duration(&args.time_limit)
        .map_err(|e| anyhow::anyhow!("--time-limit {}: {e}", args.time_limit))?;
    let scratch = Scratch(std::env::temp_dir().join(format!(
        "replywindow-conform-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    )));
    let root = match &args.suite {
        Some(dir) => dir.clone(),
        None => {
            let files = build_suite(SuiteOptions::default())?;
            let outputs: Vec<OutputFile> = files.into_iter().map(|f| f.file).collect();
            let dir = scratch.0.join("suite");
            write_files(&dir, &outputs)?;
            dir
        }
    };
    let suite = SuiteListing::read(&root)?;
    let options = ConformOptions {
        time_limit: std::time::Duration::from_millis(limit as u64),
    };
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let report = conform(
        &suite,
        &template,
        options,
        &scratch.0.join("runs"),
        |file| {
            if interactive {
                super::note(&format!("conform: {file}"));
            }
        },
    )?;
    if let Some(path) = &args.junit {
        super::emit(Some(path), &report.junit())?;
    }
    super::emit(None, report.scorecard().as_bytes())?;
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use replywindow::fixtures::{SuiteError, SuiteOptions, build_suite, coverage};
use replywindow::output::{OutputFile, write_files};

/// Write the regression fixture suite for other implementations of the rules.
///
/// Writes into DIR: boundary.csv (every rule at -1 ms, 0 and +1 ms of its boundary, with
/// designed verdicts) and meta.toml (its policy written out), boundary-<policy>.csv with
/// its policy file, traffic-<scenario>.csv (realistic traffic from each embedded scenario,
/// a note per case), invalid/ (one file per invalid-input rule, with README.md and
/// EXPECTED.csv: the errors they must produce), RULES.md and TRACE-FORMAT.md (the contract),
/// MANIFEST.csv (files, counts, hashes, versions, policies) and README.md. The
/// suite is written only when the engine agrees with every designed verdict (else exit 1).
/// The same seed writes byte-identical files.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  replywindow fixtures --out fixtures\n  \
    replywindow replay fixtures/boundary.csv | replywindow check fixtures/boundary.csv -\n  \
    replywindow fixtures --out fixtures --format jsonl\n  \
    replywindow fixtures --coverage")]
pub struct Args {
    /// Where to write the suite (required unless --coverage).
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    /// Seed of the simulated traffic.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// At most this many cases in each traffic file.
    #[arg(long, value_name = "N", default_value_t = 200)]
    traffic_cases: usize,
    /// `jsonl` also writes each fixture as JSON Lines beside its CSV (`boundary.jsonl`
    /// beside `boundary.csv`): one object per case with its policy, rows, expectations and
    /// note, for test frameworks that want one case per test.
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
    /// Print which rows cover every (channel, verdict, reason), and why the others cannot
    /// occur.
    #[arg(long)]
    coverage: bool,
}

/// The forms of the suite's fixtures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// CSV only.
    Csv,
    /// CSV, and JSON Lines beside it.
    Jsonl,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.out.is_none() && !args.coverage {
        bail!("give --out DIR to write the suite, or --coverage to see what it covers");
    }
    if args.traffic_cases == 0 || args.traffic_cases > 100_000 {
        bail!(
            "--traffic-cases {}: a whole number from 1 to 100000",
            args.traffic_cases
        );
    }
    let files = match build_suite(SuiteOptions {
        seed: args.seed,
        traffic_cases: args.traffic_cases,
        jsonl: args.format == Format::Jsonl,
    }) {
        Ok(f) => f,
        Err(e @ (SuiteError::Disagreement { .. } | SuiteError::ReferenceDisagrees { .. })) => {
            super::note(&format!("replywindow: {e}"));
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(out) = &args.out {
        let outputs: Vec<OutputFile> = files.iter().map(|f| f.file.clone()).collect();
        write_files(out, &outputs)?;
        if !args.coverage {
            super::sayln(&format!(
                "wrote {} files of the fixture suite into {}",
                files.len(),
                out.display()
            ))?;
        }
    }
    if args.coverage {
        let (table, _) = coverage(&files);
        super::emit(None, table.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

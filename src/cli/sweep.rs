use std::path::{Path, PathBuf};
use std::process::ExitCode;

use replywindow::output::write_files;
use replywindow::sweep::{
    Share, Sweep, SweepError, Vary, complete_results, execute, share_dir, share_from_env,
};

/// Sweep scenario keys over values: staffing, shifts, bots, policy.
///
/// Each --vary KEY=VALUES names a scenario key path (as in scenarios/README.md, like
/// operators.shifts[1].operators or bots.window_warning) and its values: a list (2,4,6) or
/// an inclusive range (2..10:2). Several --vary make a grid. Every point runs the same
/// replications on the same customers (common random numbers). Writes sweep.csv (point ×
/// channel × metric with 95% intervals), a chart per headline metric against the key (a
/// line per channel with its band; a heat map for two keys) and index.html.
///
/// Resumable: each finished (point, replication) is kept in results.csv; the same command
/// started again skips them. On a cluster, --shard K/N (or a Slurm job array, or a
/// Kubernetes Indexed Job with --shards N) runs one share into OUT/shard-K-of-N; then
/// `replywindow merge` combines the shares.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    replywindow sweep scenarios/weekend-gap.toml --vary 'operators.shifts[1].operators=0..4'\n  \
    replywindow sweep scenarios/default.toml --vary bots.window_warning=off,30m,1h,2h --vary operators.shifts[0].operators=2..4\n  \
    replywindow sweep scenarios/default.toml --vary operators.concurrency=1..4 --shard 2/3 --out sweeps/c")]
pub struct Args {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// KEY=VALUES: a key path and a list (a,b,c) or an inclusive range (FROM..TO[:STEP]).
    #[arg(long, value_name = "KEY=VALUES", required = true)]
    vary: Vec<String>,
    #[command(flatten)]
    run: super::RunArgs,
    /// Output folder [default: reports/<scenario name>/sweep/].
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    /// Run only share K of N of the (point, replication) pairs, into OUT/shard-K-of-N.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// With a Kubernetes Indexed Job: the number of completions (the share is taken from
    /// JOB_COMPLETION_INDEX).
    #[arg(long, value_name = "N")]
    shards: Option<u32>,
}

/// A sweep error said in terms of the flag its value came from.
fn flagged(e: SweepError) -> anyhow::Error {
    use SweepError::*;
    match &e {
        Vary { .. }
        | VariedTwice { .. }
        | ReportVaried { .. }
        | KeyPath { .. }
        | InvalidPoint { .. } => {
            anyhow::anyhow!("--vary {e}")
        }
        NothingVaried => anyhow::anyhow!("give at least one --vary KEY=VALUES"),
        Share { .. } => anyhow::anyhow!("--shard {e}"),
        IndexedJobWithoutShards => {
            anyhow::anyhow!("JOB_COMPLETION_INDEX is set: give the job's completions as --shards N")
        }
        IndexNotBelowShards { index, shares } => {
            anyhow::anyhow!("JOB_COMPLETION_INDEX={index} is not below --shards {shares}")
        }
        SharesWithoutIndex { shares } => anyhow::anyhow!(
            "--shards {shares} needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); elsewhere use --shard K/N"
        ),
        OtherSweep { dir } => anyhow::anyhow!(
            "{} holds results of another sweep (another scenario, grid, seed, replications or share): \
             give another --out, or remove the folder",
            dir.display()
        ),
        _ => e.into(),
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (text, stem) = super::read_scenario(&args.scenario)?;
    let varies = args
        .vary
        .iter()
        .map(|v| Vary::parse(v))
        .collect::<Result<Vec<_>, _>>()
        .map_err(flagged)?;
    let sweep = Sweep::new(
        &text,
        &stem,
        &super::scenario_dir(&args.scenario),
        varies,
        args.run.replications,
        args.run.seed,
    )
    .map_err(|e| anyhow::anyhow!("{}: {}", args.scenario.display(), flagged(e)))?;
    let share = match &args.shard {
        Some(s) => Some(Share::parse(s).map_err(flagged)?),
        None => share_from_env(|k| std::env::var(k).ok(), args.shards).map_err(flagged)?,
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("reports").join(&sweep.name).join("sweep"));
    let dir = share_dir(&out, share);
    let total = sweep.share_pairs(share).len() as u64;
    let bar = super::progress::bar(total, "sweep", args.run.quiet);
    let outcome =
        execute(&sweep, &stem, &dir, share, args.run.threads, &|| bar.inc(1)).map_err(flagged)?;
    bar.finish_and_clear();
    if !args.run.quiet && outcome.resumed > 0 {
        super::note(&format!(
            "resumed: {} of {} pairs were already done in {}",
            outcome.resumed,
            outcome.total,
            dir.display()
        ));
    }
    if let Some(share) = share {
        if !args.run.quiet {
            super::sayln(&format!(
                "share {share} of sweep {}: {} (point, replication) pairs done in {}. A share's results are partial \
                 by design; when every share is done, combine them with\n  replywindow merge {}/shard-*-of-{} --out {}",
                sweep.name,
                outcome.total,
                dir.display(),
                out.display(),
                share.n,
                out.display()
            ))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let results = complete_results(&sweep, std::slice::from_ref(&dir))?;
    let files = sweep.outputs(&results)?;
    write_files(&dir, &files)?;
    if !args.run.quiet {
        super::sayln(&format!(
            "sweep {}: {} points × {} replications; wrote {} into {}",
            sweep.name,
            sweep.points.len(),
            sweep.replications,
            files
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            dir.display()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use replywindow::metrics::ReplicationMetrics;
use replywindow::output::write_files;
use replywindow::report::run::run_outputs;
use replywindow::report::summary_table;
use replywindow::scenario::Scenario;
use replywindow::sim::{Prepared, RunOptions, SimError, simulate_with};
use replywindow::time::format_duration;

/// Simulate a contact center under Meta's messaging rules.
///
/// Runs the scenario's replications in parallel and writes summary.csv (every metric per
/// channel, mean and 95% interval), replications.csv, verdicts.csv (messages by sender,
/// verdict and reason) and hourly.csv (the typical week) into the output folder, then prints
/// the headline figures per channel. Without SCENARIO it runs the embedded default scenario
/// (`replywindow scenario init` writes it out to edit). The same scenario and seed give
/// byte-identical files, whatever the number of threads.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  replywindow simulate\n  \
    replywindow simulate scenarios/weekend-gap.toml --replications 30 --out reports/wg\n  \
    replywindow simulate --horizon 365d --stats\n  \
    replywindow simulate --trace 0    # also write replication 0 as a fixture (trace.csv)")]
pub struct Args {
    /// A scenario file (TOML); the embedded default when omitted.
    scenario: Option<PathBuf>,
    #[command(flatten)]
    run: super::RunArgs,
    /// Simulated time per replication, like 28d or 365d (overrides the scenario's `horizon`).
    #[arg(long, value_name = "D")]
    horizon: Option<String>,
    /// Output folder [default: reports/<scenario name>/].
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print events handled, wall time, events per second and the peak event-list length
    /// to standard error.
    #[arg(long)]
    stats: bool,
    /// Also write replication R (counted from 0) as trace.csv: a fixture of realistic
    /// traffic with the expected verdicts.
    #[arg(long, value_name = "R")]
    trace: Option<u32>,
}

/// Reads a scenario file, or the embedded default.
pub(crate) fn load_scenario(path: Option<&Path>) -> anyhow::Result<Scenario> {
    let Some(path) = path else {
        return Ok(Scenario::default_scenario()?);
    };
    Ok(load_scenario_file(path)?.0)
}

/// The scenario in `path` with its counts files read, its text, and the name it goes by
/// without a `name` (see [`super::read_scenario`]).
pub(crate) fn load_scenario_file(path: &Path) -> anyhow::Result<(Scenario, String, String)> {
    let (text, stem) = super::read_scenario(path)?;
    let source = path.display().to_string();
    let mut scenario = Scenario::from_toml(&text, &stem).map_err(|e| e.in_source(&source))?;
    scenario
        .read_history(&super::scenario_dir(path))
        .map_err(|e| e.in_source(&source))?;
    Ok((scenario, text, stem))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut scenario = load_scenario(args.scenario.as_deref())?;
    if let Some(n) = args.run.replications {
        scenario.replications = n;
    }
    if let Some(seed) = args.run.seed {
        scenario.seed = seed;
    }
    if let Some(h) = &args.horizon {
        scenario
            .set_horizon(h)
            .map_err(|e| anyhow::anyhow!("--horizon {h}: {}", e.message))?;
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("reports").join(&scenario.name));
    let options = RunOptions {
        threads: args.run.threads,
        trace: args.trace,
        only: None,
    };
    let prepared = Prepared::new(scenario);
    let bar = super::progress::bar(
        u64::from(prepared.scenario.replications),
        "replications",
        args.run.quiet,
    );
    let run = simulate_with(&prepared, &options, &|_| bar.inc(1)).map_err(|e| match e {
        SimError::TraceOutOfRange {
            replication,
            replications,
        } => anyhow::anyhow!(
            "--trace {replication}: there are only {replications} replications (counted from 0)"
        ),
        e => e.into(),
    })?;
    bar.finish_and_clear();

    let numbered: Vec<(u32, &ReplicationMetrics)> = run
        .replications
        .iter()
        .map(|(i, r)| (*i, &r.metrics))
        .collect();
    let report = run_outputs(&prepared.scenario, &numbered, run.trace())?;
    write_files(&out, &report.files)?;

    if !args.run.quiet {
        let s = &prepared.scenario;
        super::sayln(&format!(
            "{}: {} replications of {} after a {} warm-up, seed {}",
            s.name,
            s.replications,
            format_duration(s.horizon - s.warm_up),
            format_duration(s.warm_up),
            s.seed
        ))?;
        super::say("\n")?;
        super::say(&summary_table(&report.summary))?;
        for finding in &report.findings {
            super::sayln(&format!("- {finding}"))?;
        }
        let named = |ending: &str| -> Vec<&str> {
            report
                .files
                .iter()
                .map(|f| f.name.as_str())
                .filter(|n| n.ends_with(ending))
                .collect()
        };
        super::sayln(&format!(
            "Wrote {}, {} charts (PNG and SVG) and index.html into {}",
            named(".csv").join(", "),
            named(".png").len(),
            out.display()
        ))?;
    }
    if args.stats {
        let secs = run.wall.as_secs_f64().max(1e-9);
        let rate = run.events as f64 / secs;
        super::note(&format!("events handled:   {}", run.events));
        super::note(&format!(
            "customers:        {} simulated, {:.0} per second",
            run.customers,
            run.customers as f64 / secs
        ));
        super::note(&format!("wall time:        {secs:.3} s"));
        super::note(&format!(
            "events/s:         {rate:.0} in total, {:.0} per thread ({} threads)",
            rate / run.threads as f64,
            run.threads
        ));
        super::note(&format!("peak event list:  {}", run.peak_events));
    }
    Ok(ExitCode::SUCCESS)
}

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use replywindow::metrics::ReplicationMetrics;
use replywindow::report::run::{run_charts, run_page};
use replywindow::report::{
    Summary, hourly_csv, replications_csv, summary_csv, summary_table, verdicts_csv,
};
use replywindow::scenario::Scenario;
use replywindow::sim::{Prepared, RunOptions, simulate_with};
use replywindow::time::{format_duration, parse_duration};
use replywindow::trace::{write_atomically, write_trace};

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
    let (text, stem) = super::read_scenario(path)?;
    Ok(Scenario::from_toml(&text, &stem).map_err(|e| e.in_source(&path.display().to_string()))?)
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
        let horizon = parse_duration(h).map_err(|e| anyhow::anyhow!("--horizon {h}: {e}"))?;
        if horizon > 3660 * replywindow::time::DAY {
            bail!("--horizon {h}: at most ten years");
        }
        if horizon <= scenario.warm_up {
            bail!(
                "--horizon {h}: must be longer than the scenario's warm-up ({})",
                format_duration(scenario.warm_up)
            );
        }
        scenario.horizon = horizon;
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
    let run = simulate_with(&prepared, &options, &|_| bar.inc(1))?;
    bar.finish_and_clear();

    let reps: Vec<&ReplicationMetrics> = run.replications.iter().map(|(_, r)| &r.metrics).collect();
    let numbered: Vec<(u32, &ReplicationMetrics)> = run
        .replications
        .iter()
        .map(|(i, r)| (*i, &r.metrics))
        .collect();
    let summary = Summary::new(&reps);
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("summary.csv", summary_csv(&summary)),
        ("replications.csv", replications_csv(&numbered)),
        ("verdicts.csv", verdicts_csv(&reps)),
        ("hourly.csv", hourly_csv(&reps)),
    ];
    if let Some(trace) = run.trace() {
        let mut bytes = Vec::new();
        write_trace(&mut bytes, trace)?;
        files.push(("trace.csv", bytes));
    }
    let charts = run_charts(&summary, &reps)?;
    let csv_names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    let page = run_page(&prepared.scenario, &summary, &charts, &csv_names);
    let mut chart_files: Vec<(String, Vec<u8>)> = Vec::new();
    for c in &charts {
        chart_files.push((format!("{}.png", c.name), c.png.clone()));
        chart_files.push((format!("{}.svg", c.name), c.svg.clone().into_bytes()));
    }
    chart_files.push(("index.html".into(), page.into_bytes()));
    std::fs::create_dir_all(&out)
        .with_context(|| format!("cannot create the folder {}", out.display()))?;
    let all = files
        .iter()
        .map(|(n, b)| (*n, b))
        .chain(chart_files.iter().map(|(n, b)| (n.as_str(), b)));
    for (name, bytes) in all {
        let path = out.join(name);
        write_atomically(&path, bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }

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
        super::say(&summary_table(&summary))?;
        super::sayln(&format!(
            "Wrote {}, {} charts (PNG and SVG) and index.html into {}",
            files.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
            charts.len(),
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

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use replywindow::output::write_files;
use replywindow::plan::{PlanOptions, Target, plan, plan_files, show};
use replywindow::scenario::DEFAULT_SCENARIO;

/// Find the least costly staffing that meets the targets, with confidence.
///
/// Targets come from the scenario ([[targets]]) and from --target: a metric of the glossary
/// (service_level(T) and answered_within(T) included), on one channel, on all pooled
/// (`all.`), or by default on every channel separately, bounded with <= or >=. The head count
/// of every shift may change between its min_operators and max_operators; each shift's
/// cost_per_hour and the operators' shrinkage give the weekly cost to minimise.
///
/// The search starts from the offered load, then simulates staffings on the same
/// replications (common random numbers), adding operators where they buy the most target per
/// cost and removing them while the targets hold. A target holds when its one-sided
/// confidence bound is on the right side. The plan is then checked on fresh replications;
/// if a target fails there, the search goes on with twice the replications.
///
/// Writes plan.csv, plan.toml (the scenario with the planned head counts, for `replywindow
/// simulate`), targets.csv, search.csv, charts and index.html into the output folder. Exit
/// 0 with a plan, 1 when no staffing within the bounds meets the targets (nothing that
/// passes for a plan is written), 2 on invalid input.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  replywindow plan scenarios/weekend-gap.toml\n  \
    replywindow plan --target 'unanswered_rate <= 2%' --target 'whatsapp.answered_within(1h) >= 80%'\n  \
    replywindow plan scenarios/default.toml --target 'service_level(15m) >= 80%' --confidence 0.99"
)]
pub struct Args {
    /// A scenario file (TOML); the embedded default when omitted.
    scenario: Option<PathBuf>,
    /// A target: [CHANNEL.]METRIC <= VALUE or >= VALUE (repeatable), like
    /// 'unanswered_rate <= 2%' or 'whatsapp.answered_within(1h) >= 80%'.
    #[arg(long, value_name = "TARGET")]
    target: Vec<String>,
    /// Replications per staffing (doubled when the plan fails its validation); the
    /// scenario's by default.
    #[arg(long, short = 'r', value_name = "N", value_parser = clap::value_parser!(u32).range(2..=10_000))]
    replications: Option<u32>,
    /// One-sided confidence with which each target must hold.
    #[arg(long, value_name = "C", default_value_t = 0.95)]
    confidence: f64,
    /// Seed of the search's replications; overrides the scenario's `seed`.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Worker threads; 0 uses every core.
    #[arg(long, short = 'j', value_name = "T", default_value_t = 0)]
    threads: usize,
    /// Output folder [default: reports/<scenario name>/plan/].
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    quiet: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let scenario = super::simulate::load_scenario(args.scenario.as_deref())?;
    let text = match &args.scenario {
        Some(path) => super::read_scenario(path)?.0,
        None => DEFAULT_SCENARIO.to_string(),
    };
    let mut targets = scenario
        .targets
        .iter()
        .map(Target::from_spec)
        .collect::<Result<Vec<_>, _>>()?;
    for t in &args.target {
        targets.push(Target::parse(t)?);
    }
    if !args.quiet && !targets.is_empty() && targets.iter().all(Target::is_compliance) {
        super::note(
            "replywindow: warning: every target bounds compliance (undelivered, violations): \
             those can be met by answering nobody late; bound unanswered_rate or a service \
             level too",
        );
    }
    let options = PlanOptions {
        replications: args.replications.unwrap_or(0),
        confidence: args.confidence,
        seed: args.seed,
        threads: args.threads,
    };
    let bar = super::progress::spinner("plan", args.quiet);
    let outcome = plan(&scenario, &targets, &options, &|e| {
        bar.inc(1);
        if e.feasible {
            bar.set_message(format!("plan: feasible at weekly cost {:.1}", e.cost));
        }
    })?;
    bar.finish_and_clear();
    let files = plan_files(&outcome, &targets, &text, args.confidence)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("reports").join(&scenario.name).join("plan"));
    write_files(&out, &files)?;
    if !args.quiet {
        let mut said = String::new();
        let chosen = &outcome.chosen;
        said.push_str(if outcome.feasible {
            "Plan: operators on duty per shift\n"
        } else {
            "No staffing within the bounds meets every target. The best found:\n"
        });
        for (s, shift) in outcome.shifts.iter().enumerate() {
            let n = chosen.staffing[s];
            said.push_str(&format!(
                "  {:<28} {:>4} on duty, {:>4} to schedule\n",
                format!("{}/{}", shift.team, shift.shift),
                n,
                outcome.scheduled(n)
            ));
        }
        said.push_str(&format!(
            "Weekly cost {:.1}; {} staffings evaluated.\nTargets, on fresh replications ({}):\n",
            chosen.cost,
            outcome.search.len(),
            chosen.replications
        ));
        for (t, checks) in targets.iter().zip(&chosen.checks) {
            for c in checks {
                said.push_str(&format!(
                    "  {:<44} {:<10} estimate {:>10}, bound {:>10}: {}\n",
                    t.text,
                    c.row,
                    show(c.mean, t.unit),
                    show(c.bound, t.unit),
                    if c.holds {
                        "holds".to_string()
                    } else {
                        format!("fails (target {})", t.value_text())
                    }
                ));
            }
        }
        said.push_str(&format!("Wrote the plan's files into {}\n", out.display()));
        super::say(&said)?;
    }
    Ok(if outcome.feasible {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use replywindow::scenario::DEFAULT_SCENARIO;
use replywindow::time::format_duration;

/// Write or check scenario files.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Write the default scenario, with a comment on every key, to FILE (or standard output).
    Init {
        /// Where to write it; standard output when omitted.
        file: Option<PathBuf>,
        /// Overwrite FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Check a scenario file: exit 0 and a short description when valid, exit 2 and an
    /// error naming the key and value otherwise.
    Validate {
        /// The scenario file (TOML).
        file: PathBuf,
    },
    /// Fit a scenario's traffic to a conversation log in the trace format (customer and
    /// business rows; expectation columns are ignored).
    ///
    /// Per channel: new conversations per day (a conversation starts at its first customer
    /// message or comment), the hour-of-week profile in local time (smoothed toward the
    /// hour of the day when the log is short), the comment share, the customers' follow-up
    /// probability and delay after an answer, Instagram's accept probability and delay; over
    /// all operators the promotional share and whether late replies carry the human-agent
    /// tag. Staffing, handle time, bots, nudges and patience come from --base. The scenario starts at the
    /// local midnight before the log's first conversation and ends with the hour of its last.
    ///
    /// Then a back-test: the fitted scenario is simulated over the log's period with the
    /// base's staffing, and each channel's share of undelivered operator answers in the log
    /// is set beside it; DIFFERS means the base's staffing is not what the log had, or the
    /// model misses something. Writes FILE, fit.csv (every estimate with its 95% interval
    /// and sample size) and backtest.csv beside it; without --out, the scenario goes to
    /// standard output.
    #[command(after_help = "Examples:
    replywindow scenario fit conversations.csv --out fitted.toml
    replywindow scenario fit conversations.csv --base scenarios/weekend-gap.toml --out fitted.toml
    replywindow scenario fit conversations.csv --counts --out history/fitted.toml
    replywindow simulate history/fitted.toml")]
    Fit {
        /// The conversation log (CSV in the trace format), or - for standard input.
        log: PathBuf,
        /// The scenario that supplies what a log cannot show; the default scenario when omitted.
        #[arg(long, value_name = "SCENARIO")]
        base: Option<PathBuf>,
        /// The IANA time zone of the profile and the days (e.g. Europe/Rome); the base's
        /// when omitted.
        #[arg(long, value_name = "TZ")]
        time_zone: Option<String>,
        /// Take arrivals as hourly counts files (counts-<channel>.csv beside FILE) instead
        /// of a rate and a profile: the log's own calendar, replayed.
        #[arg(long, requires = "out")]
        counts: bool,
        /// Where to write the fitted scenario; fit.csv and backtest.csv go in the same folder.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Fit {
            log,
            base,
            time_zone,
            counts,
            out,
        } => fit(
            &log,
            base.as_deref(),
            time_zone.as_deref(),
            counts,
            out.as_deref(),
        )?,
        Command::Init { file: None, .. } => super::emit(None, DEFAULT_SCENARIO.as_bytes())?,
        Command::Init {
            file: Some(path),
            force,
        } => {
            if path.exists() && !force {
                bail!(
                    "{} exists already: choose another name or add --force",
                    path.display()
                );
            }
            replywindow::output::write_atomically(&path, DEFAULT_SCENARIO.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            super::note(&format!("wrote the default scenario to {}", path.display()));
        }
        Command::Validate { file } => {
            let s = super::simulate::load_scenario(Some(&file))?;
            // The targets' metrics and values are the planner's to check.
            for spec in &s.targets {
                replywindow::plan::Target::from_spec(spec)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            }
            let channels: Vec<String> = s
                .channels
                .iter()
                .map(|c| format!("{} {}/day", c.channel, c.arrivals_per_day))
                .collect();
            let teamed = s.operators.teams.len() > 1;
            let shifts: Vec<String> = s
                .operators
                .shifts()
                .map(|(team, shift)| {
                    let team = &s.operators.teams[team];
                    let owner = if teamed {
                        format!("{} team, ", team.name)
                    } else {
                        String::new()
                    };
                    let days: Vec<&str> = replywindow::time::WEEKDAY_NAMES
                        .iter()
                        .enumerate()
                        .filter(|(d, _)| shift.days & (1 << d) != 0)
                        .map(|(_, name)| *name)
                        .collect();
                    format!(
                        "  {owner}{}: {} {}-{}, {} operator{}\n",
                        shift.name,
                        days.join(" "),
                        shift.start.format("%H:%M"),
                        shift.end.format("%H:%M"),
                        shift.operators,
                        if shift.operators == 1 { "" } else { "s" }
                    )
                })
                .collect();
            let out = format!(
                "{}: valid. {} in {}, horizon {}, warm-up {}, {} replications; {}; shifts:\n{}",
                file.display(),
                s.name,
                s.time_zone,
                format_duration(s.horizon),
                format_duration(s.warm_up),
                s.replications,
                channels.join(", "),
                shifts.concat()
            );
            super::emit(None, out.as_bytes())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn fit(
    log: &std::path::Path,
    base: Option<&std::path::Path>,
    time_zone: Option<&str>,
    counts: bool,
    out: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use replywindow::fit::FitOptions;
    let (base, base_text, base_name) = match base {
        Some(path) => super::simulate::load_scenario_file(path)?,
        None => (
            replywindow::scenario::Scenario::default_scenario()?,
            DEFAULT_SCENARIO.to_string(),
            "default".to_string(),
        ),
    };
    let options = FitOptions {
        base: &base,
        base_text: &base_text,
        base_name: &base_name,
        time_zone,
        counts,
        threads: 0,
    };
    let input = replywindow::trace::Input::open(log)?;
    let name = out.and_then(|p| p.file_name()).map_or_else(
        || "fitted.toml".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let fitted = replywindow::fit::fit(input, &options, &name)?;
    match out {
        Some(path) => {
            let dir = super::scenario_dir(path);
            replywindow::output::write_files(&dir, &fitted.files())?;
            super::note(&format!(
                "wrote {}, fit.csv and backtest.csv in {} ({:.2} days of the log)",
                path.display(),
                dir.display(),
                fitted.days
            ));
        }
        None => super::emit(None, fitted.scenario.as_bytes())?,
    }
    for e in &fitted.estimates {
        let interval = e
            .interval
            .map_or(String::new(), |(l, h)| format!(" [{l:.3}, {h:.3}]"));
        super::note(&format!(
            "  {:<10} {:<31} {:>10.3}{interval}  n={}",
            e.channel.as_str(),
            e.parameter,
            e.estimate,
            e.sample
        ));
    }
    super::note("back-test: the log beside the fitted scenario over the same period");
    for r in &fitted.backtest {
        let fitted = match r.simulated {
            Some((mean, (low, high))) => format!(
                "fitted {} [{}, {}]",
                r.show(mean),
                r.show(low),
                r.show(high)
            ),
            None => format!("fitted: {}", r.undefined()),
        };
        let verdict = if r.agrees() {
            "agrees"
        } else {
            "DIFFERS: the base's staffing is not what the log had, or the model misses something"
        };
        super::note(&format!(
            "  {:<10} {}: log {}, {fitted}  {verdict}",
            r.channel.as_str(),
            r.figure,
            r.show(r.log),
        ));
    }
    Ok(())
}

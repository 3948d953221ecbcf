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
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
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

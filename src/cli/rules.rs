use std::path::PathBuf;
use std::process::ExitCode;

/// Show the active policy: each channel's window, human-agent extension, private-reply
/// validity and hold, as a table.
///
/// Without --policy it shows Meta's default. A policy file (TOML) may set, per channel:
/// [whatsapp] window; [facebook] window, human_agent_extension ("none" switches it off),
/// private_reply_validity; [instagram] the same and hold_until_accepted (true/false).
/// Durations look like "90m", "24h", "7d", "1h 30m".
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A policy file (TOML); omitted keys keep Meta's default.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let policy = super::load_policy(args.policy.as_deref())?;
    super::emit(None, replywindow::report::policy_table(&policy).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

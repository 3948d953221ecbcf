use std::path::PathBuf;
use std::process::ExitCode;

/// Combine the shares of a sharded sweep into exactly what one unsharded run writes.
///
/// Each DIR is a share's folder (OUT/shard-K-of-N). Refuses, with exit code 2, when a
/// share is missing or incomplete, given twice, or comes from another scenario, grid, seed
/// or number of replications.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  replywindow merge reports/default/sweep/shard-*-of-3 --out reports/default/sweep"
)]
pub struct Args {
    /// The share folders.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Where to write the merged sweep [default: the folder holding the first share].
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    quiet: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (sweep, results) = replywindow::sweep::merge(&args.dirs)?;
    let out = match args.out {
        Some(o) => o,
        None => args.dirs[0]
            .parent()
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(".")),
    };
    let files = sweep.outputs(&results)?;
    replywindow::output::write_files(&out, &files)?;
    if !args.quiet {
        super::sayln(&format!(
            "merged {} shares of sweep {} into {}",
            args.dirs.len(),
            sweep.name,
            out.display()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

//! What-if sweeps: a grid over scenario keys, every point run on the same replications
//! (common random numbers: replication `r` sees the same customers at every point), split
//! into shares for a cluster, resumable, and merged back into exactly what one run writes.
//!
//! ```
//! use replywindow::sweep::Vary;
//! let v = Vary::parse("operators.shifts[1].operators=0..4:2").unwrap();
//! assert_eq!(v.labels, ["0", "2", "4"]);
//! let w = Vary::parse("bots.window_warning=off,30m,1h").unwrap();
//! assert_eq!(w.labels, ["off", "30m", "1h"]);
//! ```

mod grid;
mod record;
mod results;
mod run;
mod share;

pub use crate::scenario::set_key;
pub use grid::{Sweep, Vary, fnv1a64, row_labels};
pub use record::{RECORD, SweepRecord};
pub use results::{PairResult, ResultsFile, read_results};
pub use run::{Outcome, complete_results, execute, merge};
pub use share::{Share, share_dir, share_from_env};

use std::path::PathBuf;

use crate::scenario::ScenarioError;

/// A sweep that cannot be run: each variant names what went wrong and where (a key, a
/// value, a file, a share). The messages name no command-line flag; the command line adds
/// which flag a value came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SweepError {
    /// A `KEY=VALUES` specification that cannot be read.
    #[error("{spec}: {problem}")]
    Vary { spec: String, problem: VaryProblem },
    #[error("no key is varied: give at least one KEY=VALUES")]
    NothingVaried,
    #[error("{key}: the key is varied twice")]
    VariedTwice { key: String },
    /// The report's settings are the same for every point, so that points compare.
    #[error("{key}: the report's settings cannot be varied")]
    ReportVaried { key: String },
    #[error("the grid has {points} points; at most 100000")]
    TooManyPoints { points: usize },
    /// The base scenario is not TOML.
    #[error("{name}: {message}")]
    BaseScenario { name: String, message: String },
    /// A varied key path that cannot be set in the scenario.
    #[error("{key}: {problem}")]
    KeyPath { key: String, problem: String },
    /// A point of the grid that is not a valid scenario (`point` is `key=value, …`).
    #[error("{point}: {source}")]
    InvalidPoint {
        point: String,
        source: ScenarioError,
    },
    /// A share not written `K/N` with `1 <= K <= N`.
    #[error("{text}: write it as K/N with 1 <= K <= N, like 2/3")]
    Share { text: String },
    #[error("the environment variable {variable}={value} is not a whole number")]
    NotAWholeNumber { variable: String, value: String },
    #[error("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not")]
    SlurmCountMissing,
    #[error("SLURM_ARRAY_TASK_ID={id} is outside the array ({min} to {max})")]
    SlurmIdOutside { id: u32, min: u32, max: u32 },
    #[error("JOB_COMPLETION_INDEX is set: give the job's completions as the number of shares")]
    IndexedJobWithoutShards,
    #[error("JOB_COMPLETION_INDEX={index} is not below the number of shares, {shares}")]
    IndexNotBelowShards { index: u32, shares: u32 },
    #[error(
        "{shares} shares need JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); elsewhere give the share as K/N"
    )]
    SharesWithoutIndex { shares: u32 },
    /// A file or folder that cannot be read or written.
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    #[error("{}: not a sweep record ({message})", path.display())]
    NotARecord { path: PathBuf, message: String },
    #[error("{}: not a results file of this version of replywindow", path.display())]
    NotResults { path: PathBuf },
    #[error("{}, line {line}: {text:?} is not a result", path.display())]
    NotAResult {
        path: PathBuf,
        line: usize,
        text: String,
    },
    /// The folder holds another sweep's results.
    #[error(
        "{} holds results of another sweep (another scenario, grid, seed, replications or share): write elsewhere, or remove the folder",
        dir.display()
    )]
    OtherSweep { dir: PathBuf },
    #[error("cannot start {threads} worker threads: {message}")]
    Threads { threads: usize, message: String },
    #[error("a worker thread failed")]
    WorkerFailed,
    #[error(
        "{missing} of {total} (point, replication) pairs have no result yet: the results are incomplete"
    )]
    Incomplete { missing: usize, total: usize },
    #[error("{}: no {RECORD}: not a sweep folder", dir.display())]
    NotASweepFolder { dir: PathBuf },
    #[error("give the shard folders to merge")]
    NoShares,
    #[error(
        "{} comes from another sweep than {} (another scenario, grid, seed or replications)",
        dir.display(),
        first.display()
    )]
    MergeOtherSweep { dir: PathBuf, first: PathBuf },
    #[error("{} is a whole sweep, not a share", dir.display())]
    WholeSweep { dir: PathBuf },
    #[error("{} is share {share}, but other shares are of {n}", dir.display())]
    ShareCountMismatch { dir: PathBuf, share: Share, n: u32 },
    #[error("share {share} is given twice: {} and {}", first.display(), second.display())]
    ShareTwice {
        share: Share,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("share {} is missing", shares.join(", "))]
    SharesMissing { shares: Vec<String> },
}

impl SweepError {
    /// An I/O failure on `path`.
    pub(crate) fn io(path: &std::path::Path, e: &std::io::Error) -> SweepError {
        SweepError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
}

/// What is wrong with a `KEY=VALUES` specification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaryProblem {
    #[error("write it as KEY=VALUES, like operators.concurrency=1,2,3")]
    NoEquals,
    #[error("`{key}` is not a key path (like operators.shifts[1].operators)")]
    NotAKeyPath { key: String },
    #[error("key {key}: the step must be above zero, not {step}")]
    StepNotPositive { key: String, step: String },
    #[error("key {key}: the range {from}..{to} is empty")]
    EmptyRange {
        key: String,
        from: String,
        to: String,
    },
    #[error("key {key}: a range is FROM..TO[:STEP] with numbers")]
    RangeNotNumbers { key: String },
    #[error("key {key}: no values, or an empty one")]
    EmptyValue { key: String },
    #[error("key {key}: more than 10000 values")]
    TooManyValues { key: String },
}

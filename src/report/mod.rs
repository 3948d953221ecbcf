//! Reports of a run. Each writer returns bytes, so it is unit-tested without files.
//!
//! ```
//! use replywindow::metrics::ReplicationMetrics;
//! use replywindow::report::{Summary, summary_csv};
//! use replywindow::scenario::Scenario;
//! use replywindow::sim::{Prepared, RunOptions, simulate};
//!
//! let mut s = Scenario::default_scenario().unwrap();
//! s.horizon = 9 * replywindow::time::DAY;
//! s.warm_up = 2 * replywindow::time::DAY;
//! s.replications = 2;
//! let run = simulate(&Prepared::new(s), &RunOptions::default()).unwrap();
//! let reps: Vec<&ReplicationMetrics> = run.replications.iter().map(|(_, r)| &r.metrics).collect();
//! let csv = String::from_utf8(summary_csv(&Summary::new(&reps))).unwrap();
//! assert!(csv.starts_with("channel,metric,unit,mean,ci_low,ci_high,replications\n"));
//! assert!(csv.contains("\nwhatsapp,undelivered_rate_operator,ratio,"));
//! ```

pub mod charts;
pub mod findings;
pub mod plan;
mod policy;
pub mod run;
pub mod sweep;
mod tables;

pub use policy::policy_table;
pub use tables::{
    BacklogRow, Summary, TeamRow, backlog_csv, backlog_rows, hourly_csv, replications_csv,
    summary_csv, summary_table, team_rows, teams_csv, verdicts_csv,
};

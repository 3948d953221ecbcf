//! Reports of a run. Each writer returns bytes, so it is unit-tested without files.

pub mod charts;
pub mod run;
pub mod sweep;
mod tables;

pub use tables::{
    MetricRows, Summary, hourly_csv, replications_csv, summary_csv, summary_table, verdicts_csv,
};

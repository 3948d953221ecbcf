//! `scenario fit`: a scenario's traffic estimated from a conversation log.
//!
//! A log is a trace (docs/TRACE-FORMAT.md) without expectations: every customer and
//! business row of real conversations. What a log shows is estimated from it, per channel:
//! new conversations per day, their hour-of-week profile, the comment share, the customers'
//! follow-ups after an answer, nudges, returns after a window warning and Instagram accepts
//! (probability and delay), and the operators' promotional share and human-agent tagging.
//! The rest (staffing, handle time, bots, patience) is kept from a base scenario. The
//! back-test compares the log's undelivered and unanswered shares and first-response
//! percentiles with the fitted scenario's.
//!
//! The period of a log runs from the local midnight before its first new conversation to
//! the end of the hour of its last, in the time zone of the fit.

mod backtest;
mod behaviour;
mod censored;
mod estimate;
mod requests;

pub use backtest::{BACKTEST_FIGURES, BacktestRow, backtest_csv};
pub use estimate::{Estimate, Fit};

use std::fmt;

use chrono_tz::Tz;

use crate::output::OutputFile;
use crate::scenario::{Scenario, ScenarioError};
use crate::trace::{Input, TraceError};

/// Why a log could not be fitted.
#[derive(Debug)]
pub enum FitError {
    /// The log is not a valid trace.
    Trace(TraceError),
    /// The log has no customer row: nothing starts a conversation.
    NoConversations { file: String },
    /// The base scenario is invalid, or the fitted one would be (a fault of the fit).
    Scenario(ScenarioError),
    /// The time zone is not an IANA name.
    TimeZone { value: String },
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitError::Trace(e) => write!(f, "{e}"),
            FitError::NoConversations { file } => write!(
                f,
                "{file}: no customer row, so no conversation to fit arrivals from"
            ),
            FitError::Scenario(e) => write!(f, "{e}"),
            FitError::TimeZone { value } => {
                write!(
                    f,
                    "time zone `{value}` is not an IANA name like Europe/Rome"
                )
            }
        }
    }
}

impl std::error::Error for FitError {}

impl From<TraceError> for FitError {
    fn from(e: TraceError) -> FitError {
        FitError::Trace(e)
    }
}

impl From<ScenarioError> for FitError {
    fn from(e: ScenarioError) -> FitError {
        FitError::Scenario(e)
    }
}

/// What a fit needs besides the log.
pub struct FitOptions<'a> {
    /// The base scenario (staffing, bots, behaviour), its TOML and its name.
    pub base: &'a Scenario,
    pub base_text: &'a str,
    pub base_name: &'a str,
    /// The time zone of the profile; the base's when `None`.
    pub time_zone: Option<&'a str>,
    /// Arrivals as counts files (one per channel, hourly) instead of a rate and a profile.
    pub counts: bool,
    /// Worker threads of the back-test (0: one per core).
    pub threads: usize,
}

/// Fits `log` and back-tests the fit. [`Fit::files`] are `scenario` (the fitted TOML),
/// `fit.csv`, `backtest.csv` and with [`FitOptions::counts`] one `counts-<channel>.csv` per
/// channel, all meant for one folder.
pub fn fit(log: Input, options: &FitOptions, scenario: &str) -> Result<Fit, FitError> {
    let tz: Tz = match options.time_zone {
        Some(name) => name.parse().map_err(|_| FitError::TimeZone {
            value: name.to_string(),
        })?,
        None => options.base.time_zone,
    };
    estimate::fit(log, options, tz, scenario)
}

impl Fit {
    /// The files of this fit, named as asked.
    pub fn files(&self) -> Vec<OutputFile> {
        let mut files = vec![
            OutputFile::new(
                self.scenario_name.clone(),
                self.scenario.clone().into_bytes(),
            ),
            OutputFile::new("fit.csv", self.table_csv().into_bytes()),
            OutputFile::new("backtest.csv", backtest_csv(&self.backtest).into_bytes()),
        ];
        for (name, bytes) in &self.counts {
            files.push(OutputFile::new(name.clone(), bytes.clone().into_bytes()));
        }
        files
    }
}

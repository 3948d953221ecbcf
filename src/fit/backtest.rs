//! The back-test of a fit: the log's own figures beside what the fitted scenario produces
//! over the same period with the base's staffing. Where they disagree, the base's staffing
//! is not what the log had, or the model misses something the log shows; the what-ifs
//! built on the fit deserve that much less trust.

use std::fmt::Write as _;

use crate::metrics::{Counters, METRICS, MetricDef, RunFigures, estimate_within};
use crate::rules::Channel;
use crate::scenario::Scenario;
use crate::sim::{Prepared, RunOptions, simulate};

/// Replications of the back-test at least, for an interval.
const MIN_REPLICATIONS: u32 = 10;

/// The figures compared, by their names in the metric catalogue: the same definitions for
/// the log and for the simulation.
pub const BACKTEST_FIGURES: [&str; 4] = [
    "undelivered_rate_operator",
    "unanswered_rate",
    "first_response_p50",
    "first_response_p90",
];

/// One figure of one channel: the log's value beside the fitted scenario's mean over its
/// replications and the 95% prediction interval of one run (the log is one run: the
/// interval of the mean would be too narrow to judge it by).
#[derive(Clone, Debug, PartialEq)]
pub struct BacktestRow {
    pub channel: Channel,
    pub figure: &'static str,
    /// `ratio` or `minutes` (infinite: `never`, a percentile among unanswered requests).
    pub unit: &'static str,
    pub log: f64,
    /// The fitted scenario's mean and interval; `None` when no replication has the figure
    /// (no operator answer on the channel, no request closed).
    pub simulated: Option<(f64, (f64, f64))>,
}

impl BacktestRow {
    /// True when the log's figure lies inside the fitted scenario's interval.
    pub fn agrees(&self) -> bool {
        self.simulated
            .is_some_and(|(_, (low, high))| low <= self.log && self.log <= high)
    }

    /// Why the fitted scenario has no value of this figure, for people.
    pub fn undefined(&self) -> &'static str {
        if self.figure.starts_with("undelivered") {
            "no operator answer at all"
        } else {
            "no request closed"
        }
    }

    /// A value of this figure for people: `12.34%`, `35.2 min`, `never`.
    pub fn show(&self, value: f64) -> String {
        match (self.unit, value.is_finite()) {
            (_, false) => "never".into(),
            ("ratio", true) => format!("{:.2}%", 100.0 * value),
            (_, true) => format!("{value:.1} min"),
        }
    }
}

/// The 95% prediction interval of one run from the replications' `values`, in `domain`.
/// Percentiles may be infinite (`never`) in some replications: then the interval reaches
/// to infinity and starts at the smallest value, and the centre is their median.
fn one_run_interval(mut values: Vec<f64>, domain: (f64, f64)) -> Option<(f64, (f64, f64))> {
    if values.iter().any(|v| !v.is_finite()) {
        values.sort_by(f64::total_cmp);
        let low = *values.first()?;
        return Some((values[values.len() / 2], (low, f64::INFINITY)));
    }
    let e = estimate_within(&values, domain)?;
    // The interval of the mean is t·sd/√n wide on each side; one run's is
    // t·sd·√(1 + 1/n), that is √(n + 1) times wider.
    let widen = ((values.len() + 1) as f64).sqrt();
    let (low, high) = e.interval.unwrap_or((e.mean, e.mean));
    Some((
        e.mean,
        (
            (e.mean - (e.mean - low) * widen).max(domain.0),
            (e.mean + (high - e.mean) * widen).min(domain.1),
        ),
    ))
}

fn metric(name: &str) -> Option<&'static MetricDef> {
    METRICS.iter().find(|m| m.name == name)
}

/// The log's figures per channel (`log`: the channel's counters from the log's requests and
/// operator messages) beside the fitted scenario simulated over the log's period (no
/// warm-up, so that both count the same time).
pub(super) fn backtest(
    mut scenario: Scenario,
    log: &[(Channel, Counters)],
    threads: usize,
) -> Vec<BacktestRow> {
    scenario.warm_up = 0;
    scenario.replications = scenario.replications.max(MIN_REPLICATIONS);
    let options = RunOptions {
        threads,
        ..RunOptions::default()
    };
    // The fitted scenario was validated; a run of it cannot fail on its input.
    let Ok(run) = simulate(&Prepared::new(scenario), &options) else {
        return Vec::new();
    };
    let figures = RunFigures {
        weeks: 0.0,
        occupancy: None,
    };
    let mut rows = Vec::new();
    for (channel, k_log) in log {
        for def in BACKTEST_FIGURES.iter().filter_map(|n| metric(n)) {
            let Some(log_value) = (def.value)(k_log, &figures) else {
                continue;
            };
            let values: Vec<f64> = run
                .replications
                .iter()
                .filter_map(|(_, r)| {
                    let (_, k) = r.metrics.channels.iter().find(|(c, _)| c == channel)?;
                    (def.value)(k, &figures)
                })
                .collect();
            let domain = if def.unit == "ratio" {
                (0.0, 1.0)
            } else {
                (0.0, f64::INFINITY)
            };
            rows.push(BacktestRow {
                channel: *channel,
                figure: def.name,
                unit: def.unit,
                log: log_value,
                simulated: one_run_interval(values, domain),
            });
        }
    }
    rows
}

/// A number of `backtest.csv`: `never` for an infinite percentile.
fn cell(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.6}")
    } else {
        "never".into()
    }
}

/// `backtest.csv`: channel, figure, unit, the log's value, the fitted scenario's mean and
/// interval, and whether they agree.
pub fn backtest_csv(rows: &[BacktestRow]) -> String {
    let mut out = String::from("channel,figure,unit,log,simulated,low,high,agrees\n");
    for r in rows {
        let simulated = r.simulated.map_or(",,".to_string(), |(mean, (low, high))| {
            format!("{},{},{}", cell(mean), cell(low), cell(high))
        });
        let _ = writeln!(
            out,
            "{},{},{},{},{simulated},{}",
            r.channel,
            r.figure,
            r.unit,
            cell(r.log),
            r.agrees()
        );
    }
    out
}

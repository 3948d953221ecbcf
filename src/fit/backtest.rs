//! The back-test of a fit: the log's own figures beside what the fitted scenario produces
//! over the same period with the base's staffing. Where they disagree, the base's staffing
//! is not what the log had, or the model misses something the log shows; the what-ifs
//! built on the fit deserve that much less trust.

use std::fmt::Write as _;

use crate::metrics::{Counters, estimate_within};
use crate::rules::{Channel, Sender, Verdict};
use crate::scenario::Scenario;
use crate::sim::{Prepared, RunOptions, simulate};

/// Replications of the back-test at least, for an interval.
const MIN_REPLICATIONS: u32 = 10;

/// One figure of one channel: the log's value beside the fitted scenario's mean over its
/// replications and the 95% prediction interval of one run (the log is one run: the
/// interval of the mean would be too narrow to judge it by).
#[derive(Clone, Debug, PartialEq)]
pub struct BacktestRow {
    pub channel: Channel,
    pub figure: &'static str,
    pub log: f64,
    /// The fitted scenario's mean and interval; `None` when no replication sent an
    /// operator answer on the channel (nobody on duty in the period, say).
    pub simulated: Option<(f64, (f64, f64))>,
}

impl BacktestRow {
    /// True when the log's figure lies inside the fitted scenario's interval.
    pub fn agrees(&self) -> bool {
        self.simulated
            .is_some_and(|(_, (low, high))| low <= self.log && self.log <= high)
    }
}

/// The share of operator answers that were undelivered, in `log` (per channel, operator
/// messages sent and undelivered), beside the fitted scenario simulated over the log's
/// period (no warm-up, so that both count the same time).
pub(super) fn backtest(
    mut scenario: Scenario,
    log: &[(Channel, u64, u64)],
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
    let operator = Some(Sender::Operator);
    let mut rows = Vec::new();
    for &(channel, sent, undelivered) in log {
        if sent == 0 {
            continue;
        }
        let rates: Vec<f64> = run
            .replications
            .iter()
            .filter_map(|(_, r)| {
                let k: &Counters = &r.metrics.channels.iter().find(|(c, _)| *c == channel)?.1;
                let sent = k.sent_by(operator);
                (sent > 0).then(|| k.count(operator, Verdict::Undelivered) as f64 / sent as f64)
            })
            .collect();
        let log = undelivered as f64 / sent as f64;
        let figure = "undelivered_rate_operator";
        let Some(e) = estimate_within(&rates, (0.0, 1.0)) else {
            rows.push(BacktestRow {
                channel,
                figure,
                log,
                simulated: None,
            });
            continue;
        };
        // The interval of the mean is t·sd/√n wide on each side; one run's is
        // t·sd·√(1 + 1/n), that is √(n + 1) times wider.
        let widen = ((rates.len() + 1) as f64).sqrt();
        let (low, high) = e.interval.unwrap_or((e.mean, e.mean));
        let interval = (
            (e.mean - (e.mean - low) * widen).max(0.0),
            (e.mean + (high - e.mean) * widen).min(1.0),
        );
        rows.push(BacktestRow {
            channel,
            figure,
            log,
            simulated: Some((e.mean, interval)),
        });
    }
    rows
}

/// `backtest.csv`: channel, figure, the log's value, the fitted scenario's mean and
/// interval, and whether they agree.
pub fn backtest_csv(rows: &[BacktestRow]) -> String {
    let mut out = String::from("channel,figure,log,simulated,low,high,agrees\n");
    for r in rows {
        let simulated = r.simulated.map_or(",,".to_string(), |(mean, (low, high))| {
            format!("{mean:.6},{low:.6},{high:.6}")
        });
        let _ = writeln!(
            out,
            "{},{},{:.6},{simulated},{}",
            r.channel,
            r.figure,
            r.log,
            r.agrees()
        );
    }
    out
}

//! The CSV files of a run (simulation.md, "Metrics") and the table printed on the terminal.

use std::fmt::Write as _;

use crate::metrics::{
    Estimate, Metric, MetricRows, ReplicationMetrics, SENDERS, ShiftBacklog, catalogue,
    estimate_within,
};
use crate::rules::Reason;
use crate::time::{WEEK_HOURS, WEEKDAY_NAMES};

/// Floats in CSV: a fixed number of decimals, so equal runs give equal bytes; an infinite
/// time (a percentile among requests never answered) is `never`.
pub(crate) fn num(v: f64) -> String {
    if v.is_infinite() {
        "never".to_string()
    } else {
        format!("{v:.6}")
    }
}

fn opt(v: Option<f64>) -> String {
    v.map(num).unwrap_or_default()
}

/// Every metric of every row (channels, then `all`), estimated over the replications.
#[derive(Clone, Debug)]
pub struct Summary {
    /// The metrics, in the order of `estimates`.
    pub metrics: Vec<Metric>,
    /// Row labels: the channels, then `all`.
    pub rows: Vec<String>,
    /// `estimates[row][metric]`, in `metrics` order.
    pub estimates: Vec<Vec<Option<Estimate>>>,
    pub replications: usize,
}

impl Summary {
    /// Summarises replications given in replication order.
    pub fn new(reps: &[&ReplicationMetrics]) -> Summary {
        let per_rep: Vec<MetricRows> = reps.iter().map(|r| r.rows()).collect();
        let metrics = reps
            .first()
            .map_or_else(|| catalogue(&[]), |r| r.catalogue());
        Summary::from_rows(metrics, &per_rep)
    }

    /// Summarises replications given as their rows of `metrics`
    /// ([`ReplicationMetrics::rows`]), in replication order.
    pub fn from_rows(metrics: Vec<Metric>, per_rep: &[MetricRows]) -> Summary {
        let rows: Vec<String> = per_rep
            .first()
            .map(|r| r.iter().map(|(l, _)| l.clone()).collect())
            .unwrap_or_default();
        let estimates = (0..rows.len())
            .map(|row| {
                metrics
                    .iter()
                    .enumerate()
                    .map(|(m, def)| {
                        let values: Vec<f64> = per_rep.iter().filter_map(|r| r[row].1[m]).collect();
                        def.estimate(&values)
                    })
                    .collect()
            })
            .collect();
        Summary {
            metrics,
            rows,
            estimates,
            replications: per_rep.len(),
        }
    }

    /// The estimate of `metric` on row `row` (a channel name or `all`).
    pub fn get(&self, row: &str, metric: &str) -> Option<Estimate> {
        let r = self.rows.iter().position(|l| l == row)?;
        let m = self.metrics.iter().position(|d| d.name == metric)?;
        self.estimates[r][m]
    }
}

/// `summary.csv`: channel, metric, unit, mean, ci_low, ci_high, replications.
pub fn summary_csv(s: &Summary) -> Vec<u8> {
    let mut out = String::from("channel,metric,unit,mean,ci_low,ci_high,replications\n");
    for (row, estimates) in s.rows.iter().zip(&s.estimates) {
        for (def, e) in s.metrics.iter().zip(estimates) {
            let (mean, lo, hi, n) = match e {
                Some(e) => (
                    num(e.mean),
                    opt(e.interval.map(|i| i.0)),
                    opt(e.interval.map(|i| i.1)),
                    e.n,
                ),
                None => (String::new(), String::new(), String::new(), 0),
            };
            let _ = writeln!(out, "{row},{},{},{mean},{lo},{hi},{n}", def.name, def.unit);
        }
    }
    out.into_bytes()
}

/// `replications.csv`: every metric of every replication.
pub fn replications_csv(reps: &[(u32, &ReplicationMetrics)]) -> Vec<u8> {
    let mut out = String::from("replication,channel,metric,value\n");
    for (r, m) in reps {
        let metrics = m.catalogue();
        for (row, values) in m.rows() {
            for (def, v) in metrics.iter().zip(values) {
                let _ = writeln!(out, "{r},{row},{},{}", def.name, opt(v));
            }
        }
    }
    out.into_bytes()
}

/// `verdicts.csv`: business messages per replication by channel, sender, verdict and reason
/// (the combinations that occurred in any replication), mean with its interval.
pub fn verdicts_csv(reps: &[&ReplicationMetrics]) -> Vec<u8> {
    let mut out = String::from("channel,sender,verdict,reason,mean,ci_low,ci_high\n");
    let Some(first) = reps.first() else {
        return out.into_bytes();
    };
    for (slot, (channel, _)) in first.channels.iter().enumerate() {
        for sender in SENDERS {
            for reason in Reason::ALL {
                let values: Vec<f64> = reps
                    .iter()
                    .map(|m| m.channels[slot].1.sent(Some(sender), *reason) as f64)
                    .collect();
                if values.iter().all(|v| *v == 0.0) {
                    continue;
                }
                let Some(e) = estimate_within(&values, (0.0, f64::INFINITY)) else {
                    continue;
                };
                let _ = writeln!(
                    out,
                    "{channel},{sender},{},{reason},{},{},{}",
                    reason.verdict(),
                    num(e.mean),
                    opt(e.interval.map(|i| i.0)),
                    opt(e.interval.map(|i| i.1))
                );
            }
        }
    }
    out.into_bytes()
}

/// `hourly.csv`: the typical week, 168 local hours × channel, each the mean over the counted
/// weeks of all replications.
pub fn hourly_csv(reps: &[&ReplicationMetrics]) -> Vec<u8> {
    let mut out = String::from(
        "channel,hour_of_week,day,hour,arrivals,customers_waiting,undelivered,operators_on_duty,occupancy\n",
    );
    let Some(first) = reps.first() else {
        return out.into_bytes();
    };
    let mut sum = first.hourly.clone();
    for m in &reps[1..] {
        sum.add(&m.hourly);
    }
    for (slot, (channel, _)) in first.channels.iter().enumerate() {
        for h in 0..WEEK_HOURS {
            let times = sum.occurrences[h];
            let span = sum.span[h];
            let per = |v: f64, d: f64| (d > 0.0).then(|| v / d);
            let _ = writeln!(
                out,
                "{channel},{h},{},{},{},{},{},{},{}",
                WEEKDAY_NAMES[h / 24],
                h % 24,
                opt(per(sum.arrivals[slot][h], times)),
                opt(per(sum.waiting[slot][h], span)),
                opt(per(sum.undelivered[slot][h], times)),
                opt(per(sum.on_duty[h], span)),
                opt(per(sum.busy[h], sum.capacity[h])),
            );
        }
    }
    out.into_bytes()
}

/// A team's occupancy over the replications.
pub struct TeamRow {
    pub team: String,
    pub channels: Vec<String>,
    pub occupancy: Option<Estimate>,
}

/// Each team's occupancy (busy operator-time over on-duty operator-time), mean and 95%
/// interval over the replications.
pub fn team_rows(reps: &[&ReplicationMetrics]) -> Vec<TeamRow> {
    let Some(first) = reps.first() else {
        return Vec::new();
    };
    first
        .teams
        .iter()
        .enumerate()
        .map(|(t, team)| {
            let values: Vec<f64> = reps.iter().filter_map(|r| r.teams[t].occupancy()).collect();
            TeamRow {
                team: team.name.clone(),
                channels: team.channels.iter().map(|c| c.to_string()).collect(),
                occupancy: estimate_within(&values, (0.0, 1.0)),
            }
        })
        .collect()
}

/// The conversations waiting on one channel at the starts of one shift.
pub struct BacklogRow {
    pub team: String,
    pub shift: String,
    pub channel: String,
    /// Counted starts of the shift per replication.
    pub starts: f64,
    /// Waiting per start: an answer could still reach them, or they are past every window.
    pub answerable: Option<f64>,
    pub past_windows: Option<f64>,
}

/// At the start of each shift, the conversations waiting per channel its team serves,
/// averaged over the shift's counted starts in every replication.
pub fn backlog_rows(reps: &[&ReplicationMetrics]) -> Vec<BacklogRow> {
    let Some(first) = reps.first() else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for (i, shift) in first.backlog.iter().enumerate() {
        let starts: f64 = reps.iter().map(|r| r.backlog[i].starts).sum();
        let team = first.teams.iter().find(|t| t.name == shift.team);
        for (slot, (channel, _)) in first.channels.iter().enumerate() {
            if team.is_some_and(|t| !t.channels.contains(channel)) {
                continue;
            }
            let per = |f: fn(&ShiftBacklog) -> &Vec<f64>| {
                let sum: f64 = reps.iter().map(|r| f(&r.backlog[i])[slot]).sum();
                (starts > 0.0).then(|| sum / starts)
            };
            rows.push(BacklogRow {
                team: shift.team.clone(),
                shift: shift.shift.clone(),
                channel: channel.to_string(),
                starts: starts / reps.len() as f64,
                answerable: per(|b| &b.answerable),
                past_windows: per(|b| &b.past_windows),
            });
        }
    }
    rows
}

/// `teams.csv`: each team's channels and occupancy, mean and 95% interval.
pub fn teams_csv(reps: &[&ReplicationMetrics]) -> Vec<u8> {
    let mut out = String::from("team,channels,occupancy,ci_low,ci_high,replications\n");
    for row in team_rows(reps) {
        let e = row.occupancy;
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            row.team,
            row.channels.join(" "),
            opt(e.map(|e| e.mean)),
            opt(e.and_then(|e| e.interval).map(|i| i.0)),
            opt(e.and_then(|e| e.interval).map(|i| i.1)),
            e.map_or(0, |e| e.n)
        );
    }
    out.into_bytes()
}

/// `backlog.csv`: [`backlog_rows`], one line each.
pub fn backlog_csv(reps: &[&ReplicationMetrics]) -> Vec<u8> {
    let mut out =
        String::from("team,shift,channel,starts_per_replication,answerable,past_windows\n");
    for row in backlog_rows(reps) {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            row.team,
            row.shift,
            row.channel,
            num(row.starts),
            opt(row.answerable),
            opt(row.past_windows)
        );
    }
    out.into_bytes()
}

/// The table printed after a run: the headline metrics per channel, mean ± half-interval.
pub fn summary_table(s: &Summary) -> String {
    // Are customers served? first; then how, and whether the rules were kept.
    let mut shown: Vec<(String, String, f64)> = vec![(
        "unanswered_rate".into(),
        "requests unanswered %".into(),
        100.0,
    )];
    for m in &s.metrics {
        if let Some(t) = m.name.strip_prefix("service_level_") {
            shown.push((m.name.clone(), format!("picked up within {t} %"), 100.0));
        } else if let Some(t) = m.name.strip_prefix("answered_within_") {
            shown.push((m.name.clone(), format!("answered within {t} %"), 100.0));
        }
    }
    for (metric, label, scale) in [
        ("first_response_p50", "first response p50 (min)", 1.0),
        ("first_response_p90", "first response p90 (min)", 1.0),
        ("abandon_rate", "gave up waiting %", 100.0),
        ("lost_rate", "conversations lost %", 100.0),
        ("conversations", "conversations", 1.0),
        ("requests", "requests closed", 1.0),
        ("sent_operator", "operator messages", 1.0),
        ("undelivered_rate_operator", "operator undelivered %", 100.0),
        ("sent_bot", "bot messages", 1.0),
        ("undelivered_rate_bot", "bot undelivered %", 100.0),
        ("violations_per_week", "violations / week", 1.0),
        ("coverage", "auto-reply coverage %", 100.0),
        ("rescued", "rescued %", 100.0),
        ("held", "held", 1.0),
        ("released", "released", 1.0),
        ("occupancy", "operator occupancy %", 100.0),
    ] {
        shown.push((metric.into(), label.into(), scale));
    }
    let width = 22;
    let mut out = format!("{:<28}", "");
    for row in &s.rows {
        let _ = write!(out, "{row:>width$}");
    }
    out.push('\n');
    for (metric, label, scale) in &shown {
        let _ = write!(out, "{label:<28}");
        for row in &s.rows {
            let cell = match s.get(row, metric) {
                None => "—".to_string(),
                Some(e) if e.mean.is_infinite() => "never".to_string(),
                Some(e) => {
                    let decimals = if *scale == 100.0 || e.mean.abs() < 100.0 {
                        1
                    } else {
                        0
                    };
                    match e.interval {
                        Some((lo, hi)) => format!(
                            "{:.*} ± {:.*}",
                            decimals,
                            e.mean * scale,
                            decimals,
                            (hi - lo) / 2.0 * scale
                        ),
                        None => format!("{:.*}", decimals, e.mean * scale),
                    }
                }
            };
            let _ = write!(out, "{cell:>width$}");
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\n{} replication{}; ± is the half-width of the 95% interval over replications. Whether \
         customers are served: the first rows (unanswered, picked up and answered within a \
         time); compliance (undelivered, violations) can be met by answering nobody late.",
        s.replications,
        if s.replications == 1 { "" } else { "s" }
    );
    out
}

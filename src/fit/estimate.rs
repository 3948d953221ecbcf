//! The estimates of a fit and the fitted scenario's TOML.

use std::fmt::Write as _;

use chrono::{NaiveDateTime, NaiveTime};
use chrono_tz::Tz;

use super::behaviour::{Accepts, FollowUps, Step, behaviour, lognormal, median};
use super::censored::{CureFit, Family, cure_fit};
use super::requests::{LogRow, Senders, requests};
use super::{FitError, FitOptions};
use crate::metrics::Counters;
use crate::rules::{Channel, Content, CustomerAction, Reason, Sender, Verdict};
use crate::scenario::week::{local_date_time, resolve_local};
use crate::scenario::{Scenario, ScenarioError, set_key};
use crate::time::{DAY, HOUR, Instant, Millis, WEEK_HOURS, format_duration};
use crate::trace::{Input, Replayer, RowKind, TraceReader};

/// One fitted value: the estimate, its 95% interval and the sample it rests on.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub parameter: &'static str,
    pub channel: Channel,
    pub estimate: f64,
    /// The 95% interval; `None` where an interval means nothing (a switch).
    pub interval: Option<(f64, f64)>,
    /// Conversations, or operator messages, the estimate counts.
    pub sample: u64,
}

/// A fitted scenario: its TOML, the table of estimates, and counts files when asked for.
#[derive(Clone, Debug)]
pub struct Fit {
    pub scenario_name: String,
    pub scenario: String,
    pub estimates: Vec<Estimate>,
    /// `(file name, CSV)` per channel, with `--counts`.
    pub counts: Vec<(String, String)>,
    /// The days of the log: from the local midnight before its first new conversation to
    /// the end of the hour of its last.
    pub days: f64,
    /// The log's figures beside the fitted scenario's.
    pub backtest: Vec<super::BacktestRow>,
}

impl Fit {
    /// `fit.csv`: parameter, channel, estimate, interval, sample size.
    pub fn table_csv(&self) -> String {
        let mut out = String::from("parameter,channel,estimate,low,high,sample\n");
        for e in &self.estimates {
            let (low, high) = e.interval.map_or((String::new(), String::new()), |(l, h)| {
                (format!("{l:.6}"), format!("{h:.6}"))
            });
            let _ = writeln!(
                out,
                "{},{},{:.6},{low},{high},{}",
                e.parameter, e.channel, e.estimate, e.sample
            );
        }
        out
    }
}

/// A channel's new conversations and operator messages in the log.
#[derive(Default)]
struct ChannelLog {
    /// The first customer row of each conversation: instant, and whether a comment.
    starts: Vec<(Instant, bool)>,
    operator_messages: u64,
    promotional: u64,
    /// Operator replies the engine found late (after the standard window), and how many
    /// of them carried the human-agent tag.
    late: u64,
    late_tagged: u64,
}

/// The pseudo-exposure, in weeks, that pulls each hour of the week toward the same hour of
/// the day over the whole week: a log of a few weeks has few arrivals in any one hour of
/// the week, and the hour of the day is the stronger pattern. With many weeks of data the
/// log's own hour of the week dominates.
const SMOOTHING_WEEKS: f64 = 1.0;

pub(super) fn fit(
    log: Input,
    options: &FitOptions,
    tz: Tz,
    scenario_name: &str,
) -> Result<Fit, FitError> {
    let base = options.base;
    let mut reader = TraceReader::new(log)?;
    let file = reader.name().to_string();
    let mut logs: Vec<ChannelLog> = Channel::ALL.iter().map(|_| ChannelLog::default()).collect();
    let mut started: Vec<bool> = Vec::new();
    // Customers writing and operator messages, for the behaviour; an operator message's
    // verdict is filled in after the replay.
    let mut steps: Vec<(u32, usize, Instant, Step)> = Vec::new();
    // Per business row, in the replay's order: for an operator's, its channel, whether
    // tagged, and its index in `steps`.
    let mut business: Vec<Option<(Channel, bool, usize)>> = Vec::new();
    let mut replayer = Replayer::new(&base.policy);
    let mut rows: Vec<LogRow> = Vec::new();
    // The row of each step.
    let mut step_rows: Vec<usize> = Vec::new();
    while let Some(row) = reader.next_row()? {
        rows.push(LogRow {
            case: row.case,
            channel: row.channel,
            at: row.at,
            kind: row.kind,
        });
        let case = row.case as usize;
        if started.len() <= case {
            started.resize(case + 1, false);
        }
        let log = &mut logs[row.channel as usize];
        let step = |step| (row.case, row.channel as usize, row.at, step);
        match row.kind {
            RowKind::Customer(CustomerAction::Accept) => steps.push(step(Step::Accepts)),
            RowKind::Customer(action) => {
                if !started[case] {
                    started[case] = true;
                    log.starts.push((row.at, action == CustomerAction::Comment));
                }
                steps.push(step(Step::Writes));
            }
            RowKind::Business {
                sender: Sender::Operator,
                content,
                tagged,
                ..
            } => {
                log.operator_messages += 1;
                log.promotional += u64::from(content == Content::Promotional);
                business.push(Some((row.channel, tagged, steps.len())));
                steps.push(step(Step::Operator(Verdict::Undelivered)));
            }
            RowKind::Business { .. } => business.push(None),
        }
        step_rows.resize(steps.len(), rows.len() - 1);
        replayer.apply(row.case, row.seq, row.channel, row.at, row.kind);
    }
    for (verdict, op) in replayer.into_rows().iter().zip(&business) {
        let Some((channel, tagged, step)) = *op else {
            continue;
        };
        steps[step].3 = Step::Operator(verdict.verdict);
        let log = &mut logs[channel as usize];
        let late = matches!(
            verdict.reason,
            Some(Reason::HumanAgent | Reason::ExtensionClosed | Reason::WindowClosed)
        );
        if late && channel != Channel::WhatsApp {
            log.late += 1;
            log.late_tagged += u64::from(tagged);
        }
    }
    let all_starts = logs.iter().flat_map(|l| l.starts.iter().map(|s| s.0));
    let (Some(first), Some(last)) = (all_starts.clone().min(), all_starts.max()) else {
        return Err(FitError::NoConversations { file });
    };
    let (start_local, from) = local_midnight(tz, first).ok_or_else(|| {
        FitError::Scenario(ScenarioError::new(
            "start",
            &first.to_string(),
            "outside the calendar",
        ))
    })?;
    // The log ends with the hour of its last new conversation.
    let to = Instant((last.0.div_euclid(HOUR) + 1) * HOUR);
    let days = (to.0 - from.0) as f64 / DAY as f64;
    let exposure = hour_exposure(tz, from, to);

    let mut table: toml::Table = options.base_text.parse().map_err(|e: toml::de::Error| {
        FitError::Scenario(ScenarioError::new("", "", e.to_string()))
    })?;
    // Operators are one pool in the model: their tagging is the log's over every channel
    // (the base's when the log has no late reply).
    let late: u64 = logs.iter().map(|l| l.late).sum();
    let tagged: u64 = logs.iter().map(|l| l.late_tagged).sum();
    let tagging = if late > 0 {
        2 * tagged >= late
    } else {
        base.operators.human_agent_tagging
    };
    let senders = Senders {
        tagging,
        window_warning: base.bots.window_warning,
    };
    let mut walk = requests(&rows, &base.policy, senders, to);
    // A customer's return after a window warning is neither a follow-up nor a nudge.
    for (step, &row) in steps.iter_mut().zip(&step_rows) {
        if walk.warned_return[row] {
            step.3 = Step::Returns;
        }
    }
    let mut follow = vec![FollowUps::default(); Channel::ALL.len()];
    let mut accepts = vec![Accepts::default(); Channel::ALL.len()];
    behaviour(&steps, started.len(), &mut follow, &mut accepts);
    let mut estimates = Vec::new();
    let mut counts = Vec::new();
    for (&channel, log) in Channel::ALL.iter().zip(&logs) {
        let key = format!("channels.{channel}");
        let n = log.starts.len() as u64;
        if n == 0 {
            // No conversation on this channel: it has no traffic in the fitted scenario.
            remove_key(&mut table, "channels", channel.as_str());
            continue;
        }
        let per_day = n as f64 / days;
        let half = 1.96 * (n as f64).sqrt() / days;
        estimates.push(Estimate {
            parameter: "arrivals_per_day",
            channel,
            estimate: per_day,
            interval: Some(((per_day - half).max(0.0), per_day + half)),
            sample: n,
        });
        let weights = profile(tz, &log.starts, &exposure);
        for k in [
            "arrivals_per_day",
            "arrival_interval",
            "profile",
            "weights",
            "arrivals",
        ] {
            remove_key(&mut table, &key, k);
        }
        if options.counts {
            let name = format!("counts-{channel}.csv");
            counts.push((name.clone(), counts_csv(&log.starts, from, to)));
            let mut arrivals = toml::Table::new();
            arrivals.insert("counts".into(), toml::Value::String(name));
            arrivals.insert("scale".into(), toml::Value::Float(1.0));
            set(
                &mut table,
                &format!("{key}.arrivals"),
                toml::Value::Table(arrivals),
            )?;
        } else {
            set(
                &mut table,
                &format!("{key}.arrivals_per_day"),
                float(per_day),
            )?;
            let w = weights.iter().map(|&x| float(x)).collect();
            set(&mut table, &format!("{key}.weights"), toml::Value::Array(w))?;
        }
        if channel != Channel::WhatsApp {
            let comments = log.starts.iter().filter(|s| s.1).count() as u64;
            let share = comments as f64 / n as f64;
            estimates.push(Estimate {
                parameter: "comment_share",
                channel,
                estimate: share,
                interval: Some(wilson(comments, n)),
                sample: n,
            });
            set(&mut table, &format!("{key}.comment_share"), float(share))?;
        }
        if log.operator_messages > 0 {
            estimates.push(Estimate {
                parameter: "promotional_share",
                channel,
                estimate: log.promotional as f64 / log.operator_messages as f64,
                interval: Some(wilson(log.promotional, log.operator_messages)),
                sample: log.operator_messages,
            });
        }
        let f = &mut follow[channel as usize];
        let customers = format!("{key}.customers");
        let mut behaviour = Behaviour {
            table: &mut table,
            estimates: &mut estimates,
            customers: &customers,
            channel,
        };
        if f.answers > 0 {
            behaviour.chance("follow_up_probability", f.delays.len() as u64, f.answers)?;
            let median = ("follow_up_delay_median_minutes", 60_000.0);
            behaviour.delay("follow_up_delay", &mut f.delays, median)?;
        }
        let nudges = &walk.nudges[channel as usize];
        if let Some(cure) = cure_fit(&nudges.observed, &nudges.censored) {
            behaviour.censored(NUDGE, &cure)?;
        }
        let returns = &walk.returns[channel as usize];
        if let Some(cure) = cure_fit(&returns.observed, &returns.censored) {
            behaviour.censored(WARNED_RETURN, &cure)?;
        }
        let a = &mut accepts[channel as usize];
        if channel == Channel::Instagram && a.chances > 0 {
            behaviour.chance("accept_probability", a.delays.len() as u64, a.chances)?;
            let median = ("accept_delay_median_hours", 3_600_000.0);
            behaviour.delay("accept_delay", &mut a.delays, median)?;
        }
        if log.late > 0 {
            estimates.push(Estimate {
                parameter: "late_replies_tagged",
                channel,
                estimate: log.late_tagged as f64 / log.late as f64,
                interval: Some(wilson(log.late_tagged, log.late)),
                sample: log.late,
            });
        }
    }
    // Their promotional share too.
    let operator_messages: u64 = logs.iter().map(|l| l.operator_messages).sum();
    if operator_messages > 0 {
        let promotional: u64 = logs.iter().map(|l| l.promotional).sum();
        let share = promotional as f64 / operator_messages as f64;
        set(&mut table, "operators.promotional_share", float(share))?;
    }
    if late > 0 {
        set(
            &mut table,
            "operators.human_agent_tagging",
            toml::Value::Boolean(tagging),
        )?;
    }
    set(
        &mut table,
        "start",
        toml::Value::String(start_local.format("%Y-%m-%dT%H:%M").to_string()),
    )?;
    set(
        &mut table,
        "time_zone",
        toml::Value::String(tz.name().to_string()),
    )?;
    let horizon = to.0 - from.0;
    set(
        &mut table,
        "horizon",
        toml::Value::String(format_duration(horizon)),
    )?;
    if base.warm_up >= horizon {
        remove_key(&mut table, "", "warm_up");
    }
    let name = scenario_name
        .rsplit('/')
        .next()
        .unwrap_or(scenario_name)
        .trim_end_matches(".toml");
    set(&mut table, "name", toml::Value::String(name.to_string()))?;
    let description = format!(
        "Fitted from {file}: {}, {}.",
        format_duration(horizon),
        summary(&estimates)
    );
    set(&mut table, "description", toml::Value::String(description))?;

    let body = toml::to_string(&table)
        .map_err(|e| FitError::Scenario(ScenarioError::new("", "", e.to_string())))?;
    let text = format!(
        "{}{body}",
        header(&file, days, &estimates, options.base_name)
    );
    // The fitted scenario must be valid; an invalid one is a fault of the fit, reported as
    // a scenario error rather than written.
    let mut check = Scenario::from_toml(&text, name)?;
    if options.counts {
        check.read_history_from(&counts)?;
    }
    let log_figures: Vec<(Channel, Counters)> = Channel::ALL
        .iter()
        .zip(walk.counters.drain(..))
        .filter(|(_, k)| k.requests > 0 || k.sent_by(Some(Sender::Operator)) > 0)
        .map(|(&c, k)| (c, k))
        .collect();
    let backtest = super::backtest::backtest(check, &log_figures, options.threads);
    Ok(Fit {
        scenario_name: scenario_name.to_string(),
        scenario: text,
        estimates,
        counts,
        days,
        backtest,
    })
}

/// The keys of a behaviour fitted under censoring: the scenario's probability and delay,
/// and the estimate of the delay's median in minutes.
#[derive(Clone, Copy)]
struct CensoredKeys {
    probability: &'static str,
    delay: &'static str,
    median: &'static str,
}

const NUDGE: CensoredKeys = CensoredKeys {
    probability: "nudge_probability",
    delay: "nudge_delay",
    median: "nudge_delay_median_minutes",
};

const WARNED_RETURN: CensoredKeys = CensoredKeys {
    probability: "warned_return_probability",
    delay: "warned_return_delay",
    median: "warned_return_delay_median_minutes",
};

/// A channel's fitted customer behaviour, written into the scenario and the estimates.
struct Behaviour<'a> {
    table: &'a mut toml::Table,
    estimates: &'a mut Vec<Estimate>,
    /// The key of the channel's `customers` table.
    customers: &'a str,
    channel: Channel,
}

impl Behaviour<'_> {
    /// The probability `key`: `taken` of `chances`, with its Wilson interval.
    fn chance(&mut self, key: &'static str, taken: u64, chances: u64) -> Result<(), FitError> {
        let taken = taken.min(chances);
        let p = taken as f64 / chances as f64;
        self.estimates.push(Estimate {
            parameter: key,
            channel: self.channel,
            estimate: p,
            interval: Some(wilson(taken, chances)),
            sample: chances,
        });
        set(self.table, &format!("{}.{key}", self.customers), float(p))
    }

    /// A probability and its delay, fitted together under censoring ([`cure_fit`]).
    fn censored(&mut self, keys: CensoredKeys, cure: &CureFit) -> Result<(), FitError> {
        let sample = (cure.observed + cure.censored) as u64;
        self.estimates.push(Estimate {
            parameter: keys.probability,
            channel: self.channel,
            estimate: cure.probability,
            interval: None,
            sample,
        });
        set(
            self.table,
            &format!("{}.{}", self.customers, keys.probability),
            float(cure.probability),
        )?;
        let mean = cure.mean.round().max(1.0) as Millis;
        let (delay, median) = match cure.family {
            Family::Exponential => (
                delay_value("exponential", mean, None),
                cure.mean * std::f64::consts::LN_2,
            ),
            Family::LogNormal => (
                delay_value("lognormal", mean, Some(cure.sd.round() as Millis)),
                // exp(mu) = mean / sqrt(1 + (sd/mean)²).
                cure.mean / (1.0 + (cure.sd / cure.mean).powi(2)).sqrt(),
            ),
        };
        let key = format!("{}.{}", self.customers, keys.delay);
        set(self.table, &key, delay)?;
        self.estimates.push(Estimate {
            parameter: keys.median,
            channel: self.channel,
            estimate: median / 60_000.0,
            interval: None,
            sample: cure.observed as u64,
        });
        Ok(())
    }

    /// The delay `key`: a log-normal with the log-moments of `delays`, and their median as
    /// the estimate `parameter`, in units of `ms` milliseconds.
    fn delay(
        &mut self,
        key: &str,
        delays: &mut [Millis],
        (parameter, ms): (&'static str, f64),
    ) -> Result<(), FitError> {
        let Some((mean, sd)) = lognormal(delays) else {
            return Ok(());
        };
        let delay = delay_value(
            "lognormal",
            mean.round() as Millis,
            Some(sd.round() as Millis),
        );
        let key = format!("{}.{key}", self.customers);
        set(self.table, &key, delay)?;
        self.estimates.push(Estimate {
            parameter,
            channel: self.channel,
            estimate: median(delays).unwrap_or(0) as f64 / ms,
            interval: None,
            sample: delays.len() as u64,
        });
        Ok(())
    }
}

/// A fitted delay as a scenario writes it: `{ distribution, mean, sd }` (`sd` at least
/// 1 ms, for the families that have one).
fn delay_value(distribution: &str, mean: Millis, sd: Option<Millis>) -> toml::Value {
    let mut delay = toml::Table::new();
    delay.insert("distribution".into(), distribution.into());
    delay.insert("mean".into(), format_duration(mean).into());
    if let Some(sd) = sd {
        delay.insert("sd".into(), format_duration(sd.max(1)).into());
    }
    toml::Value::Table(delay)
}

/// The local midnight at or before `t`, as a local date-time and as an instant.
fn local_midnight(tz: Tz, t: Instant) -> Option<(NaiveDateTime, Instant)> {
    let midnight = local_date_time(tz, t)?.date().and_time(NaiveTime::MIN);
    Some((midnight, resolve_local(tz, midnight)))
}

/// How many hours of `[from, to)` fall in each local hour of the week.
fn hour_exposure(tz: Tz, from: Instant, to: Instant) -> Vec<f64> {
    let mut exposure = vec![0.0; WEEK_HOURS];
    let hours = crate::scenario::week::LocalHours::build(tz, from, to);
    for (i, &h) in hours.hours.iter().enumerate() {
        let end = hours.starts.get(i + 1).copied().unwrap_or(to);
        exposure[h as usize] += (end.0 - hours.starts[i].0) as f64 / HOUR as f64;
    }
    exposure
}

/// The hour-of-week weights (summing to 168) of `starts`: each hour's arrivals over its
/// exposure, pulled toward its hour of the day ([`SMOOTHING_WEEKS`]).
fn profile(tz: Tz, starts: &[(Instant, bool)], exposure: &[f64]) -> Vec<f64> {
    let mut count = vec![0.0; WEEK_HOURS];
    for &(t, _) in starts {
        count[crate::scenario::week::hour_of_week(tz, t) as usize] += 1.0;
    }
    let hour_of_day_rate: Vec<f64> = (0..24)
        .map(|h| {
            let (c, e) = (0..7).fold((0.0, 0.0), |(c, e), d| {
                (c + count[d * 24 + h], e + exposure[d * 24 + h])
            });
            if e > 0.0 { c / e } else { 0.0 }
        })
        .collect();
    let rates: Vec<f64> = (0..WEEK_HOURS)
        .map(|h| {
            (count[h] + SMOOTHING_WEEKS * hour_of_day_rate[h % 24])
                / (exposure[h] + SMOOTHING_WEEKS)
        })
        .collect();
    let total: f64 = rates.iter().sum();
    rates
        .iter()
        .map(|r| round6(r * WEEK_HOURS as f64 / total))
        .collect()
}

/// Hourly `start,end,count` of `starts` over `[from, to)`, instants canonical.
fn counts_csv(starts: &[(Instant, bool)], from: Instant, to: Instant) -> String {
    let hours = ((to.0 - from.0) as f64 / HOUR as f64).ceil() as usize;
    let mut count = vec![0u64; hours];
    for &(t, _) in starts {
        let i = ((t.0 - from.0) / HOUR) as usize;
        if let Some(c) = count.get_mut(i) {
            *c += 1;
        }
    }
    let mut out = String::from("start,end,count\n");
    for (i, c) in count.iter().enumerate() {
        let start = from.plus(i as i64 * HOUR);
        let end = start.plus(HOUR).min(to);
        let _ = writeln!(out, "{start},{end},{c}");
    }
    out
}

/// The Wilson score interval (95%) of `k` successes in `n`.
fn wilson(k: u64, n: u64) -> (f64, f64) {
    let (k, n, z) = (k as f64, n as f64, 1.96_f64);
    let p = k / n;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / (1.0 + z * z / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn float(x: f64) -> toml::Value {
    toml::Value::Float(round6(x))
}

fn set(table: &mut toml::Table, key: &str, value: toml::Value) -> Result<(), FitError> {
    set_key(table, key, value)
        .map_err(|message| FitError::Scenario(ScenarioError::new(key, "", message)))
}

/// Removes `name` from the table at dotted path `at` (the top when empty), if there.
fn remove_key(table: &mut toml::Table, at: &str, name: &str) {
    let mut here = table;
    for part in at.split('.').filter(|p| !p.is_empty()) {
        match here.get_mut(part).and_then(toml::Value::as_table_mut) {
            Some(t) => here = t,
            None => return,
        }
    }
    here.remove(name);
}

fn summary(estimates: &[Estimate]) -> String {
    let per_day: Vec<String> = estimates
        .iter()
        .filter(|e| e.parameter == "arrivals_per_day")
        .map(|e| format!("{} {:.1}/day", e.channel, e.estimate))
        .collect();
    per_day.join(", ")
}

/// The comment block at the top of a fitted scenario: every estimate with its interval
/// and sample, and where the rest comes from.
fn header(file: &str, days: f64, estimates: &[Estimate], base: &str) -> String {
    let mut out = format!(
        "# Fitted by `replywindow scenario fit` from {file} ({days:.2} days).\n\
         # Follow-up and accept delays are log-normal with the log's log-moments (positive,\n\
         # skewed); nudges and warned returns are fitted under censoring (an answer hides a\n\
         # nudge still to come), exponential or log-normal by likelihood. Staffing, handle\n\
         # time, bots and patience are the base scenario's ({base}).\n\
         # Each hour-of-week weight is its hour's arrivals over its exposure, pulled toward\n\
         # the same hour of the day with the weight of {SMOOTHING_WEEKS} week of data.\n#\n"
    );
    for e in estimates {
        let interval = e.interval.map_or(String::new(), |(l, h)| {
            format!(", 95% interval {l:.4} to {h:.4}")
        });
        let _ = writeln!(
            out,
            "# {}.{}: {:.4}{interval}, from {}",
            e.channel, e.parameter, e.estimate, e.sample
        );
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_contains_the_share_and_stays_in_0_1() {
        let (l, h) = wilson(0, 10);
        assert_eq!(l, 0.0);
        assert!(h > 0.2 && h < 0.35, "{h}");
        let (l, h) = wilson(50, 100);
        assert!(
            (l - 0.404).abs() < 0.002 && (h - 0.596).abs() < 0.002,
            "{l} {h}"
        );
    }

    #[test]
    fn exposure_counts_the_23_hour_day_of_a_daylight_saving_change() {
        let tz: Tz = "Europe/Rome".parse().unwrap();
        // Sunday 2026-03-29 has no 02:00 hour in Rome.
        let from = resolve_local(tz, "2026-03-29T00:00:00".parse().unwrap());
        let to = resolve_local(tz, "2026-03-30T00:00:00".parse().unwrap());
        assert_eq!(to.0 - from.0, 23 * HOUR);
        let e = hour_exposure(tz, from, to);
        assert_eq!(e.iter().sum::<f64>(), 23.0);
        assert_eq!(e[6 * 24 + 2], 0.0);
        assert_eq!(e[6 * 24 + 3], 1.0);
    }
}

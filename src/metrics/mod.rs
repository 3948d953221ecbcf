//! What a replication counts, streaming (memory flat in the horizon), and how replications
//! combine: mean with a 95% Student-t interval over the replications' values, where a ratio
//! is the ratio of sums within each replication.
//!
//! The exact meaning of every metric is in [`METRICS`], which the reports' glossary prints.
//!
//! ```
//! use replywindow::metrics::{estimate, METRICS};
//!
//! // Three replications' undelivered rates: their mean and 95% interval.
//! let e = estimate(&[0.052, 0.061, 0.058]).unwrap();
//! assert!((e.mean - 0.057).abs() < 1e-12);
//! let (lo, hi) = e.interval.unwrap();
//! assert!(lo < e.mean && e.mean < hi);
//! // One replication has no interval.
//! assert_eq!(estimate(&[0.05]).unwrap().interval, None);
//! assert!(METRICS.iter().any(|m| m.name == "unanswered_rate"));
//! ```

mod latency;

pub use latency::LatencyHistogram;
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::rules::{Channel, Reason, Sender, Verdict};
use crate::time::{MINUTE, Millis, WEEK, WEEK_HOURS, format_duration};

/// A metric: its name in the CSV files, its unit, and its definition.
#[derive(Clone, Copy, Debug)]
pub struct MetricDef {
    pub name: &'static str,
    pub unit: &'static str,
    pub definition: &'static str,
    /// Its value from a channel's (or all channels') counters in a replication; `None`
    /// where a ratio or a percentile is undefined.
    pub value: fn(&Counters, &RunFigures) -> Option<f64>,
}

/// A metric of a run's report: one of [`METRICS`], or a response share at a threshold of
/// the scenario's `[report] service_level` (see [`catalogue`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    pub name: String,
    pub unit: &'static str,
    pub definition: String,
    measure: Measure,
}

/// How a [`Metric`] is computed from the counters.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Measure {
    /// The metric of [`METRICS`] at this index.
    Core(usize),
    /// Of the closed requests, the share an operator picked up within this long.
    ServiceLevel(Millis),
    /// Of the closed requests, the share answered (delivered) within this long.
    AnsweredWithin(Millis),
}

/// Every metric of a report, in order: [`METRICS`], with `service_level_<T>` and
/// `answered_within_<T>` for each threshold `T` right after `unanswered_rate` (the metrics
/// that say whether customers are served, side by side).
///
/// ```
/// use replywindow::metrics::catalogue;
/// use replywindow::time::{HOUR, MINUTE};
///
/// let names: Vec<String> = catalogue(&[15 * MINUTE, HOUR]).into_iter().map(|m| m.name).collect();
/// let at = names.iter().position(|n| n == "unanswered_rate").unwrap();
/// assert_eq!(
///     names[at + 1..at + 5],
///     ["service_level_15m", "answered_within_15m", "service_level_1h", "answered_within_1h"]
/// );
/// ```
pub fn catalogue(thresholds: &[Millis]) -> Vec<Metric> {
    let mut all = Vec::with_capacity(METRICS.len() + 2 * thresholds.len());
    for (i, def) in METRICS.iter().enumerate() {
        all.push(Metric {
            name: def.name.to_string(),
            unit: def.unit,
            definition: def.definition.to_string(),
            measure: Measure::Core(i),
        });
        if def.name == "unanswered_rate" {
            for &t in thresholds {
                let t_text = format_duration(t);
                all.push(Metric {
                    name: format!("service_level_{t_text}"),
                    unit: "ratio",
                    definition: format!(
                        "Service level at {t_text}: of the requests closed (answered, given up or expired), the share an operator picked up within {t_text} of opening; one never picked up is a miss. With no abandonment and windows longer than the run it is Erlang C's P(wait <= {t_text}). Counted to three significant digits of the wait."
                    ),
                    measure: Measure::ServiceLevel(t),
                });
                all.push(Metric {
                    name: format!("answered_within_{t_text}"),
                    unit: "ratio",
                    definition: format!(
                        "The customer's view: of the requests closed, the share whose answer reached the customer within {t_text} of the request's opening; an unanswered request is a miss."
                    ),
                    measure: Measure::AnsweredWithin(t),
                });
            }
        }
    }
    all
}

impl Metric {
    /// Its value from a channel's (or all channels') counters; `None` where undefined.
    pub fn value(&self, k: &Counters, run: &RunFigures) -> Option<f64> {
        match self.measure {
            Measure::Core(i) => (METRICS[i].value)(k, run),
            Measure::ServiceLevel(t) => share_within(&k.pickup_wait, k.requests, t),
            Measure::AnsweredWithin(t) => share_within(&k.first_response, k.requests, t),
        }
    }

    /// The values the metric can take: a ratio lies in [0, 1], every other metric (counts,
    /// rates per week, minutes) is at least 0.
    pub fn domain(&self) -> (f64, f64) {
        if self.unit == "ratio" {
            (0.0, 1.0)
        } else {
            (0.0, f64::INFINITY)
        }
    }

    /// The estimate of this metric from the replications' `values`: its interval clamped to
    /// the metric's [domain](Metric::domain), where Student t would reach past it.
    pub fn estimate(&self, values: &[f64]) -> Option<Estimate> {
        estimate_within(values, self.domain())
    }
}

/// What a metric may need beyond the counters: figures of the whole replication.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunFigures {
    /// Counted time (horizon less warm-up), in weeks.
    pub weeks: f64,
    /// Operator occupancy over the counted time (shared by all channels).
    pub occupancy: Option<f64>,
}

const OPERATOR: Option<Sender> = Some(Sender::Operator);
const BOT: Option<Sender> = Some(Sender::Bot);

fn count(v: u64) -> Option<f64> {
    Some(v as f64)
}

/// Every metric of `summary.csv`, in its order.
pub const METRICS: &[MetricDef] = &[
    MetricDef {
        name: "conversations",
        unit: "count",
        definition: "Conversations that arrived after the warm-up and ended before the horizon.",
        value: |k, _| count(k.conversations),
    },
    MetricDef {
        name: "lost_conversations",
        unit: "count",
        definition: "Of those conversations, the ones whose last request was never answered.",
        value: |k, _| count(k.lost),
    },
    MetricDef {
        name: "lost_rate",
        unit: "ratio",
        definition: "lost_conversations / conversations.",
        value: |k, _| ratio(k.lost, k.conversations),
    },
    MetricDef {
        name: "requests",
        unit: "count",
        definition: "Requests opened after the warm-up and closed before the horizon. A request opens when a customer writes (a message or a comment) and nothing of theirs is waiting; later customer messages join it. It closes when answered, or when its window and every extension that could answer it have closed.",
        value: |k, _| count(k.requests),
    },
    MetricDef {
        name: "requests_censored",
        unit: "count",
        definition: "Requests still open at the horizon: counted in neither numerator nor denominator of the ratios.",
        value: |k, _| count(k.censored),
    },
    MetricDef {
        name: "unanswered_rate",
        unit: "ratio",
        definition: "Requests closed without an answer / requests closed. A request is answered by the first operator message after it that reaches the customer (in the window, under the extension, as a private or public reply, or held and released later, at the release instant); bot messages never answer.",
        value: |k, _| ratio(k.unanswered, k.requests),
    },
    MetricDef {
        name: "sent_operator",
        unit: "count",
        definition: "Business messages sent by operators after the warm-up.",
        value: |k, _| count(k.messages(OPERATOR)),
    },
    MetricDef {
        name: "sent_bot",
        unit: "count",
        definition: "Business messages sent by bots after the warm-up.",
        value: |k, _| count(k.messages(BOT)),
    },
    MetricDef {
        name: "undelivered_operator",
        unit: "count",
        definition: "Operator messages with verdict undelivered.",
        value: |k, _| count(k.count(OPERATOR, Verdict::Undelivered)),
    },
    MetricDef {
        name: "undelivered_bot",
        unit: "count",
        definition: "Bot messages with verdict undelivered.",
        value: |k, _| count(k.count(BOT, Verdict::Undelivered)),
    },
    MetricDef {
        name: "undelivered_rate_operator",
        unit: "ratio",
        definition: "undelivered_operator / sent_operator.",
        value: |k, _| ratio(k.count(OPERATOR, Verdict::Undelivered), k.sent_by(OPERATOR)),
    },
    MetricDef {
        name: "undelivered_rate_bot",
        unit: "ratio",
        definition: "undelivered_bot / sent_bot.",
        value: |k, _| ratio(k.count(BOT, Verdict::Undelivered), k.sent_by(BOT)),
    },
    MetricDef {
        name: "undelivered_rate",
        unit: "ratio",
        definition: "Undelivered business messages / business messages sent, operators and bots together.",
        value: |k, _| ratio(k.count(None, Verdict::Undelivered), k.sent_by(None)),
    },
    MetricDef {
        name: "delivered",
        unit: "count",
        definition: "Business messages delivered when sent.",
        value: |k, _| count(k.count(None, Verdict::Delivered)),
    },
    MetricDef {
        name: "held",
        unit: "count",
        definition: "Business messages held until the customer accepts the conversation request (Instagram).",
        value: |k, _| count(k.count(None, Verdict::Held)),
    },
    MetricDef {
        name: "released",
        unit: "count",
        definition: "Held messages delivered later, when the customer accepted or wrote.",
        value: |k, _| count(k.released),
    },
    MetricDef {
        name: "still_held",
        unit: "count",
        definition: "Held messages never released: by the end of their conversation or at the horizon.",
        value: |k, _| count(k.still_held),
    },
    MetricDef {
        name: "violations",
        unit: "count",
        definition: "Messages a compliant platform must refuse: the human-agent tag on a bot's message or on promotional content (account-block risk).",
        value: |k, _| count(k.count(None, Verdict::Violation)),
    },
    MetricDef {
        name: "violations_per_week",
        unit: "count/week",
        definition: "violations per week of counted time (horizon less warm-up).",
        value: |k, run| {
            (run.weeks > 0.0).then(|| k.count(None, Verdict::Violation) as f64 / run.weeks)
        },
    },
    MetricDef {
        name: "at_risk",
        unit: "count",
        definition: "Requests still unanswered when their standard window closed. The window is the one after the customer's latest message before any bot warning; a customer's reply to a warning does not move it.",
        value: |k, _| count(k.at_risk),
    },
    MetricDef {
        name: "coverage",
        unit: "ratio",
        definition: "Auto-reply coverage: of the at-risk requests, the share that received a delivered bot window warning before their window closed.",
        value: |k, _| ratio(k.covered, k.at_risk),
    },
    MetricDef {
        name: "rescued",
        unit: "ratio",
        definition: "Of the covered requests, the share whose customer wrote again after the warning and whose request was then answered.",
        value: |k, _| ratio(k.rescued, k.covered),
    },
    MetricDef {
        name: "first_response_p50",
        unit: "minutes",
        definition: "Median time from a request's opening to its answer, over every closed request: an unanswered request counts as never answered, and a percentile that falls among them is `never`.",
        value: |k, _| quantile_over_closed(&k.first_response, k.requests, 0.5),
    },
    MetricDef {
        name: "first_response_p90",
        unit: "minutes",
        definition: "90th percentile of the first response time over every closed request (`never` when more than 10% were never answered).",
        value: |k, _| quantile_over_closed(&k.first_response, k.requests, 0.9),
    },
    MetricDef {
        name: "first_response_p99",
        unit: "minutes",
        definition: "99th percentile of the first response time over every closed request.",
        value: |k, _| quantile_over_closed(&k.first_response, k.requests, 0.99),
    },
    MetricDef {
        name: "first_response_answered_p50",
        unit: "minutes",
        definition: "Median first response time of the answered requests only: it improves when long waits end unanswered, so it says how fast answers came, not how well customers were served.",
        value: |k, _| quantile_minutes(&k.first_response, 0.5),
    },
    MetricDef {
        name: "first_response_answered_p90",
        unit: "minutes",
        definition: "90th percentile of the first response time of the answered requests only.",
        value: |k, _| quantile_minutes(&k.first_response, 0.9),
    },
    MetricDef {
        name: "first_response_answered_p99",
        unit: "minutes",
        definition: "99th percentile of the first response time of the answered requests only.",
        value: |k, _| quantile_minutes(&k.first_response, 0.99),
    },
    MetricDef {
        name: "time_to_answer_p50",
        unit: "minutes",
        definition: "Median time from the customer's latest message before the answer to the answer, over every closed request (an unanswered one counts as never).",
        value: |k, _| quantile_over_closed(&k.time_to_answer, k.requests, 0.5),
    },
    MetricDef {
        name: "time_to_answer_p90",
        unit: "minutes",
        definition: "90th percentile of the time to answer over every closed request.",
        value: |k, _| quantile_over_closed(&k.time_to_answer, k.requests, 0.9),
    },
    MetricDef {
        name: "time_to_answer_p99",
        unit: "minutes",
        definition: "99th percentile of the time to answer over every closed request.",
        value: |k, _| quantile_over_closed(&k.time_to_answer, k.requests, 0.99),
    },
    MetricDef {
        name: "abandoned",
        unit: "count",
        definition: "Requests whose customer gave up waiting for an operator (their patience ran out before one picked them up); counted among the unanswered.",
        value: |k, _| count(k.abandoned),
    },
    MetricDef {
        name: "abandon_rate",
        unit: "ratio",
        definition: "abandoned / requests closed.",
        value: |k, _| ratio(k.abandoned, k.requests),
    },
    MetricDef {
        name: "wait_probability",
        unit: "ratio",
        definition: "Of the requests an operator picked up or whose customer gave up first, the share that had to wait for a free operator.",
        value: |k, _| ratio(k.waited + k.abandoned, k.picked_up + k.abandoned),
    },
    MetricDef {
        name: "mean_wait",
        unit: "minutes",
        definition: "Mean time a closed request waited for an operator: from its opening until an operator picked it up, or until it closed (given up or expired) when none did, so that leaving requests unanswered never shortens it.",
        value: |k, _| {
            (k.requests > 0).then(|| k.queue_total as f64 / k.requests as f64 / MINUTE as f64)
        },
    },
    MetricDef {
        name: "occupancy",
        unit: "ratio",
        definition: "Operator occupancy: conversations in hand / (operators on duty × concurrency), over the time on duty, of the teams serving the channel (all operators in `all`). An operator finishing answers after their shift counts as on duty until the last one, so occupancy never exceeds 1.",
        value: |_, run| run.occupancy,
    },
];

/// One replication's metric values per row (channels, then `all`), in [`catalogue`] order.
pub type MetricRows = Vec<(String, Vec<Option<f64>>)>;

/// The two senders, in the order of the counters.
pub const SENDERS: [Sender; 2] = [Sender::Operator, Sender::Bot];

const fn sender_slot(sender: Sender) -> usize {
    match sender {
        Sender::Operator => 0,
        Sender::Bot => 1,
    }
}

/// What one replication counts on one channel (or, summed, on all).
#[derive(Clone, Debug, Default)]
pub struct Counters {
    /// Business messages by sender (operator, bot) and reason: see [`Counters::sent`].
    sent: [[u64; Reason::ALL.len()]; 2],
    /// Business messages by sender, counted where they are sent, apart from their decision:
    /// see [`Counters::messages`].
    messages: [u64; 2],
    pub released: u64,
    pub still_held: u64,
    pub conversations: u64,
    pub lost: u64,
    pub requests: u64,
    pub unanswered: u64,
    pub censored: u64,
    pub at_risk: u64,
    pub covered: u64,
    pub rescued: u64,
    pub picked_up: u64,
    pub waited: u64,
    pub abandoned: u64,
    pub wait_total: u64,
    /// Over closed requests: milliseconds from opening until picked up, or until closed
    /// when never picked up.
    pub queue_total: u64,
    /// Closed requests that an operator picked up: milliseconds from opening to pick-up.
    pub pickup_wait: LatencyHistogram,
    pub first_response: LatencyHistogram,
    pub time_to_answer: LatencyHistogram,
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The `q` quantile, in minutes, of `closed` requests of which those in `h` were answered and
/// the others never: infinite (`never`) when it falls among the unanswered.
fn quantile_over_closed(h: &LatencyHistogram, closed: u64, q: f64) -> Option<f64> {
    if closed == 0 {
        return None;
    }
    let answered = h.len() as f64;
    let rank = q * closed as f64;
    if rank > answered {
        return Some(f64::INFINITY);
    }
    quantile_minutes(h, rank / answered)
}

/// Of `closed` requests, the share whose time in `h` is at most `limit` (to the histogram's
/// three significant digits).
fn share_within(h: &LatencyHistogram, closed: u64, limit: Millis) -> Option<f64> {
    ratio(h.count_at_most(limit.max(0) as u64), closed)
}

fn quantile_minutes(h: &LatencyHistogram, q: f64) -> Option<f64> {
    (!h.is_empty()).then(|| h.value_at_quantile(q) as f64 / MINUTE as f64)
}

impl Counters {
    /// Adds `other` into these counters.
    pub fn add(&mut self, other: &Counters) {
        for (mine, theirs) in self.messages.iter_mut().zip(&other.messages) {
            *mine += theirs;
        }
        for (mine, theirs) in self.sent.iter_mut().zip(&other.sent) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
        self.released += other.released;
        self.still_held += other.still_held;
        self.conversations += other.conversations;
        self.lost += other.lost;
        self.requests += other.requests;
        self.unanswered += other.unanswered;
        self.censored += other.censored;
        self.at_risk += other.at_risk;
        self.covered += other.covered;
        self.rescued += other.rescued;
        self.picked_up += other.picked_up;
        self.waited += other.waited;
        self.abandoned += other.abandoned;
        self.wait_total += other.wait_total;
        self.queue_total += other.queue_total;
        self.pickup_wait.add(&other.pickup_wait);
        self.first_response.add(&other.first_response);
        self.time_to_answer.add(&other.time_to_answer);
    }

    /// Counts a business message of `sender` as it is sent, before any decision.
    pub fn record_message(&mut self, sender: Sender) {
        self.messages[sender_slot(sender)] += 1;
    }

    /// Business messages sent by `sender` (both when `None`), counted as they were sent:
    /// every one of them must also have a decision ([`Counters::sent`]).
    pub fn messages(&self, sender: Option<Sender>) -> u64 {
        match sender {
            Some(s) => self.messages[sender_slot(s)],
            None => self.messages.iter().sum(),
        }
    }

    /// Counts a business message of `sender` decided with `reason`.
    pub fn record_sent(&mut self, sender: Sender, reason: Reason) {
        self.sent[sender_slot(sender)][reason as usize] += 1;
    }

    /// Messages of `sender` (both when `None`) decided with `reason`.
    pub fn sent(&self, sender: Option<Sender>, reason: Reason) -> u64 {
        match sender {
            Some(s) => self.sent[sender_slot(s)][reason as usize],
            None => SENDERS.iter().map(|&s| self.sent(Some(s), reason)).sum(),
        }
    }

    /// Messages of `sender` (both when `None`) with `verdict`.
    pub fn count(&self, sender: Option<Sender>, verdict: Verdict) -> u64 {
        Reason::ALL
            .iter()
            .filter(|r| r.verdict() == verdict)
            .map(|&r| self.sent(sender, r))
            .sum()
    }

    /// Messages sent by `sender` (both when `None`).
    pub fn sent_by(&self, sender: Option<Sender>) -> u64 {
        Verdict::ALL.iter().map(|&v| self.count(sender, v)).sum()
    }

    /// The value of every metric of `metrics`, in order (undefined ratios are `None`).
    pub fn values(&self, metrics: &[Metric], run: &RunFigures) -> Vec<Option<f64>> {
        metrics.iter().map(|m| m.value(self, run)).collect()
    }
}

/// The typical week, hour by hour (local hours of the week, Monday 00:00 first): sums over
/// the counted weeks, divided out when reported.
#[derive(Clone, Debug)]
pub struct Hourly {
    /// Per channel: new conversations, customer-waiting time (count × ms), undelivered
    /// business messages.
    pub arrivals: Vec<[f64; WEEK_HOURS]>,
    pub waiting: Vec<[f64; WEEK_HOURS]>,
    pub undelivered: Vec<[f64; WEEK_HOURS]>,
    /// Operators on duty × ms, conversations in hand × ms, slots on duty × ms.
    pub on_duty: [f64; WEEK_HOURS],
    pub busy: [f64; WEEK_HOURS],
    pub capacity: [f64; WEEK_HOURS],
    /// Counted milliseconds in each hour of the week, and how many times it occurred.
    pub span: [f64; WEEK_HOURS],
    pub occurrences: [f64; WEEK_HOURS],
}

impl Hourly {
    /// Empty sums for `channels` channels.
    pub fn new(channels: usize) -> Hourly {
        Hourly {
            arrivals: vec![[0.0; WEEK_HOURS]; channels],
            waiting: vec![[0.0; WEEK_HOURS]; channels],
            undelivered: vec![[0.0; WEEK_HOURS]; channels],
            on_duty: [0.0; WEEK_HOURS],
            busy: [0.0; WEEK_HOURS],
            capacity: [0.0; WEEK_HOURS],
            span: [0.0; WEEK_HOURS],
            occurrences: [0.0; WEEK_HOURS],
        }
    }

    /// Adds `other` (another replication) into these sums.
    pub fn add(&mut self, other: &Hourly) {
        let add = |a: &mut [f64; WEEK_HOURS], b: &[f64; WEEK_HOURS]| {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y)
        };
        for c in 0..self.arrivals.len() {
            add(&mut self.arrivals[c], &other.arrivals[c]);
            add(&mut self.waiting[c], &other.waiting[c]);
            add(&mut self.undelivered[c], &other.undelivered[c]);
        }
        add(&mut self.on_duty, &other.on_duty);
        add(&mut self.busy, &other.busy);
        add(&mut self.capacity, &other.capacity);
        add(&mut self.span, &other.span);
        add(&mut self.occurrences, &other.occurrences);
    }

    /// Operator occupancy over the whole counted time.
    pub fn occupancy(&self) -> Option<f64> {
        let cap: f64 = self.capacity.iter().sum();
        (cap > 0.0).then(|| self.busy.iter().sum::<f64>() / cap)
    }
}

/// Everything one replication measured.
#[derive(Clone, Debug)]
pub struct ReplicationMetrics {
    /// In the scenario's channel order.
    pub channels: Vec<(Channel, Counters)>,
    pub hourly: Hourly,
    /// Counted time (horizon less warm-up), in weeks.
    pub weeks: f64,
    /// The response thresholds of the report (`[report] service_level`).
    pub service_levels: Vec<Millis>,
    /// Each team's load, in the scenario's order.
    pub teams: Vec<TeamLoad>,
    /// The conversations waiting at each shift's starts, in the run's shift order.
    pub backlog: Vec<ShiftBacklog>,
}

/// A team's load over the counted time: busy operator-time against on-duty operator-time
/// (milliseconds, times concurrency), where finishing an answer after the shift counts as
/// on duty.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamLoad {
    pub name: String,
    pub channels: Vec<Channel>,
    pub busy: f64,
    pub capacity: f64,
}

impl TeamLoad {
    /// Busy over capacity; `None` when the team was never on duty.
    pub fn occupancy(&self) -> Option<f64> {
        (self.capacity > 0.0).then(|| self.busy / self.capacity)
    }
}

/// The conversations waiting for a team when one of its shifts starts, summed over the
/// counted starts: per channel slot, those an answer could still reach and those past every
/// window.
#[derive(Clone, Debug, PartialEq)]
pub struct ShiftBacklog {
    pub team: String,
    pub shift: String,
    pub starts: f64,
    pub answerable: Vec<f64>,
    pub past_windows: Vec<f64>,
}

impl ReplicationMetrics {
    /// The occupancy of the teams serving `channel` together (all operators' when every
    /// team serves it).
    pub fn occupancy_of(&self, channel: Channel) -> Option<f64> {
        if self.teams.iter().all(|t| t.channels.contains(&channel)) {
            return self.hourly.occupancy();
        }
        let serving = self.teams.iter().filter(|t| t.channels.contains(&channel));
        let (busy, capacity) = serving.fold((0.0, 0.0), |(b, c), t| (b + t.busy, c + t.capacity));
        (capacity > 0.0).then(|| busy / capacity)
    }

    /// The metrics of this replication's report ([`catalogue`]).
    pub fn catalogue(&self) -> Vec<Metric> {
        catalogue(&self.service_levels)
    }

    /// The counters of all channels together.
    pub fn all(&self) -> Counters {
        let mut all = Counters::default();
        for (_, c) in &self.channels {
            all.add(c);
        }
        all
    }

    /// Metric values per row label (`whatsapp`, …, `all`), in [`catalogue`] order.
    pub fn rows(&self) -> Vec<(String, Vec<Option<f64>>)> {
        let run = RunFigures {
            weeks: self.weeks,
            occupancy: self.hourly.occupancy(),
        };
        let metrics = self.catalogue();
        let mut rows: Vec<(String, Vec<Option<f64>>)> = self
            .channels
            .iter()
            .map(|(ch, c)| {
                let run = RunFigures {
                    occupancy: self.occupancy_of(*ch),
                    ..run
                };
                (ch.to_string(), c.values(&metrics, &run))
            })
            .collect();
        rows.push(("all".into(), self.all().values(&metrics, &run)));
        rows
    }
}

/// A mean over replications with its 95% interval (`None` with fewer than two values).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub interval: Option<(f64, f64)>,
    pub n: usize,
}

/// [`estimate`] with the interval clamped to `domain` (the values the quantity can take).
pub fn estimate_within(values: &[f64], (lo, hi): (f64, f64)) -> Option<Estimate> {
    estimate(values).map(|mut e| {
        e.interval = e.interval.map(|(a, b)| (a.clamp(lo, hi), b.clamp(lo, hi)));
        e
    })
}

/// The mean of `values` and its 95% Student-t interval; `None` without values.
pub fn estimate(values: &[f64]) -> Option<Estimate> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    // A `never` (infinite) value makes the mean `never`, with no interval.
    if values.iter().any(|v| v.is_infinite()) {
        return Some(Estimate {
            mean: f64::INFINITY,
            interval: None,
            n,
        });
    }
    // Summed in order: the same values give the same bytes, whatever the thread count.
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Some(Estimate {
            mean,
            interval: None,
            n,
        });
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
        .map(|d| d.inverse_cdf(0.975))
        .unwrap_or(f64::NAN);
    let half = t * (var / n as f64).sqrt();
    Some(Estimate {
        mean,
        interval: Some((mean - half, mean + half)),
        n,
    })
}

/// Weeks in `ms` milliseconds.
pub fn weeks(ms: i64) -> f64 {
    ms as f64 / WEEK as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_uses_student_t() {
        let e = estimate(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(e.mean, 2.0);
        // t(0.975, 2) = 4.302653; sd = 1; half = 4.302653 / sqrt(3).
        let (lo, hi) = e.interval.unwrap();
        assert!((hi - 2.0 - 4.302_653 / 3f64.sqrt()).abs() < 1e-5, "{hi}");
        assert!((2.0 - lo - (hi - 2.0)).abs() < 1e-12);
        assert_eq!(estimate(&[5.0]).unwrap().interval, None);
        assert!(estimate(&[]).is_none());
    }

    #[test]
    fn metric_values_follow_the_definitions() {
        let mut c = Counters::default();
        let mut send = |sender, reason, n| {
            for _ in 0..n {
                c.record_message(sender);
                c.record_sent(sender, reason);
            }
        };
        send(Sender::Operator, Reason::StandardWindow, 6);
        send(Sender::Operator, Reason::WindowClosed, 2);
        send(Sender::Bot, Reason::CustomerFirst, 1);
        send(Sender::Bot, Reason::StandardWindow, 3);
        c.requests = 10;
        c.unanswered = 4;
        let metrics = catalogue(&[30 * MINUTE]);
        let v = c.values(
            &metrics,
            &RunFigures {
                weeks: 2.0,
                occupancy: None,
            },
        );
        let get = |name: &str| v[metrics.iter().position(|m| m.name == name).unwrap()];
        assert_eq!(get("sent_operator"), Some(8.0));
        assert_eq!(get("undelivered_rate_operator"), Some(0.25));
        assert_eq!(get("undelivered_rate_bot"), Some(0.25));
        assert_eq!(get("undelivered_rate"), Some(3.0 / 12.0));
        assert_eq!(get("unanswered_rate"), Some(0.4));
        assert_eq!(get("coverage"), None);
        // No answered request: every percentile over the closed ones is never.
        assert_eq!(get("first_response_p50"), Some(f64::INFINITY));
        assert_eq!(get("first_response_answered_p50"), None);
        assert_eq!(get("service_level_30m"), Some(0.0));
        assert_eq!(v.len(), METRICS.len() + 2);
    }
}

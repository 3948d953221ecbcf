//! Scenarios: what is simulated. A scenario file (TOML) is read in two stages: the raw file
//! (serde, unknown keys refused), then a validated [`Scenario`] with units checked, where
//! every error names the key, the value and what is allowed.
//!
//! `scenarios/README.md` documents every key. The default scenario is embedded:
//!
//! ```
//! use replywindow::scenario::Scenario;
//! let s = Scenario::default_scenario().unwrap();
//! assert_eq!(s.name, "default");
//! assert!(s.channels.iter().all(|c| c.arrivals_per_day > 0.0));
//! ```

mod counts;
mod distribution;
mod keys;
mod raw;
mod validate;
pub mod week;

pub use distribution::{CountDist, DURATION_DISTRIBUTIONS, DurationDist};
pub use keys::set_key;
pub use validate::MAX_HORIZON;

use std::fmt;

use chrono::{NaiveDateTime, NaiveTime, Timelike};
use chrono_tz::Tz;

use crate::rules::{Channel, Policy};
use crate::time::{DAY, Instant, Millis, format_duration};
use raw::RawScenario;
use validate::horizon;
use week::{WEEK_HOURS, Weekdays};

/// The default scenario's text, embedded in the binary.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");

/// Every scenario of `scenarios/`, embedded: (name, text), the default first.
pub const SCENARIOS: &[(&str, &str)] = &[
    ("default", DEFAULT_SCENARIO),
    (
        "weekend-gap",
        include_str!("../../scenarios/weekend-gap.toml"),
    ),
    (
        "black-friday",
        include_str!("../../scenarios/black-friday.toml"),
    ),
    (
        "instagram-campaign",
        include_str!("../../scenarios/instagram-campaign.toml"),
    ),
    (
        "no-extension",
        include_str!("../../scenarios/no-extension.toml"),
    ),
];

/// A scenario that cannot be used: the key, the value, and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// Where in the file, when known.
    pub source: Option<String>,
    pub key: String,
    pub value: String,
    pub message: String,
}

impl ScenarioError {
    pub(crate) fn new(key: &str, value: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            source: None,
            key: key.into(),
            value: value.into(),
            message: message.into(),
        }
    }

    /// The same error, said of `source` (a file name).
    pub fn in_source(mut self, source: &str) -> ScenarioError {
        self.source = Some(source.into());
        self
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.source {
            write!(f, "{s}: ")?;
        }
        if self.key.is_empty() {
            write!(f, "{}", self.message)
        } else if self.value.is_empty() {
            write!(f, "key `{}`: {}", self.key, self.message)
        } else {
            write!(f, "key `{}` = {:?}: {}", self.key, self.value, self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

/// How operators pick the next conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routing {
    /// The oldest waiting customer message first.
    Fifo,
    /// The conversation whose reply period ends soonest first; those already closed,
    /// where nothing could be delivered, are skipped.
    Deadline,
}

/// How customers of one channel behave.
#[derive(Clone, Debug)]
pub struct Customers {
    pub follow_up_probability: f64,
    pub follow_up_delay: DurationDist,
    pub nudge_probability: f64,
    pub nudge_delay: DurationDist,
    pub warned_return_probability: f64,
    pub warned_return_delay: DurationDist,
    pub accept_probability: f64,
    pub accept_delay: DurationDist,
    /// How long a customer waits for an operator before giving up; `None`: until the
    /// window closes.
    pub patience: Option<DurationDist>,
}

/// One channel's traffic.
#[derive(Clone, Debug)]
pub struct ChannelTraffic {
    pub channel: Channel,
    /// Mean new conversations a day, over a week.
    pub arrivals_per_day: f64,
    /// Deterministic arrivals instead of Poisson: one at the start, then one every interval.
    pub arrival_interval: Option<Millis>,
    /// Arrivals from history: counts per interval of the real calendar
    /// (`arrivals = { counts = "FILE.csv" }`), read by [`Scenario::read_history`].
    pub history: Option<History>,
    /// Arrivals per hour in each local hour of the week (Monday 00:00 first).
    pub hourly_rate: [f64; WEEK_HOURS],
    /// The profile's name, or `custom` for explicit weights.
    pub profile: String,
    /// Share of new conversations that are comments under a post (Facebook, Instagram).
    pub comment_share: f64,
    pub customers: Customers,
}

/// A shift: on these weekdays, from `start` to `end` local time (an `end` not after `start`
/// ends the next day), `operators` operators are on duty.
#[derive(Clone, Debug)]
pub struct Shift {
    pub name: String,
    pub days: Weekdays,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub operators: u32,
    /// Bounds of the head count on duty for `plan` (the upper one derived from the load
    /// when `None`).
    pub min_operators: u32,
    pub max_operators: Option<u32>,
    /// What an operator's hour on this shift costs (a night or weekend premium).
    pub cost_per_hour: f64,
}

impl Shift {
    /// Hours a week an operator of this shift is paid: its length on each of its days.
    pub fn paid_hours(&self) -> f64 {
        let minutes = |t: NaiveTime| f64::from(t.hour() * 60 + t.minute());
        let (start, end) = (minutes(self.start), minutes(self.end));
        let length = if end > start {
            end - start
        } else {
            end + 1440.0 - start
        };
        f64::from(self.days.count_ones()) * length / 60.0
    }

    /// The hours of the week (0 is Monday 00:00) the shift covers, in whole or in part.
    pub fn hours_of_week(&self) -> Vec<usize> {
        let start = self.start.hour() as usize;
        let length = self.paid_hours() / f64::from(self.days.count_ones().max(1));
        let span = (f64::from(self.start.minute()) / 60.0 + length).ceil() as usize;
        let mut hours = Vec::new();
        for day in 0..7 {
            if self.days & (1 << day) != 0 {
                for k in 0..span {
                    let h = (day * 24 + start + k) % WEEK_HOURS;
                    if !hours.contains(&h) {
                        hours.push(h);
                    }
                }
            }
        }
        hours.sort_unstable();
        hours
    }
}

/// A target of `plan`, as written in the scenario (`[[targets]]`) or on the command line:
/// checked against the metrics by the planner.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetSpec {
    /// Where it was written (`targets[0]`, or the text given on the command line).
    pub place: String,
    /// A metric of the glossary, `service_level(T)` or `answered_within(T)`.
    pub metric: String,
    /// `None`: every channel separately; `all`: all channels pooled; or one channel.
    pub channel: Option<String>,
    /// The metric must stay at most (`true`) or at least (`false`) the value.
    pub at_most: bool,
    /// The value as written: `2%`, `0.02`, `4h`, `3`.
    pub value: String,
}

/// The operators.
#[derive(Clone, Debug)]
pub struct Operators {
    /// The teams, in the order a channel served by several tries them (overflow). Without
    /// `[[operators.teams]]` one team, `operators`, serves every channel.
    pub teams: Vec<Team>,
    /// Each conversation already in hand makes composing an answer this much longer.
    pub busy_slowdown: f64,
    /// The share of paid time operators are not available (breaks, training, absence):
    /// the head count to schedule is the head count on duty / (1 - shrinkage).
    pub shrinkage: f64,
    pub promotional_share: f64,
    /// The platform's "extend to 7 days" switch: tag replies after the first 24 h.
    pub human_agent_tagging: bool,
    /// On Facebook comment threads, also send a private message after the public reply.
    pub facebook_private_reply: bool,
    /// On Instagram comment threads, follow-up messages after the private reply.
    pub instagram_follow_ups: CountDist,
}

/// A team of operators: the channels it serves, its shifts and how it works.
#[derive(Clone, Debug)]
pub struct Team {
    pub name: String,
    /// The channels it answers, in scenario order.
    pub channels: Vec<Channel>,
    pub shifts: Vec<Shift>,
    pub concurrency: u32,
    pub handle_time: DurationDist,
    pub routing: Routing,
}

impl Operators {
    /// Every shift of every team, team by team: (team index, shift). A shift's position in
    /// this order is its number in the run's shift calendar.
    pub fn shifts(&self) -> impl Iterator<Item = (usize, &Shift)> {
        self.teams
            .iter()
            .enumerate()
            .flat_map(|(t, team)| team.shifts.iter().map(move |s| (t, s)))
    }

    /// The teams serving `channel`, in the order they take its conversations.
    pub fn serving(&self, channel: Channel) -> impl Iterator<Item = usize> + '_ {
        self.teams
            .iter()
            .enumerate()
            .filter(move |(_, t)| t.channels.contains(&channel))
            .map(|(i, _)| i)
    }
}

/// The automatic replies (each off when `None` or `false`).
#[derive(Clone, Debug, Default)]
pub struct Bots {
    pub on_arrival: bool,
    pub no_answer_after: Option<Millis>,
    pub off_hours: bool,
    pub window_warning: Option<Millis>,
}

/// A validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub time_zone: Tz,
    /// The local start as written, and its instant.
    pub start_local: NaiveDateTime,
    pub start: Instant,
    pub horizon: Millis,
    pub warm_up: Millis,
    pub replications: u32,
    pub seed: u64,
    /// Channels with traffic, in the order WhatsApp, Facebook, Instagram.
    pub channels: Vec<ChannelTraffic>,
    pub operators: Operators,
    pub bots: Bots,
    pub policy: Policy,
    pub report: Report,
    /// The targets of `plan` written in the scenario.
    pub targets: Vec<TargetSpec>,
    /// Dated events: arrivals scaled, days closed.
    pub calendar: Vec<CalendarEntry>,
}

/// Arrivals from a counts file: a Poisson process whose rate is constant within each
/// interval (its count over its length, times `scale`).
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// The file as written in the scenario (relative to the scenario's folder).
    pub file: String,
    pub scale: f64,
    /// (start, end, count), in order, each starting where the previous ended. Empty until
    /// [`Scenario::read_history`].
    pub intervals: Vec<(Instant, Instant, f64)>,
}

/// A dated event of the calendar: from `from` to `to` (instants, `to` excluded), arrivals
/// multiplied by `arrivals` (on `channels`, or all), and no shift starting when `closed`.
#[derive(Clone, Debug, PartialEq)]
pub struct CalendarEntry {
    pub name: String,
    pub from: Instant,
    pub to: Instant,
    pub arrivals: f64,
    /// `None`: every channel.
    pub channels: Option<Vec<Channel>>,
    pub closed: bool,
}

impl Scenario {
    /// The product of the calendar's arrival factors for `channel` at `at` (1 outside every
    /// entry; overlapping entries multiply).
    pub fn arrival_factor(&self, channel: Channel, at: Instant) -> f64 {
        self.calendar
            .iter()
            .filter(|e| at >= e.from && at < e.to)
            .filter(|e| e.channels.as_ref().is_none_or(|c| c.contains(&channel)))
            .map(|e| e.arrivals)
            .product()
    }

    /// Reads the counts files of the channels with `arrivals = { counts = … }`, relative to
    /// `dir` (the scenario file's folder): every row checked, the run inside the data.
    /// A scenario with counts must be read this way before it is simulated.
    pub fn read_history(&mut self, dir: &std::path::Path) -> Result<(), ScenarioError> {
        self.read_history_with(|file| {
            let path = dir.join(file);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Ok((path.display().to_string(), text))
        })
    }

    /// [`Scenario::read_history`] from counts files in memory: `(file name, text)`.
    pub fn read_history_from(&mut self, files: &[(String, String)]) -> Result<(), ScenarioError> {
        self.read_history_with(|file| {
            files
                .iter()
                .find(|(name, _)| name == file)
                .map(|(name, text)| (name.clone(), text.clone()))
                .ok_or_else(|| format!("no counts file {file}"))
        })
    }

    /// Reads each counts file through `open` (file name → its path for errors and text).
    fn read_history_with(
        &mut self,
        open: impl Fn(&str) -> Result<(String, String), String>,
    ) -> Result<(), ScenarioError> {
        let (tz, start, end) = (self.time_zone, self.start, self.end());
        for c in &mut self.channels {
            let key = format!("channels.{}.arrivals.counts", c.channel);
            let Some(h) = &mut c.history else { continue };
            let (path, text) = open(&h.file).map_err(|e| ScenarioError::new(&key, &h.file, e))?;
            h.intervals = counts::read(&text, &path, tz)?;
            let (first, last) = (h.intervals[0].0, h.intervals[h.intervals.len() - 1].1);
            if start < first || end > last {
                return Err(ScenarioError::new(
                    &key,
                    &h.file,
                    format!(
                        "the run ({start} to {end}) reaches outside the data ({first} to {last})"
                    ),
                ));
            }
            let total: f64 = h
                .intervals
                .iter()
                .filter(|(a, b, _)| *b > start && *a < end)
                .map(|(a, b, n)| {
                    let covered = (b.0.min(end.0) - a.0.max(start.0)) as f64;
                    n * covered / (b.0 - a.0) as f64
                })
                .sum();
            c.arrivals_per_day = total * h.scale / ((end.0 - start.0) as f64 / DAY as f64);
        }
        Ok(())
    }

    /// The closed periods of the calendar (no shift starts inside one).
    pub fn closed(&self) -> Vec<(Instant, Instant)> {
        self.calendar
            .iter()
            .filter(|e| e.closed)
            .map(|e| (e.from, e.to))
            .collect()
    }
}

/// What the reports show beyond the fixed metrics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The thresholds of `service_level_<T>` and `answered_within_<T>`; 15 minutes and 1 hour
    /// unless the scenario says otherwise.
    pub service_levels: Vec<Millis>,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            service_levels: vec![15 * crate::time::MINUTE, crate::time::HOUR],
        }
    }
}

impl Scenario {
    /// The embedded default scenario.
    pub fn default_scenario() -> Result<Scenario, ScenarioError> {
        Scenario::from_toml(DEFAULT_SCENARIO, "default")
            .map_err(|e| e.in_source("the embedded default scenario"))
    }

    /// Reads a scenario's text; `fallback_name` names it when the file has no `name`.
    pub fn from_toml(text: &str, fallback_name: &str) -> Result<Scenario, ScenarioError> {
        // Read straight from the text, so that errors point at the line and column.
        let document = toml::Deserializer::parse(text).map_err(|e| toml_error(&e))?;
        let raw: RawScenario = serde_path_to_error::deserialize(document).map_err(key_error)?;
        raw.validate(fallback_name)
    }

    /// Validates a parsed scenario (for example one a sweep has changed).
    pub fn from_table(table: toml::Table, fallback_name: &str) -> Result<Scenario, ScenarioError> {
        let raw: RawScenario =
            serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(key_error)?;
        raw.validate(fallback_name)
    }

    /// Replaces the horizon with `text` (a duration), validated as in a file: at most
    /// [`MAX_HORIZON`], and longer than the warm-up.
    pub fn set_horizon(&mut self, text: &str) -> Result<(), ScenarioError> {
        let horizon = horizon(text)?;
        if horizon <= self.warm_up {
            return Err(ScenarioError::new(
                "horizon",
                text,
                format!(
                    "must be longer than the scenario's warm-up ({})",
                    format_duration(self.warm_up)
                ),
            ));
        }
        self.horizon = horizon;
        Ok(())
    }

    /// The end of the run.
    pub fn end(&self) -> Instant {
        self.start.plus(self.horizon)
    }

    /// Where counting starts.
    pub fn warm_up_end(&self) -> Instant {
        self.start.plus(self.warm_up)
    }

    /// The traffic of `channel`, if it has any.
    pub fn channel(&self, channel: Channel) -> Option<&ChannelTraffic> {
        self.channels.iter().find(|c| c.channel == channel)
    }
}

/// A value of the wrong type or shape, named by its key path (`operators.shifts[0].days`).
fn key_error(e: serde_path_to_error::Error<toml::de::Error>) -> ScenarioError {
    let key = e.path().to_string();
    let mut error = toml_error(e.inner());
    // The root's path is `.`: the message alone says what is missing or unknown there.
    if key != "." {
        error.key = key;
    }
    error
}

/// A toml or serde error as a scenario error: names the key where the message does.
fn toml_error(e: &toml::de::Error) -> ScenarioError {
    // With the text at hand, toml says where: "TOML parse error at line L, column C" and
    // the line itself; without it, the message alone.
    let mut message = e.to_string().trim_end().to_string();
    // serde names Rust types; say what a scenario file has.
    for (rust, words) in [
        ("expected u64", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
    ] {
        if message.ends_with(rust) {
            message.truncate(message.len() - rust.len());
            message.push_str(words);
        }
    }
    ScenarioError {
        source: None,
        key: String::new(),
        value: String::new(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_scenario_is_valid() {
        let s = Scenario::default_scenario().unwrap();
        assert_eq!(s.channels.len(), 3);
        assert!(s.bots.window_warning.is_some() && s.bots.no_answer_after.is_some());
        let weekly: f64 = s.channels[0].hourly_rate.iter().sum();
        assert!((weekly - 7.0 * s.channels[0].arrivals_per_day).abs() < 1e-6);
    }
}

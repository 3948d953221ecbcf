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

mod distribution;
pub mod week;

pub use distribution::{CountDist, DURATION_DISTRIBUTIONS, DurationDist};

use std::fmt;

use chrono::{NaiveDateTime, NaiveTime};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::rules::{Channel, Policy, PolicyError, policy::RawPolicy};
use crate::time::{DAY, HOUR, Instant, MINUTE, Millis, format_duration, parse_duration};
use distribution::{RawCount, RawDuration};
use week::{WEEK_HOURS, WEEKDAY_NAMES, Weekdays};

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
}

/// The operators.
#[derive(Clone, Debug)]
pub struct Operators {
    pub shifts: Vec<Shift>,
    pub concurrency: u32,
    pub handle_time: DurationDist,
    /// Each conversation already in hand makes composing an answer this much longer.
    pub busy_slowdown: f64,
    pub routing: Routing,
    pub promotional_share: f64,
    /// The platform's "extend to 7 days" switch: tag replies after the first 24 h.
    pub human_agent_tagging: bool,
    /// On Facebook comment threads, also send a private message after the public reply.
    pub facebook_private_reply: bool,
    /// On Instagram comment threads, follow-up messages after the private reply.
    pub instagram_follow_ups: CountDist,
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
        let raw: RawScenario = toml::from_str(text).map_err(|e| toml_error(&e))?;
        raw.validate(fallback_name)
    }

    /// Validates a parsed scenario (for example one a sweep has changed).
    pub fn from_table(table: toml::Table, fallback_name: &str) -> Result<Scenario, ScenarioError> {
        let raw: RawScenario =
            RawScenario::deserialize(toml::Value::Table(table)).map_err(|e| toml_error(&e))?;
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

/// A toml or serde error as a scenario error: names the key where the message does.
fn toml_error(e: &toml::de::Error) -> ScenarioError {
    // With the text at hand, toml says where: "TOML parse error at line L, column C" and
    // the line itself; without it, the message alone.
    let message = e.to_string().trim_end().to_string();
    ScenarioError {
        source: None,
        key: String::new(),
        value: String::new(),
        message,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<String>,
    description: Option<String>,
    start: String,
    time_zone: String,
    horizon: String,
    warm_up: Option<String>,
    replications: Option<i64>,
    seed: Option<u64>,
    channels: RawChannels,
    #[serde(default)]
    customers: RawCustomers,
    operators: RawOperators,
    #[serde(default)]
    bots: RawBots,
    #[serde(default)]
    policy: RawPolicy,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannels {
    whatsapp: Option<RawChannel>,
    facebook: Option<RawChannel>,
    instagram: Option<RawChannel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannel {
    arrivals_per_day: Option<f64>,
    arrival_interval: Option<String>,
    profile: Option<String>,
    weights: Option<Vec<f64>>,
    comment_share: Option<f64>,
    #[serde(default)]
    customers: RawCustomers,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustomers {
    follow_up_probability: Option<f64>,
    follow_up_delay: Option<RawDuration>,
    nudge_probability: Option<f64>,
    nudge_delay: Option<RawDuration>,
    warned_return_probability: Option<f64>,
    warned_return_delay: Option<RawDuration>,
    accept_probability: Option<f64>,
    accept_delay: Option<RawDuration>,
    patience: Option<RawDuration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOperators {
    shifts: Vec<RawShift>,
    concurrency: Option<i64>,
    handle_time: Option<RawDuration>,
    busy_slowdown: Option<f64>,
    routing: Option<String>,
    promotional_share: Option<f64>,
    human_agent_tagging: Option<bool>,
    facebook_private_reply: Option<bool>,
    instagram_follow_ups: Option<RawCount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShift {
    name: Option<String>,
    days: Vec<String>,
    start: String,
    end: String,
    operators: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBots {
    on_arrival: Option<bool>,
    no_answer_after: Option<String>,
    off_hours: Option<bool>,
    window_warning: Option<String>,
}

fn probability(key: &str, v: f64) -> Result<f64, ScenarioError> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(ScenarioError::new(
            key,
            &v.to_string(),
            "a probability or share is a number from 0 to 1",
        ))
    }
}

/// A policy table's error as a scenario error, keeping its key path and value.
fn policy_error(e: PolicyError) -> ScenarioError {
    match e {
        PolicyError::Duration { key, value, reason } => ScenarioError::new(&key, &value, reason),
        PolicyError::ExtensionNotLonger {
            key,
            extension,
            window_key,
            window,
        } => ScenarioError::new(
            &key,
            &format_duration(extension),
            format!(
                "must be longer than {window_key} ({}), or \"none\"",
                format_duration(window)
            ),
        ),
        PolicyError::Syntax { message } => ScenarioError::new("", "", message),
    }
}

/// The longest horizon a scenario may have: ten years.
pub const MAX_HORIZON: Millis = 3660 * DAY;

/// A horizon: a duration of at most [`MAX_HORIZON`].
fn horizon(text: &str) -> Result<Millis, ScenarioError> {
    let horizon = duration("horizon", text)?;
    if horizon > MAX_HORIZON {
        return Err(ScenarioError::new("horizon", text, "at most ten years"));
    }
    Ok(horizon)
}

fn duration(key: &str, text: &str) -> Result<Millis, ScenarioError> {
    parse_duration(text).map_err(|e| ScenarioError::new(key, text, e))
}

/// A duration that may be switched off with `"off"`.
fn optional_duration(key: &str, text: Option<&String>) -> Result<Option<Millis>, ScenarioError> {
    match text.map(String::as_str) {
        None | Some("off") => Ok(None),
        Some(t) => duration(key, t).map(Some),
    }
}

fn time_of_day(key: &str, text: &str) -> Result<NaiveTime, ScenarioError> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .ok()
        .filter(|_| text.len() == 5)
        .or_else(|| (text == "24:00").then_some(NaiveTime::MIN))
        .ok_or_else(|| {
            ScenarioError::new(
                key,
                text,
                "a local time of day is written HH:MM, 00:00 to 24:00",
            )
        })
}

impl RawScenario {
    fn validate(self, fallback_name: &str) -> Result<Scenario, ScenarioError> {
        let name = self.name.unwrap_or_else(|| fallback_name.to_string());
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(ScenarioError::new(
                "name",
                &name,
                "a name is letters, digits, `-`, `_` and `.` (it names the report folder)",
            ));
        }
        let time_zone: Tz = self.time_zone.parse().map_err(|_| {
            ScenarioError::new(
                "time_zone",
                &self.time_zone,
                "not an IANA time zone name (like Europe/Rome or America/New_York)",
            )
        })?;
        let start_local = NaiveDateTime::parse_from_str(&self.start, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(&self.start, "%Y-%m-%dT%H:%M"))
            .map_err(|_| {
                ScenarioError::new(
                    "start",
                    &self.start,
                    "a local date-time, written 2026-03-02T00:00 (no offset: it is in time_zone)",
                )
            })?;
        let start = week::resolve_local(time_zone, start_local);
        let horizon = horizon(&self.horizon)?;
        let warm_up = match &self.warm_up {
            None => 0,
            Some(t) if t == "0" || t == "0s" || t == "off" => 0,
            Some(t) => duration("warm_up", t)?,
        };
        if warm_up >= horizon {
            return Err(ScenarioError::new(
                "warm_up",
                self.warm_up.as_deref().unwrap_or_default(),
                "the warm-up must end inside the horizon",
            ));
        }
        let replications = self.replications.unwrap_or(10);
        if !(1..=100_000).contains(&replications) {
            return Err(ScenarioError::new(
                "replications",
                &replications.to_string(),
                "a whole number from 1 to 100000",
            ));
        }

        let global = &self.customers;
        let mut channels = Vec::new();
        for (channel, raw) in [
            (Channel::WhatsApp, &self.channels.whatsapp),
            (Channel::Facebook, &self.channels.facebook),
            (Channel::Instagram, &self.channels.instagram),
        ] {
            let Some(raw) = raw else { continue };
            channels.push(raw.validate(channel, global)?);
        }
        if channels.is_empty() {
            return Err(ScenarioError::new(
                "channels",
                "",
                "at least one of channels.whatsapp, channels.facebook, channels.instagram",
            ));
        }
        Ok(Scenario {
            name,
            description: self.description.unwrap_or_default(),
            time_zone,
            start_local,
            start,
            horizon,
            warm_up,
            replications: replications as u32,
            seed: self.seed.unwrap_or(1),
            channels,
            operators: self.operators.validate()?,
            bots: self.bots.validate()?,
            policy: self.policy.validate("policy.").map_err(policy_error)?,
        })
    }
}

impl RawChannel {
    fn validate(
        &self,
        channel: Channel,
        global: &RawCustomers,
    ) -> Result<ChannelTraffic, ScenarioError> {
        let key = format!("channels.{channel}");
        let arrival_interval = match (&self.arrival_interval, self.arrivals_per_day) {
            (Some(_), Some(apd)) => {
                return Err(ScenarioError::new(
                    &format!("{key}.arrival_interval"),
                    &apd.to_string(),
                    format!(
                        "give either {key}.arrivals_per_day or {key}.arrival_interval, not both"
                    ),
                ));
            }
            (None, None) => {
                return Err(ScenarioError::new(
                    &format!("{key}.arrivals_per_day"),
                    "",
                    "required: mean new conversations a day (or arrival_interval for fixed gaps)",
                ));
            }
            (Some(text), None) => Some(duration(&format!("{key}.arrival_interval"), text)?),
            (None, Some(_)) => None,
        };
        let apd = match (arrival_interval, self.arrivals_per_day) {
            (Some(every), _) => DAY as f64 / every as f64,
            (None, apd) => apd.unwrap_or_default(),
        };
        if !(apd.is_finite() && (0.0..=10_000_000.0).contains(&apd)) {
            return Err(ScenarioError::new(
                &format!("{key}.arrivals_per_day"),
                &apd.to_string(),
                "a number of conversations a day, from 0 to 10000000",
            ));
        }
        let (profile, weights) = match (&self.profile, &self.weights) {
            (Some(_), Some(_)) => {
                return Err(ScenarioError::new(
                    &format!("{key}.weights"),
                    "",
                    format!("give either {key}.profile or {key}.weights, not both"),
                ));
            }
            (None, Some(w)) => {
                if w.len() != WEEK_HOURS {
                    return Err(ScenarioError::new(
                        &format!("{key}.weights"),
                        &format!("{} numbers", w.len()),
                        "168 weights, one per local hour of the week from Monday 00:00",
                    ));
                }
                if let Some((i, x)) = w
                    .iter()
                    .enumerate()
                    .find(|(_, x)| !(x.is_finite() && **x >= 0.0))
                {
                    return Err(ScenarioError::new(
                        &format!("{key}.weights[{i}]"),
                        &x.to_string(),
                        "weights are numbers of at least zero",
                    ));
                }
                let mut a = [0.0; WEEK_HOURS];
                a.copy_from_slice(w);
                ("custom".to_string(), a)
            }
            (p, None) => {
                let name = p.clone().unwrap_or_else(|| "flat".into());
                let w = week::preset(&name).ok_or_else(|| {
                    ScenarioError::new(
                        &format!("{key}.profile"),
                        &name,
                        format!("one of {}, or give {key}.weights", week::PRESETS.join(", ")),
                    )
                })?;
                (name, w)
            }
        };
        let total: f64 = weights.iter().sum();
        if total <= 0.0 && apd > 0.0 {
            return Err(ScenarioError::new(
                &format!("{key}.weights"),
                "0",
                "at least one weight must be above zero",
            ));
        }
        let mut hourly_rate = [0.0; WEEK_HOURS];
        for (r, w) in hourly_rate.iter_mut().zip(weights) {
            *r = if total > 0.0 {
                7.0 * apd * w / total
            } else {
                0.0
            };
        }
        let comment_share = match (channel, self.comment_share) {
            (_, None) => 0.0,
            (Channel::WhatsApp, Some(s)) => {
                return Err(ScenarioError::new(
                    &format!("{key}.comment_share"),
                    &s.to_string(),
                    "WhatsApp has no comments",
                ));
            }
            (_, Some(s)) => probability(&format!("{key}.comment_share"), s)?,
        };
        Ok(ChannelTraffic {
            channel,
            arrivals_per_day: apd,
            arrival_interval,
            hourly_rate,
            profile,
            comment_share,
            customers: self.customers.merge(global, &key)?,
        })
    }
}

impl RawCustomers {
    /// This channel's values, else the global `[customers]` ones, else the defaults.
    fn merge(&self, global: &RawCustomers, channel_key: &str) -> Result<Customers, ScenarioError> {
        let p = |name: &str,
                 mine: Option<f64>,
                 theirs: Option<f64>,
                 default: f64|
         -> Result<f64, ScenarioError> {
            let key = if mine.is_some() {
                format!("{channel_key}.customers.{name}")
            } else {
                format!("customers.{name}")
            };
            probability(&key, mine.or(theirs).unwrap_or(default))
        };
        let d = |name: &str,
                 mine: &Option<RawDuration>,
                 theirs: &Option<RawDuration>,
                 default: Option<DurationDist>|
         -> Result<DurationDist, ScenarioError> {
            match (mine, theirs) {
                (Some(m), _) => m.validate(&format!("{channel_key}.customers.{name}")),
                (None, Some(t)) => t.validate(&format!("customers.{name}")),
                (None, None) => builtin(default),
            }
        };
        Ok(Customers {
            follow_up_probability: p(
                "follow_up_probability",
                self.follow_up_probability,
                global.follow_up_probability,
                0.35,
            )?,
            follow_up_delay: d(
                "follow_up_delay",
                &self.follow_up_delay,
                &global.follow_up_delay,
                DurationDist::lognormal(20 * MINUTE, 30 * MINUTE),
            )?,
            nudge_probability: p(
                "nudge_probability",
                self.nudge_probability,
                global.nudge_probability,
                0.3,
            )?,
            nudge_delay: d(
                "nudge_delay",
                &self.nudge_delay,
                &global.nudge_delay,
                DurationDist::lognormal(4 * HOUR, 4 * HOUR),
            )?,
            warned_return_probability: p(
                "warned_return_probability",
                self.warned_return_probability,
                global.warned_return_probability,
                0.6,
            )?,
            warned_return_delay: d(
                "warned_return_delay",
                &self.warned_return_delay,
                &global.warned_return_delay,
                DurationDist::exponential(10 * MINUTE),
            )?,
            accept_probability: p(
                "accept_probability",
                self.accept_probability,
                global.accept_probability,
                0.5,
            )?,
            accept_delay: d(
                "accept_delay",
                &self.accept_delay,
                &global.accept_delay,
                DurationDist::lognormal(6 * HOUR, 8 * HOUR),
            )?,
            patience: match (&self.patience, &global.patience) {
                (Some(m), _) => Some(m.validate(&format!("{channel_key}.customers.patience"))?),
                (None, Some(g)) => Some(g.validate("customers.patience")?),
                (None, None) => None,
            },
        })
    }
}

/// A built-in default distribution.
fn builtin(d: Option<DurationDist>) -> Result<DurationDist, ScenarioError> {
    d.ok_or_else(|| ScenarioError::new("", "", "a built-in default distribution is out of range"))
}

impl RawOperators {
    fn validate(&self) -> Result<Operators, ScenarioError> {
        let mut shifts = Vec::new();
        for (i, s) in self.shifts.iter().enumerate() {
            let key = format!("operators.shifts[{i}]");
            let mut days: Weekdays = 0;
            for d in &s.days {
                let bit = WEEKDAY_NAMES.iter().position(|n| n == d).ok_or_else(|| {
                    ScenarioError::new(
                        &format!("{key}.days"),
                        d,
                        format!("weekdays are {}", WEEKDAY_NAMES.join(", ")),
                    )
                })?;
                days |= 1 << bit;
            }
            if days == 0 {
                return Err(ScenarioError::new(
                    &format!("{key}.days"),
                    "[]",
                    "a shift needs at least one weekday",
                ));
            }
            let start = time_of_day(&format!("{key}.start"), &s.start)?;
            let end = time_of_day(&format!("{key}.end"), &s.end)?;
            if start == end && s.end != "24:00" {
                return Err(ScenarioError::new(
                    &format!("{key}.end"),
                    &s.end,
                    format!("the shift is empty: it ends when it starts ({})", s.start),
                ));
            }
            if !(0..=100_000).contains(&s.operators) {
                return Err(ScenarioError::new(
                    &format!("{key}.operators"),
                    &s.operators.to_string(),
                    "a whole number of operators from 0 to 100000",
                ));
            }
            shifts.push(Shift {
                name: s.name.clone().unwrap_or_else(|| format!("shift {}", i + 1)),
                days,
                start,
                end,
                operators: s.operators as u32,
            });
        }
        let concurrency = self.concurrency.unwrap_or(1);
        if !(1..=100).contains(&concurrency) {
            return Err(ScenarioError::new(
                "operators.concurrency",
                &concurrency.to_string(),
                "a whole number from 1 to 100",
            ));
        }
        let handle_time = match &self.handle_time {
            Some(h) => h.validate("operators.handle_time")?,
            None => builtin(DurationDist::lognormal(4 * MINUTE, 3 * MINUTE))?,
        };
        let busy_slowdown = self.busy_slowdown.unwrap_or(0.0);
        if !(0.0..=10.0).contains(&busy_slowdown) {
            return Err(ScenarioError::new(
                "operators.busy_slowdown",
                &busy_slowdown.to_string(),
                "a number from 0 to 10",
            ));
        }
        let routing = match self.routing.as_deref().unwrap_or("fifo") {
            "fifo" => Routing::Fifo,
            "deadline" => Routing::Deadline,
            other => {
                return Err(ScenarioError::new(
                    "operators.routing",
                    other,
                    "fifo or deadline",
                ));
            }
        };
        Ok(Operators {
            shifts,
            concurrency: concurrency as u32,
            handle_time,
            busy_slowdown,
            routing,
            promotional_share: probability(
                "operators.promotional_share",
                self.promotional_share.unwrap_or(0.0),
            )?,
            human_agent_tagging: self.human_agent_tagging.unwrap_or(true),
            facebook_private_reply: self.facebook_private_reply.unwrap_or(false),
            instagram_follow_ups: match &self.instagram_follow_ups {
                Some(c) => c.validate("operators.instagram_follow_ups")?,
                None => CountDist::Constant(1),
            },
        })
    }
}

impl RawBots {
    fn validate(&self) -> Result<Bots, ScenarioError> {
        Ok(Bots {
            on_arrival: self.on_arrival.unwrap_or(false),
            no_answer_after: optional_duration(
                "bots.no_answer_after",
                self.no_answer_after.as_ref(),
            )?,
            off_hours: self.off_hours.unwrap_or(false),
            window_warning: optional_duration("bots.window_warning", self.window_warning.as_ref())?,
        })
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

//! From a raw scenario file to a validated [`Scenario`]: units checked, every error
//! naming its key path, the value and what is allowed.

use chrono::{NaiveDateTime, NaiveTime};
use chrono_tz::Tz;

use super::distribution::RawDuration;
use super::raw::{
    RawBots, RawCalendarEntry, RawChannel, RawCustomers, RawOperators, RawReport, RawScenario,
    RawShift, RawTarget, RawTeam,
};
use super::week::{self, WEEK_HOURS, WEEKDAY_NAMES, Weekdays};
use super::*;
use crate::rules::PolicyError;
use crate::time::{DAY, HOUR, MINUTE, Millis, format_duration, parse_duration};

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
pub(super) fn horizon(text: &str) -> Result<Millis, ScenarioError> {
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

/// A local time of day `HH:MM`; `24:00` (the end of the day) only where `end` is true.
fn time_of_day(key: &str, text: &str, end: bool) -> Result<NaiveTime, ScenarioError> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .ok()
        .filter(|_| text.len() == 5)
        .or_else(|| (end && text == "24:00").then_some(NaiveTime::MIN))
        .ok_or_else(|| {
            let allowed = if end {
                "a local time of day is written HH:MM, 00:00 to 24:00"
            } else {
                "a local time of day is written HH:MM, 00:00 to 23:59 (24:00 only as an end)"
            };
            ScenarioError::new(key, text, allowed)
        })
}

impl RawScenario {
    pub(super) fn validate(self, fallback_name: &str) -> Result<Scenario, ScenarioError> {
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
        // `.` and `..` would put the report in `reports/` itself or outside it.
        if name.chars().all(|c| c == '.') {
            return Err(ScenarioError::new(
                "name",
                &name,
                "a name needs a letter, a digit, `-` or `_` (it names the report folder)",
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
            operators: self
                .operators
                .validate(&channels.iter().map(|c| c.channel).collect::<Vec<_>>())?,
            channels,
            bots: self.bots.validate()?,
            policy: self.policy.validate("policy.").map_err(policy_error)?,
            report: self.report.validate()?,
            calendar: self
                .calendar
                .iter()
                .enumerate()
                .map(|(i, e)| e.validate(i, time_zone))
                .collect::<Result<_, _>>()?,
            targets: self
                .targets
                .iter()
                .enumerate()
                .map(|(i, t)| t.validate(i))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// A local date (`2026-11-27`, the day's start; as an end, the day's end) or date-time
/// (`2026-11-27T10:00`) on the clock of `tz`.
fn local_instant(key: &str, text: &str, tz: Tz, end: bool) -> Result<Instant, ScenarioError> {
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let day = if end {
            day + chrono::Duration::days(1)
        } else {
            day
        };
        return Ok(week::resolve_local(tz, day.and_time(NaiveTime::MIN)));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .map(|t| week::resolve_local(tz, t))
        .map_err(|_| {
            ScenarioError::new(
                key,
                text,
                "a local date (2026-11-27) or date-time (2026-11-27T10:00), in time_zone",
            )
        })
}

impl RawCalendarEntry {
    fn validate(&self, i: usize, tz: Tz) -> Result<CalendarEntry, ScenarioError> {
        let key = format!("calendar[{i}]");
        let from = local_instant(&format!("{key}.from"), &self.from, tz, false)?;
        let to = local_instant(&format!("{key}.to"), &self.to, tz, true)?;
        if to <= from {
            return Err(ScenarioError::new(
                &format!("{key}.to"),
                &self.to,
                format!("must end after it starts ({})", self.from),
            ));
        }
        let arrivals = self.arrivals.unwrap_or(1.0);
        if !(arrivals.is_finite() && (0.0..=1000.0).contains(&arrivals)) {
            return Err(ScenarioError::new(
                &format!("{key}.arrivals"),
                &arrivals.to_string(),
                "a factor from 0 to 1000",
            ));
        }
        let channels = match &self.channels {
            None => None,
            Some(names) => Some(
                names
                    .iter()
                    .enumerate()
                    .map(|(j, c)| {
                        Channel::from_bytes(c.as_bytes()).ok_or_else(|| {
                            ScenarioError::new(
                                &format!("{key}.channels[{j}]"),
                                c,
                                format!("one of {}", Channel::names()),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        Ok(CalendarEntry {
            name: self
                .name
                .clone()
                .unwrap_or_else(|| format!("{} to {}", self.from, self.to)),
            from,
            to,
            arrivals,
            channels,
            closed: self.closed.unwrap_or(false),
        })
    }
}

impl RawTarget {
    /// The target's form: one bound, as text; its metric and value are checked by `plan`.
    fn validate(&self, i: usize) -> Result<TargetSpec, ScenarioError> {
        let key = format!("targets[{i}]");
        let text = |v: &toml::Value| match v {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let (at_most, value) = match (&self.at_most, &self.at_least) {
            (Some(v), None) => (true, text(v)),
            (None, Some(v)) => (false, text(v)),
            _ => {
                return Err(ScenarioError::new(
                    &key,
                    &self.metric,
                    "a target has either at_most or at_least",
                ));
            }
        };
        Ok(TargetSpec {
            place: key,
            metric: self.metric.clone(),
            channel: self.channel.clone(),
            at_most,
            value,
        })
    }
}

impl RawReport {
    fn validate(&self) -> Result<Report, ScenarioError> {
        let Some(texts) = &self.service_level else {
            return Ok(Report::default());
        };
        if texts.len() > 6 {
            return Err(ScenarioError::new(
                "report.service_level",
                &texts.join(", "),
                "at most six thresholds",
            ));
        }
        let mut service_levels = Vec::with_capacity(texts.len());
        for (i, text) in texts.iter().enumerate() {
            let t = duration(&format!("report.service_level[{i}]"), text)?;
            if service_levels.contains(&t) {
                return Err(ScenarioError::new(
                    &format!("report.service_level[{i}]"),
                    text,
                    "each threshold once",
                ));
            }
            service_levels.push(t);
        }
        Ok(Report { service_levels })
    }
}

impl RawChannel {
    fn validate(
        &self,
        channel: Channel,
        global: &RawCustomers,
    ) -> Result<ChannelTraffic, ScenarioError> {
        let key = format!("channels.{channel}");
        let history = match &self.arrivals {
            None => None,
            Some(a) => {
                if self.arrivals_per_day.is_some() || self.arrival_interval.is_some() {
                    return Err(ScenarioError::new(
                        &format!("{key}.arrivals"),
                        &a.counts,
                        format!(
                            "give either {key}.arrivals (counts) or arrivals_per_day / \
                             arrival_interval, not both"
                        ),
                    ));
                }
                let scale = a.scale.unwrap_or(1.0);
                if !(scale.is_finite() && (0.0..=1000.0).contains(&scale)) {
                    return Err(ScenarioError::new(
                        &format!("{key}.arrivals.scale"),
                        &scale.to_string(),
                        "a factor from 0 to 1000",
                    ));
                }
                Some(History {
                    file: a.counts.clone(),
                    scale,
                    intervals: Vec::new(),
                })
            }
        };
        let arrivals_per_day = match (&history, self.arrivals_per_day) {
            // Known once the counts are read; a placeholder that passes the checks below.
            (Some(_), _) => Some(0.0),
            (None, apd) => apd,
        };
        let arrival_interval = match (&self.arrival_interval, arrivals_per_day) {
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
        let apd = match (arrival_interval, arrivals_per_day) {
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
            history,
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
        // The channel's own value of a key, else the global one, with the key path it was
        // written under (for errors).
        fn layer<'a, T>(
            mine: &'a Option<T>,
            theirs: &'a Option<T>,
            channel_key: &str,
            name: &str,
        ) -> Option<(String, &'a T)> {
            match (mine, theirs) {
                (Some(m), _) => Some((format!("{channel_key}.customers.{name}"), m)),
                (None, Some(t)) => Some((format!("customers.{name}"), t)),
                (None, None) => None,
            }
        }
        let share = |name: &str, pick: fn(&RawCustomers) -> &Option<f64>, default: f64| match layer(
            pick(self),
            pick(global),
            channel_key,
            name,
        ) {
            Some((key, &v)) => probability(&key, v),
            None => Ok(default),
        };
        let delay = |name: &str, pick: fn(&RawCustomers) -> &Option<RawDuration>| {
            layer(pick(self), pick(global), channel_key, name)
                .map(|(key, d)| d.validate(&key))
                .transpose()
        };
        let delay_or = |name: &str, pick, default: Option<DurationDist>| match delay(name, pick)? {
            Some(d) => Ok(d),
            None => builtin(default),
        };
        Ok(Customers {
            follow_up_probability: share(
                "follow_up_probability",
                |c| &c.follow_up_probability,
                0.35,
            )?,
            follow_up_delay: delay_or(
                "follow_up_delay",
                |c| &c.follow_up_delay,
                DurationDist::lognormal(20 * MINUTE, 30 * MINUTE),
            )?,
            nudge_probability: share("nudge_probability", |c| &c.nudge_probability, 0.3)?,
            nudge_delay: delay_or(
                "nudge_delay",
                |c| &c.nudge_delay,
                DurationDist::lognormal(4 * HOUR, 4 * HOUR),
            )?,
            warned_return_probability: share(
                "warned_return_probability",
                |c| &c.warned_return_probability,
                0.6,
            )?,
            warned_return_delay: delay_or(
                "warned_return_delay",
                |c| &c.warned_return_delay,
                DurationDist::exponential(10 * MINUTE),
            )?,
            accept_probability: share("accept_probability", |c| &c.accept_probability, 0.5)?,
            accept_delay: delay_or(
                "accept_delay",
                |c| &c.accept_delay,
                DurationDist::lognormal(6 * HOUR, 8 * HOUR),
            )?,
            patience: delay("patience", |c| &c.patience)?,
        })
    }
}

/// A built-in default distribution.
fn builtin(d: Option<DurationDist>) -> Result<DurationDist, ScenarioError> {
    d.ok_or_else(|| ScenarioError::new("", "", "a built-in default distribution is out of range"))
}

/// Validates the shifts of a team; `key` is the path of their list.
fn shifts(raw: &[RawShift], key: &str) -> Result<Vec<Shift>, ScenarioError> {
    let mut shifts = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        let key = format!("{key}[{i}]");
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
        let start = time_of_day(&format!("{key}.start"), &s.start, false)?;
        let end = time_of_day(&format!("{key}.end"), &s.end, true)?;
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
        let bound = |name: &str, v: Option<i64>| -> Result<Option<u32>, ScenarioError> {
            v.map(|v| {
                u32::try_from(v)
                    .ok()
                    .filter(|v| *v <= 100_000)
                    .ok_or_else(|| {
                        ScenarioError::new(
                            &format!("{key}.{name}"),
                            &v.to_string(),
                            "a whole number of operators from 0 to 100000",
                        )
                    })
            })
            .transpose()
        };
        let min_operators = bound("min_operators", s.min_operators)?.unwrap_or(0);
        let max_operators = bound("max_operators", s.max_operators)?;
        if let Some(max) = max_operators.filter(|m| *m < min_operators) {
            return Err(ScenarioError::new(
                &format!("{key}.max_operators"),
                &max.to_string(),
                format!("at least min_operators ({min_operators})"),
            ));
        }
        let cost_per_hour = s.cost_per_hour.unwrap_or(1.0);
        if !(cost_per_hour.is_finite() && cost_per_hour >= 0.0) {
            return Err(ScenarioError::new(
                &format!("{key}.cost_per_hour"),
                &cost_per_hour.to_string(),
                "a number of 0 or more",
            ));
        }
        shifts.push(Shift {
            name: s.name.clone().unwrap_or_else(|| format!("shift {}", i + 1)),
            days,
            start,
            end,
            operators: s.operators as u32,
            min_operators,
            max_operators,
            cost_per_hour,
        });
    }
    Ok(shifts)
}

/// How a team works: its own keys where given, else the `[operators]` ones (`key` is the
/// path of the keys in use, for errors).
fn concurrency(value: Option<i64>, key: &str) -> Result<u32, ScenarioError> {
    let concurrency = value.unwrap_or(1);
    if !(1..=100).contains(&concurrency) {
        return Err(ScenarioError::new(
            key,
            &concurrency.to_string(),
            "a whole number from 1 to 100",
        ));
    }
    Ok(concurrency as u32)
}

fn routing(value: Option<&str>, key: &str) -> Result<Routing, ScenarioError> {
    match value.unwrap_or("fifo") {
        "fifo" => Ok(Routing::Fifo),
        "deadline" => Ok(Routing::Deadline),
        other => Err(ScenarioError::new(key, other, "fifo or deadline")),
    }
}

fn handle_time(value: Option<&RawDuration>, key: &str) -> Result<DurationDist, ScenarioError> {
    match value {
        Some(h) => h.validate(key),
        None => builtin(DurationDist::lognormal(4 * MINUTE, 3 * MINUTE)),
    }
}

impl RawOperators {
    /// `channels`: the channels with traffic, each of which some team must serve.
    fn validate(&self, channels: &[Channel]) -> Result<Operators, ScenarioError> {
        let teams = match (&self.shifts, &self.teams) {
            (Some(raw), None) => vec![Team {
                name: "operators".into(),
                channels: channels.to_vec(),
                shifts: shifts(raw, "operators.shifts")?,
                concurrency: concurrency(self.concurrency, "operators.concurrency")?,
                handle_time: handle_time(self.handle_time.as_ref(), "operators.handle_time")?,
                routing: routing(self.routing.as_deref(), "operators.routing")?,
            }],
            (None, Some(raw)) => self.teams(raw, channels)?,
            (Some(_), Some(_)) => {
                return Err(ScenarioError::new(
                    "operators.teams",
                    "",
                    "give either operators.shifts (one team serving every channel) or \
                     [[operators.teams]], not both",
                ));
            }
            (None, None) => {
                return Err(ScenarioError::new(
                    "operators.shifts",
                    "",
                    "the operators need shifts: [[operators.shifts]], or teams with their own \
                     shifts ([[operators.teams]])",
                ));
            }
        };
        let busy_slowdown = self.busy_slowdown.unwrap_or(0.0);
        if !(0.0..=10.0).contains(&busy_slowdown) {
            return Err(ScenarioError::new(
                "operators.busy_slowdown",
                &busy_slowdown.to_string(),
                "a number from 0 to 10",
            ));
        }
        let shrinkage = self.shrinkage.unwrap_or(0.0);
        if !(0.0..0.95).contains(&shrinkage) {
            return Err(ScenarioError::new(
                "operators.shrinkage",
                &shrinkage.to_string(),
                "a share from 0 to below 0.95",
            ));
        }
        Ok(Operators {
            teams,
            busy_slowdown,
            shrinkage,
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

    /// `[[operators.teams]]`: each team's keys, with `[operators]`' own as defaults.
    fn teams(&self, raw: &[RawTeam], channels: &[Channel]) -> Result<Vec<Team>, ScenarioError> {
        if raw.is_empty() {
            return Err(ScenarioError::new(
                "operators.teams",
                "[]",
                "at least one team",
            ));
        }
        let mut teams: Vec<Team> = Vec::new();
        for (i, t) in raw.iter().enumerate() {
            let key = format!("operators.teams[{i}]");
            let name = t.name.clone().unwrap_or_else(|| format!("team {}", i + 1));
            if teams.iter().any(|other| other.name == name) {
                return Err(ScenarioError::new(
                    &format!("{key}.name"),
                    &name,
                    "each team has its own name",
                ));
            }
            let mut served = Vec::new();
            for (j, c) in t.channels.iter().enumerate() {
                let channel = Channel::from_bytes(c.as_bytes()).ok_or_else(|| {
                    ScenarioError::new(
                        &format!("{key}.channels[{j}]"),
                        c,
                        format!("one of {}", Channel::names()),
                    )
                })?;
                if !served.contains(&channel) {
                    served.push(channel);
                }
            }
            if served.is_empty() {
                return Err(ScenarioError::new(
                    &format!("{key}.channels"),
                    "[]",
                    "a team serves at least one channel",
                ));
            }
            served.sort();
            // Its own keys where it has them, else those of [operators].
            let own = |k: &str, given: bool| {
                if given {
                    format!("{key}.{k}")
                } else {
                    format!("operators.{k}")
                }
            };
            teams.push(Team {
                name,
                channels: served,
                shifts: shifts(&t.shifts, &format!("{key}.shifts"))?,
                concurrency: concurrency(
                    t.concurrency.or(self.concurrency),
                    &own("concurrency", t.concurrency.is_some()),
                )?,
                handle_time: handle_time(
                    t.handle_time.as_ref().or(self.handle_time.as_ref()),
                    &own("handle_time", t.handle_time.is_some()),
                )?,
                routing: routing(
                    t.routing.as_deref().or(self.routing.as_deref()),
                    &own("routing", t.routing.is_some()),
                )?,
            });
        }
        for &channel in channels {
            if !teams.iter().any(|t| t.channels.contains(&channel)) {
                return Err(ScenarioError::new(
                    "operators.teams",
                    "",
                    format!("channels.{channel} has traffic but no team serves it"),
                ));
            }
        }
        Ok(teams)
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

//! A scenario file as written: serde structs, unknown keys refused, nothing checked yet
//! (`validate.rs` turns them into a [`Scenario`](super::Scenario)).

use serde::Deserialize;

use super::distribution::{RawCount, RawDuration};
use crate::rules::policy::RawPolicy;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub(super) name: Option<String>,
    pub(super) description: Option<String>,
    pub(super) start: String,
    pub(super) time_zone: String,
    pub(super) horizon: String,
    pub(super) warm_up: Option<String>,
    pub(super) replications: Option<i64>,
    pub(super) seed: Option<u64>,
    pub(super) channels: RawChannels,
    #[serde(default)]
    pub(super) customers: RawCustomers,
    pub(super) operators: RawOperators,
    #[serde(default)]
    pub(super) bots: RawBots,
    #[serde(default)]
    pub(super) policy: RawPolicy,
    #[serde(default)]
    pub(super) report: RawReport,
    #[serde(default)]
    pub(super) targets: Vec<RawTarget>,
    #[serde(default)]
    pub(super) calendar: Vec<RawCalendarEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChannels {
    pub(super) whatsapp: Option<RawChannel>,
    pub(super) facebook: Option<RawChannel>,
    pub(super) instagram: Option<RawChannel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChannel {
    pub(super) arrivals: Option<RawArrivals>,
    pub(super) arrivals_per_day: Option<f64>,
    pub(super) arrival_interval: Option<String>,
    pub(super) profile: Option<String>,
    pub(super) weights: Option<Vec<f64>>,
    pub(super) comment_share: Option<f64>,
    #[serde(default)]
    pub(super) customers: RawCustomers,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCustomers {
    pub(super) follow_up_probability: Option<f64>,
    pub(super) follow_up_delay: Option<RawDuration>,
    pub(super) nudge_probability: Option<f64>,
    pub(super) nudge_delay: Option<RawDuration>,
    pub(super) warned_return_probability: Option<f64>,
    pub(super) warned_return_delay: Option<RawDuration>,
    pub(super) accept_probability: Option<f64>,
    pub(super) accept_delay: Option<RawDuration>,
    pub(super) patience: Option<RawDuration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOperators {
    pub(super) shifts: Option<Vec<RawShift>>,
    pub(super) teams: Option<Vec<RawTeam>>,
    pub(super) concurrency: Option<i64>,
    pub(super) handle_time: Option<RawDuration>,
    pub(super) busy_slowdown: Option<f64>,
    pub(super) routing: Option<String>,
    pub(super) promotional_share: Option<f64>,
    pub(super) human_agent_tagging: Option<bool>,
    pub(super) facebook_private_reply: Option<bool>,
    pub(super) instagram_follow_ups: Option<RawCount>,
    pub(super) shrinkage: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTeam {
    pub(super) name: Option<String>,
    pub(super) channels: Vec<String>,
    pub(super) shifts: Vec<RawShift>,
    pub(super) concurrency: Option<i64>,
    pub(super) handle_time: Option<RawDuration>,
    pub(super) routing: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShift {
    pub(super) name: Option<String>,
    pub(super) days: Vec<String>,
    pub(super) start: String,
    pub(super) end: String,
    pub(super) operators: i64,
    pub(super) min_operators: Option<i64>,
    pub(super) max_operators: Option<i64>,
    pub(super) cost_per_hour: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBots {
    pub(super) on_arrival: Option<bool>,
    pub(super) no_answer_after: Option<String>,
    pub(super) off_hours: Option<bool>,
    pub(super) window_warning: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReport {
    pub(super) service_level: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTarget {
    pub(super) metric: String,
    pub(super) channel: Option<String>,
    pub(super) at_most: Option<toml::Value>,
    pub(super) at_least: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCalendarEntry {
    pub(super) name: Option<String>,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) arrivals: Option<f64>,
    pub(super) channels: Option<Vec<String>>,
    pub(super) closed: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawArrivals {
    pub(super) counts: String,
    pub(super) scale: Option<f64>,
}

//! Targets: a metric of the glossary on one channel, every channel or all pooled, bounded
//! above or below, and whether a staffing's replications show it holds.

use statrs::distribution::{ContinuousCDF, StudentsT};

use super::PlanError;
use crate::metrics::{Metric, MetricRows, catalogue};
use crate::rules::Channel;
use crate::scenario::TargetSpec;
use crate::time::{MINUTE, Millis, format_duration, parse_duration};

/// Which summary rows a target bounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rows {
    /// Every channel with traffic, each on its own.
    Every,
    /// All channels pooled (the `all` row).
    All,
    One(Channel),
}

/// A validated target.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// As written, for messages and reports.
    pub text: String,
    /// Where it was written: `targets[0]` in the scenario, or `--target`.
    pub place: String,
    /// The metric's name in the reports (`service_level_15m`).
    pub metric: String,
    pub unit: &'static str,
    pub rows: Rows,
    pub at_most: bool,
    /// In the metric's unit (a ratio from 0 to 1, minutes, a count).
    pub value: f64,
    /// The response threshold the metric needs in the report, if it is one.
    pub threshold: Option<Millis>,
}

impl Target {
    /// Reads `CHANNEL.METRIC <= VALUE` or `METRIC >= VALUE` (the channel optional: every
    /// channel separately), as given on the command line.
    ///
    /// ```
    /// use replywindow::plan::{Rows, Target};
    /// let t = Target::parse("whatsapp.answered_within(1h) >= 80%").unwrap();
    /// assert_eq!(t.metric, "answered_within_1h");
    /// assert!(!t.at_most);
    /// assert!((t.value - 0.8).abs() < 1e-12);
    /// assert!(Target::parse("unanswered_rate <= 150%").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Target, PlanError> {
        let bad = |problem: String| PlanError::Target {
            target: text.to_string(),
            place: "--target".into(),
            problem,
        };
        let (left, at_most, value) = if let Some((l, v)) = text.split_once("<=") {
            (l, true, v)
        } else if let Some((l, v)) = text.split_once(">=") {
            (l, false, v)
        } else {
            return Err(bad(
                "write it as [CHANNEL.]METRIC <= VALUE or >= VALUE, like \
                 'whatsapp.answered_within(1h) >= 80%'"
                    .into(),
            ));
        };
        let left = left.trim();
        let (channel, metric) = match left.split_once('.') {
            Some((c, m)) if Channel::from_bytes(c.as_bytes()).is_some() || c == "all" => {
                (Some(c.to_string()), m.to_string())
            }
            _ => (None, left.to_string()),
        };
        let spec = TargetSpec {
            place: "--target".into(),
            metric,
            channel,
            at_most,
            value: value.trim().to_string(),
        };
        Target::from_spec(&spec).map_err(|e| match e {
            PlanError::Target { problem, .. } => bad(problem),
            e => e,
        })
    }

    /// Checks a target written in the scenario (or parsed from the command line).
    pub fn from_spec(spec: &TargetSpec) -> Result<Target, PlanError> {
        let comparison = if spec.at_most { "<=" } else { ">=" };
        let text = match &spec.channel {
            Some(c) => format!("{c}.{} {comparison} {}", spec.metric, spec.value),
            None => format!("{} {comparison} {}", spec.metric, spec.value),
        };
        let bad = |problem: String| PlanError::Target {
            target: text.clone(),
            place: spec.place.clone(),
            problem,
        };
        let rows = match spec.channel.as_deref() {
            None => Rows::Every,
            Some("all") => Rows::All,
            Some(c) => Rows::One(Channel::from_bytes(c.as_bytes()).ok_or_else(|| {
                bad(format!(
                    "`{c}` is not a channel: one of {}, or all",
                    Channel::names()
                ))
            })?),
        };
        // service_level(T) and answered_within(T) name a threshold.
        let metric = spec.metric.trim();
        let (name, threshold) = match metric.split_once('(') {
            Some((family @ ("service_level" | "answered_within"), rest)) => {
                let t = rest.strip_suffix(')').ok_or_else(|| {
                    bad(format!("`{metric}`: write {family}(T), like {family}(1h)"))
                })?;
                let t = parse_duration(t).map_err(&bad)?;
                (format!("{family}_{}", format_duration(t)), Some(t))
            }
            Some(_) => return Err(bad(format!("`{metric}` takes no threshold"))),
            None => (metric.to_string(), None),
        };
        let known = catalogue(&threshold.into_iter().collect::<Vec<_>>());
        let Some(def) = known.iter().find(|m| m.name == name) else {
            return Err(bad(format!(
                "`{metric}` is not a metric: one of the glossary (replywindow simulate writes it \
                 into index.html), or service_level(T), answered_within(T)"
            )));
        };
        let value = parse_value(&spec.value, def).map_err(bad)?;
        Ok(Target {
            text,
            place: spec.place.clone(),
            metric: name,
            unit: def.unit,
            rows,
            at_most: spec.at_most,
            value,
            threshold,
        })
    }

    /// Whether the target bounds compliance only (undelivered messages, violations), which
    /// can be met by answering nobody late.
    pub fn is_compliance(&self) -> bool {
        self.metric.starts_with("undelivered") || self.metric.starts_with("violations")
    }

    /// The value written for people, in the metric's unit.
    pub fn value_text(&self) -> String {
        show(self.value, self.unit)
    }
}

/// A value of `unit` written for people.
pub fn show(v: f64, unit: &str) -> String {
    if v.is_infinite() {
        return "never".into();
    }
    match unit {
        "ratio" => format!("{:.2}%", v * 100.0),
        "minutes" => format!("{v:.1} min"),
        _ => format!("{v:.3}"),
    }
}

/// A target's value in its metric's unit: a share as `80%` or `0.8`; minutes as a
/// duration (`4h`) or a number; counts as a number.
fn parse_value(text: &str, def: &Metric) -> Result<f64, String> {
    let text = text.trim();
    let number = |t: &str| {
        t.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("`{text}` is not a value of {} ({})", def.name, def.unit))
    };
    let value = match (def.unit, text.strip_suffix('%')) {
        ("ratio", Some(p)) => number(p.trim())? / 100.0,
        ("ratio", None) => number(text)?,
        (unit, Some(_)) => {
            return Err(format!(
                "`{text}`: {} is in {unit}, not a percentage",
                def.name
            ));
        }
        ("minutes", None) => match parse_duration(text) {
            Ok(ms) => ms as f64 / MINUTE as f64,
            Err(_) => number(text)?,
        },
        (_, None) => number(text)?,
    };
    if value < 0.0 {
        return Err(format!("`{text}`: {} is never below 0", def.name));
    }
    if def.unit == "ratio" && value > 1.0 {
        return Err(format!("`{text}`: {} is a share, at most 100%", def.name));
    }
    Ok(value)
}

/// A target's estimate on one summary row over a staffing's replications.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The row: a channel's name or `all`.
    pub row: String,
    pub mean: f64,
    /// The one-sided confidence bound on the side the target constrains.
    pub bound: f64,
    pub holds: bool,
}

/// The checks of `target` on replications' rows of `metrics` (each replication's
/// [`MetricRows`]), at `confidence` (one-sided).
pub fn checks(
    target: &Target,
    metrics: &[Metric],
    reps: &[MetricRows],
    confidence: f64,
) -> Vec<Check> {
    let Some(m) = metrics.iter().position(|d| d.name == target.metric) else {
        return Vec::new();
    };
    let Some(first) = reps.first() else {
        return Vec::new();
    };
    let rows: Vec<usize> = first
        .iter()
        .enumerate()
        .filter(|(_, (row, _))| match &target.rows {
            Rows::Every => row != "all",
            Rows::All => row == "all",
            Rows::One(c) => row == c.as_str(),
        })
        .map(|(i, _)| i)
        .collect();
    rows.into_iter()
        .map(|r| {
            // An undefined value (no request at all) neither helps nor hurts: left out.
            let values: Vec<f64> = reps.iter().filter_map(|rep| rep[r].1[m]).collect();
            let (mean, bound) = one_sided(&values, confidence, target.at_most);
            let holds = if target.at_most {
                bound <= target.value
            } else {
                bound >= target.value
            };
            Check {
                row: first[r].0.clone(),
                mean,
                bound,
                holds: holds && !values.is_empty(),
            }
        })
        .collect()
}

/// The mean of `values` and its one-sided Student-t confidence bound: the upper one when
/// `upper`, else the lower one. A `never` (infinite) value makes both infinite.
fn one_sided(values: &[f64], confidence: f64, upper: bool) -> (f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (
            f64::NAN,
            if upper {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            },
        );
    }
    if values.iter().any(|v| v.is_infinite()) {
        return (f64::INFINITY, f64::INFINITY);
    }
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (
            mean,
            if upper {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            },
        );
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let t = StudentsT::new(0.0, 1.0, n - 1.0)
        .map(|d| d.inverse_cdf(confidence))
        .unwrap_or(f64::INFINITY);
    let half = t * (var / n).sqrt();
    (mean, if upper { mean + half } else { mean - half })
}

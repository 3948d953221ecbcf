//! Distributions of durations and counts, as written in scenario files and as sampled.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp, Gamma, Geometric, LogNormal, Poisson};
use serde::Deserialize;

use super::ScenarioError;
use crate::time::{Millis, format_duration, parse_duration, round_to_i64};

/// A distribution of durations, sampled in whole milliseconds (never negative).
#[derive(Clone, Debug)]
pub enum DurationDist {
    Constant(Millis),
    /// The distribution and its mean (ms), which `rand_distr` does not give back.
    Exponential(Exp<f64>, f64),
    LogNormal(LogNormal<f64>, f64),
    Gamma(Gamma<f64>, f64),
    Uniform {
        min: Millis,
        max: Millis,
    },
    Empirical {
        values: Vec<Millis>,
        cumulative: Vec<f64>,
    },
}

impl DurationDist {
    /// Log-normal durations with this mean and standard deviation (of the durations
    /// themselves, not of their logarithms).
    pub fn lognormal(mean: Millis, sd: Millis) -> Option<DurationDist> {
        let (mean, sd) = (mean as f64, sd as f64);
        let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
        LogNormal::new(mean.ln() - sigma2 / 2.0, sigma2.sqrt())
            .ok()
            .map(|d| DurationDist::LogNormal(d, mean))
    }

    /// Exponential durations with this mean.
    pub fn exponential(mean: Millis) -> Option<DurationDist> {
        Exp::new(1.0 / mean as f64)
            .ok()
            .map(|d| DurationDist::Exponential(d, mean as f64))
    }

    /// The mean duration, in milliseconds.
    ///
    /// ```
    /// use replywindow::scenario::DurationDist;
    /// let d = DurationDist::lognormal(240_000, 180_000).unwrap();
    /// assert!((d.mean() - 240_000.0).abs() < 1.0);
    /// ```
    pub fn mean(&self) -> f64 {
        match self {
            DurationDist::Constant(v) => *v as f64,
            DurationDist::Exponential(_, mean)
            | DurationDist::LogNormal(_, mean)
            | DurationDist::Gamma(_, mean) => *mean,
            DurationDist::Uniform { min, max } => (*min + *max) as f64 / 2.0,
            DurationDist::Empirical { values, cumulative } => {
                let total = cumulative.last().copied().unwrap_or(1.0);
                let mut previous = 0.0;
                values
                    .iter()
                    .zip(cumulative)
                    .map(|(v, c)| {
                        let w = c - previous;
                        previous = *c;
                        *v as f64 * w / total
                    })
                    .sum()
            }
        }
    }

    /// One duration.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Millis {
        let ms = match self {
            DurationDist::Constant(v) => return *v,
            DurationDist::Exponential(d, _) => d.sample(rng),
            DurationDist::LogNormal(d, _) => d.sample(rng),
            DurationDist::Gamma(d, _) => d.sample(rng),
            DurationDist::Uniform { min, max } => return rng.random_range(*min..=*max),
            DurationDist::Empirical { values, cumulative } => {
                let u: f64 = rng.random::<f64>() * cumulative.last().copied().unwrap_or(1.0);
                let i = cumulative
                    .partition_point(|&c| c <= u)
                    .min(values.len() - 1);
                return values[i];
            }
        };
        // Rounded to the clock's resolution, at most a year.
        round_to_i64(ms).clamp(0, 366 * 86_400_000)
    }
}

/// A distribution of counts.
#[derive(Clone, Debug)]
pub enum CountDist {
    Constant(u32),
    Poisson(Poisson<f64>),
    /// Failures before the first success, from 0.
    Geometric(Geometric),
}

impl CountDist {
    /// One count (capped at 1000).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        match self {
            CountDist::Constant(v) => *v,
            CountDist::Poisson(d) => d.sample(rng).min(1000.0) as u32,
            CountDist::Geometric(d) => d.sample(rng).min(1000) as u32,
        }
    }
}

/// A duration distribution as written: a plain duration (`"5m"`, constant) or a table with
/// `distribution` and its parameters.
#[derive(Clone, Debug)]
pub(crate) enum RawDuration {
    Constant(String),
    Table(RawDurationTable),
}

/// Reads a value that is either a plain one (read by `plain`) or a table (read as `T`, so
/// that an unknown parameter or a wrong type inside it is named with its key), where serde's
/// untagged enums would only say that nothing matched.
struct PlainOrTable<P, T> {
    expecting: &'static str,
    plain: fn(Plain) -> Option<P>,
    _table: std::marker::PhantomData<T>,
}

/// A plain value as TOML gives it.
enum Plain<'a> {
    Text(&'a str),
    Integer(i64),
}

/// What a plain-or-table value turned out to be.
enum Either<P, T> {
    Plain(P),
    Table(T),
}

impl<'de, P, T: Deserialize<'de>> serde::de::Visitor<'de> for PlainOrTable<P, T> {
    type Value = Either<P, T>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        (self.plain)(Plain::Text(v))
            .map(Either::Plain)
            .ok_or_else(|| E::invalid_type(serde::de::Unexpected::Str(v), &self))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        (self.plain)(Plain::Integer(v))
            .map(Either::Plain)
            .ok_or_else(|| E::invalid_type(serde::de::Unexpected::Signed(v), &self))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Either::Table)
    }
}

fn plain_or_table<'de, D, P, T>(
    deserializer: D,
    expecting: &'static str,
    plain: fn(Plain) -> Option<P>,
) -> Result<Either<P, T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_any(PlainOrTable {
        expecting,
        plain,
        _table: std::marker::PhantomData,
    })
}

impl<'de> Deserialize<'de> for RawDuration {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = |p: Plain| match p {
            Plain::Text(t) => Some(t.to_string()),
            Plain::Integer(_) => None,
        };
        Ok(
            match plain_or_table(
                deserializer,
                "a duration like \"5m\", or a table with `distribution` and its parameters",
                text,
            )? {
                Either::Plain(t) => RawDuration::Constant(t),
                Either::Table(t) => RawDuration::Table(t),
            },
        )
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDurationTable {
    distribution: String,
    value: Option<String>,
    mean: Option<String>,
    sd: Option<String>,
    shape: Option<f64>,
    min: Option<String>,
    max: Option<String>,
    values: Option<Vec<String>>,
    weights: Option<Vec<f64>>,
}

/// The distribution names a duration may have.
pub const DURATION_DISTRIBUTIONS: &str =
    "constant, exponential, lognormal, gamma, uniform, empirical";

impl RawDuration {
    /// Checks the parameters; `key` is where the distribution stands in the file.
    pub(crate) fn validate(&self, key: &str) -> Result<DurationDist, ScenarioError> {
        let duration = |name: &str, text: &str| -> Result<Millis, ScenarioError> {
            parse_duration(text).map_err(|e| ScenarioError::new(&format!("{key}.{name}"), text, e))
        };
        let t = match self {
            RawDuration::Constant(text) => {
                return parse_duration(text)
                    .map(DurationDist::Constant)
                    .map_err(|e| ScenarioError::new(key, text, e));
            }
            RawDuration::Table(t) => t,
        };
        let need = |name: &str, v: &Option<String>| -> Result<Millis, ScenarioError> {
            match v {
                Some(text) => duration(name, text),
                None => Err(ScenarioError::new(
                    key,
                    &t.distribution,
                    format!("a {} distribution needs `{name}`", t.distribution),
                )),
            }
        };
        // Only the parameters of the chosen distribution may be given.
        let allowed: &[&str] = match t.distribution.as_str() {
            "constant" => &["value"],
            "exponential" => &["mean"],
            "lognormal" => &["mean", "sd"],
            "gamma" => &["shape", "mean"],
            "uniform" => &["min", "max"],
            "empirical" => &["values", "weights"],
            other => {
                return Err(ScenarioError::new(
                    &format!("{key}.distribution"),
                    other,
                    format!("unknown distribution; one of {DURATION_DISTRIBUTIONS}"),
                ));
            }
        };
        let given = [
            ("value", t.value.is_some()),
            ("mean", t.mean.is_some()),
            ("sd", t.sd.is_some()),
            ("shape", t.shape.is_some()),
            ("min", t.min.is_some()),
            ("max", t.max.is_some()),
            ("values", t.values.is_some()),
            ("weights", t.weights.is_some()),
        ];
        if let Some((name, _)) = given.iter().find(|(n, g)| *g && !allowed.contains(n)) {
            return Err(ScenarioError::new(
                &format!("{key}.{name}"),
                &t.distribution,
                format!(
                    "a {} distribution takes only {}",
                    t.distribution,
                    allowed.join(", ")
                ),
            ));
        }
        let positive = |name: &str, v: f64| -> Result<f64, ScenarioError> {
            if v.is_finite() && v > 0.0 {
                Ok(v)
            } else {
                Err(ScenarioError::new(
                    &format!("{key}.{name}"),
                    &v.to_string(),
                    "must be a number above zero",
                ))
            }
        };
        Ok(match t.distribution.as_str() {
            "constant" => DurationDist::Constant(need("value", &t.value)?),
            "exponential" => {
                DurationDist::exponential(need("mean", &t.mean)?).ok_or_else(|| {
                    ScenarioError::new(key, "exponential", "the mean is out of range")
                })?
            }
            "lognormal" => DurationDist::lognormal(need("mean", &t.mean)?, need("sd", &t.sd)?)
                .ok_or_else(|| {
                    ScenarioError::new(key, "lognormal", "the mean or sd is out of range")
                })?,
            "gamma" => {
                let shape = positive("shape", t.shape.unwrap_or(f64::NAN))?;
                let mean = need("mean", &t.mean)? as f64;
                DurationDist::Gamma(
                    Gamma::new(shape, mean / shape)
                        .map_err(|e| ScenarioError::new(key, "gamma", e.to_string()))?,
                    mean,
                )
            }
            "uniform" => {
                let min = need("min", &t.min)?;
                let max = need("max", &t.max)?;
                if max < min {
                    return Err(ScenarioError::new(
                        &format!("{key}.max"),
                        &format_duration(max),
                        format!("must not be below {key}.min ({})", format_duration(min)),
                    ));
                }
                DurationDist::Uniform { min, max }
            }
            _ => {
                let texts = t.values.as_deref().unwrap_or_default();
                if texts.is_empty() {
                    return Err(ScenarioError::new(
                        &format!("{key}.values"),
                        "[]",
                        "an empirical distribution needs at least one value",
                    ));
                }
                let values = texts
                    .iter()
                    .enumerate()
                    .map(|(i, v)| duration(&format!("values[{i}]"), v))
                    .collect::<Result<Vec<_>, _>>()?;
                let weights = t.weights.clone().unwrap_or_else(|| vec![1.0; values.len()]);
                if weights.len() != values.len() {
                    return Err(ScenarioError::new(
                        &format!("{key}.weights"),
                        &format!("{} weights", weights.len()),
                        format!("needs one weight per value ({})", values.len()),
                    ));
                }
                let mut cumulative = Vec::with_capacity(weights.len());
                let mut sum = 0.0;
                for (i, w) in weights.iter().enumerate() {
                    if !(w.is_finite() && *w >= 0.0) {
                        return Err(ScenarioError::new(
                            &format!("{key}.weights[{i}]"),
                            &w.to_string(),
                            "weights are numbers of at least zero",
                        ));
                    }
                    sum += w;
                    cumulative.push(sum);
                }
                if sum <= 0.0 {
                    return Err(ScenarioError::new(
                        &format!("{key}.weights"),
                        "0",
                        "at least one weight must be above zero",
                    ));
                }
                DurationDist::Empirical { values, cumulative }
            }
        })
    }
}

/// A count distribution as written: a whole number (constant) or a table.
#[derive(Clone, Debug)]
pub(crate) enum RawCount {
    Constant(i64),
    Table(RawCountTable),
}

impl<'de> Deserialize<'de> for RawCount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let whole = |p: Plain| match p {
            Plain::Integer(v) => Some(v),
            Plain::Text(_) => None,
        };
        Ok(
            match plain_or_table(
                deserializer,
                "a whole number, or a table with `distribution` and its parameters",
                whole,
            )? {
                Either::Plain(v) => RawCount::Constant(v),
                Either::Table(t) => RawCount::Table(t),
            },
        )
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCountTable {
    distribution: String,
    value: Option<i64>,
    mean: Option<f64>,
    p: Option<f64>,
}

impl RawCount {
    pub(crate) fn validate(&self, key: &str) -> Result<CountDist, ScenarioError> {
        let constant = |v: i64| -> Result<CountDist, ScenarioError> {
            u32::try_from(v)
                .ok()
                .filter(|v| *v <= 1000)
                .map(CountDist::Constant)
                .ok_or_else(|| {
                    ScenarioError::new(
                        key,
                        &v.to_string(),
                        "a count is a whole number from 0 to 1000",
                    )
                })
        };
        let t = match self {
            RawCount::Constant(v) => return constant(*v),
            RawCount::Table(t) => t,
        };
        match (t.distribution.as_str(), t.value, t.mean, t.p) {
            ("constant", Some(v), None, None) => constant(v),
            ("poisson", None, Some(mean), None) if mean.is_finite() && mean > 0.0 => {
                Poisson::new(mean).map(CountDist::Poisson).map_err(|e| {
                    ScenarioError::new(&format!("{key}.mean"), &mean.to_string(), e.to_string())
                })
            }
            ("geometric", None, None, Some(p)) if p > 0.0 && p <= 1.0 => {
                Geometric::new(p).map(CountDist::Geometric).map_err(|e| {
                    ScenarioError::new(&format!("{key}.p"), &p.to_string(), e.to_string())
                })
            }
            ("constant" | "poisson" | "geometric", ..) => Err(ScenarioError::new(
                key,
                &t.distribution,
                "constant takes `value` (0 to 1000), poisson `mean` (above 0), geometric `p` (above 0, at most 1)",
            )),
            (other, ..) => Err(ScenarioError::new(
                &format!("{key}.distribution"),
                other,
                "unknown count distribution; one of constant, poisson, geometric",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn table(text: &str) -> Result<DurationDist, ScenarioError> {
        #[derive(Deserialize)]
        struct W {
            d: RawDuration,
        }
        let w: W =
            toml::from_str(text).map_err(|e| ScenarioError::new("d", text, e.to_string()))?;
        w.d.validate("d")
    }

    /// Mean, standard deviation and a quantile of 200,000 draws against the exact values
    /// (in minutes). Tolerances are relative and at least five standard errors wide, so
    /// the check does not depend on the seed; a wrong parameter (an sd taken as a variance,
    /// a shape ignored) moves these by far more.
    #[test]
    fn samples_match_mean_sd_and_a_quantile() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let ln5 = 5f64.ln();
        // (distribution, mean, sd, sd tolerance, quantile q, its value)
        let cases: [(&str, f64, f64, f64, f64, f64); 6] = [
            (
                "d = { distribution = \"exponential\", mean = \"10m\" }",
                10.0,
                10.0,
                0.02,
                0.5,
                10.0 * 2f64.ln(),
            ),
            // sigma^2 = ln(1 + (sd/mean)^2) = ln 5, mu = ln(mean) - sigma^2/2: the median is
            // mean / sqrt(5) and the 90% quantile exp(mu + 1.281552 sigma). Its sd converges
            // slowly (heavy tail): a 20% tolerance is five standard errors.
            (
                "d = { distribution = \"lognormal\", mean = \"10m\", sd = \"20m\" }",
                10.0,
                20.0,
                0.2,
                0.9,
                (10f64.ln() - ln5 / 2.0 + 1.281_551_565_5 * ln5.sqrt()).exp(),
            ),
            // Shape 2, scale 5 minutes: sd 5 sqrt(2); median 1.678347 x scale.
            (
                "d = { distribution = \"gamma\", shape = 2.0, mean = \"10m\" }",
                10.0,
                5.0 * 2f64.sqrt(),
                0.02,
                0.5,
                5.0 * 1.678_346_99,
            ),
            (
                "d = { distribution = \"uniform\", min = \"5m\", max = \"15m\" }",
                10.0,
                10.0 / 12f64.sqrt(),
                0.02,
                0.25,
                7.5,
            ),
            (
                "d = { distribution = \"empirical\", values = [\"5m\", \"15m\"], weights = [1, 3] }",
                12.5,
                (0.75f64 * 0.25).sqrt() * 10.0,
                0.02,
                0.2,
                5.0,
            ),
            ("d = \"10m\"", 10.0, 0.0, 0.0, 0.5, 10.0),
        ];
        for (text, mean, sd, sd_tolerance, q, quantile) in cases {
            let d = table(text).unwrap();
            let n = 200_000;
            let mut draws: Vec<f64> = (0..n)
                .map(|_| d.sample(&mut rng) as f64 / 60_000.0)
                .collect();
            let m = draws.iter().sum::<f64>() / n as f64;
            let s = (draws.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
            draws.sort_by(f64::total_cmp);
            let k = draws[(q * n as f64) as usize];
            assert!(
                (m / mean - 1.0).abs() < 0.02,
                "{text}: mean {m}, not {mean}"
            );
            assert!(
                (s - sd).abs() <= sd_tolerance * sd + 1e-9,
                "{text}: sd {s}, not {sd}"
            );
            assert!(
                (k / quantile - 1.0).abs() < 0.02,
                "{text}: quantile {q} is {k}, not {quantile}"
            );
        }
    }

    #[test]
    fn bad_distributions_name_the_key() {
        for (text, needle) in [
            (
                "d = { distribution = \"weibull\", mean = \"1m\" }",
                "d.distribution",
            ),
            ("d = { distribution = \"exponential\" }", "mean"),
            (
                "d = { distribution = \"exponential\", mean = \"-1m\" }",
                "d.mean",
            ),
            (
                "d = { distribution = \"uniform\", min = \"5m\", max = \"1m\" }",
                "d.max",
            ),
            (
                "d = { distribution = \"exponential\", mean = \"1m\", sd = \"1m\" }",
                "d.sd",
            ),
            ("d = \"soon\"", "soon"),
        ] {
            let e = table(text).unwrap_err().to_string();
            assert!(e.contains(needle), "{e:?} should contain {needle:?}");
        }
    }
}

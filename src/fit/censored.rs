//! A delay that happens with some probability, seen only until something else stops the
//! watch: a customer nudges (with probability `p`, after a log-normal delay) unless their
//! request is answered first. A request answered after 10 minutes says only that the
//! customer had not nudged by then. Ignoring such requests, or counting them as "no
//! nudge", would bias both the probability and the delay, so the fit maximises the
//! likelihood of the mixture ("cure") model with censoring, by expectation-maximisation:
//!
//! - a nudge after `t`: `p · f(t)`;
//! - no nudge by `c`: `1 − p · F(c)`,
//!
//! with `f`, `F` the delay's density and distribution. Two families are fitted, the
//! exponential (a memoryless reaction, as to a warning) and the log-normal (skewed delays
//! of people who come back later), and the one with the higher likelihood is kept: the
//! family matters under censoring, since a heavy tail reads watches that ended without a
//! nudge as nudges still to come.

use statrs::distribution::{Continuous, ContinuousCDF, Normal};

use crate::time::Millis;

/// The family of a fitted delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Family {
    Exponential,
    LogNormal,
}

/// The fitted probability and delay (family, mean and standard deviation, in
/// milliseconds), with the numbers they rest on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct CureFit {
    pub family: Family,
    /// The log-likelihood of the data under the fit.
    pub log_likelihood: f64,
    pub probability: f64,
    pub mean: f64,
    pub sd: f64,
    /// Nudges seen, and watches that ended without one.
    pub observed: usize,
    pub censored: usize,
}

/// `E[Z | Z > a]` and `E[Z² | Z > a]` for `Z ~ N(mu, s²)`.
fn upper_moments(mu: f64, s: f64, a: f64, unit: &Normal) -> (f64, f64) {
    let alpha = (a - mu) / s;
    let tail = 1.0 - unit.cdf(alpha);
    // Far in the tail the ratio φ/(1−Φ) tends to α (plus a little).
    let lambda = if tail > 1e-12 {
        (-alpha * alpha / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt() / tail
    } else {
        alpha + 1.0 / alpha.max(1e-6)
    };
    let m1 = mu + s * lambda;
    let m2 = mu * mu + 2.0 * mu * s * lambda + s * s * (1.0 + alpha * lambda);
    (m1, m2)
}

/// Fits the cure model to delays `observed` (a nudge after each) and `censored` (a watch
/// that ended without one after each) with both families, and keeps the likelier. `None`
/// with fewer than 10 nudges seen: too few to tell a probability from a delay.
pub(super) fn cure_fit(observed: &[Millis], censored: &[Millis]) -> Option<CureFit> {
    let lognormal = cure_lognormal(observed, censored);
    let exponential = cure_exponential(observed, censored);
    match (lognormal, exponential) {
        (Some(l), Some(e)) => Some(if e.log_likelihood >= l.log_likelihood {
            e
        } else {
            l
        }),
        (l, e) => l.or(e),
    }
}

/// The delays in whole milliseconds as positive numbers (a delay of no time says nothing
/// of a rate, and would have no logarithm).
fn positive(values: &[Millis]) -> Vec<f64> {
    values
        .iter()
        .filter(|&&d| d > 0)
        .map(|&d| d as f64)
        .collect()
}

/// The cure model with an exponential delay, by expectation-maximisation: a watch of `c`
/// is a nudge still to come with weight `w`, and then expects `c + 1/λ` (no memory).
fn cure_exponential(observed: &[Millis], censored: &[Millis]) -> Option<CureFit> {
    let events = positive(observed);
    let watches = positive(censored);
    if events.len() < 10 {
        return None;
    }
    let n = (events.len() + watches.len()) as f64;
    let total: f64 = events.iter().sum();
    let mut mean = total / events.len() as f64;
    let mut p = (events.len() as f64 / n).clamp(1e-6, 1.0);
    for _ in 0..2000 {
        let (mut w_sum, mut t_sum) = (0.0, 0.0);
        for &c in &watches {
            let survive = (-c / mean).exp();
            let w = p * survive / (1.0 - p + p * survive);
            w_sum += w;
            t_sum += w * (c + mean);
        }
        let k = events.len() as f64 + w_sum;
        let new_p = (k / n).clamp(1e-9, 1.0);
        let new_mean = (total + t_sum) / k;
        let moved = (new_p - p).abs() + (new_mean - mean).abs() / mean;
        (p, mean) = (new_p, new_mean);
        if moved < 1e-10 {
            break;
        }
    }
    let log_likelihood = events
        .iter()
        .map(|t| (p / mean).ln() - t / mean)
        .chain(
            watches
                .iter()
                .map(|c| (1.0 - p * (1.0 - (-c / mean).exp())).ln()),
        )
        .sum();
    (p.is_finite() && mean.is_finite()).then_some(CureFit {
        family: Family::Exponential,
        log_likelihood,
        probability: p,
        mean,
        sd: mean,
        observed: events.len(),
        censored: watches.len(),
    })
}

/// The cure model with a log-normal delay.
fn cure_lognormal(observed: &[Millis], censored: &[Millis]) -> Option<CureFit> {
    let events: Vec<f64> = observed
        .iter()
        .filter(|&&d| d > 0)
        .map(|&d| (d as f64).ln())
        .collect();
    if events.len() < 10 {
        return None;
    }
    // A watch of no time says nothing.
    let watches: Vec<f64> = censored
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| (c as f64).ln())
        .collect();
    let unit = Normal::new(0.0, 1.0).ok()?;
    let n = (events.len() + watches.len()) as f64;
    let sum: f64 = events.iter().sum();
    let sum2: f64 = events.iter().map(|z| z * z).sum();
    let mut mu = sum / events.len() as f64;
    let mut s = (sum2 / events.len() as f64 - mu * mu).max(1e-6).sqrt();
    let mut p = (events.len() as f64 / n).clamp(1e-6, 1.0);
    for _ in 0..500 {
        // E: how likely each watch is a nudge still to come, and where it would fall.
        let (mut w_sum, mut m1_sum, mut m2_sum) = (0.0, 0.0, 0.0);
        for &a in &watches {
            let survive = 1.0 - unit.cdf((a - mu) / s);
            let w = p * survive / (1.0 - p + p * survive);
            if w > 0.0 {
                let (m1, m2) = upper_moments(mu, s, a, &unit);
                w_sum += w;
                m1_sum += w * m1;
                m2_sum += w * m2;
            }
        }
        // M: the weighted counts and moments.
        let k = events.len() as f64 + w_sum;
        let new_p = (k / n).clamp(1e-9, 1.0);
        let new_mu = (sum + m1_sum) / k;
        let new_s = ((sum2 + m2_sum) / k - new_mu * new_mu).max(1e-6).sqrt();
        let moved = (new_p - p).abs() + (new_mu - mu).abs() + (new_s - s).abs();
        (p, mu, s) = (new_p, new_mu, new_s);
        if moved < 1e-9 {
            break;
        }
    }
    let mean = (mu + s * s / 2.0).exp();
    let sd = mean * ((s * s).exp() - 1.0).sqrt();
    let normal = Normal::new(mu, s).ok()?;
    // Densities of the delays themselves: f(t) = φ(ln t) / t.
    let log_likelihood = events
        .iter()
        .map(|&z| p.ln() + normal.ln_pdf(z) - z)
        .chain(watches.iter().map(|&a| (1.0 - p * normal.cdf(a)).ln()))
        .sum();
    (p.is_finite() && mean.is_finite() && sd.is_finite()).then_some(CureFit {
        family: Family::LogNormal,
        log_likelihood,
        probability: p,
        mean,
        sd,
        observed: events.len(),
        censored: watches.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_distr::{Distribution, LogNormal};

    #[test]
    fn recovers_probability_and_delay_under_heavy_censoring() {
        // Nudges with p = 0.3 after a log-normal with median 3 h; answers after an
        // exponential with mean 2 h hide most of them.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let delay = LogNormal::new((3.0f64 * 3_600_000.0).ln(), 0.8).unwrap();
        let answer = rand_distr::Exp::new(1.0 / 7_200_000.0).unwrap();
        let (mut observed, mut censored) = (Vec::new(), Vec::new());
        for _ in 0..20_000 {
            let a: f64 = answer.sample(&mut rng);
            let nudges = rng.random_bool(0.3);
            let t: f64 = delay.sample(&mut rng);
            if nudges && t < a {
                observed.push(t as Millis);
            } else {
                censored.push(a as Millis);
            }
        }
        // Counting only what was seen would say p ≈ 0.1.
        let naive = observed.len() as f64 / 20_000.0;
        assert!(naive < 0.2, "{naive}");
        let fit = cure_fit(&observed, &censored).unwrap();
        assert_eq!(fit.family, Family::LogNormal);
        assert!((fit.probability - 0.3).abs() < 0.03, "{fit:?}");
        let median =
            (fit.mean * fit.mean / (fit.mean * fit.mean + fit.sd * fit.sd).sqrt()) / 3_600_000.0;
        assert!((median - 3.0).abs() < 0.3, "median {median} h, {fit:?}");
    }

    #[test]
    fn an_exponential_reaction_is_fitted_as_one_without_the_log_normal_tail() {
        // Returns with p = 0.6 after an exponential with mean 10 min, watched for an hour:
        // a log-normal would read the hour's silences as returns still to come.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8);
        let delay = rand_distr::Exp::new(1.0 / 600_000.0).unwrap();
        let (mut observed, mut censored) = (Vec::new(), Vec::new());
        for _ in 0..10_000 {
            let t: f64 = delay.sample(&mut rng);
            if rng.random_bool(0.6) && t < 3_600_000.0 {
                observed.push(t as Millis);
            } else {
                censored.push(3_600_000);
            }
        }
        let fit = cure_fit(&observed, &censored).unwrap();
        assert_eq!(fit.family, Family::Exponential, "{fit:?}");
        assert!((fit.probability - 0.6).abs() < 0.02, "{fit:?}");
        assert!((fit.mean / 600_000.0 - 1.0).abs() < 0.05, "{fit:?}");
    }
}

//! The grid of a sweep: `KEY=VALUES` specifications, key paths set in the scenario's
//! TOML, a validated scenario per point, and the report of the finished grid.

use crate::metrics::{Metric, MetricRows, catalogue};
use crate::output::OutputFile;
use crate::report::Summary;
use crate::report::charts::ChartError;
use crate::report::sweep::{Axis, SweepView, sweep_outputs};
use crate::scenario::{Scenario, set_key};
use crate::sim::Prepared;

use super::{PairResult, Share, SweepError, VaryProblem};

/// One varied key of a sweep: `KEY=VALUES`.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    pub key: String,
    pub values: Vec<toml::Value>,
    /// The values as written.
    pub labels: Vec<String>,
}

fn value_of(text: &str) -> toml::Value {
    if let Ok(i) = text.parse::<i64>() {
        toml::Value::Integer(i)
    } else if let Ok(f) = text.parse::<f64>() {
        toml::Value::Float(f)
    } else if let Ok(b) = text.parse::<bool>() {
        toml::Value::Boolean(b)
    } else {
        toml::Value::String(text.to_string())
    }
}

impl Vary {
    /// Reads `KEY=VALUES`: a list (`2,4,6`) or an inclusive range (`2..10:2`; the step is 1
    /// when omitted).
    pub fn parse(spec: &str) -> Result<Vary, SweepError> {
        let bad = |problem: VaryProblem| SweepError::Vary {
            spec: spec.to_string(),
            problem,
        };
        let (key, values) = spec
            .split_once('=')
            .ok_or_else(|| bad(VaryProblem::NoEquals))?;
        // Outside brackets a key path is names and dots; inside, an index or an entry's name.
        let mut depth = 0;
        let well_formed = key.chars().all(|c| match c {
            '[' if depth == 0 => {
                depth = 1;
                true
            }
            ']' if depth == 1 => {
                depth = 0;
                true
            }
            '[' | ']' => false,
            _ if depth == 1 => true,
            c => c.is_ascii_alphanumeric() || "_.".contains(c),
        });
        if key.is_empty() || !well_formed || depth != 0 {
            return Err(bad(VaryProblem::NotAKeyPath { key: key.into() }));
        }
        let labels: Vec<String> = if let Some((from, rest)) = values.split_once("..") {
            let (to, step) = rest.split_once(':').unwrap_or((rest, "1"));
            let nums = [from, to, step];
            if nums.iter().all(|t| t.parse::<i64>().is_ok()) {
                let [a, b, s] = nums.map(|t| t.parse::<i64>().unwrap_or_default());
                if s <= 0 {
                    return Err(bad(VaryProblem::StepNotPositive {
                        key: key.into(),
                        step: s.to_string(),
                    }));
                }
                if a > b {
                    return Err(bad(VaryProblem::EmptyRange {
                        key: key.into(),
                        from: a.to_string(),
                        to: b.to_string(),
                    }));
                }
                (0..)
                    .map(|i| a + i * s)
                    .take_while(|v| *v <= b)
                    .take(10_001)
                    .map(|v| v.to_string())
                    .collect()
            } else if let [Ok(a), Ok(b), Ok(s)] = nums.map(|t| t.parse::<f64>()) {
                if !(s > 0.0 && s.is_finite()) {
                    return Err(bad(VaryProblem::StepNotPositive {
                        key: key.into(),
                        step: s.to_string(),
                    }));
                }
                if a > b || !a.is_finite() || !b.is_finite() {
                    return Err(bad(VaryProblem::EmptyRange {
                        key: key.into(),
                        from: a.to_string(),
                        to: b.to_string(),
                    }));
                }
                let n = ((b - a) / s + 1e-9).floor() as usize;
                (0..=n.min(10_000))
                    .map(|i| format!("{}", a + i as f64 * s))
                    .collect()
            } else {
                return Err(bad(VaryProblem::RangeNotNumbers { key: key.into() }));
            }
        } else {
            values.split(',').map(str::to_string).collect()
        };
        if labels.is_empty() || labels.iter().any(String::is_empty) {
            return Err(bad(VaryProblem::EmptyValue { key: key.into() }));
        }
        if labels.len() > 10_000 {
            return Err(bad(VaryProblem::TooManyValues { key: key.into() }));
        }
        Ok(Vary {
            key: key.to_string(),
            values: labels.iter().map(|l| value_of(l)).collect(),
            labels,
        })
    }
}

/// A key path in words for charts: a shift's head count by the shift's (and team's) name,
/// a few common keys by what they mean, the path itself otherwise.
pub fn key_words(key: &str, scenario: &Scenario) -> String {
    let ops = &scenario.operators;
    // The entry `[i]` or `[name]` of `list` whose `name` is given.
    let entry = |inside: &str, names: &[&str]| -> Option<usize> {
        inside
            .parse::<usize>()
            .ok()
            .filter(|i| *i < names.len())
            .or_else(|| names.iter().position(|n| *n == inside))
    };
    let inside = |part: &str| {
        part.split_once('[')
            .and_then(|(_, r)| r.strip_suffix(']'))
            .map(str::to_string)
    };
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        ["operators", shifts, "operators"] if shifts.starts_with("shifts[") => {
            let team = &ops.teams[0];
            let names: Vec<&str> = team.shifts.iter().map(|s| s.name.as_str()).collect();
            if let Some(i) = inside(shifts).and_then(|x| entry(&x, &names)) {
                return format!("operators on the {} shift", names[i]);
            }
        }
        ["operators", teams, shifts, "operators"]
            if teams.starts_with("teams[") && shifts.starts_with("shifts[") =>
        {
            let team_names: Vec<&str> = ops.teams.iter().map(|t| t.name.as_str()).collect();
            if let Some(t) = inside(teams).and_then(|x| entry(&x, &team_names)) {
                let names: Vec<&str> = ops.teams[t]
                    .shifts
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect();
                if let Some(i) = inside(shifts).and_then(|x| entry(&x, &names)) {
                    return format!(
                        "{} team, operators on the {} shift",
                        team_names[t], names[i]
                    );
                }
            }
        }
        ["operators", "concurrency"] => return "conversations per operator".into(),
        ["operators", "routing"] => return "routing".into(),
        ["bots", "window_warning"] => return "window warning, before the window closes".into(),
        ["bots", "no_answer_after"] => return "no-answer reply after".into(),
        _ => {}
    }
    key.to_string()
}

/// A validated sweep: the base scenario, the grid, and a scenario per point.
pub struct Sweep {
    pub name: String,
    /// The base scenario's text, as read.
    pub text: String,
    pub varies: Vec<Vary>,
    /// The value labels of each point, in `varies` order.
    pub points: Vec<Vec<String>>,
    pub prepared: Vec<Prepared>,
    pub replications: u32,
    pub seed: u64,
    /// The folder the scenario's counts files are read from (the scenario file's).
    pub dir: std::path::PathBuf,
}

impl Sweep {
    /// Validates every point of the grid over `text` (a scenario file's text).
    /// `dir` is the scenario file's folder, where its counts files are (if any).
    pub fn new(
        text: &str,
        fallback_name: &str,
        dir: &std::path::Path,
        varies: Vec<Vary>,
        replications: Option<u32>,
        seed: Option<u64>,
    ) -> Result<Sweep, SweepError> {
        if varies.is_empty() {
            return Err(SweepError::NothingVaried);
        }
        for (i, v) in varies.iter().enumerate() {
            if v.key == "report" || v.key.starts_with("report.") {
                return Err(SweepError::ReportVaried { key: v.key.clone() });
            }
            if varies[..i].iter().any(|w| w.key == v.key) {
                return Err(SweepError::VariedTwice { key: v.key.clone() });
            }
        }
        let base: toml::Table = toml::from_str(text).map_err(|e| SweepError::BaseScenario {
            name: fallback_name.to_string(),
            message: e.message().to_string(),
        })?;
        // The grid, first key slowest.
        let mut points: Vec<Vec<usize>> = vec![Vec::new()];
        for v in &varies {
            points = points
                .into_iter()
                .flat_map(|p| (0..v.values.len()).map(move |i| [p.clone(), vec![i]].concat()))
                .collect();
        }
        if points.len() > 100_000 {
            return Err(SweepError::TooManyPoints {
                points: points.len(),
            });
        }
        let mut prepared = Vec::with_capacity(points.len());
        for p in &points {
            let mut table = base.clone();
            for (v, &i) in varies.iter().zip(p) {
                set_key(&mut table, &v.key, v.values[i].clone()).map_err(|problem| {
                    SweepError::KeyPath {
                        key: v.key.clone(),
                        problem,
                    }
                })?;
            }
            let invalid = |source| {
                let point = varies
                    .iter()
                    .zip(p)
                    .map(|(v, &i)| format!("{}={}", v.key, v.labels[i]))
                    .collect::<Vec<_>>()
                    .join(", ");
                SweepError::InvalidPoint { point, source }
            };
            let mut scenario = Scenario::from_table(table, fallback_name).map_err(invalid)?;
            scenario.read_history(dir).map_err(invalid)?;
            if let Some(r) = replications {
                scenario.replications = r;
            }
            if let Some(s) = seed {
                scenario.seed = s;
            }
            prepared.push(Prepared::new(scenario));
        }
        let first = &prepared[0].scenario;
        Ok(Sweep {
            name: first.name.clone(),
            text: text.to_string(),
            replications: first.replications,
            seed: first.seed,
            points: points
                .iter()
                .map(|p| {
                    varies
                        .iter()
                        .zip(p)
                        .map(|(v, &i)| v.labels[i].clone())
                        .collect()
                })
                .collect(),
            varies,
            prepared,
            dir: dir.to_path_buf(),
        })
    }

    /// The metrics of the sweep's results: those of its scenario's report (every point has
    /// the same thresholds: `report` cannot be varied).
    pub fn metrics(&self) -> Vec<Metric> {
        catalogue(&self.prepared[0].scenario.report.service_levels)
    }

    /// The summary of every point of the grid, from the results of all its pairs.
    pub fn point_summaries(&self, results: &[PairResult]) -> Vec<Summary> {
        (0..self.points.len())
            .map(|p| {
                let mut reps: Vec<&PairResult> = results.iter().filter(|r| r.point == p).collect();
                reps.sort_by_key(|r| r.replication);
                let rows: Vec<MetricRows> = reps.iter().map(|r| r.rows.clone()).collect();
                Summary::from_rows(self.metrics(), &rows)
            })
            .collect()
    }

    /// Every file of the finished sweep (`sweep.csv`, charts, `index.html`) from the
    /// results of all its pairs.
    pub fn outputs(&self, results: &[PairResult]) -> Result<Vec<OutputFile>, ChartError> {
        let words: Vec<String> = self
            .varies
            .iter()
            .map(|v| key_words(&v.key, &self.prepared[0].scenario))
            .collect();
        let view = SweepView {
            name: &self.name,
            warns: self
                .prepared
                .iter()
                .any(|p| p.scenario.bots.window_warning.is_some()),
            description: &self.prepared[0].scenario.description,
            varies: self
                .varies
                .iter()
                .zip(&words)
                .map(|(v, words)| Axis {
                    key: &v.key,
                    words,
                    labels: &v.labels,
                })
                .collect(),
            points: &self.points,
            replications: self.replications,
            seed: self.seed,
        };
        sweep_outputs(&view, &self.point_summaries(results))
    }

    /// Every (point, replication) pair, point by point.
    pub fn pairs(&self) -> Vec<(usize, u32)> {
        (0..self.points.len())
            .flat_map(|p| (0..self.replications).map(move |r| (p, r)))
            .collect()
    }

    /// The pairs of a share (all without one).
    pub fn share_pairs(&self, share: Option<Share>) -> Vec<(usize, u32)> {
        self.pairs()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| share.is_none_or(|s| s.holds(*i)))
            .map(|(_, p)| p)
            .collect()
    }

    /// What identifies this sweep: scenario, grid, replications and seed. Shards and
    /// resumed runs must agree on it.
    pub fn identity(&self) -> String {
        let mut id = format!(
            "scenario text fnv1a64 {:016x}\nreplications {}\nseed {}\n",
            fnv1a64(self.text.as_bytes()),
            self.replications,
            self.seed
        );
        for v in &self.varies {
            id.push_str(&format!("vary {}={}\n", v.key, v.labels.join(",")));
        }
        id
    }
}

/// The row labels of a sweep's results: its channels, then `all`.
pub fn row_labels(sweep: &Sweep) -> Vec<String> {
    let mut rows: Vec<String> = sweep.prepared[0]
        .scenario
        .channels
        .iter()
        .map(|c| c.channel.to_string())
        .collect();
    rows.push("all".into());
    rows
}

/// FNV-1a, 64 bits: a stable fingerprint (not a security measure).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_lists() {
        assert_eq!(
            Vary::parse("a=2..10:2").unwrap().labels,
            ["2", "4", "6", "8", "10"]
        );
        assert_eq!(Vary::parse("a=1..3").unwrap().labels, ["1", "2", "3"]);
        assert_eq!(Vary::parse("a=0.1..0.3:0.1").unwrap().labels.len(), 3);
        assert_eq!(
            Vary::parse("a=x,y").unwrap().values,
            [
                toml::Value::String("x".into()),
                toml::Value::String("y".into())
            ]
        );
        for bad in ["a", "=1", "a=", "a=5..2", "a=1..5:0", "a=1,,2", "a b=1"] {
            assert!(Vary::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_are_set_in_tables_and_lists() {
        let mut t: toml::Table =
            toml::from_str("[x]\ny = 1\n[[s]]\nn = 1\n[[s]]\nn = 2\n").unwrap();
        set_key(&mut t, "x.y", toml::Value::Integer(5)).unwrap();
        set_key(&mut t, "s[1].n", toml::Value::Integer(7)).unwrap();
        let mut named: toml::Table = toml::from_str(
            "[[s]]\nname = \"week days\"\nn = 1\n[[s]]\nname = \"weekend\"\nn = 2\n",
        )
        .unwrap();
        set_key(&mut named, "s[weekend].n", toml::Value::Integer(9)).unwrap();
        set_key(&mut named, "s[week days].n", toml::Value::Integer(8)).unwrap();
        assert_eq!(named["s"][1]["n"].as_integer(), Some(9));
        assert_eq!(named["s"][0]["n"].as_integer(), Some(8));
        let missing = set_key(&mut named, "s[night].n", toml::Value::Integer(1)).unwrap_err();
        assert!(missing.contains("week days, weekend"), "{missing}");
        assert_eq!(t["x"]["y"].as_integer(), Some(5));
        assert_eq!(t["s"][1]["n"].as_integer(), Some(7));
        assert!(
            set_key(&mut t, "s[2].n", toml::Value::Integer(7))
                .unwrap_err()
                .contains("[2]")
        );
        assert!(set_key(&mut t, "q[0]", toml::Value::Integer(7)).is_err());
    }
}

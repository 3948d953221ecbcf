//! What-if sweeps: a grid over scenario keys, every point run on the same replications
//! (common random numbers: replication `r` sees the same customers at every point), split
//! into shares for a cluster, resumable, and merged back into exactly what one run writes.
//!
//! ```
//! use replywindow::sweep::Vary;
//! let v = Vary::parse("operators.shifts[1].operators=0..4:2").unwrap();
//! assert_eq!(v.labels, ["0", "2", "4"]);
//! let w = Vary::parse("bots.window_warning=off,30m,1h").unwrap();
//! assert_eq!(w.labels, ["off", "30m", "1h"]);
//! ```

mod results;

pub use results::{PairResult, ResultsFile, read_results};

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::metrics::MetricRows;
use crate::output::OutputFile;
use crate::report::Summary;
use crate::report::charts::ChartError;
use crate::report::sweep::{Axis, SweepView, sweep_outputs};
use crate::scenario::{Scenario, ScenarioError};
use crate::sim::Prepared;

/// A sweep that cannot be run, naming the key or file concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepError(pub String);

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SweepError {}

/// One `--vary KEY=VALUES`.
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
        let bad = |m: String| SweepError(format!("--vary {spec}: {m}"));
        let (key, values) = spec.split_once('=').ok_or_else(|| {
            bad("write it as KEY=VALUES, like operators.concurrency=1,2,3".into())
        })?;
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c))
        {
            return Err(bad(format!(
                "`{key}` is not a key path (like operators.shifts[1].operators)"
            )));
        }
        let labels: Vec<String> = if let Some((from, rest)) = values.split_once("..") {
            let (to, step) = rest.split_once(':').unwrap_or((rest, "1"));
            let nums = [from, to, step];
            if nums.iter().all(|t| t.parse::<i64>().is_ok()) {
                let [a, b, s] = nums.map(|t| t.parse::<i64>().unwrap_or_default());
                if s <= 0 {
                    return Err(bad(format!(
                        "key {key}: the step must be above zero, not {s}"
                    )));
                }
                if a > b {
                    return Err(bad(format!("key {key}: the range {a}..{b} is empty")));
                }
                (0..)
                    .map(|i| a + i * s)
                    .take_while(|v| *v <= b)
                    .take(10_001)
                    .map(|v| v.to_string())
                    .collect()
            } else if let [Ok(a), Ok(b), Ok(s)] = nums.map(|t| t.parse::<f64>()) {
                if !(s > 0.0 && s.is_finite()) {
                    return Err(bad(format!(
                        "key {key}: the step must be above zero, not {s}"
                    )));
                }
                if a > b || !a.is_finite() || !b.is_finite() {
                    return Err(bad(format!("key {key}: the range {a}..{b} is empty")));
                }
                let n = ((b - a) / s + 1e-9).floor() as usize;
                (0..=n.min(10_000))
                    .map(|i| format!("{}", a + i as f64 * s))
                    .collect()
            } else {
                return Err(bad(format!(
                    "key {key}: a range is FROM..TO[:STEP] with numbers"
                )));
            }
        } else {
            values.split(',').map(str::to_string).collect()
        };
        if labels.is_empty() || labels.iter().any(String::is_empty) {
            return Err(bad(format!("key {key}: no values, or an empty one")));
        }
        if labels.len() > 10_000 {
            return Err(bad(format!("key {key}: more than 10000 values")));
        }
        Ok(Vary {
            key: key.to_string(),
            values: labels.iter().map(|l| value_of(l)).collect(),
            labels,
        })
    }
}

/// Sets `key` (a path like `operators.shifts[1].operators`) in `table`.
pub fn set_key(table: &mut toml::Table, key: &str, value: toml::Value) -> Result<(), String> {
    let parts: Vec<&str> = key.split('.').collect();
    let mut here: &mut toml::Table = table;
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let (name, index) = match part.split_once('[') {
            Some((name, rest)) => {
                let idx = rest
                    .strip_suffix(']')
                    .and_then(|n| n.parse::<usize>().ok())
                    .ok_or_else(|| format!("`{part}` is not NAME[INDEX]"))?;
                (name, Some(idx))
            }
            None => (*part, None),
        };
        match index {
            None if last => {
                here.insert(name.to_string(), value);
                return Ok(());
            }
            None => {
                let entry = here
                    .entry(name.to_string())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                here = entry
                    .as_table_mut()
                    .ok_or_else(|| format!("`{name}` is not a table"))?;
            }
            Some(idx) => {
                let array = here
                    .get_mut(name)
                    .and_then(toml::Value::as_array_mut)
                    .ok_or_else(|| format!("the scenario has no list `{name}`"))?;
                let len = array.len();
                let slot = array.get_mut(idx).ok_or_else(|| {
                    format!("`{name}` has {len} entries, so [{idx}] does not exist")
                })?;
                if last {
                    *slot = value;
                    return Ok(());
                }
                here = slot
                    .as_table_mut()
                    .ok_or_else(|| format!("`{name}[{idx}]` is not a table"))?;
            }
        }
    }
    Ok(())
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
}

/// A share of the work: `k` of `n`, `k` from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    pub k: u32,
    pub n: u32,
}

impl Share {
    /// Reads `K/N`.
    pub fn parse(text: &str) -> Result<Share, SweepError> {
        let bad = || {
            SweepError(format!(
                "--shard {text}: write it as K/N with 1 <= K <= N, like 2/3"
            ))
        };
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (k, n) = (
            k.parse::<u32>().map_err(|_| bad())?,
            n.parse::<u32>().map_err(|_| bad())?,
        );
        if k == 0 || k > n {
            return Err(bad());
        }
        Ok(Share { k, n })
    }

    /// True when the `i`th (point, replication) pair is in this share.
    pub fn holds(&self, i: usize) -> bool {
        i % self.n as usize == (self.k - 1) as usize
    }
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// The share given by the environment: a Slurm job array (`SLURM_ARRAY_TASK_ID`,
/// `SLURM_ARRAY_TASK_COUNT`, `SLURM_ARRAY_TASK_MIN`) or a Kubernetes Indexed Job
/// (`JOB_COMPLETION_INDEX` with `shards`).
pub fn share_from_env(
    get: impl Fn(&str) -> Option<String>,
    shards: Option<u32>,
) -> Result<Option<Share>, SweepError> {
    let num = |name: &str| -> Result<Option<u32>, SweepError> {
        get(name)
            .map(|v| {
                v.trim().parse::<u32>().map_err(|_| {
                    SweepError(format!(
                        "the environment variable {name}={v} is not a whole number"
                    ))
                })
            })
            .transpose()
    };
    if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
        let n = num("SLURM_ARRAY_TASK_COUNT")?.ok_or_else(|| {
            SweepError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not".into())
        })?;
        let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let k = id
            .checked_sub(min)
            .map(|i| i + 1)
            .filter(|k| *k >= 1 && *k <= n)
            .ok_or_else(|| {
                SweepError(format!(
                    "SLURM_ARRAY_TASK_ID={id} is outside the array ({min} to {})",
                    min + n.saturating_sub(1)
                ))
            })?;
        return Ok(Some(Share { k, n }));
    }
    if let Some(index) = num("JOB_COMPLETION_INDEX")? {
        let n = shards.ok_or_else(|| {
            SweepError(
                "JOB_COMPLETION_INDEX is set: give the job's completions as --shards N".into(),
            )
        })?;
        if index >= n {
            return Err(SweepError(format!(
                "JOB_COMPLETION_INDEX={index} is not below --shards {n}"
            )));
        }
        return Ok(Some(Share { k: index + 1, n }));
    }
    if let Some(n) = shards {
        return Err(SweepError(format!(
            "--shards {n} needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); elsewhere use --shard K/N"
        )));
    }
    Ok(None)
}

impl Sweep {
    /// Validates every point of the grid over `text` (a scenario file's text).
    pub fn new(
        text: &str,
        fallback_name: &str,
        varies: Vec<Vary>,
        replications: Option<u32>,
        seed: Option<u64>,
    ) -> Result<Sweep, SweepError> {
        if varies.is_empty() {
            return Err(SweepError("give at least one --vary KEY=VALUES".into()));
        }
        for (i, v) in varies.iter().enumerate() {
            if varies[..i].iter().any(|w| w.key == v.key) {
                return Err(SweepError(format!(
                    "--vary {}: the key is varied twice",
                    v.key
                )));
            }
        }
        let base: toml::Table = toml::from_str(text)
            .map_err(|e| SweepError(format!("{fallback_name}: {}", e.message())))?;
        // The grid, first key slowest.
        let mut points: Vec<Vec<usize>> = vec![Vec::new()];
        for v in &varies {
            points = points
                .into_iter()
                .flat_map(|p| (0..v.values.len()).map(move |i| [p.clone(), vec![i]].concat()))
                .collect();
        }
        if points.len() > 100_000 {
            return Err(SweepError(format!(
                "the grid has {} points; at most 100000",
                points.len()
            )));
        }
        let mut prepared = Vec::with_capacity(points.len());
        for p in &points {
            let mut table = base.clone();
            for (v, &i) in varies.iter().zip(p) {
                set_key(&mut table, &v.key, v.values[i].clone())
                    .map_err(|e| SweepError(format!("--vary {}: {e}", v.key)))?;
            }
            let mut scenario =
                Scenario::from_table(table, fallback_name).map_err(|e: ScenarioError| {
                    let key = varies
                        .iter()
                        .zip(p)
                        .map(|(v, &i)| format!("{}={}", v.key, v.labels[i]))
                        .collect::<Vec<_>>()
                        .join(", ");
                    SweepError(format!("--vary {key}: {e}"))
                })?;
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
        })
    }

    /// The summary of every point of the grid, from the results of all its pairs.
    pub fn point_summaries(&self, results: &[PairResult]) -> Vec<Summary> {
        (0..self.points.len())
            .map(|p| {
                let mut reps: Vec<&PairResult> = results.iter().filter(|r| r.point == p).collect();
                reps.sort_by_key(|r| r.replication);
                let rows: Vec<MetricRows> = reps.iter().map(|r| r.rows.clone()).collect();
                Summary::from_rows(&rows)
            })
            .collect()
    }

    /// Every file of the finished sweep (`sweep.csv`, charts, `index.html`) from the
    /// results of all its pairs.
    pub fn outputs(&self, results: &[PairResult]) -> Result<Vec<OutputFile>, ChartError> {
        let view = SweepView {
            name: &self.name,
            description: &self.prepared[0].scenario.description,
            varies: self
                .varies
                .iter()
                .map(|v| Axis {
                    key: &v.key,
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

/// `sweep.toml` in a sweep's folder: what the sweep is, so a resumed run or `merge` can
/// check that results belong together and rebuild the sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepRecord {
    pub identity: String,
    pub share: Option<String>,
    pub fallback_name: String,
    pub varies: Vec<String>,
    pub replications: u32,
    pub seed: u64,
    pub scenario: String,
}

/// The file name of the record.
pub const RECORD: &str = "sweep.toml";

impl SweepRecord {
    /// The record of `sweep` run as `share`.
    pub fn of(sweep: &Sweep, fallback_name: &str, share: Option<Share>) -> SweepRecord {
        SweepRecord {
            identity: sweep.identity(),
            share: share.map(|s| s.to_string()),
            fallback_name: fallback_name.to_string(),
            varies: sweep
                .varies
                .iter()
                .map(|v| format!("{}={}", v.key, v.labels.join(",")))
                .collect(),
            replications: sweep.replications,
            seed: sweep.seed,
            scenario: sweep.text.clone(),
        }
    }

    /// Reads `dir/sweep.toml`, if there is one.
    pub fn read(dir: &Path) -> Result<Option<SweepRecord>, SweepError> {
        let path = dir.join(RECORD);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map(Some).map_err(|e| {
                SweepError(format!(
                    "{}: not a sweep record ({})",
                    path.display(),
                    e.message()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SweepError(format!("{}: {e}", path.display()))),
        }
    }

    /// The sweep this record describes.
    pub fn rebuild(&self) -> Result<Sweep, SweepError> {
        let varies = self
            .varies
            .iter()
            .map(|v| Vary::parse(v))
            .collect::<Result<Vec<_>, _>>()?;
        Sweep::new(
            &self.scenario,
            &self.fallback_name,
            varies,
            Some(self.replications),
            Some(self.seed),
        )
    }

    /// The share, if the record is of one.
    pub fn share(&self) -> Result<Option<Share>, SweepError> {
        self.share.as_deref().map(Share::parse).transpose()
    }
}

/// Where a sweep writes: `out`, or for a share `out/shard-K-of-N`.
pub fn share_dir(out: &Path, share: Option<Share>) -> PathBuf {
    match share {
        Some(s) => out.join(format!("shard-{}-of-{}", s.k, s.n)),
        None => out.to_path_buf(),
    }
}

/// What [`execute`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Pairs of this run's share already done before it started.
    pub resumed: usize,
    /// Pairs run now.
    pub ran: usize,
    /// Pairs of the share in all.
    pub total: usize,
}

/// Runs the pairs of `share` not yet in `dir`, appending each result as it finishes.
/// `done` is called once per pair run (for a progress bar).
pub fn execute(
    sweep: &Sweep,
    fallback_name: &str,
    dir: &Path,
    share: Option<Share>,
    threads: usize,
    done: &(dyn Fn() + Sync),
) -> Result<Outcome, SweepError> {
    use rayon::prelude::*;
    let io = |e: std::io::Error| SweepError(format!("{}: {e}", dir.display()));
    let record = SweepRecord::of(sweep, fallback_name, share);
    match SweepRecord::read(dir)? {
        Some(old) if old.identity != record.identity || old.share != record.share => {
            return Err(SweepError(format!(
                "{} holds results of another sweep (another scenario, grid, seed, replications or share):                  give another --out, or remove the folder",
                dir.display()
            )));
        }
        Some(_) => {}
        None => {
            std::fs::create_dir_all(dir).map_err(io)?;
            let text = toml::to_string(&record).map_err(|e| SweepError(e.to_string()))?;
            crate::output::write_atomically(&dir.join(RECORD), text.as_bytes()).map_err(io)?;
        }
    }
    let rows = row_labels(sweep);
    let finished: std::collections::BTreeSet<(usize, u32)> = read_results(dir, &rows)?
        .into_iter()
        .map(|r| (r.point, r.replication))
        .collect();
    let mine = sweep.share_pairs(share);
    let pending: Vec<(usize, u32)> = mine
        .iter()
        .copied()
        .filter(|p| !finished.contains(p))
        .collect();
    let resumed = mine.len() - pending.len();
    let file = std::sync::Mutex::new(ResultsFile::open(dir).map_err(io)?);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| SweepError(e.to_string()))?;
    pool.install(|| {
        pending.par_iter().try_for_each(|&(point, replication)| {
            let r = crate::sim::run_replication(&sweep.prepared[point], replication, false);
            let result = PairResult {
                point,
                replication,
                rows: r.metrics.rows(),
            };
            let mut f = file
                .lock()
                .map_err(|_| SweepError("a worker thread failed".into()))?;
            f.append(&result).map_err(io)?;
            done();
            Ok(())
        })
    })?;
    Ok(Outcome {
        resumed,
        ran: pending.len(),
        total: mine.len(),
    })
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

/// Every result of a finished sweep in `dir`, or an error saying how many pairs are missing.
pub fn complete_results(sweep: &Sweep, dirs: &[PathBuf]) -> Result<Vec<PairResult>, SweepError> {
    let rows = row_labels(sweep);
    let mut all: std::collections::BTreeMap<(usize, u32), PairResult> = Default::default();
    for d in dirs {
        for r in read_results(d, &rows)? {
            all.insert((r.point, r.replication), r);
        }
    }
    let missing = sweep
        .pairs()
        .into_iter()
        .filter(|p| !all.contains_key(p))
        .count();
    if missing > 0 {
        return Err(SweepError(format!(
            "{missing} of {} (point, replication) pairs have no result yet: the results are incomplete",
            sweep.pairs().len()
        )));
    }
    Ok(all.into_values().collect())
}

/// Checks that `dirs` are the shares of one sweep, all present, and returns the sweep with
/// all its results.
pub fn merge(dirs: &[PathBuf]) -> Result<(Sweep, Vec<PairResult>), SweepError> {
    let mut records = Vec::new();
    for d in dirs {
        let r = SweepRecord::read(d)?.ok_or_else(|| {
            SweepError(format!("{}: no {RECORD}: not a sweep folder", d.display()))
        })?;
        records.push((d, r));
    }
    let Some((first_dir, first)) = records.first() else {
        return Err(SweepError("give the shard folders to merge".into()));
    };
    let mut seen = std::collections::BTreeMap::new();
    let mut n_all = None;
    for (d, r) in &records {
        if r.identity != first.identity {
            return Err(SweepError(format!(
                "{} comes from another sweep than {} (another scenario, grid, seed or replications)",
                d.display(),
                first_dir.display()
            )));
        }
        let share = r
            .share()?
            .ok_or_else(|| SweepError(format!("{} is a whole sweep, not a share", d.display())))?;
        if *n_all.get_or_insert(share.n) != share.n {
            return Err(SweepError(format!(
                "{} is share {share}, but other shares are of {}",
                d.display(),
                n_all.unwrap_or(0)
            )));
        }
        if let Some(other) = seen.insert(share.k, d.display().to_string()) {
            return Err(SweepError(format!(
                "share {share} is given twice: {other} and {}",
                d.display()
            )));
        }
    }
    let n = n_all.unwrap_or(0);
    let missing: Vec<String> = (1..=n)
        .filter(|k| !seen.contains_key(k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(SweepError(format!(
            "share {} is missing",
            missing.join(", ")
        )));
    }
    let sweep = first.rebuild()?;
    let dirs: Vec<PathBuf> = records.iter().map(|(d, _)| d.to_path_buf()).collect();
    let results = complete_results(&sweep, &dirs)?;
    Ok((sweep, results))
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
        assert_eq!(t["x"]["y"].as_integer(), Some(5));
        assert_eq!(t["s"][1]["n"].as_integer(), Some(7));
        assert!(
            set_key(&mut t, "s[2].n", toml::Value::Integer(7))
                .unwrap_err()
                .contains("[2]")
        );
        assert!(set_key(&mut t, "q[0]", toml::Value::Integer(7)).is_err());
    }

    #[test]
    fn shares_from_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(share_from_env(env(&[]), None), Ok(None));
        assert_eq!(
            share_from_env(
                env(&[
                    ("SLURM_ARRAY_TASK_ID", "1"),
                    ("SLURM_ARRAY_TASK_COUNT", "3"),
                    ("SLURM_ARRAY_TASK_MIN", "1")
                ]),
                None
            ),
            Ok(Some(Share { k: 1, n: 3 }))
        );
        assert_eq!(
            share_from_env(
                env(&[
                    ("SLURM_ARRAY_TASK_ID", "2"),
                    ("SLURM_ARRAY_TASK_COUNT", "3")
                ]),
                None
            ),
            Ok(Some(Share { k: 3, n: 3 }))
        );
        assert_eq!(
            share_from_env(env(&[("JOB_COMPLETION_INDEX", "0")]), Some(3)),
            Ok(Some(Share { k: 1, n: 3 }))
        );
        assert!(share_from_env(env(&[("JOB_COMPLETION_INDEX", "3")]), Some(3)).is_err());
        assert!(share_from_env(env(&[("JOB_COMPLETION_INDEX", "0")]), None).is_err());
        assert!(share_from_env(env(&[("SLURM_ARRAY_TASK_ID", "0")]), None).is_err());
    }
}

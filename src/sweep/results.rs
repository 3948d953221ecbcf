//! The results of finished (point, replication) pairs, appended to `results.csv` as they
//! finish, so an interrupted sweep resumes where it stopped and shards can be merged.
//!
//! One line per pair and row: `point,replication,row,<metric values>`; values are written
//! in Rust's shortest round-trip form, so reading them back gives the same bits and a
//! merged sweep the same bytes as one run.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::SweepError;
use crate::metrics::{Metric, MetricRows};

/// The metric rows of one (point, replication) pair.
#[derive(Clone, Debug, PartialEq)]
pub struct PairResult {
    pub point: usize,
    pub replication: u32,
    pub rows: MetricRows,
}

/// `results.csv`, open for appending.
pub struct ResultsFile {
    path: PathBuf,
    file: std::fs::File,
}

fn header(metrics: &[Metric]) -> String {
    let mut h = String::from("point,replication,row");
    for m in metrics {
        h.push(',');
        h.push_str(&m.name);
    }
    h.push('\n');
    h
}

impl ResultsFile {
    /// Opens `dir/results.csv` for appending, writing its header when it is new.
    /// `metrics` name the columns ([`crate::metrics::catalogue`] of the sweep).
    pub fn open(dir: &Path, metrics: &[Metric]) -> io::Result<ResultsFile> {
        let path = dir.join("results.csv");
        let fresh = !path.exists();
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        if fresh {
            file.write_all(header(metrics).as_bytes())?;
        } else {
            // A line cut short by an interruption is ended, so the next one starts clean.
            let text = std::fs::read(&path)?;
            if text.last().is_some_and(|b| *b != b'\n') {
                file.write_all(b"\n")?;
            }
        }
        file.flush()?;
        Ok(ResultsFile { path, file })
    }

    /// Appends one pair's rows in a single write, then flushes.
    pub fn append(&mut self, r: &PairResult) -> io::Result<()> {
        let mut buf = String::new();
        for (row, values) in &r.rows {
            buf.push_str(&format!("{},{},{row}", r.point, r.replication));
            for v in values {
                buf.push(',');
                if let Some(v) = v {
                    buf.push_str(&v.to_string());
                }
            }
            buf.push('\n');
        }
        self.file.write_all(buf.as_bytes())?;
        self.file.flush()
    }

    /// Where the results are.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The complete pairs in `dir/results.csv` (a pair is complete with all `rows` rows);
/// lines cut short by an interruption are ignored.
pub fn read_results(
    dir: &Path,
    rows: &[String],
    metrics: &[Metric],
) -> Result<Vec<PairResult>, SweepError> {
    let path = dir.join("results.csv");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(SweepError::io(&path, &e)),
    };
    let mut lines: Vec<&str> = text.split('\n').collect();
    // The last piece is empty after a final newline, or a line cut short.
    lines.pop();
    if lines.first() != Some(&header(metrics).trim_end()) {
        return Err(SweepError::NotResults { path });
    }
    // (point, replication) -> row label -> metric values.
    type Rows = BTreeMap<String, Vec<Option<f64>>>;
    let mut pairs: BTreeMap<(usize, u32), Rows> = BTreeMap::new();
    for (n, line) in lines.iter().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 3 + metrics.len() {
            // An interrupted write, ended by the next run: not a result.
            continue;
        }
        let bad = || SweepError::NotAResult {
            path: path.clone(),
            line: n + 1,
            text: line.to_string(),
        };
        let point = f[0].parse::<usize>().map_err(|_| bad())?;
        let replication = f[1].parse::<u32>().map_err(|_| bad())?;
        let values = f[3..]
            .iter()
            .map(|v| {
                if v.is_empty() {
                    Ok(None)
                } else {
                    v.parse::<f64>().map(Some).map_err(|_| bad())
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        pairs
            .entry((point, replication))
            .or_default()
            .insert(f[2].to_string(), values);
    }
    Ok(pairs
        .into_iter()
        .filter_map(|((point, replication), mut by_row)| {
            let ordered: Option<MetricRows> = rows
                .iter()
                .map(|r| by_row.remove(r).map(|v| (r.clone(), v)))
                .collect();
            ordered.map(|rows| PairResult {
                point,
                replication,
                rows,
            })
        })
        .collect())
}

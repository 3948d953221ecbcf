//! Running a sweep's pairs (resumable), collecting complete results, merging shares.

use std::path::{Path, PathBuf};

use super::{
    PairResult, RECORD, ResultsFile, Share, Sweep, SweepError, SweepRecord, read_results,
    row_labels,
};

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
    let io = |e: std::io::Error| SweepError::io(dir, &e);
    let record = SweepRecord::of(sweep, fallback_name, share);
    match SweepRecord::read(dir)? {
        Some(old) if old.identity != record.identity || old.share != record.share => {
            return Err(SweepError::OtherSweep {
                dir: dir.to_path_buf(),
            });
        }
        Some(_) => {}
        None => {
            std::fs::create_dir_all(dir).map_err(io)?;
            let text = toml::to_string(&record).map_err(|e| SweepError::Io {
                path: dir.join(RECORD),
                message: e.to_string(),
            })?;
            crate::output::write_atomically(&dir.join(RECORD), text.as_bytes()).map_err(io)?;
        }
    }
    let rows = row_labels(sweep);
    let finished: std::collections::BTreeSet<(usize, u32)> =
        read_results(dir, &rows, &sweep.metrics())?
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
    let file = std::sync::Mutex::new(ResultsFile::open(dir, &sweep.metrics()).map_err(io)?);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| SweepError::Threads {
            threads,
            message: e.to_string(),
        })?;
    pool.install(|| {
        pending.par_iter().try_for_each(|&(point, replication)| {
            let r = crate::sim::run_replication(&sweep.prepared[point], replication, false);
            let result = PairResult {
                point,
                replication,
                rows: r.metrics.rows(),
            };
            let mut f = file.lock().map_err(|_| SweepError::WorkerFailed)?;
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

/// Every result of a finished sweep in `dir`, or an error saying how many pairs are missing.
pub fn complete_results(sweep: &Sweep, dirs: &[PathBuf]) -> Result<Vec<PairResult>, SweepError> {
    let rows = row_labels(sweep);
    let mut all: std::collections::BTreeMap<(usize, u32), PairResult> = Default::default();
    for d in dirs {
        for r in read_results(d, &rows, &sweep.metrics())? {
            all.insert((r.point, r.replication), r);
        }
    }
    let missing = sweep
        .pairs()
        .into_iter()
        .filter(|p| !all.contains_key(p))
        .count();
    if missing > 0 {
        return Err(SweepError::Incomplete {
            missing,
            total: sweep.pairs().len(),
        });
    }
    Ok(all.into_values().collect())
}

/// Checks that `dirs` are the shares of one sweep, all present, and returns the sweep with
/// all its results.
pub fn merge(dirs: &[PathBuf]) -> Result<(Sweep, Vec<PairResult>), SweepError> {
    let mut records = Vec::new();
    for d in dirs {
        let r =
            SweepRecord::read(d)?.ok_or_else(|| SweepError::NotASweepFolder { dir: d.clone() })?;
        records.push((d, r));
    }
    let Some((first_dir, first)) = records.first() else {
        return Err(SweepError::NoShares);
    };
    let mut seen = std::collections::BTreeMap::new();
    let mut n_all = None;
    for (d, r) in &records {
        if r.identity != first.identity {
            return Err(SweepError::MergeOtherSweep {
                dir: d.to_path_buf(),
                first: first_dir.to_path_buf(),
            });
        }
        let share = r.share()?.ok_or_else(|| SweepError::WholeSweep {
            dir: d.to_path_buf(),
        })?;
        if *n_all.get_or_insert(share.n) != share.n {
            return Err(SweepError::ShareCountMismatch {
                dir: d.to_path_buf(),
                share,
                n: n_all.unwrap_or(0),
            });
        }
        if let Some(other) = seen.insert(share.k, d.to_path_buf()) {
            return Err(SweepError::ShareTwice {
                share,
                first: other,
                second: d.to_path_buf(),
            });
        }
    }
    let n = n_all.unwrap_or(0);
    let missing: Vec<String> = (1..=n)
        .filter(|k| !seen.contains_key(k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(SweepError::SharesMissing { shares: missing });
    }
    let sweep = first.rebuild()?;
    let dirs: Vec<PathBuf> = records.iter().map(|(d, _)| d.to_path_buf()).collect();
    let results = complete_results(&sweep, &dirs)?;
    Ok((sweep, results))
}

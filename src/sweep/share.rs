//! Shares of a sweep for a cluster: `K/N` given by hand, by a Slurm job array or by a
//! Kubernetes Indexed Job, and the folder each share writes into.

use std::fmt;
use std::path::{Path, PathBuf};

use super::SweepError;

/// A share of the work: `k` of `n`, `k` from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    pub k: u32,
    pub n: u32,
}

impl Share {
    /// Reads `K/N`.
    pub fn parse(text: &str) -> Result<Share, SweepError> {
        let bad = || SweepError::Share {
            text: text.to_string(),
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
                v.trim()
                    .parse::<u32>()
                    .map_err(|_| SweepError::NotAWholeNumber {
                        variable: name.to_string(),
                        value: v.clone(),
                    })
            })
            .transpose()
    };
    if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
        let n = num("SLURM_ARRAY_TASK_COUNT")?.ok_or(SweepError::SlurmCountMissing)?;
        let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let k = id
            .checked_sub(min)
            .map(|i| i + 1)
            .filter(|k| *k >= 1 && *k <= n)
            .ok_or(SweepError::SlurmIdOutside {
                id,
                min,
                max: min + n.saturating_sub(1),
            })?;
        return Ok(Some(Share { k, n }));
    }
    if let Some(index) = num("JOB_COMPLETION_INDEX")? {
        let n = shards.ok_or(SweepError::IndexedJobWithoutShards)?;
        if index >= n {
            return Err(SweepError::IndexNotBelowShards { index, shares: n });
        }
        return Ok(Some(Share { k: index + 1, n }));
    }
    if let Some(n) = shards {
        return Err(SweepError::SharesWithoutIndex { shares: n });
    }
    Ok(None)
}

/// Where a sweep writes: `out`, or for a share `out/shard-K-of-N`.
pub fn share_dir(out: &Path, share: Option<Share>) -> PathBuf {
    match share {
        Some(s) => out.join(format!("shard-{}-of-{}", s.k, s.n)),
        None => out.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

//! `sweep.toml`: the record of what a sweep is, kept in its folder.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Share, Sweep, SweepError, Vary};

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
    /// The folder the scenario's counts files are read from.
    #[serde(default)]
    pub dir: String,
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
            dir: sweep.dir.display().to_string(),
        }
    }

    /// Reads `dir/sweep.toml`, if there is one.
    pub fn read(dir: &Path) -> Result<Option<SweepRecord>, SweepError> {
        let path = dir.join(RECORD);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .map(Some)
                .map_err(|e| SweepError::NotARecord {
                    path: path.clone(),
                    message: e.message().to_string(),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SweepError::io(&path, &e)),
        }
    }

    /// The sweep this record describes.
    pub fn rebuild(&self) -> Result<Sweep, SweepError> {
        let varies = self
            .varies
            .iter()
            .map(|v| Vary::parse(v))
            .collect::<Result<Vec<_>, _>>()?;
        let dir = if self.dir.is_empty() { "." } else { &self.dir };
        Sweep::new(
            &self.scenario,
            &self.fallback_name,
            Path::new(dir),
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

//! The discrete-event simulator.
//!
//! A [`Prepared`] scenario holds what every replication shares (the local hours of the run
//! and the shift calendar). Each replication runs on its own seeded random streams, derived
//! from (scenario seed, replication, purpose) and never from a thread, so results are the
//! same whatever the number of threads. Separate streams per purpose (arrivals per channel,
//! each customer's behaviour, operators) give common random numbers: replication `r` sees
//! the same customers at every staffing level.
//!
//! ```
//! use replywindow::scenario::Scenario;
//! use replywindow::sim::{Prepared, RunOptions, simulate};
//!
//! let mut scenario = Scenario::default_scenario().unwrap();
//! scenario.horizon = 14 * replywindow::time::DAY;
//! scenario.replications = 2;
//! let run = simulate(&Prepared::new(scenario), &RunOptions::default()).unwrap();
//! assert_eq!(run.replications.len(), 2);
//! assert!(run.events > 0);
//! ```

mod events;
mod model;

pub use events::EventList;
pub use model::{Replication, bucket_width, short};

use crate::scenario::Scenario;
use crate::scenario::week::{LocalHours, ShiftChange, shift_calendar};
use crate::trace::TraceRecord;

/// The random streams of a replication: one per purpose.
pub mod streams {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Arrivals of channel slot `c` use `ARRIVALS + c`.
    pub const ARRIVALS: u64 = 0x10;
    /// The seeds of the customers of channel slot `c` use `CUSTOMERS + c`.
    pub const CUSTOMERS: u64 = 0x20;
    /// Operators' handle times and content.
    pub const OPERATORS: u64 = 0x30;

    /// The stream for (seed, replication, purpose).
    pub fn rng(seed: u64, replication: u32, purpose: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream((u64::from(replication) << 16) | purpose);
        rng
    }
}

/// A scenario with what its replications share.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub scenario: Scenario,
    pub hours: LocalHours,
    pub shifts: Vec<ShiftChange>,
    /// Per channel slot and local hour of the run: the calendar's arrival factor (empty
    /// without a calendar).
    pub arrival_factors: Vec<Vec<f64>>,
}

impl Prepared {
    /// Computes the local hours and shift calendar of the run.
    pub fn new(scenario: Scenario) -> Prepared {
        let (tz, start, end) = (scenario.time_zone, scenario.start, scenario.end());
        let hours = LocalHours::build(tz, start, end);
        let shape: Vec<_> = scenario
            .operators
            .shifts()
            .map(|(_, s)| (s.days, s.start, s.end))
            .collect();
        let shifts = shift_calendar(tz, &shape, start, end, &scenario.closed());
        // The calendar's factor on each channel's arrivals, local hour by local hour (empty
        // without a calendar: every factor is 1).
        let arrival_factors = if scenario.calendar.is_empty() {
            Vec::new()
        } else {
            scenario
                .channels
                .iter()
                .map(|c| {
                    hours
                        .starts
                        .iter()
                        .map(|&at| scenario.arrival_factor(c.channel, at))
                        .collect()
                })
                .collect()
        };
        Prepared {
            scenario,
            hours,
            shifts,
            arrival_factors,
        }
    }
}

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Keep the trace of this replication.
    pub trace: Option<u32>,
    /// Run only these replications (all when `None`).
    pub only: Option<Vec<u32>>,
}

/// All replications of a run, in replication order.
pub struct Run {
    /// (replication index, its result)
    pub replications: Vec<(u32, Replication)>,
    /// Conversations simulated, warm-up included.
    pub customers: u64,
    pub events: u64,
    pub peak_events: usize,
    pub threads: usize,
    pub wall: std::time::Duration,
}

impl Run {
    /// The trace kept, if one was asked for.
    pub fn trace(&self) -> Option<&[TraceRecord]> {
        self.replications
            .iter()
            .find_map(|(_, r)| r.trace.as_deref())
    }
}

/// A run that could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot start {threads} worker threads: {reason}")]
    Threads { threads: usize, reason: String },
    #[error(
        "the trace of replication {replication} was asked for, but there are only {replications} replications (counted from 0)"
    )]
    TraceOutOfRange { replication: u32, replications: u32 },
}

/// Runs one replication on the calling thread.
pub fn run_replication(p: &Prepared, replication: u32, trace: bool) -> Replication {
    model::run(p, replication, trace)
}

/// Runs the replications in parallel; results are collected in replication order.
pub fn simulate(p: &Prepared, options: &RunOptions) -> Result<Run, SimError> {
    simulate_with(p, options, &|_| {})
}

/// [`simulate`], calling `done` as each replication finishes (from worker threads).
pub fn simulate_with(
    p: &Prepared,
    options: &RunOptions,
    done: &(dyn Fn(u32) + Sync),
) -> Result<Run, SimError> {
    use rayon::prelude::*;
    let n = p.scenario.replications;
    if let Some(r) = options.trace {
        if r >= n {
            return Err(SimError::TraceOutOfRange {
                replication: r,
                replications: n,
            });
        }
    }
    let which: Vec<u32> = options.only.clone().unwrap_or_else(|| (0..n).collect());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .map_err(|e| SimError::Threads {
            threads: options.threads,
            reason: e.to_string(),
        })?;
    let started = std::time::Instant::now();
    let replications: Vec<(u32, Replication)> = pool.install(|| {
        which
            .par_iter()
            .map(|&r| {
                let result = model::run(p, r, options.trace == Some(r));
                done(r);
                (r, result)
            })
            .collect()
    });
    let wall = started.elapsed();
    let events = replications.iter().map(|(_, r)| r.events).sum();
    let customers = replications.iter().map(|(_, r)| r.customers).sum();
    let peak_events = replications
        .iter()
        .map(|(_, r)| r.peak_events)
        .max()
        .unwrap_or(0);
    Ok(Run {
        replications,
        customers,
        events,
        peak_events,
        threads: pool.current_num_threads(),
        wall,
    })
}

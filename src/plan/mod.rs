//! `plan`: the least costly staffing whose simulated replications meet every target with
//! confidence.
//!
//! The method (simulation-based staffing, as in Atlason, Epelman and Henderson):
//!
//! 1. an analytic start: the offered load of each hour of the week (arrivals, the requests
//!    a conversation brings, handle time, concurrency) gives a lower bound on the operators
//!    each hour needs, covered by the cheapest shifts;
//! 2. a simulation search with common random numbers (every staffing sees the same
//!    replications, the same customers): add an operator where it buys the most target per
//!    unit of cost until every target holds, then remove wherever the targets still hold;
//! 3. a target holds when the one-sided confidence bound of its metric over the
//!    replications is on the right side of its value;
//! 4. validation on fresh replications (another seed): a target that fails there sends the
//!    search on with twice the replications. Choosing and confirming on the same sample is
//!    optimistic; the plan is reported on the fresh one.
//!
//! ```no_run
//! use replywindow::plan::{PlanOptions, Target, plan};
//! use replywindow::scenario::Scenario;
//!
//! let scenario = Scenario::default_scenario().unwrap();
//! let targets = vec![Target::parse("unanswered_rate <= 2%").unwrap()];
//! let outcome = plan(&scenario, &targets, &PlanOptions::default(), &|_| {}).unwrap();
//! println!("weekly cost {}", outcome.chosen.cost);
//! ```

mod outputs;
mod search;
mod target;

pub use outputs::{plan_files, planned_toml};
pub use search::{Evaluation, PlanOptions, PlanOutcome, PlannedShift, Staffing, plan};
pub use target::{Check, Rows, Target, checks, show};

/// A plan that cannot be made, naming the target, shift or value concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("target {target} (`{place}`): {problem}")]
    Target {
        target: String,
        place: String,
        problem: String,
    },
    #[error("no target: give targets in the scenario ([[targets]]) or on the command line")]
    NoTargets,
    #[error("the confidence {0} is not between 0.5 and 1 (like 0.95)")]
    Confidence(String),
    #[error("{replications} replications: a plan needs at least 2 to bound its estimates")]
    Replications { replications: u32 },
    #[error("target {target}: no channel with traffic is {channel}")]
    NoSuchChannel { target: String, channel: String },
    #[error("cannot run the simulation: {0}")]
    Simulation(String),
}

//! # replywindow
//!
//! Meta's messaging rules for WhatsApp, Facebook Messenger and Instagram Direct, made
//! measurable.
//!
//! The flow, and the one-way layers (`docs/ARCHITECTURE.md` has the whole map):
//!
//! ```text
//! scenario ─► sim ─► rules (a verdict for every business message) ─► metrics ─► report
//! trace ─► rules ─► verdicts ─► check          sweep, fixtures: run sim, hand data to report
//! ```
//!
//! | module | what | may use |
//! |---|---|---|
//! | [`time`] | the clock (integer milliseconds, UTC) and the strict instant format | — |
//! | [`output`] | the files a run writes, as names and bytes; the one atomic writer | — |
//! | [`rules`] | the one rules engine: every business message gets a verdict and a reason | time |
//! | [`scenario`] | scenario files, validated; distributions, local time and shifts | rules, time |
//! | [`metrics`] | what a replication counts, and estimates over replications | rules, time |
//! | [`trace`] | trace, fixture and verdict files; `replay` and `check` | rules, time |
//! | [`sim`] | the discrete-event simulator: event list, customers, operators, bots | the four above |
//! | [`report`] | CSV files, charts, HTML pages, each returned as bytes | all but the runners |
//! | [`sweep`] | what-if grids, shares for a cluster, resuming and merging | sim, report, … |
//! | [`plan`] | the least costly staffing that meets targets, with confidence | sim, report, … |
//! | [`fixtures`] | the regression suite for other implementations | sim, report, … |
//! | [`conform`] | another implementation run over the suite: scorecard, JUnit XML | trace, rules, time |
//!
//! The rules engine on its own:
//!
//! ```
//! use replywindow::rules::{BusinessMessage, Case, Channel, CustomerAction, Policy, Reason, Sender};
//! use replywindow::time::{Instant, HOUR};
//!
//! let policy = Policy::meta();
//! let mut case = Case::new(Channel::WhatsApp);
//! case.customer(CustomerAction::Message, Instant(0));
//! let late = BusinessMessage::new(Sender::Operator, Instant(25 * HOUR));
//! assert_eq!(case.business(&policy, &late).reason, Reason::WindowClosed);
//! ```

pub mod conform;
pub mod fit;
pub mod fixtures;
pub mod metrics;
pub mod output;
pub mod plan;
pub mod report;
pub mod rules;
pub mod scenario;
pub mod sim;
pub mod sweep;
pub mod time;
pub mod trace;

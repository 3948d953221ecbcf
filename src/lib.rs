//! # replywindow
//!
//! Meta's messaging rules for WhatsApp, Facebook Messenger and Instagram Direct, made
//! measurable.
//!
//! | module | what |
//! |---|---|
//! | [`rules`] | the one rules engine: every business message gets a verdict and a reason |
//! | [`trace`] | trace, fixture and verdict files; `replay` and `check` |
//! | [`time`] | the clock (integer milliseconds, UTC) and the strict instant format |
//! | [`scenario`] | scenario files, validated; distributions, local time and shifts |
//! | [`sim`] | the discrete-event simulator: event list, customers, operators, bots |
//! | [`metrics`] | what a replication counts, and estimates over replications |
//! | [`report`] | CSV files, charts, HTML pages |
//! | [`sweep`] | what-if grids, shares for a cluster, resuming and merging |
//! | [`fixtures`] | the regression suite for other implementations |
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

pub mod fixtures;
pub mod metrics;
pub mod output;
pub mod report;
pub mod rules;
pub mod scenario;
pub mod sim;
pub mod sweep;
pub mod time;
pub mod trace;

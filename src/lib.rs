//! # replywindow
//!
//! Meta's messaging rules for WhatsApp, Facebook Messenger and Instagram Direct, made
//! measurable: one rules engine ([`rules`]) that gives every business message a verdict and
//! a reason, the trace and verdict files other implementations replay and check ([`trace`]),
//! and the clock they share ([`time`]).
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
pub mod report;
pub mod rules;
pub mod scenario;
pub mod sim;
pub mod sweep;
pub mod time;
pub mod trace;

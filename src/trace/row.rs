//! The vocabulary of a trace row, shared by reading, writing, replaying, the simulator's
//! trace and the fixture builder.

use crate::rules::{
    Actor, BusinessAction, BusinessMessage, Content, CustomerAction, Reason, Sender,
};
use crate::rules::{Channel, Verdict};
use crate::time::Instant;

/// What a trace row does: a customer's action, or a business message (its instant is the
/// row's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    Customer(CustomerAction),
    Business {
        sender: Sender,
        action: BusinessAction,
        content: Content,
        tagged: bool,
    },
}

impl RowKind {
    /// The business message this row sends at `at`, if it is a business row.
    pub fn message(self, at: Instant) -> Option<BusinessMessage> {
        match self {
            RowKind::Customer(_) => None,
            RowKind::Business {
                sender,
                action,
                content,
                tagged,
            } => Some(BusinessMessage {
                sender,
                action,
                content,
                tagged,
                at,
            }),
        }
    }

    /// The row's `actor`, `action`, `content` and `tag` fields as written (empty where a
    /// row has none).
    pub fn fields(self) -> (Actor, &'static str, &'static str, &'static str) {
        match self {
            RowKind::Customer(a) => (Actor::Customer, a.as_str(), "", ""),
            RowKind::Business {
                sender,
                action,
                content,
                tagged,
            } => (
                sender.actor(),
                action.as_str(),
                content.as_str(),
                if tagged { "human_agent" } else { "" },
            ),
        }
    }

    /// True for a business row.
    pub fn is_business(self) -> bool {
        matches!(self, RowKind::Business { .. })
    }
}

impl From<BusinessMessage> for RowKind {
    /// The row that sends `m` (at `m.at`, the row's instant).
    fn from(m: BusinessMessage) -> RowKind {
        RowKind::Business {
            sender: m.sender,
            action: m.action,
            content: m.content,
            tagged: m.tagged,
        }
    }
}

/// What a fixture expects of one business row (the `expect`, `reason` and `delivered_at`
/// columns). A fixture written by this crate states all three; one read with
/// `verdict_only` may leave the others out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expectation {
    pub verdict: Verdict,
    /// `None` only when read with `verdict_only` and the field is empty.
    pub reason: Option<Reason>,
    /// When the customer gets it: `Some(None)` for never (or still held); `None` when not
    /// compared (`verdict_only`).
    pub delivered_at: Option<Option<Instant>>,
}

impl Expectation {
    /// The full expectation of a decision: its reason (and so its verdict) and when the
    /// customer gets the message (`None` for never).
    pub const fn outcome(reason: Reason, delivered_at: Option<Instant>) -> Expectation {
        Expectation {
            verdict: reason.verdict(),
            reason: Some(reason),
            delivered_at: Some(delivered_at),
        }
    }
}

impl std::fmt::Display for Expectation {
    /// `verdict reason delivered_at=…` (`(none)` and `never` where absent).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} delivered_at={}",
            self.verdict,
            self.reason.map_or("(none)", Reason::as_str),
            self.delivered_at
                .flatten()
                .map_or("never".into(), |t| t.to_string())
        )
    }
}

/// One row to write: a trace row, with its expectation in a fixture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceRecord {
    pub case: String,
    pub seq: u64,
    pub at: Instant,
    /// The UTC offset, in minutes, `at` is written with (0 writes `Z`).
    pub offset_minutes: i32,
    pub channel: Channel,
    pub kind: RowKind,
    /// Filled on business rows of a fixture.
    pub expect: Option<Expectation>,
    /// Free text, written in a `note` column when any row has one.
    pub note: String,
}

impl TraceRecord {
    /// The `at` field as written: canonical in UTC, or with the row's offset.
    pub fn at_text(&self) -> String {
        if self.offset_minutes == 0 {
            self.at.to_string()
        } else {
            self.at.with_offset(self.offset_minutes)
        }
    }
}

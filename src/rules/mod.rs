//! The delivery rules: the one engine that decides whether a business message reaches the
//! customer, and why.
//!
//! A [`Case`] is one customer on one channel. Feed it the case's rows in order:
//! customer rows with [`Case::customer`], business rows with [`Case::business`], which
//! answers with a [`Decision`] (a [`Verdict`] and its [`Reason`]). The engine knows nothing
//! of files, scenarios or time zones, and a decision never allocates.
//!
//! # The standard window
//!
//! ```
//! use replywindow::rules::*;
//! use replywindow::time::{Instant, HOUR};
//!
//! let policy = Policy::meta();
//! let mut case = Case::new(Channel::WhatsApp);
//! let t0 = Instant(0);
//! let answer = |at| BusinessMessage::new(Sender::Operator, at);
//!
//! // The business cannot write first.
//! assert_eq!(case.business(&policy, &answer(t0)).reason, Reason::CustomerFirst);
//! case.customer(CustomerAction::Message, t0);
//! assert_eq!(case.business(&policy, &answer(t0.plus(24 * HOUR - 1))).reason, Reason::StandardWindow);
//! // The window is half-open: at exactly 24 h it is closed.
//! assert_eq!(case.business(&policy, &answer(t0.plus(24 * HOUR))).reason, Reason::WindowClosed);
//! ```
//!
//! # The human-agent extension and its misuse
//!
//! ```
//! use replywindow::rules::*;
//! use replywindow::time::{Instant, DAY};
//!
//! let policy = Policy::meta();
//! let mut case = Case::new(Channel::Facebook);
//! case.customer(CustomerAction::Message, Instant(0));
//! let mut late = BusinessMessage::new(Sender::Operator, Instant(3 * DAY));
//! late.tagged = true;
//! assert_eq!(case.business(&policy, &late).reason, Reason::HumanAgent);
//! late.content = Content::Promotional;
//! assert_eq!(case.business(&policy, &late).verdict, Verdict::Violation);
//! late.content = Content::Related;
//! late.at = Instant(7 * DAY);
//! assert_eq!(case.business(&policy, &late).reason, Reason::ExtensionClosed);
//! ```
//!
//! # Comments, private replies and held messages
//!
//! ```
//! use replywindow::rules::*;
//! use replywindow::time::{Instant, HOUR};
//!
//! let policy = Policy::meta();
//! let mut case = Case::new(Channel::Instagram);
//! case.customer(CustomerAction::Comment, Instant(0));
//! let first = case.business(&policy, &BusinessMessage::new(Sender::Operator, Instant(HOUR)));
//! assert_eq!((first.verdict, first.reason), (Verdict::Delivered, Reason::PrivateReply));
//! let second = case.business(&policy, &BusinessMessage::new(Sender::Operator, Instant(2 * HOUR)));
//! assert_eq!((second.verdict, second.reason), (Verdict::Held, Reason::AwaitingAcceptance));
//! // Accepting the request delivers what was held, at that instant.
//! assert_eq!(case.customer(CustomerAction::Accept, Instant(5 * HOUR)), Released(1));
//! ```

mod case;
pub mod mutants;
pub(crate) mod policy;

pub use case::{AnswerStyle, BusinessMessage, Case, CaseState, Credit, Decision, Released};
pub use policy::{ChannelPolicy, Policy, PolicyError};

use std::fmt;

/// The version of the rules (semantic): a change of any verdict, reason or delivery instant
/// the engine gives a trace is a major change; a new reason that no earlier trace can get is
/// a minor one. Fixture suites and `replywindow --version` carry it.
pub const RULES_VERSION: &str = "1.0.0";

/// Declares a closed set of lower-case names with parsing and display.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in the order of the specification.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used in files and on the command line.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value with exactly this name.
            pub fn from_bytes(b: &[u8]) -> Option<$name> {
                match b { $(x if x == $text.as_bytes() => Some($name::$variant),)+ _ => None }
            }

            /// The names, comma-separated, for error messages.
            pub fn names() -> String {
                [$($text),+].join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum! {
    /// A messaging channel.
    Channel { WhatsApp = "whatsapp", Facebook = "facebook", Instagram = "instagram" }
}

named_enum! {
    /// Who wrote a row.
    Actor { Customer = "customer", Operator = "operator", Bot = "bot" }
}

named_enum! {
    /// What a customer row does.
    CustomerAction { Message = "message", Comment = "comment", Accept = "accept" }
}

named_enum! {
    /// What a business row does.
    BusinessAction {
        /// A direct (private) message.
        Message = "message",
        /// A public reply under the customer's comment.
        CommentReply = "comment_reply",
    }
}

named_enum! {
    /// Who sent a business message.
    Sender { Operator = "operator", Bot = "bot" }
}

named_enum! {
    /// What a business message is about.
    Content { Related = "related", Promotional = "promotional" }
}

named_enum! {
    /// Whether a business message reaches the customer.
    Verdict { Delivered = "delivered", Held = "held", Undelivered = "undelivered", Violation = "violation" }
}

named_enum! {
    /// Why a business message got its verdict (rules.md, "Verdicts and reasons").
    Reason {
        StandardWindow = "standard_window",
        HumanAgent = "human_agent",
        PrivateReply = "private_reply",
        PublicReply = "public_reply",
        AwaitingAcceptance = "awaiting_acceptance",
        CustomerFirst = "customer_first",
        WindowClosed = "window_closed",
        ExtensionClosed = "extension_closed",
        PrivateReplyUsed = "private_reply_used",
        PrivateReplyExpired = "private_reply_expired",
        NoComment = "no_comment",
        AutomatedHumanAgent = "automated_human_agent",
        PromotionalHumanAgent = "promotional_human_agent",
    }
}

impl Sender {
    /// The actor of a row sent by this sender.
    pub const fn actor(self) -> Actor {
        match self {
            Sender::Operator => Actor::Operator,
            Sender::Bot => Actor::Bot,
        }
    }
}

impl Reason {
    /// The verdict that always comes with this reason.
    pub const fn verdict(self) -> Verdict {
        use Reason::*;
        match self {
            StandardWindow | HumanAgent | PrivateReply | PublicReply => Verdict::Delivered,
            AwaitingAcceptance => Verdict::Held,
            CustomerFirst | WindowClosed | ExtensionClosed | PrivateReplyUsed
            | PrivateReplyExpired | NoComment => Verdict::Undelivered,
            AutomatedHumanAgent | PromotionalHumanAgent => Verdict::Violation,
        }
    }

    /// The step of the decision order (1 to 7, as in the rules document) that gives this
    /// reason: every reason comes from exactly one step.
    ///
    /// ```
    /// use replywindow::rules::Reason;
    /// assert_eq!(Reason::StandardWindow.rule(), 3);
    /// assert_eq!(Reason::WindowClosed.rule(), 7);
    /// ```
    pub const fn rule(self) -> u8 {
        use Reason::*;
        match self {
            PublicReply | NoComment => 1,
            AutomatedHumanAgent | PromotionalHumanAgent => 2,
            StandardWindow => 3,
            HumanAgent => 4,
            PrivateReply => 5,
            AwaitingAcceptance => 6,
            CustomerFirst | WindowClosed | ExtensionClosed | PrivateReplyUsed
            | PrivateReplyExpired => 7,
        }
    }
}

/// The short name of each step of the decision order, by number (index 0 unused).
pub const RULE_NAMES: [&str; 8] = [
    "",
    "public replies",
    "misused tag",
    "standard window",
    "human-agent extension",
    "private-reply credit",
    "held until accepted",
    "undelivered",
];

/// The (channel, reason) pairs that can occur under Meta's default policy, with why the
/// others cannot (rules.md, "Which (channel, verdict, reason) can occur").
pub fn possible_under_default(channel: Channel, reason: Reason) -> Result<(), &'static str> {
    match (channel, reason) {
        (
            Channel::WhatsApp,
            Reason::StandardWindow | Reason::CustomerFirst | Reason::WindowClosed,
        ) => Ok(()),
        (Channel::WhatsApp, _) => Err(
            "WhatsApp has no comments, no human-agent extension and no tags: only the 24 h window applies",
        ),
        (Channel::Facebook, Reason::AwaitingAcceptance) => {
            Err("only Instagram holds messages until a conversation request is accepted")
        }
        (Channel::Instagram, Reason::PrivateReplyUsed) => Err(
            "after a private reply the next message is held until the customer writes or accepts, \
             and a new comment brings a new credit",
        ),
        _ => Ok(()),
    }
}

/// Why a row is not allowed on its channel (rules.md, "Invalid input").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRow {
    #[error("`{action}` is not possible on {channel}")]
    ActionNotOnChannel {
        action: &'static str,
        channel: Channel,
    },
    #[error("a tag is only allowed on business `message` rows on facebook or instagram")]
    TagNotAllowed,
}

/// Checks the combinations of channel, actor, action and tag that rules.md forbids.
pub fn check_customer_row(channel: Channel, action: CustomerAction) -> Result<(), InvalidRow> {
    match (channel, action) {
        (Channel::WhatsApp, CustomerAction::Comment | CustomerAction::Accept)
        | (Channel::Facebook, CustomerAction::Accept) => Err(InvalidRow::ActionNotOnChannel {
            action: action.as_str(),
            channel,
        }),
        _ => Ok(()),
    }
}

/// Checks a business row's action and tag against its channel.
pub fn check_business_row(
    channel: Channel,
    action: BusinessAction,
    tagged: bool,
) -> Result<(), InvalidRow> {
    if channel == Channel::WhatsApp && action == BusinessAction::CommentReply {
        return Err(InvalidRow::ActionNotOnChannel {
            action: action.as_str(),
            channel,
        });
    }
    if tagged && (channel == Channel::WhatsApp || action == BusinessAction::CommentReply) {
        return Err(InvalidRow::TagNotAllowed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_seven_pairs_are_possible_under_default() {
        let n = Channel::ALL
            .iter()
            .flat_map(|&c| Reason::ALL.iter().map(move |&r| (c, r)))
            .filter(|&(c, r)| possible_under_default(c, r).is_ok())
            .count();
        assert_eq!(n, 27);
    }

    #[test]
    fn names_round_trip() {
        for r in Reason::ALL {
            assert_eq!(Reason::from_bytes(r.as_str().as_bytes()), Some(*r));
        }
        assert_eq!(Reason::ALL.len(), 13);
        assert_eq!(Channel::from_bytes(b" whatsapp"), None);
        assert_eq!(Channel::from_bytes(b"WhatsApp"), None);
    }
}

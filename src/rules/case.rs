//! The state of one case and the decision for each business message.

use std::collections::VecDeque;

use super::mutants::{self, Mutant};
use super::{
    BusinessAction, Channel, ChannelPolicy, Content, CustomerAction, Policy, Reason, Sender,
    Verdict,
};
use crate::time::Instant;

/// A business message as the rules see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusinessMessage {
    pub sender: Sender,
    pub action: BusinessAction,
    pub content: Content,
    /// Carries the `human_agent` tag.
    pub tagged: bool,
    pub at: Instant,
}

impl BusinessMessage {
    /// An untagged, related direct message.
    pub const fn new(sender: Sender, at: Instant) -> Self {
        BusinessMessage {
            sender,
            action: BusinessAction::Message,
            content: Content::Related,
            tagged: false,
            at,
        }
    }
}

/// The verdict on one business message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    pub reason: Reason,
}

impl Decision {
    const fn of(reason: Reason) -> Self {
        Decision {
            verdict: reason.verdict(),
            reason,
        }
    }
}

/// How many held messages a customer row delivered (each at that row's instant).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Released(pub u32);

/// One customer on one channel: the state rules.md describes, updated row by row.
///
/// Rows must come in the order of the case with instants that never decrease; the trace
/// reader enforces that for files and the simulator by construction.
#[derive(Clone, Debug)]
pub struct Case {
    channel: Channel,
    last_message: Option<Instant>,
    latest_comment: Option<Instant>,
    latest_is_comment: bool,
    request_pending: bool,
    held: u32,
    /// Instants of the comments whose private-reply credit is unused, oldest first. The
    /// newest valid one is used first, so this is a stack; expired ones sit at the bottom
    /// and are dropped once the top has expired.
    credits: VecDeque<Instant>,
}

impl Case {
    /// A case on `channel` where nothing has happened yet.
    pub fn new(channel: Channel) -> Self {
        Case {
            channel,
            last_message: None,
            latest_comment: None,
            latest_is_comment: false,
            request_pending: false,
            held: 0,
            credits: VecDeque::new(),
        }
    }

    /// The case's channel.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// The instant of the customer's latest `message`, if any.
    pub fn last_message(&self) -> Option<Instant> {
        self.last_message
    }

    /// Messages held now, waiting for the customer to accept or write.
    pub fn held(&self) -> u32 {
        self.held
    }

    /// Applies a customer row at `at`; returns how many held messages it delivered.
    pub fn customer(&mut self, action: CustomerAction, at: Instant) -> Released {
        match action {
            CustomerAction::Message => {
                self.last_message = Some(at);
                self.latest_is_comment = false;
                self.release()
            }
            CustomerAction::Comment => {
                self.credits.push_back(at);
                self.latest_comment = Some(at);
                self.latest_is_comment = true;
                Released(0)
            }
            // With nothing pending an `accept` has no effect at all.
            CustomerAction::Accept if self.request_pending || self.held > 0 => {
                self.latest_is_comment = false;
                if mutants::is(Mutant::AcceptOpensWindow) {
                    self.last_message = Some(at);
                }
                self.release()
            }
            CustomerAction::Accept => Released(0),
        }
    }

    fn release(&mut self) -> Released {
        self.request_pending = false;
        if mutants::is(Mutant::NeverReleased) {
            return Released(0);
        }
        Released(std::mem::take(&mut self.held))
    }

    /// Decides a business message (rules.md, "The decision, in order"): the first rule
    /// that matches decides.
    pub fn business(&mut self, policy: &Policy, m: &BusinessMessage) -> Decision {
        let p = policy.channel(self.channel);
        if mutants::active().is_some() {
            for step in mutants::order() {
                if let Some(reason) = self.step(step, p, m) {
                    return Decision::of(reason);
                }
            }
        }
        // The order of rules.md, written out so that each call compiles to its own step.
        let reason = self
            .step(1, p, m)
            .or_else(|| self.step(2, p, m))
            .or_else(|| self.step(3, p, m))
            .or_else(|| self.step(4, p, m))
            .or_else(|| self.step(5, p, m))
            .or_else(|| self.step(6, p, m))
            .or_else(|| self.step(7, p, m));
        // Step 7 always decides.
        Decision::of(reason.unwrap_or(Reason::WindowClosed))
    }

    /// One step of the decision: its reason if it matches.
    #[inline(always)]
    fn step(&mut self, step: u8, p: &ChannelPolicy, m: &BusinessMessage) -> Option<Reason> {
        let t = m.at;
        let window = p.window + mutants::shift(Mutant::WindowLate, Mutant::WindowEarly);
        let validity =
            p.private_reply_validity + mutants::shift(Mutant::ValidityLate, Mutant::ValidityEarly);
        match step {
            // 1. Public replies under a comment.
            1 if m.action == BusinessAction::CommentReply => {
                Some(if self.latest_comment.is_none() {
                    Reason::NoComment
                } else {
                    Reason::PublicReply
                })
            }
            // 2. A misused tag is a violation whenever it happens.
            2 if m.tagged && m.sender == Sender::Bot => Some(Reason::AutomatedHumanAgent),
            2 if m.tagged && m.content == Content::Promotional => {
                Some(Reason::PromotionalHumanAgent)
            }
            // 3. The standard window.
            3 => self
                .last_message
                .filter(|last| t < last.plus(window))
                .map(|_| Reason::StandardWindow),
            // 4. The human-agent extension (content is related here: rule 2 took the rest).
            4 => {
                let extension = p.human_agent_extension?
                    + mutants::shift(Mutant::ExtensionLate, Mutant::ExtensionEarly);
                let last = self.last_message?;
                (self.channel != Channel::WhatsApp
                    && m.sender == Sender::Operator
                    && m.tagged
                    && t < last.plus(extension))
                .then_some(Reason::HumanAgent)
            }
            // 5. A comment's private-reply credit: the newest unused one still valid.
            5 => {
                let &newest = self.credits.back()?;
                if t < newest.plus(validity) {
                    self.spend_credit(t, validity);
                    if self.holds(p.hold_until_accepted) {
                        self.request_pending = true;
                    }
                    return Some(Reason::PrivateReply);
                }
                // The newest has expired, so every older one has too.
                self.credits.clear();
                None
            }
            // 6. Held until the customer accepts the conversation request or writes.
            6 if self.holds(p.hold_until_accepted) && self.request_pending => {
                self.held += 1;
                Some(Reason::AwaitingAcceptance)
            }
            // 7. Undelivered, with the first reason that fits.
            7 => Some(match (self.last_message, self.latest_comment) {
                (None, None) => Reason::CustomerFirst,
                (_, Some(c)) if self.latest_is_comment => {
                    if t < c.plus(validity) {
                        Reason::PrivateReplyUsed
                    } else {
                        Reason::PrivateReplyExpired
                    }
                }
                (Some(_), _) if m.tagged && p.human_agent_extension.is_some() => {
                    Reason::ExtensionClosed
                }
                _ => Reason::WindowClosed,
            }),
            _ => None,
        }
    }

    /// Uses up the newest credit (the stack's top).
    #[inline(always)]
    fn spend_credit(&mut self, t: Instant, validity: crate::time::Millis) {
        if mutants::is(Mutant::CreditNeverUsed) {
            return;
        }
        if mutants::is(Mutant::OldestCredit) {
            while self.credits.front().is_some_and(|c| t >= c.plus(validity)) {
                self.credits.pop_front();
            }
            self.credits.pop_front();
            return;
        }
        self.credits.pop_back();
    }

    fn holds(&self, hold_until_accepted: bool) -> bool {
        self.channel == Channel::Instagram && hold_until_accepted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{DAY, HOUR};

    fn op(at: i64) -> BusinessMessage {
        BusinessMessage::new(Sender::Operator, Instant(at))
    }

    #[test]
    fn newest_valid_credit_is_used_first() {
        let policy = Policy::meta();
        let mut case = Case::new(Channel::Facebook);
        case.customer(CustomerAction::Comment, Instant(0));
        case.customer(CustomerAction::Comment, Instant(DAY));
        // Two credits: two private replies; the third is refused.
        assert_eq!(
            case.business(&policy, &op(2 * DAY)).reason,
            Reason::PrivateReply
        );
        assert_eq!(
            case.business(&policy, &op(2 * DAY)).reason,
            Reason::PrivateReply
        );
        assert_eq!(
            case.business(&policy, &op(2 * DAY)).reason,
            Reason::PrivateReplyUsed
        );
    }

    #[test]
    fn the_newest_credit_is_the_one_spent() {
        let policy = Policy::meta();
        let mut case = Case::new(Channel::Facebook);
        case.customer(CustomerAction::Comment, Instant(0));
        case.customer(CustomerAction::Comment, Instant(DAY));
        assert_eq!(
            case.business(&policy, &op(2 * DAY)).reason,
            Reason::PrivateReply
        );
        // Had the oldest been spent, the newer one would still be valid here.
        assert_eq!(
            case.business(&policy, &op(7 * DAY + HOUR)).reason,
            Reason::PrivateReplyUsed
        );
    }

    #[test]
    fn a_customer_message_releases_what_is_held() {
        let policy = Policy::meta();
        let mut case = Case::new(Channel::Instagram);
        case.customer(CustomerAction::Comment, Instant(0));
        assert_eq!(case.business(&policy, &op(1)).reason, Reason::PrivateReply);
        assert_eq!(
            case.business(&policy, &op(2)).reason,
            Reason::AwaitingAcceptance
        );
        assert_eq!(
            case.business(&policy, &op(3)).reason,
            Reason::AwaitingAcceptance
        );
        assert_eq!(
            case.customer(CustomerAction::Message, Instant(4)),
            Released(2)
        );
        assert_eq!(
            case.customer(CustomerAction::Accept, Instant(5)),
            Released(0)
        );
        assert_eq!(case.held(), 0);
    }
}

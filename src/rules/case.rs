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

/// One unused private-reply credit: the comment that gave it and the end of its validity
/// (exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Credit {
    pub comment: Instant,
    pub end: Instant,
}

/// What the engine knows about a case at one instant, with the ends the policy gives it:
/// the explanation of a decision taken in this state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseState {
    /// The customer's latest `message`.
    pub last_message: Option<Instant>,
    /// `last_message + W` (exclusive).
    pub window_end: Option<Instant>,
    /// `last_message + E` on a channel with the extension (exclusive).
    pub extension_end: Option<Instant>,
    /// The customer's latest comment.
    pub latest_comment: Option<Instant>,
    /// When the latest comment's private-reply validity ends (exclusive), used or not.
    pub latest_comment_end: Option<Instant>,
    /// The customer's latest row that counts was a comment (not a message or an accept).
    pub latest_is_comment: bool,
    /// Unused credits, oldest first (expired ones included until the engine drops them).
    pub credits: Vec<Credit>,
    /// An Instagram conversation request waits for the customer's acceptance.
    pub request_pending: bool,
    /// Messages held now.
    pub held: u32,
}

impl Case {
    /// The state of the case now, as [`Case::business`] would see it.
    ///
    /// ```
    /// use replywindow::rules::*;
    /// use replywindow::time::{Instant, DAY, HOUR};
    ///
    /// let policy = Policy::meta();
    /// let mut case = Case::new(Channel::Facebook);
    /// case.customer(CustomerAction::Comment, Instant(0));
    /// case.customer(CustomerAction::Message, Instant(HOUR));
    /// let state = case.state(&policy);
    /// assert_eq!(state.window_end, Some(Instant(25 * HOUR)));
    /// assert_eq!(state.extension_end, Some(Instant(7 * DAY + HOUR)));
    /// assert_eq!(state.credits, vec![Credit { comment: Instant(0), end: Instant(7 * DAY) }]);
    /// assert!(!state.latest_is_comment);
    /// ```
    pub fn state(&self, policy: &Policy) -> CaseState {
        let p = policy.channel(self.channel);
        CaseState {
            last_message: self.last_message,
            window_end: self.window_end(policy),
            extension_end: match (self.channel, p.human_agent_extension, self.last_message) {
                (Channel::WhatsApp, _, _) | (_, None, _) | (_, _, None) => None,
                (_, Some(e), Some(last)) => Some(last.plus(e)),
            },
            latest_comment: self.latest_comment,
            latest_comment_end: self.latest_comment.map(|c| p.credit_end(c)),
            latest_is_comment: self.latest_is_comment,
            credits: self
                .credits
                .iter()
                .map(|&c| Credit {
                    comment: c,
                    end: p.credit_end(c),
                })
                .collect(),
            request_pending: self.request_pending,
            held: self.held,
        }
    }
}

/// How the business answers a case, as far as the questions of [`Case::deliverable_until`]
/// need to know: the simulator's operators answer a Facebook comment thread with a public
/// reply, and may tag a late direct message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct AnswerStyle {
    /// A public reply under the customer's comment goes with the answer.
    pub public_reply: bool,
    /// The answer's direct message carries the `human_agent` tag when it is sent after the
    /// standard window ([`Case::needs_tag`]).
    pub tag_when_late: bool,
}

/// Questions about the future of a case, answered from its state by the same rules as
/// [`Case::business`], so that a simulator never recomputes a window, an extension or a
/// credit's validity of its own.
impl Case {
    /// When the standard window after the customer's latest message closes (exclusive):
    /// `None` before any message.
    ///
    /// ```
    /// use replywindow::rules::*;
    /// use replywindow::time::{Instant, HOUR};
    ///
    /// let mut case = Case::new(Channel::WhatsApp);
    /// assert_eq!(case.window_end(&Policy::meta()), None);
    /// case.customer(CustomerAction::Message, Instant(0));
    /// assert_eq!(case.window_end(&Policy::meta()), Some(Instant(24 * HOUR)));
    /// ```
    pub fn window_end(&self, policy: &Policy) -> Option<Instant> {
        let window = policy.channel(self.channel).window;
        self.last_message.map(|last| last.plus(window))
    }

    /// Whether a direct message at `at` is past the standard window on a channel where the
    /// `human_agent` tag exists (Facebook, Instagram): only a tagged one can still be
    /// delivered there, by the extension.
    ///
    /// ```
    /// use replywindow::rules::*;
    /// use replywindow::time::{Instant, HOUR};
    ///
    /// let mut case = Case::new(Channel::Facebook);
    /// case.customer(CustomerAction::Message, Instant(0));
    /// assert!(!case.needs_tag(&Policy::meta(), Instant(24 * HOUR - 1)));
    /// assert!(case.needs_tag(&Policy::meta(), Instant(24 * HOUR)));
    /// ```
    pub fn needs_tag(&self, policy: &Policy, at: Instant) -> bool {
        self.channel != Channel::WhatsApp && self.window_end(policy).is_some_and(|end| at >= end)
    }

    /// The instant from which an answer written in `style` can no longer be delivered
    /// (exclusive): the latest of the standard window, the extension (for a tagged answer),
    /// the newest unused comment credit (a private reply), and [`Instant::ALWAYS`] while a
    /// public reply can answer a comment. [`Instant::NEVER`] when nothing could be
    /// delivered at any time. Deliverability only ends: an answer at any instant before
    /// this one is delivered (unless it is held on Instagram), at this one it is not.
    ///
    /// ```
    /// use replywindow::rules::*;
    /// use replywindow::time::{Instant, DAY, HOUR};
    ///
    /// let policy = Policy::meta();
    /// let tagged = AnswerStyle { public_reply: false, tag_when_late: true };
    /// let mut case = Case::new(Channel::Instagram);
    /// assert_eq!(case.deliverable_until(&policy, tagged), Instant::NEVER);
    /// case.customer(CustomerAction::Comment, Instant(0));
    /// assert_eq!(case.deliverable_until(&policy, tagged), Instant(7 * DAY));
    /// case.customer(CustomerAction::Message, Instant(3 * DAY));
    /// assert_eq!(case.deliverable_until(&policy, tagged), Instant(10 * DAY));
    /// assert_eq!(case.deliverable_until(&policy, AnswerStyle::default()), Instant(7 * DAY));
    /// ```
    pub fn deliverable_until(&self, policy: &Policy, style: AnswerStyle) -> Instant {
        let p = policy.channel(self.channel);
        if style.public_reply && self.latest_comment.is_some() {
            return Instant::ALWAYS;
        }
        let mut until = Instant::NEVER;
        if let Some(last) = self.last_message {
            until = until.max(last.plus(p.window));
            if let (true, Some(extension)) = (
                style.tag_when_late && self.channel != Channel::WhatsApp,
                p.human_agent_extension,
            ) {
                until = until.max(last.plus(extension));
            }
        }
        if let Some(&newest) = self.credits.back() {
            until = until.max(p.credit_end(newest));
        }
        until
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

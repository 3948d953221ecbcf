//! A conversation's life: the customer's rows applied to the case, requests opened,
//! joined, answered or closed, window timers, customers' later moves, held messages
//! released, business messages decided by the engine.

use super::streams::Streams;

use super::{Event, EventList, Model, chance, short};
use crate::metrics::Counters;
use crate::rules::mutants::{self, Mutant};
use crate::rules::{AnswerStyle, BusinessMessage, Case, Channel, CustomerAction, Sender, Verdict};
use crate::scenario::{DurationDist, Routing};
use crate::time::Instant;
use crate::trace::{RowKind, TraceRecord};

/// What a customer does on their own, later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Move {
    /// Writes again after a delivered answer.
    FollowUp,
    /// Writes again when left without an answer.
    Nudge,
    /// Writes again after a bot's window warning.
    WarnedReturn,
    /// Accepts Instagram's conversation request.
    Accept,
}

/// A customer's open request, as the metrics see it.
#[derive(Clone, Debug)]
pub(super) struct Request {
    pub(super) stamp: u32,
    pub(super) opened: Instant,
    pub(super) counted: bool,
    pub(super) by_comment: bool,
    /// The customer's latest message or comment joining this request.
    pub(super) latest: Instant,
    /// Stamps of the window timers (warning, expiry) and of the coverage check.
    pub(super) window_stamp: u32,
    pub(super) check_stamp: u32,
    pub(super) warned: bool,
    pub(super) wrote_after_warning: bool,
    pub(super) at_risk: bool,
    /// When an operator first picked it up.
    pub(super) picked_at: Option<Instant>,
}

/// What operators see: a customer message waiting for them.
#[derive(Clone, Copy, Debug)]
pub(super) struct Inbox {
    pub(super) stamp: u32,
    pub(super) since: Instant,
    pub(super) by_comment: bool,
}

pub(super) struct Conversation {
    pub(super) serial: u64,
    pub(super) channel: u8,
    pub(super) counted: bool,
    pub(super) case: Case,
    /// Customer moves scheduled and not yet happened.
    pub(super) pending: u16,
    /// An operator is composing an answer (for a comment thread or not).
    pub(super) in_hand: Option<bool>,
    pub(super) inbox: Option<Inbox>,
    pub(super) request: Option<Request>,
    pub(super) last_answered: bool,
    /// The request whose operator answer is held, waiting for release.
    pub(super) held_for: Option<u32>,
}

impl Conversation {
    /// With probability `p` the customer does `event` after a delay drawn from `delay`
    /// from their stream (counted as pending until it happens). A probability of 0 leaves
    /// the stream uncreated.
    #[inline]
    pub(super) fn may(
        &mut self,
        events: &mut EventList<Event>,
        stream: (&mut Streams, u32),
        now: Instant,
        p: f64,
        delay: &DurationDist,
        event: Event,
    ) {
        if p > 0.0 {
            self.draw_move(events, stream, now, p, delay, event);
        }
    }

    /// [`Conversation::may`] for a probability above 0, kept out of line so that the common
    /// case (a behaviour switched off) is a comparison at the call site; inlining the whole
    /// costs 2% more instructions on a workload with every probability at 0.
    fn draw_move(
        &mut self,
        events: &mut EventList<Event>,
        stream: (&mut Streams, u32),
        now: Instant,
        p: f64,
        delay: &DurationDist,
        event: Event,
    ) {
        let rng = stream.0.get(stream.1);
        if chance(rng, p) {
            let d = delay.sample(rng);
            self.pending += 1;
            events.schedule(now.plus(d), event);
        }
    }
}

/// Counts a request closed at `t` (answered or not), picked up at `picked_at` if ever: its
/// wait for an operator, until picked up or, never picked up, until it closed.
fn record_closed(k: &mut Counters, r: &Request, t: Instant, picked_at: Option<Instant>) {
    k.requests += 1;
    let waited_until = picked_at.unwrap_or(t);
    k.queue_total += (waited_until.0 - r.opened.0) as u64;
    if let Some(at) = picked_at {
        k.pickup_wait.record((at.0 - r.opened.0) as u64);
    }
}

impl Model<'_> {
    pub(super) fn conv(&mut self, id: u32) -> Option<&mut Conversation> {
        self.conversations
            .get_mut(id as usize)
            .and_then(Option::as_mut)
    }

    /// Writes a row of conversation `id` into the trace, when one is kept. Its expectations
    /// are the engine's, filled in at the end of the run ([`outcomes`]).
    #[inline]
    pub(super) fn trace_row(&mut self, id: u32, kind: RowKind) {
        if self.trace.is_some() {
            self.push_trace_row(id, kind);
        }
    }

    fn push_trace_row(&mut self, id: u32, kind: RowKind) {
        let Some(trace) = self.trace.as_mut() else {
            return;
        };
        let Some(c) = self.conversations[id as usize].as_ref() else {
            return;
        };
        let channel = self.p.scenario.channels[c.channel as usize].channel;
        trace.push(TraceRecord {
            case: format!("{}-{}", short(channel), c.serial),
            seq: trace.len() as u64 + 1,
            at: self.now,
            offset_minutes: 0,
            channel,
            kind,
            expect: None,
            note: String::new(),
        });
    }

    /// A customer message or comment: applied to the case, joined to the open request or
    /// opening a new one, and put in front of the operators.
    pub(super) fn customer_writes(&mut self, id: u32, action: CustomerAction) {
        let t = self.now;
        self.trace_row(id, RowKind::Customer(action));
        let counting = self.counting(t);
        let p = self.p;
        let s = &p.scenario;
        let Some(c) = self.conversations[id as usize].as_mut() else {
            return;
        };
        let released = c.case.customer(action, t).0;
        if released > 0 {
            self.release(id, released);
        }
        let by_comment = action == CustomerAction::Comment;
        let (inbox_stamp, window_stamp, check_stamp) = (self.stamp(), self.stamp(), self.stamp());
        let Some(c) = self.conversations[id as usize].as_mut() else {
            return;
        };
        let slot = c.channel as usize;
        let staff = &self.staff;
        let deadline_routed = || {
            staff.serving[slot]
                .iter()
                .any(|&t| staff.teams[t as usize].routing == Routing::Deadline)
        };
        // The operators' inbox.
        let mut enqueue = false;
        match &mut c.inbox {
            // A later deadline for deadline routing: queued again with the new key.
            Some(inbox) if deadline_routed() => {
                inbox.stamp = inbox_stamp;
                enqueue = true;
            }
            Some(_) => {}
            None if c.in_hand.is_none() => {
                c.inbox = Some(Inbox {
                    stamp: inbox_stamp,
                    since: t,
                    by_comment,
                });
                enqueue = true;
            }
            None => {}
        }
        // The metrics' request.
        let opened = match &mut c.request {
            Some(r) => {
                r.latest = t;
                r.window_stamp = window_stamp;
                if r.warned {
                    r.wrote_after_warning = true;
                } else {
                    r.check_stamp = check_stamp;
                }
                false
            }
            None => {
                c.request = Some(Request {
                    stamp: window_stamp,
                    opened: t,
                    counted: counting,
                    by_comment,
                    latest: t,
                    window_stamp,
                    check_stamp,
                    warned: false,
                    wrote_after_warning: false,
                    at_risk: false,
                    picked_at: None,
                });
                true
            }
        };
        let request = c.request.clone();
        if opened {
            self.week.waiting[slot].rise(t, 1);
        }
        let Some(r) = request else { return };
        let recheck = opened || !r.warned;
        self.set_window_timers(id, &r, opened, recheck);
        if enqueue {
            self.enqueue(id);
        }
        if opened && !r.by_comment && s.bots.off_hours && !self.staff.anyone_on_shift(slot) {
            self.bot_sends(id);
        }
        self.dispatch();
    }

    /// Timers of a request whose window just (re)started.
    pub(super) fn set_window_timers(&mut self, id: u32, r: &Request, opened: bool, recheck: bool) {
        let p = self.p;
        let s = &p.scenario;
        let t = self.now;
        let Some(c) = self.conversations[id as usize].as_mut() else {
            return;
        };
        let window_end = c.case.window_end(&s.policy);
        if opened {
            let traffic = &s.channels[c.channel as usize];
            c.may(
                &mut self.events,
                (&mut self.streams, id),
                t,
                traffic.customers.nudge_probability,
                &traffic.customers.nudge_delay,
                Event::Customer {
                    conv: id,
                    stamp: r.stamp,
                    what: Move::Nudge,
                },
            );
            if let Some(patience) = &traffic.customers.patience {
                let p = patience.sample(self.streams.get(id));
                self.events.schedule(
                    t.plus(p),
                    Event::Abandon {
                        conv: id,
                        stamp: r.stamp,
                    },
                );
            }
            if let (Some(x), false) = (s.bots.no_answer_after, r.by_comment) {
                self.events.schedule(
                    t.plus(x),
                    Event::NoAnswerBot {
                        conv: id,
                        stamp: r.stamp,
                    },
                );
            }
        }
        // A request opened by a message: the window after that message.
        let window_end = window_end.filter(|_| !r.by_comment);
        // The coverage check first: at the instant the window closes, the request is
        // still open when it is checked, and expires after. Expiry is first looked at
        // when the standard window closes: most requests are answered by then, and a timer
        // days away would only sit stale in the event list.
        let check = window_end.filter(|_| recheck);
        // Deliverability never ends before the standard window (the engine's
        // `deliverable_until` is the latest of the window and what extends it), so a request
        // opened by a message is first looked at when its window ends; the engine is asked
        // only for a comment's.
        let first_look = match window_end {
            Some(end) => end,
            None => self.deliverable_until(id),
        };
        let expiry = (first_look < Instant::ALWAYS).then(|| first_look.max(t));
        match (check, expiry) {
            // Both at the window's end: one event doing both, in that order, which is the
            // order two events scheduled one after the other would run in.
            (Some(end), Some(at)) if end == at => self.events.schedule(
                end,
                Event::WindowEnd {
                    conv: id,
                    check_stamp: r.check_stamp,
                    window_stamp: r.window_stamp,
                },
            ),
            (check, expiry) => {
                if let Some(end) = check {
                    self.events.schedule(
                        end,
                        Event::WindowCheck {
                            conv: id,
                            stamp: r.check_stamp,
                        },
                    );
                }
                if let Some(at) = expiry {
                    self.events.schedule(
                        at,
                        Event::Expiry {
                            conv: id,
                            stamp: r.window_stamp,
                        },
                    );
                }
            }
        }
        if let (Some(y), Some(end)) = (s.bots.window_warning, window_end) {
            self.events.schedule(
                end.plus(-y).max(t),
                Event::WindowWarning {
                    conv: id,
                    stamp: r.window_stamp,
                },
            );
        }
    }

    /// How this conversation's operators answer its open request: a Facebook comment thread
    /// with a public reply; a message with the human-agent tag when late, if they tag.
    pub(super) fn answer_style(&self, c: &Conversation) -> AnswerStyle {
        let s = &self.p.scenario;
        let by_comment = c.request.as_ref().is_some_and(|r| r.by_comment);
        AnswerStyle {
            public_reply: by_comment && c.case.channel() == Channel::Facebook,
            tag_when_late: !by_comment && s.operators.human_agent_tagging,
        }
    }

    /// The instant from which an operator's answer can no longer reach the customer (the
    /// engine decides: windows, the extension, comment credits, public replies).
    pub(super) fn deliverable_until(&self, id: u32) -> Instant {
        let Some(c) = self.conversations[id as usize].as_ref() else {
            return Instant::NEVER;
        };
        c.case
            .deliverable_until(&self.p.scenario.policy, self.answer_style(c))
    }

    pub(super) fn customer_moves(&mut self, id: u32, stamp: u32, what: Move) {
        let Some(c) = self.conv(id) else { return };
        c.pending = c.pending.saturating_sub(1);
        match what {
            Move::Nudge => {
                // Only while the request that set it is still unanswered.
                let still_open = c.request.as_ref().is_some_and(|r| r.stamp == stamp);
                let expired_unanswered = c.request.is_none() && !c.last_answered;
                if still_open || expired_unanswered {
                    let action = match &c.request {
                        Some(r) if r.by_comment => CustomerAction::Comment,
                        _ => CustomerAction::Message,
                    };
                    self.customer_writes(id, action);
                }
            }
            Move::FollowUp | Move::WarnedReturn => {
                self.customer_writes(id, CustomerAction::Message)
            }
            Move::Accept => {
                self.trace_row(id, RowKind::Customer(CustomerAction::Accept));
                let t = self.now;
                let Some(c) = self.conv(id) else { return };
                let released = c.case.customer(CustomerAction::Accept, t).0;
                if released > 0 {
                    self.release(id, released);
                }
            }
        }
        self.maybe_end(id);
    }

    /// Held messages delivered at this instant.
    pub(super) fn release(&mut self, id: u32, n: u32) {
        let t = self.now;
        let counting = self.counting(t);
        let Some(c) = self.conversations[id as usize].as_mut() else {
            return;
        };
        let slot = c.channel as usize;
        if counting {
            self.counters[slot].released += u64::from(n);
        }
        if let Some(stamp) = c.held_for.take() {
            if c.request.as_ref().is_some_and(|r| r.stamp == stamp) {
                self.answer(id, t);
            }
        }
    }

    /// A request answered at `t`: closed, measured, and the customer may write again.
    pub(super) fn answer(&mut self, id: u32, t: Instant) {
        let p = self.p;
        let s = &p.scenario;
        let Some(c) = self.conversations[id as usize].as_mut() else {
            return;
        };
        let Some(r) = c.request.take() else { return };
        c.last_answered = true;
        c.held_for = None;
        let slot = c.channel as usize;
        self.week.waiting[slot].fall(t, 1);
        if r.counted {
            let k = &mut self.counters[slot];
            // Answered, so picked up: at the latest when the answer came (a request that
            // opened while its conversation was already in hand).
            record_closed(k, &r, t, Some(r.picked_at.unwrap_or(t)));
            k.first_response.record((t.0 - r.opened.0) as u64);
            k.time_to_answer.record((t.0 - r.latest.0) as u64);
            if r.at_risk && r.warned && r.wrote_after_warning {
                k.rescued += 1;
            }
        }
        let customers = &s.channels[slot].customers;
        c.may(
            &mut self.events,
            (&mut self.streams, id),
            t,
            customers.follow_up_probability,
            &customers.follow_up_delay,
            Event::Customer {
                conv: id,
                stamp: 0,
                what: Move::FollowUp,
            },
        );
    }

    /// A request closed without an answer.
    pub(super) fn close_unanswered(&mut self, id: u32) {
        let Some(c) = self.conversations[id as usize].as_mut() else {
            return;
        };
        let Some(r) = c.request.take() else { return };
        c.last_answered = false;
        let slot = c.channel as usize;
        self.week.waiting[slot].fall(self.now, 1);
        if r.counted {
            let k = &mut self.counters[slot];
            record_closed(k, &r, self.now, r.picked_at);
            k.unanswered += 1;
        }
        self.maybe_end(id);
    }

    /// Sends one business message: the rules engine decides, the counters and the trace
    /// record it.
    /// Counts a business message of conversation `id` as it is sent, apart from its
    /// decision (which [`Model::send`] counts), so that the two can be checked against each
    /// other.
    pub(super) fn count_message(&mut self, id: u32, sender: Sender) {
        if !self.counting(self.now) {
            return;
        }
        if let Some(c) = self.conversations[id as usize].as_ref() {
            self.counters[c.channel as usize].record_message(sender);
        }
    }

    pub(super) fn send(&mut self, id: u32, m: &BusinessMessage) -> Verdict {
        let t = self.now;
        let counting = self.counting(t);
        let h = self.hour();
        let p = self.p;
        let policy = &p.scenario.policy;
        let Some(c) = self.conversations[id as usize].as_mut() else {
            return Verdict::Undelivered;
        };
        let d = c.case.business(policy, m);
        let slot = c.channel as usize;
        let lost = mutants::is(Mutant::DecisionNotCounted)
            && slot == 0
            && self.counters[slot].sent_by(None) == 0;
        if counting && !lost {
            self.counters[slot].record_sent(m.sender, d.reason);
            if d.verdict == Verdict::Undelivered && self.week.segment_counted {
                self.week.hourly.undelivered[slot][h] += 1.0;
            }
        }
        self.trace_row(id, RowKind::from(*m));
        d.verdict
    }

    pub(super) fn expiry(&mut self, id: u32, stamp: u32) {
        let Some(c) = self.conv(id) else { return };
        if c.request.as_ref().is_none_or(|r| r.window_stamp != stamp) {
            return;
        }
        let until = self.deliverable_until(id);
        if until > self.now {
            // An extension or a comment's private reply can still answer it.
            self.events
                .schedule(until, Event::Expiry { conv: id, stamp });
        } else {
            self.close_unanswered(id);
        }
    }

    /// The customer's patience ran out: if no operator has picked the request up, they give
    /// up waiting (the request closes unanswered).
    pub(super) fn abandon(&mut self, id: u32, stamp: u32) {
        let Some(c) = self.conversations[id as usize].as_mut() else {
            return;
        };
        let Some(r) = c.request.as_ref().filter(|r| r.stamp == stamp) else {
            return;
        };
        if r.picked_at.is_some() || c.in_hand.is_some() {
            return;
        }
        if r.counted {
            self.counters[c.channel as usize].abandoned += 1;
        }
        c.inbox = None;
        self.close_unanswered(id);
    }

    /// Frees a conversation with nothing left to happen.
    pub(super) fn maybe_end(&mut self, id: u32) {
        let Some(c) = self.conversations[id as usize].as_ref() else {
            return;
        };
        if c.request.is_some() || c.pending > 0 || c.in_hand.is_some() || c.inbox.is_some() {
            return;
        }
        let slot = c.channel as usize;
        if c.counted {
            let k = &mut self.counters[slot];
            k.conversations += 1;
            k.lost += u64::from(!c.last_answered);
            k.still_held += u64::from(c.case.held());
        }
        self.conversations[id as usize] = None;
        self.free.push(id);
    }
}

//! Operators and their queue: shifts putting them on and off duty, the least busy free
//! operator, routing order, and composing and sending answers.

use rand_chacha::ChaCha8Rng;

use super::{Event, Model, Move, chance};
use crate::rules::{BusinessAction, BusinessMessage, Channel, Content, Sender, Verdict};
use crate::scenario::{Routing, Scenario};
use crate::sim::streams;
use crate::time::Instant;

/// The operators on duty with room for another conversation, by how many they have in hand:
/// a bit set per level, so the least busy (lowest numbered among equals) is found without
/// allocating.
pub(super) struct Available {
    levels: Vec<Vec<u64>>,
    counts: Vec<u32>,
}

impl Available {
    fn new(concurrency: u32, operators: usize) -> Available {
        let words = operators.div_ceil(64);
        Available {
            levels: vec![vec![0; words]; concurrency as usize],
            counts: vec![0; concurrency as usize],
        }
    }

    fn insert(&mut self, busy: u32, op: usize) {
        let word = &mut self.levels[busy as usize][op / 64];
        let bit = 1u64 << (op % 64);
        if *word & bit == 0 {
            *word |= bit;
            self.counts[busy as usize] += 1;
        }
    }

    fn remove(&mut self, busy: u32, op: usize) {
        let Some(level) = self.levels.get_mut(busy as usize) else {
            return;
        };
        let word = &mut level[op / 64];
        let bit = 1u64 << (op % 64);
        if *word & bit != 0 {
            *word &= !bit;
            self.counts[busy as usize] -= 1;
        }
    }

    /// The least busy available operator, the lowest numbered among equals.
    fn first(&self) -> Option<usize> {
        let level = self.counts.iter().position(|&n| n > 0)?;
        let words = &self.levels[level];
        words
            .iter()
            .position(|&w| w != 0)
            .map(|i| i * 64 + words[i].trailing_zeros() as usize)
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Operator {
    pub(super) shift: u16,
    /// Their shift is running: they take new conversations.
    pub(super) on_duty: bool,
    /// Counted as on duty in the time-weighted sums: during their shift, and after it while
    /// they finish the answers they have in hand (so occupancy never exceeds 1).
    pub(super) counted: bool,
    pub(super) busy: u32,
}

/// A queued conversation: the routing key, then the order of queueing.
pub(super) type QueueEntry = std::cmp::Reverse<(i64, u64, u32, u32)>;

/// The operators of one replication: who is on duty, how busy, the shifts in force, the
/// queue of conversations waiting for them, and their random stream (handle times,
/// content).
pub(super) struct Staff {
    pub(super) operators: Vec<Operator>,
    /// Operators on duty with room for another conversation.
    pub(super) available: Available,
    /// Per shift: how many of its periods are running now (periods may overlap).
    pub(super) shift_active: Vec<u32>,
    /// Operators counted on duty: in their shift, or finishing after it.
    pub(super) on_duty: u32,
    /// Operators whose shift is running (what the off-hours bot asks).
    pub(super) on_shift: u32,
    /// Conversations in hand, all operators together.
    pub(super) busy: u32,
    /// The next change of the shift calendar.
    pub(super) next_shift: usize,
    pub(super) queue: std::collections::BinaryHeap<QueueEntry>,
    pub(super) queue_seq: u64,
    pub(super) rng: ChaCha8Rng,
    pub(super) concurrency: u32,
}

impl Staff {
    pub(super) fn new(scenario: &Scenario, replication: u32) -> Staff {
        let mut operators = Vec::new();
        for (i, shift) in scenario.operators.shifts.iter().enumerate() {
            for _ in 0..shift.operators {
                operators.push(Operator {
                    shift: i as u16,
                    on_duty: false,
                    counted: false,
                    busy: 0,
                });
            }
        }
        let concurrency = scenario.operators.concurrency;
        Staff {
            available: Available::new(concurrency, operators.len()),
            operators,
            shift_active: vec![0; scenario.operators.shifts.len()],
            on_duty: 0,
            on_shift: 0,
            busy: 0,
            next_shift: 0,
            queue: Default::default(),
            queue_seq: 0,
            rng: streams::rng(scenario.seed, replication, streams::OPERATORS),
            concurrency,
        }
    }

    /// Sets an operator's conversations in hand, keeping the set of available operators.
    /// An operator whose shift has ended stops counting as on duty with their last answer.
    pub(super) fn set_busy(&mut self, op: usize, busy: u32) {
        let o = &mut self.operators[op];
        self.available.remove(o.busy, op);
        o.busy = busy;
        if o.on_duty && busy < self.concurrency {
            self.available.insert(busy, op);
        }
        if !o.on_duty && o.counted && busy == 0 {
            o.counted = false;
            self.on_duty -= 1;
        }
    }

    /// Puts the operators of `shift` on or off duty.
    pub(super) fn set_on_duty(&mut self, shift: usize, on: bool) {
        for (i, o) in self
            .operators
            .iter_mut()
            .enumerate()
            .filter(|(_, o)| o.shift as usize == shift)
        {
            o.on_duty = on;
            if on {
                self.on_shift += 1;
                // Still finishing the last shift's answers: already counted.
                if !o.counted {
                    o.counted = true;
                    self.on_duty += 1;
                }
                if o.busy < self.concurrency {
                    self.available.insert(o.busy, i);
                }
            } else {
                self.on_shift -= 1;
                self.available.remove(o.busy, i);
                if o.busy == 0 {
                    o.counted = false;
                    self.on_duty -= 1;
                }
            }
        }
    }
}

impl Model<'_> {
    pub(super) fn enqueue(&mut self, id: u32) {
        let Some(c) = self.conversations[id as usize].as_ref() else {
            return;
        };
        let Some(inbox) = c.inbox else { return };
        let key = match self.p.scenario.operators.routing {
            Routing::Fifo => inbox.since.0,
            Routing::Deadline => match self.deliverable_until(id) {
                // A public reply has no deadline: it ranks like a comment's private reply,
                // so that comment threads are not starved by an endless stream of windows.
                Instant::ALWAYS => {
                    let policy = self.p.scenario.policy.channel(c.case.channel());
                    policy.credit_end(inbox.since).0
                }
                until => until.0,
            },
        };
        self.staff.queue_seq += 1;
        self.staff.queue.push(std::cmp::Reverse((
            key,
            self.staff.queue_seq,
            id,
            inbox.stamp,
        )));
        // Entries made stale by a later customer message (deadline routing queues the
        // conversation again) leave only when popped; when they outnumber the live ones,
        // they are swept out, so the queue stays proportional to the customers waiting.
        if self.staff.queue.len() > 2 * self.conversations.len() + 1024 {
            let conversations = &self.conversations;
            self.staff
                .queue
                .retain(|std::cmp::Reverse((_, _, id, stamp))| {
                    conversations
                        .get(*id as usize)
                        .and_then(Option::as_ref)
                        .and_then(|c| c.inbox)
                        .is_some_and(|i| i.stamp == *stamp)
                });
        }
    }

    /// Gives waiting conversations to free operators, in routing order.
    pub(super) fn dispatch(&mut self) {
        let p = self.p;
        while let Some(op) = self.staff.available.first() {
            let Some(std::cmp::Reverse((_, _, id, stamp))) = self.staff.queue.pop() else {
                return;
            };
            let Some(c) = self.conversations[id as usize].as_mut() else {
                continue;
            };
            let Some(inbox) = c.inbox.filter(|i| i.stamp == stamp) else {
                continue;
            };
            c.inbox = None;
            if p.scenario.operators.routing == Routing::Deadline
                && self.deliverable_until(id) <= self.now
            {
                // Nothing an operator writes could reach this customer now: skipped.
                self.maybe_end(id);
                continue;
            }
            let Some(c) = self.conversations[id as usize].as_mut() else {
                continue;
            };
            c.in_hand = Some(inbox.by_comment);
            let t = self.now;
            if let Some(r) = &mut c.request {
                if r.picked_at.is_none() {
                    r.picked_at = Some(t);
                    if r.counted {
                        let slot = c.channel as usize;
                        let counters = &mut self.counters[slot];
                        counters.picked_up += 1;
                        counters.waited += u64::from(t > r.opened);
                        counters.wait_total += (t.0 - r.opened.0) as u64;
                    }
                }
            }
            let ops = &p.scenario.operators;
            let busy = self.staff.operators[op].busy;
            let base = ops.handle_time.sample(&mut self.staff.rng);
            let slowed = base as f64 * (1.0 + ops.busy_slowdown * f64::from(busy));
            self.staff.set_busy(op, busy + 1);
            self.integrate();
            self.staff.busy += 1;
            self.events.schedule(
                t.plus(slowed.round() as i64),
                Event::AnswerReady {
                    conv: id,
                    operator: op as u32,
                },
            );
        }
    }

    pub(super) fn answer_ready(&mut self, id: u32, op: usize) {
        // Integrated first: finishing may take the operator off duty.
        self.integrate();
        self.staff
            .set_busy(op, self.staff.operators[op].busy.saturating_sub(1));
        self.staff.busy = self.staff.busy.saturating_sub(1);
        let t = self.now;
        let p = self.p;
        let s = &p.scenario;
        let ops = &s.operators;
        let Some(c) = self.conversations[id as usize].as_mut() else {
            self.dispatch();
            return;
        };
        let by_comment = c.in_hand.take().unwrap_or(false);
        let channel = s.channels[c.channel as usize].channel;
        let mut promotional = || {
            if chance(&mut self.staff.rng, ops.promotional_share) {
                Content::Promotional
            } else {
                Content::Related
            }
        };
        // The answer's messages, in a buffer kept between answers.
        let mut messages = std::mem::take(&mut self.outbox);
        messages.clear();
        let direct = |content| BusinessMessage {
            sender: Sender::Operator,
            action: BusinessAction::Message,
            content,
            tagged: false,
            at: t,
        };
        match (by_comment, channel) {
            (true, Channel::Facebook) => {
                messages.push(BusinessMessage {
                    action: BusinessAction::CommentReply,
                    ..direct(promotional())
                });
                if ops.facebook_private_reply {
                    messages.push(direct(promotional()));
                }
            }
            (true, Channel::Instagram) => {
                messages.push(direct(promotional()));
                let follow_ups = ops.instagram_follow_ups.sample(&mut c.rng);
                for _ in 0..follow_ups {
                    messages.push(direct(promotional()));
                }
            }
            _ => {
                let tagged = ops.human_agent_tagging && c.case.needs_tag(&s.policy, t);
                messages.push(BusinessMessage {
                    tagged,
                    ..direct(promotional())
                });
            }
        }
        let mut answered = false;
        for m in &messages {
            self.count_message(id, m.sender);
            let verdict = self.send(id, m);
            let Some(c) = self.conversations[id as usize].as_mut() else {
                break;
            };
            match verdict {
                Verdict::Delivered if !answered && c.request.is_some() => {
                    answered = true;
                    self.answer(id, t);
                }
                Verdict::Held => {
                    if let Some(r) = &c.request {
                        c.held_for.get_or_insert(r.stamp);
                    }
                }
                _ => {}
            }
        }
        self.outbox = messages;
        if let Some(c) = self.conversations[id as usize].as_mut() {
            let customers = &s.channels[c.channel as usize].customers;
            if c.case.held() > 0 {
                c.may(
                    &mut self.events,
                    t,
                    customers.accept_probability,
                    &customers.accept_delay,
                    Event::Customer {
                        conv: id,
                        stamp: 0,
                        what: Move::Accept,
                    },
                );
            }
        }
        self.maybe_end(id);
        self.dispatch();
    }

    pub(super) fn apply_shift_change(&mut self) {
        let change = self.p.shifts[self.staff.next_shift];
        self.staff.next_shift += 1;
        let shift = change.shift as usize;
        let active = &mut self.staff.shift_active[shift];
        let was_on = *active > 0;
        if change.starts {
            *active += 1;
        } else {
            *active = active.saturating_sub(1);
        }
        let is_on = *active > 0;
        if was_on != is_on {
            self.integrate();
            self.staff.set_on_duty(shift, is_on);
        }
    }

    pub(super) fn apply_due_shifts(&mut self) {
        while self.staff.next_shift < self.p.shifts.len()
            && self.p.shifts[self.staff.next_shift].at <= self.now
        {
            self.apply_shift_change();
        }
    }

    pub(super) fn shift_change(&mut self) {
        self.apply_due_shifts();
        if self.staff.next_shift < self.p.shifts.len() {
            self.events
                .schedule(self.p.shifts[self.staff.next_shift].at, Event::Shift);
        }
        self.dispatch();
    }
}

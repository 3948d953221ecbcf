//! Operators and their queue: shifts putting them on and off duty, the least busy free
//! operator, routing order, and composing and sending answers.

use rand_chacha::ChaCha8Rng;

use super::week::Level;
use super::{Event, Model, Move, chance};
use crate::rules::{BusinessAction, BusinessMessage, Channel, Content, Sender, Verdict};
use crate::scenario::{Routing, Scenario};
use crate::sim::streams;
use crate::time::{Instant, round_to_i64};

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
    pub(super) team: u16,
    /// Their shift is running: they take new conversations.
    pub(super) on_duty: bool,
    /// Counted as on duty in the time-weighted sums: during their shift, and after it while
    /// they finish the answers they have in hand (so occupancy never exceeds 1).
    pub(super) counted: bool,
    pub(super) busy: u32,
}

/// A queued conversation: the routing key, then the order of queueing.
pub(super) type QueueEntry = std::cmp::Reverse<(i64, u64, u32, u32)>;

/// A team's desk: the conversations waiting for it and its operators with room for one
/// more, and what its occupancy needs.
pub(super) struct TeamDesk {
    /// Operators of the team on duty with room for another conversation.
    pub(super) available: Available,
    pub(super) queue: std::collections::BinaryHeap<QueueEntry>,
    pub(super) concurrency: u32,
    pub(super) routing: Routing,
    /// Operators whose shift is running (what the off-hours bot asks).
    pub(super) on_shift: u32,
    /// Operators counted on duty, and conversations in hand.
    pub(super) on_duty: Level,
    pub(super) busy: Level,
}

/// The operators of one replication: who is on duty, how busy, the shifts in force, each
/// team's desk, and their random stream (handle times, content).
pub(super) struct Staff {
    pub(super) operators: Vec<Operator>,
    pub(super) teams: Vec<TeamDesk>,
    /// Per channel slot: the teams serving it, in the order they take its conversations.
    pub(super) serving: Vec<Vec<u16>>,
    /// Per shift (of the run's calendar): its team, and how many of its periods are running
    /// now (periods may overlap).
    pub(super) shift_team: Vec<u16>,
    pub(super) shift_active: Vec<u32>,
    /// The next change of the shift calendar.
    pub(super) next_shift: usize,
    pub(super) queue_seq: u64,
    pub(super) rng: ChaCha8Rng,
}

impl Staff {
    pub(super) fn new(scenario: &Scenario, replication: u32) -> Staff {
        let ops = &scenario.operators;
        let mut operators = Vec::new();
        let mut shift_team = Vec::new();
        let mut sizes = vec![0usize; ops.teams.len()];
        for (i, (team, shift)) in ops.shifts().enumerate() {
            shift_team.push(team as u16);
            for _ in 0..shift.operators {
                operators.push(Operator {
                    shift: i as u16,
                    team: team as u16,
                    on_duty: false,
                    counted: false,
                    busy: 0,
                });
                sizes[team] += 1;
            }
        }
        let teams = ops
            .teams
            .iter()
            .map(|t| TeamDesk {
                // Numbered like `operators`, so a team's set spans every operator.
                available: Available::new(t.concurrency, operators.len()),
                queue: Default::default(),
                concurrency: t.concurrency,
                routing: t.routing,
                on_shift: 0,
                on_duty: Level::default(),
                busy: Level::default(),
            })
            .collect();
        let serving = scenario
            .channels
            .iter()
            .map(|c| ops.serving(c.channel).map(|t| t as u16).collect())
            .collect();
        Staff {
            operators,
            teams,
            serving,
            shift_active: vec![0; shift_team.len()],
            shift_team,
            next_shift: 0,
            queue_seq: 0,
            rng: streams::rng(scenario.seed, replication, streams::OPERATORS),
        }
    }

    /// Counts operator `op` on duty (in the sums) from `now` or not.
    fn count(&mut self, op: usize, counted: bool, now: Instant) {
        let o = &mut self.operators[op];
        if o.counted == counted {
            return;
        }
        o.counted = counted;
        let team = &mut self.teams[o.team as usize];
        if counted {
            team.on_duty.rise(now, 1);
        } else {
            team.on_duty.fall(now, 1);
        }
    }

    /// Operator `op` takes a conversation at `now`, keeping their team's set of available
    /// operators. (Taking and finishing are two functions, not one given the new count: one
    /// function's branches would alternate between its two callers.)
    pub(super) fn take_one(&mut self, op: usize, now: Instant) {
        let o = &mut self.operators[op];
        let team = &mut self.teams[o.team as usize];
        team.available.remove(o.busy, op);
        team.busy.rise(now, 1);
        o.busy += 1;
        if o.on_duty && o.busy < team.concurrency {
            team.available.insert(o.busy, op);
        }
    }

    /// Operator `op` has finished a conversation at `now`. An operator whose shift has ended
    /// stops counting as on duty with their last answer.
    pub(super) fn finish_one(&mut self, op: usize, now: Instant) {
        let o = &mut self.operators[op];
        let team = &mut self.teams[o.team as usize];
        team.available.remove(o.busy, op);
        let busy = o.busy.saturating_sub(1);
        team.busy.fall(now, o.busy - busy);
        o.busy = busy;
        if o.on_duty && busy < team.concurrency {
            team.available.insert(busy, op);
        }
        if !o.on_duty && busy == 0 {
            self.count(op, false, now);
        }
    }

    /// Puts the operators of `shift` on or off duty from `now`.
    pub(super) fn set_on_duty(&mut self, shift: usize, on: bool, now: Instant) {
        for i in 0..self.operators.len() {
            let o = self.operators[i];
            if o.shift as usize != shift {
                continue;
            }
            self.operators[i].on_duty = on;
            let team = &mut self.teams[o.team as usize];
            if on {
                team.on_shift += 1;
                if o.busy < team.concurrency {
                    team.available.insert(o.busy, i);
                }
                // Still finishing the last shift's answers: already counted.
                self.count(i, true, now);
            } else {
                team.on_shift -= 1;
                team.available.remove(o.busy, i);
                if o.busy == 0 {
                    self.count(i, false, now);
                }
            }
        }
    }

    /// Whether an operator of a team serving channel slot `c` is in their shift.
    pub(super) fn anyone_on_shift(&self, c: usize) -> bool {
        self.serving[c]
            .iter()
            .any(|&t| self.teams[t as usize].on_shift > 0)
    }
}

impl Model<'_> {
    /// Puts a conversation waiting for an answer in the queue of every team serving its
    /// channel, ranked by that team's routing: the first team with room takes it.
    pub(super) fn enqueue(&mut self, id: u32) {
        // A buffer kept between calls: queueing happens at every customer message.
        let mut keys = std::mem::take(&mut self.queue_keys);
        let Some(c) = self.conversations[id as usize].as_ref() else {
            return;
        };
        let Some(inbox) = c.inbox else { return };
        let slot = c.channel as usize;
        let deadline = || match self.deliverable_until(id) {
            // A public reply has no deadline: it ranks like a comment's private reply,
            // so that comment threads are not starved by an endless stream of windows.
            Instant::ALWAYS => {
                let policy = self.p.scenario.policy.channel(c.case.channel());
                policy.credit_end(inbox.since).0
            }
            until => until.0,
        };
        keys.clear();
        keys.extend(self.staff.serving[slot].iter().map(|&t| {
            let key = match self.staff.teams[t as usize].routing {
                Routing::Fifo => inbox.since.0,
                Routing::Deadline => deadline(),
            };
            (t, key)
        }));
        for &(t, key) in &keys {
            self.staff.queue_seq += 1;
            let seq = self.staff.queue_seq;
            let queue = &mut self.staff.teams[t as usize].queue;
            queue.push(std::cmp::Reverse((key, seq, id, inbox.stamp)));
            // Entries made stale by a later customer message (deadline routing queues the
            // conversation again), or taken by another team, leave only when popped; when
            // they outnumber the live ones, they are swept out, so the queue stays
            // proportional to the customers waiting.
            if queue.len() > 2 * self.conversations.len() + 1024 {
                let conversations = &self.conversations;
                queue.retain(|std::cmp::Reverse((_, _, id, stamp))| {
                    conversations
                        .get(*id as usize)
                        .and_then(Option::as_ref)
                        .and_then(|c| c.inbox)
                        .is_some_and(|i| i.stamp == *stamp)
                });
            }
        }
        self.queue_keys = keys;
    }

    /// Gives waiting conversations to free operators: team by team in the order listed,
    /// each in its routing order.
    pub(super) fn dispatch(&mut self) {
        for team in 0..self.staff.teams.len() {
            self.dispatch_team(team);
        }
    }

    fn dispatch_team(&mut self, team: usize) {
        let p = self.p;
        let handle_time = &p.scenario.operators.teams[team].handle_time;
        // The queue is asked first: it is often empty when an operator finishes.
        while !self.staff.teams[team].queue.is_empty() {
            let Some(op) = self.staff.teams[team].available.first() else {
                return;
            };
            let Some(std::cmp::Reverse((_, _, id, stamp))) = self.staff.teams[team].queue.pop()
            else {
                return;
            };
            let Some(c) = self.conversations[id as usize].as_mut() else {
                continue;
            };
            let Some(inbox) = c.inbox.filter(|i| i.stamp == stamp) else {
                continue;
            };
            c.inbox = None;
            if self.staff.teams[team].routing == Routing::Deadline
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
            let base = handle_time.sample(&mut self.staff.rng);
            let slowdown = p.scenario.operators.busy_slowdown;
            // Without slowdown the product below is `base` exactly (a whole number of
            // milliseconds, at most a year): skipped.
            let handle = if slowdown == 0.0 {
                base
            } else {
                let busy = self.staff.operators[op].busy;
                round_to_i64(base as f64 * (1.0 + slowdown * f64::from(busy)))
            };
            self.staff.take_one(op, t);
            self.events.schedule(
                t.plus(handle),
                Event::AnswerReady {
                    conv: id,
                    operator: op as u32,
                },
            );
        }
    }

    pub(super) fn answer_ready(&mut self, id: u32, op: usize) {
        self.staff.finish_one(op, self.now);
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
                let follow_ups = ops.instagram_follow_ups.sample(self.streams.get(id));
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
                    (&mut self.streams, id),
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

    #[inline(never)]
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
        if change.starts {
            self.record_backlog(shift);
        }
        if was_on != is_on {
            self.staff.set_on_duty(shift, is_on, self.now);
        }
    }

    /// At the start of `shift`: the conversations waiting on each channel its team serves,
    /// those an answer could still reach and those past every window.
    fn record_backlog(&mut self, shift: usize) {
        if !self.counting(self.now) {
            return;
        }
        let team = self.staff.shift_team[shift] as usize;
        let mut waiting = vec![(0u32, 0u32); self.p.scenario.channels.len()];
        for (id, c) in self.conversations.iter().enumerate() {
            let Some(c) = c else { continue };
            if c.inbox.is_none() || !self.staff.serving[c.channel as usize].contains(&(team as u16))
            {
                continue;
            }
            let answerable = self.deliverable_until(id as u32) > self.now;
            let w = &mut waiting[c.channel as usize];
            if answerable {
                w.0 += 1;
            } else {
                w.1 += 1;
            }
        }
        let backlog = &mut self.week.backlog[shift];
        backlog.starts += 1.0;
        for (slot, (answerable, past)) in waiting.into_iter().enumerate() {
            backlog.answerable[slot] += f64::from(answerable);
            backlog.past_windows[slot] += f64::from(past);
        }
    }

    /// Applies the shift changes due by now. Asked at every event, so inlined; a change
    /// itself is rare.
    #[inline]
    pub(super) fn apply_due_shifts(&mut self) {
        while self
            .p
            .shifts
            .get(self.staff.next_shift)
            .is_some_and(|change| change.at <= self.now)
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

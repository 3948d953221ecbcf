//! One replication: customers, operators and bots on the three channels, driven by the
//! event list, every business message adjudicated by the rules engine when it is sent.

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::events::EventList;
use super::{Prepared, streams};
use crate::metrics::{Counters, Hourly, ReplicationMetrics, weeks};
use crate::rules::{
    AnswerStyle, BusinessAction, BusinessMessage, Case, Channel, Content, CustomerAction, Sender,
    Verdict,
};
use crate::scenario::{DurationDist, Routing};
use crate::time::{HOUR, Instant};
use crate::trace::{RowKind, TraceRecord, outcomes};

/// What a customer does on their own, later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Move {
    /// Writes again after a delivered answer.
    FollowUp,
    /// Writes again when left without an answer.
    Nudge,
    /// Writes again after a bot's window warning.
    WarnedReturn,
    /// Accepts Instagram's conversation request.
    Accept,
}

/// An entry of the event list. Timers carry the stamp of what they were set for; a timer
/// whose stamp no longer matches is stale and does nothing (cheap cancellation).
#[derive(Clone, Copy, Debug)]
enum Event {
    Arrival { channel: u8 },
    Customer { conv: u32, stamp: u32, what: Move },
    AnswerReady { conv: u32, operator: u32 },
    NoAnswerBot { conv: u32, stamp: u32 },
    WindowWarning { conv: u32, stamp: u32 },
    WindowCheck { conv: u32, stamp: u32 },
    Expiry { conv: u32, stamp: u32 },
    Abandon { conv: u32, stamp: u32 },
    Shift,
    Hour,
}

/// A customer's open request, as the metrics see it.
#[derive(Clone, Debug)]
struct Request {
    stamp: u32,
    opened: Instant,
    counted: bool,
    by_comment: bool,
    /// The customer's latest message or comment joining this request.
    latest: Instant,
    /// Stamps of the window timers (warning, expiry) and of the coverage check.
    window_stamp: u32,
    check_stamp: u32,
    warned: bool,
    wrote_after_warning: bool,
    at_risk: bool,
    picked_up: bool,
}

/// What operators see: a customer message waiting for them.
#[derive(Clone, Copy, Debug)]
struct Inbox {
    stamp: u32,
    since: Instant,
    by_comment: bool,
}

struct Conversation {
    serial: u64,
    channel: u8,
    counted: bool,
    case: Case,
    rng: ChaCha8Rng,
    /// Customer moves scheduled and not yet happened.
    pending: u16,
    /// An operator is composing an answer (for a comment thread or not).
    in_hand: Option<bool>,
    inbox: Option<Inbox>,
    request: Option<Request>,
    last_answered: bool,
    /// The request whose operator answer is held, waiting for release.
    held_for: Option<u32>,
}

impl Conversation {
    /// With probability `p` the customer does `event` after a delay drawn from `delay`
    /// (counted as pending until it happens).
    fn may(
        &mut self,
        events: &mut EventList<Event>,
        now: Instant,
        p: f64,
        delay: &DurationDist,
        event: Event,
    ) {
        if chance(&mut self.rng, p) {
            let d = delay.sample(&mut self.rng);
            self.pending += 1;
            events.schedule(now.plus(d), event);
        }
    }
}

/// The operators on duty with room for another conversation, by how many they have in hand:
/// a bit set per level, so the least busy (lowest numbered among equals) is found without
/// allocating.
struct Available {
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
struct Operator {
    shift: u16,
    on_duty: bool,
    busy: u32,
}

/// A queued conversation: the routing key, then the order of queueing.
type QueueEntry = std::cmp::Reverse<(i64, u64, u32, u32)>;

/// The result of one replication.
pub struct Replication {
    pub metrics: ReplicationMetrics,
    /// Conversations that arrived, warm-up included.
    pub customers: u64,
    pub events: u64,
    pub peak_events: usize,
    pub trace: Option<Vec<TraceRecord>>,
}

struct Model<'a> {
    p: &'a Prepared,
    now: Instant,
    events: EventList<Event>,
    conversations: Vec<Option<Conversation>>,
    free: Vec<u32>,
    next_serial: u64,
    next_stamp: u32,
    queue: std::collections::BinaryHeap<QueueEntry>,
    queue_seq: u64,
    operators: Vec<Operator>,
    /// Messages of the answer being sent (reused).
    outbox: Vec<BusinessMessage>,
    /// Operators on duty with room for another conversation.
    available: Available,
    shift_active: Vec<u32>,
    on_duty: u32,
    busy: u32,
    next_shift: usize,
    arrival_rng: Vec<ChaCha8Rng>,
    arrival_segment: Vec<usize>,
    customer_seeds: Vec<ChaCha8Rng>,
    operator_rng: ChaCha8Rng,
    counters: Vec<Counters>,
    hourly: Hourly,
    waiting: Vec<u32>,
    segment: usize,
    segment_counted: bool,
    last_advance: Instant,
    warm_up_end: Instant,
    trace: Option<Vec<TraceRecord>>,
}

/// Runs replication `replication` of the prepared scenario.
pub fn run(p: &Prepared, replication: u32, with_trace: bool) -> Replication {
    let s = &p.scenario;
    let n = s.channels.len();
    let mut operators = Vec::new();
    for (i, shift) in s.operators.shifts.iter().enumerate() {
        for _ in 0..shift.operators {
            operators.push(Operator {
                shift: i as u16,
                on_duty: false,
                busy: 0,
            });
        }
    }
    let operators_total = operators.len();
    let mut m = Model {
        p,
        now: s.start,
        events: EventList::new(s.start, HOUR),
        conversations: Vec::new(),
        free: Vec::new(),
        next_serial: 0,
        next_stamp: 0,
        queue: Default::default(),
        queue_seq: 0,
        operators,
        outbox: Vec::new(),
        available: Available::new(s.operators.concurrency, operators_total),
        shift_active: vec![0; s.operators.shifts.len()],
        on_duty: 0,
        busy: 0,
        next_shift: 0,
        arrival_rng: (0..n)
            .map(|c| streams::rng(s.seed, replication, streams::ARRIVALS + c as u64))
            .collect(),
        arrival_segment: vec![0; n],
        customer_seeds: (0..n)
            .map(|c| streams::rng(s.seed, replication, streams::CUSTOMERS + c as u64))
            .collect(),
        operator_rng: streams::rng(s.seed, replication, streams::OPERATORS),
        counters: vec![Counters::default(); n],
        hourly: Hourly::new(n),
        waiting: vec![0; n],
        segment: 0,
        segment_counted: false,
        last_advance: s.start,
        warm_up_end: s.warm_up_end(),
        trace: with_trace.then(Vec::new),
    };
    m.start();
    let end = s.end();
    while let Some(at) = m.events.next_at() {
        if at >= end {
            break;
        }
        let Some((at, event)) = m.events.pop() else {
            break;
        };
        m.now = at;
        // Shifts change before anything else at the same instant: a shift is [start, end).
        m.apply_due_shifts();
        m.handle(event);
    }
    m.finish(end)
}

impl Model<'_> {
    fn start(&mut self) {
        let start = self.p.scenario.start;
        // Shifts already running at the start.
        self.apply_due_shifts();
        if self.next_shift < self.p.shifts.len() {
            self.events
                .schedule(self.p.shifts[self.next_shift].at, Event::Shift);
        }
        self.enter_segment(0);
        for c in 0..self.p.scenario.channels.len() {
            if let Some(at) = self.next_arrival(c, start) {
                self.events
                    .schedule(at, Event::Arrival { channel: c as u8 });
            }
        }
    }

    fn stamp(&mut self) -> u32 {
        self.next_stamp = self.next_stamp.wrapping_add(1);
        self.next_stamp
    }

    fn counting(&self, t: Instant) -> bool {
        t >= self.warm_up_end
    }

    // ----- local hours and time-weighted sums -----

    fn enter_segment(&mut self, i: usize) {
        self.integrate();
        self.segment = i;
        let hours = &self.p.hours;
        if i >= hours.len() {
            return;
        }
        self.segment_counted = self.counting(hours.starts[i]);
        if self.segment_counted {
            self.hourly.occurrences[hours.hours[i] as usize] += 1.0;
        }
        if i + 1 < hours.len() {
            self.events.schedule(hours.starts[i + 1], Event::Hour);
        }
    }

    fn hour(&self) -> usize {
        self.p.hours.hours.get(self.segment).copied().unwrap_or(0) as usize
    }

    /// Integrates the time-weighted quantities (customers waiting, operators on duty, busy
    /// and capacity) up to now. Called before any of them changes and at every hour, so
    /// that between two calls they are constant.
    fn integrate(&mut self) {
        let dt = (self.now.0 - self.last_advance.0) as f64;
        if dt > 0.0 && self.segment_counted {
            let h = self.hour();
            for (c, w) in self.waiting.iter().enumerate() {
                self.hourly.waiting[c][h] += f64::from(*w) * dt;
            }
            self.hourly.on_duty[h] += f64::from(self.on_duty) * dt;
            self.hourly.busy[h] += f64::from(self.busy) * dt;
            self.hourly.capacity[h] +=
                f64::from(self.on_duty * self.p.scenario.operators.concurrency) * dt;
            self.hourly.span[h] += dt;
        }
        self.last_advance = self.now;
    }

    // ----- arrivals -----

    /// The next arrival on channel slot `c` after `from`: a non-homogeneous Poisson process,
    /// sampled exactly over the piecewise-constant hourly rates.
    fn next_arrival(&mut self, c: usize, from: Instant) -> Option<Instant> {
        if let Some(every) = self.p.scenario.channels[c].arrival_interval {
            // Deterministic arrivals: at the start, then every `every`.
            let at = if from == self.p.scenario.start && self.arrival_segment[c] == 0 {
                from
            } else {
                from.plus(every)
            };
            self.arrival_segment[c] = 1;
            return (at < self.p.scenario.end()).then_some(at);
        }
        let hours = &self.p.hours;
        let rates = &self.p.scenario.channels[c].hourly_rate;
        let end = self.p.scenario.end();
        let mut need: f64 = -(1.0 - self.arrival_rng[c].random::<f64>()).ln();
        let mut t = from;
        let mut i = self.arrival_segment[c];
        while i < hours.len() {
            let seg_end = hours.starts.get(i + 1).copied().unwrap_or(end);
            if seg_end <= t {
                i += 1;
                continue;
            }
            let rate = rates[hours.hours[i] as usize] / 3_600_000.0;
            let span = (seg_end.0 - t.0) as f64;
            if rate * span > need {
                self.arrival_segment[c] = i;
                return Some(Instant(t.0 + (need / rate).ceil() as i64));
            }
            need -= rate * span;
            t = seg_end;
            i += 1;
        }
        self.arrival_segment[c] = i;
        None
    }

    fn arrival(&mut self, c: usize) {
        let t = self.now;
        if let Some(next) = self.next_arrival(c, t) {
            self.events
                .schedule(next, Event::Arrival { channel: c as u8 });
        }
        let p = self.p;
        let traffic = &p.scenario.channels[c];
        let mut seed = [0u8; 32];
        self.customer_seeds[c].fill_bytes(&mut seed);
        let mut rng = ChaCha8Rng::from_seed(seed);
        let comment = chance(&mut rng, traffic.comment_share);
        let counted = self.counting(t);
        if counted {
            let h = self.hour();
            self.hourly.arrivals[c][h] += 1.0;
        }
        let conv = Conversation {
            serial: self.next_serial,
            channel: c as u8,
            counted,
            case: Case::new(traffic.channel),
            rng,
            pending: 0,
            in_hand: None,
            inbox: None,
            request: None,
            last_answered: false,
            held_for: None,
        };
        self.next_serial += 1;
        let id = match self.free.pop() {
            Some(id) => {
                self.conversations[id as usize] = Some(conv);
                id
            }
            None => {
                self.conversations.push(Some(conv));
                (self.conversations.len() - 1) as u32
            }
        };
        if comment {
            self.customer_writes(id, CustomerAction::Comment);
        } else {
            self.customer_writes(id, CustomerAction::Message);
            if self.p.scenario.bots.on_arrival {
                self.bot_sends(id);
            }
        }
    }

    fn conv(&mut self, id: u32) -> Option<&mut Conversation> {
        self.conversations
            .get_mut(id as usize)
            .and_then(Option::as_mut)
    }

    // ----- customers -----

    /// Writes a row of conversation `id` into the trace, when one is kept. Its expectations
    /// are the engine's, filled in at the end of the run ([`outcomes`]).
    fn trace_row(&mut self, id: u32, kind: RowKind) {
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
    fn customer_writes(&mut self, id: u32, action: CustomerAction) {
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
        // The operators' inbox.
        let mut enqueue = false;
        match &mut c.inbox {
            // A later deadline for deadline routing: queued again with the new key.
            Some(inbox) if s.operators.routing == Routing::Deadline => {
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
                    picked_up: false,
                });
                true
            }
        };
        let request = c.request.clone();
        if opened {
            self.integrate();
            self.waiting[slot] += 1;
        }
        let Some(r) = request else { return };
        let recheck = opened || !r.warned;
        self.set_window_timers(id, &r, opened, recheck);
        if enqueue {
            self.enqueue(id);
        }
        if opened && !r.by_comment && s.bots.off_hours && self.on_duty == 0 {
            self.bot_sends(id);
        }
        self.dispatch();
    }

    /// Timers of a request whose window just (re)started.
    fn set_window_timers(&mut self, id: u32, r: &Request, opened: bool, recheck: bool) {
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
                let p = patience.sample(&mut c.rng);
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
        // still open when it is checked, and expires after.
        if let (true, Some(end)) = (recheck, window_end) {
            self.events.schedule(
                end,
                Event::WindowCheck {
                    conv: id,
                    stamp: r.check_stamp,
                },
            );
        }
        // Expiry is first looked at when the standard window closes: most requests are
        // answered by then, and a timer days away would only sit stale in the event list.
        let until = self.deliverable_until(id);
        let first_look = window_end.map_or(until, |end| until.min(end));
        if first_look < Instant::ALWAYS {
            self.events.schedule(
                first_look.max(t),
                Event::Expiry {
                    conv: id,
                    stamp: r.window_stamp,
                },
            );
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
    fn answer_style(&self, c: &Conversation) -> AnswerStyle {
        let s = &self.p.scenario;
        let by_comment = c.request.as_ref().is_some_and(|r| r.by_comment);
        AnswerStyle {
            public_reply: by_comment && c.case.channel() == Channel::Facebook,
            tag_when_late: !by_comment && s.operators.human_agent_tagging,
        }
    }

    /// The instant from which an operator's answer can no longer reach the customer (the
    /// engine decides: windows, the extension, comment credits, public replies).
    fn deliverable_until(&self, id: u32) -> Instant {
        let Some(c) = self.conversations[id as usize].as_ref() else {
            return Instant::NEVER;
        };
        c.case
            .deliverable_until(&self.p.scenario.policy, self.answer_style(c))
    }

    fn customer_moves(&mut self, id: u32, stamp: u32, what: Move) {
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
    fn release(&mut self, id: u32, n: u32) {
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

    // ----- operators -----

    fn enqueue(&mut self, id: u32) {
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
        self.queue_seq += 1;
        self.queue
            .push(std::cmp::Reverse((key, self.queue_seq, id, inbox.stamp)));
        // Entries made stale by a later customer message (deadline routing queues the
        // conversation again) leave only when popped; when they outnumber the live ones,
        // they are swept out, so the queue stays proportional to the customers waiting.
        if self.queue.len() > 2 * self.conversations.len() + 1024 {
            let conversations = &self.conversations;
            self.queue.retain(|std::cmp::Reverse((_, _, id, stamp))| {
                conversations
                    .get(*id as usize)
                    .and_then(Option::as_ref)
                    .and_then(|c| c.inbox)
                    .is_some_and(|i| i.stamp == *stamp)
            });
        }
    }

    /// The least busy operator on duty with room for one more conversation (the lowest
    /// number among equals).
    fn free_operator(&self) -> Option<usize> {
        self.available.first()
    }

    /// Sets an operator's conversations in hand, keeping the set of available operators.
    fn set_busy(&mut self, op: usize, busy: u32) {
        let o = &mut self.operators[op];
        self.available.remove(o.busy, op);
        o.busy = busy;
        if o.on_duty && busy < self.p.scenario.operators.concurrency {
            self.available.insert(busy, op);
        }
    }

    /// Gives waiting conversations to free operators, in routing order.
    fn dispatch(&mut self) {
        let p = self.p;
        while let Some(op) = self.free_operator() {
            let Some(std::cmp::Reverse((_, _, id, stamp))) = self.queue.pop() else {
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
                if !r.picked_up {
                    r.picked_up = true;
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
            let busy = self.operators[op].busy;
            let base = ops.handle_time.sample(&mut self.operator_rng);
            let slowed = base as f64 * (1.0 + ops.busy_slowdown * f64::from(busy));
            self.set_busy(op, busy + 1);
            self.integrate();
            self.busy += 1;
            self.events.schedule(
                t.plus(slowed.round() as i64),
                Event::AnswerReady {
                    conv: id,
                    operator: op as u32,
                },
            );
        }
    }

    fn answer_ready(&mut self, id: u32, op: usize) {
        self.set_busy(op, self.operators[op].busy.saturating_sub(1));
        self.integrate();
        self.busy = self.busy.saturating_sub(1);
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
            if chance(&mut self.operator_rng, ops.promotional_share) {
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

    /// A request answered at `t`: closed, measured, and the customer may write again.
    fn answer(&mut self, id: u32, t: Instant) {
        self.integrate();
        let p = self.p;
        let s = &p.scenario;
        let Some(c) = self.conversations[id as usize].as_mut() else {
            return;
        };
        let Some(r) = c.request.take() else { return };
        c.last_answered = true;
        c.held_for = None;
        let slot = c.channel as usize;
        self.waiting[slot] = self.waiting[slot].saturating_sub(1);
        if r.counted {
            let k = &mut self.counters[slot];
            k.requests += 1;
            let _ = k.first_response.record((t.0 - r.opened.0) as u64);
            let _ = k.time_to_answer.record((t.0 - r.latest.0) as u64);
            if r.at_risk && r.warned && r.wrote_after_warning {
                k.rescued += 1;
            }
        }
        let customers = &s.channels[slot].customers;
        c.may(
            &mut self.events,
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
    fn close_unanswered(&mut self, id: u32) {
        let Some(c) = self.conversations[id as usize].as_mut() else {
            return;
        };
        let Some(r) = c.request.take() else { return };
        c.last_answered = false;
        let slot = c.channel as usize;
        self.integrate();
        self.waiting[slot] = self.waiting[slot].saturating_sub(1);
        if r.counted {
            self.counters[slot].requests += 1;
            self.counters[slot].unanswered += 1;
        }
        self.maybe_end(id);
    }

    // ----- business messages -----

    /// Sends one business message: the rules engine decides, the counters and the trace
    /// record it.
    fn send(&mut self, id: u32, m: &BusinessMessage) -> Verdict {
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
        if counting {
            self.counters[slot].record_sent(m.sender, d.reason);
            if d.verdict == Verdict::Undelivered && self.segment_counted {
                self.hourly.undelivered[slot][h] += 1.0;
            }
        }
        self.trace_row(id, RowKind::from(*m));
        d.verdict
    }

    fn bot_sends(&mut self, id: u32) -> Verdict {
        self.send(id, &BusinessMessage::new(Sender::Bot, self.now))
    }

    fn no_answer_bot(&mut self, id: u32, stamp: u32) {
        let Some(c) = self.conv(id) else { return };
        if c.request.as_ref().is_some_and(|r| r.stamp == stamp) {
            self.bot_sends(id);
        }
    }

    fn window_warning(&mut self, id: u32, stamp: u32) {
        let Some(c) = self.conv(id) else { return };
        if c.request.as_ref().is_none_or(|r| r.window_stamp != stamp) {
            return;
        }
        if self.bot_sends(id) != Verdict::Delivered {
            return;
        }
        let t = self.now;
        let p = self.p;
        let s = &p.scenario;
        let Some(c) = self.conversations[id as usize].as_mut() else {
            return;
        };
        if let Some(r) = &mut c.request {
            r.warned = true;
        }
        let customers = &s.channels[c.channel as usize].customers;
        c.may(
            &mut self.events,
            t,
            customers.warned_return_probability,
            &customers.warned_return_delay,
            Event::Customer {
                conv: id,
                stamp: 0,
                what: Move::WarnedReturn,
            },
        );
    }

    fn window_check(&mut self, id: u32, stamp: u32) {
        let Some(c) = self.conversations[id as usize].as_mut() else {
            return;
        };
        let slot = c.channel as usize;
        let Some(r) = c.request.as_mut().filter(|r| r.check_stamp == stamp) else {
            return;
        };
        r.at_risk = true;
        if r.counted {
            self.counters[slot].at_risk += 1;
            self.counters[slot].covered += u64::from(r.warned);
        }
    }

    fn expiry(&mut self, id: u32, stamp: u32) {
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
    fn abandon(&mut self, id: u32, stamp: u32) {
        let Some(c) = self.conversations[id as usize].as_mut() else {
            return;
        };
        let Some(r) = c.request.as_ref().filter(|r| r.stamp == stamp) else {
            return;
        };
        if r.picked_up || c.in_hand.is_some() {
            return;
        }
        if r.counted {
            self.counters[c.channel as usize].abandoned += 1;
        }
        c.inbox = None;
        self.close_unanswered(id);
    }

    /// Frees a conversation with nothing left to happen.
    fn maybe_end(&mut self, id: u32) {
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

    // ----- shifts -----

    fn apply_shift_change(&mut self) {
        let change = self.p.shifts[self.next_shift];
        self.next_shift += 1;
        let shift = change.shift as usize;
        let active = &mut self.shift_active[shift];
        let was_on = *active > 0;
        if change.starts {
            *active += 1;
        } else {
            *active = active.saturating_sub(1);
        }
        let is_on = *active > 0;
        if was_on != is_on {
            self.integrate();
            let cap = self.p.scenario.operators.concurrency;
            for (i, o) in self
                .operators
                .iter_mut()
                .enumerate()
                .filter(|(_, o)| o.shift as usize == shift)
            {
                o.on_duty = is_on;
                if is_on {
                    self.on_duty += 1;
                    if o.busy < cap {
                        self.available.insert(o.busy, i);
                    }
                } else {
                    self.on_duty -= 1;
                    self.available.remove(o.busy, i);
                }
            }
        }
    }

    fn apply_due_shifts(&mut self) {
        while self.next_shift < self.p.shifts.len() && self.p.shifts[self.next_shift].at <= self.now
        {
            self.apply_shift_change();
        }
    }

    fn shift_change(&mut self) {
        self.apply_due_shifts();
        if self.next_shift < self.p.shifts.len() {
            self.events
                .schedule(self.p.shifts[self.next_shift].at, Event::Shift);
        }
        self.dispatch();
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Arrival { channel } => self.arrival(channel as usize),
            Event::Customer { conv, stamp, what } => self.customer_moves(conv, stamp, what),
            Event::AnswerReady { conv, operator } => self.answer_ready(conv, operator as usize),
            Event::NoAnswerBot { conv, stamp } => self.no_answer_bot(conv, stamp),
            Event::WindowWarning { conv, stamp } => self.window_warning(conv, stamp),
            Event::WindowCheck { conv, stamp } => self.window_check(conv, stamp),
            Event::Expiry { conv, stamp } => self.expiry(conv, stamp),
            Event::Abandon { conv, stamp } => self.abandon(conv, stamp),
            Event::Shift => self.shift_change(),
            Event::Hour => self.enter_segment(self.segment + 1),
        }
    }

    fn finish(mut self, end: Instant) -> Replication {
        self.now = end;
        self.integrate();
        for c in self.conversations.iter().flatten() {
            let k = &mut self.counters[c.channel as usize];
            if c.request.as_ref().is_some_and(|r| r.counted) {
                k.censored += 1;
            }
            if c.counted {
                k.still_held += u64::from(c.case.held());
            }
        }
        let p = self.p;
        let s = &p.scenario;
        let channels = s
            .channels
            .iter()
            .map(|c| c.channel)
            .zip(self.counters)
            .collect();
        Replication {
            metrics: ReplicationMetrics {
                channels,
                hourly: self.hourly,
                weeks: weeks(s.horizon - s.warm_up),
            },
            customers: self.next_serial,
            events: self.events.handled(),
            peak_events: self.events.peak(),
            trace: self.trace.map(|mut rows| {
                let expected = outcomes(&s.policy, &rows);
                for (row, expect) in rows.iter_mut().zip(expected) {
                    row.expect = expect;
                }
                rows
            }),
        }
    }
}

/// True with probability `p`. Certain outcomes (0 and 1) draw nothing, which keeps a
/// conversation's stream untouched when its behaviour is fixed.
fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    if p <= 0.0 {
        false
    } else if p >= 1.0 {
        true
    } else {
        rng.random_bool(p)
    }
}

/// The short channel name used in trace case ids.
pub fn short(channel: Channel) -> &'static str {
    match channel {
        Channel::WhatsApp => "wa",
        Channel::Facebook => "fb",
        Channel::Instagram => "ig",
    }
}

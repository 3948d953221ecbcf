//! One replication: customers, operators and bots on the three channels, driven by the
//! event list, every business message adjudicated by the rules engine when it is sent.

mod arrivals;
mod bots;
mod conversation;
mod staff;
mod streams;
mod week;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::Prepared;
use super::events::EventList;
use crate::metrics::{Counters, ReplicationMetrics, TeamLoad, weeks};
use crate::rules::{BusinessMessage, Channel};
use crate::time::{HOUR, Instant, MINUTE};
use crate::trace::{TraceRecord, outcomes};
use arrivals::Arrivals;
use conversation::{Conversation, Move};
use staff::Staff;
use streams::Streams;
use week::WeekSums;

/// An entry of the event list. Timers carry the stamp of what they were set for; a timer
/// whose stamp no longer matches is stale and does nothing (cheap cancellation).
#[derive(Clone, Copy, Debug)]
enum Event {
    Arrival {
        channel: u8,
    },
    Customer {
        conv: u32,
        stamp: u32,
        what: Move,
    },
    AnswerReady {
        conv: u32,
        operator: u32,
    },
    NoAnswerBot {
        conv: u32,
        stamp: u32,
    },
    WindowWarning {
        conv: u32,
        stamp: u32,
    },
    WindowCheck {
        conv: u32,
        stamp: u32,
    },
    Expiry {
        conv: u32,
        stamp: u32,
    },
    /// A window check and the expiry at the same instant, one after the other.
    WindowEnd {
        conv: u32,
        check_stamp: u32,
        window_stamp: u32,
    },
    Abandon {
        conv: u32,
        stamp: u32,
    },
    Shift,
    Hour,
}

/// The result of one replication.
pub struct Replication {
    pub metrics: ReplicationMetrics,
    /// Conversations that arrived, warm-up included.
    pub customers: u64,
    pub events: u64,
    pub peak_events: usize,
    pub trace: Option<Vec<TraceRecord>>,
}

/// One replication in progress: the clock and its event list, the conversations, and the
/// parts that own their state (arrivals, staff and queue, the week's sums).
struct Model<'a> {
    p: &'a Prepared,
    now: Instant,
    events: EventList<Event>,
    conversations: Vec<Option<Conversation>>,
    /// The customers' random streams, by conversation slot.
    streams: Streams,
    /// Slots of ended conversations, reused.
    free: Vec<u32>,
    next_serial: u64,
    next_stamp: u32,
    /// Messages of the answer being sent (reused).
    outbox: Vec<BusinessMessage>,
    /// Queue keys of the conversation being queued, per team (reused).
    queue_keys: Vec<(u16, i64)>,
    arrivals: Arrivals,
    staff: Staff,
    week: WeekSums,
    counters: Vec<Counters>,
    warm_up_end: Instant,
    trace: Option<Vec<TraceRecord>>,
}

/// Runs replication `replication` of the prepared scenario.
pub fn run(p: &Prepared, replication: u32, with_trace: bool) -> Replication {
    let s = &p.scenario;
    let n = s.channels.len();
    let mut m = Model {
        p,
        now: s.start,
        events: EventList::new(s.start, bucket_width(s)).until(s.end()),
        conversations: Vec::new(),
        streams: Streams::new(s.seed, replication, n),
        free: Vec::new(),
        next_serial: 0,
        next_stamp: 0,
        outbox: Vec::new(),
        queue_keys: Vec::new(),
        arrivals: Arrivals::new(s.seed, replication, n),
        staff: Staff::new(s, replication),
        week: WeekSums::new(s),
        counters: vec![Counters::default(); n],
        warm_up_end: s.warm_up_end(),
        trace: with_trace.then(Vec::new),
    };
    m.start();
    // The list keeps nothing at or after the end: it runs dry there.
    while let Some((at, event)) = m.events.pop() {
        m.now = at;
        // Shifts change before anything else at the same instant: a shift is [start, end).
        m.apply_due_shifts();
        m.handle(event);
    }
    m.finish(s.end())
}

impl Model<'_> {
    fn start(&mut self) {
        let start = self.p.scenario.start;
        // Shifts already running at the start.
        self.apply_due_shifts();
        if self.staff.next_shift < self.p.shifts.len() {
            self.events
                .schedule(self.p.shifts[self.staff.next_shift].at, Event::Shift);
        }
        self.enter_segment(0);
        for c in 0..self.p.scenario.channels.len() {
            if let Some(at) = self.arrivals.next(self.p, c, start) {
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

    /// Enters local hour `i` of the run, scheduling the next.
    fn enter_segment(&mut self, i: usize) {
        self.close_segment();
        if let Some(next) = self.week.enter(i, &self.p.hours, self.warm_up_end) {
            self.events.schedule(next, Event::Hour);
        }
    }

    fn hour(&self) -> usize {
        self.week.hour(&self.p.hours)
    }

    /// Ends the current hour now (see [`WeekSums::close_segment`]).
    fn close_segment(&mut self) {
        self.week
            .close_segment(self.now, &self.p.hours, &mut self.staff);
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
            Event::WindowEnd {
                conv,
                check_stamp,
                window_stamp,
            } => {
                self.window_check(conv, check_stamp);
                self.expiry(conv, window_stamp);
            }
            Event::Abandon { conv, stamp } => self.abandon(conv, stamp),
            Event::Shift => self.shift_change(),
            Event::Hour => self.enter_segment(self.week.segment + 1),
        }
    }

    fn finish(mut self, end: Instant) -> Replication {
        self.now = end;
        self.close_segment();
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
        let teams = s
            .operators
            .teams
            .iter()
            .enumerate()
            .map(|(t, team)| TeamLoad {
                name: team.name.clone(),
                channels: team.channels.clone(),
                busy: self.week.team_busy[t],
                capacity: self.week.team_capacity[t],
            })
            .collect();
        Replication {
            metrics: ReplicationMetrics {
                channels,
                hourly: self.week.hourly,
                weeks: weeks(s.horizon - s.warm_up),
                service_levels: s.report.service_levels.clone(),
                teams,
                backlog: self.week.backlog,
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

/// The width of the event list's buckets for a scenario: about ten arrivals' worth, from a
/// minute to an hour. A bucket is sorted when it comes up; a busy scenario's hour would make
/// that sort long and outgrow the cache, a quiet one's minute would make the list walk
/// through empty buckets.
pub fn bucket_width(s: &crate::scenario::Scenario) -> crate::time::Millis {
    let per_hour: f64 = s.channels.iter().map(|c| c.arrivals_per_day).sum::<f64>() / 24.0;
    let width = if per_hour > 0.0 {
        (10.0 / per_hour * HOUR as f64) as i64
    } else {
        HOUR
    };
    (width / MINUTE * MINUTE).clamp(MINUTE, HOUR)
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

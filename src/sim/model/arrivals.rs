//! Arrivals: when the next customer of each channel comes, and each customer's own
//! random stream.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{Conversation, Event, Model, chance};
use crate::rules::{Case, CustomerAction};
use crate::scenario::History;
use crate::sim::{Prepared, streams};
use crate::time::{Instant, ceil_to_i64};

/// The arrival processes of the channels of one replication.
pub(super) struct Arrivals {
    /// Per channel slot: the arrival stream, and the local hour the last arrival fell in.
    rng: Vec<ChaCha8Rng>,
    segment: Vec<usize>,
}

impl Arrivals {
    pub(super) fn new(seed: u64, replication: u32, channels: usize) -> Arrivals {
        Arrivals {
            rng: (0..channels)
                .map(|c| streams::rng(seed, replication, streams::ARRIVALS + c as u64))
                .collect(),
            segment: vec![0; channels],
        }
    }

    /// The next arrival on channel slot `c` after `from`: a non-homogeneous Poisson process,
    /// sampled exactly over the piecewise-constant hourly rates.
    pub(super) fn next(&mut self, p: &Prepared, c: usize, from: Instant) -> Option<Instant> {
        if let Some(every) = p.scenario.channels[c].arrival_interval {
            // Deterministic arrivals: at the start, then every `every`.
            let at = if from == p.scenario.start && self.segment[c] == 0 {
                from
            } else {
                from.plus(every)
            };
            self.segment[c] = 1;
            return (at < p.scenario.end()).then_some(at);
        }
        let end = p.scenario.end();
        let mut need: f64 = -(1.0 - self.rng[c].random::<f64>()).ln();
        if let Some(h) = &p.scenario.channels[c].history {
            return self.next_from_history(c, from, end, need, h);
        }
        let hours = &p.hours;
        let rates = &p.scenario.channels[c].hourly_rate;
        let mut t = from;
        let mut i = self.segment[c];
        while i < hours.len() {
            let seg_end = hours.starts.get(i + 1).copied().unwrap_or(end);
            if seg_end <= t {
                i += 1;
                continue;
            }
            // The calendar scales the profile's rate (a factor of 1 without a calendar).
            let factor = p.arrival_factors.get(c).map_or(1.0, |f| f[i]);
            let rate = rates[hours.hours[i] as usize] / 3_600_000.0 * factor;
            let span = (seg_end.0 - t.0) as f64;
            if rate * span > need {
                self.segment[c] = i;
                return Some(Instant(t.0 + ceil_to_i64(need / rate)));
            }
            need -= rate * span;
            t = seg_end;
            i += 1;
        }
        self.segment[c] = i;
        None
    }

    /// The next arrival after `from` from the counts of `history`: within each interval the
    /// rate is its count (times the scale) over its length; `need` is the exponential
    /// draw still to cover.
    fn next_from_history(
        &mut self,
        c: usize,
        from: Instant,
        end: Instant,
        mut need: f64,
        history: &History,
    ) -> Option<Instant> {
        let mut t = from;
        let mut i = self.segment[c];
        while i < history.intervals.len() {
            let (a, b, count) = history.intervals[i];
            let until = b.min(end);
            if until <= t {
                i += 1;
                continue;
            }
            let t0 = t.max(a);
            let rate = count * history.scale / (b.0 - a.0) as f64;
            let span = (until.0 - t0.0) as f64;
            if rate * span > need {
                self.segment[c] = i;
                return Some(Instant(t0.0 + ceil_to_i64(need / rate)));
            }
            need -= rate * span;
            t = until;
            i += 1;
        }
        self.segment[c] = i;
        None
    }
}

impl Model<'_> {
    pub(super) fn arrival(&mut self, c: usize) {
        let t = self.now;
        if let Some(next) = self.arrivals.next(self.p, c, t) {
            self.events
                .schedule(next, Event::Arrival { channel: c as u8 });
        }
        let p = self.p;
        let traffic = &p.scenario.channels[c];
        let counted = self.counting(t);
        if counted {
            let h = self.hour();
            self.week.hourly.arrivals[c][h] += 1.0;
        }
        let conv = Conversation {
            serial: self.next_serial,
            channel: c as u8,
            counted,
            case: Case::new(traffic.channel),
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
        self.streams.assign(id, c);
        // Only a share strictly between 0 and 1 draws (and so creates the stream).
        let share = traffic.comment_share;
        let comment = share >= 1.0 || (share > 0.0 && chance(self.streams.get(id), share));
        if comment {
            self.customer_writes(id, CustomerAction::Comment);
        } else {
            self.customer_writes(id, CustomerAction::Message);
            if self.p.scenario.bots.on_arrival {
                self.bot_sends(id);
            }
        }
    }
}

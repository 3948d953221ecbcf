//! Bots: the reply on arrival and off hours, the no-answer reply, the window warning, and
//! the coverage check at the instant a window closes.

use super::{Event, Model, Move};
use crate::rules::{BusinessMessage, Sender, Verdict};

impl Model<'_> {
    pub(super) fn bot_sends(&mut self, id: u32) -> Verdict {
        self.count_message(id, Sender::Bot);
        self.send(id, &BusinessMessage::new(Sender::Bot, self.now))
    }

    pub(super) fn no_answer_bot(&mut self, id: u32, stamp: u32) {
        let Some(c) = self.conv(id) else { return };
        if c.request.as_ref().is_some_and(|r| r.stamp == stamp) {
            self.bot_sends(id);
        }
    }

    pub(super) fn window_warning(&mut self, id: u32, stamp: u32) {
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
            (&mut self.streams, id),
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

    pub(super) fn window_check(&mut self, id: u32, stamp: u32) {
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
}

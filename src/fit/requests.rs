//! A log's requests, as the simulator counts them: a request opens with a customer's
//! message or comment when none is open, and closes with the first operator message that
//! reaches the customer (at its release, when held) or, unanswered, when no answer could
//! reach the customer any more (the engine's [`Case::deliverable_until`]). Requests still
//! answerable when the log ends are censored, as at a simulation's horizon.
//!
//! The same walk gives the nudges: a customer writing again while their request is open.
//! A request answered before the customer would have nudged hides the nudge, so the times
//! to a nudge are censored at the close of each request without one.

use crate::metrics::Counters;
use crate::rules::{AnswerStyle, Case, Channel, CustomerAction, Policy, Sender, Verdict};
use crate::time::{Instant, Millis};
use crate::trace::RowKind;

/// One row of a log, as the walk needs it.
#[derive(Clone, Copy, Debug)]
pub(super) struct LogRow {
    pub case: u32,
    pub channel: Channel,
    pub at: Instant,
    pub kind: RowKind,
}

/// Nudges seen on one channel: times from a request's opening to the customer's first
/// write while it was open, and times a request stayed open without one.
#[derive(Clone, Debug, Default)]
pub(super) struct Nudges {
    pub observed: Vec<Millis>,
    pub censored: Vec<Millis>,
}

/// An open request.
#[derive(Clone, Copy, Debug)]
struct Request {
    opened: Instant,
    by_comment: bool,
    nudged: bool,
    /// An operator answer is held, to be delivered when released.
    answer_held: bool,
}

struct CaseWalk {
    case: Case,
    request: Option<Request>,
}

/// What the walk counts, per channel.
pub(super) struct RequestLog {
    pub counters: Vec<Counters>,
    pub nudges: Vec<Nudges>,
}

impl RequestLog {
    fn close(&mut self, channel: Channel, r: Request, at: Instant, answered: bool) {
        let k = &mut self.counters[channel as usize];
        k.requests += 1;
        if answered {
            let _ = k.first_response.record((at.0 - r.opened.0).max(0) as u64);
        } else {
            k.unanswered += 1;
        }
        if !r.nudged {
            self.nudges[channel as usize]
                .censored
                .push(at.0 - r.opened.0);
        }
    }
}

/// Walks `rows` (in file order) through the engine under `policy`, with operators who tag
/// late messages when `tagging`, up to the log's `end`.
pub(super) fn requests(rows: &[LogRow], policy: &Policy, tagging: bool, end: Instant) -> RequestLog {
    let mut log = RequestLog {
        counters: Channel::ALL.iter().map(|_| Counters::default()).collect(),
        nudges: vec![Nudges::default(); Channel::ALL.len()],
    };
    let mut cases: Vec<CaseWalk> = Vec::new();
    let style = |channel: Channel, r: &Request| AnswerStyle {
        public_reply: r.by_comment && channel == Channel::Facebook,
        tag_when_late: !r.by_comment && tagging,
    };
    for row in rows {
        let i = row.case as usize;
        while cases.len() <= i {
            cases.push(CaseWalk {
                case: Case::new(row.channel),
                request: None,
            });
        }
        let walk = &mut cases[i];
        // A request nobody can answer any more closed when that became so.
        if let Some(r) = walk.request {
            let until = walk.case.deliverable_until(policy, style(row.channel, &r));
            if until <= row.at {
                walk.request = None;
                log.close(row.channel, r, until, false);
            }
        }
        match row.kind {
            RowKind::Customer(action) => {
                let released = walk.case.customer(action, row.at).0 > 0;
                if let Some(r) = walk.request.as_mut() {
                    if action != CustomerAction::Accept && !r.nudged {
                        r.nudged = true;
                        log.nudges[row.channel as usize]
                            .observed
                            .push(row.at.0 - r.opened.0);
                    }
                    if released && r.answer_held {
                        let r = *r;
                        walk.request = None;
                        log.close(row.channel, r, row.at, true);
                    }
                } else if action != CustomerAction::Accept {
                    walk.request = Some(Request {
                        opened: row.at,
                        by_comment: action == CustomerAction::Comment,
                        nudged: false,
                        answer_held: false,
                    });
                }
            }
            RowKind::Business { sender, .. } => {
                let Some(m) = row.kind.message(row.at) else {
                    continue;
                };
                let decision = walk.case.business(policy, &m);
                let verdict = decision.verdict;
                log.counters[row.channel as usize].record_sent(sender, decision.reason);
                if sender != Sender::Operator {
                    continue;
                }
                if let Some(r) = walk.request.as_mut() {
                    match verdict {
                        Verdict::Delivered => {
                            let r = *r;
                            walk.request = None;
                            log.close(row.channel, r, row.at, true);
                        }
                        Verdict::Held => r.answer_held = true,
                        _ => {}
                    }
                }
            }
        }
    }
    // At the end of the log: closed if nothing could answer them any more, else censored.
    for walk in &cases {
        let Some(r) = walk.request else { continue };
        let channel = walk.case.channel();
        let until = walk.case.deliverable_until(policy, style(channel, &r));
        if until <= end {
            log.close(channel, r, until, false);
        } else if !r.nudged {
            log.nudges[channel as usize].censored.push(end.0 - r.opened.0);
        }
    }
    log
}

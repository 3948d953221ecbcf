//! A log's requests, as the simulator counts them: a request opens with a customer's
//! message or comment when none is open, and closes with the first operator message that
//! reaches the customer (at its release, when held) or, unanswered, when no answer could
//! reach the customer any more (the engine's [`Case::deliverable_until`]). Requests still
//! answerable when the log ends are censored, as at a simulation's horizon.
//!
//! The same walk gives the nudges: a customer writing again while their request is open.
//! A request answered before the customer would have nudged hides the nudge, so the times
//! to a nudge are censored at the close of each request without one.
//!
//! And the warned returns: a bot message delivered in the last `window_warning` of the
//! standard window, while a request is open, is the window warning; the customer's first
//! write after it, before the window closes and before an operator's answer, is their
//! return (not a nudge). A warning without one is watched until the window closed or the
//! answer came (after an answer a write may be a follow-up instead).

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

/// Delays seen on one channel (a nudge after a request opened, a return after a window
/// warning), and watches that ended without one.
#[derive(Clone, Debug, Default)]
pub(super) struct Watched {
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
    /// A delivered window warning not yet returned: when, and when its window closes.
    warning: Option<(Instant, Instant)>,
}

/// What the walk counts, per channel, and which rows are warned returns.
pub(super) struct RequestLog {
    pub counters: Vec<Counters>,
    pub nudges: Vec<Watched>,
    pub returns: Vec<Watched>,
    /// Per row of the log: a customer's return after a window warning.
    pub warned_return: Vec<bool>,
}

impl RequestLog {
    fn close(&mut self, channel: Channel, r: Request, at: Instant, answered: bool) {
        let k = &mut self.counters[channel as usize];
        k.requests += 1;
        if answered {
            k.first_response.record((at.0 - r.opened.0).max(0) as u64);
        } else {
            k.unanswered += 1;
        }
        if !r.nudged {
            self.nudges[channel as usize]
                .censored
                .push(at.0 - r.opened.0);
        }
    }

    /// A warning watched until `at` without a return.
    fn no_return(&mut self, channel: Channel, warned: Instant, at: Instant) {
        self.returns[channel as usize]
            .censored
            .push(at.0 - warned.0);
    }
}

/// How the log's business sends: operators tag late messages (`tagging`), and bots warn
/// this long before the window closes (`window_warning`).
#[derive(Clone, Copy, Debug)]
pub(super) struct Senders {
    pub tagging: bool,
    pub window_warning: Option<Millis>,
}

/// Walks `rows` (in file order) through the engine under `policy`, up to the log's `end`.
pub(super) fn requests(
    rows: &[LogRow],
    policy: &Policy,
    senders: Senders,
    end: Instant,
) -> RequestLog {
    let tagging = senders.tagging;
    let mut log = RequestLog {
        counters: Channel::ALL.iter().map(|_| Counters::default()).collect(),
        nudges: vec![Watched::default(); Channel::ALL.len()],
        returns: vec![Watched::default(); Channel::ALL.len()],
        warned_return: vec![false; rows.len()],
    };
    let mut cases: Vec<CaseWalk> = Vec::new();
    let style = |channel: Channel, r: &Request| AnswerStyle {
        public_reply: r.by_comment && channel == Channel::Facebook,
        tag_when_late: !r.by_comment && tagging,
    };
    for (index, row) in rows.iter().enumerate() {
        let i = row.case as usize;
        while cases.len() <= i {
            cases.push(CaseWalk {
                case: Case::new(row.channel),
                request: None,
                warning: None,
            });
        }
        let walk = &mut cases[i];
        // A warning whose window closed without a return.
        if let Some((warned, window_end)) = walk.warning.filter(|w| w.1 <= row.at) {
            walk.warning = None;
            log.no_return(row.channel, warned, window_end);
        }
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
                let writes = action != CustomerAction::Accept;
                let returns = writes && walk.warning.is_some();
                if let (true, Some((warned, _))) = (returns, walk.warning.take()) {
                    log.warned_return[index] = true;
                    log.returns[row.channel as usize]
                        .observed
                        .push(row.at.0 - warned.0);
                }
                let released = walk.case.customer(action, row.at).0 > 0;
                if let Some(r) = walk.request.as_mut() {
                    if writes && !returns && !r.nudged {
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
                } else if writes {
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
                let window_end = walk.case.window_end(policy);
                let decision = walk.case.business(policy, &m);
                let verdict = decision.verdict;
                log.counters[row.channel as usize].record_sent(sender, decision.reason);
                if sender != Sender::Operator {
                    // The window warning: delivered in the window's last `window_warning`
                    // while a request waits.
                    let lead = senders.window_warning.zip(window_end);
                    if let (Some((y, end)), Some(_), Verdict::Delivered) =
                        (lead, walk.request, verdict)
                    {
                        if end.0 - row.at.0 <= y && end > row.at {
                            if let Some((warned, _)) = walk.warning.replace((row.at, end)) {
                                log.no_return(row.channel, warned, row.at);
                            }
                        }
                    }
                    continue;
                }
                if let Some(r) = walk.request.as_mut() {
                    match verdict {
                        Verdict::Delivered => {
                            let r = *r;
                            walk.request = None;
                            log.close(row.channel, r, row.at, true);
                            // After the answer the customer's next write may be a
                            // follow-up: a pending return is watched no longer.
                            if let Some((warned, _)) = walk.warning.take() {
                                log.no_return(row.channel, warned, row.at);
                            }
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
        let channel = walk.case.channel();
        if let Some((warned, window_end)) = walk.warning {
            log.no_return(channel, warned, window_end.min(end));
        }
        let Some(r) = walk.request else { continue };
        let until = walk.case.deliverable_until(policy, style(channel, &r));
        if until <= end {
            log.close(channel, r, until, false);
        } else if !r.nudged {
            log.nudges[channel as usize]
                .censored
                .push(end.0 - r.opened.0);
        }
    }
    log
}

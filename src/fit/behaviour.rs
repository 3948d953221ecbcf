//! Customer behaviour read from a log: follow-ups after answers, and Instagram customers
//! accepting conversation requests.
//!
//! In the model a request opens with a customer's message or comment and closes with the
//! first operator answer the customer gets; after that answer the customer writes again
//! with the follow-up probability, after the follow-up delay. A log shows exactly that: an
//! answer, then the customer's next message or comment in the case, or none.

use crate::rules::Verdict;
use crate::time::{Instant, Millis};

/// One step of a case that matters to requests.
#[derive(Clone, Copy, Debug)]
pub(super) enum Step {
    /// The customer wrote (a message or a comment; an acceptance is not writing).
    Writes,
    /// An operator message, with the engine's verdict on it.
    Operator(Verdict),
    /// The customer accepted the conversation request.
    Accepts,
    /// The customer wrote back after a bot's window warning: it opens a request when none
    /// is open, but follows no answer.
    Returns,
}

/// Follow-ups observed on one channel.
#[derive(Clone, Debug, Default)]
pub(super) struct FollowUps {
    /// Answers that closed a request.
    pub answers: u64,
    /// Of those, followed by the customer writing again, and after how long.
    pub delays: Vec<Millis>,
}

/// Accepts observed on one channel: in the model, every operator send that leaves messages
/// held gives the customer one chance to accept, after the accept delay.
#[derive(Clone, Debug, Default)]
pub(super) struct Accepts {
    pub chances: u64,
    /// Accepts, each with the time since the oldest chance not yet taken.
    pub delays: Vec<Millis>,
}

/// Per case: is a request open, when was the last request answered (not yet followed),
/// how many messages are held, and the chances to accept not yet taken.
#[derive(Clone, Default)]
struct CaseState {
    open: bool,
    answered_at: Option<Instant>,
    held: u32,
    /// The instant of the operator send being read (rows at one instant are one send).
    send_at: Option<Instant>,
    chances: std::collections::VecDeque<Instant>,
    channel: usize,
}

impl CaseState {
    /// Ends the send being read: a chance to accept if messages are held after it.
    fn end_send(&mut self, accepts: &mut Accepts) {
        if let Some(t) = self.send_at.take() {
            if self.held > 0 {
                accepts.chances += 1;
                self.chances.push_back(t);
            }
        }
    }
}

/// Walks the steps of every case (in file order) and counts follow-ups and accepts.
pub(super) fn behaviour(
    steps: &[(u32, usize, Instant, Step)],
    cases: usize,
    follow: &mut [FollowUps],
    accepts: &mut [Accepts],
) {
    let mut state = vec![CaseState::default(); cases];
    for &(case, channel, at, step) in steps {
        let s = &mut state[case as usize];
        s.channel = channel;
        if s.send_at.is_some_and(|t| t != at) || !matches!(step, Step::Operator(_)) {
            s.end_send(&mut accepts[channel]);
        }
        match step {
            Step::Writes => {
                if let Some(answered) = s.answered_at.take() {
                    follow[channel].delays.push(at.0 - answered.0);
                }
                s.open = true;
                s.held = 0;
            }
            Step::Returns => {
                s.open = true;
                s.held = 0;
            }
            Step::Accepts => {
                s.held = 0;
                if let Some(chance) = s.chances.pop_front() {
                    accepts[channel].delays.push(at.0 - chance.0);
                }
            }
            Step::Operator(verdict) => {
                s.send_at = Some(at);
                match verdict {
                    Verdict::Delivered if s.open => {
                        s.open = false;
                        s.answered_at = Some(at);
                        follow[channel].answers += 1;
                    }
                    Verdict::Held => s.held += 1,
                    _ => {}
                }
            }
        }
    }
    // A send that ends the log.
    for s in &mut state {
        let channel = s.channel;
        s.end_send(&mut accepts[channel]);
    }
}

/// The log-normal with the log-moments of `delays`: `(mean, sd)` of the delays themselves.
/// Delays are positive and skewed to the right, and the model's default follow-up delay is
/// log-normal; the fit keeps its family.
pub(super) fn lognormal(delays: &[Millis]) -> Option<(f64, f64)> {
    let logs: Vec<f64> = delays
        .iter()
        .filter(|&&d| d > 0)
        .map(|&d| (d as f64).ln())
        .collect();
    if logs.len() < 2 {
        return None;
    }
    let n = logs.len() as f64;
    let mu = logs.iter().sum::<f64>() / n;
    let var = logs.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / (n - 1.0);
    let mean = (mu + var / 2.0).exp();
    Some((mean, mean * (var.exp() - 1.0).sqrt()))
}

/// The median of `values` (sorted in place).
pub(super) fn median(values: &mut [Millis]) -> Option<Millis> {
    values.sort_unstable();
    (!values.is_empty()).then(|| values[values.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_then_a_message_is_a_follow_up_and_an_undelivered_answer_is_none() {
        let steps = [
            (0, 0, Instant(0), Step::Writes),
            (0, 0, Instant(10), Step::Operator(Verdict::Delivered)),
            (0, 0, Instant(15), Step::Operator(Verdict::Delivered)),
            (0, 0, Instant(40), Step::Writes),
            (0, 0, Instant(50), Step::Operator(Verdict::Undelivered)),
            (1, 0, Instant(0), Step::Writes),
            (1, 0, Instant(5), Step::Operator(Verdict::Delivered)),
        ];
        let mut out = vec![FollowUps::default()];
        behaviour(&steps, 2, &mut out, &mut [Accepts::default()]);
        // Case 0: answered at 10, followed at 40; its second request never answered.
        // Case 1: answered, never followed.
        assert_eq!(out[0].answers, 2);
        assert_eq!(out[0].delays, vec![30]);
    }

    #[test]
    fn a_send_that_leaves_messages_held_is_one_chance_and_an_accept_takes_the_oldest() {
        let (held, sent) = (
            Step::Operator(Verdict::Held),
            Step::Operator(Verdict::Delivered),
        );
        let steps = [
            (0, 0, Instant(0), Step::Writes),
            // One send at 10: delivered, then two held; one chance.
            (0, 0, Instant(10), sent),
            (0, 0, Instant(10), held),
            (0, 0, Instant(10), held),
            // Another send at 20 with messages still held: a second chance.
            (0, 0, Instant(20), held),
            (0, 0, Instant(100), Step::Accepts),
            // Nothing held any more: this send gives no chance.
            (0, 0, Instant(200), sent),
        ];
        let mut accepts = vec![Accepts::default()];
        behaviour(&steps, 1, &mut [FollowUps::default()], &mut accepts);
        assert_eq!(accepts[0].chances, 2);
        assert_eq!(accepts[0].delays, vec![90]);
    }

    #[test]
    fn the_lognormal_of_constant_delays_has_their_mean_and_no_spread() {
        let (mean, sd) = lognormal(&[60_000; 10]).unwrap();
        assert!((mean - 60_000.0).abs() < 1e-6 && sd.abs() < 1e-6);
        assert_eq!(lognormal(&[5]), None);
    }
}

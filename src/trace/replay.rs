//! `replay`: every business row of a trace gets its verdict from the rules engine.

use std::collections::HashMap;

use super::{Expectation, Input, RowKind, TraceError, TraceReader, TraceRecord};
use crate::rules::{Case, CaseState, Channel, Policy, Reason, Verdict};
use crate::time::Instant;

/// The verdict on one business row: a row of a verdict file, replayed or read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerdictRow {
    /// The case's number (the order of its first row); an index into
    /// [`Verdicts::case_names`].
    pub case: u32,
    pub seq: u64,
    pub verdict: Verdict,
    /// Always given by the engine; a verdict file read with `verdict_only` may leave it
    /// empty.
    pub reason: Option<Reason>,
    /// When the customer got it: its own instant, the release instant, or never.
    pub delivered_at: Option<Instant>,
}

/// The verdicts of a trace (in the order of its business rows) or of a verdict file (in
/// its order).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdicts {
    pub case_names: Vec<Box<str>>,
    pub rows: Vec<VerdictRow>,
    /// Read from a file: the line of each row. Empty for replayed verdicts.
    pub lines: Vec<u64>,
}

impl Verdicts {
    /// The id of the case of `row`.
    pub fn case_name(&self, row: &VerdictRow) -> &str {
        &self.case_names[row.case as usize]
    }
}

/// Rows through the engine, case by case: every business row decided, and held messages
/// given the instant of the customer row that releases them. The one place where rows
/// become verdicts: `replay`, the simulator's trace and the fixture builder all use it.
///
/// ```
/// use replywindow::rules::{Channel, CustomerAction, Policy, Reason, Sender};
/// use replywindow::rules::BusinessMessage;
/// use replywindow::time::{Instant, HOUR};
/// use replywindow::trace::{Replayer, RowKind};
///
/// let policy = Policy::meta();
/// let mut replayer = Replayer::new(&policy);
/// let ig = Channel::Instagram;
/// replayer.apply(0, 1, ig, Instant(0), RowKind::Customer(CustomerAction::Comment));
/// let reply = RowKind::from(BusinessMessage::new(Sender::Operator, Instant(HOUR)));
/// replayer.apply(0, 2, ig, Instant(HOUR), reply);
/// replayer.apply(0, 3, ig, Instant(HOUR), reply);
/// replayer.apply(0, 4, ig, Instant(5 * HOUR), RowKind::Customer(CustomerAction::Accept));
/// let rows = replayer.into_rows();
/// assert_eq!(rows[0].reason, Some(Reason::PrivateReply));
/// assert_eq!(rows[1].reason, Some(Reason::AwaitingAcceptance));
/// // Released by the accept, at its instant.
/// assert_eq!(rows[1].delivered_at, Some(Instant(5 * HOUR)));
/// ```
pub struct Replayer<'p> {
    policy: &'p Policy,
    cases: Vec<Case>,
    /// Per case, the indices in `rows` of its messages held now.
    held: Vec<Vec<usize>>,
    rows: Vec<VerdictRow>,
}

impl<'p> Replayer<'p> {
    pub fn new(policy: &'p Policy) -> Replayer<'p> {
        Replayer {
            policy,
            cases: Vec::new(),
            held: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// Applies the next row of case number `case`. Cases are numbered from 0 in the order
    /// of their first row (a new case takes the next number; its channel is the first
    /// row's); rows of a case come in order, with instants that never decrease.
    pub fn apply(&mut self, case: u32, seq: u64, channel: Channel, at: Instant, kind: RowKind) {
        let i = case as usize;
        while self.cases.len() <= i {
            self.cases.push(Case::new(channel));
            self.held.push(Vec::new());
        }
        match (kind, kind.message(at)) {
            (RowKind::Customer(action), _) => {
                if self.cases[i].customer(action, at).0 > 0 {
                    for r in self.held[i].drain(..) {
                        self.rows[r].delivered_at = Some(at);
                    }
                }
            }
            (_, Some(message)) => {
                let d = self.cases[i].business(self.policy, &message);
                if d.verdict == Verdict::Held {
                    self.held[i].push(self.rows.len());
                }
                self.rows.push(VerdictRow {
                    case,
                    seq,
                    verdict: d.verdict,
                    reason: Some(d.reason),
                    delivered_at: (d.verdict == Verdict::Delivered).then_some(at),
                });
            }
            (RowKind::Business { .. }, None) => {}
        }
    }

    /// The state of case number `case` now (before its next row), as the engine sees it;
    /// `None` before its first row.
    pub fn state(&self, case: u32) -> Option<CaseState> {
        self.cases.get(case as usize).map(|c| c.state(self.policy))
    }

    /// How many business rows have been decided so far.
    pub fn decided(&self) -> usize {
        self.rows.len()
    }

    /// The verdict of the business row decided after `before` rows had been, if the last
    /// row applied was one: `replayer.last_decision(count_before_apply)`.
    pub fn last_decision(&self, before: usize) -> Option<&VerdictRow> {
        self.rows
            .get(before)
            .filter(|_| self.rows.len() == before + 1)
    }

    /// The verdicts of the business rows, in the order they were applied.
    pub fn into_rows(self) -> Vec<VerdictRow> {
        self.rows
    }
}

/// The engine's outcome of every row of `records` (`None` for customer rows): what a
/// fixture made of them expects. Cases are told apart by their id.
pub fn outcomes(policy: &Policy, records: &[TraceRecord]) -> Vec<Option<Expectation>> {
    let mut numbers: HashMap<&str, u32> = HashMap::new();
    let mut replayer = Replayer::new(policy);
    for r in records {
        let next = numbers.len() as u32;
        let case = *numbers.entry(r.case.as_str()).or_insert(next);
        replayer.apply(case, r.seq, r.channel, r.at, r.kind);
    }
    let mut decided = replayer.into_rows().into_iter().map(|v| Expectation {
        verdict: v.verdict,
        reason: v.reason,
        delivered_at: Some(v.delivered_at),
    });
    records
        .iter()
        .map(|r| {
            if r.kind.is_business() {
                decided.next()
            } else {
                None
            }
        })
        .collect()
}

/// Replays a trace through the rules engine. The whole trace is validated before anything
/// is returned, so an invalid trace yields an error and no verdicts.
pub fn replay(input: Input, policy: &Policy) -> Result<Verdicts, TraceError> {
    let mut reader = TraceReader::new(input)?;
    let mut replayer = Replayer::new(policy);
    while let Some(row) = reader.next_row()? {
        replayer.apply(row.case, row.seq, row.channel, row.at, row.kind);
    }
    let case_names = reader.case_names().map(Into::into).collect();
    Ok(Verdicts {
        case_names,
        rows: replayer.into_rows(),
        lines: Vec::new(),
    })
}

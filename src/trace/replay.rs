//! `replay`: every business row of a trace gets its verdict from the rules engine.

use super::{Input, RowKind, TraceError, TraceReader};
use crate::rules::{Case, Policy, Reason, Verdict};
use crate::time::Instant;

/// The verdict on one business row of a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerdictRow {
    /// Index into [`Verdicts::case_names`].
    pub case: u32,
    pub seq: u64,
    pub verdict: Verdict,
    pub reason: Reason,
    /// When the customer got it: its own instant, the release instant, or never.
    pub delivered_at: Option<Instant>,
}

/// The verdicts of a whole trace, in the order of its business rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdicts {
    pub case_names: Vec<Box<str>>,
    pub rows: Vec<VerdictRow>,
}

/// Replays a trace through the rules engine. The whole trace is validated before anything
/// is returned, so an invalid trace yields an error and no verdicts.
pub fn replay(input: Input, policy: &Policy) -> Result<Verdicts, TraceError> {
    let mut reader = TraceReader::new(input)?;
    let mut cases: Vec<Case> = Vec::new();
    // Per case, the indices in `rows` of its messages held now.
    let mut held: Vec<Vec<usize>> = Vec::new();
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row()? {
        let i = row.case as usize;
        if i == cases.len() {
            cases.push(Case::new(row.channel));
            held.push(Vec::new());
        }
        match row.kind {
            RowKind::Customer(action) => {
                if cases[i].customer(action, row.at).0 > 0 {
                    for r in held[i].drain(..) {
                        let v: &mut VerdictRow = &mut rows[r];
                        v.delivered_at = Some(row.at);
                    }
                }
            }
            RowKind::Business(message) => {
                let d = cases[i].business(policy, &message);
                if d.verdict == Verdict::Held {
                    held[i].push(rows.len());
                }
                rows.push(VerdictRow {
                    case: row.case,
                    seq: row.seq,
                    verdict: d.verdict,
                    reason: d.reason,
                    delivered_at: (d.verdict == Verdict::Delivered).then_some(row.at),
                });
            }
        }
    }
    let case_names = (0..reader.case_count() as u32)
        .map(|c| reader.case_name(c).into())
        .collect();
    Ok(Verdicts { case_names, rows })
}

//! `replay --explain`: every verdict with the state of its case when it was decided and
//! the step of the decision order that decided it.

use std::io::{self, Write};

use super::{Input, Replayer, TraceError, TraceReader, Verdicts};
use crate::rules::{CaseState, Policy, RULE_NAMES};
use crate::time::{Instant, Millis, format_duration};

/// The verdicts of a trace, each with the instant of its row and the state of its case
/// just before it was decided.
#[derive(Clone, Debug, Default)]
pub struct Explained {
    pub verdicts: Verdicts,
    /// Per verdict row: the business row's instant.
    pub at: Vec<Instant>,
    /// Per verdict row: the case's state before the decision.
    pub states: Vec<CaseState>,
}

/// Replays a trace like [`super::replay`], keeping the state behind each decision.
pub fn explain(input: Input, policy: &Policy) -> Result<Explained, TraceError> {
    let mut reader = TraceReader::new(input)?;
    let mut replayer = Replayer::new(policy);
    let mut at = Vec::new();
    let mut states = Vec::new();
    while let Some(row) = reader.next_row()? {
        if row.kind.is_business() {
            at.push(row.at);
            let fresh = || crate::rules::Case::new(row.channel).state(policy);
            states.push(replayer.state(row.case).unwrap_or_else(fresh));
        }
        replayer.apply(row.case, row.seq, row.channel, row.at, row.kind);
    }
    let case_names = reader.case_names().map(Into::into).collect();
    Ok(Explained {
        verdicts: Verdicts {
            case_names,
            rows: replayer.into_rows(),
            lines: Vec::new(),
        },
        at,
        states,
    })
}

/// The header of an explained verdict file: the verdict file's columns first.
pub const EXPLAINED_HEADER: &str = "case,seq,verdict,reason,delivered_at,rule,rule_name,at,\
    position,last_message,window_end,extension_end,credits,request_pending,latest_is_comment,held";

/// Where `at` sits against the nearest end the state gives it: the standard window's (`W`),
/// the extension's (`E`) or the newest unused credit's, else the latest comment's (`P`), as `W`, `W-1ms` or `E+2h`; empty
/// when the case has none of them.
///
/// ```
/// use replywindow::rules::{Case, Channel, CustomerAction, Policy};
/// use replywindow::time::{Instant, HOUR};
/// use replywindow::trace::position;
///
/// let mut case = Case::new(Channel::Facebook);
/// case.customer(CustomerAction::Message, Instant(0));
/// let state = case.state(&Policy::meta());
/// assert_eq!(position(&state, Instant(24 * HOUR)), "W");
/// assert_eq!(position(&state, Instant(24 * HOUR - 1)), "W-1ms");
/// assert_eq!(position(&state, Instant(7 * 24 * HOUR + 1)), "E+1ms");
/// ```
pub fn position(state: &CaseState, at: Instant) -> String {
    let ends = [
        ("W", state.window_end),
        ("E", state.extension_end),
        (
            "P",
            state
                .credits
                .last()
                .map(|c| c.end)
                .or(state.latest_comment_end),
        ),
    ];
    let nearest = ends
        .iter()
        .filter_map(|&(name, end)| end.map(|end| (name, at.millis() - end.millis())))
        .min_by_key(|&(_, d)| d.unsigned_abs());
    nearest.map_or_else(String::new, |(name, d)| format!("{name}{}", signed(d)))
}

/// `+2h`, `-1ms`, or nothing for zero.
pub(crate) fn signed(d: Millis) -> String {
    match d {
        0 => String::new(),
        d if d > 0 => format!("+{}", format_duration(d)),
        d => format!("-{}", format_duration(-d)),
    }
}

fn instant(out: &mut Vec<u8>, at: Option<Instant>) {
    if let Some(at) = at {
        at.write_canonical(out);
    }
}

/// Writes the explained verdicts as CSV ([`EXPLAINED_HEADER`]); `credits` lists the unused
/// credits as `comment/end` pairs separated by `;`.
pub fn write_explained(out: &mut impl Write, explained: &Explained) -> io::Result<()> {
    let mut buf = Vec::with_capacity(64 * 1024);
    buf.extend_from_slice(EXPLAINED_HEADER.as_bytes());
    buf.push(b'\n');
    let v = &explained.verdicts;
    for ((row, state), &at) in v.rows.iter().zip(&explained.states).zip(&explained.at) {
        let rule = row.reason.map_or(0, |r| r.rule());
        let line = format!(
            "{},{},{},{},",
            v.case_name(row),
            row.seq,
            row.verdict,
            row.reason.map_or("", |r| r.as_str())
        );
        buf.extend_from_slice(line.as_bytes());
        instant(&mut buf, row.delivered_at);
        buf.extend_from_slice(format!(",{rule},{},", RULE_NAMES[rule as usize]).as_bytes());
        instant(&mut buf, Some(at));
        buf.extend_from_slice(format!(",{},", position(state, at)).as_bytes());
        instant(&mut buf, state.last_message);
        buf.push(b',');
        instant(&mut buf, state.window_end);
        buf.push(b',');
        instant(&mut buf, state.extension_end);
        buf.push(b',');
        for (i, c) in state.credits.iter().enumerate() {
            if i > 0 {
                buf.push(b';');
            }
            c.comment.write_canonical(&mut buf);
            buf.push(b'/');
            c.end.write_canonical(&mut buf);
        }
        let flags = format!(
            ",{},{},{}\n",
            state.request_pending, state.latest_is_comment, state.held
        );
        buf.extend_from_slice(flags.as_bytes());
    }
    out.write_all(&buf)?;
    out.flush()
}

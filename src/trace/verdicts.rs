//! Verdict files: what `replay` writes and what `check` compares with a fixture.

use std::collections::HashMap;
use std::io::{self, Write};

use csv::ByteRecord;

use super::read::{
    CASE_ALLOWED, SEQ_ALLOWED, csv_error, csv_reader, parse_seq, read_header, required, valid_case,
};
use super::{Input, TraceError, VerdictRow, Verdicts};
use crate::rules::{Reason, Verdict};
use crate::time::Instant;

/// The header of a verdict file.
pub const VERDICT_HEADER: &str = "case,seq,verdict,reason,delivered_at";

/// Writes a verdict file. Every field is a case id, a number or a fixed name, none of which
/// needs quoting, so the rows are written directly.
pub fn write_verdicts(out: &mut impl Write, verdicts: &Verdicts) -> io::Result<()> {
    let mut buf = Vec::with_capacity(64 * 1024);
    buf.extend_from_slice(VERDICT_HEADER.as_bytes());
    buf.push(b'\n');
    for row in &verdicts.rows {
        buf.extend_from_slice(verdicts.case_names[row.case as usize].as_bytes());
        buf.push(b',');
        buf.extend_from_slice(itoa::Buffer::new().format(row.seq).as_bytes());
        buf.push(b',');
        buf.extend_from_slice(row.verdict.as_str().as_bytes());
        buf.push(b',');
        if let Some(reason) = row.reason {
            buf.extend_from_slice(reason.as_str().as_bytes());
        }
        buf.push(b',');
        if let Some(at) = row.delivered_at {
            at.write_canonical(&mut buf);
        }
        buf.push(b'\n');
        if buf.len() >= 60 * 1024 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    out.flush()
}

/// Reads a verdict file: `case`, `seq` and `verdict` are required, and `reason` and
/// `delivered_at` unless `verdict_only`. A `(case, seq)` named twice is malformed.
pub fn read_verdicts(input: Input, verdict_only: bool) -> Result<Verdicts, TraceError> {
    let (file, mut csv) = csv_reader(input)?;
    let names = read_header(&file, &mut csv)?;
    let case_col = required(&file, &names, "case")?;
    let seq_col = required(&file, &names, "seq")?;
    let verdict_col = required(&file, &names, "verdict")?;
    let (reason_col, delivered_col) = if verdict_only {
        (
            names.get(&b"reason"[..]).copied(),
            names.get(&b"delivered_at"[..]).copied(),
        )
    } else {
        (
            Some(required(&file, &names, "reason")?),
            Some(required(&file, &names, "delivered_at")?),
        )
    };
    let mut seen: HashMap<(u32, u64), u64> = HashMap::new();
    let mut case_ids: HashMap<Box<[u8]>, u32> = HashMap::new();
    let mut verdicts = Verdicts::default();
    let mut record = ByteRecord::new();
    while csv
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(&file, e))?
    {
        let line = record.position().map_or(0, |p| p.line());
        let get = |i: usize| record.get(i).unwrap_or_default();
        let bad = |column: &str, value: &[u8], allowed: String| {
            TraceError::field(&file, line, column, value, allowed)
        };
        let case = get(case_col);
        if !valid_case(case) {
            return Err(bad("case", case, format!("a case id is {CASE_ALLOWED}")));
        }
        let seq_text = get(seq_col);
        let seq = parse_seq(seq_text).ok_or_else(|| bad("seq", seq_text, SEQ_ALLOWED.into()))?;
        let verdict_text = get(verdict_col);
        let verdict = Verdict::from_bytes(verdict_text).ok_or_else(|| {
            bad(
                "verdict",
                verdict_text,
                format!("one of {}", Verdict::names()),
            )
        })?;
        let reason = match reason_col.map(get).unwrap_or_default() {
            b"" if verdict_only => None,
            text => Some(
                Reason::from_bytes(text)
                    .ok_or_else(|| bad("reason", text, format!("one of {}", Reason::names())))?,
            ),
        };
        let delivered_at = match delivered_col.map(get).unwrap_or_default() {
            b"" => None,
            text => Some(
                Instant::parse_bytes(text)
                    .map_err(|e| bad("delivered_at", text, format!("empty for never, or {e}")))?,
            ),
        };
        let next = case_ids.len() as u32;
        let number = *case_ids.entry(case.into()).or_insert_with(|| {
            let name = String::from_utf8_lossy(case).into_owned();
            verdicts.case_names.push(name.into_boxed_str());
            next
        });
        if let Some(first) = seen.insert((number, seq), line) {
            return Err(bad(
                "seq",
                seq_text,
                format!(
                    "case {} seq {seq} already has a verdict on line {first}",
                    verdicts.case_names[number as usize]
                ),
            ));
        }
        verdicts.rows.push(VerdictRow {
            case: number,
            seq,
            verdict,
            reason,
            delivered_at,
        });
        verdicts.lines.push(line);
    }
    Ok(verdicts)
}

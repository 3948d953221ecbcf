//! Writing traces and fixtures.

use std::io::{self, Write};

use super::TraceRecord;

/// Writes rows as a trace; with expectations (`expect`, `reason`, `delivered_at`) it is a
/// fixture.
pub fn write_trace(out: impl Write, records: &[TraceRecord]) -> io::Result<()> {
    let notes = records.iter().any(|r| !r.note.is_empty());
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    let mut header = vec![
        "case",
        "seq",
        "at",
        "channel",
        "actor",
        "action",
        "content",
        "tag",
        "expect",
        "reason",
        "delivered_at",
    ];
    if notes {
        header.push("note");
    }
    w.write_record(&header)?;
    for r in records {
        let at = r.at_text();
        let (actor, action, content, tag) = r.kind.fields();
        let (expect, reason, mut delivered) = match r.expect {
            Some(e) => (
                e.verdict.as_str(),
                e.reason.map_or("", |r| r.as_str()),
                e.delivered_at.flatten().map(|t| t.to_string()),
            ),
            None => ("", "", None),
        };
        let seq = r.seq.to_string();
        let delivered = delivered.take().unwrap_or_default();
        let mut fields: Vec<&[u8]> = vec![
            r.case.as_bytes(),
            seq.as_bytes(),
            at.as_bytes(),
            r.channel.as_str().as_bytes(),
            actor.as_str().as_bytes(),
            action.as_bytes(),
            content.as_bytes(),
            tag.as_bytes(),
            expect.as_bytes(),
            reason.as_bytes(),
            delivered.as_bytes(),
        ];
        if notes {
            fields.push(r.note.as_bytes());
        }
        w.write_record(&fields)?;
    }
    w.flush()
}

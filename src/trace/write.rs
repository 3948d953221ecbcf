//! Writing traces and fixtures.

use std::io::{self, Write};

use crate::rules::{
    Actor, BusinessAction, BusinessMessage, Channel, Content, CustomerAction, Reason, Sender,
};
use crate::time::Instant;

/// What a trace row does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Customer(CustomerAction),
    Business {
        sender: Sender,
        action: BusinessAction,
        content: Content,
        tagged: bool,
    },
}

impl Event {
    /// The business message this event sends at `at`, if it is one.
    pub fn message(self, at: Instant) -> Option<BusinessMessage> {
        match self {
            Event::Customer(_) => None,
            Event::Business {
                sender,
                action,
                content,
                tagged,
            } => Some(BusinessMessage {
                sender,
                action,
                content,
                tagged,
                at,
            }),
        }
    }
}

/// The verdict a fixture row expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expected {
    pub reason: Reason,
    /// When the customer gets it; `None` for never (or still held).
    pub delivered_at: Option<Instant>,
}

/// One row to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceRecord {
    pub case: String,
    pub seq: u64,
    pub at: Instant,
    /// The UTC offset, in minutes, `at` is written with (0 writes `Z`).
    pub offset_minutes: i32,
    pub channel: Channel,
    pub event: Event,
    /// Filled on business rows of a fixture.
    pub expect: Option<Expected>,
    /// Free text, written in a `note` column when any row has one.
    pub note: String,
}

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
    let mut at = Vec::new();
    for r in records {
        at.clear();
        if r.offset_minutes == 0 {
            r.at.write_canonical(&mut at);
        } else {
            at.extend_from_slice(r.at.with_offset(r.offset_minutes).as_bytes());
        }
        let (actor, action, content, tag) = match r.event {
            Event::Customer(a) => (Actor::Customer, a.as_str(), "", ""),
            Event::Business {
                sender,
                action,
                content,
                tagged,
            } => (
                sender.actor(),
                action.as_str(),
                content.as_str(),
                if tagged { "human_agent" } else { "" },
            ),
        };
        let (expect, reason, mut delivered) = match r.expect {
            Some(e) => (
                e.reason.verdict().as_str(),
                e.reason.as_str(),
                e.delivered_at.map(|t| t.to_string()),
            ),
            None => ("", "", None),
        };
        let seq = r.seq.to_string();
        let delivered = delivered.take().unwrap_or_default();
        let mut fields: Vec<&[u8]> = vec![
            r.case.as_bytes(),
            seq.as_bytes(),
            &at,
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

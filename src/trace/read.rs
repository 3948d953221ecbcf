//! Reading a trace: every field checked as written, every row checked against its case.

use std::collections::HashMap;
use std::rc::Rc;

use rustc_hash::FxHashMap;
use std::io::Read;

use csv::ByteRecord;

use super::{Expectation, Input, RowKind, TraceError};
use crate::rules::{
    Actor, BusinessAction, Channel, Content, CustomerAction, Reason, Sender, Verdict,
    check_business_row, check_customer_row,
};
use crate::time::Instant;

/// One valid trace row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    /// The case, as an index into [`TraceReader::case_name`].
    pub case: u32,
    pub seq: u64,
    pub at: Instant,
    pub channel: Channel,
    /// The line where the record starts.
    pub line: u64,
    pub kind: RowKind,
    /// Read only when the reader was asked for expectations (business rows only).
    pub expect: Option<Expectation>,
}

/// Where each known column is.
#[derive(Default)]
struct Columns {
    case: usize,
    seq: usize,
    at: usize,
    channel: usize,
    actor: usize,
    action: usize,
    content: Option<usize>,
    tag: Option<usize>,
    expect: Option<usize>,
    reason: Option<usize>,
    delivered_at: Option<usize>,
    note: Option<usize>,
}

struct CaseInfo {
    name: Rc<str>,
    channel: Channel,
    last_at: Instant,
    seqs: SeqSet,
}

/// The `seq`s of one case, as runs of consecutive numbers: a case numbered 1, 2, 3, … is
/// one run and allocates nothing; a row whose `seq` is the largest yet extends or starts the
/// last run; only a smaller one searches the earlier runs.
#[derive(Default)]
struct SeqSet {
    /// The run holding the largest `seq` (inclusive), once there is one.
    last: Option<(u64, u64)>,
    /// The runs before it, sorted and disjoint.
    earlier: Vec<(u64, u64)>,
}

impl SeqSet {
    /// Records `seq`; false when the case has it already.
    fn insert(&mut self, seq: u64) -> bool {
        let Some((first, last)) = self.last else {
            self.last = Some((seq, seq));
            return true;
        };
        if seq > last {
            if seq == last + 1 {
                self.last = Some((first, seq));
            } else {
                self.earlier.push((first, last));
                self.last = Some((seq, seq));
            }
            return true;
        }
        if seq >= first {
            return false;
        }
        // Runs start after `seq` from `at` on; the one before may hold it.
        let at = self.earlier.partition_point(|&(start, _)| start <= seq);
        if at > 0 && self.earlier[at - 1].1 >= seq {
            return false;
        }
        self.earlier.insert(at, (seq, seq));
        true
    }
}

/// Which expectation columns a fixture must carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expectations {
    Ignore,
    Require { verdict_only: bool },
}

/// Reads a trace row by row, validating each row and its case.
pub struct TraceReader {
    name: String,
    csv: csv::Reader<Box<dyn Read>>,
    record: ByteRecord,
    cols: Columns,
    /// Case ids to numbers. Fx hashing: the ids are the file's own, and a look-up happens at
    /// every row.
    case_ids: FxHashMap<Rc<str>, u32>,
    cases: Vec<CaseInfo>,
    expectations: Expectations,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Skips a UTF-8 byte-order mark at the very start of the input.
fn without_bom(mut reader: Box<dyn Read>) -> std::io::Result<Box<dyn Read>> {
    let mut head = Vec::with_capacity(3);
    (&mut reader).take(3).read_to_end(&mut head)?;
    if head == UTF8_BOM {
        head.clear();
    }
    Ok(Box::new(std::io::Cursor::new(head).chain(reader)))
}

pub(crate) fn csv_reader(input: Input) -> Result<(String, csv::Reader<Box<dyn Read>>), TraceError> {
    let Input { name, reader } = input;
    let reader = without_bom(reader).map_err(|e| TraceError {
        file: name.clone(),
        line: None,
        column: None,
        value: None,
        message: e.to_string(),
    })?;
    // A larger buffer than the default 8 KiB: fewer reads, and records split less often.
    let csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .buffer_capacity(1 << 16)
        .from_reader(reader);
    Ok((name, csv))
}

/// Maps a CSV-level error (unequal field counts, I/O) to a [`TraceError`].
pub(crate) fn csv_error(file: &str, e: csv::Error) -> TraceError {
    let line = e.position().map(|p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("the record has {len} fields where the header has {expected_len}")
        }
        _ => e.to_string(),
    };
    TraceError {
        file: file.into(),
        line,
        column: None,
        value: None,
        message,
    }
}

/// Reads the header record and finds each named column; `required` must be present, and no
/// name may appear twice.
pub(crate) fn read_header(
    file: &str,
    csv: &mut csv::Reader<Box<dyn Read>>,
) -> Result<HashMap<Vec<u8>, usize>, TraceError> {
    let mut header = ByteRecord::new();
    if !csv
        .read_byte_record(&mut header)
        .map_err(|e| csv_error(file, e))?
    {
        return Err(TraceError::at(file, 1, "no header row: the file is empty"));
    }
    let mut names = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        if names.insert(name.to_vec(), i).is_some() {
            return Err(TraceError::field(
                file,
                1,
                "header",
                name,
                "this column is named twice",
            ));
        }
    }
    Ok(names)
}

pub(crate) fn required(
    file: &str,
    names: &HashMap<Vec<u8>, usize>,
    name: &str,
) -> Result<usize, TraceError> {
    names.get(name.as_bytes()).copied().ok_or_else(|| {
        TraceError::at(
            file,
            1,
            format!("the header has no `{name}` column, which is required"),
        )
    })
}

/// `case`: 1 to 64 of `A-Z a-z 0-9 . _ -`.
pub(crate) fn valid_case(b: &[u8]) -> bool {
    (1..=64).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

pub(crate) const CASE_ALLOWED: &str = "1 to 64 of the characters A-Z a-z 0-9 . _ -";
pub(crate) const SEQ_ALLOWED: &str =
    "a whole number in decimal, no sign, no leading zeros, below 2^63";

/// `seq`: decimal, no sign, no leading zeros, below 2^63.
pub(crate) fn parse_seq(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 19 || (b.len() > 1 && b[0] == b'0') {
        return None;
    }
    let mut v: u64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
    }
    (v < 1 << 63).then_some(v)
}

impl TraceReader {
    /// Reads the header of `input`; replay ignores expectation columns.
    pub fn new(input: Input) -> Result<TraceReader, TraceError> {
        Self::open(input, Expectations::Ignore)
    }

    /// Reads a fixture: every business row must carry `expect`, and `reason` and
    /// `delivered_at` unless `verdict_only`.
    pub fn fixture(input: Input, verdict_only: bool) -> Result<TraceReader, TraceError> {
        Self::open(input, Expectations::Require { verdict_only })
    }

    fn open(input: Input, expectations: Expectations) -> Result<TraceReader, TraceError> {
        let (name, mut csv) = csv_reader(input)?;
        let names = read_header(&name, &mut csv)?;
        let req = |n| required(&name, &names, n);
        let opt = |n: &str| names.get(n.as_bytes()).copied();
        let cols = Columns {
            case: req("case")?,
            seq: req("seq")?,
            at: req("at")?,
            channel: req("channel")?,
            actor: req("actor")?,
            action: req("action")?,
            content: opt("content"),
            tag: opt("tag"),
            expect: opt("expect"),
            reason: opt("reason"),
            delivered_at: opt("delivered_at"),
            note: opt("note"),
        };
        if let Expectations::Require { verdict_only } = expectations {
            req("expect")?;
            if !verdict_only {
                req("reason")?;
                req("delivered_at")?;
            }
        }
        Ok(TraceReader {
            name,
            csv,
            record: ByteRecord::new(),
            cols,
            case_ids: FxHashMap::default(),
            cases: Vec::new(),
            expectations,
        })
    }

    /// The file's name as errors give it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The id of case number `index` (as in [`Row::case`]).
    pub fn case_name(&self, index: u32) -> &str {
        &self.cases[index as usize].name
    }

    /// The ids of the cases seen so far, by number.
    pub fn case_names(&self) -> impl Iterator<Item = &str> {
        self.cases.iter().map(|c| &*c.name)
    }

    /// How many cases were seen so far.
    pub fn case_count(&self) -> usize {
        self.cases.len()
    }

    /// The `note` of the row [`TraceReader::next_row`] returned last (empty without a
    /// `note` column).
    pub fn note(&self) -> String {
        let field = self.cols.note.and_then(|i| self.record.get(i));
        String::from_utf8_lossy(field.unwrap_or_default()).into_owned()
    }

    /// The next valid row, `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<Row>, TraceError> {
        if !self
            .csv
            .read_byte_record(&mut self.record)
            .map_err(|e| csv_error(&self.name, e))?
        {
            return Ok(None);
        }
        let line = self.record.position().map_or(0, |p| p.line());
        self.parse_row(line).map(Some)
    }

    fn parse_row(&mut self, line: u64) -> Result<Row, TraceError> {
        let file = self.name.as_str();
        let r = &self.record;
        let c = &self.cols;
        let get = |i: usize| r.get(i).unwrap_or_default();
        let get_opt = |i: Option<usize>| i.and_then(|i| r.get(i)).unwrap_or_default();
        let bad = |column: &str, value: &[u8], allowed: String| {
            TraceError::field(file, line, column, value, allowed)
        };

        let case_name = get(c.case);
        if !valid_case(case_name) {
            return Err(bad(
                "case",
                case_name,
                format!("a case id is {CASE_ALLOWED}"),
            ));
        }
        let seq_text = get(c.seq);
        let seq = parse_seq(seq_text).ok_or_else(|| bad("seq", seq_text, SEQ_ALLOWED.into()))?;
        let at_text = get(c.at);
        let at = Instant::parse_bytes(at_text).map_err(|e| bad("at", at_text, e.to_string()))?;
        let channel_text = get(c.channel);
        let channel = Channel::from_bytes(channel_text).ok_or_else(|| {
            bad(
                "channel",
                channel_text,
                format!("one of {}", Channel::names()),
            )
        })?;
        let actor_text = get(c.actor);
        let actor = Actor::from_bytes(actor_text)
            .ok_or_else(|| bad("actor", actor_text, format!("one of {}", Actor::names())))?;
        let action_text = get(c.action);
        let content_text = get_opt(c.content);
        let tag_text = get_opt(c.tag);

        let kind = match actor {
            Actor::Customer => {
                let action = CustomerAction::from_bytes(action_text).ok_or_else(|| {
                    bad(
                        "action",
                        action_text,
                        format!("a customer's action is one of {}", CustomerAction::names()),
                    )
                })?;
                if !content_text.is_empty() {
                    return Err(bad(
                        "content",
                        content_text,
                        "customer rows carry no content".into(),
                    ));
                }
                if !tag_text.is_empty() {
                    return Err(bad("tag", tag_text, "customer rows carry no tag".into()));
                }
                check_customer_row(channel, action)
                    .map_err(|e| bad("action", action_text, e.to_string()))?;
                RowKind::Customer(action)
            }
            Actor::Operator | Actor::Bot => {
                let action = BusinessAction::from_bytes(action_text).ok_or_else(|| {
                    bad(
                        "action",
                        action_text,
                        format!("a business action is one of {}", BusinessAction::names()),
                    )
                })?;
                let content = match content_text {
                    b"" => Content::Related,
                    t => Content::from_bytes(t).ok_or_else(|| {
                        bad(
                            "content",
                            t,
                            format!("empty or one of {}", Content::names()),
                        )
                    })?,
                };
                let tagged = match tag_text {
                    b"" => false,
                    b"human_agent" => true,
                    t => return Err(bad("tag", t, "empty or human_agent".into())),
                };
                check_business_row(channel, action, tagged).map_err(|e| match e {
                    crate::rules::InvalidRow::TagNotAllowed => bad("tag", tag_text, e.to_string()),
                    _ => bad("action", action_text, e.to_string()),
                })?;
                let sender = if actor == Actor::Bot {
                    Sender::Bot
                } else {
                    Sender::Operator
                };
                RowKind::Business {
                    sender,
                    action,
                    content,
                    tagged,
                }
            }
        };

        let expect = match self.expectations {
            Expectations::Ignore => None,
            Expectations::Require { verdict_only } => {
                self.expectation(line, kind.is_business(), verdict_only)?
            }
        };

        // The row is valid on its own; now against its case.
        // A valid case id is ASCII, so its bytes are its text.
        let case_text = String::from_utf8_lossy(case_name);
        let case = match self.case_ids.get(case_text.as_ref()) {
            Some(&id) => {
                let info = &mut self.cases[id as usize];
                if info.channel != channel {
                    return Err(TraceError::field(
                        file,
                        line,
                        "channel",
                        channel_text,
                        format!(
                            "case {} is on {} since its first row",
                            info.name, info.channel
                        ),
                    ));
                }
                if at < info.last_at {
                    return Err(TraceError::field(
                        file,
                        line,
                        "at",
                        at_text,
                        format!(
                            "instants must never decrease within a case: case {} is already at {}",
                            info.name, info.last_at
                        ),
                    ));
                }
                info.last_at = at;
                id
            }
            None => {
                let id = u32::try_from(self.cases.len())
                    .map_err(|_| TraceError::at(file, line, "more than 2^32 cases"))?;
                // One allocation, shared by the map and the case.
                let name: Rc<str> = Rc::from(case_text.as_ref());
                self.case_ids.insert(Rc::clone(&name), id);
                self.cases.push(CaseInfo {
                    name,
                    channel,
                    last_at: at,
                    seqs: SeqSet::default(),
                });
                id
            }
        };
        if !self.cases[case as usize].seqs.insert(seq) {
            return Err(TraceError::field(
                file,
                line,
                "seq",
                seq_text,
                format!(
                    "seq {seq} appears twice in case {}",
                    self.cases[case as usize].name
                ),
            ));
        }
        Ok(Row {
            case,
            seq,
            at,
            channel,
            line,
            kind,
            expect,
        })
    }

    fn expectation(
        &self,
        line: u64,
        business: bool,
        verdict_only: bool,
    ) -> Result<Option<Expectation>, TraceError> {
        let file = self.name.as_str();
        let r = &self.record;
        let get = |i: Option<usize>| i.and_then(|i| r.get(i)).unwrap_or_default();
        let (expect, reason, delivered) = (
            get(self.cols.expect),
            get(self.cols.reason),
            get(self.cols.delivered_at),
        );
        if !business {
            for (column, value) in [
                ("expect", expect),
                ("reason", reason),
                ("delivered_at", delivered),
            ] {
                if !value.is_empty() {
                    return Err(TraceError::field(
                        file,
                        line,
                        column,
                        value,
                        "customer rows carry no expectation: leave it empty",
                    ));
                }
            }
            return Ok(None);
        }
        let verdict = Verdict::from_bytes(expect).ok_or_else(|| {
            TraceError::field(
                file,
                line,
                "expect",
                expect,
                format!(
                    "a business row of a fixture needs one of {}",
                    Verdict::names()
                ),
            )
        })?;
        let reason = match (reason, verdict_only) {
            (b"", true) => None,
            (text, _) => {
                let reason = Reason::from_bytes(text).ok_or_else(|| {
                    TraceError::field(
                        file,
                        line,
                        "reason",
                        text,
                        format!(
                            "a business row of a fixture needs one of {}",
                            Reason::names()
                        ),
                    )
                })?;
                if reason.verdict() != verdict {
                    return Err(TraceError::field(
                        file,
                        line,
                        "reason",
                        text,
                        format!(
                            "{reason} goes with verdict {}, not {verdict}",
                            reason.verdict()
                        ),
                    ));
                }
                // Checked when present, compared only without `verdict_only`.
                (!verdict_only).then_some(reason)
            }
        };
        let delivered_at = match delivered {
            b"" => None,
            text => Some(Instant::parse_bytes(text).map_err(|e| {
                TraceError::field(
                    file,
                    line,
                    "delivered_at",
                    text,
                    format!("empty for never, or {e}"),
                )
            })?),
        };
        Ok(Some(Expectation {
            verdict,
            reason,
            delivered_at: (!verdict_only).then_some(delivered_at),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_runs_answer_as_a_plain_set_does() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for round in 0..200 {
            let mut runs = SeqSet::default();
            let mut plain = std::collections::HashSet::new();
            let mut next = 0u64;
            for _ in 0..300 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Mostly the next number, sometimes a gap, sometimes an earlier one.
                let seq = match x % 10 {
                    0..=5 => next + 1,
                    6 | 7 => next + 2 + x % 5,
                    _ => (x >> 8) % (next + 2),
                };
                next = next.max(seq);
                assert_eq!(
                    runs.insert(seq),
                    plain.insert(seq),
                    "round {round}, seq {seq}"
                );
            }
        }
    }

    #[test]
    fn seq_is_strict() {
        assert_eq!(parse_seq(b"0"), Some(0));
        assert_eq!(parse_seq(b"12"), Some(12));
        assert_eq!(parse_seq(b"9223372036854775807"), Some(i64::MAX as u64));
        for bad in [
            &b""[..],
            b"07",
            b"+1",
            b"-1",
            b" 1",
            b"1.0",
            b"9223372036854775808",
            b"99999999999999999999",
        ] {
            assert_eq!(parse_seq(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn case_ids_are_strict() {
        assert!(valid_case(b"ig-17.a_B"));
        assert!(valid_case(&[b'a'; 64]));
        assert!(!valid_case(&[b'a'; 65]));
        assert!(!valid_case(b""));
        assert!(!valid_case(b"a b"));
        assert!(!valid_case("é".as_bytes()));
    }
}

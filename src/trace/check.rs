//! `check`: compares a verdict file with a fixture's expectations, and explains where they
//! differ: each disagreement with its instant, note and case timeline, a table of expected
//! → returned, and a diagnosis where the disagreements share a shape.

use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};

use super::{Expectation, Input, Replayer, RowKind, TraceError, TraceReader, VerdictRow};
use super::{position, read_verdicts};
use crate::rules::{CaseState, Channel, CustomerAction, Policy, Reason, Verdict};
use crate::time::{Instant, format_span};

/// How strictly to compare, and under which policy the fixture was designed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Compare verdicts only, not reasons nor `delivered_at`.
    pub verdict_only: bool,
    /// The fixture's policy: the explanations (ends, positions) are drawn from it.
    pub policy: Policy,
}

/// Where a fixture row sits: what `check` shows with a disagreement on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowContext {
    pub channel: Channel,
    pub at: Instant,
    /// The fixture's `note` (what the row probes), empty without one.
    pub note: String,
    /// Against the nearest end of its case, as in `replay --explain` (`W`, `E-1ms`).
    pub position: String,
    /// The case's rows up to this one, one line each, instants relative to its first row.
    pub timeline: Vec<String>,
}

/// One row where the verdict file and the fixture do not agree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disagreement {
    /// Both have the row, with different values.
    Different {
        case: String,
        seq: u64,
        expected: Expectation,
        got: VerdictRow,
        context: Box<RowContext>,
    },
    /// A business row of the fixture has no verdict row.
    Missing {
        case: String,
        seq: u64,
        expected: Expectation,
        context: Box<RowContext>,
    },
    /// A verdict row matches no business row of the fixture.
    Extra {
        case: String,
        seq: u64,
        got: VerdictRow,
        /// Its line in the verdict file.
        line: u64,
    },
}

fn instant_text(at: Option<Instant>) -> String {
    at.map_or_else(|| "never".to_string(), |t| t.to_string())
}

fn expectation_text(e: &Expectation) -> String {
    let mut s = e.verdict.to_string();
    if let Some(r) = e.reason {
        write!(s, " {r}").ok();
    }
    if let Some(at) = e.delivered_at {
        write!(s, " delivered_at={}", instant_text(at)).ok();
    }
    s
}

fn got_text(g: &VerdictRow, e: &Expectation) -> String {
    let mut s = g.verdict.to_string();
    if e.reason.is_some() {
        write!(s, " {}", g.reason.map_or("(no reason)", Reason::as_str)).ok();
    }
    if e.delivered_at.is_some() {
        write!(s, " delivered_at={}", instant_text(g.delivered_at)).ok();
    }
    s
}

/// `verdict reason`, the short form of the table of expected → returned.
fn pair_text(verdict: Verdict, reason: Option<Reason>) -> String {
    match reason {
        Some(r) => format!("{verdict} {r}"),
        None => verdict.to_string(),
    }
}

impl fmt::Display for RowContext {
    /// The row's instant, position and note, then the case's timeline, indented.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "  {} at {}", self.channel, self.at)?;
        if !self.position.is_empty() {
            write!(f, " ({})", self.position)?;
        }
        if !self.note.is_empty() {
            write!(f, ": {}", self.note)?;
        }
        for line in &self.timeline {
            write!(f, "\n    {line}")?;
        }
        Ok(())
    }
}

impl Disagreement {
    /// The case the row belongs to.
    pub fn case(&self) -> &str {
        match self {
            Disagreement::Different { case, .. }
            | Disagreement::Missing { case, .. }
            | Disagreement::Extra { case, .. } => case,
        }
    }
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Disagreement::Different {
                case,
                seq,
                expected,
                got,
                context,
            } => write!(
                f,
                "case {case} seq {seq}: expected {}, got {}\n{context}",
                expectation_text(expected),
                got_text(got, expected)
            ),
            Disagreement::Missing {
                case,
                seq,
                expected,
                context,
            } => write!(
                f,
                "case {case} seq {seq}: missing: expected {}, got no verdict row\n{context}",
                expectation_text(expected)
            ),
            Disagreement::Extra {
                case,
                seq,
                got,
                line,
            } => write!(
                f,
                "case {case} seq {seq}: extra: got {} (verdict file line {line}), but the fixture \
                 has no business row with this case and seq",
                got.verdict
            ),
        }
    }
}

/// A shape several disagreements can share, and what it usually means. Declared in the
/// order a diagnosis prefers among shapes shared by as many rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shape {
    /// The engine checked gives what Meta's default policy gives, not the fixture's.
    DefaultPolicy,
    /// Exactly at an end (`W`, `E` or `P`), the engine checked still gives what the end
    /// closes: the end is taken as inclusive.
    InclusiveEnd(char),
    /// 1 ms before an end, the engine checked no longer gives what the end closes.
    EarlyEnd(char),
    /// After an `accept` in the case.
    AfterAccept,
    /// On an Instagram hold: a held row, or a row after a held one in its case.
    InstagramHold,
    /// Verdict and reason agree; the delivery instant does not.
    DeliveryInstant,
}

fn end_name(end: char) -> &'static str {
    match end {
        'W' => "the standard window's end (latest message + W)",
        'E' => "the human-agent extension's end (latest message + E)",
        _ => "a comment's private-reply validity end (comment + P)",
    }
}

/// The reason an end closes: given before it, not at it.
fn reason_closed_by(end: char) -> Reason {
    match end {
        'W' => Reason::StandardWindow,
        'E' => Reason::HumanAgent,
        _ => Reason::PrivateReply,
    }
}

impl Shape {
    /// What the shape usually means, for a diagnosis line.
    pub fn meaning(self) -> String {
        match self {
            Shape::InclusiveEnd(end) => format!(
                "exactly at {}, you still give {}: your end is inclusive. Ends are exclusive \
                 (windows are half-open): at the end itself the message is too late",
                end_name(end),
                reason_closed_by(end)
            ),
            Shape::EarlyEnd(end) => format!(
                "1 ms before {}, you no longer give {}: your end comes early (an end \
                 rounded to the second or minute, or compared with `<=` one unit short)",
                end_name(end),
                reason_closed_by(end)
            ),
            Shape::AfterAccept => "after an `accept`: accepting a conversation request \
                releases what is held and clears the request, and never opens the window (only \
                a customer message does); an `accept` with nothing pending has no effect at all \
                (the latest contact stays a comment)"
                .into(),
            Shape::InstagramHold => "on Instagram holds: after a comment's one private \
                message, a message outside the window is held (awaiting_acceptance) until the \
                customer accepts or writes, and delivered at that row's instant; a message \
                still held at the end is never delivered"
                .into(),
            Shape::DefaultPolicy => "your verdicts are the ones Meta's default policy gives, \
                not this fixture's policy: was its policy file read?"
                .into(),
            Shape::DeliveryInstant => "verdicts and reasons agree, delivery instants do not: a \
                delivered message reaches the customer at its own instant, a held one at the \
                instant of the customer row that releases it, and one still held never"
                .into(),
        }
    }
}

/// What `check` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// In fixture order, then the extra rows in verdict-file order.
    pub disagreements: Vec<Disagreement>,
    /// Per expected (verdict, reason): rows, and how many of them agree.
    pub by_expectation: BTreeMap<(Verdict, Option<Reason>), (u64, u64)>,
    /// The same per channel.
    pub by_channel: BTreeMap<(Channel, Verdict, Option<Reason>), (u64, u64)>,
    /// The fixture's cases, in the order of their first row.
    pub cases: Vec<String>,
    /// Expected → returned (`verdict reason` each, `(no row)` for a missing one): how many.
    pub confusion: BTreeMap<(String, String), u64>,
    /// The shape shared by the most different rows (at least half of them), with how many
    /// share it; several when they tie, unless one is [`Shape::DefaultPolicy`], which
    /// explains the others.
    pub diagnosis: Vec<(Shape, u64)>,
    pub business_rows: u64,
}

impl CheckReport {
    /// True when every row agrees and nothing is missing or extra.
    pub fn agrees(&self) -> bool {
        self.disagreements.is_empty()
    }

    /// How many rows are different (not missing, not extra).
    fn different(&self) -> usize {
        self.disagreements
            .iter()
            .filter(|d| matches!(d, Disagreement::Different { .. }))
            .count()
    }

    /// The summary: the table by expected verdict and reason, the totals, the table of
    /// expected → returned, and the diagnosis.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{:<12} {:<24} {:>8} {:>8} {:>9}\n",
            "verdict", "reason", "rows", "agree", "disagree"
        );
        for ((verdict, reason), (rows, agree)) in &self.by_expectation {
            let reason = reason.map_or("-", Reason::as_str);
            writeln!(
                out,
                "{:<12} {:<24} {:>8} {:>8} {:>9}",
                verdict.as_str(),
                reason,
                rows,
                agree,
                rows - agree
            )
            .ok();
        }
        let count =
            |f: fn(&Disagreement) -> bool| self.disagreements.iter().filter(|d| f(d)).count();
        let missing = count(|d| matches!(d, Disagreement::Missing { .. }));
        let extra = count(|d| matches!(d, Disagreement::Extra { .. }));
        let different = self.different();
        writeln!(
            out,
            "{} business rows: {} agree; {} disagreements ({} different, {} missing, {} extra)",
            self.business_rows,
            self.business_rows - (different + missing) as u64,
            self.disagreements.len(),
            different,
            missing,
            extra
        )
        .ok();
        if !self.confusion.is_empty() {
            out.push_str("\nexpected → returned:\n");
            let mut pairs: Vec<_> = self.confusion.iter().collect();
            pairs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            for ((expected, got), n) in pairs {
                writeln!(out, "  {expected} → {got} ×{n}").ok();
            }
        }
        for (shape, n) in &self.diagnosis {
            let share = if *n as usize == different {
                format!("all {n} different rows")
            } else {
                format!("{n} of {different} different rows")
            };
            writeln!(out, "\ndiagnosis ({share}): {}", shape.meaning()).ok();
        }
        out
    }
}

/// A fixture row, kept for timelines and diagnoses.
struct FixtureRow {
    /// Its line in the fixture.
    line: u64,
    seq: u64,
    at: Instant,
    kind: RowKind,
    note: String,
    expect: Option<Expectation>,
    /// Business rows: the case's state before the decision, under the fixture's policy.
    state: Option<CaseState>,
    /// Business rows: what Meta's default policy gives.
    meta: Option<(Verdict, Reason)>,
}

/// The rows of one case, in order.
struct CaseRows {
    channel: Channel,
    rows: Vec<FixtureRow>,
}

/// At most this many rows of a case's timeline are shown before a disagreement.
const TIMELINE_ROWS: usize = 12;

fn describe(kind: RowKind) -> String {
    match kind {
        RowKind::Customer(action) => format!("customer {action}"),
        RowKind::Business {
            sender,
            action,
            content,
            tagged,
        } => {
            let tag = if tagged { " tagged human_agent" } else { "" };
            format!("{} {action} {content}{tag}", sender.actor())
        }
    }
}

impl CaseRows {
    /// The rows up to index `upto`, instants relative to the case's first row (`a`).
    fn timeline(&self, upto: usize, got: Option<&VerdictRow>) -> Vec<String> {
        let start = self.rows[0].at;
        let from = (upto + 1).saturating_sub(TIMELINE_ROWS);
        let mut lines = Vec::new();
        if from > 0 {
            lines.push(format!("… {from} earlier rows"));
        }
        for (i, r) in self.rows.iter().enumerate().take(upto + 1).skip(from) {
            let span = r.at.millis() - start.millis();
            let when = if span == 0 {
                "a".to_string()
            } else {
                format!("a + {}", format_span(span))
            };
            let mut line = format!("{when:<22} {:<2} {}", r.seq, describe(r.kind));
            if let Some(e) = r.expect {
                write!(line, ": {}", pair_text(e.verdict, e.reason)).ok();
            }
            if i == upto {
                let got = got.map_or("no row".into(), |g| pair_text(g.verdict, g.reason));
                write!(line, "  ← you: {got}").ok();
            }
            lines.push(line);
        }
        lines
    }

    fn context(&self, index: usize, got: Option<&VerdictRow>) -> Box<RowContext> {
        let r = &self.rows[index];
        Box::new(RowContext {
            channel: self.channel,
            at: r.at,
            note: r.note.clone(),
            position: r
                .state
                .as_ref()
                .map(|s| position(s, r.at))
                .unwrap_or_default(),
            timeline: self.timeline(index, got),
        })
    }

    /// The shapes a different row at `index` has.
    fn shapes(&self, index: usize, expected: &Expectation, got: &VerdictRow) -> Vec<Shape> {
        let r = &self.rows[index];
        let mut shapes = Vec::new();
        if got.verdict == expected.verdict && expected.reason.is_none_or(|e| got.reason == Some(e))
        {
            shapes.push(Shape::DeliveryInstant);
        }
        if let Some(state) = &r.state {
            let position = position(state, r.at);
            let mut chars = position.chars();
            if let Some(end) = chars.next() {
                let offset = chars.as_str();
                let closed = Some(reason_closed_by(end));
                if offset.is_empty() && got.reason == closed && expected.reason != closed {
                    shapes.push(Shape::InclusiveEnd(end));
                }
                if offset == "-1ms" && expected.reason == closed && got.reason != closed {
                    shapes.push(Shape::EarlyEnd(end));
                }
            }
        }
        let after_accept = self.rows[..index]
            .iter()
            .any(|p| p.kind == RowKind::Customer(CustomerAction::Accept));
        if after_accept {
            shapes.push(Shape::AfterAccept);
        }
        let held_before = self.rows[..=index]
            .iter()
            .any(|p| p.expect.is_some_and(|e| e.verdict == Verdict::Held));
        if self.channel == Channel::Instagram && (held_before || got.verdict == Verdict::Held) {
            shapes.push(Shape::InstagramHold);
        }
        if r.meta == got.reason.map(|reason| (got.verdict, reason)) {
            shapes.push(Shape::DefaultPolicy);
        }
        shapes
    }
}

/// Reads a fixture into its cases, each business row with the case's state before it under
/// `policy` and what Meta's default policy gives it.
fn read_fixture(
    fixture: Input,
    options: CheckOptions,
) -> Result<(TraceReader, Vec<CaseRows>), TraceError> {
    let mut reader = TraceReader::fixture(fixture, options.verdict_only)?;
    let meta_policy = Policy::meta();
    let mut designed = Replayer::new(&options.policy);
    let mut meta = Replayer::new(&meta_policy);
    let mut cases: Vec<CaseRows> = Vec::new();
    while let Some(row) = reader.next_row()? {
        let i = row.case as usize;
        if i == cases.len() {
            cases.push(CaseRows {
                channel: row.channel,
                rows: Vec::new(),
            });
        }
        let state = row.kind.is_business().then(|| {
            designed
                .state(row.case)
                .unwrap_or_else(|| crate::rules::Case::new(row.channel).state(&options.policy))
        });
        designed.apply(row.case, row.seq, row.channel, row.at, row.kind);
        let before = meta.decided();
        meta.apply(row.case, row.seq, row.channel, row.at, row.kind);
        let meta_outcome = meta
            .last_decision(before)
            .and_then(|v| v.reason.map(|r| (v.verdict, r)));
        cases[i].rows.push(FixtureRow {
            line: row.line,
            seq: row.seq,
            at: row.at,
            kind: row.kind,
            note: reader.note(),
            expect: row.expect.filter(|_| row.kind.is_business()),
            state,
            meta: meta_outcome,
        });
    }
    Ok((reader, cases))
}

/// Compares `verdicts` with the expectations of `fixture`. Rows are matched by
/// `(case, seq)` in any order; instants are compared as instants.
pub fn check(
    fixture: Input,
    verdicts: Input,
    options: CheckOptions,
) -> Result<CheckReport, TraceError> {
    let (reader, cases) = read_fixture(fixture, options)?;
    let got = read_verdicts(verdicts, options.verdict_only)?;
    let mut index: HashMap<(&str, u64), usize> = HashMap::with_capacity(got.rows.len());
    for (i, g) in got.rows.iter().enumerate() {
        index.insert((got.case_name(g), g.seq), i);
    }
    let mut matched = vec![false; got.rows.len()];
    let mut report = CheckReport::default();
    let mut shapes: BTreeMap<Shape, u64> = BTreeMap::new();
    // Fixture order: cases interleave in the file, so order by line.
    let mut order: Vec<(u32, usize)> = Vec::new();
    for (c, case) in cases.iter().enumerate() {
        for (i, r) in case.rows.iter().enumerate() {
            if r.expect.is_some() {
                order.push((c as u32, i));
            }
        }
    }
    order.sort_by_key(|&(c, i)| cases[c as usize].rows[i].line);
    for (c, i) in order {
        let case = &cases[c as usize];
        let row = &case.rows[i];
        let Some(e) = row.expect else { continue };
        let name = reader.case_name(c);
        report.business_rows += 1;
        let tally = report
            .by_expectation
            .entry((e.verdict, e.reason))
            .or_default();
        tally.0 += 1;
        let channel_tally = report
            .by_channel
            .entry((case.channel, e.verdict, e.reason))
            .or_default();
        channel_tally.0 += 1;
        let expected_pair = pair_text(e.verdict, e.reason);
        match index.get(&(name, row.seq)) {
            None => {
                *report
                    .confusion
                    .entry((expected_pair, "(no row)".into()))
                    .or_default() += 1;
                report.disagreements.push(Disagreement::Missing {
                    case: name.into(),
                    seq: row.seq,
                    expected: e,
                    context: case.context(i, None),
                });
            }
            Some(&g) => {
                matched[g] = true;
                let g = &got.rows[g];
                let agrees = g.verdict == e.verdict
                    && e.reason.is_none_or(|r| g.reason == Some(r))
                    && e.delivered_at.is_none_or(|at| g.delivered_at == at);
                if agrees {
                    tally.1 += 1;
                    channel_tally.1 += 1;
                    continue;
                }
                let returned = match e.reason {
                    Some(_) => pair_text(g.verdict, g.reason),
                    None => g.verdict.to_string(),
                };
                *report
                    .confusion
                    .entry((expected_pair, returned))
                    .or_default() += 1;
                for shape in case.shapes(i, &e, g) {
                    if shape != Shape::DefaultPolicy || options.policy != Policy::meta() {
                        *shapes.entry(shape).or_default() += 1;
                    }
                }
                report.disagreements.push(Disagreement::Different {
                    case: name.into(),
                    seq: row.seq,
                    expected: e,
                    got: *g,
                    context: case.context(i, Some(g)),
                });
            }
        }
    }
    for ((g, line), m) in got.rows.iter().zip(&got.lines).zip(matched) {
        if !m {
            report.disagreements.push(Disagreement::Extra {
                case: got.case_name(g).into(),
                seq: g.seq,
                got: *g,
                line: *line,
            });
        }
    }
    report.cases = reader.case_names().map(String::from).collect();
    let different = report.different() as u64;
    let most = shapes.values().copied().max().unwrap_or(0);
    if different > 0 && 2 * most >= different {
        // Shapes iterate in their order of preference: Meta's policy, when it explains
        // as many rows, explains the rest too.
        let top = shapes.into_iter().filter(|&(_, n)| n == most);
        report.diagnosis = top.collect();
        if report
            .diagnosis
            .first()
            .is_some_and(|d| d.0 == Shape::DefaultPolicy)
        {
            report.diagnosis.truncate(1);
        }
    }
    Ok(report)
}

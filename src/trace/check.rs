//! `check`: compares a verdict file with a fixture's expectations.

use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};

use super::{Expectation, Input, TraceError, TraceReader, VerdictRow, read_verdicts};
use crate::rules::{Reason, Verdict};
use crate::time::Instant;

/// How strictly to compare.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Compare verdicts only, not reasons nor `delivered_at`.
    pub verdict_only: bool,
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
    },
    /// A business row of the fixture has no verdict row.
    Missing {
        case: String,
        seq: u64,
        expected: Expectation,
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

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Disagreement::Different {
                case,
                seq,
                expected,
                got,
            } => write!(
                f,
                "case {case} seq {seq}: expected {}, got {}",
                expectation_text(expected),
                got_text(got, expected)
            ),
            Disagreement::Missing {
                case,
                seq,
                expected,
            } => write!(
                f,
                "case {case} seq {seq}: missing: expected {}, got no verdict row",
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

/// What `check` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// In fixture order, then the extra rows in verdict-file order.
    pub disagreements: Vec<Disagreement>,
    /// Per expected (verdict, reason): rows, and how many of them agree.
    pub by_expectation: BTreeMap<(Verdict, Option<Reason>), (u64, u64)>,
    pub business_rows: u64,
}

impl CheckReport {
    /// True when every row agrees and nothing is missing or extra.
    pub fn agrees(&self) -> bool {
        self.disagreements.is_empty()
    }

    /// The summary table by expected verdict and reason.
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
        let different = count(|d| matches!(d, Disagreement::Different { .. }));
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
        out
    }
}

/// Compares `verdicts` with the expectations of `fixture`. Rows are matched by
/// `(case, seq)` in any order; instants are compared as instants.
pub fn check(
    fixture: Input,
    verdicts: Input,
    options: CheckOptions,
) -> Result<CheckReport, TraceError> {
    let mut reader = TraceReader::fixture(fixture, options.verdict_only)?;
    let mut expected = Vec::new();
    while let Some(row) = reader.next_row()? {
        if let (true, Some(e)) = (row.kind.is_business(), row.expect) {
            expected.push((row.case, row.seq, e));
        }
    }
    let got = read_verdicts(verdicts, options.verdict_only)?;
    let mut index: HashMap<(&str, u64), usize> = HashMap::with_capacity(got.rows.len());
    for (i, g) in got.rows.iter().enumerate() {
        index.insert((got.case_name(g), g.seq), i);
    }
    let mut matched = vec![false; got.rows.len()];
    let mut report = CheckReport {
        business_rows: expected.len() as u64,
        ..Default::default()
    };
    for (case, seq, e) in expected {
        let name = reader.case_name(case);
        let tally = report
            .by_expectation
            .entry((e.verdict, e.reason))
            .or_default();
        tally.0 += 1;
        match index.get(&(name, seq)) {
            None => report.disagreements.push(Disagreement::Missing {
                case: name.into(),
                seq,
                expected: e,
            }),
            Some(&i) => {
                matched[i] = true;
                let g = &got.rows[i];
                let agrees = g.verdict == e.verdict
                    && e.reason.is_none_or(|r| g.reason == Some(r))
                    && e.delivered_at.is_none_or(|at| g.delivered_at == at);
                if agrees {
                    tally.1 += 1;
                } else {
                    report.disagreements.push(Disagreement::Different {
                        case: name.into(),
                        seq,
                        expected: e,
                        got: *g,
                    });
                }
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
    Ok(report)
}

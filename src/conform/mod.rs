//! `conform`: runs another implementation of the rules over the whole fixture suite (every
//! fixture with its policy, every invalid input) and tells where it agrees, where not and
//! why: a scorecard per file and per (channel, verdict, reason), and JUnit XML with one
//! test case per fixture case.

mod junit;
mod process;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use process::Ended;

use crate::rules::{Channel, Reason, Verdict};
use crate::time::format_span;
use crate::trace::{CheckOptions, CheckReport, Input, TraceError, VERDICT_HEADER, check};

/// The command that runs the implementation under test, with placeholders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    text: String,
}

/// The placeholders a command may use.
pub const PLACEHOLDERS: [&str; 3] = ["{trace}", "{policy}", "{out}"];

/// Why `conform` cannot run.
#[derive(Debug, thiserror::Error)]
pub enum ConformError {
    /// The command names a placeholder that does not exist.
    #[error(
        "the command `{command}` uses `{placeholder}`; the placeholders are {{trace}}, \
         {{policy}} and {{out}}"
    )]
    Placeholder {
        command: String,
        placeholder: String,
    },
    /// The command is empty.
    #[error("the command is empty")]
    EmptyCommand,
    /// A listing of the suite is missing or malformed.
    #[error("{file}: {message}")]
    Suite { file: String, message: String },
    /// A fixture of the suite cannot be read.
    #[error(transparent)]
    Fixture(#[from] TraceError),
    /// The scratch folder cannot be used.
    #[error("{path}: {source}")]
    Scratch {
        path: String,
        source: std::io::Error,
    },
}

impl Template {
    /// Reads a command: `{trace}` is replaced by the trace's path (without it the trace
    /// comes on standard input), `{policy}` by the policy file's, `{out}` by the path the
    /// verdicts are to be written to (without it they are read from standard output).
    ///
    /// ```
    /// use replywindow::conform::Template;
    /// assert!(Template::parse("ruby engine.rb {trace} {policy} {out}").is_ok());
    /// assert!(Template::parse("php engine.php {policy} < /dev/stdin").is_ok());
    /// assert!(Template::parse("engine {traces}").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Template, ConformError> {
        if text.trim().is_empty() {
            return Err(ConformError::EmptyCommand);
        }
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let after = &rest[start..];
            let end = after.find('}').map_or(after.len(), |e| e + 1);
            let word = &after[..end];
            let is_name = word.len() > 2
                && word[1..word.len() - 1]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if is_name && !PLACEHOLDERS.contains(&word) {
                return Err(ConformError::Placeholder {
                    command: text.into(),
                    placeholder: word.into(),
                });
            }
            rest = &after[1..];
        }
        Ok(Template { text: text.into() })
    }

    /// The trace goes to standard input.
    pub fn trace_on_stdin(&self) -> bool {
        !self.text.contains("{trace}")
    }

    /// The verdicts come on standard output.
    pub fn verdicts_on_stdout(&self) -> bool {
        !self.text.contains("{out}")
    }

    /// The shell script for one run, every path quoted for the shell.
    fn script(&self, trace: &Path, policy: &Path, out: &Path) -> String {
        self.text
            .replace("{trace}", &shell_quote(trace))
            .replace("{policy}", &shell_quote(policy))
            .replace("{out}", &shell_quote(out))
    }
}

/// `'path'`, with any `'` inside written as `'\''`.
fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// A fixture of the suite and the policy file it is designed for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixtureEntry {
    pub file: String,
    pub policy: String,
}

/// An invalid input of the suite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidEntry {
    /// Under `invalid/`.
    pub file: String,
    /// A policy file (run with a valid trace) rather than a trace.
    pub policy: bool,
    /// What is wrong with it.
    pub rule: String,
}

/// What the suite in a folder holds, from its `MANIFEST.csv` and `invalid/EXPECTED.csv`.
#[derive(Clone, Debug)]
pub struct SuiteListing {
    pub root: PathBuf,
    /// The CSV fixtures, in manifest order.
    pub fixtures: Vec<FixtureEntry>,
    pub invalid: Vec<InvalidEntry>,
    /// A valid trace and its policy, for running the invalid policy files.
    pub valid: FixtureEntry,
}

/// The rows of a CSV listing as maps from column to value.
fn listing(path: &Path) -> Result<Vec<BTreeMap<String, String>>, ConformError> {
    let bad = |message: String| ConformError::Suite {
        file: path.display().to_string(),
        message,
    };
    let mut reader = csv::Reader::from_path(path).map_err(|e| {
        bad(format!(
            "{e} (is this the folder `replywindow fixtures --out` wrote?)"
        ))
    })?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        rows.push(
            header
                .iter()
                .cloned()
                .zip(record.iter().map(String::from))
                .collect(),
        );
    }
    Ok(rows)
}

impl SuiteListing {
    /// Reads the listing of the suite in `root`.
    pub fn read(root: &Path) -> Result<SuiteListing, ConformError> {
        let manifest = root.join("MANIFEST.csv");
        let column = |row: &BTreeMap<String, String>, name: &str, file: &Path| {
            row.get(name).cloned().ok_or_else(|| ConformError::Suite {
                file: file.display().to_string(),
                message: format!("no `{name}` column (a suite older than `conform`?)"),
            })
        };
        let mut fixtures = Vec::new();
        for row in listing(&manifest)? {
            let file = column(&row, "file", &manifest)?;
            let policy = column(&row, "policy", &manifest)?;
            if file.ends_with(".csv") && !policy.is_empty() {
                fixtures.push(FixtureEntry { file, policy });
            }
        }
        let expected = root.join("invalid/EXPECTED.csv");
        let mut invalid = Vec::new();
        for row in listing(&expected)? {
            invalid.push(InvalidEntry {
                file: column(&row, "file", &expected)?,
                policy: column(&row, "kind", &expected)? == "policy",
                rule: column(&row, "rule", &expected)?,
            });
        }
        let valid = fixtures
            .first()
            .cloned()
            .ok_or_else(|| ConformError::Suite {
                file: manifest.display().to_string(),
                message: "lists no fixture".into(),
            })?;
        Ok(SuiteListing {
            root: root.to_path_buf(),
            fixtures,
            invalid,
            valid,
        })
    }
}

/// How one fixture file went.
#[derive(Debug)]
pub enum FixtureOutcome {
    /// The implementation answered and its verdicts were compared.
    Checked(CheckReport),
    /// It did not answer usably: what went wrong (a crash, the time limit, a verdict file
    /// that cannot be read).
    Failed(String),
}

/// One fixture file's result.
#[derive(Debug)]
pub struct FixtureResult {
    pub file: String,
    /// The fixture's cases and business rows (compared with no verdicts when the
    /// implementation did not answer).
    pub expected: CheckReport,
    pub outcome: FixtureOutcome,
}

impl FixtureResult {
    pub fn passed(&self) -> bool {
        matches!(&self.outcome, FixtureOutcome::Checked(r) if r.agrees())
    }
}

/// One invalid input's result: `Err` with what happened when it was not refused.
#[derive(Debug)]
pub struct InvalidResult {
    pub entry: InvalidEntry,
    pub refused: Result<(), String>,
}

/// Everything `conform` found.
#[derive(Debug)]
pub struct ConformReport {
    pub fixtures: Vec<FixtureResult>,
    pub invalid: Vec<InvalidResult>,
    pub time_limit: Duration,
}

/// How to run.
#[derive(Clone, Copy, Debug)]
pub struct ConformOptions {
    /// The longest one run may take.
    pub time_limit: Duration,
}

/// The last lines of a command's standard error, for a failure message.
fn stderr_tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(3)..].join(" | ");
    if tail.is_empty() {
        String::new()
    } else {
        format!(": {tail}")
    }
}

/// Why a run gave no verdicts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunFailure {
    /// It exited with a code other than 0 (`None`: killed by a signal).
    Exited { code: Option<i32>, stderr: String },
    /// It was still running at the time limit.
    TimedOut(Duration),
    /// It exited with 0 but wrote no verdict file.
    NoVerdicts(String),
    /// It could not be started, or its input could not be read.
    NotStarted(String),
}

impl std::fmt::Display for RunFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunFailure::Exited { code, stderr } => write!(
                f,
                "exited with {}{stderr}",
                code.map_or("a signal".into(), |c| format!("code {c}"))
            ),
            RunFailure::TimedOut(limit) => write!(
                f,
                "no answer within the time limit ({}); stopped",
                format_span(limit.as_millis() as i64)
            ),
            RunFailure::NoVerdicts(why) => {
                write!(f, "exited with code 0 but wrote no verdict file ({why})")
            }
            RunFailure::NotStarted(why) => write!(f, "{why}"),
        }
    }
}

/// Runs the implementation on `trace` with `policy`; its verdicts, or what went wrong.
fn answer(
    template: &Template,
    trace: &Path,
    policy: &Path,
    scratch: &Path,
    limit: Duration,
) -> Result<Vec<u8>, RunFailure> {
    let out = scratch.join("verdicts.csv");
    let _ = std::fs::remove_file(&out);
    let stdin = if template.trace_on_stdin() {
        let bytes = std::fs::read(trace)
            .map_err(|e| RunFailure::NotStarted(format!("{}: {e}", trace.display())))?;
        Some(bytes)
    } else {
        None
    };
    match process::run(&template.script(trace, policy, &out), stdin, limit) {
        Ended::NotStarted(why) => Err(RunFailure::NotStarted(why)),
        Ended::TimedOut => Err(RunFailure::TimedOut(limit)),
        Ended::Exited {
            code: Some(0),
            stdout,
            ..
        } => {
            if template.verdicts_on_stdout() {
                Ok(stdout)
            } else {
                std::fs::read(&out).map_err(|e| RunFailure::NoVerdicts(e.to_string()))
            }
        }
        Ended::Exited { code, stderr, .. } => Err(RunFailure::Exited {
            code,
            stderr: stderr_tail(&stderr),
        }),
    }
}

/// Runs `template` over every file of `suite`, telling `progress` each file's name first.
pub fn conform(
    suite: &SuiteListing,
    template: &Template,
    options: ConformOptions,
    scratch: &Path,
    mut progress: impl FnMut(&str),
) -> Result<ConformReport, ConformError> {
    std::fs::create_dir_all(scratch).map_err(|source| ConformError::Scratch {
        path: scratch.display().to_string(),
        source,
    })?;
    let mut fixtures = Vec::new();
    for entry in &suite.fixtures {
        progress(&entry.file);
        let trace = suite.root.join(&entry.file);
        let policy_path = suite.root.join(&entry.policy);
        let policy_text =
            std::fs::read_to_string(&policy_path).map_err(|e| ConformError::Suite {
                file: policy_path.display().to_string(),
                message: e.to_string(),
            })?;
        let policy =
            crate::rules::Policy::from_toml(&policy_text).map_err(|e| ConformError::Suite {
                file: policy_path.display().to_string(),
                message: e.to_string(),
            })?;
        let check_options = CheckOptions {
            verdict_only: false,
            policy,
        };
        let fixture = || Input::open(&trace);
        let none = format!("{VERDICT_HEADER}\n");
        let expected = check(fixture()?, Input::bytes("(none)", none), check_options)?;
        let outcome = match answer(template, &trace, &policy_path, scratch, options.time_limit) {
            Err(why) => FixtureOutcome::Failed(why.to_string()),
            Ok(bytes) => match check(
                fixture()?,
                Input::bytes("the verdicts", bytes),
                check_options,
            ) {
                Ok(report) => FixtureOutcome::Checked(report),
                Err(e) => FixtureOutcome::Failed(format!("its verdict file is invalid: {e}")),
            },
        };
        fixtures.push(FixtureResult {
            file: entry.file.clone(),
            expected,
            outcome,
        });
    }
    let mut invalid = Vec::new();
    for entry in &suite.invalid {
        progress(&format!("invalid/{}", entry.file));
        let path = suite.root.join("invalid").join(&entry.file);
        let (trace, policy) = if entry.policy {
            (suite.root.join(&suite.valid.file), path)
        } else {
            (path, suite.root.join(&suite.valid.policy))
        };
        let refused = match answer(template, &trace, &policy, scratch, options.time_limit) {
            Ok(_) => Err("accepted it (exit code 0)".to_string()),
            Err(RunFailure::Exited { .. }) => Ok(()),
            Err(why) => Err(why.to_string()),
        };
        invalid.push(InvalidResult {
            entry: entry.clone(),
            refused,
        });
    }
    Ok(ConformReport {
        fixtures,
        invalid,
        time_limit: options.time_limit,
    })
}

/// At most this many disagreements are shown per file in the scorecard.
const SHOWN: usize = 3;

impl ConformReport {
    /// True when every fixture agrees and every invalid input is refused.
    pub fn passed(&self) -> bool {
        self.fixtures.iter().all(FixtureResult::passed)
            && self.invalid.iter().all(|i| i.refused.is_ok())
    }

    /// The scorecard: per file, then per (channel, verdict, reason), then the result.
    pub fn scorecard(&self) -> String {
        let mut out = format!(
            "{:<34} {:>6} {:>6} {:>6} {:>8}  result\n",
            "file", "cases", "rows", "agree", "disagree"
        );
        let mut by_channel: BTreeMap<(Channel, Verdict, Option<Reason>), (u64, u64)> =
            BTreeMap::new();
        for f in &self.fixtures {
            let rows = f.expected.business_rows;
            match &f.outcome {
                FixtureOutcome::Checked(r) => {
                    let disagree = r.disagreements.len();
                    let result = if r.agrees() { "pass" } else { "FAIL" };
                    let _ = writeln!(
                        out,
                        "{:<34} {:>6} {:>6} {:>6} {:>8}  {result}",
                        f.file,
                        r.cases.len(),
                        rows,
                        rows.saturating_sub(disagree as u64),
                        disagree
                    );
                    for (shape, n) in &r.diagnosis {
                        let _ = writeln!(out, "  diagnosis ({n} rows): {}", shape.meaning());
                    }
                    for d in r.disagreements.iter().take(SHOWN) {
                        for line in d.to_string().lines() {
                            let _ = writeln!(out, "  {line}");
                        }
                    }
                    if disagree > SHOWN {
                        let _ = writeln!(
                            out,
                            "  … and {} more: replywindow check {} VERDICTS",
                            disagree - SHOWN,
                            f.file
                        );
                    }
                    for (k, (n, a)) in &r.by_channel {
                        let e = by_channel.entry(*k).or_default();
                        e.0 += n;
                        e.1 += a;
                    }
                }
                FixtureOutcome::Failed(why) => {
                    let _ = writeln!(
                        out,
                        "{:<34} {:>6} {:>6} {:>6} {:>8}  FAIL: {why}",
                        f.file,
                        f.expected.cases.len(),
                        rows,
                        "-",
                        "-"
                    );
                    for (k, (n, _)) in &f.expected.by_channel {
                        by_channel.entry(*k).or_default().0 += n;
                    }
                }
            }
        }
        let refused = self.invalid.iter().filter(|i| i.refused.is_ok()).count();
        let _ = writeln!(
            out,
            "invalid/ ({} files){:>w$}  {refused} of {} refused",
            self.invalid.len(),
            "",
            self.invalid.len(),
            w = 20usize.saturating_sub(self.invalid.len().to_string().len())
        );
        for i in &self.invalid {
            if let Err(why) = &i.refused {
                let _ = writeln!(
                    out,
                    "  FAIL invalid/{} ({}): {why}",
                    i.entry.file, i.entry.rule
                );
            }
        }
        let _ = writeln!(
            out,
            "\n{:<10} {:<12} {:<24} {:>7} {:>7}",
            "channel", "verdict", "reason", "rows", "agree"
        );
        for ((channel, verdict, reason), (n, a)) in &by_channel {
            let mark = if n == a { "" } else { "  ✗" };
            let _ = writeln!(
                out,
                "{:<10} {:<12} {:<24} {:>7} {:>7}{mark}",
                channel.as_str(),
                verdict.as_str(),
                reason.map_or("-", Reason::as_str),
                n,
                a
            );
        }
        let failed = self.fixtures.iter().filter(|f| !f.passed()).count();
        let accepted = self.invalid.len() - refused;
        let _ = writeln!(
            out,
            "\n{}: {} of {} fixture files agree, {} of {} invalid inputs refused",
            if self.passed() { "PASS" } else { "FAIL" },
            self.fixtures.len() - failed,
            self.fixtures.len(),
            self.invalid.len() - accepted,
            self.invalid.len()
        );
        out
    }

    /// JUnit XML: one test suite per fixture file with one test case per fixture case,
    /// and one suite for the invalid inputs with one test case per file.
    pub fn junit(&self) -> Vec<u8> {
        junit::write(self)
    }
}

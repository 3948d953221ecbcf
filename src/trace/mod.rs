//! Trace, fixture and verdict files (trace-format.md), and the two commands built on them:
//! [`replay`] gives every business row of a trace its verdict, [`check`] compares a
//! verdict file with a fixture's expectations.
//!
//! ```
//! use replywindow::rules::Policy;
//! use replywindow::trace::{Input, replay, write_verdicts};
//!
//! let trace = "case,seq,at,channel,actor,action\n\
//!              a,1,2026-03-02T09:00:00Z,whatsapp,customer,message\n\
//!              a,2,2026-03-03T09:00:00+01:00,whatsapp,operator,message\n";
//! let verdicts = replay(Input::bytes("example.csv", trace), &Policy::meta()).unwrap();
//! let mut out = Vec::new();
//! write_verdicts(&mut out, &verdicts).unwrap();
//! assert_eq!(
//!     String::from_utf8(out).unwrap(),
//!     "case,seq,verdict,reason,delivered_at\n\
//!      a,2,delivered,standard_window,2026-03-03T08:00:00.000Z\n"
//! );
//! ```

mod check;
mod explain;
mod read;
mod replay;
mod row;
mod verdicts;
mod write;

pub use check::{CheckOptions, CheckReport, Disagreement, check};
pub use explain::{EXPLAINED_HEADER, Explained, explain, position, write_explained};
pub use read::{Row, TraceReader};
pub use replay::{Replayer, VerdictRow, Verdicts, outcomes, replay};
pub use row::{Expectation, RowKind, TraceRecord};
pub use verdicts::{VERDICT_HEADER, read_verdicts, write_verdicts};
pub use write::write_trace;

use std::fmt;
use std::io::{self, Read};
use std::path::Path;

/// A named source of CSV bytes: a file, standard input, or bytes in memory.
pub struct Input {
    name: String,
    reader: Box<dyn Read>,
}

impl Input {
    /// Opens `path`, or standard input when it is `-`.
    pub fn open(path: &Path) -> Result<Input, TraceError> {
        if path == Path::new("-") {
            return Ok(Input {
                name: "<stdin>".into(),
                reader: Box::new(io::stdin().lock()),
            });
        }
        let file = std::fs::File::open(path).map_err(|e| TraceError::io(path, e))?;
        Ok(Input {
            name: path.display().to_string(),
            reader: Box::new(file),
        })
    }

    /// Bytes held in memory, named `name` in errors.
    pub fn bytes(name: &str, data: impl Into<Vec<u8>>) -> Input {
        Input {
            name: name.into(),
            reader: Box::new(io::Cursor::new(data.into())),
        }
    }

    /// The name errors use for this input.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A trace or verdict file that cannot be used, with the place and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceError {
    /// The file (or `<stdin>`).
    pub file: String,
    /// The line where the record starts (1 for the header), when there is one.
    pub line: Option<u64>,
    /// The column concerned, when there is one.
    pub column: Option<String>,
    /// The offending value, as written.
    pub value: Option<String>,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl TraceError {
    pub(crate) fn io(path: &Path, e: io::Error) -> TraceError {
        TraceError {
            file: path.display().to_string(),
            line: None,
            column: None,
            value: None,
            message: e.to_string(),
        }
    }

    pub(crate) fn at(file: &str, line: u64, message: impl Into<String>) -> TraceError {
        TraceError {
            file: file.into(),
            line: Some(line),
            column: None,
            value: None,
            message: message.into(),
        }
    }

    pub(crate) fn field(
        file: &str,
        line: u64,
        column: &str,
        value: &[u8],
        message: impl Into<String>,
    ) -> TraceError {
        TraceError {
            column: Some(column.into()),
            value: Some(String::from_utf8_lossy(value).into_owned()),
            ..TraceError::at(file, line, message)
        }
    }
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column `{column}`")?;
        }
        if let Some(value) = &self.value {
            write!(f, ", value {value:?}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for TraceError {}

//! Counts files: arrivals from history, `start,end,count` per interval.
//!
//! Instants are written like a trace's (`2026-11-02T09:00:00Z`, with an offset) or as local
//! date-times of the scenario's time zone (`2026-11-02T09:00`). Intervals follow one another
//! with no gap and no overlap; counts are whole or fractional numbers of 0 or more.

use chrono::NaiveDateTime;
use chrono_tz::Tz;

use super::ScenarioError;
use super::week::resolve_local;
use crate::time::Instant;

fn instant(text: &str, tz: Tz) -> Option<Instant> {
    Instant::parse(text).ok().or_else(|| {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
            .ok()
            .map(|t| resolve_local(tz, t))
    })
}

/// The intervals of a counts file's `text` (`file` names it in errors).
pub(super) fn read(
    text: &str,
    file: &str,
    tz: Tz,
) -> Result<Vec<(Instant, Instant, f64)>, ScenarioError> {
    let bad = |line: usize, value: &str, problem: String| {
        ScenarioError::new(&format!("{file}, line {line}"), value, problem)
    };
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
    match lines.next() {
        Some((_, "start,end,count")) => {}
        Some((n, other)) => return Err(bad(n, other, "the header must be start,end,count".into())),
        None => {
            return Err(bad(
                1,
                "",
                "empty: the header start,end,count and rows".into(),
            ));
        }
    }
    let mut out: Vec<(Instant, Instant, f64)> = Vec::new();
    for (n, line) in lines {
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 3 {
            return Err(bad(n, line, "three fields: start,end,count".into()));
        }
        let when = |t: &str| {
            instant(t, tz).ok_or_else(|| {
                bad(
                    n,
                    t,
                    "an instant (2026-11-02T09:00:00Z) or a local date-time (2026-11-02T09:00)"
                        .into(),
                )
            })
        };
        let (a, b) = (when(f[0])?, when(f[1])?);
        if b <= a {
            return Err(bad(n, f[1], "the interval must end after it starts".into()));
        }
        let count: f64 = f[2]
            .trim()
            .parse()
            .ok()
            .filter(|c: &f64| c.is_finite() && *c >= 0.0)
            .ok_or_else(|| bad(n, f[2], "a count of 0 or more".into()))?;
        if let Some(&(_, previous_end, _)) = out.last() {
            if a > previous_end {
                return Err(bad(
                    n,
                    f[0],
                    format!("a gap: the previous interval ends at {previous_end}"),
                ));
            }
            if a < previous_end {
                return Err(bad(
                    n,
                    f[0],
                    format!("an overlap: the previous interval ends at {previous_end}"),
                ));
            }
        }
        out.push((a, b, count));
    }
    if out.is_empty() {
        return Err(bad(2, "", "no interval".into()));
    }
    Ok(out)
}

//! The clock: integer milliseconds since the Unix epoch, in UTC.
//!
//! Windows are exact durations, so an [`Instant`] is a plain count of milliseconds and
//! daylight saving never moves one. Instants are read in the strict RFC 3339 subset of
//! the trace format and written in its canonical form:
//!
//! ```
//! use replywindow::time::Instant;
//!
//! let a = Instant::parse("2026-03-29T03:30:00+02:00").unwrap();
//! let b = Instant::parse("2026-03-29T01:30:00.000Z").unwrap();
//! assert_eq!(a, b);
//! assert_eq!(a.to_string(), "2026-03-29T01:30:00.000Z");
//! assert!(Instant::parse("2026-03-29 01:30:00Z").is_err()); // a space is not a `T`
//! ```

use std::fmt;

/// A length of time in whole milliseconds.
pub type Millis = i64;

/// Milliseconds in one second, minute, hour and day.
pub const SECOND: Millis = 1_000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;
pub const WEEK: Millis = 7 * DAY;
/// Hours in a week.
pub const WEEK_HOURS: usize = 168;
/// The days of the week as scenario files and reports write them, Monday first.
pub const WEEKDAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A point in time: milliseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(pub i64);

impl Instant {
    /// Before every instant: the end of something that never was.
    pub const NEVER: Instant = Instant(i64::MIN);
    /// After every instant: the end of something that never ends.
    pub const ALWAYS: Instant = Instant(i64::MAX);

    /// Milliseconds since the Unix epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// This instant moved by `d` milliseconds, saturating at the ends of `i64`.
    pub const fn plus(self, d: Millis) -> Instant {
        Instant(self.0.saturating_add(d))
    }

    /// Reads the strict subset `YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM)`: one to three fraction
    /// digits, a real calendar date, hours 00–23, no leap second, offsets up to ±23:59.
    pub fn parse(s: &str) -> Result<Instant, InstantError> {
        Self::parse_bytes(s.as_bytes())
    }

    /// [`Instant::parse`] on raw bytes (what a CSV reader hands over).
    pub fn parse_bytes(b: &[u8]) -> Result<Instant, InstantError> {
        parse(b).ok_or(InstantError)
    }

    /// Writes the canonical form into `out` (UTC, three fraction digits), without allocating
    /// when `out` has room.
    pub fn write_canonical(self, out: &mut Vec<u8>) {
        let ms = self.0.rem_euclid(1000);
        let secs = self.0.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        if (0..=9999).contains(&y) {
            let mut buf = *b"0000-00-00T00:00:00.000Z";
            put_digits(&mut buf[0..4], y as u64);
            put_digits(&mut buf[5..7], m as u64);
            put_digits(&mut buf[8..10], d as u64);
            put_digits(&mut buf[11..13], (sod / 3600) as u64);
            put_digits(&mut buf[14..16], (sod / 60 % 60) as u64);
            put_digits(&mut buf[17..19], (sod % 60) as u64);
            put_digits(&mut buf[20..23], ms as u64);
            out.extend_from_slice(&buf);
        } else {
            // Outside what the trace format can carry; still written unambiguously.
            out.extend_from_slice(
                format!(
                    "{y:+05}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
                    sod / 3600,
                    sod / 60 % 60,
                    sod % 60
                )
                .as_bytes(),
            );
        }
    }
}

impl Instant {
    /// Writes this instant as local time at a fixed UTC offset (`+02:00`, or `Z` for 0), with
    /// three fraction digits: another valid form of the same instant.
    ///
    /// ```
    /// use replywindow::time::Instant;
    /// let t = Instant::parse("2026-03-29T01:30:00Z").unwrap();
    /// assert_eq!(t.with_offset(120), "2026-03-29T03:30:00.000+02:00");
    /// assert_eq!(Instant::parse(&t.with_offset(-90)), Ok(t));
    /// ```
    pub fn with_offset(self, offset_minutes: i32) -> String {
        let mut buf = Vec::with_capacity(29);
        Instant(self.0 + i64::from(offset_minutes) * MINUTE).write_canonical(&mut buf);
        let mut s = String::from_utf8_lossy(&buf).into_owned();
        if offset_minutes != 0 {
            s.pop();
            let sign = if offset_minutes < 0 { '-' } else { '+' };
            let m = offset_minutes.unsigned_abs();
            s.push_str(&format!("{sign}{:02}:{:02}", m / 60, m % 60));
        }
        s
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = Vec::with_capacity(24);
        self.write_canonical(&mut buf);
        f.write_str(&String::from_utf8_lossy(&buf))
    }
}

/// An instant that is not in the trace format's RFC 3339 subset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "not an instant: expected YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM) with upper-case T and Z, \
     1 to 3 fraction digits and a real date and time"
)]
pub struct InstantError;

fn put_digits(dst: &mut [u8], mut v: u64) {
    for slot in dst.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

fn digits(b: &[u8]) -> Option<i64> {
    let mut v: i64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

fn parse(b: &[u8]) -> Option<Instant> {
    // Fixed part: YYYY-MM-DDTHH:MM:SS (19 bytes).
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &b[19..];
    let mut millis = 0;
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=3).contains(&n) {
            return None;
        }
        let frac = digits(&rest[1..1 + n])?;
        millis = frac * [100, 10, 1][n - 1];
        rest = &rest[1 + n..];
    }
    let offset_minutes = match rest {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let oh = digits(&[*h1, *h2])?;
            let om = digits(&[*m1, *m2])?;
            if oh > 23 || om > 59 {
                return None;
            }
            let total = oh * 60 + om;
            if *sign == b'-' { -total } else { total }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let local = ((days * 24 + hour) * 60 + minute) * 60 + second;
    Some(Instant((local - offset_minutes * 60) * 1000 + millis))
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (inverse of [`days_from_civil`]).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The units a duration may be written in, with their length.
pub const DURATION_UNITS: [(&str, Millis); 5] = [
    ("ms", 1),
    ("s", SECOND),
    ("m", MINUTE),
    ("h", HOUR),
    ("d", DAY),
];

/// Reads a duration such as `90m`, `24h`, `7d` or `1h 30m`: whole numbers each followed by
/// one of the units ms, s, m, h, d (parts may be separated by spaces), in whole
/// milliseconds, more than zero. Nothing else: no months (`4M`), weeks or words.
///
/// ```
/// use replywindow::time::{parse_duration, HOUR, MINUTE};
/// assert_eq!(parse_duration("1h 30m"), Ok(HOUR + 30 * MINUTE));
/// assert_eq!(parse_duration("1500ms"), Ok(1500));
/// assert!(parse_duration("0s").is_err());
/// assert!(parse_duration("4M").is_err());
/// assert!(parse_duration("1 month").is_err());
/// assert!(parse_duration("3 weeks").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Millis, String> {
    let bad = || {
        format!(
            "`{text}` is not a duration: write whole numbers with the units ms, s, m, h or d, \
             like `90m`, `24h`, `7d` or `1h 30m`"
        )
    };
    let mut total: Millis = 0;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        let number: Millis = rest[..digits].parse().map_err(|_| bad())?;
        let after = &rest[digits..];
        let letters = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &after[..letters];
        let &(_, size) = DURATION_UNITS
            .iter()
            .find(|(name, _)| *name == unit)
            .ok_or_else(bad)?;
        total = number
            .checked_mul(size)
            .and_then(|part| total.checked_add(part))
            .ok_or_else(|| format!("`{text}` is too long"))?;
        rest = after[letters..].trim_start();
    }
    if total <= 0 {
        return Err(format!("`{text}` must be longer than zero"));
    }
    Ok(total)
}

/// Writes a duration in the largest whole unit that fits it exactly (`7d`, `90m`, `1500ms`),
/// keeping hours up to three days (`24h`, `48h`) as people say them.
pub fn format_duration(ms: Millis) -> String {
    for (unit, size) in [("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", SECOND)] {
        if ms != 0 && ms % size == 0 && !(size == DAY && ms < 3 * DAY) {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

/// Every `f64` from 2^52 on is a whole number already.
const WHOLE_FROM: f64 = 4_503_599_627_370_496.0;

/// `x.round() as i64`, without the library call `round` compiles to on a baseline x86-64
/// (no SSE4.1): truncation is one instruction and the fraction it leaves is exact.
///
/// ```
/// use replywindow::time::round_to_i64;
/// assert_eq!(round_to_i64(2.5), 3);
/// assert_eq!(round_to_i64(-2.5), -3);
/// assert_eq!(round_to_i64(0.49999999999999994), 0);
/// assert_eq!(round_to_i64(f64::NAN), 0);
/// ```
#[inline]
pub fn round_to_i64(x: f64) -> i64 {
    // NaN and the whole numbers beyond 2^52 (infinities included) convert as they are.
    if x.is_nan() || x.abs() >= WHOLE_FROM {
        return x as i64;
    }
    let t = x as i64;
    let fraction = x - t as f64;
    // Added as numbers, not chosen by branches: for a random duration, whether it rounds up
    // is a coin toss, which a branch predictor misses half the time.
    t + i64::from(fraction >= 0.5) - i64::from(fraction <= -0.5)
}

/// `x.ceil() as i64`, without the library call (see [`round_to_i64`]).
///
/// ```
/// use replywindow::time::ceil_to_i64;
/// assert_eq!(ceil_to_i64(2.1), 3);
/// assert_eq!(ceil_to_i64(-2.9), -2);
/// assert_eq!(ceil_to_i64(4.0), 4);
/// ```
#[inline]
pub fn ceil_to_i64(x: f64) -> i64 {
    if x.is_nan() || x.abs() >= WHOLE_FROM {
        return x as i64;
    }
    let t = x as i64;
    if (t as f64) < x { t + 1 } else { t }
}

/// Writes a duration as its parts, largest first, the way a timeline reads: `24h`,
/// `23h 59m 59s 999ms`, `7d 1h`, `0` for none (days from three days on, as in
/// [`format_duration`]).
///
/// ```
/// use replywindow::time::{format_span, DAY, HOUR};
/// assert_eq!(format_span(24 * HOUR - 1), "23h 59m 59s 999ms");
/// assert_eq!(format_span(7 * DAY + HOUR), "7d 1h");
/// assert_eq!(format_span(48 * HOUR), "48h");
/// assert_eq!(format_span(0), "0");
/// ```
pub fn format_span(ms: Millis) -> String {
    if ms == 0 {
        return "0".into();
    }
    let mut rest = ms.unsigned_abs();
    let mut parts = Vec::new();
    let units = [
        ("d", DAY),
        ("h", HOUR),
        ("m", MINUTE),
        ("s", SECOND),
        ("ms", 1),
    ];
    for (unit, size) in units {
        let size = size as u64;
        if unit == "d" && rest < 3 * size {
            continue;
        }
        if rest >= size {
            parts.push(format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    let sign = if ms < 0 { "-" } else { "" };
    format!("{sign}{}", parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_without_the_library_agrees_with_it() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut values = vec![
            0.5,
            -0.5,
            1.5,
            2.5,
            0.49999999999999994,
            -0.49999999999999994,
            4_503_599_627_370_495.5,
            4_503_599_627_370_497.0,
            1e300,
            -1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            0.0,
            -0.0,
            1e-300,
        ];
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(f64::from_bits(x));
            values.push((x % 10_000_000) as f64 / 7.0 - 700_000.0);
            values.push((x % 1000) as f64 + 0.5);
        }
        for v in values {
            assert_eq!(round_to_i64(v), v.round() as i64, "round {v:e}");
            assert_eq!(ceil_to_i64(v), v.ceil() as i64, "ceil {v:e}");
        }
    }

    #[test]
    fn parses_the_subset_and_rejects_the_rest() {
        let ok = [
            ("1970-01-01T00:00:00Z", 0),
            ("1970-01-01T00:00:00.5Z", 500),
            ("1970-01-01T00:00:00.05Z", 50),
            ("1970-01-01T00:00:00.005Z", 5),
            ("1970-01-01T01:00:00+01:00", 0),
            ("1969-12-31T23:00:00-01:00", 0),
            ("2000-02-29T00:00:00Z", 951_782_400_000),
            ("1970-01-02T00:00:00+23:59", DAY - 23 * HOUR - 59 * MINUTE),
        ];
        for (s, ms) in ok {
            assert_eq!(Instant::parse(s), Ok(Instant(ms)), "{s}");
        }
        let bad = [
            "",
            "1970-01-01t00:00:00Z",
            "1970-01-01T00:00:00z",
            "1970-01-01 00:00:00Z",
            "1970-01-01T00:00:00.1000Z",
            "1970-01-01T00:00:00.Z",
            "1970-01-01T00:00:00",
            "1970-01-01T24:00:00Z",
            "1970-01-01T23:60:00Z",
            "1970-01-01T23:59:60Z",
            "1970-02-30T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "1970-13-01T00:00:00Z",
            "1970-00-01T00:00:00Z",
            "1970-01-00T00:00:00Z",
            "1970-01-01T00:00:00+24:00",
            "1970-01-01T00:00:00+01:60",
            "1970-01-01T00:00:00+0100",
            "+970-01-01T00:00:00Z",
            "1970-01-01T00:00:00Z ",
        ];
        for s in bad {
            assert!(Instant::parse(s).is_err(), "{s:?} should be rejected");
        }
    }

    #[test]
    fn canonical_form_round_trips() {
        for ms in [0, 1, 999, 1_772_445_600_123, -1, 253_402_300_799_999] {
            let s = Instant(ms).to_string();
            assert_eq!(s.len(), 24, "{s}");
            assert_eq!(Instant::parse(&s), Ok(Instant(ms)), "{s}");
        }
        assert_eq!(
            Instant(1_772_445_600_000).to_string(),
            "2026-03-02T10:00:00.000Z"
        );
    }

    #[test]
    fn civil_conversions_agree_over_four_centuries() {
        for z in (-146_097..146_097 * 2).step_by(17) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
            assert!(d >= 1 && d <= days_in_month(y, m));
        }
    }
}

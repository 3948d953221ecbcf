//! Local time: hour-of-week profiles, the local hours of a run, and shift calendars.
//!
//! Windows are exact durations in UTC; only arrivals profiles and shifts follow the local
//! clock of the scenario's time zone, so daylight saving matters here and nowhere else.
//!
//! A shift that starts or ends at a local time that does not exist (the hour skipped when
//! clocks go forward) starts or ends when the clocks jump, at the first local time that
//! exists after it. A local time that exists twice (the hour repeated when clocks go back)
//! is taken at its first occurrence.

use chrono::{
    Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike,
};
use chrono_tz::Tz;

use crate::time::{Instant, MINUTE};
pub use crate::time::{WEEK_HOURS, WEEKDAY_NAMES};

/// Names of the built-in hour-of-week profiles.
pub const PRESETS: &[&str] = &["flat", "office", "retail", "evening"];

/// The weights of a built-in profile, Monday 00:00 first (local time).
pub fn preset(name: &str) -> Option<[f64; WEEK_HOURS]> {
    // Relative traffic by hour of a day, for three kinds of day.
    const OFFICE_DAY: [f64; 24] = [
        0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.6, 2.4, 2.6, 2.4, 1.8, 2.0, 2.4, 2.4, 2.2,
        1.8, 1.2, 0.8, 0.6, 0.5, 0.3, 0.2,
    ];
    const QUIET_DAY: [f64; 24] = [
        0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7,
        0.6, 0.6, 0.6, 0.5, 0.4, 0.3, 0.2,
    ];
    const RETAIL_DAY: [f64; 24] = [
        0.3, 0.15, 0.1, 0.05, 0.05, 0.1, 0.3, 0.6, 1.0, 1.4, 1.6, 1.7, 1.7, 1.6, 1.6, 1.6, 1.7,
        1.8, 2.0, 2.2, 2.3, 2.0, 1.4, 0.7,
    ];
    const EVENING_DAY: [f64; 24] = [
        0.6, 0.3, 0.15, 0.1, 0.05, 0.05, 0.1, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.8, 0.8, 0.9, 1.0,
        1.3, 1.8, 2.4, 2.8, 2.8, 2.2, 1.2,
    ];
    let mut w = [1.0; WEEK_HOURS];
    let day = |weekday: usize| -> Option<&'static [f64; 24]> {
        Some(match (name, weekday) {
            ("flat", _) => return None,
            ("office", 0..=4) => &OFFICE_DAY,
            ("office", _) => &QUIET_DAY,
            ("retail", 0..=4) => &RETAIL_DAY,
            ("retail", _) => &RETAIL_DAY,
            ("evening", _) => &EVENING_DAY,
            _ => return None,
        })
    };
    if !PRESETS.contains(&name) {
        return None;
    }
    for (d, chunk) in w.chunks_mut(24).enumerate() {
        if let Some(hours) = day(d) {
            chunk.copy_from_slice(hours);
            if name == "retail" && d >= 5 {
                // Weekends are busier for a shop.
                chunk.iter_mut().for_each(|x| *x *= 1.4);
            }
        }
    }
    Some(w)
}

/// The instant of a local date-time, with the gap and repeat rules of this module.
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> Instant {
    let mut probe = local;
    // A gap lasts at most a few hours: step a minute at a time to its end.
    for _ in 0..(48 * 60) {
        match tz.from_local_datetime(&probe) {
            LocalResult::Single(t) => return Instant(t.timestamp_millis()),
            LocalResult::Ambiguous(first, _) => return Instant(first.timestamp_millis()),
            LocalResult::None => probe += Duration::minutes(1),
        }
    }
    Instant(tz.from_utc_datetime(&local).timestamp_millis())
}

/// The local date and time at `t`; `None` only outside chrono's calendar (beyond ±262,000
/// years), which no valid instant reaches.
pub fn local_date_time(tz: Tz, t: Instant) -> Option<NaiveDateTime> {
    tz.timestamp_millis_opt(t.0)
        .single()
        .map(|d| d.naive_local())
}

/// The local hour of the week (0 = Monday 00:00–01:00) at `t`.
pub fn hour_of_week(tz: Tz, t: Instant) -> u8 {
    local_date_time(tz, t).map_or(0, |l| {
        (l.weekday().num_days_from_monday() * 24 + l.hour()) as u8
    })
}

/// The local hours of a run: the instants where the local hour of the week changes, each
/// with the hour it begins.
#[derive(Clone, Debug, Default)]
pub struct LocalHours {
    pub starts: Vec<Instant>,
    pub hours: Vec<u8>,
}

impl LocalHours {
    /// The local hours covering `[from, to)`, in time zone `tz`.
    pub fn build(tz: Tz, from: Instant, to: Instant) -> LocalHours {
        let step = 15 * MINUTE;
        let mut out = LocalHours::default();
        let mut t = Instant(from.0.div_euclid(step) * step);
        while t < to {
            let h = hour_of_week(tz, t);
            if out.hours.last() != Some(&h) {
                out.starts
                    .push(if out.starts.is_empty() { from } else { t });
                out.hours.push(h);
            }
            t = t.plus(step);
        }
        out
    }

    /// How many segments there are.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when the run is empty.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
}

/// A weekday set, Monday bit 0.
pub type Weekdays = u8;

/// A shift starting or ending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShiftChange {
    pub at: Instant,
    pub shift: u16,
    pub starts: bool,
}

/// Every start and end of `shifts` (weekdays, local start, local end) that touches
/// `[from, to)`, in order of instant (ends before starts at the same instant). A period
/// that would start inside one of the `closed` periods is left out (a holiday).
pub fn shift_calendar(
    tz: Tz,
    shifts: &[(Weekdays, NaiveTime, NaiveTime)],
    from: Instant,
    to: Instant,
    closed: &[(Instant, Instant)],
) -> Vec<ShiftChange> {
    let date_of = |t: Instant| {
        tz.timestamp_millis_opt(t.0)
            .single()
            .map_or(NaiveDate::MIN, |d| d.date_naive())
    };
    let first = date_of(from) - Duration::days(1);
    let last = date_of(to) + Duration::days(1);
    let mut out = Vec::new();
    let mut day = first;
    while day <= last {
        let weekday = day.weekday().num_days_from_monday();
        for (i, &(days, start, end)) in shifts.iter().enumerate() {
            if days & (1 << weekday) == 0 {
                continue;
            }
            let end_day = if end <= start {
                day + Duration::days(1)
            } else {
                day
            };
            let s = resolve_local(tz, day.and_time(start));
            let e = resolve_local(tz, end_day.and_time(end));
            if e <= s || e <= from || s >= to || closed.iter().any(|(a, b)| s >= *a && s < *b) {
                continue;
            }
            out.push(ShiftChange {
                at: s,
                shift: i as u16,
                starts: true,
            });
            out.push(ShiftChange {
                at: e,
                shift: i as u16,
                starts: false,
            });
        }
        day += Duration::days(1);
    }
    out.sort_by_key(|c| (c.at, c.starts, c.shift));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rome() -> Tz {
        "Europe/Rome".parse().unwrap()
    }

    #[test]
    fn shifts_follow_the_local_clock_across_the_spring_change() {
        let tz = rome();
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        let five = NaiveTime::from_hms_opt(17, 0, 0).unwrap();
        // Saturday 28 and Sunday 29 March 2026; clocks go forward at 01:00 UTC on the 29th.
        let from = Instant::parse("2026-03-28T00:00:00Z").unwrap();
        let to = Instant::parse("2026-03-30T00:00:00Z").unwrap();
        let c = shift_calendar(tz, &[(0b110_0000, nine, five)], from, to, &[]);
        let at: Vec<String> = c.iter().map(|c| c.at.to_string()).collect();
        assert_eq!(
            at,
            [
                "2026-03-28T08:00:00.000Z",
                "2026-03-28T16:00:00.000Z",
                "2026-03-29T07:00:00.000Z",
                "2026-03-29T15:00:00.000Z"
            ]
        );
    }

    #[test]
    fn a_shift_starting_in_the_missing_hour_starts_when_the_clocks_jump() {
        let tz = rome();
        let half_past_two = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            resolve_local(tz, half_past_two).to_string(),
            "2026-03-29T01:00:00.000Z"
        );
        // The repeated hour in October is taken at its first occurrence (still +02:00).
        let repeated = NaiveDate::from_ymd_opt(2026, 10, 25)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            resolve_local(tz, repeated).to_string(),
            "2026-10-25T00:30:00.000Z"
        );
    }

    #[test]
    fn local_hours_skip_and_repeat_with_the_clock() {
        let tz = rome();
        let from = Instant::parse("2026-03-28T23:00:00Z").unwrap(); // Sunday 00:00 local
        let to = Instant::parse("2026-03-29T03:00:00Z").unwrap();
        let h = LocalHours::build(tz, from, to);
        // Sunday 00:00, 01:00, then 03:00 (02:00 does not exist), 04:00, 05:00.
        assert_eq!(h.hours, vec![144, 145, 147, 148]);
        assert_eq!(h.len(), 4);
    }

    #[test]
    fn presets_have_a_week_of_positive_weights() {
        for name in PRESETS {
            let w = preset(name).unwrap();
            assert!(w.iter().all(|x| *x > 0.0), "{name}");
        }
        assert!(preset("lunar").is_none());
    }
}

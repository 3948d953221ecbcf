//! The calendar: dated arrival factors (overlapping ones multiply), closed days, local
//! dates across daylight saving.

use replywindow::rules::Channel;
use replywindow::scenario::Scenario;
use replywindow::sim::{Prepared, RunOptions, simulate};
use replywindow::time::Instant;

/// WhatsApp and Facebook at 240 a day each, flat, in UTC, Monday 2 March 2026 for a week;
/// operators Monday to Friday 09-18; `calendar` appended.
fn week(calendar: &str, replications: u32) -> String {
    format!(
        r#"
start = "2026-03-02T00:00"
time_zone = "UTC"
horizon = "7d"
replications = {replications}
[channels.whatsapp]
arrivals_per_day = 240
[channels.facebook]
arrivals_per_day = 240
[operators]
concurrency = 3
[[operators.shifts]]
days = ["mon", "tue", "wed", "thu", "fri"]
start = "09:00"
end = "18:00"
operators = 3
{calendar}
"#
    )
}

/// Arrivals per day of the week (Monday first) and channel slot, summed over replications.
fn arrivals_by_day(toml: &str) -> Vec<[f64; 7]> {
    let scenario = Scenario::from_toml(toml, "calendar").unwrap();
    let run = simulate(&Prepared::new(scenario), &RunOptions::default()).unwrap();
    let channels = run.replications[0].1.metrics.channels.len();
    let mut days = vec![[0.0; 7]; channels];
    for (_, r) in &run.replications {
        for (c, day) in days.iter_mut().enumerate() {
            for h in 0..168 {
                day[h / 24] += r.metrics.hourly.arrivals[c][h];
            }
        }
    }
    days
}

fn near(got: f64, want: f64, what: &str) {
    assert!(
        (got / want - 1.0).abs() < 0.1,
        "{what}: {got}, not about {want}"
    );
}

#[test]
fn arrivals_scale_on_the_entry_s_dates_only() {
    let days = arrivals_by_day(&week(
        r#"
[[calendar]]
from = "2026-03-04"
to = "2026-03-04"
arrivals = 3
channels = ["whatsapp"]
"#,
        30,
    ));
    let (wa, fb) = (days[0], days[1]);
    let usual = 240.0 * 30.0;
    near(wa[2], 3.0 * usual, "WhatsApp on Wednesday");
    for d in [0, 1, 3, 4, 5, 6] {
        near(wa[d], usual, "WhatsApp on other days");
    }
    near(fb[2], usual, "Facebook on Wednesday (not in the entry)");
}

#[test]
fn overlapping_factors_multiply() {
    let days = arrivals_by_day(&week(
        r#"
[[calendar]]
from = "2026-03-04"
to = "2026-03-04"
arrivals = 2
[[calendar]]
from = "2026-03-04T00:00"
to = "2026-03-05T00:00"
arrivals = 1.5
channels = ["whatsapp"]
"#,
        30,
    ));
    let usual = 240.0 * 30.0;
    near(days[0][2], 3.0 * usual, "WhatsApp: 2 x 1.5");
    near(days[1][2], 2.0 * usual, "Facebook: 2");
    near(days[0][1], usual, "WhatsApp on Tuesday");
}

#[test]
fn a_closed_day_has_nobody_on_duty() {
    let toml = week(
        r#"
[[calendar]]
name = "holiday"
from = "2026-03-04"
to = "2026-03-04"
closed = true
"#,
        2,
    );
    let scenario = Scenario::from_toml(&toml, "closed").unwrap();
    let run = simulate(&Prepared::new(scenario), &RunOptions::default()).unwrap();
    for (_, r) in &run.replications {
        let on_duty = |h: usize| r.metrics.hourly.on_duty[h] / r.metrics.hourly.span[h];
        // Tuesday and Thursday 10:00 staffed; Wednesday not at all.
        assert!((on_duty(24 + 10) - 3.0).abs() < 1e-9);
        assert!((on_duty(72 + 10) - 3.0).abs() < 1e-9);
        for h in 48..72 {
            assert_eq!(on_duty(h), 0.0, "Wednesday hour {}", h - 48);
        }
    }
}

#[test]
fn local_dates_hold_across_the_spring_change() {
    // Rome moves its clocks forward on Sunday 29 March 2026: that day has 23 hours.
    let toml = r#"
start = "2026-03-23T00:00"
time_zone = "Europe/Rome"
horizon = "14d"
[channels.whatsapp]
arrivals_per_day = 100
[[operators.shifts]]
days = ["mon"]
start = "09:00"
end = "10:00"
operators = 1
[[calendar]]
from = "2026-03-29"
to = "2026-03-29"
arrivals = 4
"#;
    let s = Scenario::from_toml(toml, "dst").unwrap();
    let at = |text: &str| Instant::parse(text).unwrap();
    let factor = |text: &str| s.arrival_factor(Channel::WhatsApp, at(text));
    // Local midnight of the 29th is 23:00 UTC on the 28th (winter time, +01:00).
    assert_eq!(factor("2026-03-28T22:59:59Z"), 1.0);
    assert_eq!(factor("2026-03-28T23:00:00Z"), 4.0);
    // Local 23:59 on the 29th is 21:59 UTC (summer time, +02:00); the 30th starts at 22:00.
    assert_eq!(factor("2026-03-29T21:59:59Z"), 4.0);
    assert_eq!(factor("2026-03-29T22:00:00Z"), 1.0);
}

#[test]
fn bad_calendar_entries_name_their_key() {
    for (entry, key) in [
        (
            "from = \"2026-03-05\"\nto = \"2026-03-04\"",
            "calendar[0].to",
        ),
        (
            "from = \"5 March\"\nto = \"2026-03-04\"",
            "calendar[0].from",
        ),
        (
            "from = \"2026-03-04\"\nto = \"2026-03-04\"\narrivals = -1",
            "calendar[0].arrivals",
        ),
        (
            "from = \"2026-03-04\"\nto = \"2026-03-04\"\nchannels = [\"sms\"]",
            "calendar[0].channels[0]",
        ),
    ] {
        let toml = week(&format!("[[calendar]]\n{entry}\n"), 1);
        let e = Scenario::from_toml(&toml, "bad").unwrap_err().to_string();
        assert!(e.contains(&format!("`{key}`")), "{entry}: {e}");
    }
}

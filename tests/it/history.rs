//! Arrivals from history: counts files read on the real calendar, checked row by row.

use replywindow::scenario::Scenario;
use replywindow::sim::{Prepared, RunOptions, simulate};

use crate::util::*;

/// A WhatsApp shop in UTC from Monday 2 March 2026 for `horizon`, arrivals from `counts.csv`.
fn shop(horizon: &str, scale: f64) -> String {
    format!(
        r#"
start = "2026-03-02T00:00"
time_zone = "UTC"
horizon = "{horizon}"
replications = 20
[channels.whatsapp]
arrivals = {{ counts = "counts.csv", scale = {scale} }}
[customers]
follow_up_probability = 0
nudge_probability = 0
[[operators.shifts]]
days = ["mon", "tue", "wed", "thu", "fri"]
start = "09:00"
end = "18:00"
operators = 3
"#
    )
}

/// 10 an hour for the first three days (as instants), then 40 an hour for four (as local
/// date-times), in whole days.
fn step() -> String {
    let mut csv = String::from("start,end,count\n");
    for day in 2..9 {
        let count = if day < 5 { 240 } else { 960 };
        if day < 5 {
            csv.push_str(&format!(
                "2026-03-0{day}T00:00:00Z,2026-03-0{}T00:00:00Z,{count}\n",
                day + 1
            ));
        } else {
            csv.push_str(&format!(
                "2026-03-0{day}T00:00,2026-03-0{}T00:00,{count}\n",
                day + 1
            ));
        }
    }
    csv
}

fn per_day(dir: &std::path::Path, toml: &str) -> [f64; 7] {
    let mut s = Scenario::from_toml(toml, "history").unwrap();
    s.read_history(dir).unwrap();
    let run = simulate(&Prepared::new(s), &RunOptions::default()).unwrap();
    let mut days = [0.0; 7];
    for (_, r) in &run.replications {
        for h in 0..168 {
            days[h / 24] += r.metrics.hourly.arrivals[0][h] / 20.0;
        }
    }
    days
}

#[test]
fn a_step_in_the_counts_shows_in_the_arrivals() {
    let dir = tmp();
    std::fs::write(dir.path().join("counts.csv"), step()).unwrap();
    let days = per_day(dir.path(), &shop("7d", 1.0));
    for (d, want) in [240.0, 240.0, 240.0, 960.0, 960.0, 960.0, 960.0]
        .iter()
        .enumerate()
    {
        assert!(
            (days[d] / want - 1.0).abs() < 0.08,
            "day {d}: {} not about {want}",
            days[d]
        );
    }
    // Growth: scale 1.5.
    let days = per_day(dir.path(), &shop("7d", 1.5));
    assert!((days[0] / 360.0 - 1.0).abs() < 0.08, "{}", days[0]);
}

#[test]
fn malformed_counts_files_are_refused_naming_the_line() {
    let dir = tmp();
    std::fs::write(dir.path().join("s.toml"), shop("2d", 1.0)).unwrap();
    let good = "2026-03-02T00:00:00Z,2026-03-03T00:00:00Z,240";
    for (csv, line, said) in [
        ("begin,finish,n\n".to_string(), "line 1", "header"),
        (
            format!("start,end,count\n{good}\n2026-03-03T01:00:00Z,2026-03-04T00:00:00Z,5\n"),
            "line 3",
            "gap",
        ),
        (
            format!("start,end,count\n{good}\n2026-03-02T23:00:00Z,2026-03-04T00:00:00Z,5\n"),
            "line 3",
            "overlap",
        ),
        (
            format!("start,end,count\n{good}\n2026-03-03T00:00:00Z,2026-03-04T00:00:00Z,-5\n"),
            "line 3",
            "0 or more",
        ),
        (
            format!("start,end,count\n{good}\nyesterday,2026-03-04T00:00:00Z,5\n"),
            "line 3",
            "instant",
        ),
        (
            format!("start,end,count\n{good}\n2026-03-03T00:00:00Z,5\n"),
            "line 3",
            "three fields",
        ),
        (
            format!("start,end,count\n{good}\n"),
            "",
            "reaches outside the data",
        ),
    ] {
        std::fs::write(dir.path().join("counts.csv"), &csv).unwrap();
        let out = replywindow(dir.path())
            .args(["simulate", "s.toml", "--out", "r", "-q"])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{csv}: {err}");
        assert!(err.contains(line) && err.contains(said), "{csv}: {err}");
        assert!(!dir.path().join("r").exists(), "nothing written");
    }
}

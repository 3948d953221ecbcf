//! `scenario fit`: a scenario fitted to a simulated log gives back the scenario's traffic.

use replywindow::rules::Channel;
use replywindow::scenario::{DEFAULT_SCENARIO, Scenario, set_key};

use crate::util::*;

/// The default scenario with three times its arrivals (so that one replication estimates
/// every channel within a few per cent) and `replications`.
fn busy_default(replications: i64) -> String {
    let mut table: toml::Table = DEFAULT_SCENARIO.parse().unwrap();
    for (channel, per_day) in [("whatsapp", 360), ("facebook", 120), ("instagram", 180)] {
        let key = format!("channels.{channel}.arrivals_per_day");
        set_key(&mut table, &key, toml::Value::Integer(per_day)).unwrap();
    }
    set_key(
        &mut table,
        "replications",
        toml::Value::Integer(replications),
    )
    .unwrap();
    toml::to_string(&table).unwrap()
}

/// Writes `original.toml` (the busy default, one replication) into `dir` and simulates it
/// with its trace kept as `run/trace.csv`, the log to fit; returns the scenario's path.
fn simulated_log(dir: &std::path::Path) -> std::path::PathBuf {
    let original = write(dir, "original.toml", busy_default(1));
    succeeds(
        dir,
        &[
            "simulate",
            "original.toml",
            "--trace",
            "0",
            "--out",
            "run",
            "-q",
        ],
    );
    original
}

/// Runs replywindow with `args` in `dir`, asserting that it succeeds.
fn succeeds(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let out = replywindow(dir).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
    out
}

/// `fit.csv` as (parameter, channel) → estimate.
fn estimates(csv: &str) -> Vec<(String, String, f64)> {
    csv.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].to_string(), f[2].parse().unwrap())
        })
        .collect()
}

fn estimate(all: &[(String, String, f64)], parameter: &str, channel: Channel) -> f64 {
    all.iter()
        .find(|(p, c, _)| p == parameter && c == channel.as_str())
        .unwrap_or_else(|| panic!("fit.csv has no {parameter} for {channel}"))
        .2
}

/// The median of `delay` in minutes, from 20,001 seeded draws.
fn median_minutes(delay: &replywindow::scenario::DurationDist) -> f64 {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut draws: Vec<i64> = (0..20_001).map(|_| delay.sample(&mut rng)).collect();
    draws.sort_unstable();
    draws[10_000] as f64 / 60_000.0
}

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

/// `summary.csv`'s interval of `metric` on `channel`.
fn interval(summary: &str, channel: &str, metric: &str) -> (f64, f64) {
    let row = summary
        .lines()
        .find(|l| l.starts_with(&format!("{channel},{metric},")))
        .unwrap_or_else(|| panic!("no {channel} {metric} in summary.csv"));
    let f: Vec<&str> = row.split(',').collect();
    (f[4].parse().unwrap(), f[5].parse().unwrap())
}

#[test]
fn a_fit_of_a_simulated_log_gives_back_the_scenarios_traffic() {
    let dir = tmp();
    let original = simulated_log(dir.path());
    let fit = [
        "scenario",
        "fit",
        "run/trace.csv",
        "--base",
        "original.toml",
    ];
    succeeds(
        dir.path(),
        &[&fit[..], &["--out", "fit/fitted.toml"]].concat(),
    );
    let table = std::fs::read_to_string(dir.path().join("fit/fit.csv")).unwrap();
    let all = estimates(&table);

    let want = Scenario::from_toml(&std::fs::read_to_string(&original).unwrap(), "o").unwrap();
    let fitted_text = std::fs::read_to_string(dir.path().join("fit/fitted.toml")).unwrap();
    let fitted = Scenario::from_toml(&fitted_text, "fitted").unwrap();
    for c in &want.channels {
        let per_day = estimate(&all, "arrivals_per_day", c.channel);
        assert!(
            (per_day / c.arrivals_per_day - 1.0).abs() < 0.05,
            "{}: {per_day}/day fitted, {} simulated",
            c.channel,
            c.arrivals_per_day
        );
        let f = fitted
            .channels
            .iter()
            .find(|f| f.channel == c.channel)
            .unwrap();
        let r = correlation(&f.hourly_rate, &c.hourly_rate);
        assert!(r >= 0.95, "{}: profile correlation {r}", c.channel);
        if c.channel != Channel::WhatsApp {
            let share = estimate(&all, "comment_share", c.channel);
            assert!(
                (share - c.comment_share).abs() < 0.03,
                "{}: {share}",
                c.channel
            );
        }
        let promotional = estimate(&all, "promotional_share", c.channel);
        assert!(
            (promotional - want.operators.promotional_share).abs() < 0.03,
            "{}: promotional {promotional}",
            c.channel
        );
    }
    assert_eq!(
        fitted.operators.human_agent_tagging,
        want.operators.human_agent_tagging
    );
    // Customer behaviour: probabilities within 0.03, delays' medians within 10%.
    for c in &want.channels {
        let k = &c.customers;
        let mut behaviour = vec![
            (
                "follow_up",
                k.follow_up_probability,
                &k.follow_up_delay,
                1.0,
            ),
            ("nudge", k.nudge_probability, &k.nudge_delay, 1.0),
            (
                "warned_return",
                k.warned_return_probability,
                &k.warned_return_delay,
                1.0,
            ),
        ];
        if c.channel == Channel::Instagram {
            behaviour.push(("accept", k.accept_probability, &k.accept_delay, 60.0));
        }
        for (what, p, delay, minutes_per_unit) in behaviour {
            let fitted_p = estimate(&all, &format!("{what}_probability"), c.channel);
            assert!(
                (fitted_p - p).abs() < 0.03,
                "{}: {what} probability {fitted_p}, simulated {p}",
                c.channel
            );
            let unit = if what == "accept" { "hours" } else { "minutes" };
            let fitted_median = estimate(&all, &format!("{what}_delay_median_{unit}"), c.channel)
                * minutes_per_unit;
            let want_median = median_minutes(delay);
            assert!(
                (fitted_median / want_median - 1.0).abs() < 0.10,
                "{}: {what} delay median {fitted_median} min, simulated {want_median} min",
                c.channel
            );
        }
    }

    // Simulated, the fitted scenario loses operator answers at the original's rate.
    let summaries: Vec<String> = [("original.toml", "a"), ("fit/fitted.toml", "b")]
        .iter()
        .map(|(file, out_dir)| {
            succeeds(
                dir.path(),
                &["simulate", file, "-r", "6", "--out", out_dir, "-q"],
            );
            std::fs::read_to_string(dir.path().join(out_dir).join("summary.csv")).unwrap()
        })
        .collect();
    for c in Channel::ALL {
        let a = interval(&summaries[0], c.as_str(), "undelivered_rate_operator");
        let b = interval(&summaries[1], c.as_str(), "undelivered_rate_operator");
        assert!(
            a.0 <= b.1 && b.0 <= a.1,
            "{c}: original {a:?}, fitted {b:?}"
        );
    }
}

#[test]
fn counts_files_from_a_log_replay_its_calendar() {
    let dir = tmp();
    simulated_log(dir.path());
    let fit = [
        "scenario",
        "fit",
        "run/trace.csv",
        "--counts",
        "--out",
        "h/fitted.toml",
    ];
    succeeds(dir.path(), &fit);
    // Every conversation of the log is in the counts, once.
    let trace = std::fs::read_to_string(dir.path().join("run/trace.csv")).unwrap();
    let mut cases: Vec<&str> = trace
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    cases.sort_unstable();
    cases.dedup();
    let mut counted = 0.0;
    for c in Channel::ALL {
        let csv = std::fs::read_to_string(dir.path().join(format!("h/counts-{c}.csv"))).unwrap();
        counted += csv
            .lines()
            .skip(1)
            .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
            .sum::<f64>();
    }
    assert_eq!(counted, cases.len() as f64);
    succeeds(
        dir.path(),
        &[
            "simulate",
            "h/fitted.toml",
            "-r",
            "1",
            "--out",
            "again",
            "-q",
        ],
    );
}

#[test]
fn a_malformed_or_empty_log_is_refused_and_nothing_is_written() {
    let dir = tmp();
    let header = "case,seq,at,channel,actor,action\n";
    write(dir.path(), "empty.csv", header);
    write(
        dir.path(),
        "bad.csv",
        format!(
            "{header}a,1,2026-03-02T09:00:00Z,whatsapp,customer,message\na,2,yesterday,whatsapp,operator,message\n"
        ),
    );
    write(
        dir.path(),
        "business-only.csv",
        format!("{header}a,1,2026-03-02T09:00:00Z,whatsapp,operator,message\n"),
    );
    for (file, says) in [
        ("empty.csv", "no customer row"),
        ("bad.csv", "yesterday"),
        ("business-only.csv", "no customer row"),
    ] {
        let out = replywindow(dir.path())
            .args(["scenario", "fit", file, "--out", "out/fitted.toml"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = stderr_of(&out);
        assert!(err.contains(file) && err.contains(says), "{file}: {err}");
        assert!(!dir.path().join("out").exists(), "{file}: wrote something");
    }
    let err = stderr_of(
        &replywindow(dir.path())
            .args(["scenario", "fit", "bad.csv", "--time-zone", "Mars/Olympus"])
            .output()
            .unwrap(),
    );
    assert!(err.contains("Mars/Olympus"), "{err}");
}

/// `backtest.csv` rows as (channel, figure, agrees).
fn backtest(dir: &std::path::Path) -> Vec<(String, String, bool)> {
    let text = std::fs::read_to_string(dir.join("backtest.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("channel,figure,unit,log,simulated,low,high,agrees")
    );
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].to_string(), f[7] == "true")
        })
        .collect()
}

#[test]
fn the_back_test_agrees_with_the_right_staffing_and_says_when_it_is_wrong() {
    let dir = tmp();
    simulated_log(dir.path());
    // The same scenario with one operator on every shift, where the log had more.
    let mut lean: toml::Table = busy_default(1).parse().unwrap();
    for shift in 0..2 {
        let key = format!("operators.shifts[{shift}].operators");
        set_key(&mut lean, &key, toml::Value::Integer(1)).unwrap();
    }
    write(dir.path(), "lean.toml", toml::to_string(&lean).unwrap());
    for (base, agrees) in [("original.toml", true), ("lean.toml", false)] {
        let out_file = format!("{base}.fit/fitted.toml");
        let fit = [
            "scenario",
            "fit",
            "run/trace.csv",
            "--base",
            base,
            "--out",
            &out_file,
        ];
        let out = succeeds(dir.path(), &fit);
        let rows = backtest(&dir.path().join(format!("{base}.fit")));
        // Every figure of every channel is compared.
        for c in Channel::ALL {
            for figure in replywindow::fit::BACKTEST_FIGURES {
                assert!(
                    rows.iter().any(|r| r.0 == c.as_str() && r.1 == figure),
                    "{base}: no {c} {figure} in {rows:?}"
                );
            }
        }
        let whatsapp = rows
            .iter()
            .find(|(c, f, _)| c == "whatsapp" && f == "undelivered_rate_operator")
            .unwrap();
        assert_eq!(whatsapp.2, agrees, "{base}: {rows:?}");
        if agrees {
            assert!(rows.iter().all(|r| r.2), "{base}: {rows:?}");
        } else {
            assert!(stderr_of(&out).contains("DIFFERS"), "{}", stderr_of(&out));
        }
    }
}

/// Regression: a log answered by operators at hours where the base has nobody on duty got
/// an empty back-test; it must say that the fitted scenario sends no answer.
#[test]
fn a_back_test_where_the_base_sends_no_answer_differs() {
    let dir = tmp();
    // Sunday 1 March 2026 in Rome: the default scenario has no Sunday shift.
    write(
        dir.path(),
        "sunday.csv",
        "case,seq,at,channel,actor,action\n\
         a,1,2026-03-01T10:00:00+01:00,whatsapp,customer,message\n\
         a,2,2026-03-01T10:05:00+01:00,whatsapp,operator,message\n\
         b,1,2026-03-01T10:30:00+01:00,whatsapp,customer,message\n\
         b,2,2026-03-01T10:35:00+01:00,whatsapp,operator,message\n",
    );
    let out = succeeds(
        dir.path(),
        &["scenario", "fit", "sunday.csv", "--out", "f/fitted.toml"],
    );
    let rows = backtest(&dir.path().join("f"));
    assert!(
        rows.iter()
            .any(|r| r.0 == "whatsapp" && r.1 == "undelivered_rate_operator"),
        "{rows:?}"
    );
    // Nobody on duty: every figure of the log (both requests answered in 5 minutes)
    // differs from the fitted scenario's.
    assert!(rows.iter().all(|r| r.0 == "whatsapp" && !r.2), "{rows:?}");
    let err = stderr_of(&out);
    assert!(
        err.contains("no operator answer") && err.contains("DIFFERS"),
        "{err}"
    );
}

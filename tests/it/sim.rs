//! The simulator: hand-computed metrics, reproducibility, common random numbers, queueing
//! theory, the arrival profile, routing, traces, conservation and daylight saving.

use replywindow::metrics::{METRICS, ReplicationMetrics};
use replywindow::report::Summary;
use replywindow::rules::mutants::{self, Mutant};
use replywindow::rules::{Channel, Reason, Sender, Verdict};
use replywindow::scenario::Scenario;
use replywindow::sim::{Prepared, Run, RunOptions, run_replication, simulate};

use crate::util::*;

/// Runs `toml` (all replications) and summarises it.
fn run_toml(toml: &str, options: RunOptions) -> (Run, Summary) {
    let scenario = Scenario::from_toml(toml, "test").unwrap_or_else(|e| panic!("{e}"));
    let run = simulate(&Prepared::new(scenario), &options).unwrap();
    let reps: Vec<&ReplicationMetrics> = run.replications.iter().map(|(_, r)| &r.metrics).collect();
    let summary = Summary::new(&reps);
    (run, summary)
}

fn mean(s: &Summary, row: &str, metric: &str) -> Option<f64> {
    s.get(row, metric).map(|e| e.mean)
}

/// A WhatsApp-only shop in UTC: a customer every 12 hours from Monday 00:00, one operator
/// on Tuesday 13:00–15:00 answering in exactly 30 minutes, a window warning 2 hours before
/// the window closes, and customers who never write again on their own.
const MICRO: &str = r#"
name = "micro"
start = "2026-03-02T00:00"
time_zone = "UTC"
horizon = "2d"
replications = 1
[channels.whatsapp]
arrival_interval = "12h"
[customers]
follow_up_probability = 0
nudge_probability = 0
warned_return_probability = 0
[operators]
concurrency = 1
handle_time = "30m"
[[operators.shifts]]
days = ["tue"]
start = "13:00"
end = "15:00"
operators = 1
[bots]
window_warning = "2h"
"#;

#[test]
fn a_micro_scenario_gives_the_metrics_worked_out_by_hand() {
    // c0 Mon 00:00 and c1 Mon 12:00: warned at Mon 22:00 and Tue 10:00 (delivered), their
    // windows close unanswered at Tue 00:00 and 12:00 (at risk, covered, unanswered). The
    // operator answers them first anyway (fifo) at 13:30 and 14:00: undelivered, window
    // closed, both conversations lost. c2 (Tue 00:00) is answered at 14:30 and c3 (Tue
    // 12:00) at 15:00: delivered, first responses 870 and 180 minutes.
    let (run, s) = run_toml(MICRO, RunOptions::default());
    let m = &run.replications[0].1.metrics;
    let wa = &m.channels[0].1;
    let op = Some(Sender::Operator);
    let bot = Some(Sender::Bot);
    assert_eq!(wa.sent(op, Reason::StandardWindow), 2);
    assert_eq!(wa.sent(op, Reason::WindowClosed), 2);
    assert_eq!(wa.sent(bot, Reason::StandardWindow), 2);
    assert_eq!(wa.sent_by(None), 6, "nothing else was sent");
    let get = |metric: &str| mean(&s, "whatsapp", metric);
    assert_eq!(get("sent_operator"), Some(4.0));
    assert_eq!(get("undelivered_operator"), Some(2.0));
    assert_eq!(get("undelivered_rate_operator"), Some(0.5));
    assert_eq!(get("sent_bot"), Some(2.0));
    assert_eq!(get("undelivered_rate_bot"), Some(0.0));
    assert_eq!(get("requests"), Some(4.0));
    assert_eq!(get("requests_censored"), Some(0.0));
    assert_eq!(get("unanswered_rate"), Some(0.5));
    assert_eq!(get("conversations"), Some(4.0));
    assert_eq!(get("lost_rate"), Some(0.5));
    assert_eq!(get("at_risk"), Some(2.0));
    assert_eq!(get("coverage"), Some(1.0));
    assert_eq!(get("rescued"), Some(0.0));
    // Answered requests only: 180 and 870 minutes.
    let p50 = get("first_response_answered_p50").unwrap();
    let p90 = get("first_response_answered_p90").unwrap();
    assert!((p50 - 180.0).abs() < 0.5, "first response p50 {p50}");
    assert!((p90 - 870.0).abs() < 1.0, "first response p90 {p90}");
    // Over every closed request: 180, 870, never, never.
    let p50 = get("first_response_p50").unwrap();
    assert!(
        (p50 - 870.0).abs() < 1.0,
        "first response p50 over all {p50}"
    );
    assert_eq!(get("first_response_p90"), Some(f64::INFINITY));
    // Picked up while open: c2 after 14 h, c3 after 2.5 h; c0 and c1 waited 24 h until their
    // requests closed, never picked up while open.
    assert_eq!(get("wait_probability"), Some(1.0));
    assert_eq!(
        get("mean_wait"),
        Some((1440.0 + 1440.0 + 840.0 + 150.0) / 4.0)
    );
    // Within an hour: nobody picked up or answered.
    assert_eq!(get("service_level_1h"), Some(0.0));
    assert_eq!(get("answered_within_1h"), Some(0.0));
    // One operator busy through the whole shift.
    assert_eq!(get("occupancy"), Some(1.0));
    // One replication: the interval columns are empty.
    assert_eq!(s.get("whatsapp", "requests").unwrap().interval, None);
}

/// Three channels in UTC from Monday 00:00 for two days, every behaviour fixed: WhatsApp
/// customers every 12 hours who give up after 3 hours, one Facebook customer, Instagram
/// comments every 24 hours whose customers never accept; one operator on Tuesday
/// 13:00-16:00 answering in exactly 30 minutes, all answers promotional, late ones tagged.
/// Two identical replications, so that every average over replications is the value of one.
const MICRO_ALL: &str = r#"
name = "micro-all"
start = "2026-03-02T00:00"
time_zone = "UTC"
horizon = "2d"
replications = 2
[channels.whatsapp]
arrival_interval = "12h"
customers = { patience = "3h" }
[channels.facebook]
arrival_interval = "48h"
[channels.instagram]
arrival_interval = "24h"
comment_share = 1
[customers]
follow_up_probability = 0
nudge_probability = 0
warned_return_probability = 0
accept_probability = 0
[operators]
concurrency = 1
handle_time = "30m"
promotional_share = 1
human_agent_tagging = true
instagram_follow_ups = 1
[[operators.shifts]]
days = ["tue"]
start = "13:00"
end = "16:00"
operators = 1
[report]
service_level = ["3h", "40h"]
"#;

#[test]
fn a_second_micro_scenario_pins_every_metric_the_first_leaves_out() {
    // WhatsApp c0 (Mon 00:00), c1 (Mon 12:00), c2 (Tue 00:00) give up after 3 hours: three
    // abandoned, unanswered requests, three lost conversations. c3 (Tue 12:00) is picked up
    // at 14:30 and answered at 15:00 (first response 180 min).
    // Facebook f0 (Mon 00:00) is answered at Tue 13:30, 37.5 h later: tagged (late) and
    // promotional, a violation; its request stays open (censored), at risk since Tue 00:00.
    // Instagram i0 (Mon 00:00) and i1 (Tue 00:00) comment; answered at 14:00 and 14:30 by a
    // private reply (first responses 2280 and 870 min) and a follow-up, held forever.
    // The operator is busy from 13:00 to 15:00 of a 13:00-16:00 shift.
    let (_, s) = run_toml(MICRO_ALL, RunOptions::default());
    let get = |row: &str, metric: &str| mean(&s, row, metric);
    let weeks = 2.0 / 7.0;
    let expected: &[(&str, &str, Option<f64>)] = &[
        ("whatsapp", "conversations", Some(4.0)),
        ("whatsapp", "lost_conversations", Some(3.0)),
        ("whatsapp", "lost_rate", Some(0.75)),
        ("whatsapp", "requests", Some(4.0)),
        ("whatsapp", "unanswered_rate", Some(0.75)),
        ("whatsapp", "abandoned", Some(3.0)),
        ("whatsapp", "abandon_rate", Some(0.75)),
        ("whatsapp", "wait_probability", Some(1.0)),
        // c0-c2 waited 3 h until they gave up; c3 was picked up after 2.5 h.
        ("whatsapp", "mean_wait", Some((3.0 * 180.0 + 150.0) / 4.0)),
        ("whatsapp", "service_level_3h", Some(0.25)),
        ("whatsapp", "answered_within_3h", Some(0.25)),
        ("whatsapp", "service_level_40h", Some(0.25)),
        ("whatsapp", "first_response_p50", Some(f64::INFINITY)),
        ("facebook", "service_level_3h", None),
        ("facebook", "conversations", Some(0.0)),
        ("facebook", "requests", Some(0.0)),
        ("facebook", "requests_censored", Some(1.0)),
        ("facebook", "unanswered_rate", None),
        ("facebook", "violations", Some(1.0)),
        ("facebook", "violations_per_week", Some(1.0 / weeks)),
        ("facebook", "at_risk", Some(1.0)),
        ("facebook", "coverage", Some(0.0)),
        ("facebook", "rescued", None),
        ("facebook", "first_response_p50", None),
        ("instagram", "conversations", Some(2.0)),
        ("instagram", "lost_conversations", Some(0.0)),
        ("instagram", "sent_operator", Some(4.0)),
        ("instagram", "delivered", Some(2.0)),
        ("instagram", "held", Some(2.0)),
        ("instagram", "released", Some(0.0)),
        ("instagram", "still_held", Some(2.0)),
        ("instagram", "mean_wait", Some((2250.0 + 840.0) / 2.0)),
        ("instagram", "service_level_3h", Some(0.0)),
        ("instagram", "service_level_40h", Some(1.0)),
        ("instagram", "answered_within_40h", Some(1.0)),
        // The `all` row adds the channels' counters (not their metrics).
        ("all", "conversations", Some(6.0)),
        ("all", "lost_conversations", Some(3.0)),
        ("all", "lost_rate", Some(0.5)),
        ("all", "requests", Some(6.0)),
        ("all", "requests_censored", Some(1.0)),
        ("all", "unanswered_rate", Some(0.5)),
        ("all", "abandoned", Some(3.0)),
        ("all", "sent_operator", Some(6.0)),
        ("all", "sent_bot", Some(0.0)),
        ("all", "delivered", Some(3.0)),
        ("all", "held", Some(2.0)),
        ("all", "still_held", Some(2.0)),
        ("all", "violations", Some(1.0)),
        ("all", "violations_per_week", Some(1.0 / weeks)),
        ("all", "undelivered_rate", Some(0.0)),
        ("all", "at_risk", Some(1.0)),
        ("all", "wait_probability", Some(1.0)),
        ("all", "abandon_rate", Some(0.5)),
        // Over the six closed requests (Facebook's is still open).
        (
            "all",
            "mean_wait",
            Some((3.0 * 180.0 + 150.0 + 2250.0 + 840.0) / 6.0),
        ),
        ("all", "service_level_3h", Some(1.0 / 6.0)),
        ("all", "service_level_40h", Some(0.5)),
        ("all", "answered_within_40h", Some(0.5)),
        ("all", "first_response_p90", Some(f64::INFINITY)),
        ("all", "occupancy", Some(2.0 / 3.0)),
    ];
    for &(row, metric, want) in expected {
        let got = get(row, metric);
        match (got, want) {
            (Some(g), Some(w)) => {
                assert!(
                    g == w || (g - w).abs() < 1e-9,
                    "{row} {metric}: {g}, not {w}"
                )
            }
            _ => assert_eq!(got, want, "{row} {metric}"),
        }
    }
    // Percentiles come from histograms with three significant digits.
    let near = |row: &str, metric: &str, want: f64| {
        let g = get(row, metric).unwrap_or(f64::NAN);
        assert!(
            (g / want - 1.0).abs() < 1e-3,
            "{row} {metric}: {g}, not {want}"
        );
    };
    // Instagram answered both of its requests: the same over every request.
    for metric in [
        "first_response",
        "first_response_answered",
        "time_to_answer",
    ] {
        near("instagram", &format!("{metric}_p50"), 870.0);
        near("instagram", &format!("{metric}_p90"), 2280.0);
        near("instagram", &format!("{metric}_p99"), 2280.0);
    }
    // All channels: answered 180, 870 and 2280 minutes, and three never.
    near("all", "first_response_answered_p50", 870.0);
    near("all", "first_response_answered_p90", 2280.0);
    near("all", "first_response_answered_p99", 2280.0);
    near("whatsapp", "first_response_answered_p99", 180.0);
    for metric in ["first_response", "time_to_answer"] {
        near("all", &format!("{metric}_p50"), 2280.0);
        assert_eq!(get("all", &format!("{metric}_p90")), Some(f64::INFINITY));
        assert_eq!(
            get("whatsapp", &format!("{metric}_p99")),
            Some(f64::INFINITY)
        );
    }
}

#[test]
fn hourly_csv_is_averaged_over_the_weeks_and_replications() {
    // The same micro scenario (two identical replications): every hour of Monday and
    // Tuesday occurs once per replication, so each value is that of one replication.
    let dir = tmp();
    std::fs::write(dir.path().join("micro.toml"), MICRO_ALL).unwrap();
    let out = replywindow(dir.path())
        .args(["simulate", "micro.toml", "--out", "r", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = std::fs::read_to_string(dir.path().join("r/hourly.csv")).unwrap();
    let mut cell: std::collections::BTreeMap<(String, usize), Vec<String>> = Default::default();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        cell.insert(
            (f[0].to_string(), f[1].parse().unwrap()),
            f[4..].iter().map(|v| v.to_string()).collect(),
        );
    }
    assert_eq!(cell.len(), 3 * 168);
    // arrivals, customers_waiting, undelivered, operators_on_duty, occupancy
    let row = |channel: &str, h: usize| cell[&(channel.to_string(), h)].join(",");
    let zero = "0.000000";
    let one = "1.000000";
    // Monday 00:00: a customer on every channel, each waiting the whole hour.
    assert_eq!(row("whatsapp", 0), format!("{one},{one},{zero},{zero},"));
    assert_eq!(row("facebook", 0), format!("{one},{one},{zero},{zero},"));
    assert_eq!(row("instagram", 0), format!("{one},{one},{zero},{zero},"));
    // Monday 03:00: c0 gave up at 03:00.
    assert_eq!(row("whatsapp", 3), format!("{zero},{zero},{zero},{zero},"));
    // Tuesday 13:00: the operator is on duty and busy all hour; two Instagram customers
    // wait; c3 waits.
    assert_eq!(
        row("whatsapp", 37),
        format!("{zero},{one},{zero},{one},{one}")
    );
    assert_eq!(
        row("instagram", 37),
        format!("{zero},2.000000,{zero},{one},{one}")
    );
    // Tuesday 14:00: i1 is answered at 14:30.
    assert_eq!(
        row("instagram", 38),
        format!("{zero},0.500000,{zero},{one},{one}")
    );
    // Tuesday 15:00: on duty and idle; Facebook's customer still waits.
    assert_eq!(
        row("whatsapp", 39),
        format!("{zero},{zero},{zero},{one},{zero}")
    );
    assert_eq!(
        row("facebook", 39),
        format!("{zero},{one},{zero},{one},{zero}")
    );
    // Wednesday never occurs in the run: no values.
    assert_eq!(row("whatsapp", 48), ",,,,");
}

#[test]
fn a_warned_customer_who_writes_again_and_is_then_answered_is_rescued() {
    // One customer (Mon 00:00), warned at Mon 22:00, writes again at 22:30, which restarts
    // the window; answered at Tue 13:30, 37.5 hours after writing first.
    let toml = MICRO
        .replace("arrival_interval = \"12h\"", "arrival_interval = \"3d\"")
        .replace(
            "warned_return_probability = 0",
            "warned_return_probability = 1\nwarned_return_delay = \"30m\"",
        );
    let (_, s) = run_toml(&toml, RunOptions::default());
    let get = |metric: &str| mean(&s, "whatsapp", metric);
    assert_eq!(get("at_risk"), Some(1.0));
    assert_eq!(get("coverage"), Some(1.0));
    assert_eq!(get("rescued"), Some(1.0));
    assert_eq!(get("unanswered_rate"), Some(0.0));
    assert_eq!(get("undelivered_operator"), Some(0.0));
    let p50 = get("first_response_p50").unwrap();
    assert!((p50 - 2250.0).abs() < 3.0, "{p50}");
    let tta = get("time_to_answer_p50").unwrap();
    assert!(
        (tta - 900.0).abs() < 1.0,
        "time to answer from the latest message: {tta}"
    );
}

/// Regression: a request's deadline was the simulator's own copy of the rules, which ignored
/// an unused comment credit on a request opened by a message; the request expired at its
/// window's end although the engine still delivered the answer as a private reply.
#[test]
fn an_unused_comment_credit_keeps_a_message_request_answerable() {
    // One Facebook customer comments on Mon 00:00 and again at 01:00 (a nudge): two credits.
    // The operator (Mon 02:00-03:00) answers at 02:30 with a public reply, which spends no
    // credit. The customer follows up with a message at 03:30 and nudges at 04:30: the
    // window closes Tue 04:30. The next operator (Wed 10:00-11:00) answers at 10:30, past
    // the window, untagged: delivered as a private reply on the 01:00 credit, so the
    // request is answered, not expired.
    let toml = r#"
name = "credit"
start = "2026-03-02T00:00"
time_zone = "UTC"
horizon = "59h"
replications = 1
[channels.facebook]
arrival_interval = "30d"
comment_share = 1
[customers]
follow_up_probability = 1
follow_up_delay = "1h"
nudge_probability = 1
nudge_delay = "1h"
warned_return_probability = 0
[operators]
concurrency = 1
handle_time = "30m"
human_agent_tagging = false
[[operators.shifts]]
days = ["mon"]
start = "02:00"
end = "03:00"
operators = 1
[[operators.shifts]]
days = ["wed"]
start = "10:00"
end = "11:00"
operators = 1
"#;
    let (run, s) = run_toml(toml, RunOptions::default());
    let fb = &run.replications[0].1.metrics.channels[0].1;
    let op = Some(Sender::Operator);
    assert_eq!(fb.sent(op, Reason::PublicReply), 1);
    assert_eq!(fb.sent(op, Reason::PrivateReply), 1);
    assert_eq!(fb.sent_by(None), 2, "nothing else was sent");
    let get = |metric: &str| mean(&s, "facebook", metric);
    assert_eq!(get("requests"), Some(2.0));
    assert_eq!(get("unanswered_rate"), Some(0.0));
}

/// The files `simulate` writes, by name.
fn simulate_files(args: &[&str]) -> Vec<(String, Vec<u8>)> {
    let dir = tmp();
    let out = replywindow(dir.path())
        .arg("simulate")
        .args(args)
        .args(["--out", "r", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.path().join("r"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn the_same_seed_gives_the_same_bytes_on_any_number_of_threads() {
    let common = ["--horizon", "10d", "--replications", "4"];
    let one = simulate_files(&[&common[..], &["--threads", "1"]].concat());
    let two = simulate_files(&[&common[..], &["--threads", "2"]].concat());
    let names: Vec<&str> = one.iter().map(|(n, _)| n.as_str()).collect();
    for name in [
        "hourly.csv",
        "replications.csv",
        "summary.csv",
        "verdicts.csv",
        "index.html",
        "week.png",
        "week.svg",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert!(one == two, "--threads 1 and --threads 2 differ");
    let other = simulate_files(&[&common[..], &["--threads", "2", "--seed", "7"]].concat());
    for ((name, a), (_, b)) in one.iter().zip(&other) {
        if name.ends_with(".csv") {
            assert_ne!(a, b, "{name} should change with the seed");
        }
    }
}

/// The first row of every case of replication 0's trace: (case, instant, channel).
fn arrivals(toml: &str) -> Vec<(String, i64, Channel)> {
    let (run, _) = run_toml(
        toml,
        RunOptions {
            trace: Some(0),
            ..RunOptions::default()
        },
    );
    let trace = run.trace().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    trace
        .iter()
        .filter(|r| seen.insert(r.case.clone()))
        .map(|r| (r.case.clone(), r.at.millis(), r.channel))
        .collect()
}

#[test]
fn changing_only_the_operators_leaves_the_arrivals_unchanged() {
    let base = replywindow::scenario::DEFAULT_SCENARIO
        .replace("horizon = \"28d\"", "horizon = \"10d\"")
        .replace("warm_up = \"7d\"", "warm_up = \"1d\"")
        .replace("replications = 10", "replications = 1");
    let more = base.replacen("operators = 3", "operators = 6", 1);
    assert_ne!(base, more);
    let a = arrivals(&base);
    let b = arrivals(&more);
    assert!(a.len() > 500, "{}", a.len());
    assert_eq!(a, b);
    // While what the operators did differs.
    let (_, sa) = run_toml(&base, RunOptions::default());
    let (_, sb) = run_toml(&more, RunOptions::default());
    assert_ne!(
        mean(&sa, "all", "first_response_p50"),
        mean(&sb, "all", "first_response_p50")
    );
}

/// The Erlang C probability of waiting for `c` servers at offered load `a` Erlangs.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut sum = 0.0;
    let mut term = 1.0;
    for k in 0..c {
        if k > 0 {
            term *= a / k as f64;
        }
        sum += term;
    }
    let last = term * a / c as f64 * (c as f64 / (c as f64 - a));
    last / (sum + last)
}

/// The value of `metric` on `row` in each replication of `run`.
fn per_replication(run: &Run, row: &str, metric: &str) -> Vec<f64> {
    let m = run.replications[0]
        .1
        .metrics
        .catalogue()
        .iter()
        .position(|d| d.name == metric)
        .unwrap();
    run.replications
        .iter()
        .map(|(_, r)| {
            let rows = r.metrics.rows();
            let (_, values) = rows.iter().find(|(name, _)| name == row).unwrap();
            values[m].unwrap()
        })
        .collect()
}

/// Checks that the mean of `values` (independent replications) agrees with `truth`:
/// |mean - truth| <= t(1 - 5e-8; n - 1) * s / sqrt(n). A correct simulator fails this check
/// with probability 1e-7, whatever the seed (two-sided, Student t), so the tests making
/// eight such checks fail by chance less than once in a million runs. The half-width must be at
/// most `max_half`, so that the check can see a bias of that size.
fn assert_agrees(what: &str, values: &[f64], truth: f64, max_half: f64) {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let t = StudentsT::new(0.0, 1.0, n - 1.0)
        .unwrap()
        .inverse_cdf(1.0 - 5e-8);
    let half = t * (var / n).sqrt();
    assert!(
        half <= max_half,
        "{what}: the check is too weak, ±{half} (wanted at most ±{max_half})"
    );
    assert!(
        (mean - truth).abs() <= half,
        "{what}: mean {mean} over {n} replications, exact {truth}, allowed ±{half}"
    );
}

#[test]
fn an_mmc_configuration_agrees_with_erlang_c() {
    // 100 arrivals an hour, mean handle time 3 minutes (5 Erlangs), 6 operators always on
    // duty with concurrency 1, windows longer than the horizon, no follow-ups.
    let (c, a) = (6, 5.0);
    let p_wait = erlang_c(c, a);
    let mean_wait = p_wait / (c as f64 / 3.0 - 100.0 / 60.0); // minutes
    assert!((p_wait - 0.5875).abs() < 0.001, "{p_wait}");
    let toml = format!(
        r#"
start = "2026-03-02T00:00"
time_zone = "UTC"
horizon = "8d"
warm_up = "1d"
replications = 96
[channels.whatsapp]
arrivals_per_day = 2400
[customers]
follow_up_probability = 0
nudge_probability = 0
[operators]
concurrency = 1
handle_time = {{ distribution = "exponential", mean = "3m" }}
[[operators.shifts]]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
start = "00:00"
end = "24:00"
operators = {c}
[policy.whatsapp]
window = "400d"
[report]
service_level = ["1m", "5m"]
"#
    );
    let (run, _) = run_toml(&toml, RunOptions::default());
    let waits = per_replication(&run, "whatsapp", "wait_probability");
    assert_agrees("probability of waiting", &waits, p_wait, 0.02);
    let minutes = per_replication(&run, "whatsapp", "mean_wait");
    assert_agrees("mean wait (minutes)", &minutes, mean_wait, 0.2);
    // Erlang C's waiting-time distribution: P(W <= T) = 1 - C e^{-(c mu - lambda) T}.
    let drain = c as f64 / 3.0 - 100.0 / 60.0; // per minute
    for (metric, minutes) in [("service_level_1m", 1.0), ("service_level_5m", 5.0)] {
        let exact = 1.0 - p_wait * (-drain * minutes).exp();
        let values = per_replication(&run, "whatsapp", metric);
        assert_agrees(metric, &values, exact, 0.02);
    }
}

#[test]
fn the_statistical_check_sees_a_wrong_model() {
    // The same check on a queue with 7 operators instead of 6 (exact 0.35 instead of 0.59)
    // must fail: it is strict enough to see a model error of that size.
    let (c, a) = (6, 5.0);
    let wrong = erlang_c(c + 1, a);
    let toml = format!(
        r#"
start = "2026-03-02T00:00"
time_zone = "UTC"
horizon = "8d"
warm_up = "1d"
replications = 24
[channels.whatsapp]
arrivals_per_day = 2400
[customers]
follow_up_probability = 0
nudge_probability = 0
[operators]
concurrency = 1
handle_time = {{ distribution = "exponential", mean = "3m" }}
[[operators.shifts]]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
start = "00:00"
end = "24:00"
operators = {c}
[policy.whatsapp]
window = "400d"
"#
    );
    let (run, _) = run_toml(&toml, RunOptions::default());
    let waits = per_replication(&run, "whatsapp", "wait_probability");
    let caught = std::panic::catch_unwind(|| assert_agrees("wrong model", &waits, wrong, 0.1));
    assert!(
        caught.is_err(),
        "Erlang C for {} operators passed for {c}",
        c + 1
    );
}

/// Erlang A (M/M/c+M) by its birth-death chain: the probability that an arrival waits and
/// the share of arrivals that abandon. Rates per minute.
fn erlang_a(lambda: f64, mu: f64, c: u32, theta: f64) -> (f64, f64) {
    let mut p = vec![1.0f64];
    for n in 1..4000u32 {
        let death = if n <= c {
            f64::from(n) * mu
        } else {
            f64::from(c) * mu + f64::from(n - c) * theta
        };
        p.push(p[(n - 1) as usize] * lambda / death);
    }
    let total: f64 = p.iter().sum();
    let wait: f64 = p[c as usize..].iter().sum::<f64>() / total;
    let queue: f64 = p
        .iter()
        .enumerate()
        .skip(c as usize)
        .map(|(n, x)| (n as f64 - f64::from(c)) * x)
        .sum::<f64>()
        / total;
    (wait, theta * queue / lambda)
}

#[test]
fn with_exponential_patience_it_agrees_with_erlang_a() {
    // 100 arrivals an hour, handle time 3 minutes, 5 operators (5 Erlangs: overloaded
    // without abandonment), patience of mean 4 minutes.
    let (p_wait, p_abandon) = erlang_a(100.0 / 60.0, 1.0 / 3.0, 5, 1.0 / 4.0);
    assert!(p_wait > 0.5 && p_abandon > 0.05, "{p_wait} {p_abandon}");
    let toml = r#"
start = "2026-03-02T00:00"
time_zone = "UTC"
horizon = "8d"
warm_up = "1d"
replications = 48
[channels.whatsapp]
arrivals_per_day = 2400
[customers]
follow_up_probability = 0
nudge_probability = 0
patience = { distribution = "exponential", mean = "4m" }
[operators]
concurrency = 1
handle_time = { distribution = "exponential", mean = "3m" }
[[operators.shifts]]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
start = "00:00"
end = "24:00"
operators = 5
[policy.whatsapp]
window = "400d"
"#;
    let (run, _) = run_toml(toml, RunOptions::default());
    for (metric, truth, max_half) in [
        ("wait_probability", p_wait, 0.02),
        ("unanswered_rate", p_abandon, 0.03),
    ] {
        let values = per_replication(&run, "whatsapp", metric);
        assert_agrees(metric, &values, truth, max_half);
    }
    // Windows outlast the horizon: only abandonment leaves requests unanswered.
    for (i, r) in &run.replications {
        let wa = &r.metrics.channels[0].1;
        assert!(wa.abandoned > 0, "replication {i}");
        assert_eq!(wa.abandoned, wa.unanswered, "replication {i}");
    }
}

#[test]
fn hour_by_hour_arrivals_match_the_profile() {
    // Office profile on the clock of Rome, across the change to summer time.
    let toml = r#"
start = "2026-03-16T00:00"
time_zone = "Europe/Rome"
horizon = "28d"
replications = 8
[channels.whatsapp]
arrivals_per_day = 300
profile = "office"
[customers]
follow_up_probability = 0
nudge_probability = 0
[[operators.shifts]]
days = ["mon"]
start = "09:00"
end = "10:00"
operators = 1
"#;
    let scenario = Scenario::from_toml(toml, "t").unwrap();
    let rates = scenario.channels[0].hourly_rate;
    let (run, _) = run_toml(toml, RunOptions::default());
    let mut observed = [0.0; 168];
    let mut hours = [0.0; 168];
    for (_, r) in &run.replications {
        for h in 0..168 {
            observed[h] += r.metrics.hourly.arrivals[0][h];
            hours[h] += r.metrics.hourly.span[h] / 3_600_000.0;
        }
    }
    let mut chi2 = 0.0;
    for h in 0..168 {
        let expected = rates[h] * hours[h];
        assert!(expected > 5.0, "hour {h}: expected {expected}");
        chi2 += (observed[h] - expected).powi(2) / expected;
    }
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    let limit = ChiSquared::new(167.0).unwrap().inverse_cdf(0.999);
    assert!(
        chi2 < limit,
        "chi-square {chi2} over 167 degrees of freedom (limit {limit})"
    );
    // The Sunday hour skipped on 29 March occurred one time less than the others.
    assert!(hours[146] < hours[145], "{} {}", hours[146], hours[145]);
}

/// A WhatsApp weekend backlog: by Monday morning, Saturday's customers are past their window
/// and Sunday's are not.
const BACKLOG: &str = r#"
start = "2026-03-02T00:00"
time_zone = "UTC"
horizon = "21d"
warm_up = "7d"
replications = 6
[channels.whatsapp]
arrivals_per_day = 200
profile = "retail"
[customers]
follow_up_probability = 0.2
nudge_probability = 0
[operators]
concurrency = 2
handle_time = { distribution = "lognormal", mean = "6m", sd = "3m" }
routing = "ROUTING"
[[operators.shifts]]
days = ["mon", "tue", "wed", "thu", "fri"]
start = "09:00"
end = "17:00"
operators = 2
"#;

#[test]
fn deadline_routing_loses_fewer_whatsapp_answers_than_fifo() {
    let (_, fifo) = run_toml(&BACKLOG.replace("ROUTING", "fifo"), RunOptions::default());
    let (_, deadline) = run_toml(
        &BACKLOG.replace("ROUTING", "deadline"),
        RunOptions::default(),
    );
    let undelivered = |s: &Summary| mean(s, "whatsapp", "undelivered_operator").unwrap();
    let unanswered = |s: &Summary| mean(s, "whatsapp", "unanswered_rate").unwrap();
    assert!(
        undelivered(&fifo) > 50.0,
        "the scenario shows the effect: {}",
        undelivered(&fifo)
    );
    assert!(
        undelivered(&deadline) < undelivered(&fifo) / 2.0,
        "{} vs {}",
        undelivered(&deadline),
        undelivered(&fifo)
    );
    assert!(
        unanswered(&deadline) < unanswered(&fifo),
        "{} vs {}",
        unanswered(&deadline),
        unanswered(&fifo)
    );
}

#[test]
fn the_trace_of_a_replication_replays_to_exactly_its_verdicts() {
    let dir = tmp();
    let out = replywindow(dir.path())
        .args([
            "simulate",
            "--horizon",
            "9d",
            "--replications",
            "2",
            "--trace",
            "1",
            "--out",
            "r",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let trace = dir.path().join("r/trace.csv");
    let text = std::fs::read_to_string(&trace).unwrap();
    assert!(text.lines().count() > 1000, "{}", text.lines().count());
    for needle in [
        "whatsapp",
        "instagram",
        "comment_reply",
        "awaiting_acceptance",
        ",bot,",
    ] {
        assert!(text.contains(needle), "the trace has {needle}");
    }
    let verdicts = replywindow(dir.path())
        .arg("replay")
        .arg(&trace)
        .output()
        .unwrap();
    assert!(verdicts.status.success());
    let v = write(dir.path(), "v.csv", &verdicts.stdout);
    let check = replywindow(dir.path())
        .arg("check")
        .arg(&trace)
        .arg(&v)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", stdout_of(&check));
    let out = replywindow(dir.path())
        .args([
            "simulate",
            "--replications",
            "2",
            "--trace",
            "2",
            "--horizon",
            "9d",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--trace 2"));
}

/// Where business messages are not conserved in one (replication, channel): messages sent
/// (counted where they are sent) against their decisions (delivered, undelivered, held,
/// violations), and releases against holds.
fn conservation_faults(label: &str, m: &std::collections::BTreeMap<String, f64>) -> Vec<String> {
    let mut faults = Vec::new();
    let sent = m["sent_operator"] + m["sent_bot"];
    let decided = m["delivered"]
        + m["undelivered_operator"]
        + m["undelivered_bot"]
        + m["held"]
        + m["violations"];
    if sent != decided {
        faults.push(format!("{label}: {sent} sent, {decided} decided"));
    }
    if m["released"] > m["held"] {
        faults.push(format!(
            "{label}: {} released of {} held",
            m["released"], m["held"]
        ));
    }
    faults
}

/// Every metric of every row of one replication, by row and name.
fn named_values(
    m: &ReplicationMetrics,
) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, f64>> {
    let metrics = m.catalogue();
    m.rows()
        .into_iter()
        .map(|(row, values)| {
            let named = metrics
                .iter()
                .zip(values)
                .filter_map(|(d, v)| v.map(|v| (d.name.clone(), v)))
                .collect();
            (row, named)
        })
        .collect()
}

#[test]
fn messages_are_conserved_per_channel_and_replication() {
    let files = simulate_files(&["--horizon", "14d", "--replications", "3"]);
    let text = String::from_utf8(
        files
            .iter()
            .find(|(n, _)| n == "replications.csv")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    let mut values: std::collections::BTreeMap<
        (String, String),
        std::collections::BTreeMap<String, f64>,
    > = Default::default();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if let Ok(v) = f[3].parse::<f64>() {
            values
                .entry((f[0].into(), f[1].into()))
                .or_default()
                .insert(f[2].into(), v);
        }
    }
    assert_eq!(values.len(), 3 * 4);
    for ((rep, channel), m) in &values {
        let faults = conservation_faults(&format!("replication {rep} {channel}"), m);
        assert!(faults.is_empty(), "{faults:?}");
        assert!(m["sent_operator"] + m["sent_bot"] > 0.0);
    }
    assert!(
        values
            .values()
            .any(|m| m["held"] > 0.0 && m["released"] > 0.0)
    );
    assert!(values.values().all(|m| m.len() <= METRICS.len() + 4));
}

#[test]
fn a_message_lost_by_the_simulator_breaks_conservation() {
    // The conservation check above must be able to fail: with a simulator fault that loses
    // one decision, the same check finds it (on the first channel and in `all`).
    let mut scenario = Scenario::default_scenario().unwrap();
    scenario.horizon = 9 * replywindow::time::DAY;
    scenario.warm_up = 2 * replywindow::time::DAY;
    let prepared = Prepared::new(scenario);
    let faults_of = |m: &ReplicationMetrics| -> Vec<String> {
        named_values(m)
            .iter()
            .flat_map(|(row, values)| conservation_faults(row, values))
            .collect()
    };
    let sound = run_replication(&prepared, 0, false);
    assert_eq!(faults_of(&sound.metrics), Vec::<String>::new());
    mutants::set(Some(Mutant::DecisionNotCounted));
    let faulty = run_replication(&prepared, 0, false);
    mutants::set(None);
    let faults = faults_of(&faulty.metrics);
    assert_eq!(faults.len(), 2, "{faults:?}");
    assert!(
        faults[0].starts_with("all: ") && faults[1].starts_with("whatsapp: "),
        "{faults:?}"
    );
}

#[test]
fn shifts_start_at_the_right_instants_across_the_spring_change() {
    let toml = r#"
start = "2026-03-27T00:00"
time_zone = "Europe/Rome"
horizon = "4d"
replications = 1
[channels.whatsapp]
arrivals_per_day = 10
[[operators.shifts]]
days = ["fri", "sat", "sun", "mon"]
start = "09:00"
end = "17:00"
operators = 2
[[operators.shifts]]
name = "night"
days = ["sun"]
start = "02:30"
end = "04:00"
operators = 1
"#;
    let p = Prepared::new(Scenario::from_toml(toml, "dst").unwrap());
    let starts: Vec<(u16, String)> = p
        .shifts
        .iter()
        .filter(|c| c.starts)
        .map(|c| (c.shift, c.at.to_string()))
        .collect();
    assert_eq!(
        starts,
        [
            (0, "2026-03-27T08:00:00.000Z".to_string()),
            (0, "2026-03-28T08:00:00.000Z".to_string()),
            // 02:30 does not exist on 29 March: the shift starts when the clocks jump.
            (1, "2026-03-29T01:00:00.000Z".to_string()),
            (0, "2026-03-29T07:00:00.000Z".to_string()),
            (0, "2026-03-30T07:00:00.000Z".to_string()),
        ]
    );
    // And the simulator keeps 2 operators on duty 8 hours a day, in local hours 9 to 16.
    let (run, _) = run_toml(toml, RunOptions::default());
    let h = &run.replications[0].1.metrics.hourly;
    let on_duty_hours: f64 = h.on_duty.iter().sum::<f64>() / 3_600_000.0;
    assert!(
        (on_duty_hours - (4.0 * 8.0 * 2.0 + 1.0)).abs() < 1e-9,
        "{on_duty_hours}"
    );
    assert_eq!(
        h.on_duty[6 * 24 + 9],
        2.0 * 3_600_000.0,
        "Sunday 09:00 local"
    );
    assert_eq!(h.on_duty[6 * 24 + 8], 0.0, "Sunday 08:00 local");
}

#[test]
fn invalid_scenarios_exit_2_naming_the_key() {
    let dir = tmp();
    let base = replywindow::scenario::DEFAULT_SCENARIO;
    let cases = [
        (
            base.replace("seed = 20260302", "seed = 20260302\ncolour = \"blue\""),
            "colour",
        ),
        (
            base.replace("arrivals_per_day = 120", "arrivals_per_day = -5"),
            "channels.whatsapp.arrivals_per_day",
        ),
        (
            base.replace(
                "start = \"09:00\"\nend = \"18:00\"",
                "start = \"09:00\"\nend = \"09:00\"",
            ),
            "operators.shifts[0].end",
        ),
        (
            base.replace("days = [\"sat\"]", "days = []"),
            "operators.shifts[1].days",
        ),
        (base.replace("Europe/Rome", "Europe/Atlantis"), "time_zone"),
        (
            base.replace(
                "distribution = \"exponential\", mean = \"10m\"",
                "distribution = \"weibull\", mean = \"10m\"",
            ),
            "customers.warned_return_delay.distribution",
        ),
        (
            base.replace("horizon = \"28d\"", "horizon = \"four weeks\""),
            "horizon",
        ),
        (
            base.replace(
                "no_answer_after = \"15m\"",
                "no_answer_after = \"a quarter hour\"",
            ),
            "bots.no_answer_after",
        ),
        (
            base.replace("routing = \"fifo\"", "routing = \"random\""),
            "operators.routing",
        ),
        (
            base.replace("comment_share = 0.3", "comment_share = 1.5"),
            "channels.facebook.comment_share",
        ),
        (
            base.replace(
                "human_agent_extension = \"7d\"",
                "human_agent_extension = \"1h\"",
            ),
            "policy.facebook.human_agent_extension",
        ),
    ];
    for (text, key) in cases {
        assert_ne!(text, base, "{key}: the test changed nothing");
        let file = write(dir.path(), "bad.toml", &text);
        for args in [
            &["scenario", "validate"][..],
            &["simulate", "--out", "never"][..],
        ] {
            let out = replywindow(dir.path())
                .args(args)
                .arg(&file)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{key}");
            let err = stderr_of(&out);
            assert!(err.contains(key), "{err:?} should name {key}");
            assert!(err.contains("bad.toml"), "{err}");
            assert!(!dir.path().join("never").exists(), "no partial output");
        }
    }
}

/// weekend-gap.toml over 21 days with 6 replications: long enough for its weekends to tell.
fn short_weekend_gap() -> String {
    let base = scenario_text("weekend-gap.toml");
    let short = base
        .replace("horizon = \"28d\"", "horizon = \"21d\"")
        .replace("replications = 10", "replications = 6");
    assert_ne!(
        short, base,
        "weekend-gap.toml's horizon or replications moved"
    );
    short
}

#[test]
fn one_weekend_operator_serves_whatsapp_customers_better_by_every_response_metric() {
    // The trap this guards against: answered-only response times get worse when weekend
    // staff answers the long waits that used to end unanswered. The metrics over every
    // request must say the true story: with one weekend operator, better service.
    let short = short_weekend_gap();
    let one = short.replace("operators = 0", "operators = 1");
    assert_ne!(short, one);
    let (_, none) = run_toml(&short, RunOptions::default());
    let (_, staffed) = run_toml(&one, RunOptions::default());
    let get = |s: &Summary, metric: &str| s.get("whatsapp", metric).unwrap().mean;
    for metric in [
        "service_level_15m",
        "service_level_1h",
        "answered_within_1h",
    ] {
        assert!(
            get(&staffed, metric) > get(&none, metric),
            "{metric}: {} with one weekend operator, {} without",
            get(&staffed, metric),
            get(&none, metric)
        );
    }
    for metric in [
        "first_response_p50",
        "first_response_p90",
        "time_to_answer_p90",
    ] {
        assert!(
            get(&staffed, metric) < get(&none, metric),
            "{metric}: {} with one weekend operator, {} without",
            get(&staffed, metric),
            get(&none, metric)
        );
    }
}

#[test]
fn weekend_operators_lower_whatsapp_undelivered_rate_on_weekend_gap() {
    let short = short_weekend_gap();
    let staffed = short.replace("operators = 0", "operators = 2");
    assert_ne!(short, staffed);
    let (a, _) = run_toml(&short, RunOptions::default());
    let (b, _) = run_toml(&staffed, RunOptions::default());
    let rate = |r: &ReplicationMetrics| {
        let wa = &r.channels[0].1;
        wa.count(
            Some(replywindow::rules::Sender::Operator),
            Verdict::Undelivered,
        ) as f64
            / wa.sent_by(Some(replywindow::rules::Sender::Operator)) as f64
    };
    // Paired replications: the same customers arrive in both.
    for ((i, x), (_, y)) in a.replications.iter().zip(&b.replications) {
        assert!(
            rate(&y.metrics) < rate(&x.metrics),
            "replication {i}: {} vs {}",
            rate(&y.metrics),
            rate(&x.metrics)
        );
    }
}

#[test]
fn simulate_prints_a_table_and_stats() {
    let dir = tmp();
    let out = replywindow(dir.path())
        .args(["simulate", "--horizon", "8d", "-r", "2", "--stats"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert!(
        text.contains("operator undelivered %") && text.contains("whatsapp"),
        "{text}"
    );
    let err = stderr_of(&out);
    for needle in [
        "events handled",
        "wall time",
        "events/s",
        "per thread",
        "peak event list",
    ] {
        assert!(err.contains(needle), "{err}");
    }
    assert!(dir.path().join("reports/default/summary.csv").exists());
}

#[test]
fn scenario_init_writes_the_default_scenario() {
    let dir = tmp();
    replywindow(dir.path())
        .args(["scenario", "init", "s.toml"])
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("s.toml")).unwrap();
    assert_eq!(text, replywindow::scenario::DEFAULT_SCENARIO);
    assert!(text.contains("# "), "with comments");
    replywindow(dir.path())
        .args(["scenario", "validate", "s.toml"])
        .assert()
        .success();
    let again = replywindow(dir.path())
        .args(["scenario", "init", "s.toml"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2), "no overwrite without --force");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 16, ..Default::default() })]

    /// Over random staffing of two teams, traffic and routing: occupancy never exceeds 1, in
    /// all and per team (an operator finishing answers after their shift counts as on
    /// duty), hour by hour and over the run, and every interval of the summary lies inside
    /// its metric's domain.
    #[test]
    fn occupancy_and_intervals_stay_in_their_domains(
        per_day in 20u32..400,
        weekday_ops in 0u32..4,
        saturday_ops in 0u32..3,
        concurrency in 1u32..4,
        handle in 1u32..40,
        slowdown in 0u32..3,
        deadline in proptest::bool::ANY,
        start_hour in 0u32..20,
        length in 1u32..10,
    ) {
        let toml = format!(
            r#"
start = "2026-03-02T00:00"
time_zone = "Europe/Rome"
horizon = "5d"
warm_up = "1d"
replications = 3
[channels.whatsapp]
arrivals_per_day = {per_day}
[channels.instagram]
arrivals_per_day = {}
comment_share = 0.5
[operators]
busy_slowdown = {}
[[operators.teams]]
name = "whatsapp"
channels = ["whatsapp"]
concurrency = {concurrency}
handle_time = {{ distribution = "exponential", mean = "{handle}m" }}
routing = "{}"
[[operators.teams.shifts]]
days = ["mon", "tue", "wed", "thu", "fri"]
start = "{start_hour:02}:00"
end = "{:02}:00"
operators = {weekday_ops}
[[operators.teams]]
name = "everything"
channels = ["whatsapp", "instagram"]
handle_time = "7m"
[[operators.teams.shifts]]
days = ["sat", "mon"]
start = "10:00"
end = "12:30"
operators = {saturday_ops}
"#,
            per_day / 2 + 1,
            f64::from(slowdown) * 0.2,
            if deadline { "deadline" } else { "fifo" },
            (start_hour + length).min(24),
        );
        let (run, s) = run_toml(&toml, RunOptions::default());
        for (i, r) in &run.replications {
            if let Some(o) = r.metrics.hourly.occupancy() {
                proptest::prop_assert!(o <= 1.0 + 1e-12, "replication {i}: occupancy {o}");
            }
            for team in &r.metrics.teams {
                if let Some(o) = team.occupancy() {
                    proptest::prop_assert!(o <= 1.0 + 1e-12, "replication {i}: team {} occupancy {o}", team.name);
                }
            }
            for h in 0..replywindow::time::WEEK_HOURS {
                let (busy, capacity) = (r.metrics.hourly.busy[h], r.metrics.hourly.capacity[h]);
                proptest::prop_assert!(busy <= capacity * (1.0 + 1e-12), "hour {h}: busy {busy} > capacity {capacity}");
            }
        }
        for (row, estimates) in s.rows.iter().zip(&s.estimates) {
            for (def, e) in s.metrics.iter().zip(estimates) {
                let Some(e) = e else { continue };
                let (lo, hi) = def.domain();
                proptest::prop_assert!(lo <= e.mean && e.mean <= hi, "{row} {}: mean {}", def.name, e.mean);
                if let Some((a, b)) = e.interval {
                    proptest::prop_assert!(lo <= a && a <= b && b <= hi, "{row} {}: [{a}, {b}]", def.name);
                }
            }
        }
    }
}

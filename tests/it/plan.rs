//! `plan`: the least staffing Erlang C calls for, plans that hold on fresh replications and
//! are not wasteful, cost premiums, infeasible targets, determinism, invalid input.

use replywindow::plan::{PlanOptions, Target, checks, plan};
use replywindow::scenario::Scenario;
use replywindow::sim::{Prepared, RunOptions, simulate};

use crate::util::*;

/// The Erlang C probability of waiting for `c` servers at offered load `a` Erlangs.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut sum = 0.0;
    let mut term = 1.0;
    for k in 0..c {
        if k > 0 {
            term *= a / f64::from(k);
        }
        sum += term;
    }
    let last = term * a / f64::from(c) * (f64::from(c) / (f64::from(c) - a));
    last / (sum + last)
}

/// An always-staffed WhatsApp queue: `per_day` arrivals, exponential 3-minute handle
/// times, concurrency 1, windows longer than the run.
fn mmc(per_day: u32, shifts: &str) -> String {
    format!(
        r#"
start = "2026-03-02T00:00"
time_zone = "UTC"
horizon = "8d"
warm_up = "1d"
replications = 24
[channels.whatsapp]
arrivals_per_day = {per_day}
[customers]
follow_up_probability = 0
nudge_probability = 0
[operators]
concurrency = 1
handle_time = {{ distribution = "exponential", mean = "3m" }}
{shifts}
[policy.whatsapp]
window = "400d"
"#
    )
}

const ALWAYS: &str = r#"
[[operators.shifts]]
name = "always"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
start = "00:00"
end = "24:00"
operators = 1
"#;

fn planned_operators(toml: &str, target: &str) -> Vec<u32> {
    let scenario = Scenario::from_toml(toml, "mmc").unwrap();
    let targets = vec![Target::parse(target).unwrap()];
    let outcome = plan(&scenario, &targets, &PlanOptions::default(), &|_| {}).unwrap();
    assert!(outcome.feasible, "{target}");
    outcome.chosen.staffing
}

#[test]
fn the_planner_staffs_what_erlang_c_says_for_two_loads() {
    // 5 Erlangs, probability of waiting at most 0.57: 6 operators miss it by 0.0175.
    let least = (6..20).find(|&c| erlang_c(c, 5.0) <= 0.57).unwrap();
    assert_eq!(least, 7);
    assert!(erlang_c(least - 1, 5.0) - 0.57 < 0.02);
    assert_eq!(
        planned_operators(&mmc(2400, ALWAYS), "wait_probability <= 0.57"),
        [least]
    );
    // 3 Erlangs, 90% picked up within 2 minutes: P(W <= T) = 1 - C e^{-(c mu - lambda) T}.
    let service_level = |c: u32| 1.0 - erlang_c(c, 3.0) * (-(f64::from(c) / 3.0 - 1.0) * 2.0).exp();
    let least = (4..20).find(|&c| service_level(c) >= 0.9).unwrap();
    assert_eq!(
        planned_operators(&mmc(1440, ALWAYS), "service_level(2m) >= 90%"),
        [least]
    );
}

#[test]
fn a_cost_premium_moves_operators_to_the_cheaper_overlapping_shift() {
    let both = |premium_on_first: bool| {
        let (a, b) = if premium_on_first {
            (3.0, 1.0)
        } else {
            (1.0, 3.0)
        };
        format!(
            r#"
[[operators.shifts]]
name = "first"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
start = "00:00"
end = "24:00"
operators = 1
cost_per_hour = {a}
[[operators.shifts]]
name = "second"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
start = "00:00"
end = "24:00"
operators = 1
cost_per_hour = {b}
"#
        )
    };
    let cheap_second = planned_operators(&mmc(2400, &both(true)), "wait_probability <= 0.57");
    assert_eq!(cheap_second, [0, 7]);
    let cheap_first = planned_operators(&mmc(2400, &both(false)), "wait_probability <= 0.57");
    assert_eq!(cheap_first, [7, 0]);
}

#[test]
fn a_weekend_gap_plan_holds_on_another_seed_and_wastes_no_operator() {
    let text = scenario_text("weekend-gap.toml");
    let scenario = Scenario::from_toml(&text, "weekend-gap").unwrap();
    let targets: Vec<Target> = scenario
        .targets
        .iter()
        .map(|t| Target::from_spec(t).unwrap())
        .collect();
    assert!(targets.len() >= 2);
    let options = PlanOptions::default();
    let outcome = plan(&scenario, &targets, &options, &|_| {}).unwrap();
    assert!(outcome.feasible);
    // Re-simulated here on replications the planner never saw.
    let mut check = outcome.scenario.clone();
    check.seed = 424_242;
    let run = simulate(&Prepared::new(check.clone()), &RunOptions::default()).unwrap();
    let reps: Vec<_> = run
        .replications
        .iter()
        .map(|(_, r)| r.metrics.rows())
        .collect();
    let metrics = run.replications[0].1.metrics.catalogue();
    for t in &targets {
        for c in checks(t, &metrics, &reps, options.confidence) {
            assert!(c.holds, "{} on {}: bound {}", t.text, c.row, c.bound);
        }
    }
    // One operator fewer on any staffed shift breaks a target.
    let staffed = outcome.chosen.staffing.iter().filter(|n| **n > 0).count();
    assert_eq!(outcome.removals.len(), staffed);
    for (s, fewer) in &outcome.removals {
        assert!(
            !fewer.feasible,
            "one operator fewer on shift {s} still meets every target"
        );
    }
}

#[test]
fn infeasible_targets_exit_1_with_the_best_staffing_and_no_plan() {
    let dir = tmp();
    let capped = ALWAYS.replace("operators = 1", "operators = 1\nmax_operators = 2");
    std::fs::write(dir.path().join("q.toml"), mmc(2400, &capped)).unwrap();
    let out = replywindow(dir.path())
        .args([
            "plan",
            "q.toml",
            "--target",
            "wait_probability <= 0%",
            "--out",
            "p",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let said = stdout_of(&out);
    assert!(
        said.contains("No staffing within the bounds meets every target"),
        "{said}"
    );
    assert!(said.contains("fails (target 0.00%)"), "{said}");
    assert!(said.contains("operators/always"), "{said}");
    assert!(!dir.path().join("p/plan.toml").exists());
    assert!(!dir.path().join("p/plan.csv").exists());
}

#[test]
fn the_same_plan_on_one_thread_or_two() {
    let dir = tmp();
    std::fs::write(dir.path().join("q.toml"), mmc(2400, ALWAYS)).unwrap();
    for (threads, out) in [("1", "one"), ("2", "two")] {
        let run = replywindow(dir.path())
            .args([
                "plan",
                "q.toml",
                "--target",
                "service_level(1m) >= 80%",
                "--threads",
                threads,
                "--out",
                out,
                "-q",
            ])
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", stderr_of(&run));
    }
    let mut names: Vec<_> = std::fs::read_dir(dir.path().join("one"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");
    for name in names {
        let a = std::fs::read(dir.path().join("one").join(&name)).unwrap();
        let b = std::fs::read(dir.path().join("two").join(&name)).unwrap();
        assert!(a == b, "{name:?} differs");
    }
}

#[test]
fn invalid_targets_and_bounds_exit_2_naming_them_and_write_nothing() {
    let dir = tmp();
    std::fs::write(dir.path().join("q.toml"), mmc(2400, ALWAYS)).unwrap();
    for (target, named) in [
        ("happiness >= 90%", "happiness"),
        ("first_response_p90 <= 50%", "first_response_p90"),
        ("unanswered_rate <= 120%", "unanswered_rate"),
        ("sms.unanswered_rate <= 2%", "sms"),
        ("instagram.unanswered_rate <= 2%", "instagram"),
        ("service_level(soon) >= 80%", "soon"),
        ("unanswered_rate = 2%", "unanswered_rate = 2%"),
    ] {
        let out = replywindow(dir.path())
            .args(["plan", "q.toml", "--target", target, "--out", "p"])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{target}: {err}");
        assert!(err.contains(named), "{target}: {err}");
        assert!(!dir.path().join("p").exists(), "{target}: nothing written");
    }
    let bounded = ALWAYS.replace(
        "operators = 1",
        "operators = 1\nmin_operators = 5\nmax_operators = 3",
    );
    std::fs::write(dir.path().join("b.toml"), mmc(2400, &bounded)).unwrap();
    let out = replywindow(dir.path())
        .args([
            "plan",
            "b.toml",
            "--target",
            "unanswered_rate <= 2%",
            "--out",
            "p",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("operators.shifts[0].max_operators"),
        "{}",
        stderr_of(&out)
    );
    assert!(!dir.path().join("p").exists());
    // No target at all.
    let out = replywindow(dir.path())
        .args(["plan", "q.toml", "--out", "p"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("no target"), "{}", stderr_of(&out));
}

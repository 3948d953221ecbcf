//! Every key of the scenario reference (scenarios/README.md): one invalid value each,
//! refused with exit code 2 and an error that names the key's full path.

use replywindow::scenario::DEFAULT_SCENARIO;
use replywindow::sweep::set_key;

use crate::util::*;

/// (key path, an invalid value in TOML)
const CASES: &[(&str, &str)] = &[
    ("name", r#""../outside""#),
    ("name", r#"".""#),
    ("name", r#""..""#),
    ("description", "5"),
    ("start", r#""2026-02-30T00:00""#),
    ("time_zone", r#""Mars/Olympus""#),
    ("horizon", r#""soon""#),
    ("warm_up", r#""30d""#),
    ("replications", "0"),
    ("seed", "-1"),
    ("channels.whatsapp.arrivals_per_day", "-5"),
    ("channels.whatsapp.arrival_interval", r#""never""#),
    ("channels.whatsapp.profile", r#""weekly""#),
    ("channels.whatsapp.weights", "[1, 2]"),
    ("channels.whatsapp.comment_share", "0.5"),
    (
        "channels.whatsapp.arrivals",
        r#"{ counts = "whatsapp.csv" }"#,
    ),
    ("channels.facebook.comment_share", "1.5"),
    ("channels.instagram.customers.accept_probability", "2"),
    ("customers.follow_up_probability", "1.5"),
    ("customers.follow_up_delay", r#""soon""#),
    ("customers.nudge_probability", "-0.1"),
    (
        "customers.nudge_delay",
        r#"{ distribution = "exponential", mean = "-1m" }"#,
    ),
    ("customers.warned_return_probability", "2"),
    ("customers.warned_return_delay", r#""x""#),
    ("customers.accept_probability", "3"),
    ("customers.accept_delay", r#""x""#),
    ("customers.patience", r#""x""#),
    ("operators.shifts", r#""all day""#),
    ("operators.teams", r#""everyone""#),
    ("operators.teams", "[]"),
    ("operators.teams[0].name", "5"),
    ("operators.teams[0].channels", r#"["sms"]"#),
    ("operators.teams[0].channels", r#"["whatsapp"]"#),
    ("operators.teams[0].shifts", "3"),
    ("operators.teams[0].concurrency", "0"),
    ("operators.teams[0].handle_time", r#""x""#),
    ("operators.teams[0].routing", r#""lifo""#),
    ("operators.teams[all].shifts[0].operators", "-1"),
    ("operators.concurrency", "0"),
    ("operators.handle_time", r#""x""#),
    ("operators.handle_time.distribution", r#""weibull""#),
    ("operators.handle_time.mean", r#""-1m""#),
    ("operators.busy_slowdown", "-1"),
    ("operators.routing", r#""lifo""#),
    ("operators.promotional_share", "2"),
    ("operators.human_agent_tagging", r#""yes""#),
    ("operators.facebook_private_reply", r#""no""#),
    ("operators.instagram_follow_ups", "-1"),
    ("operators.shifts[0].name", "5"),
    ("operators.shifts[0].days", r#"["xyz"]"#),
    ("operators.shifts[0].start", r#""24:00""#),
    ("operators.shifts[0].end", r#""25:00""#),
    ("operators.shifts[0].operators", "-1"),
    ("operators.shifts[0].min_operators", "-1"),
    ("operators.shifts[0].max_operators", "-2"),
    ("operators.shifts[0].cost_per_hour", "-1"),
    ("operators.shrinkage", "0.99"),
    ("targets", r#""fast""#),
    ("targets[0].metric", r#""happiness""#),
    ("targets[0].metric", r#""service_level(soon)""#),
    ("targets[0].channel", r#""sms""#),
    ("targets[0].at_most", r#""200%""#),
    ("targets[0].at_least", r#""5%""#),
    ("bots.on_arrival", r#""yes""#),
    ("bots.no_answer_after", r#""x""#),
    ("bots.off_hours", "1"),
    ("bots.window_warning", r#""x""#),
    ("calendar", r#""christmas""#),
    ("calendar[0].name", "5"),
    ("calendar[0].from", r#""10 March""#),
    ("calendar[0].to", r#""2026-03-01""#),
    ("calendar[0].arrivals", "-2"),
    ("calendar[0].channels", r#"["sms"]"#),
    ("calendar[0].closed", r#""yes""#),
    ("report.service_level", r#"["15m", "soon"]"#),
    ("report.service_level", r#"["1h", "1h"]"#),
    ("policy.whatsapp.window", r#""x""#),
    ("policy.facebook.window", r#""x""#),
    ("policy.facebook.human_agent_extension", r#""12h""#),
    ("policy.instagram.private_reply_validity", r#""x""#),
    ("policy.instagram.hold_until_accepted", r#""yes""#),
];

/// The default scenario with `key` set to `value`; for a key of `operators.teams`, its
/// shifts first become one team's.
fn with(key: &str, value: &str) -> String {
    let mut table: toml::Table = toml::from_str(DEFAULT_SCENARIO).unwrap();
    if key.starts_with("calendar[") {
        let entry: toml::Table =
            toml::from_str("from = \"2026-03-10\"\nto = \"2026-03-10\"\narrivals = 2").unwrap();
        table.insert(
            "calendar".into(),
            toml::Value::Array(vec![toml::Value::Table(entry)]),
        );
    }
    if key.starts_with("targets[") {
        let target: toml::Table =
            toml::from_str("metric = \"unanswered_rate\"\nat_most = \"2%\"").unwrap();
        table.insert(
            "targets".into(),
            toml::Value::Array(vec![toml::Value::Table(target)]),
        );
    }
    if key.starts_with("operators.teams") {
        shifts_as_one_team(&mut table, "all");
    }
    let value: toml::Value =
        toml::from_str::<toml::Table>(&format!("v = {value}")).unwrap()["v"].clone();
    set_key(&mut table, key, value).unwrap();
    toml::to_string(&table).unwrap()
}

#[test]
fn every_documented_key_refuses_an_invalid_value_by_its_path() {
    let dir = tmp();
    let mut failures = Vec::new();
    for (key, value) in CASES {
        std::fs::write(dir.path().join("s.toml"), with(key, value)).unwrap();
        let out = replywindow(dir.path())
            .args(["scenario", "validate", "s.toml"])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        // Errors name list entries by position: `[all]` is `[0]` there.
        let key = key.replace("[all]", "[0]");
        let path = key
            .split('.')
            .take_while(|p| !["distribution", "mean"].contains(p));
        let named = format!("`{}", path.collect::<Vec<_>>().join("."));
        // A team serving WhatsApp only leaves the other channels without one; a target's
        // error names the target.
        let named = if value.contains("[\"whatsapp\"]") {
            "`operators.teams`".to_string()
        } else if key.starts_with("targets[0]") {
            "`targets[0]`".to_string()
        } else {
            named
        };
        if out.status.code() != Some(2) || !err.contains(&named) || !out.stdout.is_empty() {
            failures.push(format!(
                "{key} = {value}: exit {:?}, {err}",
                out.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_key_of_the_reference_is_tried() {
    // The reference's tables list each key in backticks in their first column.
    let reference = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/README.md"),
    )
    .unwrap();
    let tried: Vec<&str> = CASES
        .iter()
        .map(|(k, _)| k.rsplit('.').next().unwrap())
        .collect();
    // The table of distribution families lists families, not keys.
    let distribution_columns = [
        "distribution",
        "constant",
        "exponential",
        "lognormal",
        "gamma",
        "uniform",
        "empirical",
    ];
    for line in reference.lines() {
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        let key = rest.split('`').next().unwrap();
        if key.ends_with(".toml") || distribution_columns.contains(&key) {
            continue;
        }
        assert!(
            tried.contains(&key) || tried.iter().any(|t| t.starts_with(&format!("{key}["))),
            "no invalid value tried for the documented key `{key}`"
        );
    }
}

#[test]
fn twenty_four_hundred_is_an_end_only() {
    let dir = tmp();
    std::fs::write(
        dir.path().join("s.toml"),
        with("operators.shifts[0].end", r#""24:00""#),
    )
    .unwrap();
    replywindow(dir.path())
        .args(["scenario", "validate", "s.toml"])
        .assert()
        .success();
}

#[test]
fn undocumented_units_typos_and_wrong_types_name_the_key_path() {
    let dir = tmp();
    for (key, value, named) in [
        (
            "channels.whatsapp.arrival_interval",
            r#""4M""#,
            "channels.whatsapp.arrival_interval",
        ),
        ("horizon", r#""1 month""#, "horizon"),
        ("warm_up", r#""3 weeks""#, "warm_up"),
        (
            "operators.handle_time",
            r#"{ distribution = "lognormal", mean = "4m", stdev = "3m" }"#,
            "operators.handle_time.stdev",
        ),
        (
            "customers.nudge_delay",
            r#"{ distribution = "exponential", mean = 5 }"#,
            "customers.nudge_delay.mean",
        ),
        ("operators.concurrency", r#""3""#, "operators.concurrency"),
    ] {
        std::fs::write(dir.path().join("s.toml"), with(key, value)).unwrap();
        let out = replywindow(dir.path())
            .args(["scenario", "validate", "s.toml"])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{key} = {value}: {err}");
        assert!(
            err.contains(&format!("`{named}`")),
            "{key} = {value}: {err}"
        );
        assert!(!err.contains("untagged"), "{err}");
    }
    // And a string where a whole number belongs is said in words.
    std::fs::write(
        dir.path().join("s.toml"),
        with("operators.concurrency", r#""3""#),
    )
    .unwrap();
    let out = replywindow(dir.path())
        .args(["scenario", "validate", "s.toml"])
        .output()
        .unwrap();
    assert!(
        stderr_of(&out).contains("expected a whole number"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn shifts_are_named_in_key_paths_and_listed_by_validate() {
    let dir = tmp();
    std::fs::write(dir.path().join("s.toml"), DEFAULT_SCENARIO).unwrap();
    let out = replywindow(dir.path())
        .args(["scenario", "validate", "s.toml"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(
        text.contains("  weekdays: mon tue wed thu fri 09:00-18:00, 3 operators\n"),
        "{text}"
    );
    assert!(
        text.contains("  saturday morning: sat 09:00-13:00, 1 operator\n"),
        "{text}"
    );
    // A sweep may name the shift instead of counting its position.
    let small = DEFAULT_SCENARIO
        .replace("horizon = \"28d\"", "horizon = \"3d\"")
        .replace("warm_up = \"7d\"", "warm_up = \"1d\"");
    std::fs::write(dir.path().join("small.toml"), small).unwrap();
    let out = replywindow(dir.path())
        .args([
            "sweep",
            "small.toml",
            "--vary",
            "operators.shifts[saturday morning].operators=0,2",
            "-r",
            "1",
            "-q",
            "--out",
            "o",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let csv = std::fs::read_to_string(dir.path().join("o/sweep.csv")).unwrap();
    assert!(csv.starts_with("point,operators.shifts[saturday morning].operators,channel"));
    let mut scenario: toml::Table = toml::from_str(DEFAULT_SCENARIO).unwrap();
    set_key(
        &mut scenario,
        "operators.shifts[saturday morning].operators",
        toml::Value::Integer(2),
    )
    .unwrap();
    assert_eq!(
        scenario["operators"]["shifts"][1]["operators"].as_integer(),
        Some(2)
    );
}

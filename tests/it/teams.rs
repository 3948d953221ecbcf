//! Teams of operators: the channels each serves, overflow between teams, and the old
//! single-team form.

use replywindow::rules::{Actor, Channel};
use replywindow::scenario::{DEFAULT_SCENARIO, Scenario};
use replywindow::sim::{Prepared, RunOptions, simulate};
use replywindow::trace::RowKind;

use crate::util::*;

/// The default scenario with its `[operators]` shifts replaced by `teams` (TOML).
fn with_teams(teams: &str) -> String {
    let mut table: toml::Table = toml::from_str(DEFAULT_SCENARIO).unwrap();
    let operators = table["operators"].as_table_mut().unwrap();
    operators.remove("shifts");
    let teams: toml::Table = toml::from_str(teams).unwrap();
    operators.insert("teams".into(), teams["operators"]["teams"].clone());
    table.insert("horizon".into(), toml::Value::String("9d".into()));
    table.insert("warm_up".into(), toml::Value::String("2d".into()));
    table.insert("replications".into(), toml::Value::Integer(2));
    toml::to_string(&table).unwrap()
}

#[test]
fn a_whatsapp_team_never_answers_instagram() {
    // WhatsApp has its own staffed team; the social team has nobody: no operator ever
    // writes on Facebook or Instagram, while WhatsApp is answered.
    let toml = with_teams(
        r#"
[[operators.teams]]
name = "whatsapp desk"
channels = ["whatsapp"]
[[operators.teams.shifts]]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
start = "08:00"
end = "20:00"
operators = 3
[[operators.teams]]
name = "social"
channels = ["facebook", "instagram"]
[[operators.teams.shifts]]
days = ["mon"]
start = "09:00"
end = "10:00"
operators = 0
"#,
    );
    let scenario = Scenario::from_toml(&toml, "teams").unwrap();
    let run = simulate(
        &Prepared::new(scenario),
        &RunOptions {
            trace: Some(0),
            ..RunOptions::default()
        },
    )
    .unwrap();
    let trace = run.trace().unwrap();
    let operator_rows = |channel: Channel| {
        trace
            .iter()
            .filter(|r| r.channel == channel)
            .filter(|r| matches!(r.kind, RowKind::Business { sender, .. } if sender.actor() == Actor::Operator))
            .count()
    };
    assert!(operator_rows(Channel::WhatsApp) > 100);
    assert_eq!(operator_rows(Channel::Instagram), 0);
    assert_eq!(operator_rows(Channel::Facebook), 0);
    let m = &run.replications[0].1.metrics;
    assert!(m.teams[0].busy > 0.0);
    assert_eq!(m.teams[1].capacity, 0.0);
}

/// Two teams that both serve WhatsApp, a customer every hour answered in 10 minutes: the
/// first team listed has room every time, so it takes every conversation.
fn overflow(first: &str, second: &str) -> Vec<(String, f64)> {
    let toml = format!(
        r#"
start = "2026-03-02T00:00"
time_zone = "UTC"
horizon = "2d"
replications = 1
[channels.whatsapp]
arrival_interval = "1h"
[customers]
follow_up_probability = 0
nudge_probability = 0
[operators]
handle_time = "10m"
[[operators.teams]]
name = "{first}"
channels = ["whatsapp"]
[[operators.teams.shifts]]
days = ["mon", "tue"]
start = "00:00"
end = "24:00"
operators = 1
[[operators.teams]]
name = "{second}"
channels = ["whatsapp"]
[[operators.teams.shifts]]
days = ["mon", "tue"]
start = "00:00"
end = "24:00"
operators = 1
"#
    );
    let scenario = Scenario::from_toml(&toml, "overflow").unwrap();
    let run = simulate(&Prepared::new(scenario), &RunOptions::default()).unwrap();
    run.replications[0]
        .1
        .metrics
        .teams
        .iter()
        .map(|t| (t.name.clone(), t.busy))
        .collect()
}

#[test]
fn a_channel_goes_to_the_first_team_listed_that_has_room() {
    let busy = overflow("first", "second");
    assert_eq!(busy[0].0, "first");
    assert!(busy[0].1 > 0.0, "{busy:?}");
    assert_eq!(busy[1].1, 0.0, "{busy:?}");
    // Listed the other way round, the other team takes them.
    let busy = overflow("second", "first");
    assert!(busy[0].1 > 0.0 && busy[1].1 == 0.0, "{busy:?}");
}

#[test]
fn a_busy_first_team_overflows_to_the_next() {
    // One WhatsApp operator of concurrency 1 cannot take a conversation every 5 minutes
    // that takes 10: the second team answers the rest.
    let toml = r#"
start = "2026-03-02T00:00"
time_zone = "UTC"
horizon = "1d"
replications = 1
[channels.whatsapp]
arrival_interval = "5m"
[customers]
follow_up_probability = 0
nudge_probability = 0
[operators]
handle_time = "10m"
[[operators.teams]]
name = "first"
channels = ["whatsapp"]
[[operators.teams.shifts]]
days = ["mon"]
start = "00:00"
end = "24:00"
operators = 1
[[operators.teams]]
name = "overflow"
channels = ["whatsapp"]
[[operators.teams.shifts]]
days = ["mon"]
start = "00:00"
end = "24:00"
operators = 1
"#;
    let scenario = Scenario::from_toml(toml, "overflow").unwrap();
    let run = simulate(&Prepared::new(scenario), &RunOptions::default()).unwrap();
    let teams = &run.replications[0].1.metrics.teams;
    let occupancy: Vec<f64> = teams.iter().map(|t| t.occupancy().unwrap()).collect();
    // Both full: the first takes one in two, the second the rest.
    assert!(occupancy[0] > 0.99, "{occupancy:?}");
    assert!(occupancy[1] > 0.99, "{occupancy:?}");
}

#[test]
fn one_team_written_as_a_team_gives_identical_files() {
    let dir = tmp();
    let base = DEFAULT_SCENARIO
        .replace("horizon = \"28d\"", "horizon = \"9d\"")
        .replace("warm_up = \"7d\"", "warm_up = \"2d\"")
        .replace("replications = 10", "replications = 2");
    // The same shifts under one team named like the implicit one, serving every channel.
    let mut table: toml::Table = toml::from_str(&base).unwrap();
    shifts_as_one_team(&mut table, "operators");
    let teamed = toml::to_string(&table).unwrap();
    assert!(teamed.contains("[[operators.teams]]"), "{teamed}");
    std::fs::write(dir.path().join("shop.toml"), &base).unwrap();
    std::fs::write(dir.path().join("teamed.toml"), &teamed).unwrap();
    for (file, out) in [("shop.toml", "a"), ("teamed.toml", "b")] {
        let run = replywindow(dir.path())
            .args(["simulate", file, "--out", out, "-q", "--trace", "0"])
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", stderr_of(&run));
    }
    let mut names: Vec<_> = std::fs::read_dir(dir.path().join("a"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(names.len() > 10);
    for name in names {
        let a = std::fs::read(dir.path().join("a").join(&name)).unwrap();
        let b = std::fs::read(dir.path().join("b").join(&name)).unwrap();
        assert!(a == b, "{name:?} differs");
    }
}

#[test]
fn teams_are_validated_by_their_key_paths() {
    let dir = tmp();
    for (teams, named) in [
        (
            "[[operators.teams]]\nchannels = [\"sms\"]\nshifts = []\n",
            "operators.teams[0].channels[0]",
        ),
        (
            "[[operators.teams]]\nchannels = [\"whatsapp\"]\nshifts = []\n",
            "operators.teams",
        ),
        (
            "[[operators.teams]]\nchannels = [\"whatsapp\", \"facebook\", \"instagram\"]\nconcurrency = 0\nshifts = []\n",
            "operators.teams[0].concurrency",
        ),
        (
            "[[operators.teams]]\nchannels = [\"whatsapp\", \"facebook\", \"instagram\"]\n[[operators.teams.shifts]]\ndays = [\"mon\"]\nstart = \"24:00\"\nend = \"10:00\"\noperators = 1\n",
            "operators.teams[0].shifts[0].start",
        ),
    ] {
        std::fs::write(dir.path().join("s.toml"), with_teams(teams)).unwrap();
        let out = replywindow(dir.path())
            .args(["scenario", "validate", "s.toml"])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{teams}: {err}");
        assert!(err.contains(&format!("`{named}`")), "{teams}: {err}");
    }
    // Both forms at once.
    let both = DEFAULT_SCENARIO.to_string()
        + "\n[[operators.teams]]\nchannels = [\"whatsapp\"]\nshifts = []\n";
    std::fs::write(dir.path().join("s.toml"), both).unwrap();
    let out = replywindow(dir.path())
        .args(["scenario", "validate", "s.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("not both"), "{}", stderr_of(&out));
}

//! The shared example fixture replays to exactly its expectations.

use std::path::Path;

use replywindow::rules::Policy;
use replywindow::trace::{CheckOptions, Input, check, replay, write_verdicts};

use crate::util::*;

#[test]
fn the_copy_of_basics_equals_the_shared_one_when_present() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/examples/basics.csv");
    let Ok(original) = std::fs::read(&shared) else {
        // Outside the development tree the shared original is absent by design: the copy in
        // tests/data is what the other tests use, so this is said but is no failure in CI.
        note_skipped(
            "the_copy_of_basics_equals_the_shared_one_when_present",
            "../shared/examples/basics.csv is absent",
        );
        return;
    };
    assert_eq!(
        std::fs::read(data("basics.csv")).unwrap(),
        original,
        "tests/data/basics.csv is stale"
    );
}

#[test]
fn basics_replays_to_exactly_its_expectations() {
    let fixture = std::fs::read(data("basics.csv")).unwrap();
    let verdicts = replay(Input::bytes("basics.csv", fixture.clone()), &Policy::meta()).unwrap();
    assert_eq!(verdicts.rows.len(), 22);
    let mut out = Vec::new();
    write_verdicts(&mut out, &verdicts).unwrap();
    let report = check(
        Input::bytes("basics.csv", fixture),
        Input::bytes("verdicts.csv", out),
        CheckOptions::default(),
    )
    .unwrap();
    assert!(report.agrees(), "{:#?}", report.disagreements);
    assert_eq!(report.business_rows, 22);
}

#[test]
fn replay_then_check_through_the_command() {
    let dir = tmp();
    let out = replywindow(dir.path())
        .arg("replay")
        .arg(data("basics.csv"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert_eq!(text.lines().count(), 23, "{text}");
    assert!(text.starts_with("case,seq,verdict,reason,delivered_at\n"));
    assert!(text.contains("ig-request,3,held,awaiting_acceptance,2026-03-02T18:00:00.000Z\n"));
    let verdicts = write(dir.path(), "verdicts.csv", &out.stdout);
    let out = replywindow(dir.path())
        .arg("check")
        .arg(data("basics.csv"))
        .arg(&verdicts)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    assert!(stdout_of(&out).contains("22 business rows: 22 agree"));
}

#[test]
fn replay_reads_standard_input_and_writes_to_out() {
    let dir = tmp();
    replywindow(dir.path())
        .args(["replay", "-", "--out", "v.csv"])
        .write_stdin(std::fs::read(data("basics.csv")).unwrap())
        .assert()
        .success()
        .stdout("");
    let written = std::fs::read_to_string(dir.path().join("v.csv")).unwrap();
    assert_eq!(written.lines().count(), 23);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(leftovers.len(), 1, "only v.csv remains: {leftovers:?}");
}

#[test]
fn a_failed_replay_leaves_the_existing_out_file_untouched() {
    // Invalid input writes nothing: the file that was there stays as it was, whole, and no
    // temporary file is left behind.
    let dir = tmp();
    std::fs::write(dir.path().join("v.csv"), "old verdicts\n").unwrap();
    let mut trace = std::fs::read_to_string(data("basics.csv")).unwrap();
    trace.push_str("zz,1,2026-13-01T00:00:00Z,whatsapp,customer,message,,,,,\n");
    let out = replywindow(dir.path())
        .args(["replay", "-", "--out", "v.csv"])
        .write_stdin(trace)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("v.csv")).unwrap(),
        "old verdicts\n"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["v.csv"]);
}

#[test]
fn help_and_completions_name_every_command() {
    let dir = tmp();
    let help = replywindow(dir.path()).arg("--help").output().unwrap();
    let text = stdout_of(&help);
    for cmd in [
        "simulate",
        "sweep",
        "merge",
        "plan",
        "scenario",
        "replay",
        "check",
        "rules",
        "fixtures",
        "completions",
    ] {
        assert!(text.contains(cmd), "--help names {cmd}");
    }
    let script = replywindow(dir.path())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(script.status.success());
    assert!(stdout_of(&script).contains("fixtures"));
    let bad = replywindow(dir.path())
        .args(["simulate", "--horizon", "20y"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr_of(&bad).contains("--horizon 20y"),
        "{}",
        stderr_of(&bad)
    );
    let unknown = replywindow(dir.path()).arg("simulat").output().unwrap();
    assert_eq!(unknown.status.code(), Some(2), "usage errors exit 2");
}

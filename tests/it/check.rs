//! `check`: agreement in any order, each kind of disagreement, and invalid files.

use crate::util::*;

/// The verdicts `replay` gives the basics fixture.
fn basics_verdicts() -> String {
    let out = replywindow(&std::env::temp_dir())
        .arg("replay")
        .arg(data("basics.csv"))
        .output()
        .unwrap();
    assert!(out.status.success());
    stdout_of(&out)
}

/// Runs `check basics.csv <verdicts>` and returns (exit code, stdout, stderr).
fn check_basics(verdicts: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let dir = tmp();
    let file = write(dir.path(), "v.csv", verdicts);
    let out = replywindow(dir.path())
        .arg("check")
        .arg(data("basics.csv"))
        .arg(&file)
        .args(extra)
        .output()
        .unwrap();
    (out.status.code(), stdout_of(&out), stderr_of(&out))
}

fn replace_line(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from} is in the verdicts");
    text.replacen(from, to, 1)
}

#[test]
fn full_agreement_in_any_row_order() {
    let v = basics_verdicts();
    let mut lines: Vec<&str> = v.lines().collect();
    lines[1..].reverse();
    let (code, out, _) = check_basics(&(lines.join("\n") + "\n"), &[]);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn an_equal_instant_written_differently_agrees() {
    let v = replace_line(
        &basics_verdicts(),
        "ig-request,3,held,awaiting_acceptance,2026-03-02T18:00:00.000Z",
        "ig-request,3,held,awaiting_acceptance,2026-03-02T19:00:00+01:00",
    );
    let (code, out, _) = check_basics(&v, &[]);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn each_kind_of_disagreement_exits_1_naming_case_and_seq() {
    let v = basics_verdicts();
    let row = "fb-comment,3,undelivered,private_reply_used,";
    let changes = [
        (
            "a changed verdict",
            replace_line(&v, row, "fb-comment,3,delivered,private_reply_used,"),
            "expected undelivered",
        ),
        (
            "a changed reason",
            replace_line(&v, row, "fb-comment,3,undelivered,private_reply_expired,"),
            "private_reply_expired",
        ),
        (
            "a changed delivered_at",
            replace_line(
                &v,
                "fb-comment,2,delivered,private_reply,2026-03-03T09:00:00.000Z",
                "fb-comment,2,delivered,private_reply,2026-03-03T09:00:00.001Z",
            ),
            "2026-03-03T09:00:00.001Z",
        ),
        (
            "a missing row",
            replace_line(&v, &format!("{row}\n"), ""),
            "missing",
        ),
        (
            "an extra row",
            format!("{v}fb-comment,99,delivered,public_reply,2026-03-20T09:00:00.000Z\n"),
            "extra",
        ),
        (
            "a customer row",
            format!("{v}fb-comment,1,delivered,public_reply,2026-03-20T09:00:00.000Z\n"),
            "extra",
        ),
    ];
    for (what, verdicts, needle) in changes {
        let (code, out, err) = check_basics(&verdicts, &[]);
        assert_eq!(code, Some(1), "{what}: {out}{err}");
        let line = out
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{what}: {out}"));
        assert!(line.starts_with("case fb-comment seq "), "{what}: {line}");
        assert!(
            out.contains("disagreements"),
            "{what}: summary missing in {out}"
        );
    }
}

#[test]
fn verdict_only_ignores_reasons_and_instants() {
    let v = replace_line(
        &basics_verdicts(),
        "fb-comment,3,undelivered,private_reply_used,",
        "fb-comment,3,undelivered,window_closed,",
    );
    assert_eq!(check_basics(&v, &[]).0, Some(1));
    assert_eq!(check_basics(&v, &["--verdict-only"]).0, Some(0));
    let bare: String = basics_verdicts()
        .lines()
        .map(|l| l.split(',').take(3).collect::<Vec<_>>().join(",") + "\n")
        .collect();
    assert_eq!(check_basics(&bare, &["--verdict-only"]).0, Some(0));
    assert_eq!(
        check_basics(&bare, &[]).0,
        Some(2),
        "without --verdict-only the reason column is required"
    );
}

#[test]
fn invalid_verdict_files_and_fixtures_exit_2() {
    let v = basics_verdicts();
    let dup = format!("{v}fb-comment,3,undelivered,private_reply_used,\n");
    let (code, out, err) = check_basics(&dup, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("line 24") && err.contains("fb-comment"),
        "{err}"
    );
    let bad_value = replace_line(&v, "fb-comment,3,undelivered,", "fb-comment,3,lost,");
    let (code, _, err) = check_basics(&bad_value, &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("lost"), "{err}");

    let dir = tmp();
    let verdicts = write(dir.path(), "v.csv", &v);
    // A fixture business row without its expectation.
    let fixture = std::fs::read_to_string(data("basics.csv"))
        .unwrap()
        .replacen(
            "related,,delivered,standard_window,2026-03-02T09:30:00.000Z",
            "related,,,,",
            1,
        );
    let fixture = write(dir.path(), "f.csv", fixture);
    let out = replywindow(dir.path())
        .arg("check")
        .arg(&fixture)
        .arg(&verdicts)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("line 3"), "{}", stderr_of(&out));
    // Both from standard input.
    let out = replywindow(dir.path())
        .args(["check", "-", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("standard input"));
}

#[test]
fn check_reads_verdicts_from_standard_input() {
    let dir = tmp();
    replywindow(dir.path())
        .arg("check")
        .arg(data("basics.csv"))
        .arg("-")
        .write_stdin(basics_verdicts())
        .assert()
        .code(0);
}

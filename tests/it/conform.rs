//! The implementer's kit: `replay --explain`, explanations in `check`, the JSON Lines
//! form, and `conform` against implementations kept in `tests/conform/`.

use std::collections::HashMap;
use std::path::Path;

use replywindow::rules::Reason;

use crate::util::*;

/// The rows of a CSV file as maps from column to value.
pub fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// The fixture suite, written by the binary into a fresh folder.
pub fn suite(extra: &[&str]) -> tempfile::TempDir {
    let dir = tmp();
    let out = replywindow(dir.path())
        .args(["fixtures", "--out", "suite", "--traffic-cases", "20"])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    dir
}

#[test]
fn explain_names_the_rule_and_the_boundary_each_row_was_designed_around() {
    let dir = suite(&[]);
    let fixture = dir.path().join("suite/boundary.csv");
    let out = replywindow(dir.path())
        .args(["replay", "--explain", "--out", "explained.csv"])
        .arg(&fixture)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let explained: HashMap<(String, String), HashMap<String, String>> =
        csv_rows(&dir.path().join("explained.csv"))
            .into_iter()
            .map(|r| ((r["case"].clone(), r["seq"].clone()), r))
            .collect();
    let (mut rows, mut probes) = (0, 0);
    for row in csv_rows(&fixture) {
        if row["expect"].is_empty() {
            continue;
        }
        rows += 1;
        let e = &explained[&(row["case"].clone(), row["seq"].clone())];
        // The step of the decision order the designed reason comes from.
        let reason = Reason::ALL
            .iter()
            .find(|r| r.as_str() == row["reason"])
            .unwrap();
        assert_eq!(e["rule"], reason.rule().to_string(), "{row:?}");
        assert_eq!(e["reason"], row["reason"], "{row:?}");
        // Rows designed around an end sit at -1 ms, 0 or +1 ms of it, by the case's name.
        let note = &row["note"];
        let end = ["around W", "W after", "around E", "around P"]
            .iter()
            .find(|k| note.contains(*k))
            .map(|k| {
                if k.contains('W') {
                    "W"
                } else {
                    &k[k.len() - 1..]
                }
            });
        let offset = match row["case"].rsplit('-').next() {
            Some("before") => "-1ms",
            Some("at") => "",
            Some("after") => "+1ms",
            _ => continue,
        };
        if let Some(end) = end {
            probes += 1;
            assert_eq!(e["position"], format!("{end}{offset}"), "{row:?}");
        }
    }
    assert!(rows > 200, "{rows} business rows");
    assert!(probes >= 40, "{probes} rows probe an end");
}

#[test]
fn the_version_names_the_rules_version() {
    let out = replywindow(Path::new("."))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        stdout_of(&out).trim(),
        format!(
            "replywindow {} (rules {})",
            env!("CARGO_PKG_VERSION"),
            replywindow::rules::RULES_VERSION
        )
    );
}

/// Runs `check FIXTURE VERDICTS [extra]` in `dir`; returns (exit code, stdout).
fn check_in(dir: &Path, fixture: &Path, verdicts: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let out = replywindow(dir)
        .arg("check")
        .arg(fixture)
        .arg(verdicts)
        .args(extra)
        .output()
        .unwrap();
    (out.status.code(), stdout_of(&out))
}

#[test]
fn check_explains_an_inclusive_window_end_with_timelines_a_table_and_a_diagnosis() {
    let dir = suite(&[]);
    let fixture = dir.path().join("suite/boundary.csv");
    let out = replywindow(dir.path())
        .args(["replay", "--explain"])
        .arg(&fixture)
        .output()
        .unwrap();
    // The verdicts of an engine whose window end is inclusive: every row our engine
    // refuses exactly at W is delivered.
    let mut planted = 0;
    let mut verdicts = String::from("case,seq,verdict,reason,delivered_at\n");
    for line in stdout_of(&out).lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[8] == "W" && f[4].is_empty() {
            planted += 1;
            verdicts += &format!("{},{},delivered,standard_window,{}\n", f[0], f[1], f[7]);
        } else {
            verdicts += &format!("{}\n", f[..5].join(","));
        }
    }
    assert!(planted >= 20, "{planted}");
    let file = write(dir.path(), "v.csv", verdicts);
    let (code, text) = check_in(dir.path(), &fixture, &file, &[]);
    assert_eq!(code, Some(1), "{text}");
    // Each disagreement: the instant, the position, the note, and the timeline with
    // relative instants up to the row, marked with what was returned.
    assert!(
        text.contains("case wa-window-at seq 3: expected undelivered window_closed")
            && text.contains(
                "whatsapp at 2026-03-03T09:00:00.000Z (W): W after the customer's message"
            )
            && text.contains("a + 24h")
            && text.contains("← you: delivered standard_window"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{planted} disagreements ({planted} different, 0 missing, 0 extra)"
        )),
        "{text}"
    );
    assert!(
        text.contains("undelivered window_closed → delivered standard_window ×"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "diagnosis (all {planted} different rows): exactly at the standard window's end"
        )),
        "{text}"
    );
    // Agreement: no diagnosis, no table.
    let good = write(dir.path(), "good.csv", {
        let out = replywindow(dir.path())
            .arg("replay")
            .arg(&fixture)
            .output()
            .unwrap();
        out.stdout
    });
    let (code, text) = check_in(dir.path(), &fixture, &good, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains("diagnosis") && !text.contains("→"), "{text}");
}

#[test]
fn the_json_lines_form_and_the_csv_form_describe_the_same_cases() {
    use replywindow::rules::Policy;
    let dir = suite(&["--format", "jsonl"]);
    let root = dir.path().join("suite");
    let manifest = csv_rows(&root.join("MANIFEST.csv"));
    let mut compared = 0;
    for entry in manifest.iter().filter(|m| m["file"].ends_with(".jsonl")) {
        let json_name = &entry["file"];
        let csv_name = json_name.replace(".jsonl", ".csv");
        let csv_entry = manifest.iter().find(|m| m["file"] == csv_name).unwrap();
        assert_eq!(entry["policy"], csv_entry["policy"]);
        assert_eq!(entry["cases"], csv_entry["cases"]);
        let policy_text = std::fs::read_to_string(root.join(&entry["policy"])).unwrap();
        let policy = Policy::from_toml(&policy_text).unwrap();
        // The CSV's rows, by case, in file order.
        let mut by_case: Vec<(String, Vec<HashMap<String, String>>)> = Vec::new();
        for row in csv_rows(&root.join(&csv_name)) {
            match by_case.iter_mut().find(|(c, _)| *c == row["case"]) {
                Some((_, rows)) => rows.push(row),
                None => by_case.push((row["case"].clone(), vec![row])),
            }
        }
        let text = std::fs::read_to_string(root.join(json_name)).unwrap();
        let cases: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            cases.len(),
            by_case.len(),
            "{json_name}: one object per case"
        );
        for (case, (name, rows)) in cases.iter().zip(&by_case) {
            assert_eq!(case["case"], name.as_str());
            assert_eq!(case["file"], csv_name.as_str());
            assert_eq!(case["rules_version"], replywindow::rules::RULES_VERSION);
            assert_eq!(case["policy"]["file"], entry["policy"].as_str());
            let ig = &case["policy"]["instagram"];
            assert_eq!(ig["window_ms"], policy.instagram.window);
            assert_eq!(
                ig["hold_until_accepted"],
                policy.instagram.hold_until_accepted
            );
            assert_eq!(
                case["policy"]["facebook"]["human_agent_extension_ms"].as_i64(),
                policy.facebook.human_agent_extension
            );
            assert!(!case["note"].as_str().unwrap().is_empty(), "{name}: a note");
            let json_rows = case["rows"].as_array().unwrap();
            assert_eq!(json_rows.len(), rows.len(), "{name}");
            for (j, c) in json_rows.iter().zip(rows) {
                let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
                assert_eq!(j["seq"].to_string(), c["seq"]);
                assert_eq!(text(&j["at"]), c["at"]);
                assert_eq!(case["channel"], c["channel"].as_str());
                for key in ["actor", "action", "content", "tag"] {
                    assert_eq!(text(&j[key]), c[key], "{name} {key}");
                }
                let e = &j["expect"];
                assert_eq!(text(&e["verdict"]), c["expect"], "{name}");
                assert_eq!(text(&e["reason"]), c["reason"], "{name}");
                assert_eq!(text(&e["delivered_at"]), c["delivered_at"], "{name}");
                assert_eq!(text(&j["note"]), c.get("note").cloned().unwrap_or_default());
                compared += 1;
            }
        }
    }
    assert!(compared > 1000, "{compared} rows compared");
    // The invalid inputs, for programs: every file listed once, with where the error is.
    let expected = csv_rows(&root.join("invalid/EXPECTED.csv"));
    let files: Vec<String> = std::fs::read_dir(root.join("invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md" && n != "EXPECTED.csv")
        .collect();
    assert_eq!(expected.len(), files.len());
    for e in &expected {
        assert!(files.contains(&e["file"]), "{e:?}");
        let policy = e["file"].ends_with(".toml");
        assert_eq!(e["kind"], if policy { "policy" } else { "trace" });
        assert_eq!(e["line"].is_empty(), policy, "{e:?}");
    }
}

/// Whether Python 3 is here to run the second implementation; says why `test` is skipped
/// when it is not (`.ci/run` installs it).
fn have_python(test: &str) -> bool {
    let found = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        skip(test, "python3 is not installed");
    }
    found
}

/// The second implementation kept for these tests, with an optional planted fault.
fn engine(fault: Option<&str>) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conform/engine.py");
    let fault = fault.map_or(String::new(), |f| format!(" --fault {f}"));
    format!(
        "python3 '{}' {{trace}} {{policy}} {{out}}{fault}",
        script.display()
    )
}

/// Runs `conform` over a suite written in `dir` (`suite/`); returns the exit code, the
/// scorecard and the JUnit XML.
fn conform_in(dir: &Path, run: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let out = replywindow(dir)
        .args([
            "conform",
            "--suite",
            "suite",
            "--junit",
            "junit.xml",
            "--run",
            run,
        ])
        .args(extra)
        .output()
        .unwrap();
    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap_or_default();
    (out.status.code(), stdout_of(&out) + &stderr_of(&out), junit)
}

/// The scorecard line of `file`.
fn line_of<'a>(scorecard: &'a str, file: &str) -> &'a str {
    scorecard
        .lines()
        .find(|l| l.starts_with(&format!("{file} ")))
        .unwrap_or_else(|| panic!("{file} in\n{scorecard}"))
}

/// JUnit test cases as (suite, case, failed).
fn junit_cases(xml: &str) -> Vec<(String, String, bool)> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| {
            (
                n.attribute("classname").unwrap().to_string(),
                n.attribute("name").unwrap().to_string(),
                n.children().any(|c| c.has_tag_name("failure")),
            )
        })
        .collect()
}

#[test]
fn conform_passes_a_correct_implementation_by_files_and_by_pipes() {
    if !have_python("conform_passes_a_correct_implementation_by_files_and_by_pipes") {
        return;
    }
    let dir = suite(&[]);
    let (code, text, xml) = conform_in(dir.path(), &engine(None), &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("PASS: 9 of 9 fixture files agree, 42 of 42 invalid inputs refused"),
        "{text}"
    );
    // One JUnit test case per fixture case and per invalid input, none failed.
    let cases = junit_cases(&xml);
    let manifest = csv_rows(&dir.path().join("suite/MANIFEST.csv"));
    let fixture_cases: usize = manifest
        .iter()
        .filter(|m| !m["policy"].is_empty())
        .map(|m| m["cases"].parse::<usize>().unwrap())
        .sum();
    assert_eq!(cases.len(), fixture_cases + 42);
    assert!(cases.iter().all(|c| !c.2));
    // The trace on standard input and the verdicts on standard output.
    let script = engine(None).replace("{trace}", "-").replace("{out}", "-");
    let (code, text, _) = conform_in(dir.path(), &script, &[]);
    assert_eq!(code, Some(0), "{text}");
}

#[test]
fn conform_finds_an_inclusive_window_end_where_the_window_ends() {
    if !have_python("conform_finds_an_inclusive_window_end_where_the_window_ends") {
        return;
    }
    let dir = suite(&[]);
    let (code, text, xml) = conform_in(dir.path(), &engine(Some("inclusive-window")), &[]);
    assert_eq!(code, Some(1), "{text}");
    for file in [
        "boundary.csv",
        "boundary-no-extension.csv",
        "boundary-window-48h.csv",
    ] {
        assert!(line_of(&text, file).ends_with("FAIL"), "{file}: {text}");
    }
    assert!(
        text.contains("diagnosis (27 rows): exactly at the standard window's end"),
        "{text}"
    );
    // In every failed JUnit case the first disagreement sits exactly at the window's end
    // (later ones in a case may follow from it: a credit not spent, say).
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failures: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .map(|n| n.text().unwrap_or(""))
        .collect();
    assert!(!failures.is_empty());
    for text in failures {
        let context = text.lines().nth(1).unwrap_or("");
        assert!(context.contains(" (W)"), "{text}");
    }
    assert!(text.contains("FAIL: "), "{text}");
}

#[test]
fn conform_finds_an_accept_that_opens_the_window() {
    if !have_python("conform_finds_an_accept_that_opens_the_window") {
        return;
    }
    let dir = suite(&[]);
    let (code, text, _) = conform_in(dir.path(), &engine(Some("accept-opens-window")), &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(line_of(&text, "boundary.csv").ends_with("FAIL"), "{text}");
    assert!(text.contains("rows): after an `accept`"), "{text}");
    // Files without an accept agree.
    assert!(
        line_of(&text, "traffic-no-extension.csv").ends_with("pass") || text.contains("accept")
    );
}

#[test]
fn conform_finds_a_policy_file_that_is_not_read() {
    if !have_python("conform_finds_a_policy_file_that_is_not_read") {
        return;
    }
    let dir = suite(&[]);
    let (code, text, _) = conform_in(dir.path(), &engine(Some("ignore-policy")), &[]);
    assert_eq!(code, Some(1), "{text}");
    // Meta's own fixtures agree; each fixture of another policy disagrees, diagnosed.
    assert!(line_of(&text, "boundary.csv").ends_with("pass"), "{text}");
    assert!(
        line_of(&text, "traffic-default.csv").ends_with("pass"),
        "{text}"
    );
    for file in [
        "boundary-no-extension.csv",
        "boundary-window-48h.csv",
        "boundary-instagram-no-hold.csv",
    ] {
        assert!(line_of(&text, file).ends_with("FAIL"), "{file}: {text}");
    }
    let diagnosed = text
        .matches("not this fixture's policy: was its policy file read?")
        .count();
    assert_eq!(diagnosed, 3, "{text}");
}

#[test]
fn conform_stops_a_hanging_implementation_and_reports_a_crashing_one() {
    if !have_python("conform_stops_a_hanging_implementation_and_reports_a_crashing_one") {
        return;
    }
    let dir = suite(&[]);
    let (code, text, xml) = conform_in(dir.path(), &engine(Some("hang")), &["--time-limit", "2s"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        line_of(&text, "boundary.csv").contains("FAIL: no answer within the time limit (2s)"),
        "{text}"
    );
    // The other files were answered, and every case of the file that hung failed.
    assert!(
        line_of(&text, "boundary-window-48h.csv").ends_with("pass"),
        "{text}"
    );
    let cases = junit_cases(&xml);
    assert!(cases.iter().filter(|c| c.0 == "boundary.csv").all(|c| c.2));
    assert!(
        cases
            .iter()
            .filter(|c| c.0 == "traffic-default.csv")
            .all(|c| !c.2)
    );
    let (code, text, _) = conform_in(dir.path(), &engine(Some("crash")), &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        line_of(&text, "traffic-default.csv")
            .contains("FAIL: exited with code 3: engine.py: crashed"),
        "{text}"
    );
}

#[test]
fn conform_refuses_an_unknown_placeholder_and_a_folder_without_a_suite() {
    let dir = tmp();
    let out = replywindow(dir.path())
        .args(["conform", "--run", "engine {traces}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("`{traces}`"),
        "{}",
        stderr_of(&out)
    );
    let out = replywindow(dir.path())
        .args(["conform", "--suite", ".", "--run", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("MANIFEST.csv"),
        "{}",
        stderr_of(&out)
    );
    assert!(stdout_of(&out).is_empty());
}

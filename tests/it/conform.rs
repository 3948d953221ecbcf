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

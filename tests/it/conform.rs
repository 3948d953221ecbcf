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

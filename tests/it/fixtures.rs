//! The fixture suite: it replays to its own verdicts, covers the 27 pairs, is stable (with a
//! golden copy), refuses to be written when the engine disagrees, catches every mutant of
//! the engine, and its invalid files are refused as documented.

use std::path::Path;

use replywindow::fixtures::{SuiteError, SuiteOptions, build_suite, invalid_cases};
use replywindow::rules::Policy;
use replywindow::rules::mutants::{self, Mutant};
use replywindow::trace::{CheckOptions, Input, check, replay, write_verdicts};

use crate::util::*;

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["", "invalid"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let e = e.unwrap();
            if e.path().is_file() {
                let name = if sub.is_empty() {
                    e.file_name().to_string_lossy().into_owned()
                } else {
                    format!("{sub}/{}", e.file_name().to_string_lossy())
                };
                out.push((name, std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Replays `fixture` (with `policy`) and checks the verdicts against it, in this thread.
fn disagreements(fixture: &[u8], policy: &Policy) -> usize {
    let verdicts = replay(Input::bytes("f.csv", fixture.to_vec()), policy).unwrap();
    let mut out = Vec::new();
    write_verdicts(&mut out, &verdicts).unwrap();
    check(
        Input::bytes("f.csv", fixture.to_vec()),
        Input::bytes("v.csv", out),
        CheckOptions::default(),
    )
    .unwrap()
    .disagreements
    .len()
}

#[test]
fn the_suite_replays_to_its_own_verdicts_through_the_commands() {
    let dir = tmp();
    let d = dir.path();
    let out = replywindow(d)
        .args(["fixtures", "--out", "fx", "--traffic-cases", "50"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let all = files(&d.join("fx"));
    let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    for n in [
        "boundary.csv",
        "MANIFEST.csv",
        "README.md",
        "invalid/README.md",
        "traffic-default.csv",
        "traffic-weekend-gap.csv",
        "traffic-black-friday.csv",
        "traffic-instagram-campaign.csv",
        "traffic-no-extension.csv",
        "boundary-no-extension.toml",
    ] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    for (name, _) in all
        .iter()
        .filter(|(n, _)| n.ends_with(".csv") && !n.starts_with("invalid/") && *n != "MANIFEST.csv")
    {
        let mut replay = replywindow(d);
        replay.arg("replay").arg(format!("fx/{name}"));
        if let Some(variant) = name.strip_prefix("boundary-") {
            replay
                .arg("--policy")
                .arg(format!("fx/boundary-{}", variant.replace(".csv", ".toml")));
        }
        let verdicts = replay.output().unwrap();
        assert!(
            verdicts.status.success(),
            "{name}: {}",
            stderr_of(&verdicts)
        );
        let checked = replywindow(d)
            .arg("check")
            .arg(format!("fx/{name}"))
            .arg("-")
            .write_stdin(verdicts.stdout)
            .output()
            .unwrap();
        assert_eq!(
            checked.status.code(),
            Some(0),
            "{name}: {}",
            stdout_of(&checked)
        );
    }
    // The manifest's hashes and counts.
    let manifest = String::from_utf8(
        all.iter()
            .find(|(n, _)| n == "MANIFEST.csv")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    let header: Vec<&str> = manifest.lines().next().unwrap().split(',').collect();
    for line in manifest.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let bytes = &all
            .iter()
            .find(|(n, _)| n == f[0])
            .unwrap_or_else(|| panic!("{} is listed", f[0]))
            .1;
        use sha2::Digest;
        let hex: String = sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let column = |name: &str| f[header.iter().position(|h| *h == name).unwrap()];
        assert_eq!(column("sha256"), hex, "{}", f[0]);
        assert_eq!(column("rules_version"), replywindow::rules::RULES_VERSION);
        assert_eq!(column("generator_version"), env!("CARGO_PKG_VERSION"));
        if f[0] == "boundary.csv" {
            let text = String::from_utf8_lossy(bytes);
            assert_eq!(
                f[2].parse::<usize>().unwrap(),
                text.lines().count() - 1,
                "rows"
            );
            let held = text
                .lines()
                .filter(|l| l.contains(",held,awaiting_acceptance,"))
                .count();
            assert_eq!(
                f[header.iter().position(|h| *h == "held").unwrap()],
                held.to_string()
            );
        }
    }
    assert_eq!(
        manifest.lines().count(),
        all.len(),
        "every file but the manifest is listed"
    );
}

#[test]
fn coverage_shows_all_27_pairs() {
    let dir = tmp();
    let out = replywindow(dir.path())
        .args(["fixtures", "--coverage", "--traffic-cases", "20"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert!(text.contains("27 of 27 possible pairs covered"), "{text}");
    assert_eq!(text.matches("  covered").count(), 27);
    assert_eq!(text.matches("cannot occur:").count(), 3 * 13 - 27);
    assert!(
        text.contains("instagram  undelivered  private_reply_used       cannot occur"),
        "{text}"
    );
}

#[test]
fn the_same_seed_writes_the_same_bytes() {
    let dir = tmp();
    let d = dir.path();
    for (out, seed) in [("a", "5"), ("b", "5"), ("c", "6")] {
        let r = replywindow(d)
            .args([
                "fixtures",
                "--out",
                out,
                "--seed",
                seed,
                "--traffic-cases",
                "30",
            ])
            .output()
            .unwrap();
        assert!(r.status.success(), "{}", stderr_of(&r));
    }
    assert!(
        files(&d.join("a")) == files(&d.join("b")),
        "the same seed, different bytes"
    );
    let (a, c) = (files(&d.join("a")), files(&d.join("c")));
    for ((name, x), (_, y)) in a.iter().zip(&c) {
        if name.starts_with("traffic-") {
            assert_ne!(x, y, "{name} should follow the seed");
        } else if name.starts_with("boundary") {
            assert_eq!(x, y, "{name} does not depend on the seed");
        }
    }
}

#[test]
fn boundary_csv_equals_its_golden_copy() {
    let files = build_suite(SuiteOptions {
        seed: 1,
        traffic_cases: 1,
        jsonl: false,
    })
    .unwrap();
    let now = String::from_utf8(
        files
            .iter()
            .find(|f| f.file.name == "boundary.csv")
            .unwrap()
            .file
            .bytes
            .clone(),
    )
    .unwrap();
    let golden = std::fs::read_to_string(data("boundary.csv")).unwrap();
    if now != golden {
        let mut diff = String::new();
        for (i, (a, b)) in golden
            .lines()
            .zip(now.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(10)
        {
            diff.push_str(&format!("line {}:\n- {a}\n+ {b}\n", i + 1));
        }
        panic!(
            "boundary.csv changed ({} lines golden, {} now); first differences:\n{diff}\
             If the change is intended, copy the new file over tests/data/boundary.csv.",
            golden.lines().count(),
            now.lines().count()
        );
    }
}

#[test]
fn every_mutant_of_the_engine_is_caught_by_check_on_the_suite() {
    let suites: Vec<(Policy, Vec<u8>)> = {
        let files = build_suite(SuiteOptions {
            seed: 1,
            traffic_cases: 1,
            jsonl: false,
        })
        .unwrap();
        let policy_of = |name: &str| {
            replywindow::fixtures::policy_variants()
                .into_iter()
                .find(|v| name == format!("boundary-{}.csv", v.name))
                .map_or(Policy::meta(), |v| v.policy)
        };
        files
            .iter()
            .filter(|f| f.file.name.starts_with("boundary") && f.file.name.ends_with(".csv"))
            .map(|f| (policy_of(&f.file.name), f.file.bytes.clone()))
            .collect()
    };
    for (p, bytes) in &suites {
        assert_eq!(disagreements(bytes, p), 0, "the real engine agrees");
    }
    assert_eq!(suites.len(), 4);
    let mut missed = Vec::new();
    for m in Mutant::ALL {
        mutants::set(Some(m));
        let caught: usize = suites.iter().map(|(p, b)| disagreements(b, p)).sum();
        mutants::set(None);
        if caught == 0 {
            missed.push(m);
        }
    }
    // Swapping steps 1 and 2 cannot change a verdict (their rows are disjoint).
    assert_eq!(
        missed,
        [Mutant::Swap(1)],
        "mutants the suite does not catch"
    );
    // And the real engine agrees again.
    assert!(suites.iter().all(|(p, b)| disagreements(b, p) == 0));
}

#[test]
fn the_suite_is_not_written_when_the_engine_disagrees_with_a_design() {
    mutants::set(Some(Mutant::WindowLate));
    let result = build_suite(SuiteOptions {
        seed: 1,
        traffic_cases: 1,
        jsonl: false,
    });
    mutants::set(None);
    match result {
        Err(SuiteError::Disagreement { file, rows }) => {
            assert_eq!(file, "boundary.csv");
            assert!(rows.iter().any(|r| r.contains("wa-window-at")), "{rows:?}");
        }
        other => panic!("expected a refusal, got {:?}", other.map(|f| f.len())),
    }
}

#[test]
fn every_invalid_file_is_refused_as_its_readme_says() {
    let dir = tmp();
    let d = dir.path();
    let trace = write(d, "ok.csv", std::fs::read(data("basics.csv")).unwrap());
    let cases = invalid_cases();
    assert!(cases.len() >= 35, "{}", cases.len());
    for c in &cases {
        let file = write(d, &c.file, &c.bytes);
        let out = if c.policy {
            replywindow(d)
                .arg("replay")
                .arg(&trace)
                .arg("--policy")
                .arg(&file)
                .output()
                .unwrap()
        } else {
            replywindow(d).arg("replay").arg(&file).output().unwrap()
        };
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", c.file);
        assert!(out.stdout.is_empty(), "{}: no output", c.file);
        assert!(err.contains(&c.file), "{}: names the file: {err}", c.file);
        if let Some(line) = c.line {
            assert!(
                err.contains(&format!("line {line}")),
                "{}: names line {line}: {err}",
                c.file
            );
        }
        if let Some(column) = c.column {
            assert!(
                err.contains(&format!("column `{column}`")),
                "{}: names column {column}: {err}",
                c.file
            );
        }
        assert!(
            err.contains(c.value),
            "{}: names {:?}: {err}",
            c.file,
            c.value
        );
    }
}

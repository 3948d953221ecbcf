//! Sweeps: sharded then merged equals one run, byte for byte; a killed sweep resumes to the
//! same result; heat maps for two keys; bad `--vary` exits 2 naming the key.

use std::path::Path;

use crate::util::*;

/// A small scenario: the default shop, 9 days, 2 replications.
fn small(dir: &Path) -> std::path::PathBuf {
    let text = replywindow::scenario::DEFAULT_SCENARIO
        .replace("horizon = \"28d\"", "horizon = \"9d\"")
        .replace("warm_up = \"7d\"", "warm_up = \"2d\"")
        .replace("replications = 10", "replications = 2");
    write(dir, "shop.toml", text)
}

fn sweep(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = replywindow(dir);
    cmd.args([
        "sweep",
        "shop.toml",
        "--vary",
        "operators.concurrency=2,3",
        "-q",
    ])
    .args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    for k in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
        "JOB_COMPLETION_INDEX",
    ] {
        if !envs.iter().any(|(n, _)| n == &k) {
            cmd.env_remove(k);
        }
    }
    cmd.output().unwrap()
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn sharded_then_merged_equals_one_run_byte_for_byte() {
    let dir = tmp();
    let d = dir.path();
    small(d);
    let one = sweep(d, &["--out", "one"], &[]);
    assert!(one.status.success(), "{}", stderr_of(&one));
    let reference = read(&d.join("one/sweep.csv"));
    assert!(String::from_utf8_lossy(&reference).lines().count() > 2 * 4 * 30);

    // 2 points × 2 replications = 4 pairs in 3 shares: 2, 1 and 1.
    // (folder, the runs: their extra arguments and environment)
    type Runs<'a> = Vec<(Vec<&'a str>, Vec<(&'a str, &'a str)>)>;
    let ways: [(&str, Runs); 3] = [
        (
            "flag",
            (1..=3)
                .map(|k| (vec!["--shard", ["1/3", "2/3", "3/3"][k - 1]], vec![]))
                .collect(),
        ),
        (
            "slurm",
            ["1", "2", "3"]
                .iter()
                .map(|id| {
                    (
                        vec![],
                        vec![
                            ("SLURM_ARRAY_TASK_ID", *id),
                            ("SLURM_ARRAY_TASK_COUNT", "3"),
                            ("SLURM_ARRAY_TASK_MIN", "1"),
                        ],
                    )
                })
                .collect(),
        ),
        (
            "k8s",
            ["0", "1", "2"]
                .iter()
                .map(|i| (vec!["--shards", "3"], vec![("JOB_COMPLETION_INDEX", *i)]))
                .collect(),
        ),
    ];
    for (name, runs) in ways {
        for (args, envs) in runs {
            let out = sweep(d, &[&["--out", name][..], &args].concat(), &envs);
            assert!(out.status.success(), "{name}: {}", stderr_of(&out));
        }
        let shards: Vec<String> = (1..=3).map(|k| format!("{name}/shard-{k}-of-3")).collect();
        let lines: Vec<usize> = shards
            .iter()
            .map(|s| {
                String::from_utf8_lossy(&read(&d.join(s).join("results.csv")))
                    .lines()
                    .count()
                    - 1
            })
            .collect();
        assert_eq!(
            lines,
            [2 * 4, 4, 4],
            "{name}: uneven shares of 2, 1 and 1 pairs (4 rows each)"
        );
        assert!(
            !d.join(name).join("sweep.csv").exists(),
            "{name}: no result before the merge"
        );
        let merged = replywindow(d)
            .arg("merge")
            .args(&shards)
            .args(["--out", name, "-q"])
            .output()
            .unwrap();
        assert!(merged.status.success(), "{name}: {}", stderr_of(&merged));
        assert!(
            read(&d.join(name).join("sweep.csv")) == reference,
            "{name}: merged sweep.csv differs from one run"
        );
        assert!(
            read(&d.join(name).join("index.html")) == read(&d.join("one/index.html")),
            "{name}: merged index.html differs"
        );
    }

    // A missing share, or one from another seed, is refused.
    let missing = replywindow(d)
        .args([
            "merge",
            "flag/shard-1-of-3",
            "flag/shard-3-of-3",
            "--out",
            "m",
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr_of(&missing).contains("2/3"),
        "{}",
        stderr_of(&missing)
    );
    assert!(!d.join("m").exists(), "no partial output");
    let other = sweep(
        d,
        &["--out", "other", "--shard", "2/3", "--seed", "99"],
        &[],
    );
    assert!(other.status.success());
    let mixed = replywindow(d)
        .args([
            "merge",
            "flag/shard-1-of-3",
            "other/shard-2-of-3",
            "flag/shard-3-of-3",
            "--out",
            "m",
        ])
        .output()
        .unwrap();
    assert_eq!(mixed.status.code(), Some(2));
    assert!(
        stderr_of(&mixed).contains("another sweep"),
        "{}",
        stderr_of(&mixed)
    );
}

#[test]
fn a_killed_sweep_started_again_ends_as_an_uninterrupted_one() {
    let dir = tmp();
    let d = dir.path();
    small(d);
    let args = [
        "sweep",
        "shop.toml",
        "--vary",
        "operators.shifts[0].operators=1..4",
        "-r",
        "6",
        "-j",
        "1",
        "-q",
    ];
    let whole = replywindow(d)
        .args(args)
        .args(["--out", "whole"])
        .output()
        .unwrap();
    assert!(whole.status.success(), "{}", stderr_of(&whole));

    let bin = assert_cmd::cargo::cargo_bin("replywindow");
    let mut child = std::process::Command::new(bin)
        .current_dir(d)
        .args(args)
        .args(["--out", "cut"])
        .spawn()
        .unwrap();
    let results = d.join("cut/results.csv");
    let started = std::time::Instant::now();
    loop {
        let rows = std::fs::read_to_string(&results)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if rows > 1 + 4 * 3 {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 120,
            "the sweep made no progress"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the sweep ended before it could be killed"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !d.join("cut/sweep.csv").exists(),
        "nothing over incomplete points"
    );

    let again = replywindow(d)
        .args(args)
        .args(["--out", "cut"])
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", stderr_of(&again));
    assert!(
        read(&d.join("cut/sweep.csv")) == read(&d.join("whole/sweep.csv")),
        "resumed sweep.csv differs"
    );
    let rows = String::from_utf8_lossy(&read(&d.join("cut/results.csv")))
        .lines()
        .count();
    assert!(
        rows <= 1 + 24 * 4 + 4,
        "finished pairs were not run again: {rows} rows"
    );
}

#[test]
fn two_keys_draw_heat_maps_and_bad_varies_exit_2_naming_the_key() {
    let dir = tmp();
    let d = dir.path();
    small(d);
    let out = replywindow(d)
        .args([
            "sweep",
            "shop.toml",
            "--vary",
            "bots.window_warning=off,2h",
            "--vary",
            "operators.concurrency=2,3",
            "-r",
            "2",
            "--out",
            "two",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let svg = String::from_utf8(read(&d.join("two/unanswered_rate.svg"))).unwrap();
    // The white background, one coloured cell per point of the 2 x 2 grid, each with its
    // own place, and beside them the colour bar: narrow strips of the scale.
    let rects: Vec<&str> = svg
        .match_indices("<rect")
        .map(|(i, _)| &svg[i..i + svg[i..].find('>').unwrap()])
        .collect();
    assert!(
        rects[0].contains("fill=\"#FFFFFF\""),
        "the background first"
    );
    let attr = |r: &str, name: &str| -> String {
        let start = r.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        r[start..].split('"').next().unwrap().to_string()
    };
    let coloured: Vec<&&str> = rects[1..]
        .iter()
        .filter(|r| !r.contains("fill=\"#FFFFFF\""))
        .collect();
    let cells: std::collections::BTreeSet<(String, String)> = coloured
        .iter()
        .filter(|r| attr(r, "width").parse::<u32>().unwrap() > 100)
        .map(|r| (attr(r, "x"), attr(r, "y")))
        .collect();
    assert_eq!(cells.len(), 4, "a cell per point: {cells:?}");
    let strips: std::collections::BTreeSet<String> = coloured
        .iter()
        .filter(|r| attr(r, "width").parse::<u32>().unwrap() < 50)
        .map(|r| attr(r, "fill"))
        .collect();
    assert!(strips.len() >= 20, "a colour bar of the scale: {strips:?}");
    assert!(
        svg.contains("(better)") && svg.contains("(worse)"),
        "the bar says which end is better"
    );
    for label in [
        "off",
        "2h",
        "bots.window_warning",
        "operators.concurrency",
        "Requests unanswered, all channels",
        "conversations per operator",
    ] {
        assert!(svg.contains(label), "the heat map names {label}");
    }
    // One map per channel as well.
    for channel in ["whatsapp", "facebook", "instagram"] {
        let map = read(&d.join(format!("two/unanswered_rate_{channel}.svg")));
        assert!(!map.is_empty(), "{channel}");
    }
    let csv = String::from_utf8(read(&d.join("two/sweep.csv"))).unwrap();
    assert!(csv.starts_with("point,bots.window_warning,operators.concurrency,channel,metric"));

    for (vary, key) in [
        ("operators.speed=1,2", "operators.speed"),
        ("operators.concurrency=5..2", "operators.concurrency"),
        ("operators.concurrency=abc", "operators.concurrency"),
        (
            "operators.shifts[7].operators=1,2",
            "operators.shifts[7].operators",
        ),
        ("bots.window_warning=soon", "bots.window_warning"),
        (
            "channels.whatsapp.arrivals_per_day",
            "channels.whatsapp.arrivals_per_day",
        ),
    ] {
        let out = replywindow(d)
            .args(["sweep", "shop.toml", "--vary", vary, "--out", "bad"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{vary}");
        assert!(stderr_of(&out).contains(key), "{vary}: {}", stderr_of(&out));
        assert!(!d.join("bad").exists(), "{vary}: no output");
    }
}

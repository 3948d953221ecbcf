//! The page in a real browser: headless Chromium loads every image, and a screenshot is not
//! blank. Under `CI=true` the test must run (`.ci/run` installs Chromium); elsewhere, without
//! Chromium, it says that it did not run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// Runs Chromium headless with `args`, killed after `limit`; returns its standard output.
fn headless(bin: &Path, profile: &Path, args: &[String], limit: Duration) -> String {
    let out_file = profile.join("stdout.txt");
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(std::fs::File::create(&out_file).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("Chromium starts");
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("Chromium did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::read_to_string(out_file).unwrap_or_default()
}

#[test]
fn the_page_loads_every_image_in_a_real_browser() {
    let Some(bin) = chromium() else {
        skip(
            "the_page_loads_every_image_in_a_real_browser",
            "no Chromium on this machine (apt-get install chromium; .ci/run installs it)",
        );
        return;
    };
    let dir = tmp();
    let out = replywindow(dir.path())
        .args(["simulate", "--horizon", "9d", "-r", "2", "--out", "r", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let page = dir.path().join("r/index.html");
    let url = format!("file://{}", page.display());
    let limit = Duration::from_secs(90);

    let profile = tempfile::tempdir().unwrap();
    let dom = headless(
        &bin,
        profile.path(),
        &[
            "--virtual-time-budget=10000".into(),
            "--dump-dom".into(),
            url.clone(),
        ],
        limit,
    );
    assert!(
        dom.contains("<img"),
        "the DOM came back: {}",
        &dom[..dom.len().min(300)]
    );
    assert!(
        dom.contains("data-images=\"loaded\""),
        "not every image loaded: {}",
        dom.lines().find(|l| l.contains("<body")).unwrap_or("")
    );

    let profile = tempfile::tempdir().unwrap();
    let shot = profile.path().join("shot.png");
    headless(
        &bin,
        profile.path(),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1200,2400".into(),
            "--virtual-time-budget=10000".into(),
            url,
        ],
        limit,
    );
    let img = image::open(&shot).expect("a screenshot").to_rgb8();
    let ink = img.pixels().filter(|p| p.0 != [255, 255, 255]).count() as f64
        / (img.width() * img.height()) as f64;
    assert!(
        ink > 0.05,
        "the screenshot is nearly blank: {:.1}% drawn",
        ink * 100.0
    );
}

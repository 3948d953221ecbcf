//! Charts and pages: valid PNG and SVG, not blank, changing with their data; every link of
//! the page leads to a file, and the page holds the summary's numbers.

use replywindow::metrics::ReplicationMetrics;
use replywindow::report::Summary;
use replywindow::report::charts::{Chart, channel_colour, format_value, reason_colour};
use replywindow::report::run::run_charts;
use replywindow::rules::{Channel, Reason};
use replywindow::scenario::Scenario;
use replywindow::sim::{Prepared, RunOptions, simulate};

use crate::util::*;

fn charts_for(seed: u64) -> Vec<Chart> {
    let mut s = Scenario::default_scenario().unwrap();
    s.horizon = 10 * replywindow::time::DAY;
    s.warm_up = replywindow::time::DAY;
    s.replications = 3;
    s.seed = seed;
    let prepared = Prepared::new(s);
    let run = simulate(&prepared, &RunOptions::default()).unwrap();
    let reps: Vec<&ReplicationMetrics> = run.replications.iter().map(|(_, r)| &r.metrics).collect();
    run_charts(&prepared.scenario, &Summary::new(&reps), &reps).unwrap()
}

/// The share of pixels that are not white, and whether `colour` occurs.
fn pixels(png: &[u8]) -> (image::RgbImage, f64) {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .expect("a valid PNG")
        .to_rgb8();
    let ink = img.pixels().filter(|p| p.0 != [255, 255, 255]).count() as f64
        / (img.width() * img.height()) as f64;
    (img, ink)
}

fn has_colour(img: &image::RgbImage, c: plotters::style::RGBColor) -> bool {
    img.pixels().any(|p| p.0 == [c.0, c.1, c.2])
}

#[test]
fn every_chart_is_a_valid_png_and_svg_that_is_not_blank() {
    let charts = charts_for(1);
    let names: Vec<&str> = charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "undelivered",
            "verdicts",
            "coverage",
            "first_response",
            "week"
        ]
    );
    for c in &charts {
        let (img, ink) = pixels(&c.png);
        assert_eq!((img.width(), img.height()), c.size, "{}", c.name);
        assert!(c.size.0 >= 1000 && c.size.1 >= 600, "{}", c.name);
        assert!(
            ink > 0.03,
            "{}: only {:.1}% of the pixels are drawn",
            c.name,
            ink * 100.0
        );
        let doc = roxmltree::Document::parse(&c.svg)
            .unwrap_or_else(|e| panic!("{}: invalid SVG: {e}", c.name));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.attribute("width"),
            Some(c.size.0.to_string().as_str()),
            "{}",
            c.name
        );
        assert!(c.svg.contains("<text"), "{}: the SVG has text", c.name);
    }
    // The series colours are drawn.
    let by_name = |n: &str| &charts.iter().find(|c| c.name == n).unwrap().png;
    let wa = channel_colour(Some(Channel::WhatsApp));
    for name in ["undelivered", "coverage", "first_response", "week"] {
        assert!(
            has_colour(&pixels(by_name(name)).0, wa),
            "{name}: WhatsApp's colour"
        );
    }
    let ig = channel_colour(Some(Channel::Instagram));
    assert!(
        has_colour(&pixels(by_name("week")).0, ig),
        "week: Instagram's colour"
    );
    let (verdicts, _) = pixels(by_name("verdicts"));
    for r in [
        Reason::StandardWindow,
        Reason::WindowClosed,
        Reason::AwaitingAcceptance,
    ] {
        assert!(
            has_colour(&verdicts, reason_colour(r)),
            "verdicts: {r}'s colour"
        );
    }
}

#[test]
fn a_chart_changes_when_its_data_changes() {
    let a = charts_for(1);
    let b = charts_for(2);
    let again = charts_for(1);
    for ((x, y), z) in a.iter().zip(&b).zip(&again) {
        assert_ne!(x.png, y.png, "{}: another seed, another chart", x.name);
        assert_eq!(x.png, z.png, "{}: the same data, the same bytes", x.name);
    }
}

/// The `href` and `src` targets of a page.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_string());
            }
        }
    }
    out
}

#[test]
fn the_page_links_only_to_files_that_exist_and_holds_the_summary() {
    let dir = tmp();
    let out = replywindow(dir.path())
        .args([
            "simulate",
            "--horizon",
            "10d",
            "-r",
            "3",
            "--out",
            "r",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let r = dir.path().join("r");
    let html = std::fs::read_to_string(r.join("index.html")).unwrap();
    let targets = links(&html);
    assert!(targets.len() >= 5 + 5 + 4, "{targets:?}");
    for t in &targets {
        assert!(!t.contains("://"), "{t}: the page needs no network");
        assert!(r.join(t).is_file(), "{t} does not exist");
    }
    for needle in [
        "summary.csv",
        "hourly.csv",
        "undelivered.png",
        "week.svg",
        "Glossary",
        "unanswered_rate",
        "Europe/Rome",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    // Every channel's figures from summary.csv are on the page.
    let summary = std::fs::read_to_string(r.join("summary.csv")).unwrap();
    let mut checked = 0;
    for line in summary.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if [
            "conversations",
            "undelivered_rate_operator",
            "first_response_p50",
        ]
        .contains(&f[1])
        {
            let mean: f64 = f[3].parse().unwrap();
            let shown = format_value(mean, f[2]);
            assert!(
                html.contains(&shown),
                "{} {} = {shown} is not on the page",
                f[0],
                f[1]
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 3 * 4);
}

#[test]
fn the_page_opens_with_findings_in_words() {
    // Weekend-gap: WhatsApp messages of the weekend are answered on Monday, too late.
    let dir = tmp();
    let text = scenario_text("weekend-gap.toml").replace("horizon = \"28d\"", "horizon = \"14d\"");
    std::fs::write(dir.path().join("wg.toml"), text).unwrap();
    let out = replywindow(dir.path())
        .args(["simulate", "wg.toml", "-r", "2", "--out", "r"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let page = std::fs::read_to_string(dir.path().join("r/index.html")).unwrap();
    let findings = page.find("<h2>Findings</h2>").unwrap();
    let charts = page.find("<h2>Charts</h2>").unwrap();
    let table = page.find("<h2>Summary</h2>").unwrap();
    assert!(
        findings < charts && charts < table,
        "findings, charts, then the table"
    );
    let said = &page[findings..charts];
    assert!(said.contains("WhatsApp is served worst"), "{said}");
    assert!(said.contains("of them on Mondays"), "{said}");
    // The terminal says them too.
    assert!(
        stdout_of(&out).contains("- WhatsApp: "),
        "{}",
        stdout_of(&out)
    );
    // No warning bot in this scenario: no coverage chart, no bot finding.
    assert!(!dir.path().join("r/coverage.png").exists());
    assert!(!said.contains("Bots:"));
}

#[test]
fn a_sweep_says_which_point_first_serves_customers() {
    let dir = tmp();
    let text = scenario_text("weekend-gap.toml").replace("horizon = \"28d\"", "horizon = \"14d\"");
    std::fs::write(dir.path().join("wg.toml"), text).unwrap();
    let out = replywindow(dir.path())
        .args([
            "sweep",
            "wg.toml",
            "--vary",
            "operators.shifts[weekend].operators=0..3",
            "--vary",
            "operators.shifts[weekdays].operators=1,6",
            "-r",
            "2",
            "--out",
            "s",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let page = std::fs::read_to_string(dir.path().join("s/index.html")).unwrap();
    let start = page.find("<h2>Findings</h2>").unwrap();
    let said = &page[start..page.find("<h2>Grid</h2>").unwrap()];
    // Nobody at the weekend leaves WhatsApp unserved; the first point that serves has
    // weekend staff and the larger weekday team.
    assert!(
        said.contains("The first point that serves customers"),
        "{said}"
    );
    assert!(
        said.contains("operators on the weekdays shift = 6"),
        "{said}"
    );
    assert!(
        !said.contains("operators on the weekend shift = 0,"),
        "{said}"
    );
}

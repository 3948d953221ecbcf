//! JUnit XML for the CI systems people use (GitHub Actions, GitLab, Jenkins): one test
//! suite per fixture file, one test case per fixture case.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{ConformReport, FixtureOutcome};

/// Text for an XML attribute or element.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// One test case: its name, and the failure's message and details when it failed.
struct TestCase {
    name: String,
    failure: Option<(String, String)>,
}

fn suite(out: &mut String, name: &str, cases: &[TestCase]) {
    let failures = cases.iter().filter(|c| c.failure.is_some()).count();
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">",
        escape(name),
        cases.len()
    );
    for c in cases {
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\"",
            escape(name),
            escape(&c.name)
        );
        match &c.failure {
            None => out.push_str("/>\n"),
            Some((message, details)) => {
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                    escape(message),
                    escape(details)
                );
            }
        }
    }
    out.push_str("  </testsuite>\n");
}

pub(super) fn write(report: &ConformReport) -> Vec<u8> {
    let mut suites = String::new();
    let (mut tests, mut failures) = (0, 0);
    for f in &report.fixtures {
        let mut by_case: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let failed_file = match &f.outcome {
            FixtureOutcome::Checked(r) => {
                for d in &r.disagreements {
                    by_case.entry(d.case()).or_default().push(d.to_string());
                }
                None
            }
            FixtureOutcome::Failed(why) => Some(why.as_str()),
        };
        let cases: Vec<TestCase> = f
            .expected
            .cases
            .iter()
            .map(|name| {
                let failure = match (failed_file, by_case.get(name.as_str())) {
                    (Some(why), _) => Some((why.to_string(), why.to_string())),
                    (None, Some(rows)) => {
                        Some((format!("{} row(s) disagree", rows.len()), rows.join("\n")))
                    }
                    (None, None) => None,
                };
                TestCase {
                    name: name.clone(),
                    failure,
                }
            })
            .collect();
        tests += cases.len();
        failures += cases.iter().filter(|c| c.failure.is_some()).count();
        suite(&mut suites, &f.file, &cases);
    }
    let invalid: Vec<TestCase> = report
        .invalid
        .iter()
        .map(|i| TestCase {
            name: i.entry.file.clone(),
            failure: i.refused.as_ref().err().map(|why| {
                (
                    format!("must be refused: {}", i.entry.rule),
                    why.to_string(),
                )
            }),
        })
        .collect();
    tests += invalid.len();
    failures += invalid.iter().filter(|c| c.failure.is_some()).count();
    suite(&mut suites, "invalid", &invalid);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"replywindow conform\" tests=\"{tests}\" failures=\"{failures}\" \
         errors=\"0\">\n{suites}</testsuites>\n"
    )
    .into_bytes()
}

//! The documents another implementation reads must say what the code does.

use replywindow::rules::Reason;
use replywindow::trace::VERDICT_HEADER;

const RULES: &str = include_str!("../../docs/RULES.md");
const TRACE_FORMAT: &str = include_str!("../../docs/TRACE-FORMAT.md");

/// The rows of RULES.md's table headed `| verdict | reason | when |`: (verdict, reason).
fn reason_table() -> Vec<(String, String)> {
    let mut lines = RULES
        .lines()
        .skip_while(|l| !l.starts_with("| verdict | reason |"));
    assert!(lines.next().is_some(), "RULES.md has no reason table");
    lines
        .skip(1) // the |---| line
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].to_string(), cells[2].trim_matches('`').to_string())
        })
        .collect()
}

#[test]
fn the_reason_table_lists_every_reason_with_its_verdict_in_order() {
    let documented = reason_table();
    let code: Vec<(String, String)> = Reason::ALL
        .iter()
        .map(|r| (r.verdict().to_string(), r.to_string()))
        .collect();
    assert_eq!(documented, code);
}

#[test]
fn the_trace_format_shows_the_verdict_header_the_code_writes() {
    assert!(
        TRACE_FORMAT.lines().any(|l| l == VERDICT_HEADER),
        "docs/TRACE-FORMAT.md does not show {VERDICT_HEADER}"
    );
}

#[test]
fn the_trace_format_names_every_column_of_the_explained_verdicts() {
    let explained = replywindow::trace::EXPLAINED_HEADER;
    // The verdict file's columns come first, as the document says.
    assert!(explained.starts_with(&format!("{VERDICT_HEADER},")));
    for column in explained.split(',').skip(VERDICT_HEADER.split(',').count()) {
        assert!(
            TRACE_FORMAT.contains(&format!("`{column}`")),
            "docs/TRACE-FORMAT.md does not name the explained column `{column}`"
        );
    }
}

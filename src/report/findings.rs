//! The findings that open a report: a few sentences computed from the results, saying
//! whether customers are served, where and when answers are lost, and what the bots did.

use crate::metrics::ReplicationMetrics;
use crate::scenario::Scenario;
use crate::time::{WEEK_HOURS, WEEKDAY_NAMES};

use super::Summary;
use super::charts::{format_value, row_words};

fn percent(v: f64) -> String {
    format_value(v, "ratio")
}

/// The day of the week, written out.
fn day_name(d: usize) -> &'static str {
    match WEEKDAY_NAMES.get(d) {
        Some(&"mon") => "Monday",
        Some(&"tue") => "Tuesday",
        Some(&"wed") => "Wednesday",
        Some(&"thu") => "Thursday",
        Some(&"fri") => "Friday",
        Some(&"sat") => "Saturday",
        _ => "Sunday",
    }
}

/// The findings of a `simulate` run, most important first.
pub fn run_findings(
    scenario: &Scenario,
    summary: &Summary,
    reps: &[&ReplicationMetrics],
) -> Vec<String> {
    let mut out = Vec::new();
    let channels: Vec<&String> = summary.rows.iter().filter(|r| *r != "all").collect();
    let mean = |row: &str, metric: &str| summary.get(row, metric).map(|e| e.mean);
    // Whether customers are served: the channel with the most unanswered requests, and the
    // service level at the first threshold.
    let threshold = summary
        .metrics
        .iter()
        .filter_map(|m| m.name.strip_prefix("answered_within_"))
        .next_back()
        .map(str::to_string);
    let worst = channels
        .iter()
        .filter_map(|c| mean(c, "unanswered_rate").map(|u| (c, u)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((c, unanswered)) = worst {
        let mut sentence = format!(
            "Customers served: {} is served worst, with {} of its requests never answered",
            row_words(c),
            percent(unanswered)
        );
        if let Some(t) = &threshold {
            if let Some(v) = mean(c, &format!("answered_within_{t}")) {
                sentence.push_str(&format!(" and {} answered within {t}", percent(v)));
            }
        }
        if let Some(all) = mean("all", "unanswered_rate") {
            sentence.push_str(&format!(" (all channels: {} never answered)", percent(all)));
        }
        sentence.push('.');
        out.push(sentence);
    }
    // Where and when operator answers are lost.
    if let Some(first) = reps.first() {
        for (slot, (channel, _)) in first.channels.iter().enumerate() {
            let row = channel.as_str();
            let Some(rate) = mean(row, "undelivered_rate_operator") else {
                continue;
            };
            if rate <= 0.0 {
                continue;
            }
            let mut by_day = [0.0; 7];
            for r in reps {
                for h in 0..WEEK_HOURS {
                    by_day[h / 24] += r.hourly.undelivered[slot][h];
                }
            }
            let total: f64 = by_day.iter().sum();
            let (day, most) = by_day
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map_or((0, 0.0), |(d, v)| (d, *v));
            let mut sentence = format!(
                "{}: {} of operator answers undelivered (sent after every window had closed)",
                row_words(row),
                percent(rate)
            );
            if total > 0.0 {
                sentence.push_str(&format!(
                    ", {} of them on {}s",
                    percent(most / total),
                    day_name(day)
                ));
            }
            sentence.push('.');
            out.push(sentence);
        }
    }
    if let Some(v) = mean("all", "violations_per_week").filter(|v| *v > 0.0) {
        out.push(format!(
            "Compliance: {v:.1} messages a week misuse the human-agent tag (promotional or \
             automated): each risks the account."
        ));
    }
    // What the bots did.
    if scenario.bots.window_warning.is_some() {
        if let (Some(coverage), Some(rescued)) = (mean("all", "coverage"), mean("all", "rescued")) {
            out.push(format!(
                "Bots: the window warning reached {} of the requests still unanswered when \
                 their window closed; {} of those customers wrote again and were then answered.",
                percent(coverage),
                percent(rescued)
            ));
        }
    }
    out
}

/// What "served" means in a sweep's finding: on every channel, at most this share of the
/// requests never answered.
pub const SERVED_UNANSWERED: f64 = 0.05;

/// The first point of a sweep (in grid order) where every channel is served, with how fast
/// its answers came, as a sentence; `points` names each point.
pub fn sweep_findings(points: &[String], summaries: &[Summary]) -> Vec<String> {
    let Some(first) = summaries.first() else {
        return Vec::new();
    };
    let channels: Vec<&String> = first.rows.iter().filter(|r| *r != "all").collect();
    let served = |s: &Summary| {
        channels.iter().all(|row| {
            s.get(row, "unanswered_rate")
                .is_some_and(|e| e.mean <= SERVED_UNANSWERED)
        })
    };
    let criterion = format!(
        "every channel with at most {} of its requests never answered",
        percent(SERVED_UNANSWERED)
    );
    let Some(p) = summaries.iter().position(served) else {
        return vec![format!("No point serves customers ({criterion}).")];
    };
    let mut sentence = format!(
        "The first point that serves customers ({criterion}): {}",
        points[p]
    );
    let threshold = first
        .metrics
        .iter()
        .filter_map(|m| m.name.strip_prefix("answered_within_"))
        .next_back();
    if let Some(t) = threshold {
        let metric = format!("answered_within_{t}");
        let slowest = channels
            .iter()
            .filter_map(|c| summaries[p].get(c, &metric).map(|e| (c, e.mean)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((c, v)) = slowest {
            sentence.push_str(&format!(
                "; there, {} answers {} of its requests within {t}",
                row_words(c),
                percent(v)
            ));
        }
    }
    sentence.push('.');
    vec![sentence]
}

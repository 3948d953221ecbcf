//! The charts and the HTML page of a `simulate` run.

use std::fmt::Write as _;

use super::charts::{
    Bar, BarChart, Chart, ChartError, Line, LineChart, Plot, XFormat, channel_colour, chart_files,
    render, row_colour,
};
use super::findings::run_findings;
use super::{
    BacklogRow, Summary, TeamRow, backlog_csv, backlog_rows, hourly_csv, replications_csv,
    summary_csv, team_rows, teams_csv, verdicts_csv,
};
use crate::metrics::{LatencyHistogram, Metric, ReplicationMetrics};
use crate::output::OutputFile;
use crate::rules::Reason;
use crate::scenario::Scenario;
use crate::time::{HOUR, WEEK_HOURS, WEEKDAY_NAMES, format_duration};
use crate::trace::{TraceRecord, write_trace};

/// A run's report that could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error("cannot write the trace: {0}")]
    Trace(std::io::Error),
}

/// The report of a `simulate` run: its summary and findings (for the terminal) and its
/// files.
pub struct RunReport {
    pub summary: Summary,
    pub findings: Vec<String>,
    pub files: Vec<OutputFile>,
}

/// Every file of a `simulate` run, in this order: `summary.csv`, `replications.csv`,
/// `verdicts.csv`, `hourly.csv`, `trace.csv` (when a replication's trace was kept), the
/// charts (PNG and SVG) and `index.html`. `replications` are numbered, in replication order.
pub fn run_outputs(
    scenario: &Scenario,
    replications: &[(u32, &ReplicationMetrics)],
    trace: Option<&[TraceRecord]>,
) -> Result<RunReport, ReportError> {
    let reps: Vec<&ReplicationMetrics> = replications.iter().map(|(_, m)| *m).collect();
    let summary = Summary::new(&reps);
    let mut files = vec![
        OutputFile::new("summary.csv", summary_csv(&summary)),
        OutputFile::new("replications.csv", replications_csv(replications)),
        OutputFile::new("verdicts.csv", verdicts_csv(&reps)),
        OutputFile::new("hourly.csv", hourly_csv(&reps)),
        OutputFile::new("teams.csv", teams_csv(&reps)),
        OutputFile::new("backlog.csv", backlog_csv(&reps)),
    ];
    if let Some(trace) = trace {
        let mut bytes = Vec::new();
        write_trace(&mut bytes, trace).map_err(ReportError::Trace)?;
        files.push(OutputFile::new("trace.csv", bytes));
    }
    let charts = run_charts(scenario, &summary, &reps)?;
    let csv_names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let findings = run_findings(scenario, &summary, &reps);
    let page = run_page(
        scenario,
        &summary,
        &RunPage {
            findings: &findings,
            teams: &team_rows(&reps),
            backlog: &backlog_rows(&reps),
            charts: &charts,
            files: &csv_names,
        },
    );
    files.extend(chart_files(&charts));
    files.push(OutputFile::new("index.html", page.into_bytes()));
    Ok(RunReport {
        summary,
        findings,
        files,
    })
}

fn bar(summary: &Summary, row: &str, metric: &str, series: &str, light: bool) -> Bar {
    let c = row_colour(row);
    let colour = if light {
        plotters::style::RGBColor(c.0 / 2 + 120, c.1 / 2 + 120, c.2 / 2 + 120)
    } else {
        c
    };
    Bar {
        group: row.to_string(),
        series: series.to_string(),
        estimate: summary.get(row, metric),
        colour,
    }
}

/// Every chart of a run, in the order the page shows them.
pub fn run_charts(
    scenario: &Scenario,
    summary: &Summary,
    reps: &[&ReplicationMetrics],
) -> Result<Vec<Chart>, ChartError> {
    let rows = &summary.rows;
    let mut charts = Vec::new();

    let bars = rows
        .iter()
        .flat_map(|r| {
            [
                bar(summary, r, "undelivered_rate_operator", "operators", false),
                bar(summary, r, "undelivered_rate_bot", "bots", true),
            ]
        })
        .collect();
    charts.push(render(
        "undelivered",
        "Undelivered answers by channel and sender",
        &Plot::Bars(BarChart {
            title: "Undelivered business messages, by channel and sender (95% intervals)".into(),
            y_desc: "undelivered (% of messages sent)".into(),
            scale: 100.0,
            bars,
        }),
    )?);

    // Per week of counted time, the unit of the weekly figures.
    let weeks = reps.len() as f64 * reps.first().map_or(1.0, |r| r.weeks);
    let n = weeks.max(f64::MIN_POSITIVE);
    let groups = reps
        .first()
        .map(|first| {
            first
                .channels
                .iter()
                .enumerate()
                .map(|(slot, (channel, _))| {
                    let per_reason = Reason::ALL
                        .iter()
                        .map(|r| {
                            let total: u64 =
                                reps.iter().map(|m| m.channels[slot].1.sent(None, *r)).sum();
                            (*r, total as f64 / n)
                        })
                        .collect();
                    (channel.to_string(), per_reason)
                })
                .collect()
        })
        .unwrap_or_default();
    charts.push(render(
        "verdicts",
        "Verdicts and reasons per channel",
        &Plot::Reasons {
            title: "Business messages per week, by verdict and reason, per channel".into(),
            groups,
        },
    )?);

    // Coverage exists only where a bot warns before the window closes.
    if scenario.bots.window_warning.is_some() {
        let bars = rows
            .iter()
            .flat_map(|r| {
                [
                    bar(summary, r, "coverage", "auto-reply coverage", false),
                    bar(summary, r, "rescued", "rescued", true),
                ]
            })
            .collect();
        charts.push(render(
            "coverage",
            "Auto-reply coverage and rescued share",
            &Plot::Bars(BarChart {
                title: "Auto-reply coverage and rescued share, per channel (95% intervals)".into(),
                y_desc: "% of at-risk requests / of covered requests".into(),
                scale: 100.0,
                bars,
            }),
        )?);
    }

    charts.push(render(
        "first_response",
        "First response time",
        &first_response(reps),
    )?);
    charts.push(render("week", "The typical week", &typical_week(reps))?);
    Ok(charts)
}

/// The share of closed requests answered within x hours, per channel: a curve that stays
/// below 100% by the share never answered.
fn first_response(reps: &[&ReplicationMetrics]) -> Plot {
    let mut lines = Vec::new();
    let mut longest: f64 = 48.0;
    if let Some(first) = reps.first() {
        let merged: Vec<(String, LatencyHistogram, u64)> = first
            .channels
            .iter()
            .enumerate()
            .map(|(slot, (channel, c))| {
                let mut h = c.first_response.clone();
                let mut closed = c.requests;
                for m in &reps[1..] {
                    h.add(&m.channels[slot].1.first_response);
                    closed += m.channels[slot].1.requests;
                }
                (channel.to_string(), h, closed)
            })
            .collect();
        for (_, h, _) in &merged {
            if !h.is_empty() {
                longest = longest.max(h.value_at_quantile(0.99) as f64 / HOUR as f64);
            }
        }
        let longest = longest.min(24.0 * 8.0).ceil();
        for (name, h, closed) in merged {
            if h.is_empty() {
                continue;
            }
            let steps = 200;
            let points = (0..=steps)
                .map(|i| {
                    let x = longest * i as f64 / steps as f64;
                    let below = h.count_at_most((x * HOUR as f64) as u64) as f64
                        / closed.max(1) as f64
                        * 100.0;
                    (x, below)
                })
                .collect();
            lines.push(Line {
                colour: row_colour(&name),
                name,
                points,
                band: None,
            });
        }
    }
    Plot::Lines(LineChart {
        title: "Requests answered within a time (every request: the rest never were)".into(),
        x_desc: "hours after the request opened".into(),
        y_desc: "% of requests".into(),
        lines,
        marks: vec![(24.0, " 24 h window".into())],
        x_format: XFormat::Plain,
        y_whole: false,
    })
}

/// The typical week: arrivals, operators on duty, customers waiting, undelivered answers.
fn typical_week(reps: &[&ReplicationMetrics]) -> Plot {
    let Some(first) = reps.first() else {
        return Plot::Panels(Vec::new());
    };
    let mut sum = first.hourly.clone();
    for m in &reps[1..] {
        sum.add(&m.hourly);
    }
    let per = |v: f64, d: f64| if d > 0.0 { v / d } else { 0.0 };
    let channel_lines = |values: &dyn Fn(usize, usize) -> f64| -> Vec<Line> {
        first
            .channels
            .iter()
            .enumerate()
            .map(|(slot, (channel, _))| Line {
                name: channel.to_string(),
                colour: channel_colour(Some(*channel)),
                points: (0..WEEK_HOURS)
                    .map(|h| (h as f64, values(slot, h)))
                    .collect(),
                band: None,
            })
            .collect()
    };
    let panel = |title: &str, y: &str, lines: Vec<Line>, y_whole: bool| {
        Plot::Lines(LineChart {
            title: title.into(),
            x_desc: String::new(),
            y_desc: y.into(),
            lines,
            marks: Vec::new(),
            x_format: XFormat::WeekHours,
            y_whole,
        })
    };
    Plot::Panels(vec![
        panel(
            "New conversations per hour",
            "per hour",
            channel_lines(&|c, h| per(sum.arrivals[c][h], sum.occurrences[h])),
            false,
        ),
        panel(
            "Operators on duty",
            "operators",
            vec![Line {
                name: "on duty".into(),
                colour: plotters::style::RGBColor(60, 60, 60),
                points: (0..WEEK_HOURS)
                    .map(|h| (h as f64, per(sum.on_duty[h], sum.span[h])))
                    .collect(),
                band: None,
            }],
            true,
        ),
        panel(
            "Customers waiting for an answer",
            "customers",
            channel_lines(&|c, h| per(sum.waiting[c][h], sum.span[h])),
            false,
        ),
        panel(
            "Undelivered answers per hour",
            "per hour",
            channel_lines(&|c, h| per(sum.undelivered[c][h], sum.occurrences[h])),
            false,
        ),
    ])
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page's style and the script that marks the page once every image has loaded (a
/// browser test reads that mark).
pub const PAGE_HEAD: &str = r#"<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 2em auto; max-width: 1060px; color: #222; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f3f3f3; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #555; }
dt { font-weight: bold; margin-top: 0.6em; } dd { margin-left: 1.5em; }
.note { color: #666; font-size: 0.9em; }
table.kv td { text-align: left; }
</style>
<script>
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var ok = images.every(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.setAttribute("data-images", ok ? "loaded" : "broken");
});
</script>"#;

fn cell(e: Option<crate::metrics::Estimate>, unit: &str) -> String {
    let Some(e) = e else { return "—".into() };
    let f = |v: f64| super::charts::format_value(v, unit);
    match e.interval {
        Some((lo, hi)) => format!(
            "{} <span class=\"note\">[{}, {}]</span>",
            f(e.mean),
            f(lo),
            f(hi)
        ),
        None => f(e.mean),
    }
}

/// The summary table as HTML: one row per metric, one column per channel.
pub fn summary_table_html(summary: &Summary) -> String {
    let mut out = String::from("<table class=\"summary\"><thead><tr><th>metric</th>");
    for r in &summary.rows {
        let _ = write!(out, "<th>{}</th>", esc(r));
    }
    out.push_str("</tr></thead><tbody>\n");
    for def in &summary.metrics {
        let _ = write!(
            out,
            "<tr><td>{} <span class=\"note\">({})</span></td>",
            def.name, def.unit
        );
        for r in &summary.rows {
            let _ = write!(
                out,
                "<td>{}</td>",
                cell(summary.get(r, &def.name), def.unit)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    out
}

/// Each team's occupancy, and the backlog its shifts start with.
pub fn teams_html(teams: &[TeamRow], backlog: &[BacklogRow]) -> String {
    let mut out = String::from(
        "<table><thead><tr><th>team</th><th>channels</th><th>occupancy</th></tr></thead><tbody>\n",
    );
    for t in teams {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&t.team),
            esc(&t.channels.join(", ")),
            cell(t.occupancy, "ratio")
        );
    }
    out.push_str(
        "</tbody></table>\n<p class=\"note\">Conversations waiting when each shift starts, per \
         start: those an answer could still reach, and those past every window (lost whatever \
         the shift does).</p>\n<table><thead><tr><th>team</th><th>shift</th><th>channel</th>\
         <th>answerable</th><th>past every window</th></tr></thead><tbody>\n",
    );
    for b in backlog {
        let show = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.1}"));
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&b.team),
            esc(&b.shift),
            esc(&b.channel),
            show(b.answerable),
            show(b.past_windows)
        );
    }
    out.push_str("</tbody></table>\n");
    out
}

/// The glossary: the definition of each of `metrics`.
pub fn glossary_html(metrics: &[Metric]) -> String {
    let mut out = String::from(
        "<p class=\"note\">Whether customers are served: <code>unanswered_rate</code>, \
         <code>service_level_&lt;T&gt;</code>, <code>answered_within_&lt;T&gt;</code> and the first \
         response percentiles, all over every request (an unanswered one counts as never \
         answered). Whether Meta's rules were kept: <code>undelivered_rate_operator</code> and \
         <code>violations_per_week</code>; these can be met by answering nobody late, so set a \
         target on the former too.</p>\n<dl class=\"glossary\">\n",
    );
    for def in metrics {
        let _ = writeln!(
            out,
            "<dt>{} ({})</dt><dd>{}</dd>",
            def.name,
            def.unit,
            esc(&def.definition)
        );
    }
    out.push_str("<dt>verdicts</dt><dd>delivered: reached the customer when sent; held: waits until the customer accepts the conversation request or writes (Instagram); undelivered: never reaches the customer; violation: a compliant platform must refuse it (the human-agent tag misused).</dd>\n");
    out.push_str("<dt>95% interval</dt><dd>Student t on the replications' values; a ratio is the ratio of sums within each replication. Clamped to what the metric can be: a ratio's interval to [0, 1], a count's or a time's to 0 and above. Empty with a single replication.</dd>\n</dl>\n");
    out
}

/// The key parameters of a scenario as HTML.
pub fn scenario_html(s: &Scenario) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<table class=\"kv\"><tbody><tr><td>scenario</td><td>{}</td></tr><tr><td>description</td><td>{}</td></tr>\
         <tr><td>start</td><td>{} ({})</td></tr><tr><td>horizon</td><td>{} (warm-up {})</td></tr>\
         <tr><td>replications</td><td>{} (seed {})</td></tr>\
         <tr><td>operators</td><td>human-agent tagging {}, promotional share {}</td></tr>\
         <tr><td>bots</td><td>on arrival: {}; no answer after: {}; off hours: {}; window warning: {}</td></tr></tbody></table>",
        esc(&s.name),
        esc(&s.description),
        s.start_local.format("%Y-%m-%d %H:%M"),
        s.time_zone,
        format_duration(s.horizon),
        if s.warm_up == 0 {
            "none".into()
        } else {
            format_duration(s.warm_up)
        },
        s.replications,
        s.seed,
        if s.operators.human_agent_tagging {
            "on"
        } else {
            "off"
        },
        s.operators.promotional_share,
        if s.bots.on_arrival { "on" } else { "off" },
        s.bots.no_answer_after.map_or("off".into(), format_duration),
        if s.bots.off_hours { "on" } else { "off" },
        s.bots.window_warning.map_or("off".into(), |y| format!(
            "{} before closing",
            format_duration(y)
        )),
    );
    out.push_str("<table><thead><tr><th>channel</th><th>new conversations a day</th><th>profile</th><th>comment share</th></tr></thead><tbody>");
    for c in &s.channels {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{:.1}</td><td>{}</td><td>{:.0}%</td></tr>",
            c.channel,
            c.arrivals_per_day,
            esc(&c.profile),
            c.comment_share * 100.0
        );
    }
    out.push_str("</tbody></table>\n<table><thead><tr><th>team</th><th>channels</th><th>concurrency</th><th>routing</th></tr></thead><tbody>");
    for team in &s.operators.teams {
        let channels: Vec<&str> = team.channels.iter().map(|c| c.as_str()).collect();
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&team.name),
            channels.join(", "),
            team.concurrency,
            match team.routing {
                crate::scenario::Routing::Fifo => "fifo",
                crate::scenario::Routing::Deadline => "deadline",
            }
        );
    }
    out.push_str("</tbody></table>\n<table><thead><tr><th>team</th><th>shift</th><th>days</th><th>local hours</th><th>operators</th></tr></thead><tbody>");
    for (team, sh) in s.operators.shifts() {
        let days: Vec<&str> = WEEKDAY_NAMES
            .iter()
            .enumerate()
            .filter(|(i, _)| sh.days & (1 << i) != 0)
            .map(|(_, d)| *d)
            .collect();
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}–{}</td><td>{}</td></tr>",
            esc(&s.operators.teams[team].name),
            esc(&sh.name),
            days.join(" "),
            sh.start.format("%H:%M"),
            sh.end.format("%H:%M"),
            sh.operators
        );
    }
    out.push_str("</tbody></table>\n");
    let _ = writeln!(out, "<pre>{}</pre>", esc(&super::policy_table(&s.policy)));
    out
}

/// The charts as figures: the PNG shown, the SVG linked.
pub fn figures_html(charts: &[Chart]) -> String {
    let mut out = String::new();
    for c in charts {
        let _ = writeln!(
            out,
            "<figure><img src=\"{0}.png\" alt=\"{1}\" width=\"{2}\" height=\"{3}\">\
             <figcaption>{1} (<a href=\"{0}.svg\">SVG</a>)</figcaption></figure>",
            c.name,
            esc(&c.title),
            c.size.0,
            c.size.1
        );
    }
    out
}

/// `index.html` of a run: parameters, summary, charts, files and glossary.
/// The parts of a run's page beyond the scenario and its summary.
pub struct RunPage<'a> {
    pub findings: &'a [String],
    pub teams: &'a [TeamRow],
    pub backlog: &'a [BacklogRow],
    pub charts: &'a [Chart],
    pub files: &'a [&'a str],
}

/// The findings as an HTML list.
pub fn findings_html(findings: &[String]) -> String {
    let mut out = String::from("<ul class=\"findings\">\n");
    for f in findings {
        let _ = writeln!(out, "<li>{}</li>", esc(f));
    }
    out.push_str("</ul>\n");
    out
}

/// `index.html` of a run: the findings first, then the charts, the full table, the teams,
/// the scenario, the files and the glossary.
pub fn run_page(s: &Scenario, summary: &Summary, page: &RunPage) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<title>replywindow: {}</title>\n{}\n</head>\n<body data-images=\"pending\">\n\
         <h1>replywindow: {}</h1>\n<p>{}</p>\n<h2>Findings</h2>\n{}\
         <h2>Charts</h2>\n{}<h2>Summary</h2>\n\
         <p class=\"note\">Mean over {} replications with its 95% interval in brackets.</p>\n{}\
         <h2>Teams</h2>\n{}<h2>Scenario</h2>\n{}<h2>Files</h2>\n<ul>\n",
        esc(&s.name),
        PAGE_HEAD,
        esc(&s.name),
        esc(&s.description),
        findings_html(page.findings),
        figures_html(page.charts),
        summary.replications,
        summary_table_html(summary),
        teams_html(page.teams, page.backlog),
        scenario_html(s),
    );
    for f in page.files {
        let _ = writeln!(out, "<li><a href=\"{0}\">{0}</a></li>", esc(f));
    }
    let _ = write!(
        out,
        "</ul>\n<h2>Glossary</h2>\n{}</body>\n</html>\n",
        glossary_html(&summary.metrics)
    );
    out
}

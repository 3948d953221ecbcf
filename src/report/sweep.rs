//! The files of a finished sweep: `sweep.csv`, a chart per headline metric against the
//! varied key (a line per channel with its interval band; a heat map for two keys) and
//! `index.html`. The same bytes whether the sweep ran at once, resumed, or was merged from
//! shards.

use std::fmt::Write as _;

use super::Summary;
use super::charts::{
    Chart, ChartError, HeatMap, Line, LineChart, Plot, XFormat, capitalised, chart_files,
    format_value, higher_is_better, metric_words, render, row_colour, row_words, unit_of,
};
use super::findings::sweep_findings;
use super::run::{PAGE_HEAD, esc, figures_html, findings_html, glossary_html};
use super::tables::num;
use crate::metrics::Metric;
use crate::output::OutputFile;

/// The metrics drawn against the varied keys, those that say whether customers are served
/// first: the unanswered rate, the service level and the customer's view at the first
/// threshold, the first response over every request; then compliance (undelivered,
/// violations), lost conversations and the warning bot's coverage.
pub fn headline(metrics: &[Metric], warns: bool) -> Vec<String> {
    let first = |prefix: &str| {
        metrics
            .iter()
            .find(|m| m.name.starts_with(prefix))
            .map(|m| m.name.clone())
    };
    let mut names = vec!["unanswered_rate".to_string()];
    names.extend(first("service_level_"));
    names.extend(first("answered_within_"));
    names.extend(
        [
            "first_response_p50",
            "undelivered_rate_operator",
            "lost_rate",
            "violations_per_week",
        ]
        .map(String::from),
    );
    if warns {
        names.push("coverage".into());
    }
    names
}

/// A varied key and its values as written.
#[derive(Clone, Copy, Debug)]
pub struct Axis<'a> {
    pub key: &'a str,
    /// The key in words, for titles and axes ("operators on the weekend shift").
    pub words: &'a str,
    pub labels: &'a [String],
}

/// What the report of a sweep shows: the grid, how it ran, and (beside it) every point's
/// summary.
#[derive(Clone, Debug)]
pub struct SweepView<'a> {
    pub name: &'a str,
    /// The scenario has a bot warning before windows close (else no coverage chart).
    pub warns: bool,
    pub description: &'a str,
    /// The varied keys, first key slowest.
    pub varies: Vec<Axis<'a>>,
    /// The value labels of each point, in `varies` order.
    pub points: &'a [Vec<String>],
    pub replications: u32,
    pub seed: u64,
}

/// `sweep.csv`: point, the varied keys, channel, metric, unit, mean and interval.
pub fn sweep_csv(sweep: &SweepView, summaries: &[Summary]) -> Vec<u8> {
    let mut out = String::from("point");
    for v in &sweep.varies {
        out.push(',');
        out.push_str(v.key);
    }
    out.push_str(",channel,metric,unit,mean,ci_low,ci_high,replications\n");
    for (p, (labels, s)) in sweep.points.iter().zip(summaries).enumerate() {
        for (row, estimates) in s.rows.iter().zip(&s.estimates) {
            for (def, e) in s.metrics.iter().zip(estimates) {
                let _ = write!(out, "{p}");
                for l in labels {
                    let _ = write!(out, ",{l}");
                }
                let (mean, lo, hi, n) = match e {
                    Some(e) => (
                        num(e.mean),
                        e.interval.map(|i| num(i.0)).unwrap_or_default(),
                        e.interval.map(|i| num(i.1)).unwrap_or_default(),
                        e.n,
                    ),
                    None => Default::default(),
                };
                let _ = writeln!(out, ",{row},{},{},{mean},{lo},{hi},{n}", def.name, def.unit);
            }
        }
    }
    out.into_bytes()
}

fn scale(unit: &str) -> f64 {
    if unit == "ratio" { 100.0 } else { 1.0 }
}

fn axis(unit: &str, metric: &str) -> String {
    match unit {
        "ratio" => format!("{metric} (%)"),
        u => format!("{metric} ({u})"),
    }
}

/// A chart per headline metric: lines with bands for one key, heat maps for two.
pub fn sweep_charts(sweep: &SweepView, summaries: &[Summary]) -> Result<Vec<Chart>, ChartError> {
    let mut charts = Vec::new();
    let Some(first) = summaries.first() else {
        return Ok(charts);
    };
    let headline = headline(&first.metrics, sweep.warns);
    match sweep.varies.as_slice() {
        [v] => {
            let numeric: Option<Vec<f64>> =
                v.labels.iter().map(|l| l.parse::<f64>().ok()).collect();
            let (xs, x_format) = match numeric {
                // Small whole numbers (head counts, concurrency): a tick at each.
                Some(xs)
                    if xs
                        .iter()
                        .all(|x| x.fract() == 0.0 && (0.0..=50.0).contains(x)) =>
                {
                    let max = xs.iter().fold(0.0f64, |a, b| a.max(*b)) as u32;
                    (xs, XFormat::Whole(max))
                }
                Some(xs) => (xs, XFormat::Plain),
                None => (
                    (0..v.labels.len()).map(|i| i as f64).collect(),
                    XFormat::Labels(v.labels.to_vec()),
                ),
            };
            for metric in headline.iter().map(String::as_str) {
                let unit = unit_of(metric);
                let k = scale(unit);
                let lines = first
                    .rows
                    .iter()
                    .filter(|r| *r != "all")
                    .map(|row| {
                        let es: Vec<_> = summaries.iter().map(|s| s.get(row, metric)).collect();
                        Line {
                            name: row_words(row),
                            colour: row_colour(row),
                            points: xs
                                .iter()
                                .zip(&es)
                                .filter_map(|(x, e)| {
                                    e.filter(|e| e.mean.is_finite()).map(|e| (*x, e.mean * k))
                                })
                                .collect(),
                            band: Some(
                                xs.iter()
                                    .zip(&es)
                                    .filter_map(|(x, e)| {
                                        e.and_then(|e| e.interval)
                                            .map(|(lo, hi)| (*x, lo.max(0.0) * k, hi * k))
                                    })
                                    .collect(),
                            ),
                        }
                    })
                    .filter(|l| !l.points.is_empty())
                    .collect();
                let words = metric_words(metric);
                charts.push(render(
                    metric,
                    &format!("{}, by {}", capitalised(&words), v.words),
                    &Plot::Lines(LineChart {
                        title: format!("{}, by {} (95% bands)", capitalised(&words), v.words),
                        x_desc: format!("{} ({})", v.words, v.key),
                        y_desc: axis(unit, &words),
                        lines,
                        marks: Vec::new(),
                        x_format: x_format.clone(),
                        y_whole: unit == "count",
                    }),
                )?);
            }
        }
        [a, b] => {
            // A map per channel, then all channels together: a channel far from its
            // target can hide behind a good `all`.
            for metric in headline.iter().map(String::as_str) {
                let unit = unit_of(metric);
                let words = capitalised(&metric_words(metric));
                for row in first
                    .rows
                    .iter()
                    .filter(|r| *r != "all")
                    .chain(first.rows.iter().filter(|r| *r == "all"))
                {
                    // Points run with the first key slowest: point = i * |b| + j.
                    let values = (0..b.labels.len())
                        .map(|j| {
                            (0..a.labels.len())
                                .map(|i| {
                                    summaries[i * b.labels.len() + j]
                                        .get(row, metric)
                                        .map(|e| e.mean)
                                })
                                .collect()
                        })
                        .collect();
                    let (name, whose) = if row == "all" {
                        (metric.to_string(), "all channels".to_string())
                    } else {
                        (format!("{metric}_{row}"), row_words(row))
                    };
                    charts.push(render(
                        &name,
                        &format!("{words}, {whose}, by {} and {}", a.words, b.words),
                        &Plot::Heat(HeatMap {
                            title: format!("{words}, {whose}"),
                            x: (format!("{} ({})", a.words, a.key), a.labels.to_vec()),
                            y: (format!("{} ({})", b.words, b.key), b.labels.to_vec()),
                            values,
                            unit: unit.to_string(),
                            high_is_good: higher_is_better(metric),
                        }),
                    )?);
                }
            }
        }
        _ => {}
    }
    Ok(charts)
}

/// Each point of the grid in words: `operators on the weekend shift = 1, …`.
pub fn point_words(sweep: &SweepView) -> Vec<String> {
    sweep
        .points
        .iter()
        .map(|labels| {
            sweep
                .varies
                .iter()
                .zip(labels)
                .map(|(v, l)| format!("{} = {l}", v.words))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect()
}

/// `index.html` of a sweep.
pub fn sweep_page(sweep: &SweepView, summaries: &[Summary], charts: &[Chart]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<title>replywindow sweep: {0}</title>\n{1}\n</head>\n\
         <body data-images=\"pending\">\n<h1>replywindow sweep: {0}</h1>\n<p>{2}</p>\n\
         <h2>Findings</h2>\n{3}<h2>Grid</h2>\n<ul>\n",
        esc(sweep.name),
        PAGE_HEAD,
        esc(sweep.description),
        findings_html(&sweep_findings(&point_words(sweep), summaries))
    );
    for v in &sweep.varies {
        let _ = writeln!(
            out,
            "<li><code>{}</code>: {}</li>",
            esc(v.key),
            esc(&v.labels.join(", "))
        );
    }
    let _ = writeln!(
        out,
        "</ul>\n<p>{} points × {} replications, seed {}. Every point runs the same replications \
         (common random numbers), so differences between points are paired.</p>",
        sweep.points.len(),
        sweep.replications,
        sweep.seed
    );
    if charts.is_empty() {
        out.push_str("<p class=\"note\">Charts are drawn for sweeps over one or two keys.</p>\n");
    }
    let _ = write!(
        out,
        "<h2>Charts</h2>\n{}<h2>Headline metrics</h2>\n",
        figures_html(charts)
    );
    out.push_str("<table><thead><tr><th>point</th>");
    for v in &sweep.varies {
        let _ = write!(out, "<th>{}</th>", esc(v.key));
    }
    out.push_str("<th>channel</th>");
    let headline = headline(
        summaries.first().map_or(&[][..], |s| &s.metrics),
        sweep.warns,
    );
    for m in &headline {
        let _ = write!(out, "<th>{m}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for (p, (labels, s)) in sweep.points.iter().zip(summaries).enumerate() {
        for row in &s.rows {
            let _ = write!(out, "<tr><td>{p}</td>");
            for l in labels {
                let _ = write!(out, "<td>{}</td>", esc(l));
            }
            let _ = write!(out, "<td>{}</td>", esc(row));
            for m in &headline {
                let unit = unit_of(m);
                let text = s.get(row, m).map_or("—".into(), |e| match e.interval {
                    Some((lo, hi)) => format!(
                        "{} [{}, {}]",
                        format_value(e.mean, unit),
                        format_value(lo, unit),
                        format_value(hi, unit)
                    ),
                    None => format_value(e.mean, unit),
                });
                let _ = write!(out, "<td>{text}</td>");
            }
            out.push_str("</tr>\n");
        }
    }
    let _ = write!(
        out,
        "</tbody></table>\n<h2>Files</h2>\n<ul><li><a href=\"sweep.csv\">sweep.csv</a>: every metric of every point and channel</li></ul>\n\
         <h2>Glossary</h2>\n{}</body>\n</html>\n",
        glossary_html(summaries.first().map_or(&[][..], |s| &s.metrics))
    );
    out
}

/// Every file of a finished sweep: `sweep.csv`, the charts and `index.html`.
pub fn sweep_outputs(
    sweep: &SweepView,
    summaries: &[Summary],
) -> Result<Vec<OutputFile>, ChartError> {
    let charts = sweep_charts(sweep, summaries)?;
    let mut files = vec![OutputFile::new("sweep.csv", sweep_csv(sweep, summaries))];
    files.extend(chart_files(&charts));
    files.push(OutputFile::new(
        "index.html",
        sweep_page(sweep, summaries, &charts).into_bytes(),
    ));
    Ok(files)
}

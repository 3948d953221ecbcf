//! The files of a plan: `plan.csv`, `plan.toml`, `targets.csv`, `search.csv`, the charts
//! (cost against the binding target; operators on duty beside the offered load) and
//! `index.html`.

use std::fmt::Write as _;

use super::charts::{
    Chart, ChartError, Line, LineChart, Plot, ScatterChart, XFormat, chart_files, render,
};
use super::run::{PAGE_HEAD, esc, figures_html};
use super::tables::num;
use crate::output::OutputFile;
use crate::time::WEEK_HOURS;

/// A shift of the plan.
pub struct PlanShiftRow {
    pub team: String,
    pub shift: String,
    pub days: String,
    pub start: String,
    pub end: String,
    pub on_duty: u32,
    pub scheduled: u32,
    /// Paid hours a week, of one operator.
    pub paid_hours: f64,
    pub cost: f64,
}

/// A target's check on the validation replications.
pub struct TargetRow {
    pub target: String,
    pub row: String,
    pub value: String,
    pub estimate: String,
    pub bound: String,
    pub holds: bool,
}

/// A staffing evaluated: its head counts, cost, and each check's estimate and bound.
pub struct SearchRow {
    pub stage: String,
    pub replications: u32,
    pub staffing: Vec<u32>,
    pub cost: f64,
    pub checks: Vec<(f64, f64)>,
    pub feasible: bool,
}

/// The check that binds the plan: its name, its target value, (cost, bound) of every
/// staffing evaluated, and the chosen plan's (cost, bound).
pub struct Binding {
    pub name: String,
    pub value: f64,
    pub points: Vec<(f64, f64)>,
    pub chosen: (f64, f64),
}

/// What a plan's report shows.
pub struct PlanView<'a> {
    pub name: &'a str,
    pub feasible: bool,
    pub cost: f64,
    pub confidence: f64,
    pub shifts: &'a [PlanShiftRow],
    pub targets: &'a [TargetRow],
    /// The names of the search's columns: each shift, then each check.
    pub shift_names: &'a [String],
    pub check_names: &'a [String],
    pub search: &'a [SearchRow],
    /// For each staffed shift: the checks that fail with one operator fewer there.
    pub removals: &'a [(String, Vec<String>)],
    /// Operators on duty and the offered load, hour by hour of the week.
    pub on_duty: &'a [f64],
    pub load: &'a [f64],
    pub binding: Option<Binding>,
    pub plan_toml: &'a str,
}

fn plan_csv(view: &PlanView) -> Vec<u8> {
    let mut out = String::from(
        "team,shift,days,start,end,operators_on_duty,operators_to_schedule,paid_hours_per_week,cost_per_week\n",
    );
    for s in view.shifts {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            s.team,
            s.shift,
            s.days,
            s.start,
            s.end,
            s.on_duty,
            s.scheduled,
            num(s.paid_hours),
            num(s.cost)
        );
    }
    out.into_bytes()
}

fn targets_csv(view: &PlanView) -> Vec<u8> {
    let mut out = String::from("target,row,value,estimate,bound,holds\n");
    for t in view.targets {
        let _ = writeln!(
            out,
            "\"{}\",{},{},{},{},{}",
            t.target.replace('"', "\"\""),
            t.row,
            t.value,
            t.estimate,
            t.bound,
            t.holds
        );
    }
    out.into_bytes()
}

fn search_csv(view: &PlanView) -> Vec<u8> {
    let mut out = String::from("evaluation,stage,replications");
    for s in view.shift_names {
        let _ = write!(out, ",\"{}\"", s.replace('"', "\"\""));
    }
    out.push_str(",cost");
    for c in view.check_names {
        let _ = write!(out, ",\"{c} estimate\",\"{c} bound\"");
    }
    out.push_str(",feasible\n");
    for (i, r) in view.search.iter().enumerate() {
        let _ = write!(out, "{i},{},{}", r.stage, r.replications);
        for n in &r.staffing {
            let _ = write!(out, ",{n}");
        }
        let _ = write!(out, ",{}", num(r.cost));
        for (mean, bound) in &r.checks {
            let _ = write!(out, ",{},{}", num(*mean), num(*bound));
        }
        let _ = writeln!(out, ",{}", r.feasible);
    }
    out.into_bytes()
}

fn plan_charts(view: &PlanView) -> Result<Vec<Chart>, ChartError> {
    let mut charts = Vec::new();
    if let Some(b) = &view.binding {
        charts.push(render(
            "frontier",
            "Cost against the binding target",
            &Plot::Scatter(ScatterChart {
                title: format!("Weekly cost against {}", b.name),
                x_desc: "weekly cost".into(),
                y_desc: format!("{} (confidence bound)", b.name),
                points: b.points.clone(),
                marked: Some(b.chosen),
                limit: Some((b.value, " target".into())),
            }),
        )?);
    }
    let line = |name: &str, values: &[f64], colour| Line {
        name: name.into(),
        colour,
        points: (0..WEEK_HOURS).map(|h| (h as f64, values[h])).collect(),
        band: None,
    };
    charts.push(render(
        "staffing",
        "Operators on duty and the offered load",
        &Plot::Lines(LineChart {
            title: "Operators on duty, hour by hour, beside the offered load".into(),
            x_desc: String::new(),
            y_desc: "operators".into(),
            lines: vec![
                line(
                    "on duty (plan)",
                    view.on_duty,
                    plotters::style::RGBColor(40, 80, 160),
                ),
                line(
                    "offered load (operators busy)",
                    view.load,
                    plotters::style::RGBColor(200, 90, 30),
                ),
            ],
            marks: Vec::new(),
            x_format: XFormat::WeekHours,
            y_whole: false,
        }),
    )?);
    Ok(charts)
}

fn plan_page(view: &PlanView, charts: &[Chart]) -> String {
    let mut out = String::new();
    let verdict = if view.feasible {
        format!(
            "A staffing that meets every target with {:.0}% confidence on fresh replications, \
             at a weekly cost of {}.",
            view.confidence * 100.0,
            num(view.cost)
        )
    } else {
        "No staffing within the bounds meets every target: the best one found is shown, with \
         the targets it misses."
            .to_string()
    };
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<title>replywindow plan: {0}</title>\n{1}\n</head>\n\
         <body data-images=\"pending\">\n<h1>replywindow plan: {0}</h1>\n<p>{2}</p>\n<h2>The plan</h2>\n\
         <table><thead><tr><th>team</th><th>shift</th><th>days</th><th>hours</th><th>on duty</th>\
         <th>to schedule</th><th>paid hours a week</th><th>cost a week</th></tr></thead><tbody>\n",
        esc(view.name),
        PAGE_HEAD,
        esc(&verdict)
    );
    for s in view.shifts {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}–{}</td><td>{}</td><td>{}</td><td>{:.1}</td><td>{:.1}</td></tr>",
            esc(&s.team),
            esc(&s.shift),
            esc(&s.days),
            s.start,
            s.end,
            s.on_duty,
            s.scheduled,
            s.paid_hours,
            s.cost
        );
    }
    out.push_str(
        "</tbody></table>\n<h2>Targets</h2>\n<p class=\"note\">On replications not used to choose \
         the plan. A target holds when its one-sided confidence bound is on the right side.</p>\n\
         <table><thead><tr><th>target</th><th>row</th><th>value</th><th>estimate</th>\
         <th>bound</th><th>holds</th></tr></thead><tbody>\n",
    );
    for t in view.targets {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&t.target),
            esc(&t.row),
            esc(&t.value),
            esc(&t.estimate),
            esc(&t.bound),
            if t.holds { "yes" } else { "no" }
        );
    }
    out.push_str("</tbody></table>\n<h2>Not wasteful</h2>\n<ul>\n");
    for (shift, breaks) in view.removals {
        let said = if breaks.is_empty() {
            "breaks nothing at this confidence (the search kept it: removing it failed on the \
             search's replications)"
                .to_string()
        } else {
            format!("breaks {}", breaks.join("; "))
        };
        let _ = writeln!(
            out,
            "<li>One operator fewer on {}: {}</li>",
            esc(shift),
            esc(&said)
        );
    }
    let _ = write!(
        out,
        "</ul>\n<h2>Charts</h2>\n{}<h2>Files</h2>\n<ul><li><a href=\"plan.csv\">plan.csv</a></li>\
         <li><a href=\"plan.toml\">plan.toml</a>: the scenario with these head counts, for \
         <code>replywindow simulate</code></li><li><a href=\"targets.csv\">targets.csv</a></li>\
         <li><a href=\"search.csv\">search.csv</a>: every staffing evaluated</li></ul>\n</body>\n</html>\n",
        figures_html(charts)
    );
    out
}

/// Every file of a plan. An infeasible plan writes no `plan.toml` or `plan.csv`: nothing
/// that could pass for a plan that meets its targets.
pub fn plan_outputs(view: &PlanView) -> Result<Vec<OutputFile>, ChartError> {
    let charts = plan_charts(view)?;
    let mut files = Vec::new();
    if view.feasible {
        files.push(OutputFile::new("plan.csv", plan_csv(view)));
        files.push(OutputFile::new(
            "plan.toml",
            view.plan_toml.as_bytes().to_vec(),
        ));
    }
    files.push(OutputFile::new("targets.csv", targets_csv(view)));
    files.push(OutputFile::new("search.csv", search_csv(view)));
    files.extend(chart_files(&charts));
    files.push(OutputFile::new(
        "index.html",
        plan_page(view, &charts).into_bytes(),
    ));
    Ok(files)
}

//! What a plan writes: the report's view of an outcome, and the planned scenario's TOML.

use super::PlanError;
use super::search::PlanOutcome;
use super::target::{Target, show};
use crate::output::OutputFile;
use crate::report::plan::{Binding, PlanShiftRow, PlanView, SearchRow, TargetRow, plan_outputs};
use crate::scenario::set_key;
use crate::time::{WEEKDAY_NAMES, format_duration};

/// The scenario file's `text` with the plan's head counts (and the thresholds its targets
/// report): `replywindow simulate` runs it as it is.
pub fn planned_toml(outcome: &PlanOutcome, text: &str) -> Result<String, PlanError> {
    let bad = |e: String| PlanError::Simulation(format!("cannot write the planned scenario: {e}"));
    let mut table: toml::Table = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
    let teamed = table
        .get("operators")
        .and_then(|o| o.get("teams"))
        .is_some();
    let ops = &outcome.scenario.operators;
    for (t, team) in ops.teams.iter().enumerate() {
        for (s, shift) in team.shifts.iter().enumerate() {
            let key = if teamed {
                format!("operators.teams[{t}].shifts[{s}].operators")
            } else {
                format!("operators.shifts[{s}].operators")
            };
            set_key(
                &mut table,
                &key,
                toml::Value::Integer(i64::from(shift.operators)),
            )
            .map_err(bad)?;
        }
    }
    let thresholds = outcome
        .scenario
        .report
        .service_levels
        .iter()
        .map(|t| toml::Value::String(format_duration(*t)))
        .collect();
    set_key(
        &mut table,
        "report.service_level",
        toml::Value::Array(thresholds),
    )
    .map_err(bad)?;
    toml::to_string(&table).map_err(|e| bad(e.to_string()))
}

/// Every file of a plan, from its outcome, its targets and the scenario's text.
pub fn plan_files(
    outcome: &PlanOutcome,
    targets: &[Target],
    text: &str,
    confidence: f64,
) -> Result<Vec<OutputFile>, PlanError> {
    let chosen = &outcome.chosen;
    let mut shifts = Vec::new();
    let mut i = 0;
    for team in &outcome.scenario.operators.teams {
        for shift in &team.shifts {
            let days: Vec<&str> = WEEKDAY_NAMES
                .iter()
                .enumerate()
                .filter(|(d, _)| shift.days & (1 << d) != 0)
                .map(|(_, n)| *n)
                .collect();
            let on_duty = chosen.staffing[i];
            let scheduled = outcome.scheduled(on_duty);
            let paid = outcome.shifts[i].paid_hours;
            shifts.push(PlanShiftRow {
                team: team.name.clone(),
                shift: shift.name.clone(),
                days: days.join(" "),
                start: shift.start.format("%H:%M").to_string(),
                end: shift.end.format("%H:%M").to_string(),
                on_duty,
                scheduled,
                paid_hours: paid,
                cost: f64::from(scheduled) * paid * shift.cost_per_hour,
            });
            i += 1;
        }
    }
    let mut rows = Vec::new();
    let mut check_names = Vec::new();
    for (t, checks) in targets.iter().zip(&chosen.checks) {
        for c in checks {
            check_names.push(format!("{} [{}]", t.text, c.row));
            rows.push(TargetRow {
                target: t.text.clone(),
                row: c.row.clone(),
                value: t.value_text(),
                estimate: show(c.mean, t.unit),
                bound: show(c.bound, t.unit),
                holds: c.holds,
            });
        }
    }
    let search: Vec<SearchRow> = outcome
        .search
        .iter()
        .map(|e| SearchRow {
            stage: e.stage.to_string(),
            replications: e.replications,
            staffing: e.staffing.clone(),
            cost: e.cost,
            checks: e
                .checks
                .iter()
                .flatten()
                .map(|c| (c.mean, c.bound))
                .collect(),
            feasible: e.feasible,
        })
        .collect();
    let shift_names: Vec<String> = outcome
        .shifts
        .iter()
        .map(|s| format!("{}/{}", s.team, s.shift))
        .collect();
    let removals: Vec<(String, Vec<String>)> = outcome
        .removals
        .iter()
        .map(|(s, e)| {
            let broken = targets
                .iter()
                .zip(&e.checks)
                .flat_map(|(t, checks)| {
                    checks.iter().filter(|c| !c.holds).map(move |c| {
                        format!("{} on {} ({})", t.text, c.row, show(c.bound, t.unit))
                    })
                })
                .collect();
            (shift_names[*s].clone(), broken)
        })
        .collect();
    let binding = binding(outcome, targets);
    let plan_toml = if outcome.feasible {
        planned_toml(outcome, text)?
    } else {
        String::new()
    };
    let on_duty = outcome.on_duty(&chosen.staffing);
    let view = PlanView {
        name: &outcome.scenario.name,
        feasible: outcome.feasible,
        cost: chosen.cost,
        confidence,
        shifts: &shifts,
        targets: &rows,
        shift_names: &shift_names,
        check_names: &check_names,
        search: &search,
        removals: &removals,
        on_duty: &on_duty,
        load: &outcome.offered_load,
        binding,
        plan_toml: &plan_toml,
    };
    plan_outputs(&view).map_err(|e| PlanError::Simulation(e.to_string()))
}

/// The check with the least slack at the chosen plan, and (cost, bound) of that check over
/// every staffing evaluated with the chosen one's replications.
fn binding(outcome: &PlanOutcome, targets: &[Target]) -> Option<Binding> {
    let chosen = &outcome.chosen;
    let mut best: Option<(f64, usize, usize)> = None;
    for (t, checks) in targets.iter().zip(&chosen.checks).enumerate() {
        for (k, c) in checks.1.iter().enumerate() {
            let scale = if checks.0.unit == "ratio" { 0.01 } else { 1.0 };
            let slack = if checks.0.at_most {
                checks.0.value - c.bound
            } else {
                c.bound - checks.0.value
            } / scale;
            if best.is_none_or(|(b, _, _)| slack < b) {
                best = Some((slack, t, k));
            }
        }
    }
    let (_, t, k) = best?;
    let target = &targets[t];
    let row = &chosen.checks[t][k].row;
    let points = outcome
        .search
        .iter()
        .filter_map(|e| {
            let c = e.checks.get(t)?.iter().find(|c| &c.row == row)?;
            Some((e.cost, c.bound))
        })
        .collect();
    Some(Binding {
        name: format!("{} on {row}", target.metric),
        value: target.value,
        points,
        chosen: (chosen.cost, chosen.checks[t][k].bound),
    })
}

//! The staffing search: analytic start, greedy additions and removals over simulated
//! replications with common random numbers, validation on fresh replications.

use std::collections::BTreeMap;

use super::PlanError;
use super::target::{Check, Rows, Target, checks};
use crate::metrics::{MetricRows, catalogue};
use crate::scenario::Scenario;
use crate::sim::{Prepared, RunOptions, simulate};
use crate::time::{HOUR, WEEK_HOURS};

/// Head counts on duty, one per shift in the order of [`crate::scenario::Operators::shifts`].
pub type Staffing = Vec<u32>;

/// How to plan.
#[derive(Clone, Debug)]
pub struct PlanOptions {
    /// Replications per staffing at the start (0: the scenario's); doubled when a plan
    /// fails its validation.
    pub replications: u32,
    /// The one-sided confidence of "a target holds".
    pub confidence: f64,
    /// Seed of the search's replications (the scenario's when `None`); the validation uses
    /// streams of another seed derived from it.
    pub seed: Option<u64>,
    /// Worker threads (0: every core).
    pub threads: usize,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            replications: 0,
            confidence: 0.95,
            seed: None,
            threads: 0,
        }
    }
}

/// One staffing simulated: its cost and each target's checks.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub staffing: Staffing,
    /// Weekly cost of the operators to schedule.
    pub cost: f64,
    /// Per target (in the order given), its checks.
    pub checks: Vec<Vec<Check>>,
    pub feasible: bool,
    pub replications: u32,
    pub seed: u64,
    /// `search` or `validation`.
    pub stage: &'static str,
}

/// A shift the plan staffs.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedShift {
    pub team: String,
    pub shift: String,
    pub min: u32,
    pub max: u32,
    pub cost_per_hour: f64,
    /// Hours a week an operator of the shift is paid.
    pub paid_hours: f64,
    pub hours: Vec<usize>,
}

/// What the planner found.
#[derive(Clone, Debug)]
pub struct PlanOutcome {
    /// Every target holds on the validation replications.
    pub feasible: bool,
    /// The staffing chosen (or, infeasible, the best found), evaluated on the validation
    /// replications.
    pub chosen: Evaluation,
    /// Every staffing evaluated, in order.
    pub search: Vec<Evaluation>,
    /// For each staffed shift of the plan: the plan with one operator fewer there, on the
    /// validation replications (what it would break).
    pub removals: Vec<(usize, Evaluation)>,
    pub shifts: Vec<PlannedShift>,
    /// The scenario with the chosen head counts (and the targets' thresholds reported).
    pub scenario: Scenario,
    /// Operators the offered load needs, hour by hour of the week (all teams).
    pub offered_load: Vec<f64>,
    pub shrinkage: f64,
}

impl PlanOutcome {
    /// Operators to schedule for `on_duty` on duty: on duty / (1 - shrinkage), rounded up.
    pub fn scheduled(&self, on_duty: u32) -> u32 {
        scheduled(on_duty, self.shrinkage)
    }

    /// Operators on duty hour by hour of the week under `staffing`.
    pub fn on_duty(&self, staffing: &Staffing) -> Vec<f64> {
        let mut hours = vec![0.0; WEEK_HOURS];
        for (s, shift) in self.shifts.iter().enumerate() {
            for &h in &shift.hours {
                hours[h] += f64::from(staffing[s]);
            }
        }
        hours
    }
}

fn scheduled(on_duty: u32, shrinkage: f64) -> u32 {
    (f64::from(on_duty) / (1.0 - shrinkage) - 1e-9)
        .ceil()
        .max(0.0) as u32
}

/// The seed of the validation replications: independent streams from the search's.
fn validation_seed(seed: u64) -> u64 {
    seed ^ 0x9E37_79B9_7F4A_7C15
}

/// Plans `scenario` for `targets`; `progress` sees every evaluation as it is done.
pub fn plan(
    scenario: &Scenario,
    targets: &[Target],
    options: &PlanOptions,
    progress: &(dyn Fn(&Evaluation) + Sync),
) -> Result<PlanOutcome, PlanError> {
    if targets.is_empty() {
        return Err(PlanError::NoTargets);
    }
    if !(options.confidence > 0.5 && options.confidence < 1.0) {
        return Err(PlanError::Confidence(options.confidence.to_string()));
    }
    for t in targets {
        if let Rows::One(c) = t.rows {
            if scenario.channel(c).is_none() {
                return Err(PlanError::NoSuchChannel {
                    target: t.text.clone(),
                    channel: format!("{c}"),
                });
            }
        }
    }
    let mut base = scenario.clone();
    for t in targets {
        if let Some(th) = t.threshold {
            if !base.report.service_levels.contains(&th) {
                base.report.service_levels.push(th);
            }
        }
    }
    let mut replications = if options.replications == 0 {
        base.replications
    } else {
        options.replications
    };
    if replications < 2 {
        return Err(PlanError::Replications { replications });
    }
    let seed = options.seed.unwrap_or(base.seed);
    let load = offered_load(&base);
    let shifts = planned_shifts(&base, &load);
    let mut planner = Planner {
        base: &base,
        targets,
        shifts: &shifts,
        confidence: options.confidence,
        threads: options.threads,
        shrinkage: base.operators.shrinkage,
        cache: BTreeMap::new(),
        search: Vec::new(),
        progress,
    };
    let mut current = analytic_start(&shifts, &load, &base);
    let mut validated = None;
    for _round in 0..4 {
        current = planner.add_until_feasible(current, seed, replications)?;
        if !planner
            .evaluate(&current, seed, replications, "search")?
            .feasible
        {
            // Every shift at its bound: more replications would not help.
            break;
        }
        current = planner.remove_while_feasible(current, seed, replications)?;
        let check =
            planner.evaluate(&current, validation_seed(seed), replications, "validation")?;
        let holds = check.feasible;
        validated = Some(check);
        if holds {
            break;
        }
        // Chosen and confirmed on the same sample is optimistic: more replications.
        replications *= 2;
    }
    let chosen = match validated {
        Some(v) if v.staffing == current => v,
        _ => planner.evaluate(&current, validation_seed(seed), replications, "validation")?,
    };
    let mut removals = Vec::new();
    if chosen.feasible {
        for (s, shift) in shifts.iter().enumerate() {
            if current[s] > shift.min && current[s] > 0 {
                let mut fewer = current.clone();
                fewer[s] -= 1;
                let e =
                    planner.evaluate(&fewer, validation_seed(seed), replications, "validation")?;
                removals.push((s, e));
            }
        }
    }
    let mut planned = base.clone();
    set_staffing(&mut planned, &current);
    Ok(PlanOutcome {
        feasible: chosen.feasible,
        chosen,
        search: planner.search,
        removals,
        shifts,
        scenario: planned,
        offered_load: (0..WEEK_HOURS)
            .map(|h| load.iter().map(|team| team[h]).sum())
            .collect(),
        shrinkage: base.operators.shrinkage,
    })
}

/// Sets every shift's head count in `scenario` to `staffing`.
fn set_staffing(scenario: &mut Scenario, staffing: &Staffing) {
    let mut i = 0;
    for team in &mut scenario.operators.teams {
        for shift in &mut team.shifts {
            shift.operators = staffing[i];
            i += 1;
        }
    }
}

/// Per team, the operators the offered load needs in each hour of the week: arrivals
/// times the requests a conversation brings (a follow-up after each answer) times the mean
/// handle time, over the concurrency. A channel's load goes to the first team serving it.
fn offered_load(s: &Scenario) -> Vec<Vec<f64>> {
    let ops = &s.operators;
    let mut load = vec![vec![0.0; WEEK_HOURS]; ops.teams.len()];
    for c in &s.channels {
        let Some(t) = ops.serving(c.channel).next() else {
            continue;
        };
        let team = &ops.teams[t];
        let requests = 1.0 / (1.0 - c.customers.follow_up_probability.min(0.95));
        let handle_hours = team.handle_time.mean() / HOUR as f64;
        for (h, rate) in c.hourly_rate.iter().enumerate() {
            let per_hour = match c.arrival_interval {
                Some(every) => HOUR as f64 / every as f64,
                None => *rate,
            };
            load[t][h] += per_hour * requests * handle_hours / f64::from(team.concurrency);
        }
    }
    load
}

fn planned_shifts(s: &Scenario, load: &[Vec<f64>]) -> Vec<PlannedShift> {
    s.operators
        .shifts()
        .map(|(t, shift)| {
            let hours = shift.hours_of_week();
            let peak = hours.iter().map(|&h| load[t][h]).fold(0.0f64, f64::max);
            let derived = 2 * peak.ceil() as u32 + 3;
            PlannedShift {
                team: s.operators.teams[t].name.clone(),
                shift: shift.name.clone(),
                min: shift.min_operators,
                max: shift
                    .max_operators
                    .unwrap_or_else(|| derived.max(shift.min_operators)),
                cost_per_hour: shift.cost_per_hour,
                paid_hours: shift.paid_hours(),
                hours,
            }
        })
        .collect()
}

/// Covers each hour's lower bound, the busiest hours first, with the cheapest shift that
/// covers it (then the longest), within the bounds.
fn analytic_start(shifts: &[PlannedShift], load: &[Vec<f64>], s: &Scenario) -> Staffing {
    let mut staffing: Staffing = shifts.iter().map(|sh| sh.min).collect();
    let team_of: Vec<usize> = s.operators.shifts().map(|(t, _)| t).collect();
    for (t, hours) in load.iter().enumerate() {
        let mut order: Vec<usize> = (0..WEEK_HOURS).collect();
        order.sort_by(|a, b| hours[*b].total_cmp(&hours[*a]).then(a.cmp(b)));
        for h in order {
            let needed = hours[h].ceil() as u32;
            let covering: Vec<usize> = (0..shifts.len())
                .filter(|&i| team_of[i] == t && shifts[i].hours.contains(&h))
                .collect();
            let have: u32 = covering.iter().map(|&i| staffing[i]).sum();
            if have >= needed {
                continue;
            }
            let cheapest = covering
                .iter()
                .copied()
                .filter(|&i| staffing[i] < shifts[i].max)
                .min_by(|&a, &b| {
                    shifts[a]
                        .cost_per_hour
                        .total_cmp(&shifts[b].cost_per_hour)
                        .then(shifts[b].paid_hours.total_cmp(&shifts[a].paid_hours))
                        .then(a.cmp(&b))
                });
            if let Some(i) = cheapest {
                staffing[i] = (staffing[i] + needed - have).min(shifts[i].max);
            }
        }
    }
    staffing
}

struct Planner<'a> {
    base: &'a Scenario,
    targets: &'a [Target],
    shifts: &'a [PlannedShift],
    confidence: f64,
    threads: usize,
    shrinkage: f64,
    cache: BTreeMap<(Staffing, u64, u32), Evaluation>,
    search: Vec<Evaluation>,
    progress: &'a (dyn Fn(&Evaluation) + Sync),
}

impl Planner<'_> {
    fn cost(&self, staffing: &Staffing) -> f64 {
        self.shifts
            .iter()
            .zip(staffing)
            .map(|(s, &n)| f64::from(scheduled(n, self.shrinkage)) * s.paid_hours * s.cost_per_hour)
            .sum()
    }

    fn evaluate(
        &mut self,
        staffing: &Staffing,
        seed: u64,
        replications: u32,
        stage: &'static str,
    ) -> Result<Evaluation, PlanError> {
        let key = (staffing.clone(), seed, replications);
        if let Some(e) = self.cache.get(&key) {
            return Ok(e.clone());
        }
        let mut scenario = self.base.clone();
        set_staffing(&mut scenario, staffing);
        scenario.seed = seed;
        scenario.replications = replications;
        let metrics = catalogue(&scenario.report.service_levels);
        let run = simulate(
            &Prepared::new(scenario),
            &RunOptions {
                threads: self.threads,
                trace: None,
                only: None,
            },
        )
        .map_err(|e| PlanError::Simulation(e.to_string()))?;
        let reps: Vec<MetricRows> = run
            .replications
            .iter()
            .map(|(_, r)| r.metrics.rows())
            .collect();
        let checks: Vec<Vec<Check>> = self
            .targets
            .iter()
            .map(|t| checks(t, &metrics, &reps, self.confidence))
            .collect();
        let feasible = checks.iter().flatten().all(|c| c.holds);
        let e = Evaluation {
            staffing: staffing.clone(),
            cost: self.cost(staffing),
            checks,
            feasible,
            replications,
            seed,
            stage,
        };
        (self.progress)(&e);
        self.search.push(e.clone());
        self.cache.insert(key, e.clone());
        Ok(e)
    }

    /// How far an evaluation is from meeting its targets: each failing check's gap, in
    /// units of its target (a ratio in hundredths, minutes and counts as they are).
    fn shortfall(&self, e: &Evaluation) -> f64 {
        self.targets
            .iter()
            .zip(&e.checks)
            .flat_map(|(t, checks)| checks.iter().map(move |c| (t, c)))
            .filter(|(_, c)| !c.holds)
            .map(|(t, c)| {
                let gap = if t.at_most {
                    c.bound - t.value
                } else {
                    t.value - c.bound
                };
                let unit = if t.unit == "ratio" { 0.01 } else { 1.0 };
                if gap.is_finite() {
                    gap.max(0.0) / unit
                } else {
                    1e6
                }
            })
            .sum()
    }

    /// Adds one operator at a time where it buys the most shortfall per unit of cost, until
    /// every target holds or no shift can grow.
    fn add_until_feasible(
        &mut self,
        mut current: Staffing,
        seed: u64,
        replications: u32,
    ) -> Result<Staffing, PlanError> {
        loop {
            let now = self.evaluate(&current, seed, replications, "search")?;
            if now.feasible {
                return Ok(current);
            }
            let before = self.shortfall(&now);
            let mut best: Option<(f64, f64, Staffing)> = None;
            for s in 0..self.shifts.len() {
                if current[s] >= self.shifts[s].max {
                    continue;
                }
                let mut more = current.clone();
                more[s] += 1;
                let e = self.evaluate(&more, seed, replications, "search")?;
                let gain = before - self.shortfall(&e);
                let extra = (e.cost - now.cost).max(1e-9);
                let score = if e.feasible {
                    f64::INFINITY
                } else {
                    gain / extra
                };
                // The best score; among equals the cheaper step, then the first shift.
                let better = match &best {
                    None => true,
                    Some((b, c, _)) => score > *b || (score == *b && extra < *c),
                };
                if better {
                    best = Some((score, extra, more));
                }
            }
            match best {
                Some((_, _, next)) => current = next,
                None => return Ok(current),
            }
        }
    }

    /// Removes one operator at a time, from the dearest shift first, while every target
    /// still holds.
    fn remove_while_feasible(
        &mut self,
        mut current: Staffing,
        seed: u64,
        replications: u32,
    ) -> Result<Staffing, PlanError> {
        if !self
            .evaluate(&current, seed, replications, "search")?
            .feasible
        {
            return Ok(current);
        }
        let mut order: Vec<usize> = (0..self.shifts.len()).collect();
        order.sort_by(|&a, &b| {
            let cost = |i: usize| self.shifts[i].paid_hours * self.shifts[i].cost_per_hour;
            cost(b).total_cmp(&cost(a)).then(a.cmp(&b))
        });
        'again: loop {
            for &s in &order {
                if current[s] <= self.shifts[s].min || current[s] == 0 {
                    continue;
                }
                let mut fewer = current.clone();
                fewer[s] -= 1;
                if self
                    .evaluate(&fewer, seed, replications, "search")?
                    .feasible
                {
                    current = fewer;
                    continue 'again;
                }
            }
            return Ok(current);
        }
    }
}

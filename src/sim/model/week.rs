//! The local hours of the run and the time-weighted sums of the typical week
//! (`hourly.csv`): customers waiting, operators on duty, busy and capacity.

use super::staff::Staff;
use crate::metrics::{Hourly, ShiftBacklog};
use crate::scenario::Scenario;
use crate::scenario::week::LocalHours;
use crate::time::Instant;

/// The hour of the week the run is in, and the sums integrated up to `last_advance`.
pub(super) struct WeekSums {
    pub(super) hourly: Hourly,
    /// Customers waiting now, per channel slot.
    pub(super) waiting: Vec<u32>,
    /// The local hour (an index into the run's [`LocalHours`]) the run is in.
    pub(super) segment: usize,
    /// Whether that hour is counted (after the warm-up).
    pub(super) segment_counted: bool,
    pub(super) last_advance: Instant,
    /// Per team: busy and on-duty slot time (ms) over the counted time.
    pub(super) team_busy: Vec<f64>,
    pub(super) team_capacity: Vec<f64>,
    /// Per shift of the run's calendar: the conversations waiting at its starts.
    pub(super) backlog: Vec<ShiftBacklog>,
}

impl WeekSums {
    pub(super) fn new(scenario: &Scenario) -> WeekSums {
        let channels = scenario.channels.len();
        let ops = &scenario.operators;
        WeekSums {
            hourly: Hourly::new(channels),
            waiting: vec![0; channels],
            segment: 0,
            segment_counted: false,
            last_advance: scenario.start,
            team_busy: vec![0.0; ops.teams.len()],
            team_capacity: vec![0.0; ops.teams.len()],
            backlog: ops
                .shifts()
                .map(|(team, shift)| ShiftBacklog {
                    team: ops.teams[team].name.clone(),
                    shift: shift.name.clone(),
                    starts: 0.0,
                    answerable: vec![0.0; channels],
                    past_windows: vec![0.0; channels],
                })
                .collect(),
        }
    }

    /// The hour of the week (0 is Monday 00:00, local time) of the current segment.
    pub(super) fn hour(&self, hours: &LocalHours) -> usize {
        hours.hours.get(self.segment).copied().unwrap_or(0) as usize
    }

    /// Integrates the time-weighted quantities up to `now` (customers waiting, and the
    /// staff's operators on duty, busy and capacity, in all and per team). Called before
    /// any of them changes and at every hour, so that between two calls they are constant.
    pub(super) fn integrate(&mut self, now: Instant, hours: &LocalHours, staff: &Staff) {
        let dt = (now.0 - self.last_advance.0) as f64;
        if dt > 0.0 && self.segment_counted {
            let h = self.hour(hours);
            for (c, w) in self.waiting.iter().enumerate() {
                self.hourly.waiting[c][h] += f64::from(*w) * dt;
            }
            self.hourly.on_duty[h] += f64::from(staff.on_duty) * dt;
            self.hourly.busy[h] += f64::from(staff.busy) * dt;
            self.hourly.capacity[h] += f64::from(staff.capacity) * dt;
            self.hourly.span[h] += dt;
            for (t, team) in staff.teams.iter().enumerate() {
                self.team_busy[t] += f64::from(team.busy) * dt;
                self.team_capacity[t] += f64::from(team.on_duty * team.concurrency) * dt;
            }
        }
        self.last_advance = now;
    }

    /// Enters local hour `i` (counted from `counted_from` on); returns when the next one
    /// starts, if the run has one.
    pub(super) fn enter(
        &mut self,
        i: usize,
        hours: &LocalHours,
        counted_from: Instant,
    ) -> Option<Instant> {
        self.segment = i;
        if i >= hours.len() {
            return None;
        }
        self.segment_counted = hours.starts[i] >= counted_from;
        if self.segment_counted {
            self.hourly.occurrences[hours.hours[i] as usize] += 1.0;
        }
        hours.starts.get(i + 1).copied()
    }
}

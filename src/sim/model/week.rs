//! The local hours of the run and the time-weighted sums of the typical week
//! (`hourly.csv`): customers waiting, operators on duty, busy and capacity.
//!
//! Each of those counts is a [`Level`]: it settles its own area (count × ms) when it
//! changes, so a change costs one multiplication, and the areas are moved into the hour's
//! sums when the hour ends. Areas are whole numbers (instants are milliseconds), so they
//! are exact, and adding an hour's area at once gives the same sum as adding its pieces.

use super::staff::Staff;
use crate::metrics::{Hourly, ShiftBacklog};
use crate::scenario::Scenario;
use crate::scenario::week::LocalHours;
use crate::time::Instant;

/// A count that steps at instants, and its area over time (count × ms) since the area was
/// last taken.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Level {
    count: u32,
    since: i64,
    area: u64,
}

impl Level {
    /// Adds `n` to the count at `now`.
    pub(super) fn rise(&mut self, now: Instant, n: u32) {
        self.settle(now);
        self.count += n;
    }

    /// Takes `n` from the count at `now` (not below zero).
    pub(super) fn fall(&mut self, now: Instant, n: u32) {
        self.settle(now);
        self.count = self.count.saturating_sub(n);
    }

    /// The area up to `now` since it was last taken; it starts again from zero.
    pub(super) fn take(&mut self, now: Instant) -> u64 {
        self.settle(now);
        std::mem::take(&mut self.area)
    }

    fn settle(&mut self, now: Instant) {
        self.area += u64::from(self.count) * (now.0 - self.since) as u64;
        self.since = now.0;
    }
}

/// The hour of the week the run is in, and the sums of the hours before it.
pub(super) struct WeekSums {
    pub(super) hourly: Hourly,
    /// Customers waiting now, per channel slot.
    pub(super) waiting: Vec<Level>,
    /// The local hour (an index into the run's [`LocalHours`]) the run is in.
    pub(super) segment: usize,
    /// Whether that hour is counted (after the warm-up).
    pub(super) segment_counted: bool,
    /// When that hour started (or the run, if later).
    pub(super) segment_start: Instant,
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
            waiting: vec![Level::default(); channels],
            segment: 0,
            segment_counted: false,
            segment_start: scenario.start,
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

    /// Ends the current hour at `now`: the areas of the counts (customers waiting, and the
    /// teams' operators on duty, busy and capacity, per team and in all) go into its sums
    /// if it is counted, and start again from zero.
    pub(super) fn close_segment(&mut self, now: Instant, hours: &LocalHours, staff: &mut Staff) {
        let counted = self.segment_counted;
        let h = self.hour(hours);
        let add = |sum: &mut f64, area: u64| {
            if counted {
                *sum += area as f64;
            }
        };
        for (c, w) in self.waiting.iter_mut().enumerate() {
            add(&mut self.hourly.waiting[c][h], w.take(now));
        }
        // The staff's areas are the sums of their teams' (whole numbers: exact).
        let (mut on_duty, mut busy, mut capacity) = (0, 0, 0);
        for (t, team) in staff.teams.iter_mut().enumerate() {
            let team_busy = team.busy.take(now);
            let team_on_duty = team.on_duty.take(now);
            let team_capacity = team_on_duty * u64::from(team.concurrency);
            add(&mut self.team_busy[t], team_busy);
            add(&mut self.team_capacity[t], team_capacity);
            on_duty += team_on_duty;
            busy += team_busy;
            capacity += team_capacity;
        }
        add(&mut self.hourly.on_duty[h], on_duty);
        add(&mut self.hourly.busy[h], busy);
        add(&mut self.hourly.capacity[h], capacity);
        add(
            &mut self.hourly.span[h],
            (now.0 - self.segment_start.0) as u64,
        );
        self.segment_start = now;
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

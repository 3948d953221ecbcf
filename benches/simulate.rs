//! The simulator: events per second on the default scenario, and the bare event list at the
//! same length, so that the model's cost can be stated as a ratio to the bare loop.
//!
//! `cargo bench --bench simulate`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use replywindow::scenario::Scenario;
use replywindow::sim::{EventList, Prepared, RunOptions, simulate};
use replywindow::time::Instant;

fn one_replication(p: &Prepared) -> (u64, usize) {
    let options = RunOptions {
        threads: 1,
        trace: None,
        only: Some(vec![0]),
    };
    let run = simulate(p, &options).unwrap();
    (run.events, run.peak_events)
}

fn default_scenario(c: &mut Criterion) {
    let p = Prepared::new(Scenario::default_scenario().unwrap());
    let (events, peak) = one_replication(&p);
    let mut group = c.benchmark_group("simulate");
    group.sample_size(20);
    group.throughput(Throughput::Elements(events));
    group.bench_function("default scenario, one replication (events)", |b| {
        b.iter(|| black_box(one_replication(&p)))
    });
    group.finish();

    // The bare loop: pop the earliest event, schedule one later, at the model's peak length.
    let mut group = c.benchmark_group("event list");
    group.throughput(Throughput::Elements(1));
    let mut list = EventList::default();
    let mut state: u64 = 1;
    for i in 0..peak as i64 {
        list.schedule(Instant(i * 1000), (i as u32, 0u32));
    }
    group.bench_function(format!("pop and schedule at length {peak}"), |b| {
        b.iter(|| {
            let (at, e) = list.pop().unwrap();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            list.schedule(at.plus((state % 3_600_000) as i64), black_box(e));
        })
    });
    group.finish();
}

criterion_group!(benches, default_scenario);
criterion_main!(benches);

//! The simulator: events per second on the default scenario and on a large one
//! (`scenarios/large.toml`, 50,000 conversations a day), and the bare event list at the same
//! lengths, so that the model's cost can be stated as a ratio to the bare loop.
//!
//! `cargo bench --bench simulate`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use replywindow::scenario::Scenario;
use replywindow::sim::{EventList, Prepared, RunOptions, bucket_width, simulate};
use replywindow::time::{DAY, Instant, Millis};

fn one_replication(p: &Prepared) -> (u64, usize) {
    let options = RunOptions {
        threads: 1,
        trace: None,
        only: Some(vec![0]),
    };
    let run = simulate(p, &options).unwrap();
    (run.events, run.peak_events)
}

/// The bare loop: pop the earliest event and schedule one up to a day later, with `length`
/// events waiting, on the event list the model uses, with the model's bucket width.
fn bare_loop(c: &mut Criterion, length: usize, width: Millis) {
    let mut group = c.benchmark_group("event list");
    group.throughput(Throughput::Elements(1));
    let mut list = EventList::new(Instant(0), width);
    let mut state: u64 = 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..length as u32 {
        list.schedule(Instant((next() % 86_400_000) as i64), (i, 0u32));
    }
    let name = format!(
        "pop and schedule at length {length}, buckets of {} s",
        width / 1000
    );
    group.bench_function(name, |b| {
        b.iter(|| {
            let (at, e) = list.pop().unwrap();
            list.schedule(at.plus((next() % 86_400_000) as i64), black_box(e));
        })
    });
    group.finish();
}

fn scenario(c: &mut Criterion, name: &str, text: &str, horizon_days: i64, samples: usize) {
    let mut s = Scenario::from_toml(text, name).unwrap();
    s.horizon = horizon_days * DAY;
    s.warm_up = s.warm_up.min(s.horizon / 2);
    let width = bucket_width(&s);
    let p = Prepared::new(s);
    let (events, peak) = one_replication(&p);
    let mut group = c.benchmark_group("simulate");
    group.sample_size(samples);
    group.throughput(Throughput::Elements(events));
    group.bench_function(
        format!("{name} scenario, {horizon_days} days, one replication (events)"),
        |b| b.iter(|| black_box(one_replication(&p))),
    );
    group.finish();
    bare_loop(c, peak, width);
}

fn benches(c: &mut Criterion) {
    scenario(
        c,
        "default",
        replywindow::scenario::DEFAULT_SCENARIO,
        28,
        20,
    );
    scenario(c, "large", include_str!("../scenarios/large.toml"), 7, 10);
}

criterion_group!(simulator, benches);
criterion_main!(simulator);

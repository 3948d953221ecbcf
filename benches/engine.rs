//! The rules engine and `replay`: one decision, and trace rows per second.
//!
//! `cargo bench --bench engine`

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use replywindow::rules::{BusinessMessage, Case, Channel, CustomerAction, Policy, Sender};
use replywindow::time::{Instant, MINUTE};
use replywindow::trace::{Input, replay, write_verdicts};

/// A trace of `rows` rows: cases on all three channels, interleaved, with customer
/// messages, comments, accepts and operator and bot answers at varied gaps.
pub fn synthetic_trace(rows: usize) -> Vec<u8> {
    let mut out = String::with_capacity(rows * 80);
    out.push_str("case,seq,at,channel,actor,action,content,tag\n");
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let t0 = 1_772_442_000_000i64;
    let open = 64usize;
    let mut cases: Vec<(u64, i64, usize)> = (0..open).map(|i| (i as u64, t0, 0)).collect();
    let mut next_case = open as u64;
    for _ in 0..rows {
        let slot = (next() % open as u64) as usize;
        let (id, at, n) = &mut cases[slot];
        let channel = ["whatsapp", "facebook", "instagram"][(*id % 3) as usize];
        *at += (next() % (30 * 60 * 60 * 1000)) as i64;
        let r = next() % 10;
        let (actor, action, tag) = match (r, channel) {
            (0 | 1, _) => ("customer", "message", ""),
            (2, "facebook" | "instagram") => ("customer", "comment", ""),
            (3, "instagram") => ("customer", "accept", ""),
            (4, "facebook" | "instagram") => ("operator", "message", "human_agent"),
            (5, "facebook" | "instagram") => ("operator", "comment_reply", ""),
            (6, _) => ("bot", "message", ""),
            _ => ("operator", "message", ""),
        };
        let content = if actor == "customer" {
            ""
        } else if r == 9 {
            "promotional"
        } else {
            "related"
        };
        *n += 1;
        let mut at_text = Vec::new();
        Instant(*at).write_canonical(&mut at_text);
        let at_text = String::from_utf8(at_text).unwrap();
        out.push_str(&format!(
            "c{id},{n},{at_text},{channel},{actor},{action},{content},{tag}\n"
        ));
        if *n >= 12 {
            cases[slot] = (next_case, t0 + (*at - t0) / 2, 0);
            next_case += 1;
        }
    }
    out.into_bytes()
}

fn decision(c: &mut Criterion) {
    let policy = Policy::meta();
    let mut case = Case::new(Channel::Facebook);
    case.customer(CustomerAction::Message, Instant(0));
    let mut t = 0;
    c.bench_function("rules/one decision", |b| {
        b.iter(|| {
            t += MINUTE;
            let m = BusinessMessage::new(Sender::Operator, Instant(t % (2 * 86_400_000)));
            black_box(case.business(&policy, black_box(&m)))
        })
    });
}

fn replay_rows(c: &mut Criterion) {
    let rows = 1_000_000;
    let trace = synthetic_trace(rows);
    let mut group = c.benchmark_group("replay");
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows as u64));
    group.bench_with_input(BenchmarkId::new("rows", rows), &trace, |b, trace| {
        b.iter(|| {
            let verdicts =
                replay(Input::bytes("bench.csv", trace.clone()), &Policy::meta()).unwrap();
            let mut out = Vec::with_capacity(verdicts.rows.len() * 64);
            write_verdicts(&mut out, &verdicts).unwrap();
            black_box(out.len())
        })
    });
    group.finish();
}

criterion_group!(benches, decision, replay_rows);
criterion_main!(benches);

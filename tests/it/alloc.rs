//! No heap allocation per decision: a counting allocator, per thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use replywindow::rules::{
    BusinessAction, BusinessMessage, Case, Channel, Content, CustomerAction, Policy, Sender,
};
use replywindow::time::{HOUR, Instant, MINUTE};

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

/// The system allocator, counting the allocations of each thread.
pub struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn a_million_decisions_on_a_warmed_case_allocate_nothing() {
    let policy = Policy::meta();
    for channel in [Channel::Facebook, Channel::Instagram] {
        let mut case = Case::new(channel);
        // Warm up: the credit stack has room for a comment.
        case.customer(CustomerAction::Comment, Instant(0));
        case.customer(CustomerAction::Message, Instant(0));
        let kinds = [
            (
                Sender::Operator,
                BusinessAction::Message,
                Content::Related,
                false,
            ),
            (
                Sender::Operator,
                BusinessAction::Message,
                Content::Related,
                true,
            ),
            (
                Sender::Bot,
                BusinessAction::Message,
                Content::Promotional,
                false,
            ),
            (
                Sender::Operator,
                BusinessAction::CommentReply,
                Content::Related,
                false,
            ),
            (
                Sender::Operator,
                BusinessAction::Message,
                Content::Promotional,
                true,
            ),
        ];
        let before = allocations();
        let mut t = 0;
        let mut delivered = 0u64;
        for i in 0..1_000_000u64 {
            t += 7 * MINUTE;
            // Every so often the customer writes or comments again, spending and
            // granting credits, holding and releasing messages.
            match i % 5_000 {
                0 => {
                    case.customer(CustomerAction::Comment, Instant(t));
                }
                2_500 => {
                    case.customer(CustomerAction::Message, Instant(t + HOUR));
                    t += HOUR;
                }
                _ => {}
            }
            let (sender, action, content, tagged) = kinds[(i % 5) as usize];
            let m = BusinessMessage {
                sender,
                action,
                content,
                tagged,
                at: Instant(t),
            };
            let d = case.business(&policy, &m);
            delivered += u64::from(d.verdict == replywindow::rules::Verdict::Delivered);
        }
        let after = allocations();
        assert_eq!(
            after - before,
            0,
            "{channel}: allocations during a million decisions"
        );
        assert!(
            delivered > 0 && delivered < 1_000_000,
            "the decisions varied: {delivered}"
        );
    }
}

#[test]
fn the_counter_counts() {
    let before = allocations();
    let v: Vec<u64> = Vec::with_capacity(10);
    std::hint::black_box(&v);
    assert!(allocations() > before);
}

#[test]
fn recording_latencies_below_the_largest_so_far_allocates_nothing() {
    use replywindow::metrics::LatencyHistogram;
    let mut latencies = LatencyHistogram::default();
    // Warm up: room up to a week.
    latencies.record(7 * 24 * HOUR as u64);
    let before = allocations();
    let mut state = 1u64;
    for _ in 0..1_000_000 {
        // Latencies spread over every bucket up to the week.
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        latencies.record((state >> 20) % (7 * 24 * HOUR as u64));
    }
    assert_eq!(allocations() - before, 0, "allocations while recording");
    assert_eq!(latencies.len(), 1_000_001, "every latency counted");
}

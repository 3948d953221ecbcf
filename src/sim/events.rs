//! The event list, ordered by (instant, insertion sequence), so events at the same instant
//! run in the order they were scheduled and runs are reproducible.
//!
//! Later events wait in buckets of a fixed width (a calendar). When a bucket comes up it is
//! sorted once and taken from its end. An event scheduled into it after that is inserted in
//! its place when that is near the end (it is due soon, as most are), and otherwise goes to
//! a small binary heap beside it; each pop takes the earlier of the bucket's end and the
//! heap's top. Timers set a day ahead therefore cost a push onto a vector, a bucket's events
//! are ordered by one cache-friendly sort rather than sifted through a heap one by one, and
//! the heap holds only the few events that land deep in the current bucket. The order is the
//! same as one heap's: the key of every entry is kept.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use crate::time::{HOUR, Instant, Millis};

/// An entry of the list: when, in which order, and what.
#[derive(Clone, Copy, Debug)]
struct Entry<E> {
    at: Instant,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // Reversed: the heap's top is the earliest (instant, sequence).
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// The largest vector kept for reuse as a new bucket, and how many are kept.
const SPARE_CAPACITY: usize = 256;
const SPARES: usize = 8;
/// How far from the end of the current bucket an entry scheduled into it is placed; one
/// due later goes to the heap beside it.
const NEAR_ENTRIES: usize = 16;
/// The room a bucket is given with its first event when no spare is handed to it.
const FIRST_CAPACITY: usize = 16;
/// The buckets after the current one that may receive a spare vector.
const NEAR_BUCKETS: usize = 4;

/// Events of type `E`, taken earliest first.
#[derive(Debug)]
pub struct EventList<E> {
    /// The current bucket's events as they were when it came up, sorted latest first (the
    /// earliest is popped from the end).
    current: Vec<Entry<E>>,
    /// Events scheduled before `limit` after the current bucket came up.
    heap: BinaryHeap<Entry<E>>,
    /// The sort keys of the bucket being brought up (kept between buckets).
    order: Vec<u64>,
    /// Emptied vectors of buckets brought up, for buckets receiving their first event: a
    /// bucket of a few dozen events would otherwise cost an allocation, two reallocations
    /// as it fills, and a free.
    spare: Vec<Vec<Entry<E>>>,
    /// `buckets[i]` holds the events in `[limit + i·width, limit + (i+1)·width)`.
    buckets: VecDeque<Vec<Entry<E>>>,
    limit: i64,
    width: Millis,
    /// Events at or after this instant are never taken, so they are not kept.
    end: i64,
    len: usize,
    seq: u64,
    peak: usize,
    handled: u64,
}

impl<E: Copy> Default for EventList<E> {
    fn default() -> Self {
        EventList::new(Instant(0), HOUR)
    }
}

impl<E: Copy> EventList<E> {
    /// An empty list whose first bucket starts at `start`, buckets `width` long.
    pub fn new(start: Instant, width: Millis) -> Self {
        let width = width.max(1);
        EventList {
            current: Vec::new(),
            heap: BinaryHeap::new(),
            order: Vec::new(),
            spare: Vec::new(),
            buckets: VecDeque::new(),
            limit: start.0.saturating_add(width),
            width,
            end: i64::MAX,
            len: 0,
            seq: 0,
            peak: 0,
            handled: 0,
        }
    }

    /// The same list, for a run that stops at `end`: an event scheduled at or after it would
    /// never be taken, so it is dropped at once. A simulation schedules timers days ahead
    /// (a window's expiry, a customer's return); near the horizon most of them fall beyond
    /// it, and on a workload whose windows outlast the run, all of them.
    pub fn until(mut self, end: Instant) -> Self {
        self.end = end.0;
        self
    }

    /// Schedules `event` at `at`, after everything already scheduled at that instant.
    pub fn schedule(&mut self, at: Instant, event: E) {
        if at.0 >= self.end {
            return;
        }
        let entry = Entry {
            at,
            seq: self.seq,
            event,
        };
        self.seq += 1;
        if at.0 < self.limit {
            self.schedule_current(entry);
        } else {
            let i = ((at.0 - self.limit) / self.width) as usize;
            while self.buckets.len() <= i {
                self.buckets.push_back(Vec::new());
            }
            let bucket = &mut self.buckets[i];
            // Only for the next few buckets: a bucket a day ahead that receives a timer now
            // fills over the day and sizes itself; given a spare, it would hold that
            // capacity all day (the large scenario's peak memory: 29 MB → 50 MB).
            if bucket.capacity() == 0 {
                let spare = if i < NEAR_BUCKETS {
                    self.spare.pop()
                } else {
                    None
                };
                match spare {
                    Some(spare) => *bucket = spare,
                    // Room for a few dozen events at once, not 4, then 8, then 16, each a
                    // copy (the default scenario -3%; the large one's peak memory +9%).
                    None => bucket.reserve_exact(FIRST_CAPACITY),
                }
            }
            bucket.push(entry);
        }
        self.len += 1;
        self.peak = self.peak.max(self.len);
    }

    /// Schedules an entry into the current bucket. Most are due soon (an arrival a minute
    /// ahead, a handle time a few minutes ahead), so their place in the sorted bucket is
    /// near its end, the earliest: found within [`NEAR_ENTRIES`] of it, the entry goes in
    /// there and is taken with the bucket's own; otherwise into the heap. Each pop then
    /// compares the bucket's end with an empty heap: sifting through a heap compares
    /// (instant, sequence) pairs whose outcome a branch predictor cannot foresee.
    #[inline]
    fn schedule_current(&mut self, entry: Entry<E>) {
        let n = self.current.len();
        // The entry is the latest scheduled: it goes before (is taken after) every entry
        // at its instant or earlier.
        let mut i = n;
        while i > 0 && self.current[i - 1].at <= entry.at {
            if n - i == NEAR_ENTRIES {
                self.heap.push(entry);
                return;
            }
            i -= 1;
        }
        self.current.insert(i, entry);
    }

    /// Brings up buckets until the current one or the heap holds the earliest events.
    #[inline]
    fn refill(&mut self) {
        // One branch, rarely taken (`&&` would make the first test a branch of its own).
        if self.current.is_empty() & self.heap.is_empty() {
            self.bring_up_next();
        }
    }

    /// Brings up the next buckets until one holds events (or none is left).
    #[inline(never)]
    fn bring_up_next(&mut self) {
        while self.current.is_empty() && self.heap.is_empty() {
            let Some(bucket) = self.buckets.pop_front() else {
                return;
            };
            self.limit = self.limit.saturating_add(self.width);
            self.bring_up(bucket);
        }
    }

    /// Makes `bucket` (the events of `[limit − width, limit)`) the current one, latest
    /// first. A bucket's events were pushed in the order they were scheduled, so their
    /// positions are in sequence order: sorting the numbers (offset of the instant, position)
    /// orders them by (instant, sequence), and numbers sort faster than entries.
    fn bring_up(&mut self, mut bucket: Vec<Entry<E>>) {
        let start = self.limit.saturating_sub(self.width);
        let fits = self.width <= u32::MAX as i64 && bucket.len() <= u32::MAX as usize;
        // The current vector is empty here; it receives the sorted bucket.
        let mut current = std::mem::take(&mut self.current);
        current.clear();
        if fits {
            self.order.clear();
            self.order.extend(
                bucket
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (((e.at.0 - start) as u64) << 32) | i as u64),
            );
            self.order.sort_unstable();
            current.extend(
                self.order
                    .iter()
                    .rev()
                    .map(|&k| bucket[(k & u64::from(u32::MAX)) as usize]),
            );
        } else {
            current.extend_from_slice(&bucket);
            current.sort_unstable_by_key(|e| std::cmp::Reverse((e.at, e.seq)));
        }
        self.current = current;
        // Kept only when small, and only a few: a vector keeps its capacity, and a busy
        // bucket's must not be carried ahead into quiet ones (memory would follow the
        // busiest bucket rather than the events waiting).
        if (1..=SPARE_CAPACITY).contains(&bucket.capacity()) && self.spare.len() < SPARES {
            bucket.clear();
            self.spare.push(bucket);
        }
    }

    /// Whether the earliest event is the current bucket's last (rather than the heap's top).
    fn earliest_is_current(&self) -> Option<bool> {
        match (self.current.last(), self.heap.peek()) {
            (None, None) => None,
            (Some(_), None) => Some(true),
            (None, Some(_)) => Some(false),
            (Some(c), Some(h)) => Some((c.at, c.seq) < (h.at, h.seq)),
        }
    }

    /// Takes the earliest event (counted as handled).
    #[inline]
    pub fn pop(&mut self) -> Option<(Instant, E)> {
        self.refill();
        let e = if self.earliest_is_current()? {
            self.current.pop()?
        } else {
            self.heap.pop()?
        };
        self.len -= 1;
        self.handled += 1;
        Some((e.at, e.event))
    }

    /// Events taken so far.
    pub fn handled(&self) -> u64 {
        self.handled
    }

    /// The longest the list has been.
    pub fn peak(&self) -> usize {
        self.peak
    }

    /// Events waiting now.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_instants_keep_their_scheduling_order() {
        let mut list = EventList::default();
        list.schedule(Instant(5), 'c');
        list.schedule(Instant(1), 'a');
        list.schedule(Instant(5), 'd');
        list.schedule(Instant(1), 'b');
        let order: Vec<char> = std::iter::from_fn(|| list.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ['a', 'b', 'c', 'd']);
        assert_eq!(list.handled(), 4);
        assert_eq!(list.peak(), 4);
    }

    #[test]
    fn events_at_or_after_the_end_are_dropped_and_the_rest_keep_their_order() {
        let mut list = EventList::new(Instant(0), 10).until(Instant(100));
        for (at, e) in [(99, 'b'), (100, 'x'), (5, 'a'), (1_000, 'y'), (99, 'c')] {
            list.schedule(Instant(at), e);
        }
        assert_eq!(list.len(), 3);
        let order: Vec<char> = std::iter::from_fn(|| list.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ['a', 'b', 'c']);
    }

    #[test]
    fn buckets_give_the_same_order_as_one_heap() {
        // Narrow buckets: most events wait in later buckets, few are scheduled into the
        // current one. Wide ones: most go into the current bucket, some further than
        // `NEAR_ENTRIES` from its end (into the heap).
        for width in [1_000, 200_000] {
            same_order_as_one_heap(width);
        }
    }

    /// The same schedules and pops on the bucketed list and on a plain heap of (instant,
    /// sequence): the same events come out in the same order.
    fn same_order_as_one_heap(width: Millis) {
        let mut list = EventList::new(Instant(0), width);
        let (mut into_current, mut into_heap) = (0, 0);
        let mut plain = std::collections::BinaryHeap::new();
        let mut x: u64 = 7;
        let mut now = 0i64;
        let mut popped = 0;
        for seq in 0..20_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Many equal instants, some in the past bucket, some days ahead.
            let at = now + (x % 50_000) as i64 / 7 * 7;
            let heap_before = list.heap.len();
            let current = at < list.limit;
            list.schedule(Instant(at), seq);
            if current {
                into_heap += list.heap.len() - heap_before;
                into_current += 1 - (list.heap.len() - heap_before);
            }
            plain.push(std::cmp::Reverse((at, seq)));
            if x % 3 == 0 {
                let (t, e) = list.pop().unwrap();
                let std::cmp::Reverse(expected) = plain.pop().unwrap();
                assert_eq!((t.0, e), expected);
                now = t.0;
                popped += 1;
            }
        }
        while let Some((t, e)) = list.pop() {
            let std::cmp::Reverse(expected) = plain.pop().unwrap();
            assert_eq!((t.0, e), expected);
            popped += 1;
        }
        assert!(plain.is_empty() && list.is_empty());
        assert_eq!(popped, 20_000);
        assert!(
            into_current > 0,
            "width {width}: nothing went into the current bucket"
        );
        if width > 50_000 {
            assert!(into_heap > 0, "width {width}: nothing went into the heap");
        }
    }
}

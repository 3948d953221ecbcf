//! The event list: a binary heap ordered by (instant, insertion sequence), so events at the
//! same instant run in the order they were scheduled and runs are reproducible.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::time::Instant;

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

/// Events of type `E`, taken earliest first.
#[derive(Debug)]
pub struct EventList<E> {
    heap: BinaryHeap<Entry<E>>,
    seq: u64,
    peak: usize,
    handled: u64,
}

impl<E> Default for EventList<E> {
    fn default() -> Self {
        EventList {
            heap: BinaryHeap::new(),
            seq: 0,
            peak: 0,
            handled: 0,
        }
    }
}

impl<E> EventList<E> {
    /// Schedules `event` at `at`, after everything already scheduled at that instant.
    pub fn schedule(&mut self, at: Instant, event: E) {
        self.heap.push(Entry {
            at,
            seq: self.seq,
            event,
        });
        self.seq += 1;
        self.peak = self.peak.max(self.heap.len());
    }

    /// Takes the earliest event (counted as handled).
    pub fn pop(&mut self) -> Option<(Instant, E)> {
        let e = self.heap.pop()?;
        self.handled += 1;
        Some((e.at, e.event))
    }

    /// The instant of the earliest event.
    pub fn next_at(&self) -> Option<Instant> {
        self.heap.peek().map(|e| e.at)
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
        self.heap.len()
    }

    /// True when nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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
}

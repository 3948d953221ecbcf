//! A binary min-heap of small `Copy` items ranked by a 128-bit key, for the event list's
//! near future and the operators' queues.
//!
//! Why not `std::collections::BinaryHeap`: its `pop` swaps the last item into the root and
//! then reads the root back to sift it down. With 32-byte items the swap writes the root as
//! two 8-byte halves and the sift reads it as one 16-byte load, which the processor cannot
//! forward from the pending stores, and that stall was the event loop's single most costly
//! instruction. Here the last item is held in registers and the hole moves down instead.
//! Keys are unique wherever this heap is used (they end in a sequence number), so the order
//! of pops is fully determined and is the same as any other heap's.

/// An item with its rank: lower keys come out first.
pub trait Keyed: Copy {
    fn key(&self) -> u128;
}

#[derive(Clone, Debug)]
pub struct MinHeap<T> {
    items: Vec<T>,
}

impl<T> Default for MinHeap<T> {
    fn default() -> Self {
        MinHeap { items: Vec::new() }
    }
}

impl<T: Keyed> MinHeap<T> {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The item with the lowest key.
    #[inline]
    pub fn peek(&self) -> Option<&T> {
        self.items.first()
    }

    #[inline]
    pub fn push(&mut self, item: T) {
        let key = item.key();
        let mut i = self.items.len();
        self.items.push(item);
        // The hole moves up past every parent ranked after the new item.
        while i > 0 {
            let parent = (i - 1) / 2;
            if self.items[parent].key() <= key {
                break;
            }
            self.items[i] = self.items[parent];
            i = parent;
        }
        self.items[i] = item;
    }

    /// Takes the item with the lowest key.
    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        let last = self.items.pop()?;
        let Some(&top) = self.items.first() else {
            return Some(last);
        };
        // The root is a hole; the lower child moves up into it until `last` fits.
        let key = last.key();
        let n = self.items.len();
        let mut i = 0;
        loop {
            let left = 2 * i + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let child = if right < n && self.items[right].key() < self.items[left].key() {
                right
            } else {
                left
            };
            if self.items[child].key() >= key {
                break;
            }
            self.items[i] = self.items[child];
            i = child;
        }
        self.items[i] = last;
        Some(top)
    }

    /// Keeps only the items `keep` accepts.
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        let items = std::mem::take(&mut self.items);
        for item in items.into_iter().filter(keep) {
            self.push(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Item(u128, u32);

    impl Keyed for Item {
        fn key(&self) -> u128 {
            self.0
        }
    }

    #[test]
    fn pushes_pops_and_retains_as_the_standard_heap_does() {
        // The same pushes, pops and sweeps on this heap and on std's (on unique keys):
        // the same items come out in the same order.
        let mut heap = MinHeap::default();
        let mut plain = BinaryHeap::new();
        let mut x: u64 = 11;
        for seq in 0..50_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = (u128::from(x % 1000) << 64) | u128::from(seq);
            heap.push(Item(key, seq));
            plain.push(Reverse((key, seq)));
            if x % 5 < 2 {
                let got = heap.pop().map(|i| (i.0, i.1));
                assert_eq!(got, plain.pop().map(|Reverse(p)| p));
            }
            if seq % 9_999 == 0 {
                heap.retain(|i| i.1 % 3 != 0);
                plain.retain(|Reverse((_, s))| s % 3 != 0);
            }
            assert_eq!(heap.peek().map(|i| i.0), plain.peek().map(|Reverse(p)| p.0));
            assert_eq!(heap.len(), plain.len());
        }
        while let Some(Reverse(expected)) = plain.pop() {
            assert_eq!(heap.pop().map(|i| (i.0, i.1)), Some(expected));
        }
        assert!(heap.is_empty() && heap.pop().is_none());
    }
}

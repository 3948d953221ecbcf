//! Latencies as a replication records them: counted in the bins of a three-significant-digit
//! [`Histogram`] and turned into one when the replication ends.
//!
//! A replication records three latencies per answer. `Histogram::record` also keeps its total,
//! extremes and range up to date and guards every count against overflow, about three times
//! the instructions of adding one to a bin; on a busy queue that was 8% of the simulation.
//! [`LatencyBins::into_histogram`] gives the histogram that recording the same values one by
//! one would have given (its public figures are those of the bins: `max` is the highest value
//! equivalent to the largest recorded, and so on), so reports do not change.

use hdrhistogram::Histogram;

use super::Counters;

/// Significant digits of every latency histogram.
const SIGNIFICANT_DIGITS: u8 = 3;
/// For three significant digits a bucket has 2,048 sub-buckets, of which the upper half
/// (1,024 = 2^10) is used past the first bucket.
const HALF_MAGNITUDE: u32 = 10;
/// Values below 2,048 have a bin each (bucket 0).
const FIRST_BUCKET: u64 = 2 << HALF_MAGNITUDE;

/// A fresh latency histogram: milliseconds at three significant digits, growing to the
/// largest value recorded.
pub(super) fn histogram() -> Histogram<u64> {
    Histogram::new(SIGNIFICANT_DIGITS)
        .unwrap_or_else(|_| unreachable!("3 significant digits are valid"))
}

/// The most a bin counts before its count is set aside (small in tests, to reach that path).
#[cfg(not(test))]
const FULL: u32 = u32::MAX;
#[cfg(test)]
const FULL: u32 = 1_000;

/// Counts of latencies (milliseconds) in the bins of [`histogram`].
///
/// Bins are 32 bits: a replication's latencies span a few dozen buckets of 1,024 bins each,
/// and zeroing them as they grow is a fixed cost that a short run feels. A bin that would
/// count past [`FULL`] sets its count aside in `full` and starts again from zero.
#[derive(Clone, Debug, Default)]
pub struct LatencyBins {
    counts: Vec<u32>,
    /// Bins that reached [`FULL`], once per time.
    full: Vec<usize>,
}

impl LatencyBins {
    /// Counts one latency of `ms` milliseconds.
    #[inline]
    pub fn record(&mut self, ms: u64) {
        let i = bin(ms);
        match self.counts.get_mut(i) {
            Some(c) if *c < FULL => *c += 1,
            _ => self.record_rarely(i),
        }
    }

    /// A latency beyond the bins so far, or in a full bin.
    #[inline(never)]
    fn record_rarely(&mut self, i: usize) {
        if i >= self.counts.len() {
            // To the end of the value's bucket: one growth per doubling of the largest latency.
            let end = ((i >> HALF_MAGNITUDE) + 1) << HALF_MAGNITUDE;
            self.counts.resize(end, 0);
        } else {
            self.full.push(i);
            self.counts[i] = 0;
        }
        self.counts[i] += 1;
    }

    /// The histogram of the latencies counted.
    pub fn into_histogram(self) -> Histogram<u64> {
        let mut h = histogram();
        // Infallible below: the histogram grows to any value, and no bin overflows u64.
        // Highest first: the histogram grows once, to its full range, rather than once per
        // bucket (each growth copies and zeroes its counts).
        const RUN: usize = 64;
        for (r, run) in self.counts.chunks(RUN).enumerate().rev() {
            // Most runs of the higher buckets are empty: one vector test skips them.
            if run.iter().fold(0, |any, &n| any | n) == 0 {
                continue;
            }
            for (j, &n) in run.iter().enumerate().rev().filter(|(_, n)| **n > 0) {
                let _ = h.record_n(lowest_in_bin(r * RUN + j), u64::from(n));
            }
        }
        for &i in &self.full {
            let _ = h.record_n(lowest_in_bin(i), u64::from(FULL));
        }
        h
    }
}

/// The bin of `ms`, as `Histogram` numbers them (its `index_for`).
#[inline]
fn bin(ms: u64) -> usize {
    // How many doublings `ms` is past the first bucket (0 inside it)...
    let bucket = (u64::BITS - HALF_MAGNITUDE - 1) - (ms | (FIRST_BUCKET - 1)).leading_zeros();
    // ...and its place in that bucket, in the upper half (except in bucket 0).
    let sub = (ms >> bucket) as usize;
    ((bucket as usize + 1) << HALF_MAGNITUDE) + sub - (1 << HALF_MAGNITUDE)
}

/// The lowest value of bin `i`.
fn lowest_in_bin(i: usize) -> u64 {
    let first = FIRST_BUCKET as usize;
    if i < first {
        return i as u64;
    }
    let bucket = (i >> HALF_MAGNITUDE) - 1;
    let sub = (i & ((1 << HALF_MAGNITUDE) - 1)) + (1 << HALF_MAGNITUDE);
    (sub as u64) << bucket
}

/// The three latencies a replication records on one channel, in [`Counters`]' terms.
#[derive(Clone, Debug, Default)]
pub struct Latencies {
    /// See [`Counters::pickup_wait`].
    pub pickup_wait: LatencyBins,
    /// See [`Counters::first_response`].
    pub first_response: LatencyBins,
    /// See [`Counters::time_to_answer`].
    pub time_to_answer: LatencyBins,
}

impl Latencies {
    /// Puts these latencies into `k`'s histograms (replacing what they held).
    pub fn into_counters(self, k: &mut Counters) {
        k.pickup_wait = self.pickup_wait.into_histogram();
        k.first_response = self.first_response.into_histogram();
        k.time_to_answer = self.time_to_answer.into_histogram();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The histogram recorded one value at a time, the way the library does it.
    fn oracle(values: &[u64]) -> Histogram<u64> {
        let mut h = histogram();
        for &v in values {
            h.record(v).unwrap_or_else(|e| panic!("recording {v}: {e}"));
        }
        h
    }

    fn binned(values: &[u64]) -> Histogram<u64> {
        let mut bins = LatencyBins::default();
        for &v in values {
            bins.record(v);
        }
        bins.into_histogram()
    }

    fn assert_same(values: &[u64]) {
        let (want, got) = (oracle(values), binned(values));
        assert!(got == want, "histograms differ for {values:?}");
        assert_eq!(got.len(), want.len());
        // `==` walks the left one's bins: the same number of bins makes it symmetric.
        assert_eq!(got.distinct_values(), want.distinct_values());
        assert_eq!((got.min(), got.max()), (want.min(), want.max()));
        assert_eq!(got.mean().to_bits(), want.mean().to_bits());
        for q in [0.0, 0.1, 0.5, 0.9, 0.99, 1.0] {
            assert_eq!(got.value_at_quantile(q), want.value_at_quantile(q), "q {q}");
        }
    }

    #[test]
    fn bins_are_the_histograms_bins() {
        let h = histogram();
        for v in (0..5_000).chain([
            2_047,
            2_048,
            4_095,
            4_096,
            86_400_000,
            31_622_400_000,
            (1 << 40) - 1,
        ]) {
            assert_eq!(
                lowest_in_bin(bin(v)),
                h.lowest_equivalent(v),
                "value {v}, bin {}",
                bin(v)
            );
            assert!(
                bin(v + 1) == bin(v) || bin(v + 1) == bin(v) + 1,
                "value {v}"
            );
        }
    }

    #[test]
    fn the_same_histogram_as_recording_one_by_one() {
        assert_same(&[]);
        assert_same(&[0]);
        assert_same(&[0, 0, 7]);
        assert_same(&[5_000_000, 1, 2_048, 2_047]);
        // Bins that fill up (more than `FULL` times the same latency), twice over.
        let full: Vec<u64> = (0..2 * FULL as u64 + 10).map(|k| 3_000 + k % 2).collect();
        assert_same(&full);
        let mut rng = ChaCha8Rng::seed_from_u64(15);
        for _ in 0..50 {
            let n = rng.random_range(1..400);
            // Latencies from a millisecond to years, most of them short.
            let values: Vec<u64> = (0..n)
                .map(|_| {
                    let magnitude = rng.random_range(0..36);
                    rng.random_range(0..(1u64 << magnitude) + 1)
                })
                .collect();
            assert_same(&values);
        }
    }
}

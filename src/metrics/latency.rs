//! Latency histograms: milliseconds counted in log-linear bins of three significant digits,
//! the bins of an HdrHistogram (`hdrhistogram::Histogram::new(3)`), and read the way it reads
//! them, so that its figures and ours are the same to the bit (tested against it).
//!
//! A replication records three latencies per answer. The library's `record` also keeps
//! extremes and its range up to date and guards every count against overflow, three times the
//! instructions of adding one to a bin; on a busy queue that was 8% of the simulation. Only
//! what the metrics read is kept here: counts by bin and their total.
//!
//! ```
//! use replywindow::metrics::LatencyHistogram;
//!
//! let mut h = LatencyHistogram::default();
//! for ms in [1_000, 2_000, 3_000, 60_000] {
//!     h.record(ms);
//! }
//! assert_eq!(h.len(), 4);
//! assert_eq!(h.count_at_most(3_000), 3);
//! // Three significant digits: 60,000 ms is counted in a bin 32 ms wide.
//! assert_eq!(h.value_at_quantile(1.0), 60_031);
//! ```

/// For three significant digits a bucket has 2,048 sub-buckets, of which the upper half
/// (1,024 = 2^10) is used past the first bucket.
const HALF_MAGNITUDE: u32 = 10;
/// Values below 2,048 have a bin each (bucket 0).
const FIRST_BUCKET: u64 = 2 << HALF_MAGNITUDE;

/// Latencies in milliseconds, counted by bin.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LatencyHistogram {
    /// Counts by bin, up to the end of the highest bucket recorded in.
    counts: Vec<u64>,
    total: u64,
}

impl LatencyHistogram {
    /// Counts one latency of `ms` milliseconds.
    #[inline]
    pub fn record(&mut self, ms: u64) {
        let i = bin(ms);
        match self.counts.get_mut(i) {
            Some(c) => *c += 1,
            None => self.grow_and_record(i),
        }
        self.total += 1;
    }

    #[inline(never)]
    fn grow_and_record(&mut self, i: usize) {
        self.grow_to(i);
        self.counts[i] += 1;
    }

    /// Makes room up to the end of bin `i`'s bucket: one growth per doubling of the largest
    /// latency.
    fn grow_to(&mut self, i: usize) {
        let end = ((i >> HALF_MAGNITUDE) + 1) << HALF_MAGNITUDE;
        if end > self.counts.len() {
            self.counts.resize(end, 0);
        }
    }

    /// Latencies counted.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// True when nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Latencies of at most `ms` (to the bins' resolution: all those in `ms`'s bin).
    pub fn count_at_most(&self, ms: u64) -> u64 {
        let Some(last) = self.counts.len().checked_sub(1) else {
            return 0;
        };
        self.counts[..=bin(ms).min(last)].iter().sum()
    }

    /// The latency at quantile `q` (0 to 1): the highest value of the bin in which the
    /// cumulative count reaches `q` of the total, the lowest for `q` = 0; 0 when empty.
    pub fn value_at_quantile(&self, q: f64) -> u64 {
        let q = q.min(1.0);
        // At least the first latency counted.
        let rank = ((q * self.total as f64).ceil() as u64).max(1);
        let mut below = 0;
        for (i, &n) in self.counts.iter().enumerate() {
            below += n;
            if below >= rank {
                let lowest = lowest_in_bin(i);
                return if q == 0.0 {
                    lowest
                } else {
                    lowest + bin_width(lowest) - 1
                };
            }
        }
        0
    }

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &LatencyHistogram) {
        if let Some(last) = other.counts.len().checked_sub(1) {
            self.grow_to(last);
        }
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
    }
}

/// The bin of `ms`: the bucket is how many doublings `ms` is past the first bucket (0 inside
/// it), the bin its place in that bucket, in the upper half except in bucket 0.
#[inline]
fn bin(ms: u64) -> usize {
    let bucket = bucket(ms);
    let sub = (ms >> bucket) as usize;
    ((bucket as usize + 1) << HALF_MAGNITUDE) + sub - (1 << HALF_MAGNITUDE)
}

#[inline]
fn bucket(ms: u64) -> u32 {
    (u64::BITS - HALF_MAGNITUDE - 1) - (ms | (FIRST_BUCKET - 1)).leading_zeros()
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

/// How many values share the bin of `ms`.
fn bin_width(ms: u64) -> u64 {
    1 << bucket(ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hdrhistogram::Histogram;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The library's histogram of the same values: the oracle.
    fn oracle(values: &[u64]) -> Histogram<u64> {
        let mut h = Histogram::new(3).unwrap_or_else(|e| panic!("{e}"));
        for &v in values {
            h.record(v).unwrap_or_else(|e| panic!("recording {v}: {e}"));
        }
        h
    }

    fn ours(values: &[u64]) -> LatencyHistogram {
        let mut h = LatencyHistogram::default();
        for &v in values {
            h.record(v);
        }
        h
    }

    /// Every figure the metrics read, on the library's histogram and on ours.
    fn assert_reads_alike(want: &Histogram<u64>, got: &LatencyHistogram, what: &str) {
        assert_eq!(got.len(), want.len(), "{what}: len");
        assert_eq!(got.is_empty(), want.is_empty(), "{what}: is_empty");
        if want.is_empty() {
            return;
        }
        for q in [
            0.0, 1e-9, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0, 1.5,
        ] {
            assert_eq!(
                got.value_at_quantile(q),
                want.value_at_quantile(q),
                "{what}: quantile {q}"
            );
        }
        let top = want.max();
        let mut limits = vec![0, 1, 2_047, 2_048, 2_049, top, top + 1, u64::MAX / 2];
        limits.extend((0..50).map(|k| top / 40 * k));
        for limit in limits {
            assert_eq!(
                got.count_at_most(limit),
                want.count_between(0, limit),
                "{what}: at most {limit}"
            );
        }
    }

    fn random_values(rng: &mut ChaCha8Rng) -> Vec<u64> {
        let n = rng.random_range(0..400);
        // Latencies from a millisecond to years, most of them short.
        (0..n)
            .map(|_| {
                let magnitude = rng.random_range(0..36);
                rng.random_range(0..(1u64 << magnitude) + 1)
            })
            .collect()
    }

    #[test]
    fn bins_are_the_librarys_bins() {
        let h = oracle(&[]);
        for v in (0..5_000).chain([
            2_047,
            2_048,
            4_095,
            4_096,
            86_400_000,
            31_622_400_000,
            (1 << 40) - 1,
        ]) {
            let lowest = lowest_in_bin(bin(v));
            assert_eq!(lowest, h.lowest_equivalent(v), "value {v}, bin {}", bin(v));
            assert_eq!(
                lowest + bin_width(v) - 1,
                h.highest_equivalent(v),
                "value {v}"
            );
            assert!(
                bin(v + 1) == bin(v) || bin(v + 1) == bin(v) + 1,
                "value {v}"
            );
        }
    }

    #[test]
    fn reads_like_the_library() {
        for values in [&[][..], &[0], &[0, 0, 7], &[5_000_000, 1, 2_048, 2_047]] {
            assert_reads_alike(&oracle(values), &ours(values), &format!("{values:?}"));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(15);
        for case in 0..40 {
            let values = random_values(&mut rng);
            assert_reads_alike(&oracle(&values), &ours(&values), &format!("case {case}"));
        }
    }

    #[test]
    fn adds_like_the_library() {
        let mut rng = ChaCha8Rng::seed_from_u64(16);
        for case in 0..30 {
            let (a, b) = (random_values(&mut rng), random_values(&mut rng));
            let mut want = oracle(&a);
            want.add(oracle(&b))
                .unwrap_or_else(|e| panic!("case {case}: {e}"));
            let mut got = ours(&a);
            got.add(&ours(&b));
            assert_reads_alike(&want, &got, &format!("case {case}, sum"));
            // Adding is recording the values of both.
            assert_eq!(got, ours(&[a, b].concat()), "case {case}");
        }
    }
}

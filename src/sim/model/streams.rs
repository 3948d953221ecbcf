//! The customers' random streams, one per conversation, each created only when the customer
//! first draws. Customer `k` of a channel (in arrival order) has the seed made of words
//! `8k .. 8k + 8` of the channel's seed stream, so a customer's stream is the same whether
//! it is created at once, later, or never; but many customers never draw at all (fixed
//! behaviour: probabilities of 0 or 1, a channel without comments), and a ChaCha stream is
//! 300 bytes to set up and carry. The seed stream is read on from where it is when the
//! customers draw in arrival order (the usual case: most draw when they first write), and
//! moved to the seed's position otherwise. The streams live beside the conversations, by
//! slot, so that a conversation stays small to create and move.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::sim::streams;

/// Words of the seed stream that make one customer's seed.
const SEED_WORDS: u128 = 8;

/// A channel's seed stream and the word it is at.
struct Seeder {
    rng: ChaCha8Rng,
    word: u128,
}

impl Seeder {
    /// The seed of customer `k`: words `8k .. 8k + 8` of the stream, little-endian, as
    /// `fill_bytes` would give them.
    fn seed(&mut self, k: u64) -> [u8; 32] {
        let want = u128::from(k) * SEED_WORDS;
        if self.word != want {
            self.rng.set_word_pos(want);
        }
        let mut seed = [0u8; 32];
        for word in seed.chunks_exact_mut(4) {
            word.copy_from_slice(&self.rng.next_u32().to_le_bytes());
        }
        self.word = want + SEED_WORDS;
        seed
    }
}

pub(super) struct Streams {
    /// By conversation slot: the stream, once created.
    rngs: Vec<ChaCha8Rng>,
    /// By conversation slot: the channel slot and number of a customer whose stream is not
    /// created yet.
    pending: Vec<Option<(u32, u64)>>,
    /// Per channel slot: the seed stream, and the customers who arrived so far.
    seeders: Vec<Seeder>,
    arrived: Vec<u64>,
}

impl Streams {
    /// The streams of the customers of `channels` channels in one replication.
    pub(super) fn new(seed: u64, replication: u32, channels: usize) -> Streams {
        Streams {
            rngs: Vec::new(),
            pending: Vec::new(),
            seeders: (0..channels)
                .map(|c| Seeder {
                    rng: streams::rng(seed, replication, streams::CUSTOMERS + c as u64),
                    word: 0,
                })
                .collect(),
            arrived: vec![0; channels],
        }
    }

    /// Slot `id` now belongs to the next customer of channel slot `channel`.
    pub(super) fn assign(&mut self, id: u32, channel: usize) {
        let i = id as usize;
        while self.pending.len() <= i {
            // A placeholder, replaced before any draw (`pending` says so).
            self.rngs.push(ChaCha8Rng::from_seed([0; 32]));
            self.pending.push(None);
        }
        let k = self.arrived[channel];
        self.arrived[channel] += 1;
        self.pending[i] = Some((channel as u32, k));
    }

    /// The stream of the customer in slot `id`, created on first use.
    pub(super) fn get(&mut self, id: u32) -> &mut ChaCha8Rng {
        let i = id as usize;
        if let Some((channel, k)) = self.pending[i].take() {
            let seed = self.seeders[channel as usize].seed(k);
            self.rngs[i] = ChaCha8Rng::from_seed(seed);
        }
        &mut self.rngs[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// The seeds as they were drawn before streams were created lazily: eight words of the
    /// channel's seed stream per customer, in arrival order.
    fn sequential_seeds(channel: u64, n: usize) -> Vec<[u8; 32]> {
        let mut rng = streams::rng(5, 2, streams::CUSTOMERS + channel);
        (0..n)
            .map(|_| {
                let mut seed = [0u8; 32];
                rng.fill_bytes(&mut seed);
                seed
            })
            .collect()
    }

    #[test]
    fn a_stream_is_its_customers_whenever_and_in_whatever_order_it_is_created() {
        let mut streams = Streams::new(5, 2, 2);
        // Twelve customers: channel 1 gets the 3rd, 7th and 8th arrivals; slots reused.
        let channel = |n: usize| usize::from(matches!(n, 2 | 6 | 7));
        for n in 0..12 {
            streams.assign(n as u32, channel(n));
        }
        let want0 = sequential_seeds(0, 9);
        let want1 = sequential_seeds(1, 3);
        // First draws out of arrival order, skipping some customers entirely.
        for n in [5usize, 0, 7, 1, 11, 6, 10] {
            let c = channel(n);
            let k = (0..n).filter(|&m| channel(m) == c).count();
            let seed = if c == 0 { want0[k] } else { want1[k] };
            let mut fresh = ChaCha8Rng::from_seed(seed);
            let want: Vec<u64> = (0..3).map(|_| fresh.random()).collect();
            let got: Vec<u64> = (0..3).map(|_| streams.get(n as u32).random()).collect();
            assert_eq!(got, want, "customer {n}");
        }
        // A slot given to a new customer starts that customer's stream.
        // (channel 0's tenth customer: nine came before it)
        streams.assign(5, 0);
        let want = sequential_seeds(0, 10)[9];
        let mut fresh = ChaCha8Rng::from_seed(want);
        assert_eq!(streams.get(5).random::<u64>(), fresh.random::<u64>());
    }
}

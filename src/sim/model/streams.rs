//! The customers' random streams, one per conversation, each created from its seed only
//! when the customer first draws. Seeds are drawn at arrival, in arrival order, so a
//! customer's stream is the same whether it is created at once or later; but many customers
//! never draw at all (fixed behaviour: probabilities of 0 or 1, a channel without comments),
//! and a ChaCha stream is 300 bytes to set up and carry. The streams live beside the
//! conversations, by slot, so that a conversation stays small to create and move.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub(super) struct Streams {
    /// By conversation slot: the stream, once created.
    rngs: Vec<ChaCha8Rng>,
    /// By conversation slot: the seed of a stream not created yet.
    seeds: Vec<Option<[u8; 32]>>,
}

impl Streams {
    pub(super) fn new() -> Streams {
        Streams {
            rngs: Vec::new(),
            seeds: Vec::new(),
        }
    }

    /// Slot `id` now belongs to a new customer whose stream has `seed`.
    pub(super) fn assign(&mut self, id: u32, seed: [u8; 32]) {
        let i = id as usize;
        while self.seeds.len() <= i {
            // A placeholder, replaced before any draw (the seed below says so).
            self.rngs.push(ChaCha8Rng::from_seed([0; 32]));
            self.seeds.push(None);
        }
        self.seeds[i] = Some(seed);
    }

    /// The stream of the customer in slot `id`, created on first use.
    pub(super) fn get(&mut self, id: u32) -> &mut ChaCha8Rng {
        let i = id as usize;
        if let Some(seed) = self.seeds[i].take() {
            self.rngs[i] = ChaCha8Rng::from_seed(seed);
        }
        &mut self.rngs[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn a_stream_created_late_is_the_stream_its_seed_gives() {
        let mut streams = Streams::new();
        streams.assign(3, [7; 32]);
        streams.assign(0, [9; 32]);
        let mut fresh = ChaCha8Rng::from_seed([7; 32]);
        let want: Vec<u64> = (0..5).map(|_| fresh.random()).collect();
        let got: Vec<u64> = (0..5).map(|_| streams.get(3).random()).collect();
        assert_eq!(got, want);
        // A slot given to a new customer starts its new stream.
        streams.assign(3, [1; 32]);
        let mut fresh = ChaCha8Rng::from_seed([1; 32]);
        assert_eq!(streams.get(3).random::<u64>(), fresh.random::<u64>());
    }
}

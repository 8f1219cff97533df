//! Deterministic randomness: everything about item `i` of a kind comes from a generator seeded by
//! (seed, kind, i), so any one item can be made again without the rest.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// SplitMix64: small, fast and the same everywhere for a seed. Not for secrets.
pub struct Rng(u64);

impl Rng {
    /// A generator for one item: `stream` names the kind of item, `index` which one.
    pub fn for_item(seed: u64, stream: u64, index: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.0 ^= r.next_u64().wrapping_add(index.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n); 0 when n is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64 }
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn bytes(&mut self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        out[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        out
    }

    /// A UUIDv7 for `at`, its random bits from this generator.
    pub fn uuid_at(&mut self, at: DateTime<Utc>) -> Uuid {
        let bytes = self.bytes();
        let mut rand = [0u8; 10];
        rand.copy_from_slice(&bytes[..10]);
        uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &rand).into_uuid()
    }
}

/// Items with weights, drawn in proportion.
pub struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<f64>,
}

impl<T> Weighted<T> {
    pub fn new(pairs: impl IntoIterator<Item = (T, f64)>) -> Weighted<T> {
        let (mut items, mut cumulative, mut sum) = (Vec::new(), Vec::new(), 0.0);
        for (item, weight) in pairs {
            sum += weight.max(0.0);
            items.push(item);
            cumulative.push(sum);
        }
        Weighted { items, cumulative }
    }

    pub fn pick(&self, rng: &mut Rng) -> &T {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        let i = self.cumulative.partition_point(|c| *c <= x).min(self.items.len().saturating_sub(1));
        &self.items[i]
    }
}

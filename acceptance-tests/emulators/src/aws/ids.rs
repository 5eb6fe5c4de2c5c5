//! Random ids in AWS's shapes (update ids and request ids are UUIDs, pod identity
//! association ids `a-` and 17 characters). Randomness from the standard library's
//! hasher keys, which are seeded per process: enough for ids, no crate needed.

use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}

/// A version-4-shaped UUID: `8-4-4-4-12` lowercase hex digits.
pub fn uuid() -> String {
    let hex = format!("{:016x}{:016x}", random_u64(), random_u64());
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// `count` lowercase letters and digits.
pub fn alphanumeric(count: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..count)
        .map(|_| ALPHABET[(random_u64() % ALPHABET.len() as u64) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_shaped_and_distinct() {
        let (a, b) = (uuid(), uuid());
        assert_ne!(a, b);
        let lengths: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(lengths, [8, 4, 4, 4, 12]);
        assert_eq!(alphanumeric(17).len(), 17);
    }
}

//! Hashing for the store: fast, and locality-preserving for sequential keys.
//!
//! Keys are split into a *base* and a *serial* (a UUID: its high and low
//! halves; a name: its text before a trailing run of hex digits, and their
//! value — read as decimal when they are all decimal digits without a leading
//! zero, as in `vm-17` or `bench-12345`, so that a decimal counter fills its
//! run densely instead of using 10 of every 16 positions). Serials are grouped in runs of 4096: a run's base position and its
//! shard are pseudo-random (a full 64-bit mix), and within a run consecutive
//! serials take consecutive buckets. So random keys (v4 UUIDs, free-form names)
//! spread as with any good hash, and keys made in sequence (`Uuid::from_u128(i)`,
//! `instance-0000000a`, `vm-17`) sit next to each other: walking them in order
//! stays in cache, and callers working on disjoint runs rarely share a lock.
//! The 7-bit tag (the top bits) is always a full mix of the whole key.
//!
//! The fake is a test double: hash flooding is not a threat it has to resist.

use std::hash::Hasher;

use uuid::Uuid;

const C1: u64 = 0xff51_afd7_ed55_8ccd;
const C2: u64 = 0xc4ce_b9fe_1a85_ec53;
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;
const RUN_BITS: u32 = 12;
const OFFSET_MASK: u64 = (1 << RUN_BITS) - 1;

const LOW_57: u64 = (1 << 57) - 1;

/// MurmurHash3's 64-bit finaliser.
#[inline]
fn fmix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(C1);
    x ^= x >> 33;
    x = x.wrapping_mul(C2);
    x ^ (x >> 33)
}

/// A key's run (shard and base position) and its full hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct KeyHash {
    /// The same for every key of a run.
    pub run: u64,
    /// The bucket hash: the run's base plus the offset in the run, topped by
    /// the key's own tag.
    pub hash: u64,
}

#[inline]
fn key_hash(base: u64, serial: u64) -> KeyHash {
    let run = fmix(base ^ (serial >> RUN_BITS).wrapping_mul(GOLDEN));
    let tag = fmix(base.rotate_left(29) ^ serial.wrapping_mul(C2));
    KeyHash {
        run,
        hash: (run.wrapping_add(serial & OFFSET_MASK) & LOW_57) | (tag & !LOW_57),
    }
}

/// The hash of a UUID.
#[inline]
pub(crate) fn uuid_hash(uuid: &Uuid) -> KeyHash {
    let (hi, lo) = uuid.as_u64_pair();
    key_hash(hi, lo)
}

/// FxHash's word mix, for the non-serial part of names.
#[inline]
fn fx(hash: u64, word: u64) -> u64 {
    (hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

/// Hex digits' values (either case); 0xff for every other byte.
const DIGIT: [u8; 256] = {
    let mut table = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// The hash of an instance name.
#[inline]
pub(crate) fn name_hash(name: &[u8]) -> KeyHash {
    // The serial: the trailing run of hex digits (at most 16), read as hex,
    // and as decimal in the same pass.
    let (mut hex, mut dec, mut scale) = (0u64, 0u64, 1u64);
    let mut digits = 0usize;
    let mut all_decimal = true;
    for &b in name.iter().rev().take(16) {
        let value = DIGIT[usize::from(b)];
        if value > 15 {
            break;
        }
        hex |= u64::from(value) << (4 * digits);
        dec = dec.wrapping_add(u64::from(value).wrapping_mul(scale));
        scale = scale.wrapping_mul(10);
        all_decimal &= value < 10;
        digits += 1;
    }
    let (prefix, suffix) = name.split_at(name.len() - digits);
    let decimal = all_decimal
        && suffix
            .first()
            .is_some_and(|first| *first != b'0' || digits == 1);
    let serial = if decimal { dec } else { hex };
    let mut base = fx(0, prefix.len() as u64);
    let mut chunks = prefix.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        base = fx(base, u64::from_le_bytes(word));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        base = fx(base, u64::from_le_bytes(word));
    }
    // Keep "vm-7" and "vm-07" (same serial), and "vm-10" and "vm-00a" (decimal
    // and hex ten), apart.
    key_hash(fx(base, digits as u64 | u64::from(decimal) << 8), serial)
}

/// `Hasher` for `Uuid` keys ([`uuid_hash`]).
#[derive(Default, Clone, Copy)]
pub(crate) struct UuidHasher(u64);

impl Hasher for UuidHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.0 = match <[u8; 16]>::try_from(bytes) {
            Ok(raw) => uuid_hash(&Uuid::from_bytes(raw)).hash,
            Err(_) => name_hash(bytes).hash ^ self.0,
        };
    }

    /// `Uuid` hashes its 16 bytes as a slice, with a length prefix: ignored.
    #[inline]
    fn write_usize(&mut self, _length: usize) {}
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn sequential_keys_are_neighbours_and_share_a_run() {
        let a = uuid_hash(&Uuid::from_u128(0x1000));
        let b = uuid_hash(&Uuid::from_u128(0x1001));
        assert_eq!(a.run, b.run);
        assert_eq!((b.hash & LOW_57).wrapping_sub(a.hash & LOW_57), 1);
        assert_ne!(a.hash >> 57, b.hash >> 57 ^ 0x7f);
        let x = name_hash(b"instance-0000000a");
        let y = name_hash(b"instance-0000000b");
        assert_eq!(x.run, y.run);
        assert_eq!((y.hash & LOW_57).wrapping_sub(x.hash & LOW_57), 1);
    }

    #[test]
    fn strided_and_random_keys_spread() {
        // Keys stepping by a large power of two must not collide in the low bits.
        for shift in [0, 12, 20, 40, 64, 80, 100] {
            let buckets: HashSet<u64> = (0..4096u128)
                .map(|i| uuid_hash(&Uuid::from_u128(i << shift)).hash & 0xffff)
                .collect();
            assert!(buckets.len() > 2000, "shift {shift}: {}", buckets.len());
        }
        let tags: HashSet<u64> = (0..4096u128)
            .map(|i| uuid_hash(&Uuid::from_u128(i)).hash >> 57)
            .collect();
        assert_eq!(tags.len(), 128);
        let names: HashSet<u64> = (0..4096)
            .map(|i| name_hash(format!("vm-{}", i * 4096).as_bytes()).hash & 0xffff)
            .collect();
        assert!(names.len() > 2000);
    }

    #[test]
    fn decimal_counters_are_dense() {
        let first = name_hash(b"bench-12288");
        let positions: HashSet<u64> = (12_288..16_384)
            .map(|i| {
                let key = name_hash(format!("bench-{i}").as_bytes());
                assert_eq!(key.run, first.run);
                (key.hash & LOW_57).wrapping_sub(first.hash & LOW_57)
            })
            .collect();
        // 4096 names, 4096 consecutive positions.
        assert_eq!(positions.len(), 4096);
        assert!(positions.iter().all(|p| *p < 4096));
        assert_ne!(name_hash(b"vm-10").hash, name_hash(b"vm-0a").hash);
    }

    #[test]
    fn names_differing_only_in_leading_zeros_differ() {
        assert_ne!(name_hash(b"vm-7").hash, name_hash(b"vm-07").hash);
        assert_ne!(name_hash(b"").hash, name_hash(b"0").hash);
    }
}

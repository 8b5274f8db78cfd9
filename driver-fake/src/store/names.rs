//! The name index: instance names to UUIDs, in shards, each name hashed once
//! per call.
//!
//! A name's [`KeyHash`] picks its shard and is the map's key as it is (with an
//! identity hasher), so a lookup hashes the name once and compares 64-bit
//! words; the name itself is compared only on a hash match. Two names with
//! the same 64-bit hash (possible, if unlikely) share one slot.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use uuid::Uuid;

use super::compact::Name;
use super::hashing::{name_hash, KeyHash};

/// A name with its hash, computed once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NameKey<'a> {
    pub name: &'a str,
    pub hash: KeyHash,
}

impl<'a> NameKey<'a> {
    #[inline]
    pub fn new(name: &'a str) -> Self {
        Self {
            name,
            hash: name_hash(name.as_bytes()),
        }
    }
}

/// `Hasher` for keys that are hashes already.
#[derive(Default, Clone, Copy)]
pub(crate) struct Identity(u64);

impl Hasher for Identity {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed here; fold anything else in anyway.
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    #[inline]
    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }
}

/// The names sharing one hash (almost always one).
#[derive(Debug)]
enum Slot {
    One(Name, Uuid),
    Many(Vec<(Name, Uuid)>),
}

impl Slot {
    fn find(&self, name: &str) -> Option<Uuid> {
        match self {
            Self::One(held, uuid) => (held.as_bytes() == name.as_bytes()).then_some(*uuid),
            Self::Many(all) => all
                .iter()
                .find(|(held, _)| held.as_bytes() == name.as_bytes())
                .map(|(_, uuid)| *uuid),
        }
    }
}

/// One shard of the name index.
#[derive(Debug, Default)]
pub(crate) struct NameIndex(HashMap<u64, Slot, BuildHasherDefault<Identity>>);

impl NameIndex {
    /// Room for `additional` more names, if the system grants the memory.
    pub fn try_reserve(&mut self, additional: usize) {
        let _ = self.0.try_reserve(additional);
    }

    /// The UUID named `key`, if any.
    #[inline]
    pub fn get(&self, key: &NameKey<'_>) -> Option<Uuid> {
        self.0.get(&key.hash.hash)?.find(key.name)
    }

    /// Names `uuid` `key` if the name is free and `check` passes (it runs
    /// only when the name is free): `Ok(false)` if the name is taken, `check`'s
    /// error if it fails; nothing changes unless `Ok(true)`.
    #[inline]
    pub fn insert_with<E>(
        &mut self,
        key: &NameKey<'_>,
        uuid: Uuid,
        check: impl FnOnce() -> Result<(), E>,
    ) -> Result<bool, E> {
        match self.0.entry(key.hash.hash) {
            Entry::Vacant(vacant) => {
                check()?;
                vacant.insert(Slot::One(Name::new(key.name), uuid));
            }
            Entry::Occupied(mut occupied) => {
                if occupied.get().find(key.name).is_some() {
                    return Ok(false);
                }
                check()?;
                let slot = occupied.get_mut();
                let mut all = match std::mem::replace(slot, Slot::Many(Vec::new())) {
                    Slot::One(name, held) => vec![(name, held)],
                    Slot::Many(all) => all,
                };
                all.push((Name::new(key.name), uuid));
                *slot = Slot::Many(all);
            }
        }
        Ok(true)
    }

    /// Frees `key` if it names `uuid`; whether it did.
    #[inline]
    pub fn remove_if(&mut self, key: &NameKey<'_>, uuid: Uuid) -> bool {
        let Entry::Occupied(mut occupied) = self.0.entry(key.hash.hash) else {
            return false;
        };
        match occupied.get_mut() {
            Slot::One(name, held) => {
                if *held != uuid || name.as_bytes() != key.name.as_bytes() {
                    return false;
                }
                occupied.remove();
            }
            Slot::Many(all) => {
                let Some(at) = all.iter().position(|(name, held)| {
                    *held == uuid && name.as_bytes() == key.name.as_bytes()
                }) else {
                    return false;
                };
                all.swap_remove(at);
                if all.is_empty() {
                    occupied.remove();
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colliding(name: &str) -> NameKey<'_> {
        NameKey {
            name,
            hash: NameKey::new("same").hash,
        }
    }

    #[test]
    fn names_map_to_uuids_until_removed() {
        let mut index = NameIndex::default();
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let key = NameKey::new("vm-1");
        assert_eq!(index.insert_with(&key, a, || Ok::<_, ()>(())), Ok(true));
        assert_eq!(index.insert_with(&key, b, || Ok::<_, ()>(())), Ok(false));
        assert_eq!(index.get(&key), Some(a));
        assert!(!index.remove_if(&key, b));
        assert!(index.remove_if(&key, a));
        assert_eq!(index.get(&key), None);
    }

    #[test]
    fn a_failed_check_inserts_nothing() {
        let mut index = NameIndex::default();
        let key = NameKey::new("vm-1");
        assert_eq!(
            index.insert_with(&key, Uuid::from_u128(1), || Err("full")),
            Err("full")
        );
        assert_eq!(index.get(&key), None);
    }

    #[test]
    fn names_sharing_a_hash_stay_apart() {
        let mut index = NameIndex::default();
        let (x, y, z) = (colliding("x"), colliding("y"), colliding("z"));
        for (i, key) in [x, y, z].iter().enumerate() {
            let uuid = Uuid::from_u128(i as u128);
            assert_eq!(index.insert_with(key, uuid, || Ok::<_, ()>(())), Ok(true));
        }
        assert_eq!(index.get(&y), Some(Uuid::from_u128(1)));
        assert_eq!(index.get(&colliding("w")), None);
        assert!(index.remove_if(&x, Uuid::from_u128(0)));
        assert_eq!(index.get(&x), None);
        assert_eq!(index.get(&z), Some(Uuid::from_u128(2)));
        assert!(index.remove_if(&y, Uuid::from_u128(1)));
        assert!(index.remove_if(&z, Uuid::from_u128(2)));
        assert!(index.0.is_empty());
    }
}

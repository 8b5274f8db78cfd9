//! The driver's in-memory index of its own domains: what the hot paths need
//! (the domain handle, the name, the node, the claim, the two flags), so that
//! spawn, lookups, listings and resource figures never read and parse
//! metadata.
//!
//! The index is a cache. The instance records in the domains' metadata stay
//! the persistent truth: a driver builds its index from them when it connects
//! (and again on a rescan), and every change the driver makes is written to
//! the metadata first and to the index after. Per-node claim totals are kept
//! incrementally, so spawn's capacity check is O(1), and checked: an entry
//! whose claim would carry a node's total past 64 bits (metadata written
//! behind the driver's back can say anything) is refused, never saturated, so
//! a node's total is always the exact sum of its entries' claims.

#![deny(clippy::arithmetic_side_effects)]

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use driver_api::{InstanceStatus, PowerState, ResourceAmounts};
use uuid::Uuid;

use crate::record::InstanceRecord;

/// The flags an instance carries beside its power state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// Booted from the rescue disk.
    pub rescued: bool,
    /// Soft-deleted.
    pub soft_deleted: bool,
}

impl Flags {
    /// The flags of a record.
    pub fn of(record: &InstanceRecord) -> Self {
        Self {
            rescued: record.rescued,
            soft_deleted: record.soft_deleted,
        }
    }

    /// The status in `state` with these flags.
    pub fn with_state(self, state: PowerState) -> InstanceStatus {
        InstanceStatus {
            state,
            rescued: self.rescued,
            soft_deleted: self.soft_deleted,
        }
    }
}

/// What the index keeps about one instance; `D` is the domain handle.
#[derive(Debug)]
pub struct Entry<D> {
    /// The domain (shared, so a lookup costs one reference count).
    pub domain: Arc<D>,
    /// The instance's name.
    pub name: String,
    /// The node it claims on.
    pub node: String,
    /// What it claims there.
    pub claim: ResourceAmounts,
    /// Rescued, soft-deleted.
    pub flags: Flags,
}

impl<D> Entry<D> {
    /// The entry for `record`'s instance, whose domain is `domain`.
    pub fn of(domain: Arc<D>, record: &InstanceRecord) -> Self {
        Self {
            domain,
            name: record.name.clone(),
            node: record.node.clone(),
            claim: record.claim(),
            flags: Flags::of(record),
        }
    }
}

/// An entry refused because its node's claim total would not fit 64 bits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the claims on node {node:?} would not fit 64 bits with instance {instance}'s")]
pub struct ClaimOverflow {
    /// The node.
    pub node: String,
    /// The instance whose claim did not fit.
    pub instance: Uuid,
}

/// The index: entries by instance UUID, (name, UUID) pairs in name order, and
/// the claim totals per node.
#[derive(Debug)]
pub struct DomainIndex<D> {
    entries: HashMap<Uuid, Entry<D>>,
    names: BTreeSet<(String, Uuid)>,
    used: HashMap<String, ResourceAmounts>,
}

impl<D> Default for DomainIndex<D> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
            names: BTreeSet::new(),
            used: HashMap::new(),
        }
    }
}

impl<D> DomainIndex<D> {
    /// Adds or replaces the entry of `uuid`. Refused, with the index
    /// unchanged, when the node's total would not fit 64 bits.
    pub fn upsert(&mut self, uuid: Uuid, entry: Entry<D>) -> Result<(), ClaimOverflow> {
        let others = match self.entries.get(&uuid) {
            // The old entry's claim is part of its node's total: exact.
            Some(old) if old.node == entry.node => self
                .used(&entry.node)
                .checked_sub(&old.claim)
                .unwrap_or_default(),
            _ => self.used(&entry.node),
        };
        let total = others
            .checked_add(&entry.claim)
            .ok_or_else(|| ClaimOverflow {
                node: entry.node.clone(),
                instance: uuid,
            })?;
        self.remove(uuid);
        self.names.insert((entry.name.clone(), uuid));
        self.used.insert(entry.node.clone(), total);
        self.entries.insert(uuid, entry);
        Ok(())
    }

    /// Drops the entry of `uuid` (if any), releasing its claim.
    pub fn remove(&mut self, uuid: Uuid) -> Option<Entry<D>> {
        let old = self.entries.remove(&uuid)?;
        self.names.remove(&(old.name.clone(), uuid));
        if let Some(used) = self.used.get_mut(&old.node) {
            *used = used.saturating_sub(&old.claim);
            if *used == ResourceAmounts::default() {
                self.used.remove(&old.node);
            }
        }
        Some(old)
    }

    /// Drops every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.names.clear();
        self.used.clear();
    }

    /// The entry of `uuid`.
    pub fn get(&self, uuid: Uuid) -> Option<&Entry<D>> {
        self.entries.get(&uuid)
    }

    /// Whether `uuid` is indexed.
    pub fn contains(&self, uuid: Uuid) -> bool {
        self.entries.contains_key(&uuid)
    }

    /// The domain and flags of `uuid`.
    pub fn domain_and_flags(&self, uuid: Uuid) -> Option<(Arc<D>, Flags)> {
        self.entries
            .get(&uuid)
            .map(|e| (Arc::clone(&e.domain), e.flags))
    }

    /// The UUIDs of the instances named `name`, in UUID order.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = Uuid> + 'a {
        self.names
            .range((name.to_owned(), Uuid::nil())..)
            .take_while(move |(n, _)| n == name)
            .map(|(_, uuid)| *uuid)
    }

    /// Whether an instance is named `name`.
    pub fn name_taken(&self, name: &str) -> bool {
        self.named(name).next().is_some()
    }

    /// Every (name, UUID), in name order.
    pub fn by_name(&self) -> impl Iterator<Item = (&str, Uuid)> + '_ {
        self.names.iter().map(|(name, uuid)| (name.as_str(), *uuid))
    }

    /// Every indexed UUID (no order).
    pub fn uuids(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.entries.keys().copied()
    }

    /// The sum of the claims on `node`.
    pub fn used(&self, node: &str) -> ResourceAmounts {
        self.used.get(node).copied().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use driver_api::Flavor;

    use super::*;
    use crate::record::InstanceFiles;

    fn record(n: u128, name: &str, node: &str, flavor: Flavor) -> InstanceRecord {
        InstanceRecord::new(
            Uuid::from_u128(n),
            name.to_owned(),
            node.to_owned(),
            flavor,
            "image".to_owned(),
            InstanceFiles::default(),
        )
    }

    fn put(index: &mut DomainIndex<()>, r: &InstanceRecord) {
        index.upsert(r.uuid, Entry::of(Arc::new(()), r)).unwrap();
    }

    #[test]
    fn claims_follow_inserts_replacements_and_removals() {
        let mut index = DomainIndex::default();
        let a = record(1, "a", "n1", Flavor::m1_small());
        let b = record(2, "b", "n1", Flavor::m1_tiny());
        let c = record(3, "c", "n2", Flavor::m1_tiny());
        for r in [&a, &b, &c] {
            put(&mut index, r);
        }
        assert_eq!(index.used("n1"), a.claim().checked_add(&b.claim()).unwrap());
        assert_eq!(index.used("n2"), c.claim());
        assert_eq!(index.used("n3"), ResourceAmounts::default());

        // A resize and a move replace the old claim, never add to it.
        let mut a2 = a.clone();
        a2.flavor = Flavor::m1_tiny();
        put(&mut index, &a2);
        assert_eq!(
            index.used("n1"),
            a2.claim().checked_add(&b.claim()).unwrap()
        );
        let mut b2 = b.clone();
        b2.node = "n2".to_owned();
        put(&mut index, &b2);
        assert_eq!(index.used("n1"), a2.claim());
        assert_eq!(
            index.used("n2"),
            b2.claim().checked_add(&c.claim()).unwrap()
        );

        assert!(index.remove(a.uuid).is_some());
        assert!(index.remove(a.uuid).is_none());
        assert_eq!(index.used("n1"), ResourceAmounts::default());
        assert_eq!(index.uuids().count(), 2);
        index.clear();
        assert!(index.uuids().next().is_none());
        assert_eq!(index.used("n2"), ResourceAmounts::default());
    }

    #[test]
    fn names_are_listed_in_order_and_found_exactly() {
        let mut index = DomainIndex::default();
        put(&mut index, &record(5, "vm-b", "n", Flavor::m1_tiny()));
        put(&mut index, &record(4, "vm-a", "n", Flavor::m1_tiny()));
        put(&mut index, &record(6, "vm-a", "n", Flavor::m1_tiny()));
        let names: Vec<_> = index.by_name().collect();
        assert_eq!(
            names,
            vec![
                ("vm-a", Uuid::from_u128(4)),
                ("vm-a", Uuid::from_u128(6)),
                ("vm-b", Uuid::from_u128(5)),
            ]
        );
        assert!(index.name_taken("vm-a"));
        assert!(!index.name_taken("vm-"));
        assert!(!index.name_taken("vm-ab"));
        assert_eq!(
            index.named("vm-b").collect::<Vec<_>>(),
            [Uuid::from_u128(5)]
        );

        // A rename drops the old name.
        put(&mut index, &record(5, "vm-c", "n", Flavor::m1_tiny()));
        assert!(!index.name_taken("vm-b"));
        assert!(index.name_taken("vm-c"));
    }

    #[test]
    fn flags_are_kept_per_instance() {
        let mut index = DomainIndex::default();
        let mut r = record(9, "x", "n", Flavor::m1_tiny());
        r.soft_deleted = true;
        put(&mut index, &r);
        let (_, flags) = index.domain_and_flags(r.uuid).unwrap();
        assert!(flags.soft_deleted && !flags.rescued);
        r.soft_deleted = false;
        r.rescued = true;
        put(&mut index, &r);
        assert_eq!(
            index
                .get(r.uuid)
                .unwrap()
                .flags
                .with_state(PowerState::Running),
            InstanceStatus {
                state: PowerState::Running,
                rescued: true,
                soft_deleted: false
            }
        );
        assert!(index.domain_and_flags(Uuid::from_u128(10)).is_none());
        assert!(index.contains(r.uuid));
        assert_eq!(index.uuids().collect::<Vec<_>>(), [r.uuid]);
    }

    #[test]
    fn a_claim_past_64_bits_is_refused_and_changes_nothing() {
        let mut index = DomainIndex::default();
        let a = record(1, "a", "n1", Flavor::m1_tiny());
        put(&mut index, &a);
        let mut huge = record(2, "huge", "n1", Flavor::m1_tiny());
        huge.flavor.memory_mb = u64::MAX;
        let refused = index.upsert(huge.uuid, Entry::of(Arc::new(()), &huge));
        assert_eq!(
            refused,
            Err(ClaimOverflow {
                node: "n1".to_owned(),
                instance: huge.uuid
            })
        );
        assert_eq!(index.used("n1"), a.claim());
        assert!(!index.contains(huge.uuid));
        // Replacing an entry by itself at the limit is exact: its old claim
        // is not counted twice.
        let mut alone = record(3, "alone", "n2", Flavor::m1_tiny());
        alone.flavor.memory_mb = u64::MAX;
        put(&mut index, &alone);
        put(&mut index, &alone);
        assert_eq!(index.used("n2"), alone.claim());
    }
}

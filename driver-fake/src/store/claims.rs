//! The operations that take a claim on a node: [`Store::insert`],
//! [`Store::update_claim`], [`Store::reserve`]. Each decides its claim
//! against its shard's lease first and, when the node's ledger runs dry,
//! again with every shard locked and their unused leases reclaimed, so that
//! `InsufficientResources` is exact.

// Sums of claims are checked or saturating by intent, never a bare operator.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::hash_map::Entry;
use std::collections::BTreeMap;
use std::sync::Arc;

use driver_api::{
    ConnectionInfo, DriverError, DriverResult, InstanceStatus, LifecycleTransition, PowerState,
    ResourceAmounts,
};
use uuid::Uuid;

use super::ledger::{slot, NodeLedger, Nodes, Shortfall};
use super::names::NameKey;
use super::record::{ConsoleEntry, ConsoleRing, IncomingMigration, InstanceRecord};
use super::shards::Shard;
use super::{exists, name_exists, Name, NewInstance, NodeChoice, Ports, Store};

impl Store {
    /// Runs `step` on shard `index` under its lock; if it reports that the
    /// node's ledger ran dry ([`Shortfall::Rebalance`]), runs it again with
    /// every shard locked and their unused leases reclaimed, so that its claim
    /// is decided against the exact free capacity. `step` changes nothing
    /// before its claim succeeds.
    #[inline]
    fn with_claim<T>(
        &self,
        index: usize,
        mut step: impl FnMut(&mut Shard, bool) -> Result<T, Shortfall>,
    ) -> DriverResult<T> {
        let first = step(&mut self.shards.lock_shard(index), false);
        match first {
            Ok(value) => Ok(value),
            Err(Shortfall::Failed(error)) => Err(error),
            Err(Shortfall::Rebalance(ledger)) => {
                let mut all = self.shards.lock_all();
                for shard in all.iter_mut() {
                    shard.accounts.reclaim(&ledger);
                }
                let Some(shard) = all.get_mut(index) else {
                    return Err(ledger
                        .insufficient(&ResourceAmounts::default(), ResourceAmounts::default()));
                };
                match step(shard, true) {
                    Ok(value) => Ok(value),
                    Err(Shortfall::Failed(error)) => Err(error),
                    Err(Shortfall::Rebalance(ledger)) => {
                        // Exact claims never ask to rebalance; be definite anyway.
                        Err(ledger
                            .insufficient(&ResourceAmounts::default(), ResourceAmounts::default()))
                    }
                }
            }
        }
    }

    /// Creates an instance: `InstanceExists` if the UUID or name is taken,
    /// `NodeNotFound`, `InsufficientResources` if the claim does not fit.
    /// Emits `Started` when running. All or nothing.
    #[inline]
    pub fn insert(&self, nodes: &Nodes, mut new: NewInstance<'_>) -> DriverResult<()> {
        let index = self.shards.shard_of(&new.uuid);
        let drain = self.with_claim(index, |shard, exact| {
            self.insert_in(nodes, shard, &mut new, exact)
        })?;
        self.deliver(index, drain);
        Ok(())
    }

    /// [`insert`](Self::insert) on a locked shard; returns whether to drain.
    fn insert_in(
        &self,
        nodes: &Nodes,
        shard: &mut Shard,
        new: &mut NewInstance<'_>,
        exact: bool,
    ) -> Result<bool, Shortfall> {
        let uuid = new.uuid;
        let Shard {
            instances,
            name_text,
            incoming,
            node_cache,
            accounts,
            queue,
        } = shard;
        let ledger = match &new.node {
            NodeChoice::Resolved(ledger) => ledger,
            NodeChoice::Requested(node) => nodes.resolve_cached(node_cache, *node)?,
        };
        if !incoming.is_empty() && incoming.contains_key(&uuid) {
            return Err(exists(uuid).into());
        }
        let Entry::Vacant(slot) = instances.entry(uuid) else {
            return Err(exists(uuid).into());
        };
        let key = NameKey::new(new.name);
        let named = self
            .shards
            .lock_name(&key)
            .insert_with(&key, uuid, || accounts.claim(ledger, &new.claim, exact))?;
        if !named {
            return Err(name_exists(new.name).into());
        }
        let name = name_text.push(new.name);
        let mut console = ConsoleRing::default();
        let state = if new.running {
            console.push(ConsoleEntry::Started);
            PowerState::Running
        } else {
            PowerState::Shutdown
        };
        slot.insert(InstanceRecord {
            name,
            node: ledger.id(),
            claim: new.claim,
            root_gb: new.root_gb,
            interfaces: std::mem::take(&mut new.interfaces),
            extras: new.extras.take(),
            console,
            status: InstanceStatus::new(state),
            admin_password_set: new.admin_password_set,
        });
        let event = new.running.then_some(LifecycleTransition::Started);
        Ok(self.queue(&uuid, queue, event))
    }

    /// Changes the record of `uuid` and its claim together, all or nothing:
    /// `plan` checks the record and names the new claim (`None`: unchanged)
    /// with what `apply` needs; the claim is swapped (decided exactly if the
    /// node's ledger runs dry, when `plan` may run twice); then `apply`
    /// changes the record and returns the one event it emits (`None`: none).
    /// `InstanceNotFound` if absent, `InsufficientResources` if the new claim
    /// does not fit.
    pub fn update_claim<P>(
        &self,
        uuid: Uuid,
        nodes: &Nodes,
        mut plan: impl FnMut(&InstanceRecord) -> DriverResult<(Option<ResourceAmounts>, P)>,
        apply: impl FnOnce(&mut InstanceRecord, P) -> Option<LifecycleTransition>,
    ) -> DriverResult<()> {
        let index = self.shards.shard_of(&uuid);
        let mut apply = Some(apply);
        let drain = self.with_claim(index, |shard, exact| {
            let Shard {
                instances,
                accounts,
                queue,
                ..
            } = shard;
            let record = instances
                .get_mut(&uuid)
                .ok_or_else(|| DriverError::instance_not_found(uuid))?;
            let (claim, planned) = plan(record)?;
            if let Some(claim) = claim {
                let (node, old) = (record.node, record.claim);
                let ledger = nodes
                    .read()
                    .known()
                    .get(slot(node))
                    .cloned()
                    .ok_or_else(|| DriverError::NodeNotFound {
                        node: format!("#{node}"),
                    })?;
                accounts.release(node, &old);
                if let Err(shortfall) = accounts.claim(&ledger, &claim, exact) {
                    accounts.restore(node, &old);
                    return Err(shortfall);
                }
                record.claim = claim;
            }
            let event = apply.take().and_then(|apply| apply(record, planned));
            Ok(self.queue(&uuid, queue, event))
        })?;
        self.deliver(index, drain);
        Ok(())
    }

    /// Reserves UUID, name and claim (with the root disk's size in GiB) for
    /// an arriving live migration, all or nothing: `InstanceExists`,
    /// `InsufficientResources`.
    pub fn reserve(
        &self,
        uuid: Uuid,
        name: &str,
        ledger: Arc<NodeLedger>,
        (claim, root_gb): (ResourceAmounts, u64),
        interfaces: Ports,
        volumes: BTreeMap<String, ConnectionInfo>,
    ) -> DriverResult<()> {
        let mut reservation = Some((interfaces, volumes));
        self.with_claim(self.shards.shard_of(&uuid), |shard, exact| {
            if shard.holds(&uuid) {
                return Err(exists(uuid).into());
            }
            let name_key = NameKey::new(name);
            let named = self
                .shards
                .lock_name(&name_key)
                .insert_with(&name_key, uuid, || {
                    shard.accounts.claim(&ledger, &claim, exact)
                })?;
            if !named {
                return Err(name_exists(name).into());
            }
            let (interfaces, volumes) = reservation.take().unwrap_or_default();
            shard.incoming.insert(
                uuid,
                IncomingMigration {
                    name: Name::new(name),
                    node: ledger.id(),
                    claim,
                    root_gb,
                    interfaces,
                    volumes,
                },
            );
            Ok(())
        })
    }
}

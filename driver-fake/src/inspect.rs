//! Inspection and test hooks: what a test reads or does without the trait.

use driver_api::{DriverError, DriverResult, InstanceRef, LifecycleOperation, ResourceAmounts};
use uuid::Uuid;

use crate::fake_driver::FakeDriver;
use crate::store::{FakeInstance, Walk};

impl FakeDriver {
    /// The record of one instance, if it is on this host.
    pub fn instance(&self, uuid: Uuid) -> Option<FakeInstance> {
        let nodes = self.node_names();
        self.store
            .read_named(uuid, |record, name| record.view(uuid, name, &nodes))
    }

    /// Every known node's name, by id (read before locking any shard).
    pub(crate) fn node_names(&self) -> Vec<std::sync::Arc<str>> {
        self.nodes.read().names()
    }

    /// The record of the instance named `name`, if any.
    pub fn instance_by_name(&self, name: &str) -> Option<FakeInstance> {
        let nodes = self.node_names();
        self.store
            .by_name(name, |uuid, record| record.view(uuid, name, &nodes))
            .ok()
    }

    /// Every instance on this host, sorted by name.
    pub fn instances(&self) -> Vec<FakeInstance> {
        let nodes = self.node_names();
        let mut all = Vec::new();
        self.store.scan(Walk::InOrder, |instances| {
            all.extend(
                instances
                    .iter()
                    .map(|(uuid, record, name)| record.view(*uuid, name, &nodes)),
            );
        });
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    /// What is claimed on `node` now (instances and incoming live migrations);
    /// `None` for a node this driver never knew.
    pub fn claims(&self, node: &str) -> Option<ResourceAmounts> {
        let ledger = self.nodes.read().find(node)?.clone();
        Some(self.store.used(&ledger))
    }

    /// The capacity of `node`; `None` for a node this driver never knew.
    pub fn capacity(&self, node: &str) -> Option<ResourceAmounts> {
        self.nodes.read().find(node).map(|l| l.capacity())
    }

    /// The UUIDs with a live-migration reservation here (`pre_live_migration`
    /// done, `post_live_migration_at_destination` or rollback not yet).
    pub fn incoming_migrations(&self) -> Vec<Uuid> {
        let mut all = Vec::new();
        self.store.scan_incoming(|uuid, _| all.push(*uuid));
        all.sort();
        all
    }

    /// Nova's `test_remove_vm`: the VM named `name` vanishes as if it crashed
    /// out of existence; afterwards `get_info` is `InstanceNotFound`.
    ///
    /// Its claim is released (the VM no longer uses the node), its volumes and
    /// interfaces go with it, and no event is emitted (nobody stopped it: the
    /// hypervisor simply no longer knows it). Errors:
    /// `InstanceNotFound` (by name).
    pub fn test_remove_vm(&self, name: &str) -> DriverResult<()> {
        let missing = || DriverError::InstanceNotFound {
            instance: InstanceRef::Name(name.to_owned()),
        };
        let uuid = self.store.uuid_of_name(name).ok_or_else(missing)?;
        // No event: nobody stopped it.
        let removed = self.store.remove(uuid, |_, named| {
            if named == name {
                Ok(None)
            } else {
                Err(missing())
            }
        })?;
        if removed {
            Ok(())
        } else {
            Err(missing())
        }
    }

    /// Crashes the guest (the table's `crash` row): `Running` or `Paused` goes
    /// `Crashed` and `Stopped` is emitted; `Crashed` again is a no-op. Errors:
    /// `InstanceNotFound`, `InvalidState` (suspended, shut down, rescued,
    /// soft-deleted).
    pub fn crash(&self, uuid: Uuid) -> DriverResult<()> {
        self.apply(uuid, LifecycleOperation::Crash)
    }

    /// Replaces the managed node list (Nova's `set_nodes`). Instances on nodes
    /// no longer managed stay, with their claims.
    pub fn set_nodes<S: AsRef<str>>(&self, nodes: &[S]) {
        let nodes: Vec<String> = nodes.iter().map(|n| n.as_ref().to_owned()).collect();
        self.nodes.set_managed(&nodes);
    }

    /// Restores the node list the driver was built with (Nova's `restore_nodes`).
    pub fn restore_nodes(&self) {
        self.nodes.set_managed(&self.default_nodes);
    }

    /// The managed nodes, in order.
    pub fn nodes(&self) -> Vec<String> {
        self.nodes
            .read()
            .managed()
            .iter()
            .map(|l| l.name().to_owned())
            .collect()
    }
}

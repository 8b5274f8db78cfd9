//! The reference model: the contract's rustdoc as a plain, single-lock,
//! in-memory specification of everything a caller can observe.
//!
//! It is not an implementation to run guests with: it holds, per host, the
//! instances (status and flags, name, flavor, node, volumes, VIFs, a cold
//! migration in flight) and the events the contract says must have been
//! delivered. Every rule it applies is written once on the trait
//! (`driver_api::ComputeDriver`, its method docs) or in the transition table
//! ([`driver_api::transition`]); each rule below names the doc it follows.
//! The fake is the optimised implementation; this is the specification the
//! suite compares every backend with, step by step ([`crate::snapshot`]).
//!
//! - [`World`]: the hosts and their instances, behind one lock ([`Model`]).
//! - [`rules`]: what one [`Step`] must answer and what it changes.
//! - [`step`]: the steps, and how each is called on a backend.
//! - [`slots`]: the stable mountpoints, volume ids and VIFs steps name.
//! - [`guest_steps`]: how the steps of the volumes, interfaces, consoles,
//!   guest and resources cases are called.
//! - [`migrate`]: the cold-migration and resize protocol.
//! - [`live`]: the live-migration protocol.
//! - [`host_rules`], [`host_steps`]: the host-level steps, and the
//!   admission of every step (undeclared, read-only).
//! - [`intent`]: a case's intended answer, checked against the model.
//! - [`live_calls`]: how the live-migration steps are called.
//! - [`live_handover`]: the migrate data one live-migration call hands the
//!   next, and the callbacks a backend runs.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use driver_api::{
    Capabilities, Flavor, Instance, InstanceStatus, LifecycleTransition, ResourceAmounts,
};
use uuid::Uuid;

pub(crate) mod guest_steps;
pub(crate) mod host_rules;
pub(crate) mod host_steps;
pub(crate) mod intent;
pub(crate) mod live;
pub(crate) mod live_calls;
pub(crate) mod live_handover;
pub(crate) mod migrate;
pub(crate) mod rig;
pub(crate) mod rules;
pub(crate) mod slots;
pub(crate) mod step;

pub(crate) use rig::Rig;
pub(crate) use step::Step;

/// One instance as the contract says it must be.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ModelInstance {
    /// The instance as the caller passes it (UUID, name, current flavor).
    pub(crate) instance: Instance,
    /// The node it is claimed on.
    pub(crate) node: String,
    /// Power state and flags.
    pub(crate) status: InstanceStatus,
    /// Attached volumes: mountpoint to volume id (serial).
    pub(crate) volumes: BTreeMap<String, String>,
    /// Attached VIFs: id to MAC address.
    pub(crate) vifs: BTreeMap<Uuid, String>,
    /// The flavor before a same-host resize, while the resize is in flight
    /// (a revert restores it).
    pub(crate) flavor_before_resize: Option<Flavor>,
    /// Whether a cold migration or resize from this host is in flight
    /// (`migrate_disk_and_power_off` done, not yet confirmed or reverted).
    pub(crate) migrating: bool,
}

impl ModelInstance {
    /// What the instance claims on its node: its flavor
    /// (`get_available_resource`: "`*_used` equals the sum of the claims").
    pub(crate) fn claim(&self) -> ResourceAmounts {
        ResourceAmounts::of_flavor(&self.instance.flavor)
    }
}

/// One host as the contract says it must be.
#[derive(Clone, Debug)]
pub(crate) struct HostModel {
    /// The host's name (given to `init_host`).
    pub(crate) name: String,
    /// Its nodes and their totals (`init_host`: the node list is `[host]`).
    pub(crate) nodes: Vec<(String, ResourceAmounts)>,
    /// The instances on the host, by UUID.
    pub(crate) instances: BTreeMap<Uuid, ModelInstance>,
    /// Live migrations arriving here: what `pre_live_migration` reserved
    /// (claim, name, VIFs, volumes), by UUID; not listed.
    pub(crate) incoming: BTreeMap<Uuid, ModelInstance>,
    /// The events the host must have delivered since the model started.
    pub(crate) events: Vec<(Uuid, LifecycleTransition)>,
    /// Where the model's events start in the case's event log of this host.
    pub(crate) event_mark: usize,
    // Fields added for host/idempotence/read-only/capability.
    /// What the backend declares (`capabilities`, constant).
    pub(crate) capabilities: Capabilities,
    /// Whether the backend was opened read-only.
    pub(crate) read_only: bool,
}

impl HostModel {
    /// The node an instance lands on: its own node if set, else the first
    /// (`spawn`: "the instance's node (its `Instance::node`, else the first
    /// node)").
    pub(crate) fn node_for(&self, instance: &Instance) -> Option<String> {
        match &instance.node {
            Some(node) => self
                .nodes
                .iter()
                .find(|(name, _)| name == node)
                .map(|(name, _)| name.clone()),
            None => self.nodes.first().map(|(name, _)| name.clone()),
        }
    }

    /// The sum of the claims on `node`, the reservations' too
    /// (`pre_live_migration`: "reserves its resources").
    pub(crate) fn used_on(&self, node: &str) -> ResourceAmounts {
        self.instances
            .values()
            .chain(self.incoming.values())
            .filter(|i| i.node == node)
            .fold(ResourceAmounts::default(), |sum, i| {
                sum.saturating_add(&i.claim())
            })
    }

    /// Whether `claim` fits on `node` besides what is claimed there already
    /// (`spawn`: "has free capacity for the flavor").
    pub(crate) fn fits(&self, node: &str, claim: &ResourceAmounts) -> bool {
        let total = self
            .nodes
            .iter()
            .find(|(name, _)| name == node)
            .map(|(_, total)| *total)
            .unwrap_or_default();
        claim.fits_in(&total.saturating_sub(&self.used_on(node)))
    }

    /// Whether an instance other than `uuid` has `name` ("a name is unique
    /// per host too").
    pub(crate) fn name_taken(&self, name: &str, uuid: Uuid) -> bool {
        self.instances
            .values()
            .chain(self.incoming.values())
            .any(|i| i.instance.name == name && i.instance.uuid != uuid)
    }

    /// Whether the host has `uuid`, or has it reserved by
    /// `pre_live_migration`.
    pub(crate) fn holds(&self, uuid: Uuid) -> bool {
        self.instances.contains_key(&uuid) || self.incoming.contains_key(&uuid)
    }

    /// The instance with `name`, for the by-name methods.
    pub(crate) fn by_name(&self, name: &str) -> Option<&ModelInstance> {
        self.instances.values().find(|i| i.instance.name == name)
    }
}

/// Every host of a case, and every instance the case ever involved (so that
/// a gone instance is checked to be gone everywhere).
#[derive(Clone, Debug, Default)]
pub(crate) struct World {
    /// The hosts, in the case's order.
    pub(crate) hosts: Vec<HostModel>,
    /// Every instance involved so far, as last passed to a backend.
    pub(crate) involved: Vec<Instance>,
    /// The live-migration callbacks that must have run, in order
    /// (`post(dest)`, `recover(dest, status)`).
    pub(crate) callbacks: Vec<String>,
}

impl World {
    /// Records `instance` as involved (replacing an older copy: same UUID,
    /// new flavor after a resize).
    pub(crate) fn involve(&mut self, instance: &Instance) {
        match self.involved.iter_mut().find(|i| i.uuid == instance.uuid) {
            Some(known) => *known = instance.clone(),
            None => self.involved.push(instance.clone()),
        }
    }
}

/// The model of one case: a [`World`] behind a single lock.
#[derive(Debug, Default)]
pub(crate) struct Model {
    world: Mutex<World>,
}

impl Model {
    /// A model of `hosts`.
    pub(crate) fn new(hosts: Vec<HostModel>) -> Self {
        Self {
            world: Mutex::new(World {
                hosts,
                involved: Vec::new(),
                callbacks: Vec::new(),
            }),
        }
    }

    /// The world, locked.
    pub(crate) fn lock(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A copy of the world as it is now.
    pub(crate) fn world(&self) -> World {
        self.lock().clone()
    }
}

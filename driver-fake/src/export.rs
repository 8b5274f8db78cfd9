//! Export and import of the whole fake's state (serde, JSON), for fixtures.

use std::collections::BTreeMap;

use driver_api::{ConnectionInfo, DriverError, ResourceAmounts};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::builder::FakeDriverBuilder;
use crate::fake_driver::FakeDriver;
use crate::import::check_state;
pub use crate::import::MAX_STATE_JSON_BYTES;
use crate::store::{
    lock, slot, ConsoleRing, FakeInstance, FakeInterface, InstanceExtras, NewInstance, NodeChoice,
    Ports,
};

/// A live migration reserved on this host (`pre_live_migration` done).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
#[serde(deny_unknown_fields)]
pub struct IncomingState {
    /// The arriving instance.
    pub uuid: Uuid,
    /// Its name (reserved).
    pub name: String,
    /// The node it will land on.
    pub node: String,
    /// What is reserved for it.
    pub claim: ResourceAmounts,
    /// Its root disk's size in GiB (of the flavor the claim was made for).
    pub root_gb: u64,
    /// Its interfaces.
    pub interfaces: Vec<FakeInterface>,
    /// Its volumes, by mountpoint.
    #[serde(deserialize_with = "crate::unique_keys::unique_keys")]
    pub volumes: BTreeMap<String, ConnectionInfo>,
}

/// Everything a [`FakeDriver`] holds, as plain data (configuration such as
/// capabilities, read-only mode and faults is not state and is not included).
///
/// ```
/// use driver_fake::{FakeDriver, FakeState};
/// let driver = FakeDriver::builder().nodes(["a", "b"]).build();
/// let json = driver.to_json().unwrap();
/// let copy = FakeDriver::from_json(&json).unwrap();
/// assert_eq!(copy.export_state(), driver.export_state());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
#[serde(deny_unknown_fields)]
pub struct FakeState {
    /// The host name.
    pub host: String,
    /// The managed nodes, in order.
    pub nodes: Vec<String>,
    /// The capacity of every node the driver knows (managed or not).
    #[serde(deserialize_with = "crate::unique_keys::unique_keys")]
    pub capacities: BTreeMap<String, ResourceAmounts>,
    /// `set_host_enabled`'s switch.
    pub host_enabled: bool,
    /// `host_maintenance_mode`'s switch.
    pub maintenance: bool,
    /// Every instance, sorted by name.
    pub instances: Vec<FakeInstance>,
    /// Live migrations reserved here, sorted by UUID.
    pub incoming: Vec<IncomingState>,
}

/// Why a state could not be imported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The JSON is malformed or does not describe a [`FakeState`] (also: an
    /// unknown or misspelt field, nesting deeper than 128 levels).
    #[error("invalid fake state JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The JSON is larger than [`MAX_STATE_JSON_BYTES`].
    #[error("fake state JSON of {bytes} bytes is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The document's size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// A value breaks its rule ([`driver_api::validate`]; statuses: the
    /// transition table).
    #[error("invalid fake state: {at}: {violation}")]
    Invalid {
        /// Where (`instances[<uuid>].node`, ...).
        at: String,
        /// The field and the rule.
        violation: driver_api::validate::Violation,
    },
    /// The same node, interface id or file path twice where one is allowed
    /// (a map key twice in the JSON is a [`StateError::Json`]).
    #[error("invalid fake state: {at}: duplicate {what}")]
    Duplicate {
        /// Where.
        at: String,
        /// What is repeated.
        what: String,
    },
    /// Two instances share a UUID or name, or the claims exceed a node.
    #[error("inconsistent fake state: {0}")]
    Inconsistent(#[from] DriverError),
}

impl FakeDriver {
    /// A snapshot of the whole state (consistent when no call is in flight).
    pub fn export_state(&self) -> FakeState {
        let nodes = self.nodes.read();
        let capacities: BTreeMap<String, ResourceAmounts> = nodes
            .known()
            .iter()
            .map(|l| (l.name().to_owned(), l.capacity()))
            .collect();
        let managed = nodes
            .managed()
            .iter()
            .map(|l| l.name().to_owned())
            .collect();
        drop(nodes);
        let names = self.node_names();
        let mut incoming = Vec::new();
        self.store.scan_incoming(|uuid, i| {
            incoming.push(IncomingState {
                uuid: *uuid,
                name: i.name.as_str().to_owned(),
                node: names
                    .get(slot(i.node))
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                claim: i.claim,
                root_gb: i.root_gb,
                interfaces: i.interfaces.public(),
                volumes: i.volumes.clone(),
            });
        });
        incoming.sort_by_key(|i| i.uuid);
        let instances = self.instances();
        let flags = *lock(&self.host_flags);
        FakeState {
            host: self.host(),
            nodes: managed,
            capacities,
            host_enabled: flags.enabled,
            maintenance: flags.maintenance,
            instances,
            incoming,
        }
    }

    /// The state as pretty JSON.
    pub fn to_json(&self) -> Result<String, StateError> {
        Ok(serde_json::to_string_pretty(&self.export_state())?)
    }

    /// A driver with Nova's defaults holding the state in `json`: strict
    /// (unknown fields refused), at most [`MAX_STATE_JSON_BYTES`], and
    /// checked as [`build_with_state`](FakeDriverBuilder::build_with_state)
    /// checks.
    pub fn from_json(json: &str) -> Result<Self, StateError> {
        if json.len() > MAX_STATE_JSON_BYTES {
            return Err(StateError::TooLarge {
                bytes: json.len(),
                limit: MAX_STATE_JSON_BYTES,
            });
        }
        let state: FakeState = serde_json::from_str(json)?;
        FakeDriver::builder().build_with_state(state)
    }
}

impl FakeDriverBuilder {
    /// Builds the driver holding `state`: its host, nodes (also what
    /// `restore_nodes` returns to), capacities, switches, instances and
    /// reservations. Claims are recomputed from the instances and must fit.
    ///
    /// Refused, with nothing built: a value that breaks an entry point's rule
    /// ([`driver_api::validate`]), a status the transition table cannot
    /// produce, a node listed twice, an interface id or file path twice in
    /// one instance, more console entries than are kept
    /// ([`StateError::Invalid`], [`StateError::Duplicate`]); two instances
    /// with one UUID or name, or claims beyond a node
    /// ([`StateError::Inconsistent`]).
    pub fn build_with_state(self, state: FakeState) -> Result<FakeDriver, StateError> {
        check_state(&state)?;
        let mut builder = self.host(state.host.clone()).nodes(state.nodes.clone());
        for (node, capacity) in &state.capacities {
            builder = builder.node_capacity(node.clone(), *capacity);
        }
        let driver = builder.build();
        {
            // Every node of the state is known, managed or not, as it was.
            let mut nodes = driver.nodes.write();
            for node in state.capacities.keys() {
                nodes.ledger(node);
            }
        }
        {
            let mut flags = lock(&driver.host_flags);
            flags.enabled = state.host_enabled;
            flags.maintenance = state.maintenance;
        }
        for instance in state.instances {
            driver.import_instance(instance)?;
        }
        for incoming in state.incoming {
            driver.import_incoming(incoming)?;
        }
        Ok(driver)
    }
}

impl FakeDriver {
    fn import_instance(&self, instance: FakeInstance) -> Result<(), DriverError> {
        let uuid = instance.uuid;
        let ledger = self.nodes.write().ledger(&instance.node);
        let extras = InstanceExtras {
            volumes: instance.volumes,
            injected_files: instance.injected_files,
            snapshots: instance.snapshots,
            cold_migration: instance.cold_migration,
        };
        let empty = extras.volumes.is_empty()
            && extras.injected_files.is_empty()
            && extras.snapshots.is_empty()
            && extras.cold_migration.is_none();
        self.create(NewInstance {
            uuid,
            name: &instance.name,
            node: NodeChoice::Resolved(ledger),
            claim: instance.claim,
            root_gb: instance.root_gb,
            running: false,
            interfaces: Ports::from_public(&instance.interfaces),
            extras: (!empty).then(|| Box::new(extras)),
            admin_password_set: instance.admin_password_set,
        })?;
        self.with_record(uuid, |record| {
            record.status = instance.status;
            record.console = ConsoleRing::from_entries(&instance.console_log);
            Ok(())
        })
    }

    fn import_incoming(&self, incoming: IncomingState) -> Result<(), DriverError> {
        let ledger = self.nodes.write().ledger(&incoming.node);
        self.store.reserve(
            incoming.uuid,
            &incoming.name,
            ledger,
            (incoming.claim, incoming.root_gb),
            Ports::from_public(&incoming.interfaces),
            incoming.volumes,
        )
    }
}

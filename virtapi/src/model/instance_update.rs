//! `InstanceUpdate`: the typed `updates` dict of `instance_update`.

use std::collections::BTreeMap;

use driver_api::{Flavor, Instance, PowerState, TaskState, VmState};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{VirtApiError, VirtApiResult};

/// The changes `instance_update` makes to an instance (Nova's `updates` dict,
/// typed). Every field left `None` is kept as it is.
///
/// Fields that may be cleared are `Option<Option<_>>`: `Some(None)` clears,
/// `Some(Some(v))` sets, `None` keeps.
///
/// `expected_task_state` is Nova's compare-and-swap guard: when not empty, the
/// update applies only if the instance's current task state is one of the
/// listed ones, otherwise [`VirtApiError::UnexpectedTaskState`] and nothing
/// changes.
///
/// ```
/// use driver_api::{Flavor, Instance, PowerState, TaskState, VmState};
/// use uuid::Uuid;
/// use virtapi::InstanceUpdate;
///
/// let mut instance = Instance::new(Uuid::nil(), Flavor::m1_tiny());
/// assert_eq!(instance.task_state, Some(TaskState::Spawning));
///
/// let update = InstanceUpdate::new()
///     .expecting_task_state(Some(TaskState::Spawning))
///     .with_vm_state(VmState::Active)
///     .with_task_state(None)
///     .with_power_state(PowerState::Running)
///     .with_host("compute-1");
/// update.apply(&mut instance).unwrap();
/// assert_eq!(instance.vm_state, VmState::Active);
/// assert_eq!(instance.task_state, None);
/// assert_eq!(instance.host.as_deref(), Some("compute-1"));
///
/// // The guard no longer holds: refused, nothing changed.
/// let again = InstanceUpdate::new()
///     .expecting_task_state(Some(TaskState::Spawning))
///     .with_vm_state(VmState::Error);
/// assert!(again.apply(&mut instance).is_err());
/// assert_eq!(instance.vm_state, VmState::Active);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InstanceUpdate {
    /// A new hypervisor-visible name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A new host (`Some(None)` clears it).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub host: Option<Option<String>>,
    /// A new node (`Some(None)` clears it).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub node: Option<Option<String>>,
    /// A new flavor (a resize).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flavor: Option<Flavor>,
    /// A new image reference (a rebuild).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_ref: Option<String>,
    /// New metadata, replacing the whole map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// A new stable state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm_state: Option<VmState>,
    /// A new task state (`Some(None)` clears it: the operation finished).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub task_state: Option<Option<TaskState>>,
    /// A new power state, as the driver reported it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_state: Option<PowerState>,
    /// The guard: the task states the instance must be in for the update to
    /// apply (`None` in the list stands for "no task"). Empty: no guard.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expected_task_state: Vec<Option<TaskState>>,
}

/// Deserialises a field that is present (possibly `null`) as `Some(..)`, so a
/// `null` clears while an absent field keeps.
fn present<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl InstanceUpdate {
    /// An update that changes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the update changes nothing (a guard alone changes nothing).
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.host.is_none()
            && self.node.is_none()
            && self.flavor.is_none()
            && self.image_ref.is_none()
            && self.metadata.is_none()
            && self.vm_state.is_none()
            && self.task_state.is_none()
            && self.power_state.is_none()
    }

    /// Sets the name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the host.
    pub fn with_host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(Some(host.into()));
        self
    }

    /// Clears the host.
    pub fn clearing_host(mut self) -> Self {
        self.host = Some(None);
        self
    }

    /// Sets the node.
    pub fn with_node(mut self, node: impl Into<String>) -> Self {
        self.node = Some(Some(node.into()));
        self
    }

    /// Clears the node.
    pub fn clearing_node(mut self) -> Self {
        self.node = Some(None);
        self
    }

    /// Sets the flavor.
    pub fn with_flavor(mut self, flavor: Flavor) -> Self {
        self.flavor = Some(flavor);
        self
    }

    /// Sets the image reference.
    pub fn with_image_ref(mut self, image_ref: impl Into<String>) -> Self {
        self.image_ref = Some(image_ref.into());
        self
    }

    /// Replaces the metadata.
    pub fn with_metadata(mut self, metadata: BTreeMap<String, String>) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Sets the stable state.
    pub fn with_vm_state(mut self, vm_state: VmState) -> Self {
        self.vm_state = Some(vm_state);
        self
    }

    /// Sets the task state; `None` clears it.
    pub fn with_task_state(mut self, task_state: Option<TaskState>) -> Self {
        self.task_state = Some(task_state);
        self
    }

    /// Sets the power state.
    pub fn with_power_state(mut self, power_state: PowerState) -> Self {
        self.power_state = Some(power_state);
        self
    }

    /// Adds `task_state` to the guard's accepted task states.
    pub fn expecting_task_state(mut self, task_state: Option<TaskState>) -> Self {
        self.expected_task_state.push(task_state);
        self
    }

    /// Checks the guard against `instance` without changing it.
    ///
    /// Errors: [`VirtApiError::UnexpectedTaskState`] when the guard is not empty
    /// and the instance's task state is not in it.
    pub fn check(&self, instance: &Instance) -> VirtApiResult<()> {
        if self.expected_task_state.is_empty()
            || self.expected_task_state.contains(&instance.task_state)
        {
            Ok(())
        } else {
            Err(VirtApiError::UnexpectedTaskState {
                instance_uuid: instance.uuid,
                expected: self.expected_task_state.clone(),
                actual: instance.task_state,
            })
        }
    }

    /// Checks the guard, then applies every change to `instance`. On error
    /// `instance` is unchanged.
    pub fn apply(&self, instance: &mut Instance) -> VirtApiResult<()> {
        self.check(instance)?;
        if let Some(name) = &self.name {
            instance.name.clone_from(name);
        }
        if let Some(host) = &self.host {
            instance.host.clone_from(host);
        }
        if let Some(node) = &self.node {
            instance.node.clone_from(node);
        }
        if let Some(flavor) = &self.flavor {
            instance.flavor = flavor.clone();
        }
        if let Some(image_ref) = &self.image_ref {
            instance.image_ref.clone_from(image_ref);
        }
        if let Some(metadata) = &self.metadata {
            instance.metadata.clone_from(metadata);
        }
        if let Some(vm_state) = self.vm_state {
            instance.vm_state = vm_state;
        }
        if let Some(task_state) = self.task_state {
            instance.task_state = task_state;
        }
        if let Some(power_state) = self.power_state {
            instance.power_state = power_state;
        }
        Ok(())
    }
}

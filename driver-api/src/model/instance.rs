//! Instances, flavors and images: what a driver is asked to run.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::state::PowerState;

/// An instance as the compute service knows it (Nova's `instance` object).
///
/// Drivers key instances by [`Instance::uuid`]; names are unique per host too,
/// which keeps the legacy by-name methods unambiguous.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Instance {
    /// The instance's identity.
    pub uuid: Uuid,
    /// The hypervisor-visible name (Nova: `instance-0000000a`).
    pub name: String,
    /// The compute host the instance belongs to.
    pub host: Option<String>,
    /// The node (hypervisor) on that host; `None` means the driver's first node.
    pub node: Option<String>,
    /// The flavor (instance type) the instance was built with.
    pub flavor: Flavor,
    /// The image the instance boots from.
    pub image_ref: String,
    /// User-supplied key/value metadata.
    pub metadata: BTreeMap<String, String>,
    /// The owning project.
    pub project_id: String,
    /// The owning user.
    pub user_id: String,
    /// The API-level stable state.
    pub vm_state: VmState,
    /// The API-level transitional state, if an operation is under way.
    pub task_state: Option<TaskState>,
    /// The compute service's last view of the power state (the driver is the authority).
    pub power_state: PowerState,
}

impl Instance {
    /// A new instance with the given identity and flavor, everything else defaulted:
    /// name `instance-<uuid>`, no host or node, image `fake-image`, vm state building.
    pub fn new(uuid: Uuid, flavor: Flavor) -> Self {
        Self {
            uuid,
            name: format!("instance-{uuid}"),
            host: None,
            node: None,
            flavor,
            image_ref: "fake-image".to_owned(),
            metadata: BTreeMap::new(),
            project_id: "fake-project".to_owned(),
            user_id: "fake-user".to_owned(),
            vm_state: VmState::Building,
            task_state: Some(TaskState::Spawning),
            power_state: PowerState::NoState,
        }
    }

    /// Sets the name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets the host.
    pub fn with_host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// Sets the node.
    pub fn with_node(mut self, node: impl Into<String>) -> Self {
        self.node = Some(node.into());
        self
    }

    /// Sets the flavor.
    pub fn with_flavor(mut self, flavor: Flavor) -> Self {
        self.flavor = flavor;
        self
    }

    /// Sets the image reference.
    pub fn with_image_ref(mut self, image_ref: impl Into<String>) -> Self {
        self.image_ref = image_ref.into();
        self
    }

    /// Adds a metadata entry.
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// How to name this instance in errors: by UUID.
    pub fn reference(&self) -> InstanceRef {
        InstanceRef::Uuid(self.uuid)
    }
}

/// How an error names an instance: by UUID, or by name for the legacy by-name methods.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InstanceRef {
    /// Named by UUID.
    Uuid(Uuid),
    /// Named by hypervisor name (`block_stats`, `get_diagnostics`, ...).
    Name(String),
}

impl fmt::Display for InstanceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Uuid(uuid) => write!(f, "{uuid}"),
            Self::Name(name) => write!(f, "name {name:?}"),
        }
    }
}

impl From<Uuid> for InstanceRef {
    fn from(uuid: Uuid) -> Self {
        Self::Uuid(uuid)
    }
}

impl From<&Instance> for InstanceRef {
    fn from(instance: &Instance) -> Self {
        instance.reference()
    }
}

/// A flavor (Grizzly: "instance type"): the size of an instance.
///
/// A spawn claims [`Flavor::vcpus`], [`Flavor::memory_mb`] and
/// [`Flavor::disk_gb`] on the instance's node.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Flavor {
    /// The database id (`instance_type_get` looks flavors up by it).
    pub id: i64,
    /// The public flavor id (`flavorid`).
    pub flavor_id: String,
    /// The name, e.g. `m1.small`.
    pub name: String,
    /// Virtual CPUs.
    pub vcpus: u32,
    /// Memory in MiB.
    pub memory_mb: u64,
    /// Root disk in GiB.
    pub root_gb: u64,
    /// Ephemeral disk in GiB.
    pub ephemeral_gb: u64,
    /// Swap in MiB.
    pub swap_mb: u64,
    /// Extra specs (`hw:cpu_policy`, ...).
    pub extra_specs: BTreeMap<String, String>,
}

impl Flavor {
    /// A flavor with the given size and no ephemeral disk or swap.
    pub fn new(name: impl Into<String>, vcpus: u32, memory_mb: u64, root_gb: u64) -> Self {
        let name = name.into();
        Self {
            id: 0,
            flavor_id: name.clone(),
            name,
            vcpus,
            memory_mb,
            root_gb,
            ephemeral_gb: 0,
            swap_mb: 0,
            extra_specs: BTreeMap::new(),
        }
    }

    /// Sets the ephemeral disk size.
    pub fn with_ephemeral_gb(mut self, ephemeral_gb: u64) -> Self {
        self.ephemeral_gb = ephemeral_gb;
        self
    }

    /// Sets the swap size.
    pub fn with_swap_mb(mut self, swap_mb: u64) -> Self {
        self.swap_mb = swap_mb;
        self
    }

    /// Disk claimed on the node: root + ephemeral + swap rounded up to whole GiB.
    ///
    /// Saturates at `u64::MAX` for sizes no node holds; entry points refuse
    /// such a flavor first ([`validate::flavor`](crate::validate::flavor)),
    /// and [`checked_disk_gb`](Self::checked_disk_gb) says `None`.
    pub fn disk_gb(&self) -> u64 {
        self.checked_disk_gb().unwrap_or(u64::MAX)
    }

    /// [`disk_gb`](Self::disk_gb), or `None` when the sum overflows a `u64`.
    pub fn checked_disk_gb(&self) -> Option<u64> {
        self.root_gb
            .checked_add(self.ephemeral_gb)?
            .checked_add(self.swap_mb.div_ceil(1024))
    }

    fn standard(id: i64, name: &str, vcpus: u32, memory_mb: u64, root_gb: u64) -> Self {
        Self {
            id,
            flavor_id: id.to_string(),
            ..Self::new(name, vcpus, memory_mb, root_gb)
        }
    }

    /// Nova's `m1.tiny`: 1 vCPU, 512 MiB, 1 GiB (id 1).
    pub fn m1_tiny() -> Self {
        Self::standard(1, "m1.tiny", 1, 512, 1)
    }

    /// Nova's `m1.small`: 1 vCPU, 2048 MiB, 20 GiB (id 2).
    pub fn m1_small() -> Self {
        Self::standard(2, "m1.small", 1, 2048, 20)
    }

    /// Nova's `m1.medium`: 2 vCPU, 4096 MiB, 40 GiB (id 3).
    pub fn m1_medium() -> Self {
        Self::standard(3, "m1.medium", 2, 4096, 40)
    }

    /// Nova's `m1.large`: 4 vCPU, 8192 MiB, 80 GiB (id 4).
    pub fn m1_large() -> Self {
        Self::standard(4, "m1.large", 4, 8192, 80)
    }

    /// Nova's `m1.xlarge`: 8 vCPU, 16384 MiB, 160 GiB (id 5).
    pub fn m1_xlarge() -> Self {
        Self::standard(5, "m1.xlarge", 8, 16384, 160)
    }

    /// Nova's five standard flavors, tiny to xlarge.
    pub fn standard_flavors() -> Vec<Self> {
        vec![
            Self::m1_tiny(),
            Self::m1_small(),
            Self::m1_medium(),
            Self::m1_large(),
            Self::m1_xlarge(),
        ]
    }
}

/// Image metadata (Nova's `image_meta`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ImageMeta {
    /// The image id, if the image is registered.
    pub id: Option<String>,
    /// The image name.
    pub name: Option<String>,
    /// `qcow2`, `raw`, ...
    pub disk_format: Option<String>,
    /// `bare`, `ovf`, ...
    pub container_format: Option<String>,
    /// Minimum memory in MiB the image needs.
    pub min_ram_mb: u64,
    /// Minimum disk in GiB the image needs.
    pub min_disk_gb: u64,
    /// Free-form image properties (`hw_disk_bus`, ...).
    pub properties: BTreeMap<String, String>,
}

impl ImageMeta {
    /// Metadata for a named `qcow2` image.
    pub fn new(id: impl Into<String>) -> Self {
        let id = id.into();
        Self {
            name: Some(id.clone()),
            id: Some(id),
            disk_format: Some("qcow2".to_owned()),
            container_format: Some("bare".to_owned()),
            ..Self::default()
        }
    }
}

/// A file to write into the instance at spawn (`injected_files`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InjectedFile {
    /// Absolute path inside the guest.
    pub path: String,
    /// The file's contents.
    pub contents: Vec<u8>,
}

impl InjectedFile {
    /// A file at `path` holding `contents`.
    pub fn new(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        Self {
            path: path.into(),
            contents: contents.into(),
        }
    }
}

/// Nova's `vm_states`: the stable state the API shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VmState {
    /// Running or ready to run.
    Active,
    /// Being built.
    Building,
    /// Paused.
    Paused,
    /// Suspended.
    Suspended,
    /// Stopped.
    Stopped,
    /// Booted from a rescue image.
    Rescued,
    /// Resized, awaiting confirm or revert.
    Resized,
    /// Soft-deleted.
    #[serde(rename = "soft-delete")]
    SoftDeleted,
    /// Deleted.
    Deleted,
    /// In error.
    Error,
}

/// Nova's `task_states`: the transitional state while an operation runs.
///
/// Drivers touch task states only through callbacks such as `snapshot`'s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TaskState {
    /// Being scheduled.
    Scheduling,
    /// Networks being allocated.
    Networking,
    /// Being spawned.
    Spawning,
    /// A snapshot was requested.
    ImageSnapshot,
    /// A snapshot is waiting to be uploaded.
    ImagePendingUpload,
    /// A snapshot is being uploaded.
    ImageUploading,
    /// The admin password is being changed.
    UpdatingPassword,
    /// Resize in preparation.
    ResizePrep,
    /// Resize: disks moving.
    ResizeMigrating,
    /// Resize: disks moved.
    ResizeMigrated,
    /// Resize being finished on the destination.
    ResizeFinish,
    /// Resize being reverted.
    ResizeReverting,
    /// Resize being confirmed.
    ResizeConfirming,
    /// Soft reboot under way.
    Rebooting,
    /// Hard reboot under way.
    RebootingHard,
    /// Pausing.
    Pausing,
    /// Unpausing.
    Unpausing,
    /// Suspending.
    Suspending,
    /// Resuming.
    Resuming,
    /// Powering off.
    #[serde(rename = "powering-off")]
    PoweringOff,
    /// Powering on.
    #[serde(rename = "powering-on")]
    PoweringOn,
    /// Rescuing.
    Rescuing,
    /// Unrescuing.
    Unrescuing,
    /// Live migrating.
    Migrating,
    /// Deleting.
    Deleting,
    /// Soft-deleting.
    #[serde(rename = "soft-deleting")]
    SoftDeleting,
    /// Restoring from soft delete.
    Restoring,
}

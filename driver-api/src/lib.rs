//! # driver-api: the hypervisor-driver contract
//!
//! [`ComputeDriver`] is the contract between a compute service and a hypervisor:
//! one object-safe async trait with a method for every operation Nova's
//! `ComputeDriver` offers (spawn, destroy, pause, snapshot, volumes, consoles,
//! live and cold migration, host actions, ...), each with its contract written
//! on the method.
//!
//! Around the trait:
//!
//! - a typed model ([`model`]): instances, flavors, images, VIFs, block devices,
//!   migrations, resources, consoles, statistics, all `serde`;
//! - [`DriverError`], one `#[non_exhaustive]` enum with a `Copy` [`ErrorKind`];
//! - the lifecycle transition table ([`state`]), one pure function
//!   ([`transition`]) that the fake, the conformance suite and these docs share;
//! - [`Capabilities`] and [`Feature`]: what a backend declares it supports, and
//!   [`DriverMethod`], the registry mapping every method to its feature;
//! - lifecycle events ([`LifecycleEvent`]) and [`EventSlot`], the one-listener
//!   slot every backend embeds;
//! - [`Secret`], which never prints;
//! - [`validate`]: the input rules (names, mountpoints, paths, MACs, sizes)
//!   every entry point of every backend applies.
//!
//! With feature `mock`, `MockComputeDriver` (mockall) stands in for any backend
//! in downstream tests:
//!
//! ```
//! // Cargo.toml: [dev-dependencies] driver-api = { version = "0.1", features = ["mock"] }
//! # #[cfg(feature = "mock")] {
//! use std::sync::Arc;
//! use driver_api::{ComputeDriver, MockComputeDriver};
//!
//! let mut mock = MockComputeDriver::new();
//! mock.expect_list_instances().returning(|| Ok(vec!["vm-1".into()]));
//! let driver: Arc<dyn ComputeDriver> = Arc::new(mock);
//! # let _ = driver;
//! # }
//! ```
//!
//! With feature `testkit`, `testkit::call` calls any method by
//! its [`DriverMethod`] with sample arguments, for sweeps over every method.
//!
//! The mock mocks the default methods too (`instance_exists`,
//! `get_num_instances`, ...): they need expectations of their own, or
//! `MockComputeDriver::expect_listing` to wire them to `list_instance_uuids`
//! (see the `mock_support` module, feature `mock`).
//!
//! The crate re-exports [`async_trait`](macro@async_trait) and [`uuid`], which
//! a backend needs to implement the trait, so `driver-api` is the one
//! dependency for it.
//!
//! Implementations: `driver-fake` (in memory, the reference), `driver-libvirt`
//! (libvirt). The `conformance` crate judges any of them.
#![forbid(unsafe_code)]

mod callbacks;
mod capabilities;
mod driver;
mod error;
mod events;
pub mod layer;
mod method;
#[cfg(any(test, feature = "mock"))]
pub mod mock_support;
pub mod model;
mod secret;
pub mod state;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod validate;

pub use async_trait::async_trait;
pub use uuid;

pub use callbacks::{LiveMigrationCallbacks, TaskStateCallback};
pub use capabilities::{Capabilities, Feature, FeatureSet};
pub use driver::ComputeDriver;
#[cfg(any(test, feature = "mock"))]
pub use driver::MockComputeDriver;
pub use error::{BoxError, DriverError, DriverResult, ErrorKind, RefusedOperation};
pub use events::{EventListener, EventSlot, LifecycleEvent, LifecycleTransition};
pub use method::DriverMethod;
pub use model::block_device::{
    BlockDeviceInfo, BlockDeviceMapping, ConnectionInfo, EphemeralDisk, SwapDisk, VolumeConnector,
};
pub use model::console::{ConsolePoolInfo, ConsoleType, SerialConsole, SpiceConsole, VncConsole};
pub use model::context::RequestContext;
pub use model::host::{HostPowerAction, HostStatus, MaintenanceMode};
pub use model::instance::{
    Flavor, ImageMeta, InjectedFile, Instance, InstanceRef, TaskState, VmState,
};
pub use model::migration::{DiskInfo, InstanceDisk, LiveMigrateData, Migration, MigrationStatus};
pub use model::network::{Network, NetworkInfo, Subnet, Vif};
pub use model::resources::{
    version_to_int, CpuInfo, CpuTopology, HostCpuStats, HostStats, NodeResources, ResourceAmounts,
    SupportedInstance,
};
pub use model::stats::{
    BandwidthCounter, BlockStats, CpuDiagnostics, Diagnostics, DiskDiagnostics, InstanceInfo,
    InterfaceStats, NicDiagnostics, VolumeUsage,
};
pub use secret::Secret;
pub use state::{
    render_table, transition, IllegalTransition, InstanceStatus, LifecycleOperation, Outcome,
    PowerState, RebootType, Transition,
};

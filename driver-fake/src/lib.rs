//! # driver-fake: the whole compute-driver contract in memory
//!
//! [`FakeDriver`] implements every [`ComputeDriver`](driver_api::ComputeDriver)
//! method with the contract's semantics, strictly: the transition table
//! ([`driver_api::transition`]) drives every lifecycle change, each node keeps
//! exact resource accounting, every real change emits its lifecycle event, in
//! order, and a failed (or dropped) call leaves nothing behind. It is what
//! downstream crates test against instead of a hypervisor, and the reference
//! backend of the conformance suite.
//!
//! - **Build** with [`FakeDriver::builder`]: nodes ([`NodeSize`] presets or any
//!   size), read-only mode, [`Capabilities`](driver_api::Capabilities), faults.
//! - **Inspect** without the trait: [`FakeDriver::instance`] gives a
//!   [`FakeInstance`] (state, flags, node, claim, volumes, interfaces, injected
//!   files, console log, snapshots), [`FakeDriver::claims`] a node's claims.
//! - **Test hooks**: [`FakeDriver::test_remove_vm`], [`FakeDriver::crash`],
//!   [`FakeDriver::set_nodes`], [`FakeDriver::restore_nodes`].
//! - **Faults and latency**: [`FakeDriver::faults`] ([`Fault`], [`FaultPreset`]),
//!   through tokio's clock, so `tokio::time::pause()` keeps tests instant.
//! - **Migrations** between two `FakeDriver` values move the instance and its
//!   claim exactly once (see the `migration` module docs).
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use driver_api::{
//!     BlockDeviceInfo, ComputeDriver, Flavor, ImageMeta, Instance, LifecycleEvent,
//!     LifecycleTransition, PowerState, RequestContext,
//! };
//! use driver_fake::FakeDriver;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let driver = FakeDriver::builder().nodes(["node-1"]).build();
//!
//! let seen = Arc::new(Mutex::new(Vec::new()));
//! let sink = seen.clone();
//! driver.register_event_listener(Some(Arc::new(move |e: LifecycleEvent| {
//!     sink.lock().unwrap().push(e.transition)
//! })));
//!
//! let instance = Instance::new(uuid::Uuid::new_v4(), Flavor::m1_small()).with_name("web-1");
//! let ctx = RequestContext::admin();
//! driver
//!     .spawn(&ctx, &instance, &ImageMeta::new("cirros"), &[], None, &[], &BlockDeviceInfo::default(), true)
//!     .await?;
//! driver.pause(&instance).await?;
//!
//! let record = driver.instance(instance.uuid).unwrap();
//! assert_eq!(record.state(), PowerState::Paused);
//! assert_eq!(record.node, "node-1");
//! assert_eq!(driver.claims("node-1").unwrap().memory_mb, 2048);
//! assert_eq!(
//!     *seen.lock().unwrap(),
//!     [LifecycleTransition::Started, LifecycleTransition::Paused]
//! );
//! # Ok::<(), driver_api::DriverError>(())
//! # }).unwrap();
//! ```
#![forbid(unsafe_code)]

mod builder;
mod compact;
mod compute;
mod driver;
mod export;
mod faults;
mod guest;
mod host;
mod inspect;
mod ledger;
mod migration;
mod record;
mod store;
pub mod virtapi;

pub use builder::{FakeDriverBuilder, DEFAULT_HOST, DEFAULT_NODE, DEFAULT_SHARDS};
pub use driver::{FakeDriver, DRIVER_NAME};
pub use export::{FakeState, IncomingState, StateError};
pub use faults::{
    ErrorFactory, Fault, FaultError, FaultInjector, FaultPreset, FaultSite, Times,
    LIVE_MIGRATION_WAIT_LIMIT,
};
pub use guest::ROOT_DISK;
pub use host::{fake_cpu_info, HOST_IP, HYPERVISOR_TYPE, HYPERVISOR_VERSION};
pub use ledger::{node_uuid, NodeSize};
pub use record::{
    ColdMigrationMark, ConsoleEntry, FakeInstance, FakeInterface, CONSOLE_BANNER, CONSOLE_LOG_LIMIT,
};
pub use virtapi::FakeVirtAPI;

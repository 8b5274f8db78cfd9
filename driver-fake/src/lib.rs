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
//!   size), read-only mode, [`Capabilities`](driver_api::Capabilities), a
//!   waiting live migration.
//! - **Inspect** without the trait: [`FakeDriver::instance`] gives a
//!   [`FakeInstance`] (state, flags, node, claim, volumes, interfaces, injected
//!   files, console log, snapshots), [`FakeDriver::claims`] a node's claims.
//! - **Test hooks**: [`FakeDriver::test_remove_vm`], [`FakeDriver::crash`],
//!   [`FakeDriver::set_nodes`], [`FakeDriver::restore_nodes`].
//! - **Faults and latency**: [`FaultLayer`] ([`Fault`], [`FaultPreset`]), a
//!   layer over any backend (the fake: [`FakeDriver::with_faults`]), through
//!   tokio's clock, so `tokio::time::pause()` keeps tests instant.
//! - **Migrations** between two `FakeDriver` values move the instance and its
//!   claim exactly once (see [Migrations](#migrations)).
//! - **Fixtures**: [`FakeDriver::export_state`] / [`FakeDriver::to_json`] and
//!   [`FakeDriverBuilder::build_with_state`] / [`FakeDriver::from_json`].
//! - **VirtAPI**: [`FakeVirtAPI`], which the driver holds by default
//!   ([`FakeDriverBuilder::virtapi`] to give another).
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
//!
//! # Events
//!
//! Every real change emits its event after the change, through the driver's
//! embedded [`EventSlot`](driver_api::EventSlot): no listener, no cost. A
//! listener runs with no lock held, so it may call back into the driver, and a
//! panicking listener is contained. Events of one instance are delivered in the
//! order its changes happened. With one caller, every event of a call is
//! delivered before the call returns; with concurrent callers, an event may be
//! delivered by another caller's thread, possibly after the call returned.
//!
//! # Migrations
//!
//! Each step is one call on one driver, as the caller drives the protocol:
//!
//! - cold: `migrate_disk_and_power_off` (source: powered off, keeps its claim)
//!   → `finish_migration` (destination: created and claimed; on the same host
//!   the claim is swapped for the new flavor's in place) → `confirm_migration`
//!   (source: removed and released; nothing for a same-host resize) or
//!   `finish_revert_migration` (source: back on; a same-host resize gets its
//!   old claim back).
//! - live: `check_can_live_migrate_destination` (capacity, identity) →
//!   `check_can_live_migrate_source` (running or paused, no flags) →
//!   `pre_live_migration` (destination: UUID, name and claim reserved) →
//!   `live_migration` (source: removed and released, `MigrationCompleted`, then
//!   `post`; on an injected failure `recover` with `Error` and the instance
//!   stays) → `post_live_migration_at_destination` (the reservation becomes a
//!   `Running` instance, `Started`) or `rollback_live_migration_at_destination`
//!   (the reservation is released; idempotent).
//!
//! Built with [`FakeDriverBuilder::live_migration_waits`], `live_migration` waits for
//! `live_migration_abort` (then `recover` with `Cancelled`, and `Ok`: an abort
//! is not a failure) or `live_migration_force_complete` (then as above).
//!
//! # Performance
//!
//! The fake is meant to be the fast part of any test or scale run:
//!
//! - instances live in shards (a mutex each) chosen by UUID; no call locks
//!   more than one shard, except the rare exact-capacity check below;
//! - resource claims are counted per shard under the shard's lock, from leases
//!   the shard takes from the node's ledger in chunks: spawns and destroys on
//!   different shards share no counter. When a ledger runs dry, the claim is
//!   retried with every shard locked and unused leases reclaimed, so
//!   `InsufficientResources` is exact;
//! - hashing keeps sequential keys (`Uuid::from_u128(i)`, `instance-0000000a`,
//!   `vm-17`) next to each other, so walking them in order stays in cache and
//!   their tables fill densely, while random keys spread as usual;
//! - the name index is keyed by each name's 64-bit hash: a call hashes a name
//!   once and compares names only on a hash match;
//! - a call runs its change at once: no nested futures, no await
//!   (`async_trait` boxes each call's future, so its size matters); faults
//!   and latency are a layer ([`FaultLayer`]), costing the fake nothing;
//! - the per-instance record is compact (112 bytes): short names and one VIF
//!   are kept inline, the console log is one packed word; rarely used parts
//!   (volumes, files, snapshots) are boxed on first use;
//! - events cost nothing without a listener; tracing events are cheap without
//!   a subscriber;
//! - [`FakeDriverBuilder::expected_instances`] sizes the store up front for
//!   scale runs.
//!
//! `examples/hot_paths.rs` times the hot paths on one thread.
//!
//! # Layout
//!
//! - `contract.rs`: `impl ComputeDriver for FakeDriver`, each method
//!   admission then one change named for it;
//! - `fake_driver.rs`: the driver's state and admission (`run`, `on`, ...);
//! - `lifecycle.rs`: the transition table applied to a record, `destroy`;
//! - `guest.rs`: spawn and the per-instance rest (info, listings, volumes,
//!   interfaces, files, snapshots, consoles, statistics);
//! - `migration/`: cold (`cold.rs`) and live (`live.rs`) moves;
//! - `host.rs`: nodes, resources, host switches; `inspect.rs`: test hooks;
//! - `export.rs` / `import.rs`: fixtures out and (checked) in;
//! - `store/`: the instance store behind one door (`store/mod.rs`): records,
//!   names, claims and the events queued per shard; nothing outside it
//!   touches a shard, a lock, a lease or the name index;
//! - `fault_layer.rs` / `faults.rs`: faults and latency as a layer;
//!   `virtapi.rs`: the fake VirtAPI; `builder.rs`: the builder.
//!
//! # Where the contract leaves room
//!
//! - `get_volume_connector`, `ensure_filtering_rules_for_instance` and
//!   `unfilter_instance` do not need the instance to be here (Nova calls them
//!   before it arrives or after it left); other per-instance methods answer
//!   `InstanceNotFound` (`destroy`: `Ok`; `snapshot`: `InstanceNotRunning`).
//! - `instance_on_disk` is `true` for an instance on this host.
//! - `block_stats` and `interface_stats` answer zero counters for any disk or
//!   interface id of an instance that is here (as Nova's fake).
//! - `test_remove_vm` releases the claim (the VM no longer uses the node) and
//!   emits nothing (nobody stopped it).
//! - `init_host` works read-only (it changes the node list, no instance);
//!   `restore_nodes` returns to the list the driver was built with.
//! - `post_live_migration_at_destination` without a reservation claims on
//!   arrival (as Nova's fake, which spawns there).
//! - Node UUIDs are UUID v5 of the node name in the DNS namespace
//!   ([`node_uuid`]); the console log keeps the last [`CONSOLE_LOG_LIMIT`]
//!   entries.
#![forbid(unsafe_code)]

mod builder;
mod contract;
mod export;
mod fake_driver;
mod fault_layer;
mod faults;
mod guest;
mod host;
mod import;
mod inspect;
mod lifecycle;
mod migration;
mod store;
mod unique_keys;
pub mod virtapi;

pub use builder::{
    FakeDriverBuilder, DEFAULT_HOST, DEFAULT_NODE, DEFAULT_SHARDS, MAX_EXPECTED_INSTANCES,
    MAX_SHARDS,
};
pub use export::{FakeState, IncomingState, StateError, MAX_STATE_JSON_BYTES};
pub use fake_driver::{FakeDriver, DRIVER_NAME};
pub use fault_layer::FaultLayer;
pub use faults::{ErrorFactory, Fault, FaultError, FaultInjector, FaultPreset, FaultSite, Times};
pub use guest::ROOT_DISK;
pub use host::{fake_cpu_info, HOST_IP, HYPERVISOR_TYPE, HYPERVISOR_VERSION};
pub use migration::LIVE_MIGRATION_WAIT_LIMIT;
pub use store::{
    node_uuid, ColdMigrationMark, ConsoleEntry, FakeInstance, FakeInterface, NodeSize,
    CONSOLE_BANNER, CONSOLE_LOG_LIMIT, MAX_CAPACITY,
};
pub use virtapi::FakeVirtAPI;

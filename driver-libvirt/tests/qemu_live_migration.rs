//! Tier 2: live migration between two libvirtd daemons on this machine (the
//! second started by `.ci/libvirtd.sh start-peer`, in its own mount and
//! hostname namespaces). Ignored (with the reason) unless asked for with
//! `--ignored` while `LIBVIRT_TIER2_URI` and `LIBVIRT_TIER2_PEER_URI` name the
//! two daemons; the abort and force-complete tests also boot the real guest OS
//! (`LIBVIRT_TIER2_GUEST`), whose memory takes seconds to copy at the 1 MiB/s
//! they set. Asked for without them, the tests fail.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use driver_api::{
    BlockDeviceInfo, ComputeDriver, Instance, LifecycleTransition, LiveMigrateData,
    LiveMigrationCallbacks, MigrationStatus, NodeResources, PowerState, RequestContext,
    ResourceAmounts,
};
use driver_libvirt::{GuestOs, LibvirtConfig, LibvirtDriver};

const HOST_A: &str = "lm-a";
const HOST_B: &str = "lm-b";

fn peer_uri() -> String {
    std::env::var("LIBVIRT_TIER2_PEER_URI").unwrap_or_else(|_| {
        panic!(
            "the live-migration tests were asked for, but LIBVIRT_TIER2_PEER_URI does not \
             name a second libvirtd (.ci/libvirtd.sh start-peer)"
        )
    })
}

/// A driver for `host` (on the first daemon, or on the peer), able to
/// live-migrate to the other.
async fn host(
    host: &str,
    on_peer: bool,
    tune: impl Fn(LibvirtConfig) -> LibvirtConfig,
) -> LibvirtDriver {
    let (first, peer) = (tier2_uri(), peer_uri());
    let mut config = tier2_config("lm")
        .with_live_migration_peer(HOST_A, first.clone())
        .with_live_migration_peer(HOST_B, peer.clone())
        .with_live_migration_uri("tcp://127.0.0.1");
    config.uri = Some(if on_peer { peer } else { first });
    let driver = LibvirtDriver::connect(tune(config)).await.unwrap();
    driver.init_host(host).await.unwrap();
    driver
}

async fn pair(tune: impl Fn(LibvirtConfig) -> LibvirtConfig) -> (LibvirtDriver, LibvirtDriver) {
    (
        host(HOST_A, false, &tune).await,
        host(HOST_B, true, &tune).await,
    )
}

/// Booting the real guest, with the migration stream throttled to 1 MiB/s so
/// that a migration stays in flight long enough to be aborted or forced.
fn slow_real_guest(mut config: LibvirtConfig) -> LibvirtConfig {
    let guest = std::env::var("LIBVIRT_TIER2_GUEST").unwrap_or_else(|_| {
        panic!("the abort and force-complete tests need LIBVIRT_TIER2_GUEST (.ci/guest-image.sh)")
    });
    config.guest_memory_mib = Some(192);
    config
        .with_guest_os(GuestOs::in_dir(guest))
        .with_live_migration_bandwidth(1)
}

async fn used(driver: &LibvirtDriver, node: &str) -> ResourceAmounts {
    driver.get_available_resource(node).await.unwrap().used()
}

async fn resources(driver: &LibvirtDriver, node: &str) -> NodeResources {
    driver.get_available_resource(node).await.unwrap()
}

/// Records the callbacks; `post` drives the destination, as Nova's does.
#[derive(Debug)]
struct Callbacks {
    destination: LibvirtDriver,
    calls: Mutex<Vec<String>>,
    /// Whether the destination listed the instance when `post` began.
    listed_before_post: Mutex<Vec<bool>>,
}

#[driver_api::async_trait]
impl LiveMigrationCallbacks for Callbacks {
    async fn post(&self, instance: &Instance, dest: &str, _data: &LiveMigrateData) {
        let listed = self.destination.instance_exists(instance).await.unwrap();
        self.listed_before_post.lock().unwrap().push(listed);
        let result = self
            .destination
            .post_live_migration_at_destination(
                &RequestContext::default(),
                instance,
                &[],
                false,
                &BlockDeviceInfo::default(),
            )
            .await;
        self.calls
            .lock()
            .unwrap()
            .push(format!("post({dest}) -> {}", result.is_ok()));
    }

    async fn recover(
        &self,
        _instance: &Instance,
        dest: &str,
        _data: &LiveMigrateData,
        status: MigrationStatus,
    ) {
        self.calls
            .lock()
            .unwrap()
            .push(format!("recover({dest}, {status:?})"));
    }
}

impl Callbacks {
    fn to(destination: &LibvirtDriver) -> Arc<Self> {
        Arc::new(Self {
            destination: destination.clone(),
            calls: Mutex::new(Vec::new()),
            listed_before_post: Mutex::new(Vec::new()),
        })
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

/// The checks and `pre_live_migration` for `vm` from `src` (host `from`) to
/// `dst` (host `to`).
async fn prepare(
    src: &LibvirtDriver,
    dst: &LibvirtDriver,
    vm: &Instance,
    from: &str,
    to: &str,
) -> LiveMigrateData {
    let ctx = RequestContext::default();
    let data = dst
        .check_can_live_migrate_destination(
            &ctx,
            vm,
            &resources(src, from).await,
            &resources(dst, to).await,
            false,
            false,
        )
        .await
        .unwrap();
    assert_eq!(data.dest_host, to);
    let data = src
        .check_can_live_migrate_source(&ctx, vm, &data)
        .await
        .unwrap();
    dst.pre_live_migration(&ctx, vm, &BlockDeviceInfo::default(), &[], &data)
        .await
        .unwrap()
}

/// Live-migrates `vm` from `src` to `dst`; the callbacks called and the time
/// `live_migration` took.
async fn migrate(
    src: &LibvirtDriver,
    dst: &LibvirtDriver,
    vm: &Instance,
    from: &str,
    to: &str,
) -> (Vec<String>, Duration) {
    let data = prepare(src, dst, vm, from, to).await;
    let callbacks = Callbacks::to(dst);
    let started = Instant::now();
    src.live_migration(
        &RequestContext::default(),
        vm,
        to,
        callbacks.clone(),
        false,
        &data,
    )
    .await
    .unwrap();
    (callbacks.calls(), started.elapsed())
}

#[tokio::test]
#[ignore = "tier 2 with a peer: needs LIBVIRT_TIER2_URI and LIBVIRT_TIER2_PEER_URI; run with --ignored"]
async fn a_running_guest_moves_to_the_peer_and_back() {
    let (a, b) = pair(|c| c).await;
    let (events_a, events_b) = (record_events(&a), record_events(&b));
    let name = format!("t2-lm-{}", uuid::Uuid::new_v4());
    let vm = instance(&name);
    // With a NIC: its tap moves too (under another name while both daemons,
    // which share this machine's network devices, hold the guest).
    let id = uuid::Uuid::new_v4();
    let subnet = driver_api::Subnet::new("10.0.0.0/24", None, vec![]);
    let nic = driver_api::Vif::new(
        id,
        "fa:16:3e:00:00:07",
        driver_api::Network::new(id, "private", subnet),
    );
    let devname = nic.devname.clone().unwrap();
    a.spawn(
        &RequestContext::default(),
        &vm,
        &driver_api::ImageMeta::new("image"),
        &[],
        None,
        &[nic],
        &BlockDeviceInfo::default(),
        true,
    )
    .await
    .unwrap();
    let claim = used(&a, HOST_A).await;
    assert_ne!(claim, ResourceAmounts::default());
    take(&events_a);

    let (calls, there) = migrate(&a, &b, &vm, HOST_A, HOST_B).await;
    assert_eq!(calls, vec![format!("post({HOST_B}) -> true")]);
    assert!(!a.instance_exists(&vm).await.unwrap());
    assert_eq!(b.list_instance_uuids().await.unwrap(), vec![vm.uuid]);
    assert_eq!(state(&b, &vm).await, PowerState::Running);
    assert_eq!(used(&a, HOST_A).await, ResourceAmounts::default());
    assert_eq!(used(&b, HOST_B).await, claim);
    assert_eq!(
        take(&events_a),
        vec![LifecycleTransition::MigrationCompleted]
    );
    assert_eq!(take(&events_b), vec![LifecycleTransition::Started]);
    // The guest kept running through the move: the same QEMU state, now on B,
    // answers B's calls (pause and unpause go to the peer's libvirt).
    b.pause(&vm).await.unwrap();
    assert_eq!(state(&b, &vm).await, PowerState::Paused);
    b.unpause(&vm).await.unwrap();
    b.interface_stats(&name, &devname).await.unwrap();
    take(&events_b);

    let (calls, back) = migrate(&b, &a, &vm, HOST_B, HOST_A).await;
    assert_eq!(calls, vec![format!("post({HOST_A}) -> true")]);
    assert!(!b.instance_exists(&vm).await.unwrap());
    assert_eq!(state(&a, &vm).await, PowerState::Running);
    assert_eq!(used(&b, HOST_B).await, ResourceAmounts::default());
    assert_eq!(used(&a, HOST_A).await, claim);
    assert_eq!(
        take(&events_b),
        vec![LifecycleTransition::MigrationCompleted]
    );
    assert_eq!(take(&events_a), vec![LifecycleTransition::Started]);
    a.interface_stats(&name, &devname).await.unwrap();
    eprintln!("live migration A -> B took {there:?}, B -> A {back:?}");

    // Its files came back with it: the root disk is A's again and B keeps none.
    assert!(std::fs::read_dir(b.work_dir())
        .unwrap()
        .flatten()
        .all(|e| !e
            .file_name()
            .to_string_lossy()
            .starts_with(&vm.uuid.to_string())));
    a.destroy(&vm, &[], &BlockDeviceInfo::default(), true)
        .await
        .unwrap();
}

/// A paused guest with a NIC: the destination does not list it until its
/// post adopts it, then it is `Running` there (the contract's arrival), and
/// its counters are read by MAC although its tap has an interim name.
#[tokio::test]
#[ignore = "tier 2 with a peer: needs LIBVIRT_TIER2_URI and LIBVIRT_TIER2_PEER_URI; run with --ignored"]
async fn a_paused_guest_arrives_unlisted_until_post_then_running() {
    let (a, b) = pair(|c| c).await;
    let vm = instance(&format!("t2-lm-paused-{}", uuid::Uuid::new_v4()));
    let id = uuid::Uuid::new_v4();
    let subnet = driver_api::Subnet::new("10.0.0.0/24", None, vec![]);
    let nic = driver_api::Vif::new(
        id,
        "fa:16:3e:00:00:09",
        driver_api::Network::new(id, "private", subnet),
    );
    let bdi = BlockDeviceInfo::default();
    a.spawn(
        &RequestContext::default(),
        &vm,
        &driver_api::ImageMeta::new("image"),
        &[],
        None,
        &[nic],
        &bdi,
        true,
    )
    .await
    .unwrap();
    a.pause(&vm).await.unwrap();
    let data = prepare(&a, &b, &vm, HOST_A, HOST_B).await;
    let callbacks = Callbacks::to(&b);
    a.live_migration(
        &RequestContext::default(),
        &vm,
        HOST_B,
        callbacks.clone(),
        false,
        &data,
    )
    .await
    .unwrap();
    assert_eq!(callbacks.calls(), vec![format!("post({HOST_B}) -> true")]);
    assert_eq!(*callbacks.listed_before_post.lock().unwrap(), vec![false]);
    assert_eq!(state(&b, &vm).await, PowerState::Running);
    let counters = b
        .get_all_bw_counters(std::slice::from_ref(&vm))
        .await
        .unwrap();
    assert_eq!(counters.len(), 1);
    b.destroy(&vm, &[], &bdi, true).await.unwrap();
}

#[tokio::test]
#[ignore = "tier 2 with a peer: needs LIBVIRT_TIER2_URI and LIBVIRT_TIER2_PEER_URI; run with --ignored"]
async fn a_rollback_releases_the_reservation_and_the_guest_stays() {
    let (a, b) = pair(|c| c).await;
    let vm = instance(&format!("t2-lm-{}", uuid::Uuid::new_v4()));
    spawn(&a, &vm).await;
    let claim = used(&a, HOST_A).await;
    prepare(&a, &b, &vm, HOST_A, HOST_B).await;
    assert_eq!(used(&b, HOST_B).await, claim, "pre_live_migration reserves");
    assert!(b.list_instance_uuids().await.unwrap().is_empty());
    for _ in 0..2 {
        b.rollback_live_migration_at_destination(
            &RequestContext::default(),
            &vm,
            &[],
            &BlockDeviceInfo::default(),
            true,
        )
        .await
        .unwrap();
        assert_eq!(used(&b, HOST_B).await, ResourceAmounts::default());
    }
    assert_eq!(state(&a, &vm).await, PowerState::Running);
    assert_eq!(used(&a, HOST_A).await, claim);
}

#[tokio::test]
#[ignore = "tier 2 with a peer: needs LIBVIRT_TIER2_URI and LIBVIRT_TIER2_PEER_URI; run with --ignored"]
async fn a_destination_without_a_peer_fails_the_migration_and_recovers() {
    let (a, b) = pair(|c| c).await;
    let vm = instance(&format!("t2-lm-{}", uuid::Uuid::new_v4()));
    spawn(&a, &vm).await;
    // As if a host "lm-nowhere" had answered the destination check (so the
    // target is one the protocol vouched for) but the source has no peer for it.
    let mut data = prepare(&a, &b, &vm, HOST_A, HOST_B).await;
    data.dest_host = "lm-nowhere".to_owned();
    let callbacks = Callbacks::to(&b);
    let result = a
        .live_migration(
            &RequestContext::default(),
            &vm,
            "lm-nowhere",
            callbacks.clone(),
            false,
            &data,
        )
        .await;
    assert_eq!(
        result.unwrap_err().kind(),
        driver_api::ErrorKind::MigrationFailed
    );
    assert_eq!(
        callbacks.calls(),
        vec!["recover(lm-nowhere, Error)".to_owned()]
    );
    assert_eq!(state(&a, &vm).await, PowerState::Running);
}

/// Starts a throttled migration of a booted guest A -> B and calls `signal`
/// on A until the migration ends; the callbacks called.
async fn migrate_while_signalling(
    abort: bool,
) -> (LibvirtDriver, LibvirtDriver, Instance, Vec<String>) {
    let (a, b) = pair(slow_real_guest).await;
    let vm = instance(&format!("t2-lm-{}", uuid::Uuid::new_v4()));
    spawn(&a, &vm).await;
    let data = prepare(&a, &b, &vm, HOST_A, HOST_B).await;
    let callbacks = Callbacks::to(&b);
    let migrating = {
        let (a, vm, callbacks) = (a.clone(), vm.clone(), callbacks.clone());
        tokio::spawn(async move {
            a.live_migration(
                &RequestContext::default(),
                &vm,
                HOST_B,
                callbacks,
                false,
                &data,
            )
            .await
        })
    };
    let started = Instant::now();
    while !migrating.is_finished() {
        if abort {
            a.live_migration_abort(&vm).await.unwrap();
        } else {
            a.live_migration_force_complete(&vm).await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    migrating.await.unwrap().unwrap();
    eprintln!(
        "{} after {:?}",
        if abort {
            "aborted"
        } else {
            "forced to complete"
        },
        started.elapsed()
    );
    (a, b, vm, callbacks.calls())
}

#[tokio::test]
#[ignore = "tier 2 with a peer and a guest OS: needs LIBVIRT_TIER2_URI, LIBVIRT_TIER2_PEER_URI and LIBVIRT_TIER2_GUEST; run with --ignored"]
async fn an_abort_cancels_the_migration_in_flight() {
    let (a, b, vm, calls) = migrate_while_signalling(true).await;
    assert_eq!(calls, vec![format!("recover({HOST_B}, Cancelled)")]);
    assert_eq!(state(&a, &vm).await, PowerState::Running);
    assert!(b.list_instance_uuids().await.unwrap().is_empty());
    b.rollback_live_migration_at_destination(
        &RequestContext::default(),
        &vm,
        &[],
        &BlockDeviceInfo::default(),
        true,
    )
    .await
    .unwrap();
    assert_eq!(used(&b, HOST_B).await, ResourceAmounts::default());
}

#[tokio::test]
#[ignore = "tier 2 with a peer and a guest OS: needs LIBVIRT_TIER2_URI, LIBVIRT_TIER2_PEER_URI and LIBVIRT_TIER2_GUEST; run with --ignored"]
async fn a_forced_completion_finishes_the_migration() {
    let (a, b, vm, calls) = migrate_while_signalling(false).await;
    assert_eq!(calls, vec![format!("post({HOST_B}) -> true")]);
    assert!(!a.instance_exists(&vm).await.unwrap());
    assert_eq!(state(&b, &vm).await, PowerState::Running);
}

//! Live migrations between two fake hosts: the instance and its claim move
//! exactly once, failures recover, and the fake's waiting mode (held open until
//! forced, aborted, dropped or timed out).

mod common;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use driver_api::{
    BlockDeviceInfo, ComputeDriver, DriverMethod, ErrorKind, Flavor, Instance,
    LifecycleTransition as Ev, LiveMigrateData, LiveMigrationCallbacks, MigrationStatus,
    NodeResources, PowerState, ResourceAmounts,
};
use driver_fake::{FakeDriver, Fault, FaultLayer, NodeSize};

use common::two_hosts::{host, tiny, total_instances};
use common::*;

/// Records callbacks; on `post`, completes the migration on the destination.
#[derive(Debug, Default)]
struct Callbacks {
    calls: Mutex<Vec<(&'static str, Option<MigrationStatus>)>>,
    destination: Option<Arc<FakeDriver>>,
}

#[async_trait]
impl LiveMigrationCallbacks for Callbacks {
    async fn post(&self, instance: &Instance, _dest: &str, _data: &LiveMigrateData) {
        self.calls.lock().unwrap().push(("post", None));
        if let Some(dst) = &self.destination {
            dst.post_live_migration_at_destination(
                &ctx(),
                instance,
                &[],
                false,
                &BlockDeviceInfo::default(),
            )
            .await
            .unwrap();
        }
    }

    async fn recover(&self, _: &Instance, _: &str, _: &LiveMigrateData, status: MigrationStatus) {
        self.calls.lock().unwrap().push(("recover", Some(status)));
    }
}

fn info(driver: &FakeDriver) -> NodeResources {
    NodeResources::new(
        driver.nodes()[0].clone(),
        driver.host(),
        ResourceAmounts::default(),
        ResourceAmounts::default(),
    )
}

/// The checks and pre-migration; returns the data for `live_migration`.
async fn prepare(src: &FakeDriver, dst: &FakeDriver, vm: &Instance) -> LiveMigrateData {
    let data = dst
        .check_can_live_migrate_destination(&ctx(), vm, &info(src), &info(dst), false, false)
        .await
        .unwrap();
    let data = src
        .check_can_live_migrate_source(&ctx(), vm, &data)
        .await
        .unwrap();
    assert_eq!(data.source_host.as_deref(), Some("src"));
    dst.check_can_live_migrate_destination_cleanup(&ctx(), &data)
        .await
        .unwrap();
    dst.pre_live_migration(&ctx(), vm, &BlockDeviceInfo::default(), &[], &data)
        .await
        .unwrap()
}

#[test]
fn live_migration_moves_instance_and_claim_once() {
    rt().block_on(async {
        let (src, dst) = (host("src"), Arc::new(host("dst")));
        let src_events = Recorder::attach(&src);
        let dst_events = Recorder::attach(&dst);
        let vm = instance("vm");
        spawn(&src, &vm).await.unwrap();
        let data = prepare(&src, &dst, &vm).await;
        assert_eq!(dst.claims("dst-node"), Some(tiny()));
        assert_eq!(dst.incoming_migrations(), [vm.uuid]);
        assert!(dst.list_instances().await.unwrap().is_empty());
        // The reserved UUID and name are taken on the destination.
        assert_eq!(
            spawn(&*dst, &vm).await.unwrap_err().kind(),
            ErrorKind::InstanceExists
        );
        let callbacks = Arc::new(Callbacks {
            destination: Some(dst.clone()),
            ..Callbacks::default()
        });
        src.live_migration(&ctx(), &vm, "dst", callbacks.clone(), false, &data)
            .await
            .unwrap();
        assert_eq!(*callbacks.calls.lock().unwrap(), [("post", None)]);
        assert_eq!(total_instances(&src, &dst, vm.uuid), 1);
        assert!(src.instance(vm.uuid).is_none());
        assert_eq!(src.claims("src-node"), Some(ResourceAmounts::default()));
        assert_eq!(dst.claims("dst-node"), Some(tiny()));
        assert_eq!(dst.get_info(&vm).await.unwrap().state, PowerState::Running);
        assert!(dst.incoming_migrations().is_empty());
        assert_eq!(
            src_events.transitions(),
            [Ev::Started, Ev::MigrationCompleted]
        );
        assert_eq!(dst_events.transitions(), [Ev::Started]);
    });
}

#[test]
fn live_migration_failure_recovers_and_rollback_releases() {
    rt().block_on(async {
        let (src, dst) = (Arc::new(host("src")), Arc::new(host("dst")));
        let vm = instance("vm");
        spawn(&*src, &vm).await.unwrap();
        let data = prepare(&src, &dst, &vm).await;
        let faulty =
            FaultLayer::new(src.clone()).with_fault(Fault::on(DriverMethod::LiveMigration));
        let callbacks = Arc::new(Callbacks::default());
        let err = faulty
            .live_migration(&ctx(), &vm, "dst", callbacks.clone(), false, &data)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Backend);
        assert_eq!(
            *callbacks.calls.lock().unwrap(),
            [("recover", Some(MigrationStatus::Error))]
        );
        assert_eq!(src.get_info(&vm).await.unwrap().state, PowerState::Running);
        assert_eq!(src.claims("src-node"), Some(tiny()));
        for _ in 0..2 {
            dst.rollback_live_migration_at_destination(
                &ctx(),
                &vm,
                &[],
                &BlockDeviceInfo::default(),
                true,
            )
            .await
            .unwrap();
        }
        assert_eq!(dst.claims("dst-node"), Some(ResourceAmounts::default()));
        assert!(dst.incoming_migrations().is_empty());
        spawn(&*dst, &instance("vm")).await.unwrap(); // the name is free again
        assert_eq!(total_instances(&src, &dst, vm.uuid), 1);
    });
}

#[test]
fn live_migration_preconditions() {
    rt().block_on(async {
        let (src, dst) = (host("src"), host("dst"));
        let small_dst = FakeDriver::builder()
            .host("small")
            .node_size(NodeSize::Small)
            .build();
        let vm = instance("vm").with_flavor(Flavor::m1_large());
        spawn(&src, &vm).await.unwrap();
        let err = small_dst
            .check_can_live_migrate_destination(
                &ctx(),
                &vm,
                &info(&src),
                &info(&small_dst),
                false,
                false,
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InsufficientResources);
        let err = small_dst
            .pre_live_migration(
                &ctx(),
                &vm,
                &BlockDeviceInfo::default(),
                &[],
                &LiveMigrateData::new("small"),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InsufficientResources);
        assert!(small_dst.incoming_migrations().is_empty());
        let err = src
            .check_can_live_migrate_destination(&ctx(), &vm, &info(&src), &info(&src), false, false)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceExists);
        src.power_off(&vm, Default::default()).await.unwrap();
        let data = LiveMigrateData::new("dst");
        let err = src
            .check_can_live_migrate_source(&ctx(), &vm, &data)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidState);
        let callbacks = Arc::new(Callbacks::default());
        let err = src
            .live_migration(&ctx(), &vm, "dst", callbacks.clone(), false, &data)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidState);
        let ghost = instance("ghost");
        let err = src
            .live_migration(&ctx(), &ghost, "dst", callbacks.clone(), false, &data)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
        assert!(callbacks.calls.lock().unwrap().is_empty());
        let err = dst
            .post_live_migration_at_destination(
                &ctx(),
                &ghost,
                &[],
                false,
                &BlockDeviceInfo::default(),
            )
            .await;
        // Without a reservation the destination claims on arrival.
        err.unwrap();
        assert_eq!(dst.claims("dst-node"), Some(tiny()));
        let err = dst
            .post_live_migration_at_destination(
                &ctx(),
                &ghost,
                &[],
                false,
                &BlockDeviceInfo::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceExists);
        for result in [
            src.live_migration_abort(&ghost).await,
            src.live_migration_force_complete(&ghost).await,
        ] {
            assert_eq!(result.unwrap_err().kind(), ErrorKind::InstanceNotFound);
        }
    });
}

fn paused_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
}

#[test]
fn waiting_live_migration_aborted_recovers_with_cancelled() {
    paused_rt().block_on(async {
        let src = Arc::new(
            FakeDriver::builder()
                .host("src")
                .live_migration_waits(true)
                .build(),
        );
        let dst = Arc::new(host("dst"));
        let vm = instance("vm");
        spawn(&*src, &vm).await.unwrap();
        let data = prepare(&src, &dst, &vm).await;
        let callbacks = Arc::new(Callbacks::default());
        let task = {
            let (src, vm, callbacks) = (src.clone(), vm.clone(), callbacks.clone());
            tokio::spawn(async move {
                src.live_migration(&ctx(), &vm, "dst", callbacks, false, &data)
                    .await
            })
        };
        tokio::task::yield_now().await;
        assert!(callbacks.calls.lock().unwrap().is_empty());
        src.live_migration_abort(&vm).await.unwrap();
        task.await.unwrap().unwrap();
        assert_eq!(
            *callbacks.calls.lock().unwrap(),
            [("recover", Some(MigrationStatus::Cancelled))]
        );
        assert_eq!(src.get_info(&vm).await.unwrap().state, PowerState::Running);
        assert_eq!(src.claims("fake-mini"), Some(tiny()));
    });
}

#[test]
fn waiting_live_migration_force_completed_posts() {
    paused_rt().block_on(async {
        let src = Arc::new(
            FakeDriver::builder()
                .host("src")
                .live_migration_waits(true)
                .build(),
        );
        let dst = Arc::new(host("dst"));
        let vm = instance("vm");
        spawn(&*src, &vm).await.unwrap();
        let data = prepare(&src, &dst, &vm).await;
        let callbacks = Arc::new(Callbacks {
            destination: Some(dst.clone()),
            ..Callbacks::default()
        });
        let task = {
            let (src, vm, callbacks) = (src.clone(), vm.clone(), callbacks.clone());
            tokio::spawn(async move {
                src.live_migration(&ctx(), &vm, "dst", callbacks, false, &data)
                    .await
            })
        };
        tokio::task::yield_now().await;
        // A second migration of the same instance is refused while one waits.
        let err = src
            .live_migration(
                &ctx(),
                &vm,
                "dst",
                Arc::new(Callbacks::default()),
                false,
                &LiveMigrateData::new("dst"),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidState);
        src.live_migration_force_complete(&vm).await.unwrap();
        task.await.unwrap().unwrap();
        assert_eq!(*callbacks.calls.lock().unwrap(), [("post", None)]);
        assert_eq!(total_instances(&src, &dst, vm.uuid), 1);
        assert!(dst.instance(vm.uuid).is_some());
    });
}

#[test]
fn waiting_live_migration_completes_after_the_wait_limit() {
    paused_rt().block_on(async {
        let src = FakeDriver::builder().live_migration_waits(true).build();
        let vm = instance("vm");
        spawn(&src, &vm).await.unwrap();
        let callbacks = Arc::new(Callbacks::default());
        src.live_migration(
            &ctx(),
            &vm,
            "dst",
            callbacks.clone(),
            false,
            &LiveMigrateData::new("dst"),
        )
        .await
        .unwrap();
        assert_eq!(*callbacks.calls.lock().unwrap(), [("post", None)]);
        assert!(src.instance(vm.uuid).is_none());
    });
}

/// Dropping a waiting `live_migration` changes nothing (the trait's rule for a
/// future dropped before completion): no waiter is left behind, so the next
/// `live_migration` of the instance waits again instead of being refused, and
/// the instance and its claim stay where they were.
#[test]
fn waiting_live_migration_dropped_leaves_no_waiter() {
    paused_rt().block_on(async {
        let src = Arc::new(
            FakeDriver::builder()
                .host("src")
                .live_migration_waits(true)
                .build(),
        );
        let dst = Arc::new(host("dst"));
        let vm = instance("vm");
        spawn(&*src, &vm).await.unwrap();
        let data = prepare(&src, &dst, &vm).await;
        let dropped = Arc::new(Callbacks::default());
        let first = tokio::time::timeout(
            std::time::Duration::ZERO,
            src.live_migration(&ctx(), &vm, "dst", dropped.clone(), false, &data),
        )
        .await;
        assert!(
            first.is_err(),
            "a waiting live migration completed on its first poll"
        );
        assert!(dropped.calls.lock().unwrap().is_empty());
        assert_eq!(src.get_info(&vm).await.unwrap().state, PowerState::Running);
        assert_eq!(src.claims("fake-mini"), Some(tiny()));
        let callbacks = Arc::new(Callbacks::default());
        let task = {
            let (src, vm, callbacks) = (src.clone(), vm.clone(), callbacks.clone());
            tokio::spawn(async move {
                src.live_migration(&ctx(), &vm, "dst", callbacks, false, &data)
                    .await
            })
        };
        tokio::task::yield_now().await;
        src.live_migration_abort(&vm).await.unwrap();
        task.await.unwrap().unwrap();
        assert_eq!(
            *callbacks.calls.lock().unwrap(),
            [("recover", Some(MigrationStatus::Cancelled))]
        );
        assert!(dropped.calls.lock().unwrap().is_empty());
        assert_eq!(src.get_info(&vm).await.unwrap().state, PowerState::Running);
    });
}

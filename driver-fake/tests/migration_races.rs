//! Concurrent live and cold migrations between two hosts, racing each other
//! and lifecycle noise: every instance ends on exactly one host, with its
//! claim there and nowhere else, and no reservation is left behind.

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use driver_api::{
    BlockDeviceInfo, ComputeDriver, Flavor, ImageMeta, Instance, LiveMigrateData,
    LiveMigrationCallbacks, Migration, MigrationStatus, ResourceAmounts,
};
use driver_fake::FakeDriver;
use uuid::Uuid;

use common::*;

const INSTANCES: u64 = 24;

/// Completes the migration on the destination from `post`.
#[derive(Debug)]
struct Arrive(Arc<FakeDriver>);

#[async_trait]
impl LiveMigrationCallbacks for Arrive {
    async fn post(&self, instance: &Instance, _: &str, _: &LiveMigrateData) {
        // The reservation made by this caller's pre_live_migration.
        let _ = self
            .0
            .post_live_migration_at_destination(
                &ctx(),
                instance,
                &[],
                false,
                &BlockDeviceInfo::default(),
            )
            .await;
    }

    async fn recover(&self, instance: &Instance, _: &str, _: &LiveMigrateData, _: MigrationStatus) {
        let _ = self
            .0
            .rollback_live_migration_at_destination(
                &ctx(),
                instance,
                &[],
                &BlockDeviceInfo::default(),
                true,
            )
            .await;
    }
}

fn vm_of(slot: u64) -> Instance {
    let flavor = if slot % 2 == 0 {
        Flavor::m1_tiny()
    } else {
        Flavor::m1_small()
    };
    Instance::new(Uuid::from_u128(0xA000 + u128::from(slot)), flavor)
        .with_name(format!("vm-{slot}"))
}

async fn live(src: &FakeDriver, dst: &Arc<FakeDriver>, vm: &Instance) {
    let bdi = BlockDeviceInfo::default();
    let Ok(data) = src
        .check_can_live_migrate_source(&ctx(), vm, &LiveMigrateData::new(dst.host()))
        .await
    else {
        return;
    };
    if dst
        .pre_live_migration(&ctx(), vm, &bdi, &[], &data)
        .await
        .is_err()
    {
        return;
    }
    let callbacks = Arc::new(Arrive(dst.clone()));
    if src
        .live_migration(&ctx(), vm, &dst.host(), callbacks, false, &data)
        .await
        .is_err()
    {
        // Refused before any callback (e.g. it was powered off meanwhile).
        let _ = dst
            .rollback_live_migration_at_destination(&ctx(), vm, &[], &bdi, true)
            .await;
    }
}

async fn cold(src: &FakeDriver, dst: &FakeDriver, vm: &Instance) {
    let bdi = BlockDeviceInfo::default();
    let Ok(disks) = src
        .migrate_disk_and_power_off(&ctx(), vm, &dst.host(), &vm.flavor, &[], &bdi)
        .await
    else {
        return;
    };
    let migration = Migration::new(vm.uuid, src.host(), dst.host());
    let arrived = dst
        .finish_migration(
            &ctx(),
            &migration,
            vm,
            &disks,
            &[],
            &ImageMeta::default(),
            false,
            &bdi,
            true,
        )
        .await;
    if arrived.is_ok() {
        if src.confirm_migration(&migration, vm, &[]).await.is_err() {
            // Refused: the source copy is no longer moving out (another
            // move's revert ended it meanwhile), so this move is undone where
            // it arrived, as a caller whose confirm fails does.
            let _ = dst.destroy(vm, &[], &bdi, true).await;
        }
    } else {
        let _ = src.finish_revert_migration(vm, &[], &bdi, true).await;
    }
}

#[test]
fn racing_migrations_move_each_instance_exactly_once() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .build()
        .unwrap();
    let hosts = [
        Arc::new(
            FakeDriver::builder()
                .host("h0")
                .nodes(["n0"])
                .shards(4)
                .build(),
        ),
        Arc::new(
            FakeDriver::builder()
                .host("h1")
                .nodes(["n1"])
                .shards(4)
                .build(),
        ),
    ];
    let recorders = [Recorder::attach(&hosts[0]), Recorder::attach(&hosts[1])];
    runtime.block_on(async {
        for slot in 0..INSTANCES {
            spawn(&*hosts[(slot % 2) as usize], &vm_of(slot))
                .await
                .unwrap();
        }
        let tasks: Vec<_> = (0..6u64)
            .map(|task| {
                let hosts = hosts.clone();
                tokio::spawn(async move {
                    let mut dice = 0x2545_F491_4F6C_DD1D ^ (task + 1);
                    for _ in 0..400 {
                        dice ^= dice << 13;
                        dice ^= dice >> 7;
                        dice ^= dice << 17;
                        let vm = vm_of(dice % INSTANCES);
                        let (a, b) = (&hosts[0], &hosts[1]);
                        let (src, dst) = if a.instance(vm.uuid).is_some() {
                            (a, b)
                        } else {
                            (b, a)
                        };
                        match (dice >> 16) % 6 {
                            0..=2 => live(src, dst, &vm).await,
                            3 => cold(src, dst, &vm).await,
                            4 => {
                                let _ = src.pause(&vm).await;
                                let _ = src.unpause(&vm).await;
                            }
                            _ => {
                                let _ = src.power_off(&vm, Default::default()).await;
                                let _ = src
                                    .power_on(&ctx(), &vm, &[], &BlockDeviceInfo::default())
                                    .await;
                            }
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    let live_moves: usize = recorders
        .iter()
        .map(|r| {
            r.transitions()
                .iter()
                .filter(|t| **t == driver_api::LifecycleTransition::MigrationCompleted)
                .count()
        })
        .sum();
    assert!(
        live_moves > 200,
        "only {live_moves} live migrations completed"
    );
    for slot in 0..INSTANCES {
        let uuid = vm_of(slot).uuid;
        let holders = hosts.iter().filter(|h| h.instance(uuid).is_some()).count();
        assert_eq!(holders, 1, "vm-{slot} is on {holders} hosts");
    }
    for (host, node) in hosts.iter().zip(["n0", "n1"]) {
        assert!(host.incoming_migrations().is_empty());
        let sum = host
            .instances()
            .iter()
            .fold(ResourceAmounts::default(), |s, i| {
                s.saturating_add(&i.claim)
            });
        assert_eq!(host.claims(node), Some(sum), "{node}");
        for instance in host.instances() {
            assert_eq!(instance.node, node);
        }
    }
}

//! Futures dropped at random points under injected latency leave no partial
//! instance, claim, volume, interface or reservation.

mod common;

use std::time::Duration;

use driver_api::{
    BlockDeviceInfo, ComputeDriver, ConnectionInfo, DriverMethod as M, DriverResult, Flavor,
    ImageMeta, Instance, LiveMigrateData, Migration, ResourceAmounts,
};
use driver_fake::{FakeDriver, FakeState};
use uuid::Uuid;

use common::*;

const LATENCY: Duration = Duration::from_millis(10);
const SLOTS: u64 = 6;

/// A small deterministic generator (xorshift64*).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn vm_of(slot: u64) -> Instance {
    let flavor = if slot % 2 == 0 {
        Flavor::m1_tiny()
    } else {
        Flavor::m1_small()
    };
    Instance::new(Uuid::from_u128(u128::from(slot) + 1), flavor).with_name(format!("vm-{slot}"))
}

async fn call(driver: &dyn ComputeDriver, op: u64, vm: &Instance, k: u64) -> DriverResult<()> {
    let (ctx, bdi) = (ctx(), BlockDeviceInfo::default());
    let volume = ConnectionInfo::new("iscsi", format!("vol-{k}"));
    let mountpoint = format!("/dev/vd{}", ["b", "c"][k as usize % 2]);
    let nic = common::vif("aa:bb:cc:dd:ee:01");
    let mut nic = nic;
    nic.id = Uuid::from_u128(0xBEEF + u128::from(k % 2));
    match op {
        0 => spawn_with(driver, vm, std::slice::from_ref(&nic), k % 3 != 0).await,
        1 => destroy(driver, vm).await,
        2 => driver.attach_volume(&volume, vm, &mountpoint).await,
        3 => driver.detach_volume(&volume, vm, &mountpoint).await,
        4 => {
            driver
                .attach_interface(vm, &ImageMeta::default(), &nic)
                .await
        }
        5 => driver.detach_interface(vm, &nic).await,
        6 => driver.pause(vm).await,
        7 => driver.power_off(vm, Duration::ZERO).await,
        8 => driver
            .pre_live_migration(
                &ctx,
                vm,
                &bdi,
                std::slice::from_ref(&nic),
                &LiveMigrateData::new("h"),
            )
            .await
            .map(drop),
        9 => {
            driver
                .post_live_migration_at_destination(&ctx, vm, &[], false, &bdi)
                .await
        }
        10 => {
            driver
                .rollback_live_migration_at_destination(&ctx, vm, &[], &bdi, true)
                .await
        }
        _ => {
            let migration = Migration::new(vm.uuid, "elsewhere", "fake-host");
            driver
                .finish_migration(
                    &ctx,
                    &migration,
                    vm,
                    &vec![],
                    &[],
                    &ImageMeta::default(),
                    false,
                    &bdi,
                    true,
                )
                .await
        }
    }
}

/// Claims on the node equal the sum of the instances' and reservations'.
fn assert_accounting(state: &FakeState) {
    let mut sum = ResourceAmounts::default();
    for instance in &state.instances {
        sum = sum.saturating_add(&instance.claim);
    }
    for incoming in &state.incoming {
        sum = sum.saturating_add(&incoming.claim);
    }
    let driver = FakeDriver::builder()
        .build_with_state(state.clone())
        .unwrap();
    assert_eq!(driver.claims("fake-mini"), Some(sum));
}

#[test]
fn dropped_futures_leave_no_partial_state() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut driver = FakeDriver::new().with_faults();
        for method in [
            M::Spawn,
            M::Destroy,
            M::AttachVolume,
            M::DetachVolume,
            M::AttachInterface,
            M::DetachInterface,
            M::Pause,
            M::PowerOff,
            M::PreLiveMigration,
            M::PostLiveMigrationAtDestination,
            M::RollbackLiveMigrationAtDestination,
            M::FinishMigration,
        ] {
            driver = driver.with_latency(method, LATENCY);
        }
        let mut dice = Dice(0x5EED_1234_ABCD_0001);
        let (mut dropped, mut completed) = (0, 0);
        for _ in 0..3000 {
            let vm = vm_of(dice.below(SLOTS));
            let (op, k) = (dice.below(12), dice.below(4));
            let before = driver.get_ref().export_state();
            // Sometimes well before the latency ends, sometimes right at it,
            // sometimes after.
            let deadline = match dice.below(3) {
                0 => Duration::from_micros(dice.below(10_000)),
                1 => LATENCY - Duration::from_nanos(1),
                _ => LATENCY + Duration::from_millis(dice.below(5)),
            };
            match tokio::time::timeout(deadline, call(&driver, op, &vm, k)).await {
                Err(_) => {
                    dropped += 1;
                    assert_eq!(
                        driver.get_ref().export_state(),
                        before,
                        "dropped op {op} changed state"
                    );
                }
                Ok(Err(_)) => {
                    completed += 1;
                    assert_eq!(
                        driver.get_ref().export_state(),
                        before,
                        "failed op {op} changed state"
                    );
                }
                Ok(Ok(())) => completed += 1,
            }
        }
        assert!(
            dropped > 600 && completed > 600,
            "{dropped} dropped, {completed} completed"
        );
        let state = driver.get_ref().export_state();
        assert_accounting(&state);
        let mut names = driver.list_instances().await.unwrap();
        names.sort();
        let expected: Vec<String> = state.instances.iter().map(|i| i.name.clone()).collect();
        assert_eq!(names, expected);
        // Every name not held is free: a spawn of it succeeds.
        for slot in 0..SLOTS {
            let vm = vm_of(slot);
            let held = state.instances.iter().any(|i| i.uuid == vm.uuid)
                || state.incoming.iter().any(|i| i.uuid == vm.uuid);
            driver.faults().clear();
            let fresh = Instance::new(Uuid::new_v4(), Flavor::m1_tiny()).with_name(vm.name.clone());
            assert_eq!(spawn(&driver, &fresh).await.is_ok(), !held, "{}", vm.name);
        }
    });
}

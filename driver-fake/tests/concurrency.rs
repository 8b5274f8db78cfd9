//! Many tasks on a multi-threaded runtime hammering shared instances: the
//! accounting, listing and per-instance event-order invariants hold exactly.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use driver_api::{
    BlockDeviceInfo, ComputeDriver, ConnectionInfo, Flavor, ImageMeta, Instance,
    LifecycleTransition as Ev, PowerState, RebootType, ResourceAmounts, Secret,
};
use driver_fake::{FakeDriver, NodeSize};
use uuid::Uuid;

use common::*;

const TASKS: u64 = 8;
const OPS_PER_TASK: u64 = 12_500;
const SLOTS: u64 = 96;

fn vm_of(slot: u64) -> Instance {
    let flavor = if slot % 3 == 0 {
        Flavor::m1_small()
    } else {
        Flavor::m1_tiny()
    };
    Instance::new(Uuid::from_u128(u128::from(slot) + 1), flavor).with_name(format!("vm-{slot}"))
}

async fn one_op(driver: &FakeDriver, dice: u64) {
    let vm = vm_of(dice % SLOTS);
    let (ctx, bdi) = (ctx(), BlockDeviceInfo::default());
    let k = (dice >> 20) % 2;
    let volume = ConnectionInfo::new("iscsi", "vol");
    let mountpoint = ["/dev/vdb", "/dev/vdc"][k as usize];
    let mut nic = common::vif("aa:bb:cc:dd:ee:ff");
    nic.id = Uuid::from_u128(0xC0FFEE + u128::from(k));
    // Every outcome is legal here; the invariants are checked at the end.
    let _ = match (dice >> 8) % 20 {
        0..=2 => spawn_with(driver, &vm, std::slice::from_ref(&nic), k == 0).await,
        3 | 4 => destroy(driver, &vm).await,
        5 => driver.pause(&vm).await,
        6 => driver.unpause(&vm).await,
        7 => driver.power_off(&vm, Duration::ZERO).await,
        8 => driver.power_on(&ctx, &vm, &[], &bdi).await,
        9 => driver.suspend(&vm).await,
        10 => driver.resume(&vm, &[], &bdi).await,
        11 => driver.reboot(&ctx, &vm, &[], RebootType::Hard, &bdi).await,
        12 => {
            driver
                .rescue(&ctx, &vm, &[], &ImageMeta::default(), Secret::new(""))
                .await
        }
        13 => driver.unrescue(&vm, &[]).await,
        14 => driver.soft_delete(&vm).await,
        15 => driver.restore(&vm).await,
        16 => driver.attach_volume(&volume, &vm, mountpoint).await,
        17 => driver.detach_volume(&volume, &vm, mountpoint).await,
        18 => driver.crash(vm.uuid),
        _ => driver.get_info(&vm).await.map(drop),
    };
}

#[test]
fn concurrent_mixed_operations_keep_every_invariant() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .build()
        .unwrap();
    // Small enough that spawns compete for capacity.
    let capacity = ResourceAmounts::new(80, 80 * 1024, 1000);
    let driver = Arc::new(
        FakeDriver::builder()
            .node_size(NodeSize::Custom(capacity))
            .shards(8)
            .build(),
    );
    let events = Recorder::attach(&driver);
    runtime.block_on(async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|task| {
                let driver = driver.clone();
                tokio::spawn(async move {
                    let mut state = 0x9E37_79B9_7F4A_7C15 ^ (task + 1);
                    for i in 0..OPS_PER_TASK {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        one_op(&driver, state).await;
                        if i % 64 == 0 {
                            tokio::task::yield_now().await;
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });

    // Accounting: the node's claims are exactly the sum of its instances'.
    let instances = driver.instances();
    let sum = instances.iter().fold(ResourceAmounts::default(), |s, i| {
        s.saturating_add(&i.claim)
    });
    assert_eq!(driver.claims("fake-mini"), Some(sum));
    assert!(sum.fits_in(&capacity));
    for instance in &instances {
        assert_eq!(
            instance.claim,
            ResourceAmounts::of_flavor(&vm_of(instance.uuid.as_u128() as u64 - 1).flavor)
        );
    }

    // Listing: names, UUIDs and the count agree with the records.
    runtime.block_on(async {
        let mut names = driver.list_instances().await.unwrap();
        names.sort();
        let expected: Vec<String> = instances.iter().map(|i| i.name.clone()).collect();
        assert_eq!(names, expected);
        let uuids: BTreeSet<Uuid> = driver
            .list_instance_uuids()
            .await
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(uuids, instances.iter().map(|i| i.uuid).collect());
        assert_eq!(driver.get_num_instances().await.unwrap(), instances.len());
    });

    // Events: per instance, the last event delivered matches its final state.
    let mut last: BTreeMap<Uuid, Ev> = BTreeMap::new();
    for event in events.0.lock().unwrap().iter() {
        last.insert(event.instance_uuid, event.transition);
    }
    let present: BTreeMap<Uuid, PowerState> =
        instances.iter().map(|i| (i.uuid, i.state())).collect();
    for slot in 0..SLOTS {
        let uuid = vm_of(slot).uuid;
        let last = last.get(&uuid).copied();
        let consistent = match present.get(&uuid) {
            None => matches!(last, None | Some(Ev::Stopped)),
            Some(PowerState::Running) => matches!(last, Some(Ev::Started | Ev::Resumed)),
            Some(PowerState::Paused) => last == Some(Ev::Paused),
            Some(PowerState::Suspended) => last == Some(Ev::Suspended),
            Some(PowerState::Shutdown | PowerState::Crashed) => {
                matches!(last, None | Some(Ev::Stopped))
            }
            Some(PowerState::NoState) => false,
        };
        assert!(
            consistent,
            "{uuid}: state {:?}, last event {last:?}",
            present.get(&uuid)
        );
    }
}

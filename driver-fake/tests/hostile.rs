//! Arbitrary input through the public methods and the JSON import: names,
//! sizes, paths, mountpoints, MACs, hosts and bytes from proptest strategies.
//! After every call: no panic, and the invariants hold (each node's used
//! figure is the sum of its live claims and reservations; each instance is
//! listed once; an error changed nothing). Every generated state survives
//! export → import → export unchanged.
//!
//! `cargo test` runs 32 sequences and 256 imports; set `FAKE_INPUT_CASES=5000`
//! (or more) for the nightly-sized run.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use base64::Engine as _;
use common::{ctx, rt, vif};
use driver_api::testkit::NoCallbacks;
use driver_api::{
    BlockDeviceInfo, BlockDeviceMapping, ComputeDriver, ConnectionInfo, DriverResult, Flavor,
    ImageMeta, InjectedFile, Instance, LiveMigrateData, Migration, RebootType, ResourceAmounts,
    Vif,
};
use driver_fake::{FakeDriver, NodeSize};
use proptest::prelude::*;
use proptest::test_runner::Config;
use uuid::Uuid;

/// Text a hostile caller would try: empty, plausible, paths, device names,
/// MAC-like, and anything at all.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        6 => "[a-z]{1,4}",
        1 => "/dev/[a-z0-9._-]{0,4}",
        1 => "(/[a-z.]{0,3}){0,3}",
        1 => "[0-9a-fA-F:]{15,18}",
        1 => "fa:16:3e:0[0-9]:00:0[0-9]",
        1 => "\\PC{0,6}",
        1 => ".{0,6}",
        1 => Just("fake-host".to_owned()),
        1 => Just("fake-mini".to_owned()),
    ]
}

/// Mostly valid mountpoints, else anything.
fn mountpoint() -> impl Strategy<Value = String> {
    prop_oneof![3 => "/dev/vd[b-e]", 1 => text()]
}

/// Mostly valid MACs, else anything.
fn mac() -> impl Strategy<Value = String> {
    prop_oneof![3 => "fa:16:3e:0[0-9]:00:0[0-9]", 1 => text()]
}

/// Mostly valid file paths, else anything.
fn path() -> impl Strategy<Value = String> {
    prop_oneof![3 => "/[a-z]{1,3}(/[a-z.]{1,3}){0,2}", 1 => text()]
}

fn size() -> impl Strategy<Value = u64> {
    prop_oneof![
        12 => 0..4u64,
        1 => Just(u64::MAX),
        1 => Just(u64::MAX / 2),
        1 => Just(i64::MAX.unsigned_abs()),
        1 => any::<u64>(),
    ]
}

#[derive(Clone, Debug)]
struct Spec {
    name: String,
    node: Option<String>,
    vcpus: u32,
    memory: u64,
    root: u64,
    ephemeral: u64,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        text(),
        proptest::option::weighted(0.2, text()),
        prop_oneof![8 => 0..3u32, 1 => Just(u32::MAX)],
        size(),
        size(),
        size(),
    )
        .prop_map(|(name, node, vcpus, memory, root, ephemeral)| Spec {
            name,
            node,
            vcpus,
            memory,
            root,
            ephemeral,
        })
}

#[derive(Clone, Debug)]
enum Op {
    Spawn(
        Spec,
        usize,
        Option<String>,
        Option<String>,
        Option<String>,
        bool,
    ),
    Destroy(usize),
    Lifecycle(usize, u8),
    AttachVolume(usize, String, usize),
    DetachVolume(usize, String),
    InjectFile(usize, String),
    AttachInterface(usize, String),
    MigrateOut(usize, String),
    Confirm(usize, bool, bool),
    Revert(usize, bool),
    FinishMigration(Spec, usize, bool),
    PreLive(Spec, usize),
    PostLive(Spec, usize),
    Rollback(usize),
    Live(usize, String),
    InitHost(String),
    ByName(String, u8),
    HostCall(String, u8),
    Snapshot(usize, String),
    Console(usize, u8),
    DetachInterface(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let pick = 0..4usize;
    prop_oneof![
        4 => (spec(), pick.clone(), proptest::option::weighted(0.2, path()),
              proptest::option::weighted(0.2, mac()),
              proptest::option::weighted(0.2, mountpoint()), any::<bool>())
            .prop_map(|(s, i, f, m, v, p)| Op::Spawn(s, i, f, m, v, p)),
        1 => pick.clone().prop_map(Op::Destroy),
        2 => (pick.clone(), 0..12u8).prop_map(|(i, o)| Op::Lifecycle(i, o)),
        1 => (pick.clone(), mountpoint(), 0..40usize).prop_map(|(i, m, d)| Op::AttachVolume(i, m, d)),
        1 => (pick.clone(), mountpoint()).prop_map(|(i, m)| Op::DetachVolume(i, m)),
        1 => (pick.clone(), path()).prop_map(|(i, p)| Op::InjectFile(i, p)),
        1 => (pick.clone(), mac()).prop_map(|(i, m)| Op::AttachInterface(i, m)),
        1 => (pick.clone(), text()).prop_map(|(i, d)| Op::MigrateOut(i, d)),
        1 => (pick.clone(), any::<bool>(), any::<bool>()).prop_map(|(i, o, s)| Op::Confirm(i, o, s)),
        1 => (pick.clone(), any::<bool>()).prop_map(|(i, p)| Op::Revert(i, p)),
        1 => (spec(), pick.clone(), any::<bool>()).prop_map(|(s, i, o)| Op::FinishMigration(s, i, o)),
        1 => (spec(), pick.clone()).prop_map(|(s, i)| Op::PreLive(s, i)),
        1 => (spec(), pick.clone()).prop_map(|(s, i)| Op::PostLive(s, i)),
        1 => pick.clone().prop_map(Op::Rollback),
        1 => (pick.clone(), text()).prop_map(|(i, d)| Op::Live(i, d)),
        1 => prop_oneof![3 => Just("fake-host".to_owned()), 1 => text()].prop_map(Op::InitHost),
        1 => (text(), 0..4u8).prop_map(|(n, w)| Op::ByName(n, w)),
        1 => (text(), 0..5u8).prop_map(|(h, w)| Op::HostCall(h, w)),
        1 => (pick.clone(), text()).prop_map(|(i, t)| Op::Snapshot(i, t)),
        1 => (pick.clone(), 0..4u8).prop_map(|(i, w)| Op::Console(i, w)),
        1 => pick.prop_map(Op::DetachInterface),
    ]
}

/// The instances a sequence talks about: four fixed UUIDs, so that calls
/// meet the instances earlier calls made.
fn uuid_of(pick: usize) -> Uuid {
    Uuid::from_u128(0x1000 + pick as u128)
}

fn instance_of(spec: &Spec, pick: usize) -> Instance {
    let mut flavor = Flavor::new("f", spec.vcpus, spec.memory, spec.root);
    flavor.ephemeral_gb = spec.ephemeral;
    let mut instance = Instance::new(uuid_of(pick), flavor).with_name(spec.name.clone());
    instance.node = spec.node.clone();
    instance
}

/// The instance `pick` as it is on the driver (any flavor if absent).
fn known(driver: &FakeDriver, pick: usize) -> Instance {
    let uuid = uuid_of(pick);
    let name = driver
        .instance(uuid)
        .map(|i| i.name)
        .unwrap_or_else(|| format!("vm-{pick}"));
    Instance::new(uuid, Flavor::m1_tiny()).with_name(name)
}

fn volume(mountpoint: &str) -> BlockDeviceInfo {
    let mut bdi = BlockDeviceInfo::default();
    bdi.block_device_mapping.push(BlockDeviceMapping::new(
        ConnectionInfo::new("iscsi", "v"),
        mountpoint,
    ));
    bdi
}

fn nested(depth: usize) -> ConnectionInfo {
    let mut value = serde_json::json!(0);
    for _ in 0..depth {
        value = serde_json::json!({ "d": value });
    }
    let mut info = ConnectionInfo::new("iscsi", "v");
    info.data.insert("data".to_owned(), value);
    info
}

async fn apply(driver: &FakeDriver, op: &Op) -> DriverResult<()> {
    let bdi = BlockDeviceInfo::default();
    let image = ImageMeta::new("cirros");
    match op {
        Op::Spawn(spec, pick, file, mac, mount, power_on) => {
            let files: Vec<InjectedFile> = file
                .iter()
                .map(|p| InjectedFile::new(p.clone(), "x"))
                .collect();
            let vifs: Vec<Vif> = mac.iter().map(|m| vif(m)).collect();
            let bdi = mount.as_deref().map(volume).unwrap_or_default();
            let instance = instance_of(spec, *pick);
            driver
                .spawn(
                    &ctx(),
                    &instance,
                    &image,
                    &files,
                    None,
                    &vifs,
                    &bdi,
                    *power_on,
                )
                .await
        }
        Op::Destroy(pick) => driver.destroy(&known(driver, *pick), &[], &bdi, true).await,
        Op::Lifecycle(pick, which) => {
            let vm = known(driver, *pick);
            match which {
                0 => driver.pause(&vm).await,
                1 => driver.unpause(&vm).await,
                2 => driver.suspend(&vm).await,
                3 => driver.resume(&vm, &[], &bdi).await,
                4 => driver.power_off(&vm, Default::default()).await,
                5 => driver.power_on(&ctx(), &vm, &[], &bdi).await,
                6 => {
                    driver
                        .reboot(&ctx(), &vm, &[], RebootType::Soft, &bdi)
                        .await
                }
                7 => {
                    driver
                        .reboot(&ctx(), &vm, &[], RebootType::Hard, &bdi)
                        .await
                }
                8 => {
                    let secret = driver_api::Secret::new("pw");
                    driver.rescue(&ctx(), &vm, &[], &image, secret).await
                }
                9 => driver.unrescue(&vm, &[]).await,
                10 => driver.soft_delete(&vm).await,
                _ => driver.restore(&vm).await,
            }
        }
        Op::AttachVolume(pick, mount, depth) => {
            driver
                .attach_volume(&nested(*depth), &known(driver, *pick), mount)
                .await
        }
        Op::DetachVolume(pick, mount) => {
            let info = ConnectionInfo::new("iscsi", "v");
            driver
                .detach_volume(&info, &known(driver, *pick), mount)
                .await
        }
        Op::InjectFile(pick, path) => {
            let b64 = base64::engine::general_purpose::STANDARD;
            driver
                .inject_file(&known(driver, *pick), &b64.encode(path), &b64.encode("x"))
                .await
        }
        Op::AttachInterface(pick, mac) => {
            driver
                .attach_interface(&known(driver, *pick), &image, &vif(mac))
                .await
        }
        Op::MigrateOut(pick, dest) => {
            let vm = known(driver, *pick);
            driver
                .migrate_disk_and_power_off(&ctx(), &vm, dest, &vm.flavor, &[], &bdi)
                .await
                .map(drop)
        }
        Op::Confirm(pick, other_record, same_host) => {
            let vm = known(driver, *pick);
            let owner = if *other_record {
                Uuid::new_v4()
            } else {
                vm.uuid
            };
            let dest = if *same_host {
                driver.host()
            } else {
                "elsewhere".to_owned()
            };
            let migration = Migration::new(owner, driver.host(), dest);
            driver.confirm_migration(&migration, &vm, &[]).await
        }
        Op::Revert(pick, power_on) => {
            driver
                .finish_revert_migration(&known(driver, *pick), &[], &bdi, *power_on)
                .await
        }
        Op::FinishMigration(spec, pick, other_record) => {
            let instance = instance_of(spec, *pick);
            let owner = if *other_record {
                Uuid::new_v4()
            } else {
                instance.uuid
            };
            let migration = Migration::new(owner, "elsewhere", driver.host());
            driver
                .finish_migration(
                    &ctx(),
                    &migration,
                    &instance,
                    &Vec::new(),
                    &[],
                    &image,
                    true,
                    &bdi,
                    true,
                )
                .await
        }
        Op::PreLive(spec, pick) => {
            let data = LiveMigrateData::new(driver.host());
            driver
                .pre_live_migration(&ctx(), &instance_of(spec, *pick), &bdi, &[], &data)
                .await
                .map(drop)
        }
        Op::PostLive(spec, pick) => {
            driver
                .post_live_migration_at_destination(
                    &ctx(),
                    &instance_of(spec, *pick),
                    &[],
                    false,
                    &bdi,
                )
                .await
        }
        Op::Rollback(pick) => {
            driver
                .rollback_live_migration_at_destination(
                    &ctx(),
                    &known(driver, *pick),
                    &[],
                    &bdi,
                    true,
                )
                .await
        }
        Op::Live(pick, dest) => {
            let data = LiveMigrateData::new(dest.clone());
            driver
                .live_migration(
                    &ctx(),
                    &known(driver, *pick),
                    dest,
                    Arc::new(NoCallbacks),
                    false,
                    &data,
                )
                .await
        }
        Op::InitHost(host) => driver.init_host(host).await,
        Op::ByName(name, which) => match which {
            0 => driver.block_stats(name, "vda").await.map(drop),
            1 => driver.interface_stats(name, "eth0").await.map(drop),
            2 => driver.get_diagnostics(name).await.map(drop),
            _ => driver.get_instance_disk_info(name).await.map(drop),
        },
        Op::HostCall(host, which) => match which {
            0 => driver.get_available_resource(host).await.map(drop),
            1 => driver.set_host_enabled(host, false).await.map(drop),
            2 => driver.host_maintenance_mode(host, true).await.map(drop),
            3 => driver
                .host_power_action(host, driver_api::HostPowerAction::Reboot)
                .await
                .map(drop),
            _ => driver.get_disk_available_least().await.map(drop),
        },
        Op::Snapshot(pick, image) => {
            driver
                .snapshot(&ctx(), &known(driver, *pick), image, Arc::new(|_, _| {}))
                .await
        }
        Op::Console(pick, which) => {
            let vm = known(driver, *pick);
            match which {
                0 => driver.get_console_output(&vm).await.map(drop),
                1 => driver.get_vnc_console(&vm).await.map(drop),
                2 => driver.get_serial_console(&vm).await.map(drop),
                _ => driver.get_spice_console(&vm).await.map(drop),
            }
        }
        Op::DetachInterface(pick) => {
            let vm = known(driver, *pick);
            let attached = driver
                .instance(vm.uuid)
                .and_then(|i| i.interfaces.first().cloned());
            let mut target = vif("fa:16:3e:00:00:01");
            if let Some(port) = attached {
                target.id = port.id;
            }
            driver.detach_interface(&vm, &target).await
        }
    }
}

/// Each known node's used figure is the sum of its instances' claims and its
/// reservations, within capacity; each instance is listed once.
async fn check_invariants(driver: &FakeDriver) -> Result<(), TestCaseError> {
    let state = driver.export_state();
    let mut sums: BTreeMap<String, ResourceAmounts> = BTreeMap::new();
    let claims = state
        .instances
        .iter()
        .map(|i| (&i.node, i.claim))
        .chain(state.incoming.iter().map(|i| (&i.node, i.claim)));
    for (node, claim) in claims {
        let sum = sums.entry(node.clone()).or_default();
        let total = sum.checked_add(&claim);
        prop_assert!(total.is_some(), "claims on {} overflow", node);
        *sum = total.unwrap_or_default();
    }
    for (node, capacity) in &state.capacities {
        let used = driver.claims(node).unwrap_or_default();
        prop_assert_eq!(used, sums.remove(node).unwrap_or_default(), "node {}", node);
        prop_assert!(used.fits_in(capacity), "node {} over capacity", node);
    }
    prop_assert!(sums.is_empty(), "claims on unknown nodes: {:?}", sums);
    let names = driver.list_instances().await.unwrap();
    let uuids = driver.list_instance_uuids().await.unwrap();
    prop_assert_eq!(names.len(), state.instances.len());
    prop_assert_eq!(uuids.len(), state.instances.len());
    prop_assert_eq!(names.iter().collect::<HashSet<_>>().len(), names.len());
    prop_assert_eq!(uuids.iter().collect::<HashSet<_>>().len(), uuids.len());
    Ok(())
}

/// Export → import → export is the identity.
fn check_round_trip(driver: &FakeDriver) -> Result<(), TestCaseError> {
    let json = driver.to_json().unwrap();
    let copy = FakeDriver::from_json(&json);
    prop_assert!(
        copy.is_ok(),
        "import of an export: {:?}\n{}",
        copy.err(),
        json
    );
    let copy = copy.unwrap();
    prop_assert_eq!(copy.export_state(), driver.export_state());
    prop_assert_eq!(copy.to_json().unwrap(), json);
    Ok(())
}

fn cases(default: u32) -> u32 {
    std::env::var("FAKE_INPUT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(Config {
        cases: cases(32),
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn arbitrary_calls_keep_the_invariants(
        ops in proptest::collection::vec(op(), 1..40),
        small in any::<bool>(),
    ) {
        let size = if small { NodeSize::Small } else { NodeSize::Custom(ResourceAmounts::new(u64::MAX, u64::MAX, u64::MAX)) };
        let driver = FakeDriver::builder().nodes(["fake-mini", "other"]).node_size(size).build();
        let runtime = rt();
        for op in &ops {
            let before = driver.export_state();
            let result = runtime.block_on(apply(&driver, op));
            if let Err(error) = &result {
                prop_assert_eq!(&driver.export_state(), &before, "{:?} failed ({}) and changed the state", op, error);
            }
            runtime.block_on(check_invariants(&driver))?;
        }
        check_round_trip(&driver)?;
    }
}

proptest! {
    #![proptest_config(Config {
        cases: cases(32).saturating_mul(8),
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn arbitrary_json_is_imported_or_refused_without_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(driver) = FakeDriver::from_json(&text) {
            check_round_trip(&driver)?;
        }
    }

    #[test]
    fn a_corrupted_export_is_imported_or_refused_without_panic(
        at in any::<prop::sample::Index>(),
        with in "\\PC{0,3}",
        cut in any::<bool>(),
    ) {
        let driver = FakeDriver::builder().nodes(["a", "b"]).build();
        rt().block_on(async {
            let vm = Instance::new(Uuid::nil(), Flavor::m1_tiny()).with_name("vm");
            common::spawn(&driver, &vm).await.unwrap();
            driver.attach_interface(&vm, &ImageMeta::new("cirros"), &vif("fa:16:3e:00:00:01")).await.unwrap();
        });
        let json = driver.to_json().unwrap();
        let chars: Vec<char> = json.chars().collect();
        let index = at.index(chars.len());
        let mut corrupted: String = chars[..index].iter().collect();
        corrupted.push_str(&with);
        if !cut {
            corrupted.extend(chars[index..].iter().skip(1));
        }
        if let Ok(copy) = FakeDriver::from_json(&corrupted) {
            check_round_trip(&copy)?;
            runtime_check(&copy)?;
        }
    }
}

fn runtime_check(driver: &FakeDriver) -> Result<(), TestCaseError> {
    rt().block_on(check_invariants(driver))
}

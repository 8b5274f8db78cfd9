//! Model-based test: random operation sequences against a reference model of
//! states, flags, claims, volumes, interfaces and events, built on
//! `driver_api::transition`.
//!
//! `cargo test` runs 64 sequences; set `FAKE_MODEL_CASES=10000` (or more) for
//! the nightly-sized run.

#![allow(clippy::map_entry)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use driver_api::{
    transition, BlockDeviceInfo, ComputeDriver, ConnectionInfo, DriverError, ErrorKind, Flavor,
    ImageMeta, Instance, InstanceStatus, LifecycleOperation as Op, LifecycleTransition as Ev,
    Network, Outcome, PowerState, RebootType, ResourceAmounts, Secret, Subnet, Vif,
};
use driver_fake::{FakeDriver, NodeSize};
use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use uuid::Uuid;

use common::Recorder;

const SLOTS: usize = 5;
const CAPACITY: NodeSize = NodeSize::Medium;

fn uuid_of(slot: usize) -> Uuid {
    Uuid::from_u128(0xFA4E_0000 + slot as u128)
}

fn flavor(big: bool) -> Flavor {
    if big {
        Flavor::m1_large()
    } else {
        Flavor::m1_tiny()
    }
}

fn vif_of(k: u8) -> Vif {
    let subnet = Subnet::new("10.0.0.0/24", None, vec![]);
    let mut vif = Vif::new(
        Uuid::from_u128(0x7777_0000 + u128::from(k)),
        format!("aa:bb:cc:dd:ee:{k:02x}"),
        Network::new(Uuid::nil(), "net", subnet),
    );
    vif.devname = None;
    vif
}

fn mountpoint(k: u8) -> String {
    format!("/dev/vd{}", char::from(b'b' + k))
}

#[derive(Clone, Debug, PartialEq)]
struct Vm {
    status: InstanceStatus,
    claim: ResourceAmounts,
    volumes: BTreeSet<u8>,
    vifs: BTreeSet<u8>,
}

#[derive(Clone, Debug)]
enum Step {
    Spawn {
        slot: usize,
        big: bool,
        power_on: bool,
    },
    Destroy(usize),
    Lifecycle(usize, Op),
    TestRemove(usize),
    AttachVolume(usize, u8),
    DetachVolume(usize, u8),
    AttachInterface(usize, u8),
    DetachInterface(usize, u8),
}

#[derive(Clone, Debug, Default)]
struct Model {
    vms: BTreeMap<usize, Vm>,
    /// What the last step must return, and the events it must emit.
    expect: Option<ErrorKind>,
    events: Vec<Ev>,
}

impl Model {
    fn used(&self) -> ResourceAmounts {
        self.vms
            .values()
            .fold(ResourceAmounts::default(), |sum, vm| {
                sum.saturating_add(&vm.claim)
            })
    }
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Model> {
        Just(Model::default()).boxed()
    }

    fn transitions(_: &Model) -> BoxedStrategy<Step> {
        let slot = 0..SLOTS;
        let op = proptest::sample::select(
            Op::ALL
                .iter()
                .copied()
                .filter(|op| *op != Op::Destroy)
                .collect::<Vec<_>>(),
        );
        prop_oneof![
            3 => (slot.clone(), proptest::bool::weighted(0.3), proptest::bool::weighted(0.8))
                .prop_map(|(slot, big, power_on)| Step::Spawn { slot, big, power_on }),
            1 => slot.clone().prop_map(Step::Destroy),
            8 => (slot.clone(), op).prop_map(|(s, op)| Step::Lifecycle(s, op)),
            1 => slot.clone().prop_map(Step::TestRemove),
            1 => (slot.clone(), 0..2u8).prop_map(|(s, k)| Step::AttachVolume(s, k)),
            1 => (slot.clone(), 0..2u8).prop_map(|(s, k)| Step::DetachVolume(s, k)),
            1 => (slot.clone(), 0..2u8).prop_map(|(s, k)| Step::AttachInterface(s, k)),
            1 => (slot, 0..2u8).prop_map(|(s, k)| Step::DetachInterface(s, k)),
        ]
        .boxed()
    }

    fn apply(mut model: Model, step: &Step) -> Model {
        model.expect = None;
        model.events.clear();
        let missing = Some(ErrorKind::InstanceNotFound);
        match *step {
            Step::Spawn {
                slot,
                big,
                power_on,
            } => {
                let claim = ResourceAmounts::of_flavor(&flavor(big));
                let free = CAPACITY.capacity().saturating_sub(&model.used());
                if model.vms.contains_key(&slot) {
                    model.expect = Some(ErrorKind::InstanceExists);
                } else if !claim.fits_in(&free) {
                    model.expect = Some(ErrorKind::InsufficientResources);
                } else {
                    let state = if power_on {
                        PowerState::Running
                    } else {
                        PowerState::Shutdown
                    };
                    model.vms.insert(
                        slot,
                        Vm {
                            status: InstanceStatus::new(state),
                            claim,
                            volumes: BTreeSet::new(),
                            vifs: BTreeSet::new(),
                        },
                    );
                    if power_on {
                        model.events.push(Ev::Started);
                    }
                }
            }
            Step::Destroy(slot) => {
                if let Some(vm) = model.vms.remove(&slot) {
                    if vm.status.state != PowerState::Shutdown {
                        model.events.push(Ev::Stopped);
                    }
                }
            }
            Step::TestRemove(slot) => {
                if model.vms.remove(&slot).is_none() {
                    model.expect = missing;
                }
            }
            Step::Lifecycle(slot, op) => match model.vms.get_mut(&slot) {
                None => model.expect = missing,
                Some(vm) => match transition(vm.status, op) {
                    Err(_) => model.expect = Some(ErrorKind::InvalidState),
                    Ok(step) => {
                        if let Outcome::Becomes(to) = step.outcome {
                            vm.status = to;
                        }
                        model.events.extend(step.event);
                    }
                },
            },
            Step::AttachVolume(slot, k) | Step::DetachVolume(slot, k) => {
                let attach = matches!(step, Step::AttachVolume(..));
                model.expect = match model.vms.get_mut(&slot) {
                    None => missing,
                    Some(vm) if attach => (!vm.volumes.insert(k)).then_some(ErrorKind::DeviceBusy),
                    Some(vm) => (!vm.volumes.remove(&k)).then_some(ErrorKind::VolumeNotFound),
                };
            }
            Step::AttachInterface(slot, k) | Step::DetachInterface(slot, k) => {
                let attach = matches!(step, Step::AttachInterface(..));
                model.expect = match model.vms.get_mut(&slot) {
                    None => missing,
                    Some(vm) if attach => {
                        (!vm.vifs.insert(k)).then_some(ErrorKind::InterfaceAttachFailed)
                    }
                    Some(vm) => (!vm.vifs.remove(&k)).then_some(ErrorKind::InterfaceDetachFailed),
                };
            }
        }
        model
    }
}

struct System {
    runtime: tokio::runtime::Runtime,
    driver: FakeDriver,
    events: Recorder,
}

fn instance_of(slot: usize, big: bool) -> Instance {
    Instance::new(uuid_of(slot), flavor(big)).with_name(format!("vm-{slot}"))
}

async fn lifecycle(driver: &FakeDriver, vm: &Instance, op: Op) -> Result<(), DriverError> {
    let (ctx, bdi) = (common::ctx(), BlockDeviceInfo::default());
    match op {
        Op::Pause => driver.pause(vm).await,
        Op::Unpause => driver.unpause(vm).await,
        Op::Suspend => driver.suspend(vm).await,
        Op::Resume => driver.resume(vm, &[], &bdi).await,
        Op::PowerOff => driver.power_off(vm, Default::default()).await,
        Op::PowerOn => driver.power_on(&ctx, vm, &[], &bdi).await,
        Op::RebootSoft => driver.reboot(&ctx, vm, &[], RebootType::Soft, &bdi).await,
        Op::RebootHard => driver.reboot(&ctx, vm, &[], RebootType::Hard, &bdi).await,
        Op::Rescue => {
            driver
                .rescue(&ctx, vm, &[], &ImageMeta::default(), Secret::new("x"))
                .await
        }
        Op::Unrescue => driver.unrescue(vm, &[]).await,
        Op::SoftDelete => driver.soft_delete(vm).await,
        Op::Restore => driver.restore(vm).await,
        Op::Crash => driver.crash(vm.uuid),
        other => panic!("not generated: {other:?}"),
    }
}

impl StateMachineTest for System {
    type SystemUnderTest = Self;
    type Reference = Reference;

    fn init_test(_: &Model) -> Self {
        let driver = FakeDriver::builder().node_size(CAPACITY).shards(4).build();
        let events = Recorder::attach(&driver);
        let runtime = common::rt();
        Self {
            runtime,
            driver,
            events,
        }
    }

    fn apply(system: Self, model: &Model, step: Step) -> Self {
        let driver = &system.driver;
        system.events.clear();
        let result = system.runtime.block_on(async {
            let ctx = common::ctx();
            let bdi = BlockDeviceInfo::default();
            match step {
                Step::Spawn {
                    slot,
                    big,
                    power_on,
                } => {
                    driver
                        .spawn(
                            &ctx,
                            &instance_of(slot, big),
                            &ImageMeta::default(),
                            &[],
                            None,
                            &[],
                            &bdi,
                            power_on,
                        )
                        .await
                }
                Step::Destroy(slot) => {
                    driver
                        .destroy(&instance_of(slot, false), &[], &bdi, true)
                        .await
                }
                Step::TestRemove(slot) => driver.test_remove_vm(&format!("vm-{slot}")),
                Step::Lifecycle(slot, op) => lifecycle(driver, &instance_of(slot, false), op).await,
                Step::AttachVolume(slot, k) => {
                    let info = ConnectionInfo::new("iscsi", format!("vol-{k}"));
                    driver
                        .attach_volume(&info, &instance_of(slot, false), &mountpoint(k))
                        .await
                }
                Step::DetachVolume(slot, k) => {
                    let info = ConnectionInfo::new("iscsi", format!("vol-{k}"));
                    driver
                        .detach_volume(&info, &instance_of(slot, false), &mountpoint(k))
                        .await
                }
                Step::AttachInterface(slot, k) => {
                    driver
                        .attach_interface(
                            &instance_of(slot, false),
                            &ImageMeta::default(),
                            &vif_of(k),
                        )
                        .await
                }
                Step::DetachInterface(slot, k) => {
                    driver
                        .detach_interface(&instance_of(slot, false), &vif_of(k))
                        .await
                }
            }
        });
        assert_eq!(
            result.as_ref().err().map(DriverError::kind),
            model.expect,
            "result of {step:?}: {result:?}"
        );
        assert_eq!(
            system.events.transitions(),
            model.events,
            "events of {step:?}"
        );
        system
    }

    fn check_invariants(system: &Self, model: &Model) {
        let driver = &system.driver;
        for slot in 0..SLOTS {
            let got = driver.instance(uuid_of(slot)).map(|r| Vm {
                status: r.status,
                claim: r.claim,
                volumes: r
                    .volumes
                    .keys()
                    .map(|m| (0..2u8).find(|k| mountpoint(*k) == *m).unwrap())
                    .collect(),
                vifs: r
                    .interfaces
                    .iter()
                    .map(|i| (0..2u8).find(|k| vif_of(*k).id == i.id).unwrap())
                    .collect(),
            });
            assert_eq!(got.as_ref(), model.vms.get(&slot), "slot {slot}");
        }
        assert_eq!(driver.claims("fake-mini"), Some(model.used()));
        let mut names = system.runtime.block_on(driver.list_instances()).unwrap();
        names.sort();
        let expected: Vec<String> = model.vms.keys().map(|s| format!("vm-{s}")).collect();
        assert_eq!(names, expected);
    }
}

fn config() -> Config {
    let cases = std::env::var("FAKE_MODEL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

prop_state_machine! {
    #![proptest_config(config())]

    #[test]
    fn fake_follows_the_reference_model(sequential 1..40 => System);
}

//! Lifecycle: spawn, destroy, the transition table, listing, info, events.

mod common;

use driver_api::{
    transition, ComputeDriver, DriverError, ErrorKind, Flavor, InstanceStatus,
    LifecycleOperation as Op, LifecycleTransition as Ev, Outcome, PowerState, RebootType,
    ResourceAmounts,
};
use driver_fake::{FakeDriver, NodeSize};

use common::*;

#[test]
fn spawn_runs_claims_and_emits_started() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let events = Recorder::attach(&driver);
        let vm = instance("vm-1");
        spawn(&driver, &vm).await.unwrap();
        let info = driver.get_info(&vm).await.unwrap();
        assert_eq!(info.state, PowerState::Running);
        assert_eq!(info.num_cpu, 1);
        assert_eq!(info.max_mem_kb, 512 * 1024);
        assert_eq!(events.transitions(), [Ev::Started]);
        assert_eq!(
            driver.claims("fake-mini"),
            Some(ResourceAmounts::new(1, 512, 1))
        );
        assert_eq!(driver.list_instances().await.unwrap(), ["vm-1"]);
        assert_eq!(driver.list_instance_uuids().await.unwrap(), [vm.uuid]);
        assert_eq!(driver.get_num_instances().await.unwrap(), 1);
        assert!(driver.instance_exists(&vm).await.unwrap());
    });
}

#[test]
fn spawn_powered_off_is_shutdown_without_event() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let events = Recorder::attach(&driver);
        let vm = instance("vm-1");
        spawn_with(&driver, &vm, &[], false).await.unwrap();
        assert_eq!(
            driver.get_info(&vm).await.unwrap().state,
            PowerState::Shutdown
        );
        assert!(events.transitions().is_empty());
    });
}

#[test]
fn duplicate_uuid_or_name_is_instance_exists_and_changes_nothing() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let vm = instance("vm-1");
        spawn(&driver, &vm).await.unwrap();
        let err = spawn(&driver, &vm).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceExists);
        let same_name = instance("vm-1");
        let err = spawn(&driver, &same_name).await.unwrap_err();
        assert!(matches!(
            err,
            DriverError::InstanceExists {
                instance: driver_api::InstanceRef::Name(_)
            }
        ));
        assert_eq!(driver.get_num_instances().await.unwrap(), 1);
        assert_eq!(
            driver.claims("fake-mini"),
            Some(ResourceAmounts::new(1, 512, 1))
        );
    });
}

#[test]
fn insufficient_resources_leaves_nothing() {
    rt().block_on(async {
        let driver = FakeDriver::builder().node_size(NodeSize::Small).build();
        let big = instance("big").with_flavor(Flavor::m1_large());
        let err = spawn(&driver, &big).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InsufficientResources);
        assert!(driver.instance(big.uuid).is_none());
        assert_eq!(driver.claims("fake-mini"), Some(ResourceAmounts::default()));
        assert!(driver.list_instances().await.unwrap().is_empty());
        // The name is free again.
        let small = instance("big");
        spawn(&driver, &small).await.unwrap();
    });
}

#[test]
fn unknown_node_is_node_not_found() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let vm = instance("vm").with_node("elsewhere");
        let err = spawn(&driver, &vm).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NodeNotFound);
        assert!(driver.instances().is_empty());
    });
}

#[test]
fn destroy_releases_and_is_idempotent() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let events = Recorder::attach(&driver);
        let vm = instance("vm-1");
        spawn(&driver, &vm).await.unwrap();
        destroy(&driver, &vm).await.unwrap();
        destroy(&driver, &vm).await.unwrap();
        assert_eq!(events.transitions(), [Ev::Started, Ev::Stopped]);
        assert_eq!(driver.claims("fake-mini"), Some(ResourceAmounts::default()));
        assert_eq!(
            driver.get_info(&vm).await.unwrap_err().kind(),
            ErrorKind::InstanceNotFound
        );
        // Unknown instance: Ok.
        destroy(&driver, &instance("never")).await.unwrap();
    });
}

/// Drives one operation through the trait.
async fn run_op(driver: &FakeDriver, vm: &driver_api::Instance, op: Op) -> Result<(), DriverError> {
    use driver_api::{BlockDeviceInfo, ImageMeta, Secret};
    let bdi = BlockDeviceInfo::default();
    match op {
        Op::Pause => driver.pause(vm).await,
        Op::Unpause => driver.unpause(vm).await,
        Op::Suspend => driver.suspend(vm).await,
        Op::Resume => driver.resume(vm, &[], &bdi).await,
        Op::PowerOff => driver.power_off(vm, std::time::Duration::ZERO).await,
        Op::PowerOn => driver.power_on(&ctx(), vm, &[], &bdi).await,
        Op::RebootSoft => driver.reboot(&ctx(), vm, &[], RebootType::Soft, &bdi).await,
        Op::RebootHard => driver.reboot(&ctx(), vm, &[], RebootType::Hard, &bdi).await,
        Op::Rescue => {
            driver
                .rescue(&ctx(), vm, &[], &ImageMeta::default(), Secret::new(""))
                .await
        }
        Op::Unrescue => driver.unrescue(vm, &[]).await,
        Op::SoftDelete => driver.soft_delete(vm).await,
        Op::Restore => driver.restore(vm).await,
        Op::Destroy => destroy(driver, vm).await,
        Op::Crash => driver.crash(vm.uuid),
    }
}

/// Brings a fresh instance to `status` through the trait.
async fn reach(driver: &FakeDriver, vm: &driver_api::Instance, status: InstanceStatus) {
    spawn(driver, vm).await.unwrap();
    let ops: &[Op] = match (status.state, status.rescued, status.soft_deleted) {
        (PowerState::Running, false, false) => &[],
        (PowerState::Running, true, false) => &[Op::Rescue],
        (PowerState::Paused, ..) => &[Op::Pause],
        (PowerState::Suspended, ..) => &[Op::Suspend],
        (PowerState::Shutdown, _, true) => &[Op::SoftDelete],
        (PowerState::Shutdown, ..) => &[Op::PowerOff],
        (PowerState::Crashed, ..) => &[Op::Crash],
        other => panic!("unreachable status {other:?}"),
    };
    for op in ops {
        run_op(driver, vm, *op).await.unwrap();
    }
    assert_eq!(driver.instance(vm.uuid).unwrap().status, status);
}

#[test]
fn every_cell_of_the_transition_table() {
    rt().block_on(async {
        for status in InstanceStatus::reachable() {
            for op in Op::ALL {
                let driver = FakeDriver::new();
                let vm = instance("vm");
                reach(&driver, &vm, status).await;
                let events = Recorder::attach(&driver);
                let expected = transition(status, op);
                let got = run_op(&driver, &vm, op).await;
                match expected {
                    Err(_) => {
                        assert_eq!(
                            got.unwrap_err().kind(),
                            ErrorKind::InvalidState,
                            "{op} from {status}"
                        );
                        assert_eq!(driver.instance(vm.uuid).unwrap().status, status);
                        assert!(events.transitions().is_empty());
                    }
                    Ok(step) => {
                        got.unwrap_or_else(|e| panic!("{op} from {status}: {e}"));
                        match step.outcome {
                            Outcome::Removed => assert!(driver.instance(vm.uuid).is_none()),
                            Outcome::Becomes(to) => {
                                assert_eq!(driver.instance(vm.uuid).unwrap().status, to);
                                let info = driver.get_info(&vm).await.unwrap();
                                assert_eq!(info.status(), to);
                            }
                        }
                        assert_eq!(
                            events.transitions(),
                            step.event.into_iter().collect::<Vec<_>>(),
                            "{op} from {status}"
                        );
                    }
                }
            }
        }
    });
}

#[test]
fn unknown_instance_is_not_found_for_every_lifecycle_operation() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let ghost = instance("ghost");
        for op in Op::ALL {
            let result = run_op(&driver, &ghost, op).await;
            if op == Op::Destroy {
                result.unwrap();
            } else {
                assert_eq!(
                    result.unwrap_err().kind(),
                    ErrorKind::InstanceNotFound,
                    "{op}"
                );
            }
        }
    });
}

#[test]
fn test_remove_vm_vanishes_and_releases() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let events = Recorder::attach(&driver);
        let vm = instance("vm-1");
        spawn(&driver, &vm).await.unwrap();
        driver.test_remove_vm("vm-1").unwrap();
        assert_eq!(
            driver.get_info(&vm).await.unwrap_err().kind(),
            ErrorKind::InstanceNotFound
        );
        assert_eq!(driver.claims("fake-mini"), Some(ResourceAmounts::default()));
        assert_eq!(events.transitions(), [Ev::Started]);
        assert_eq!(
            driver.test_remove_vm("vm-1").unwrap_err().kind(),
            ErrorKind::InstanceNotFound
        );
    });
}

#[test]
fn crash_goes_crashed_and_emits_stopped() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let events = Recorder::attach(&driver);
        let vm = instance("vm-1");
        spawn(&driver, &vm).await.unwrap();
        driver.crash(vm.uuid).unwrap();
        assert_eq!(
            driver.get_info(&vm).await.unwrap().state,
            PowerState::Crashed
        );
        assert_eq!(events.transitions(), [Ev::Started, Ev::Stopped]);
    });
}

#[test]
fn panicking_listener_does_not_break_the_driver() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        driver.register_event_listener(Some(std::sync::Arc::new(|_| panic!("listener bug"))));
        let vm = instance("vm-1");
        spawn(&driver, &vm).await.unwrap();
        driver.pause(&vm).await.unwrap();
        let events = Recorder::attach(&driver);
        driver.unpause(&vm).await.unwrap();
        assert_eq!(events.transitions(), [Ev::Resumed]);
    });
}

#[test]
fn listener_may_call_back_into_the_driver() {
    rt().block_on(async {
        let driver = std::sync::Arc::new(FakeDriver::new());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (weak, sink) = (std::sync::Arc::downgrade(&driver), seen.clone());
        driver.register_event_listener(Some(std::sync::Arc::new(
            move |e: driver_api::LifecycleEvent| {
                // Re-entrant read and write from inside the listener.
                if let Some(driver) = weak.upgrade() {
                    let state = driver.instance(e.instance_uuid).map(|i| i.state());
                    sink.lock().unwrap().push((e.transition, state));
                    if e.transition == Ev::Paused {
                        driver.crash(e.instance_uuid).unwrap();
                    }
                }
            },
        )));
        let vm = instance("vm-1");
        spawn(&*driver, &vm).await.unwrap();
        driver.pause(&vm).await.unwrap();
        assert_eq!(
            *seen.lock().unwrap(),
            [
                (Ev::Started, Some(PowerState::Running)),
                (Ev::Paused, Some(PowerState::Paused)),
                (Ev::Stopped, Some(PowerState::Crashed)),
            ]
        );
    });
}

#[test]
fn events_across_instances_arrive_in_the_order_of_the_changes() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let events = Recorder::attach(&driver);
        let (a, b) = (instance("a"), instance("b"));
        spawn(&driver, &a).await.unwrap();
        spawn(&driver, &b).await.unwrap();
        driver.pause(&a).await.unwrap();
        driver.suspend(&b).await.unwrap();
        driver.pause(&a).await.unwrap(); // no-op: no event
        driver.power_off(&a, Default::default()).await.unwrap();
        destroy(&driver, &b).await.unwrap();
        destroy(&driver, &a).await.unwrap(); // already off: no event
        let got: Vec<_> = events
            .0
            .lock()
            .unwrap()
            .iter()
            .map(|e| (e.instance_uuid, e.transition))
            .collect();
        assert_eq!(
            got,
            [
                (a.uuid, Ev::Started),
                (b.uuid, Ev::Started),
                (a.uuid, Ev::Paused),
                (b.uuid, Ev::Suspended),
                (a.uuid, Ev::Stopped),
                (b.uuid, Ev::Stopped),
            ]
        );
        // Registering again replaces the listener; None unregisters.
        let second = Recorder::attach(&driver);
        let c = instance("c");
        spawn(&driver, &c).await.unwrap();
        driver.register_event_listener(None);
        driver.pause(&c).await.unwrap();
        assert_eq!(second.transitions(), [Ev::Started]);
        assert_eq!(events.transitions().len(), 6);
    });
}

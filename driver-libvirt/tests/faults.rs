//! Faults and latency on libvirt `test:///`, through `driver_fake::FaultLayer`:
//! an injected failure or a dropped call never reaches libvirt.

mod common;

use std::time::Duration;

use driver_api::{ComputeDriver, DriverMethod, ErrorKind, PowerState};
use driver_fake::{Fault, FaultLayer, FaultPreset, Times};

use common::*;

fn paused_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_fault_fails_the_call_and_libvirt_is_untouched() {
    let driver = FaultLayer::new(driver().await);
    let (a, b) = (instance("a"), instance("b"));
    spawn(driver.get_ref(), &a).await;
    spawn(driver.get_ref(), &b).await;
    let events = record_events(driver.get_ref());
    driver.faults().inject(
        Fault::on(DriverMethod::Pause)
            .for_instance(a.uuid)
            .error(ErrorKind::Timeout)
            .times(Times::N(2)),
    );
    for _ in 0..2 {
        let err = driver.pause(&a).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert_eq!(err.method(), Some(DriverMethod::Pause));
    }
    assert_eq!(state(driver.get_ref(), &a).await, PowerState::Running);
    assert!(take(&events).is_empty());
    driver.pause(&b).await.unwrap();
    assert_eq!(driver.faults().pending(), 0);
    driver.pause(&a).await.unwrap();
    assert_eq!(state(driver.get_ref(), &a).await, PowerState::Paused);
}

#[tokio::test]
async fn a_preset_aborts_every_build_and_defines_no_domain() {
    let driver = FaultLayer::new(driver().await).with_preset(FaultPreset::BuildAbort);
    let vm = instance("vm");
    let err = driver
        .spawn(
            &Default::default(),
            &vm,
            &Default::default(),
            &[],
            None,
            &[],
            &Default::default(),
            true,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Backend);
    assert!(driver.list_instances().await.unwrap().is_empty());
    assert!(!driver.instance_exists(&vm).await.unwrap());
}

#[test]
fn latency_delays_the_call_and_a_dropped_call_changes_nothing() {
    paused_rt().block_on(async {
        let driver = FaultLayer::new(driver().await)
            .with_latency(DriverMethod::PowerOff, Duration::from_secs(30));
        let vm = instance("vm");
        spawn(driver.get_ref(), &vm).await;
        let dropped = tokio::time::timeout(
            Duration::from_secs(29),
            driver.power_off(&vm, Duration::ZERO),
        )
        .await;
        assert!(dropped.is_err());
        assert_eq!(state(driver.get_ref(), &vm).await, PowerState::Running);
        // Under paused time the 30 s pass at once.
        driver.power_off(&vm, Duration::ZERO).await.unwrap();
        assert_eq!(state(driver.get_ref(), &vm).await, PowerState::Shutdown);
    });
}

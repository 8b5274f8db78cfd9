//! Tier 2: changes made behind the driver's back (another libvirt client, a
//! killed QEMU) reach the listener as lifecycle events, once each; the
//! driver's own changes are never announced twice. Ignored (with the reason)
//! unless asked for with `--ignored` while `LIBVIRT_TIER2_URI` names a
//! libvirtd; asked for without it, the test fails.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use driver_api::{ComputeDriver, LifecycleTransition as T, PowerState};

/// Waits (up to 20 s) until exactly `expected` has been delivered, then checks
/// that nothing more arrives for a while.
async fn expect_events(events: &Arc<Mutex<Vec<T>>>, expected: &[T]) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while events.lock().unwrap().len() < expected.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Late duplicates would arrive within libvirt's event latency.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(events.lock().unwrap().as_slice(), expected);
}

#[tokio::test]
#[ignore = "tier 2: needs a libvirtd (LIBVIRT_TIER2_URI); run with --include-ignored"]
async fn qemu_changes_behind_the_driver_are_announced_once() {
    let d = qemu().await;
    let vm = instance(&format!("t2-events-{}", uuid::Uuid::new_v4()));
    spawn(&d, &vm).await;
    let events = record_events(&d);
    let dom = d
        .connection()
        .lookup_domain_by_name(&d.domain_name(vm.uuid))
        .unwrap();

    // The driver's own change: one event, libvirt's echo of it is not repeated.
    d.pause(&vm).await.unwrap();
    expect_events(&events, &[T::Paused]).await;

    // Another client resumes the guest, then destroys it (`virsh destroy`).
    dom.resume().unwrap();
    expect_events(&events, &[T::Paused, T::Resumed]).await;
    assert_eq!(state(&d, &vm).await, PowerState::Running);
    dom.destroy().unwrap();
    expect_events(&events, &[T::Paused, T::Resumed, T::Stopped]).await;
    assert_eq!(state(&d, &vm).await, PowerState::Shutdown);

    // The driver starts it again; then its QEMU is killed.
    d.power_on(
        &driver_api::RequestContext::default(),
        &vm,
        &[],
        &driver_api::BlockDeviceInfo::default(),
    )
    .await
    .unwrap();
    expect_events(&events, &[T::Paused, T::Resumed, T::Stopped, T::Started]).await;
    let pid_file = d
        .config()
        .qemu_pid_dir
        .join(format!("{}.pid", d.domain_name(vm.uuid)));
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let killed = std::process::Command::new("kill")
        .args(["-KILL", pid.trim()])
        .status()
        .unwrap();
    assert!(killed.success());
    expect_events(
        &events,
        &[T::Paused, T::Resumed, T::Stopped, T::Started, T::Stopped],
    )
    .await;
    assert_eq!(state(&d, &vm).await, PowerState::Crashed);

    // The driver's own start and destroy: one event each, no echo from libvirt.
    take(&events);
    d.power_on(
        &driver_api::RequestContext::default(),
        &vm,
        &[],
        &driver_api::BlockDeviceInfo::default(),
    )
    .await
    .unwrap();
    d.destroy(&vm, &[], &driver_api::BlockDeviceInfo::default(), true)
        .await
        .unwrap();
    expect_events(&events, &[T::Started, T::Stopped]).await;
}

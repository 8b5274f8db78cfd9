//! Tier 2 with a real guest OS: a Linux kernel and a busybox initramfs
//! (`.ci/guest-image.sh DIR`) that print to the serial console and power off
//! on the ACPI power button. Ignored (with the reason) unless asked for with
//! `--ignored` while `LIBVIRT_TIER2_URI` names a libvirtd and
//! `LIBVIRT_TIER2_GUEST` the image's directory; asked for without them, the
//! tests fail.

mod common;

use std::time::{Duration, Instant};

use common::*;
use driver_api::{
    BlockDeviceInfo, ComputeDriver, Instance, LifecycleTransition, PowerState, RebootType,
    RequestContext,
};
use driver_libvirt::{GuestOs, LibvirtDriver};
use virt::domain::{DomainShutoffReason, DomainStateReason};
use virt::enumutil::Enum;

const BOOTED: &str = "hvd-guest: up";

async fn booting_driver() -> LibvirtDriver {
    let guest = std::env::var("LIBVIRT_TIER2_GUEST").unwrap_or_else(|_| {
        panic!("the guest-OS tests were asked for, but LIBVIRT_TIER2_GUEST names no image")
    });
    let mut config = tier2_config("t2os").with_guest_os(GuestOs::in_dir(guest));
    // A kernel needs more than the empty guests' 64 MiB; a soft reboot waits
    // for a real shutdown.
    config.guest_memory_mib = Some(192);
    config.soft_reboot_wait = Duration::from_secs(60);
    LibvirtDriver::connect(config).await.unwrap()
}

/// Waits (up to 120 s under TCG) until the console output shows `text`
/// `times` times.
async fn console_shows(d: &LibvirtDriver, vm: &Instance, text: &str, times: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let output = d.get_console_output(vm).await.unwrap();
        if output.matches(text).count() >= times {
            return output;
        }
        assert!(
            Instant::now() < deadline,
            "{text:?} x{times} not on the console within 120 s:\n{output}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
#[ignore = "tier 2 with a guest OS: needs LIBVIRT_TIER2_URI and LIBVIRT_TIER2_GUEST; run with --ignored"]
async fn a_real_guest_boots_prints_to_its_console_and_shuts_down_gracefully() {
    let d = booting_driver().await;
    let vm = instance(&format!("t2-os-{}", uuid::Uuid::new_v4()));
    spawn(&d, &vm).await;
    let output = console_shows(&d, &vm, BOOTED, 1).await;
    assert!(output.contains("Linux version"), "{output}");

    // Graceful: the guest hears the power button and powers itself off well
    // before the timeout; libvirt records a shutdown, not a destroy.
    let events = record_events(&d);
    let started = Instant::now();
    d.power_off(&vm, Duration::from_secs(90)).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(85));
    assert_eq!(state(&d, &vm).await, PowerState::Shutdown);
    let dom = d
        .connection()
        .lookup_domain_by_name(&d.domain_name(vm.uuid))
        .unwrap();
    match dom.state().unwrap() {
        (_, Enum::Known(DomainStateReason::Shutoff(reason))) => {
            assert!(reason.is(DomainShutoffReason::Shutdown), "{reason:?}")
        }
        other => panic!("not shut off: {other:?}"),
    }
    console_shows(&d, &vm, "power button, powering off", 1).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(take(&events), vec![LifecycleTransition::Stopped]);
    d.destroy(&vm, &[], &BlockDeviceInfo::default(), true)
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "tier 2 with a guest OS: needs LIBVIRT_TIER2_URI and LIBVIRT_TIER2_GUEST; run with --ignored"]
async fn a_soft_reboot_goes_through_the_guest() {
    let d = booting_driver().await;
    let vm = instance(&format!("t2-reboot-{}", uuid::Uuid::new_v4()));
    spawn(&d, &vm).await;
    console_shows(&d, &vm, BOOTED, 1).await;
    let events = record_events(&d);
    let t = Instant::now();
    d.reboot(
        &RequestContext::default(),
        &vm,
        &[],
        RebootType::Soft,
        &BlockDeviceInfo::default(),
    )
    .await
    .unwrap();
    // The guest needs a moment to hear the button and power off: the call
    // waited for it (it returned in {elapsed:?}, not at once).
    let elapsed = t.elapsed();
    assert!(elapsed > Duration::from_millis(200), "{elapsed:?}");
    assert_eq!(state(&d, &vm).await, PowerState::Running);
    // The guest shut itself down on the request and booted again.
    let output = console_shows(&d, &vm, BOOTED, 2).await;
    assert!(output.contains("power button, powering off"), "{output}");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(take(&events), vec![], "a soft reboot announces nothing");
    d.destroy(&vm, &[], &BlockDeviceInfo::default(), true)
        .await
        .unwrap();
}

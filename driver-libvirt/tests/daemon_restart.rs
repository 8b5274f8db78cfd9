//! Tier 2, run alone: libvirtd restarts under a live driver value. Ignored
//! (with the reason) unless asked for; it stops and restarts the daemon, so it
//! must not share the daemon with other tests:
//!
//! ```sh
//! LIBVIRT_TIER2_URI="$URI" LIBVIRT_TIER2_STATE=/tmp/lvstate \
//!     cargo test -p driver-libvirt --test daemon_restart -- --ignored
//! ```
//!
//! `LIBVIRT_TIER2_STATE` is the state directory given to `.ci/libvirtd.sh
//! start`. Asked for without both variables, the test fails.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use driver_api::{BlockDeviceInfo, ComputeDriver, ErrorKind, LifecycleTransition, PowerState};
use driver_libvirt::LibvirtDriver;

fn env(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("the daemon-restart test was asked for, but {name} is not set"))
}

fn libvirtd_sh(command: &str, state: &str) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.ci/libvirtd.sh");
    let status = Command::new("bash")
        .arg(script)
        .arg(command)
        .arg(state)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("bash runs");
    assert!(status.success(), "libvirtd.sh {command} failed: {status}");
}

#[tokio::test]
#[ignore = "tier 2, alone: restarts the libvirtd of LIBVIRT_TIER2_STATE; run by itself with --ignored"]
async fn the_same_driver_value_works_after_libvirtd_restarts_and_loses_no_instance() {
    let statedir = env("LIBVIRT_TIER2_STATE");
    let d = LibvirtDriver::connect(tier2_config("t2r")).await.unwrap();
    let running = instance(&format!("t2-restart-run-{}", uuid::Uuid::new_v4()));
    let stopped = instance(&format!("t2-restart-off-{}", uuid::Uuid::new_v4()));
    spawn(&d, &running).await;
    spawn_powered(&d, &stopped, false).await;
    let events = record_events(&d);

    libvirtd_sh("kill-daemon", &statedir);
    // Down: a typed, retryable answer, at once (no hang, no panic).
    let started = Instant::now();
    let err = d.get_info(&running).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
    assert!(err.is_retryable());
    let err = d.list_instance_uuids().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));

    libvirtd_sh("start", &statedir);
    // Back: the same value reconnects (within its backoff) and lost nothing.
    let deadline = Instant::now() + Duration::from_secs(30);
    let info = loop {
        match d.get_info(&running).await {
            Ok(info) => break info,
            Err(e) if e.is_retryable() && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("no reconnect within 30 s: {e}"),
        }
    };
    assert_eq!(info.state, PowerState::Running);
    assert_eq!(state(&d, &stopped).await, PowerState::Shutdown);
    let mut uuids = d.list_instance_uuids().await.unwrap();
    uuids.sort();
    let mut expected = vec![running.uuid, stopped.uuid];
    expected.sort();
    assert_eq!(uuids, expected);
    // And it still works: a change goes through, with its event.
    d.power_off(&running, Duration::ZERO).await.unwrap();
    assert_eq!(state(&d, &running).await, PowerState::Shutdown);
    assert_eq!(take(&events), vec![LifecycleTransition::Stopped]);
    d.destroy(&running, &[], &BlockDeviceInfo::default(), true)
        .await
        .unwrap();
    d.destroy(&stopped, &[], &BlockDeviceInfo::default(), true)
        .await
        .unwrap();
}

//! Shared fixtures for the behaviour tests on `test:///`.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use driver_api::{
    BlockDeviceInfo, ComputeDriver, Flavor, ImageMeta, Instance, LifecycleEvent,
    LifecycleTransition, PowerState, RequestContext,
};
use driver_libvirt::{LibvirtConfig, LibvirtDriver};
use uuid::Uuid;

pub async fn driver() -> LibvirtDriver {
    LibvirtDriver::connect(LibvirtConfig::default())
        .await
        .unwrap()
}

pub fn instance(name: &str) -> Instance {
    Instance::new(Uuid::new_v4(), Flavor::m1_tiny()).with_name(name)
}

pub async fn spawn(driver: &LibvirtDriver, instance: &Instance) {
    spawn_powered(driver, instance, true).await;
}

pub async fn spawn_powered(driver: &LibvirtDriver, instance: &Instance, power_on: bool) {
    driver
        .spawn(
            &RequestContext::default(),
            instance,
            &ImageMeta::new("image"),
            &[],
            None,
            &[],
            &BlockDeviceInfo::default(),
            power_on,
        )
        .await
        .unwrap();
}

pub async fn state(driver: &LibvirtDriver, instance: &Instance) -> PowerState {
    driver.get_info(instance).await.unwrap().state
}

/// Records the transitions the driver emits.
pub fn record_events(driver: &LibvirtDriver) -> Arc<Mutex<Vec<LifecycleTransition>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    driver.register_event_listener(Some(Arc::new(move |e: LifecycleEvent| {
        sink.lock().unwrap().push(e.transition)
    })));
    seen
}

pub fn take(events: &Arc<Mutex<Vec<LifecycleTransition>>>) -> Vec<LifecycleTransition> {
    std::mem::take(&mut *events.lock().unwrap())
}

// ----- tier 2 (QEMU under the libvirtd of LIBVIRT_TIER2_URI) -----

/// The tier-2 libvirtd's URI; a test asked for without one fails.
pub fn tier2_uri() -> String {
    std::env::var("LIBVIRT_TIER2_URI").unwrap_or_else(|_| {
        panic!("tier 2 was asked for, but LIBVIRT_TIER2_URI does not name a libvirtd")
    })
}

pub async fn qemu() -> LibvirtDriver {
    qemu_with(true).await
}

pub async fn qemu_with(purge_on_drop: bool) -> LibvirtDriver {
    let config = tier2_config("t2").with_purge_on_drop(purge_on_drop);
    LibvirtDriver::connect(config).await.unwrap()
}

/// CI's small guests on the tier-2 libvirtd, under a prefix of their own
/// (`hvd-<tag>-<random>-`: the tests run in parallel on one daemon), purged
/// when the driver is dropped.
pub fn tier2_config(tag: &str) -> LibvirtConfig {
    let prefix = format!("hvd-{tag}-{}-", &Uuid::new_v4().simple().to_string()[..8]);
    LibvirtConfig::small_guests(tier2_uri())
        .with_prefix(prefix)
        .with_purge_on_drop(true)
}

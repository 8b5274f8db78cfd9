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

//! Helpers shared by the fake's integration tests.
#![allow(dead_code)]

pub mod invoke;
pub mod two_hosts;

use std::sync::{Arc, Mutex};

use driver_api::{
    BlockDeviceInfo, ComputeDriver, DriverResult, Flavor, ImageMeta, Instance, LifecycleEvent,
    LifecycleTransition, Network, RequestContext, Subnet, Vif,
};
use driver_fake::FakeDriver;
use uuid::Uuid;

pub fn ctx() -> RequestContext {
    RequestContext::admin()
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

/// An m1.tiny instance named `name`, with a fresh UUID.
pub fn instance(name: &str) -> Instance {
    Instance::new(Uuid::new_v4(), Flavor::m1_tiny()).with_name(name)
}

/// A VIF with a fresh id.
pub fn vif(mac: &str) -> Vif {
    let subnet = Subnet::new("10.0.0.0/24", None, vec!["10.0.0.2".parse().unwrap()]);
    Vif::new(
        Uuid::new_v4(),
        mac,
        Network::new(Uuid::new_v4(), "private", subnet),
    )
}

pub async fn spawn(driver: &dyn ComputeDriver, instance: &Instance) -> DriverResult<()> {
    spawn_with(driver, instance, &[], true).await
}

pub async fn spawn_with(
    driver: &dyn ComputeDriver,
    instance: &Instance,
    vifs: &[Vif],
    power_on: bool,
) -> DriverResult<()> {
    driver
        .spawn(
            &ctx(),
            instance,
            &ImageMeta::new("cirros"),
            &[],
            None,
            vifs,
            &BlockDeviceInfo::default(),
            power_on,
        )
        .await
}

pub async fn destroy(driver: &dyn ComputeDriver, instance: &Instance) -> DriverResult<()> {
    driver
        .destroy(instance, &[], &BlockDeviceInfo::default(), true)
        .await
}

/// Records every event the driver emits.
#[derive(Clone, Default)]
pub struct Recorder(pub Arc<Mutex<Vec<LifecycleEvent>>>);

impl Recorder {
    pub fn attach(driver: &FakeDriver) -> Self {
        let recorder = Self::default();
        let sink = recorder.0.clone();
        driver.register_event_listener(Some(Arc::new(move |e| sink.lock().unwrap().push(e))));
        recorder
    }

    pub fn transitions(&self) -> Vec<LifecycleTransition> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.transition)
            .collect()
    }

    pub fn of(&self, uuid: Uuid) -> Vec<LifecycleTransition> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.instance_uuid == uuid)
            .map(|e| e.transition)
            .collect()
    }

    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

//! A minimal custom backend that plugs into the suite and passes the core tier.
//!
//! It implements the mandatory methods only (declaring no optional feature, so
//! every optional method keeps the trait's `NotSupported` default) and runs
//! the suite through the runner API:
//! `cargo run -p conformance --example minimal_backend`.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use conformance::{Backend, BackendFactory, FactoryError, RunOptions, Tier};
use driver_api::uuid::Uuid;
use driver_api::*;

const CAPACITY: ResourceAmounts = ResourceAmounts::new(8, 16_384, 200);
type Instances = BTreeMap<Uuid, (Instance, PowerState)>;

/// One host in memory: instances by UUID, one node, one event listener.
#[derive(Debug, Default)]
pub struct MinimalDriver {
    host: Mutex<String>,
    instances: Mutex<Instances>,
    events: EventSlot,
}

impl MinimalDriver {
    fn instances(&self) -> MutexGuard<'_, Instances> {
        self.instances.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn used(instances: &Instances) -> ResourceAmounts {
        let claims = instances
            .values()
            .map(|(i, _)| ResourceAmounts::of_flavor(&i.flavor));
        claims.fold(ResourceAmounts::default(), |sum, c| sum.saturating_add(&c))
    }
    fn node(&self) -> String {
        self.host.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    fn emit(&self, uuid: Uuid, transition: LifecycleTransition) {
        self.events.emit(LifecycleEvent::new(uuid, transition));
    }
}

// Kept compact on purpose: the whole backend reads in one screen.
#[rustfmt::skip]
#[driver_api::async_trait]
impl ComputeDriver for MinimalDriver {
    fn driver_name(&self) -> &'static str { "minimal" }
    fn capabilities(&self) -> Capabilities { Capabilities::none() }
    fn register_event_listener(&self, listener: Option<EventListener>) { self.events.register(listener) }
    fn emit_event(&self, event: LifecycleEvent) { self.events.emit(event); }
    async fn init_host(&self, host: &str) -> DriverResult<()> {
        validate::host_name("host", host).map_err(|v| v.into_error(DriverMethod::InitHost))?;
        *self.host.lock().unwrap_or_else(|p| p.into_inner()) = host.to_owned();
        Ok(())
    }
    async fn get_available_nodes(&self, _: bool) -> DriverResult<Vec<String>> { Ok(vec![self.node()]) }
    async fn get_available_resource(&self, node: &str) -> DriverResult<NodeResources> {
        if node != self.node() {
            return Err(DriverError::NodeNotFound { node: node.into() });
        }
        let mut resources = NodeResources::new(node, node, CAPACITY, Self::used(&self.instances()));
        resources.hypervisor_type = "minimal".into();
        resources.hypervisor_version = 1000;
        resources.supported_instances = vec![SupportedInstance::new("x86_64", "minimal", "hvm")];
        Ok(resources)
    }
    async fn spawn(&self, _: &RequestContext, instance: &Instance, _: &ImageMeta, files: &[InjectedFile],
                   _: Option<Secret>, vifs: &[Vif], bdi: &BlockDeviceInfo, power_on: bool) -> DriverResult<()> {
        // Every input rule, written once in driver_api::validate.
        validate::arrival(instance, vifs, bdi)
            .and_then(|()| validate::injected_files("injected_files.path", files))
            .map_err(|v| v.into_error(DriverMethod::Spawn))?;
        let node = self.node();
        if let Some(other) = instance.node.as_ref().filter(|n| **n != node) {
            return Err(DriverError::NodeNotFound { node: other.clone() });
        }
        let mut instances = self.instances();
        if instances.values().any(|(i, _)| i.uuid == instance.uuid || i.name == instance.name) {
            return Err(DriverError::InstanceExists { instance: instance.reference() });
        }
        let requested = ResourceAmounts::of_flavor(&instance.flavor);
        let free = CAPACITY.saturating_sub(&Self::used(&instances));
        if !requested.fits_in(&free) {
            return Err(DriverError::InsufficientResources { node, requested, free });
        }
        let state = if power_on { PowerState::Running } else { PowerState::Shutdown };
        instances.insert(instance.uuid, (instance.clone(), state));
        drop(instances);
        if power_on { self.emit(instance.uuid, LifecycleTransition::Started); }
        Ok(())
    }
    async fn destroy(&self, instance: &Instance, _: &[Vif], _: &BlockDeviceInfo, _: bool) -> DriverResult<()> {
        let removed = self.instances().remove(&instance.uuid);
        if removed.is_some_and(|(_, state)| state != PowerState::Shutdown) {
            self.emit(instance.uuid, LifecycleTransition::Stopped);
        }
        Ok(())
    }
    async fn get_info(&self, instance: &Instance) -> DriverResult<InstanceInfo> {
        let instances = self.instances();
        let (known, state) = instances.get(&instance.uuid).ok_or_else(|| DriverError::instance_not_found(instance))?;
        let mut info = InstanceInfo::new(*state);
        (info.num_cpu, info.mem_kb) = (known.flavor.vcpus, known.flavor.memory_mb.saturating_mul(1024));
        info.max_mem_kb = info.mem_kb;
        Ok(info)
    }
    async fn list_instances(&self) -> DriverResult<Vec<String>> {
        Ok(self.instances().values().map(|(i, _)| i.name.clone()).collect())
    }
    async fn list_instance_uuids(&self) -> DriverResult<Vec<Uuid>> {
        Ok(self.instances().keys().copied().collect())
    }
}

/// A fresh `MinimalDriver` per case.
pub struct MinimalFactory;

#[conformance::async_trait]
impl BackendFactory for MinimalFactory {
    fn name(&self) -> String {
        "minimal".into()
    }
    async fn create(&self) -> Result<Backend, FactoryError> {
        Ok(Backend::new(Arc::new(MinimalDriver::default())))
    }
}

fn main() -> std::io::Result<()> {
    let options = RunOptions {
        tier: Some(Tier::Core),
        ..RunOptions::default()
    };
    let report = conformance::run(Arc::new(MinimalFactory), &options, |case| {
        println!("test {} ... {}", case.id, case.verdict);
    })?;
    println!("{}", report.summary_line());
    std::process::exit(i32::from(report.exit_code()));
}

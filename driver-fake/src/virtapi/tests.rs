//! Every `FakeVirtAPI` method and its error paths, and the event waits (under
//! paused time, so timeouts cost nothing).

use std::collections::BTreeMap;
use std::time::Duration;

use driver_api::{Flavor, Instance, RequestContext};
use uuid::Uuid;
use virtapi::InstanceEventName;

use super::FakeVirtAPI;

mod aggregates;
mod catalogue;
mod events;
mod firewall;
mod instances;

const WAIT: Duration = Duration::from_secs(300);

fn ctx() -> RequestContext {
    RequestContext::admin()
}

fn seeded_instance(api: &FakeVirtAPI, host: &str) -> Instance {
    let instance = Instance::new(Uuid::new_v4(), Flavor::m1_tiny()).with_host(host);
    api.insert_instance(instance.clone());
    instance
}

fn map(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn vif_event() -> InstanceEventName {
    InstanceEventName::network_vif_plugged(Uuid::new_v4())
}

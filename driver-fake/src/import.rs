//! The checks a [`FakeState`] passes before a driver holds it: the same
//! rules as every entry point ([`driver_api::validate`]) and the transition
//! table, no duplicates, and bounded sizes; what could never come out of a
//! driver never goes in.

use std::collections::{BTreeMap, HashSet};

use driver_api::validate::{self, Violation};
use driver_api::{ConnectionInfo, InjectedFile, ResourceAmounts};

use crate::export::{FakeState, IncomingState, StateError};
use crate::store::{FakeInstance, FakeInterface, CONSOLE_LOG_LIMIT};

/// The largest JSON document [`FakeDriver::from_json`](crate::FakeDriver::from_json)
/// reads (256 MiB); nesting deeper than 128 levels is refused by the JSON
/// reader itself ("recursion limit exceeded").
pub const MAX_STATE_JSON_BYTES: usize = 256 * 1024 * 1024;

/// `violation` at `at` (`instances[vm-1].node`, ...).
fn at(at: impl Into<String>, violation: Violation) -> StateError {
    StateError::Invalid {
        at: at.into(),
        violation,
    }
}

/// A duplicate `what` at `at`.
fn duplicate(at: impl Into<String>, what: impl Into<String>) -> StateError {
    StateError::Duplicate {
        at: at.into(),
        what: what.into(),
    }
}

/// Checks everything in `state` that a driver could never hold.
pub(crate) fn check_state(state: &FakeState) -> Result<(), StateError> {
    validate::host_name("host", &state.host).map_err(|v| at("host", v))?;
    let mut managed = HashSet::new();
    for node in &state.nodes {
        validate::node_name("node", node).map_err(|v| at("nodes", v))?;
        if !managed.insert(node.as_str()) {
            return Err(duplicate("nodes", node.as_str()));
        }
    }
    for node in state.capacities.keys() {
        validate::node_name("node", node).map_err(|v| at("capacities", v))?;
    }
    for instance in &state.instances {
        check_instance(instance)?;
    }
    for incoming in &state.incoming {
        check_incoming(incoming)?;
    }
    Ok(())
}

fn check_instance(instance: &FakeInstance) -> Result<(), StateError> {
    let here = format!("instances[{}]", instance.uuid);
    let field = |name: &str| format!("{here}.{name}");
    validate::instance_name("name", &instance.name).map_err(|v| at(field("name"), v))?;
    validate::node_name("node", &instance.node).map_err(|v| at(field("node"), v))?;
    validate::status("status", instance.status).map_err(|v| at(field("status"), v))?;
    check_interfaces(&instance.interfaces, &field("interfaces"))?;
    check_volumes(&instance.volumes, &field("volumes"))?;
    check_files(&instance.injected_files, &field("injected_files"))?;
    if instance.console_log.len() > CONSOLE_LOG_LIMIT {
        return Err(at(
            field("console_log"),
            Violation::new("console_log", "must hold at most 16 entries"),
        ));
    }
    if let Some(mark) = &instance.cold_migration {
        validate::host_name("dest", &mark.dest).map_err(|v| at(field("cold_migration"), v))?;
    }
    check_root(instance.root_gb, &instance.claim, &field("root_gb"))
}

fn check_incoming(incoming: &IncomingState) -> Result<(), StateError> {
    let here = format!("incoming[{}]", incoming.uuid);
    let field = |name: &str| format!("{here}.{name}");
    validate::instance_name("name", &incoming.name).map_err(|v| at(field("name"), v))?;
    validate::node_name("node", &incoming.node).map_err(|v| at(field("node"), v))?;
    check_interfaces(&incoming.interfaces, &field("interfaces"))?;
    check_volumes(&incoming.volumes, &field("volumes"))?;
    check_root(incoming.root_gb, &incoming.claim, &field("root_gb"))
}

/// A root disk no larger than the disk claim it is part of.
fn check_root(root_gb: u64, claim: &ResourceAmounts, here: &str) -> Result<(), StateError> {
    if root_gb > claim.local_gb {
        return Err(at(
            here,
            Violation::new("root_gb", "must not exceed the claim's local_gb"),
        ));
    }
    Ok(())
}

fn check_interfaces(interfaces: &[FakeInterface], here: &str) -> Result<(), StateError> {
    let mut ids = HashSet::new();
    for interface in interfaces {
        validate::mac("address", &interface.address).map_err(|v| at(here, v))?;
        if !ids.insert(interface.id) {
            return Err(duplicate(here, format!("interface id {}", interface.id)));
        }
    }
    Ok(())
}

fn check_volumes(volumes: &BTreeMap<String, ConnectionInfo>, here: &str) -> Result<(), StateError> {
    for (mountpoint, info) in volumes {
        validate::mountpoint("mountpoint", mountpoint).map_err(|v| at(here, v))?;
        validate::connection_info("connection_info", info).map_err(|v| at(here, v))?;
    }
    Ok(())
}

fn check_files(files: &[InjectedFile], here: &str) -> Result<(), StateError> {
    let mut paths = HashSet::new();
    for file in files {
        validate::file_path("path", &file.path).map_err(|v| at(here, v))?;
        if !paths.insert(file.path.as_str()) {
            return Err(duplicate(here, format!("path {}", file.path)));
        }
    }
    Ok(())
}

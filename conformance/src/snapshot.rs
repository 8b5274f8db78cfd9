//! One snapshot-and-compare: after a step, read every observable the backend
//! offers for every instance the case involved and for each host, and
//! compare it with what the reference model ([`crate::model`]) says.
//!
//! A snapshot is a map from what was read (`conformance-a: get_info
//! conformance-1a2b3c4d`) to what came back (`running, 1 vCPU, 524288 KiB`,
//! or `Err(InstanceNotFound)`), built the same way from the backend and from
//! the model, so a difference names exactly the observable that is wrong.
//!
//! What is read, per host: `get_available_nodes`, `get_available_resource`
//! (used) per node, where declared `get_host_stats` (each node's disk in
//! bytes and `vcpus_used` as its resources say, free memory within the
//! total), both listings and `get_num_instances`; per involved
//! instance `instance_exists`, `get_info` (status, vCPUs, maximum memory) and,
//! where declared, each console (`InstanceNotRunning` unless running or
//! paused); per involved name, where declared, `get_diagnostics` (its state,
//! maximum memory and, while running or paused and not rescued, its disks'
//! names) and `get_instance_disk_info` (unless rescued, the root disk's
//! virtual size); where declared, the bandwidth counters
//! (one per attached VIF) and the volume usage (one per attached volume);
//! and the lifecycle events delivered. An undeclared feature is not read
//! (the `capability` cases check it answers `NotSupported`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::time::{Duration, SystemTime};

use driver_api::{
    ComputeDriver, DriverResult, Feature, HostStats, Instance, InstanceInfo, LifecycleTransition,
};
use uuid::Uuid;

use crate::actions::show_events;
use crate::case::{CaseError, CaseResult};
use crate::context::HostUnderTest;
use crate::fixtures;
use crate::model::rules::has_display;
use crate::model::{HostModel, World};

/// What was read, and what came back.
pub(crate) type Snapshot = BTreeMap<String, String>;

fn short(uuid: &Uuid) -> String {
    uuid.simple().to_string()[..8].to_owned()
}

fn answer<T: Debug>(result: &DriverResult<T>, show: impl Fn(&T) -> String) -> String {
    match result {
        Ok(value) => show(value),
        Err(error) => format!("Err({:?})", error.kind()),
    }
}

fn not_found() -> String {
    "Err(InstanceNotFound)".to_owned()
}

fn info_text(status: driver_api::InstanceStatus, vcpus: u32, max_mem_kb: u64) -> String {
    format!("{status}, {vcpus} vCPU, {max_mem_kb} KiB")
}

fn diagnostics_text(
    state: driver_api::PowerState,
    max_kb: u64,
    disks: Option<&[String]>,
) -> String {
    match disks {
        Some(disks) => format!("{state}, {max_kb} KiB, disks {disks:?}"),
        None => format!("{state}, {max_kb} KiB"),
    }
}

/// The disk names of `get_diagnostics` as compared: the first as reported
/// (the root disk), the volumes after it sorted (a backend reports them in
/// the order it attached them).
fn disk_names(details: &[driver_api::DiskDiagnostics]) -> Vec<String> {
    let mut names: Vec<String> = details.iter().map(|d| d.device.clone()).collect();
    if let Some(volumes) = names.get_mut(1..) {
        volumes.sort();
    }
    names
}

/// The root disk's virtual size as `get_instance_disk_info` reports it.
fn disk_info_text(disks: &driver_api::DiskInfo) -> String {
    disks.first().map_or_else(
        || "no disk".to_owned(),
        |root| format!("root disk {} bytes", root.virt_disk_size),
    )
}

/// Which parts of the by-name queries are defined for the instance of each
/// name, decided from the model: the disks' names of `get_diagnostics`
/// (running or paused, not rescued: a stopped guest has no counters to read,
/// and a rescued one boots the rescue disk as its root) and the root disk's
/// size in `get_instance_disk_info` (not rescued, and a flavor with a root
/// disk: a backend may round a zero-size root disk up).
#[derive(Default)]
struct Defined {
    disk_names: BTreeSet<String>,
    root_disk: BTreeSet<String>,
}

impl Defined {
    fn of(model: &HostModel) -> Self {
        let mut defined = Self::default();
        for i in model.instances.values() {
            let name = i.instance.name.clone();
            if !i.status.rescued && i.instance.flavor.root_gb > 0 {
                defined.root_disk.insert(name.clone());
            }
            if has_display(i.status.state) && !i.status.rescued {
                defined.disk_names.insert(name);
            }
        }
        defined
    }
}

/// Bytes in a GiB (`get_host_stats` reports disk in bytes).
const GIB: u64 = 1 << 30;

/// One `get_host_stats` entry as compared: the node, its disk total, used and
/// available, `vcpus_used`, and whether free memory is within the total.
fn stats_text(node: &str, disk: [u64; 3], vcpus_used: u64, memory_within: bool) -> String {
    let [total, used, available] = disk;
    format!(
        "{node}: disk {total} B, used {used} B, available {available} B; \
         vcpus_used {vcpus_used}; free memory within total: {memory_within}"
    )
}

fn host_stats_text(entry: &HostStats) -> String {
    stats_text(
        &entry.hypervisor_hostname,
        [entry.disk_total, entry.disk_used, entry.disk_available],
        entry.vcpus_used,
        entry.host_memory_free <= entry.host_memory_total,
    )
}

fn show_info(info: &InstanceInfo) -> String {
    info_text(info.status(), info.num_cpu, info.max_mem_kb)
}

fn sorted_list<T: Ord + Debug>(mut items: Vec<T>) -> String {
    items.sort();
    format!("{items:?}")
}

/// The consoles a backend declares, each with its feature.
const CONSOLES: [(Feature, &str); 3] = [
    (Feature::VncConsole, "get_vnc_console"),
    (Feature::SpiceConsole, "get_spice_console"),
    (Feature::SerialConsole, "get_serial_console"),
];

async fn console(driver: &dyn ComputeDriver, feature: Feature, instance: &Instance) -> String {
    match feature {
        Feature::VncConsole => answer(&driver.get_vnc_console(instance).await, |_| "Ok".into()),
        Feature::SpiceConsole => answer(&driver.get_spice_console(instance).await, |_| "Ok".into()),
        _ => answer(&driver.get_serial_console(instance).await, |_| "Ok".into()),
    }
}

/// Reads every observable of `host` about `involved`.
async fn read_host(
    host: &HostUnderTest,
    involved: &[Instance],
    nodes: &[String],
    defined: &Defined,
) -> Snapshot {
    let d = host.backend.driver.as_ref();
    let caps = d.capabilities();
    let h = &host.name;
    let mut s = Snapshot::new();
    s.insert(
        format!("{h}: get_available_nodes"),
        answer(&d.get_available_nodes(false).await, |n| {
            sorted_list(n.clone())
        }),
    );
    for node in nodes {
        s.insert(
            format!("{h}: used on {node}"),
            answer(&d.get_available_resource(node).await, |r| {
                format!("{:?}", r.used())
            }),
        );
    }
    if caps.supports(Feature::HostStats) {
        s.insert(
            format!("{h}: get_host_stats"),
            answer(&d.get_host_stats(false).await, |stats| {
                sorted_list(stats.iter().map(host_stats_text).collect())
            }),
        );
    }
    s.insert(
        format!("{h}: list_instances"),
        answer(&d.list_instances().await, |n| sorted_list(n.clone())),
    );
    s.insert(
        format!("{h}: list_instance_uuids"),
        answer(&d.list_instance_uuids().await, |u| {
            sorted_list(u.iter().map(short).collect())
        }),
    );
    s.insert(
        format!("{h}: get_num_instances"),
        answer(&d.get_num_instances().await, |n| n.to_string()),
    );
    for instance in involved {
        let who = format!("{} ({})", instance.name, short(&instance.uuid));
        s.insert(
            format!("{h}: instance_exists {who}"),
            answer(&d.instance_exists(instance).await, |e| e.to_string()),
        );
        s.insert(
            format!("{h}: get_info {who}"),
            answer(&d.get_info(instance).await, show_info),
        );
        for (feature, method) in CONSOLES {
            if caps.supports(feature) {
                s.insert(
                    format!("{h}: {method} {who}"),
                    console(d, feature, instance).await,
                );
            }
        }
        if caps.supports(Feature::ConsoleOutput) {
            s.insert(
                format!("{h}: get_console_output {who}"),
                answer(&d.get_console_output(instance).await, |_| "Ok".to_owned()),
            );
        }
    }
    let names: BTreeSet<&str> = involved.iter().map(|i| i.name.as_str()).collect();
    for name in names {
        if caps.supports(Feature::Diagnostics) {
            s.insert(
                format!("{h}: get_diagnostics {name}"),
                answer(&d.get_diagnostics(name).await, |g| {
                    let disks = disk_names(&g.disk_details);
                    let compared = defined.disk_names.contains(name);
                    diagnostics_text(g.state, g.memory_max_kb, compared.then_some(&disks[..]))
                }),
            );
        }
        if caps.supports(Feature::DiskInfo) {
            s.insert(
                format!("{h}: get_instance_disk_info {name}"),
                answer(&d.get_instance_disk_info(name).await, |disks| {
                    if defined.root_disk.contains(name) {
                        disk_info_text(disks)
                    } else {
                        "Ok".to_owned()
                    }
                }),
            );
        }
    }
    if caps.supports(Feature::UsageCounters) {
        s.insert(
            format!("{h}: get_all_bw_counters"),
            answer(&d.get_all_bw_counters(involved).await, |counters| {
                sorted_list(
                    counters
                        .iter()
                        .map(|c| (short(&c.uuid), c.mac_address.clone()))
                        .collect(),
                )
            }),
        );
        let usage = d
            .get_all_volume_usage(&fixtures::context(), involved, SystemTime::UNIX_EPOCH, None)
            .await;
        s.insert(
            format!("{h}: get_all_volume_usage"),
            answer(&usage, |usage| {
                sorted_list(
                    usage
                        .iter()
                        .map(|u| (short(&u.instance_uuid), u.volume.clone()))
                        .collect(),
                )
            }),
        );
    }
    s
}

/// The device name of a mountpoint (`/dev/sdb` is `sdb`).
fn device_name(mountpoint: &str) -> String {
    mountpoint
        .rsplit('/')
        .next()
        .unwrap_or(mountpoint)
        .to_owned()
}

/// What the model says `host` must show about `involved`.
fn expect_host(
    model: &HostModel,
    caps: &driver_api::Capabilities,
    involved: &[Instance],
) -> Snapshot {
    let h = &model.name;
    let mut s = Snapshot::new();
    let nodes: Vec<String> = model.nodes.iter().map(|(n, _)| n.clone()).collect();
    s.insert(
        format!("{h}: get_available_nodes"),
        sorted_list(nodes.clone()),
    );
    for node in &nodes {
        s.insert(
            format!("{h}: used on {node}"),
            format!("{:?}", model.used_on(node)),
        );
    }
    // `get_host_stats`: disk in bytes and `vcpus_used` as the node's
    // resources say; free memory within the total.
    if caps.supports(Feature::HostStats) {
        let expected = model.nodes.iter().map(|(node, total)| {
            let used = model.used_on(node);
            let gib = |gb: u64| gb.saturating_mul(GIB);
            stats_text(
                node,
                [
                    gib(total.local_gb),
                    gib(used.local_gb),
                    gib(total.local_gb.saturating_sub(used.local_gb)),
                ],
                used.vcpus,
                true,
            )
        });
        s.insert(
            format!("{h}: get_host_stats"),
            sorted_list(expected.collect()),
        );
    }
    let here = model.instances.values();
    s.insert(
        format!("{h}: list_instances"),
        sorted_list(here.clone().map(|i| i.instance.name.clone()).collect()),
    );
    s.insert(
        format!("{h}: list_instance_uuids"),
        sorted_list(here.clone().map(|i| short(&i.instance.uuid)).collect()),
    );
    s.insert(
        format!("{h}: get_num_instances"),
        model.instances.len().to_string(),
    );
    for instance in involved {
        let who = format!("{} ({})", instance.name, short(&instance.uuid));
        let found = model.instances.get(&instance.uuid);
        s.insert(
            format!("{h}: instance_exists {who}"),
            found.is_some().to_string(),
        );
        // `get_info`: the status, and the flavor's vCPUs and memory (the
        // figures of `InstanceInfo` are the instance's, from its flavor).
        s.insert(
            format!("{h}: get_info {who}"),
            found.map_or_else(not_found, |i| {
                let flavor = &i.instance.flavor;
                info_text(
                    i.status,
                    flavor.vcpus,
                    flavor.memory_mb.saturating_mul(1024),
                )
            }),
        );
        let console = found.map_or_else(not_found, |i| {
            if has_display(i.status.state) {
                "Ok".to_owned()
            } else {
                "Err(InstanceNotRunning)".to_owned()
            }
        });
        for (feature, method) in CONSOLES {
            if caps.supports(feature) {
                s.insert(format!("{h}: {method} {who}"), console.clone());
            }
        }
        // `get_console_output`: "in any state".
        if caps.supports(Feature::ConsoleOutput) {
            s.insert(
                format!("{h}: get_console_output {who}"),
                found.map_or_else(not_found, |_| "Ok".to_owned()),
            );
        }
    }
    let names: BTreeSet<&str> = involved.iter().map(|i| i.name.as_str()).collect();
    for name in names {
        let named = model.by_name(name);
        // `get_diagnostics`: "`state` matches `get_info`, `memory_max_kb`
        // its maximum memory"; while running or paused and not rescued,
        // `disk_details` names "the root disk `vda` first, then each attached
        // volume by its mountpoint's device name". (Its "one entry per vCPU"
        // and "one entry per NIC" are not compared yet: libvirt's `test:///`
        // reports no vCPU entries, and no NIC entries while the guest is not
        // running.)
        if caps.supports(Feature::Diagnostics) {
            s.insert(
                format!("{h}: get_diagnostics {name}"),
                named.map_or_else(not_found, |i| {
                    let flavor = &i.instance.flavor;
                    let disks: Vec<String> = std::iter::once("vda".to_owned())
                        .chain(i.volumes.keys().map(|m| device_name(m)))
                        .collect();
                    let compared = has_display(i.status.state) && !i.status.rescued;
                    diagnostics_text(
                        i.status.state,
                        flavor.memory_mb.saturating_mul(1024),
                        compared.then_some(&disks[..]),
                    )
                }),
            );
        }
        // `get_instance_disk_info`: "Unless the instance is rescued, the
        // first is its root disk, whose `virt_disk_size` is the flavor's
        // `root_gb` in bytes".
        if caps.supports(Feature::DiskInfo) {
            s.insert(
                format!("{h}: get_instance_disk_info {name}"),
                named.map_or_else(not_found, |i| {
                    let root_gb = i.instance.flavor.root_gb;
                    if i.status.rescued || root_gb == 0 {
                        "Ok".to_owned()
                    } else {
                        format!("root disk {} bytes", root_gb.saturating_mul(1 << 30))
                    }
                }),
            );
        }
    }
    if caps.supports(Feature::UsageCounters) {
        // "Bandwidth counters of every VIF of the given instances that are on
        // this host"; "Usage of every volume attached to the given
        // instances on this host".
        let asked: BTreeSet<Uuid> = involved.iter().map(|i| i.uuid).collect();
        let present = model
            .instances
            .values()
            .filter(|i| asked.contains(&i.instance.uuid));
        s.insert(
            format!("{h}: get_all_bw_counters"),
            sorted_list(
                present
                    .clone()
                    .flat_map(|i| {
                        i.vifs
                            .values()
                            .map(|mac| (short(&i.instance.uuid), mac.clone()))
                    })
                    .collect(),
            ),
        );
        s.insert(
            format!("{h}: get_all_volume_usage"),
            sorted_list(
                present
                    .flat_map(|i| {
                        i.volumes
                            .values()
                            .map(|v| (short(&i.instance.uuid), v.clone()))
                    })
                    .collect(),
            ),
        );
    }
    s
}

/// The events `host` delivered since `mark`, waiting briefly (up to half a
/// second) for `want` of them from a backend that delivers asynchronously.
async fn delivered(
    host: &HostUnderTest,
    mark: usize,
    want: usize,
) -> Vec<(Uuid, LifecycleTransition)> {
    let read = || {
        host.events
            .lock()
            .map(|log| {
                log.get(mark..)
                    .unwrap_or_default()
                    .iter()
                    .map(|e| (e.instance_uuid, e.transition))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let mut got = read();
    let mut waited = 0;
    while got.len() < want && waited < 100 {
        tokio::time::sleep(Duration::from_millis(5)).await;
        waited += 1;
        got = read();
    }
    got
}

/// Compares every observable of `hosts` with `world`; a failure lists every
/// observable that differs, expected vs got, `after` the step named.
pub(crate) async fn compare(hosts: &[HostUnderTest], world: &World, after: &str) -> CaseResult {
    let mut expected = Snapshot::new();
    let mut got = Snapshot::new();
    for (host, model) in hosts.iter().zip(&world.hosts) {
        let caps = host.backend.driver.capabilities();
        let nodes: Vec<String> = model.nodes.iter().map(|(n, _)| n.clone()).collect();
        expected.extend(expect_host(model, &caps, &world.involved));
        let defined = Defined::of(model);
        got.extend(read_host(host, &world.involved, &nodes, &defined).await);
        let events = delivered(host, model.event_mark, model.events.len()).await;
        let label = format!("{}: events", host.name);
        expected.insert(label.clone(), show_events(&model.events));
        got.insert(label, show_events(&events));
    }
    let differences: Vec<(&String, &String, String)> = expected
        .iter()
        .filter_map(|(what, want)| {
            let have = got.get(what).cloned().unwrap_or_else(|| "nothing".into());
            (*want != have).then_some((what, want, have))
        })
        .collect();
    if differences.is_empty() {
        return Ok(());
    }
    let want: Vec<String> = differences
        .iter()
        .map(|(w, e, _)| format!("{w} = {e}"))
        .collect();
    let have: Vec<String> = differences
        .iter()
        .map(|(w, _, g)| format!("{w} = {g}"))
        .collect();
    Err(CaseError::fail(
        format!("after {after}: {}", want.join("; ")),
        have.join("; "),
    ))
}

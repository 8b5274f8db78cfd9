//! A fleet on one machine: three `compute-serve` processes of four fake
//! nodes each, driven concurrently by one client (a `RemoteDriver` per
//! server): spawns, lifecycle calls and queries in parallel, and each
//! server's state is its own and what was done to it.

use std::collections::BTreeSet;
use std::sync::Arc;

use driver_api::{ComputeDriver, Flavor, Instance, PowerState};
use driver_remote::client::RemoteDriver;
use driver_remote::endpoint::connect;
use tokio::task::JoinSet;
use uuid::Uuid;

mod common;
use common::served::ComputeServe;

const SERVERS: usize = 3;
const NODES: usize = 4;
/// Instances spawned on each node.
const PER_NODE: usize = 3;

/// The instance `vm` of node `node` on server `server`.
fn instance(server: usize, node: usize, vm: usize) -> Instance {
    Instance::new(Uuid::new_v4(), Flavor::m1_small())
        .with_name(format!("s{server}-n{node}-vm{vm}"))
        .with_node(format!("fake-mini-{node}"))
}

/// What the fleet test does to the instance `vm` of each node: the first
/// stays running, the second is paused, the third powered off.
fn expected_state(vm: usize) -> PowerState {
    match vm % 3 {
        0 => PowerState::Running,
        1 => PowerState::Paused,
        _ => PowerState::Shutdown,
    }
}

/// Spawns every instance of one server's nodes at once, then changes their
/// power states at once; the instances, in order.
async fn populate(driver: Arc<RemoteDriver>, server: usize) -> Vec<Instance> {
    let instances: Vec<Instance> = (1..=NODES)
        .flat_map(|node| (0..PER_NODE).map(move |vm| instance(server, node, vm)))
        .collect();
    let mut calls = JoinSet::new();
    for vm in instances.clone() {
        let driver = driver.clone();
        calls.spawn(async move {
            common::calls::spawn(driver.as_ref(), &vm)
                .await
                .map(|()| vm.name.clone())
        });
    }
    while let Some(spawned) = calls.join_next().await {
        spawned.expect("joined").expect("spawned");
    }
    for (index, vm) in instances.iter().enumerate() {
        let (driver, vm) = (driver.clone(), vm.clone());
        calls.spawn(async move {
            match expected_state(index % PER_NODE) {
                PowerState::Paused => driver.pause(&vm).await,
                PowerState::Shutdown => driver.power_off(&vm, Default::default()).await,
                _ => Ok(()),
            }
            .map(|()| vm.name.clone())
        });
    }
    while let Some(changed) = calls.join_next().await {
        changed.expect("joined").expect("power state changed");
    }
    instances
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_drives_three_servers_concurrently_and_each_keeps_its_own_state() {
    let dir = tempfile::tempdir().expect("a directory");
    let nodes = NODES.to_string();
    let servers: Vec<ComputeServe> = (0..SERVERS)
        .map(|server| {
            let listen = format!(
                "unix:{}",
                dir.path().join(format!("{server}.sock")).display()
            );
            ComputeServe::start(&["--backend", "fake", "--nodes", &nodes, "--listen", &listen])
        })
        .collect();
    let mut drivers = Vec::new();
    for server in &servers {
        let channel = connect(&server.endpoint, None).await.expect("connected");
        drivers.push(Arc::new(
            RemoteDriver::connect(channel).await.expect("described"),
        ));
    }

    // Every server populated at once.
    let mut fleet = JoinSet::new();
    for (server, driver) in drivers.iter().enumerate() {
        let driver = driver.clone();
        fleet.spawn(async move { (server, populate(driver, server).await) });
    }
    let mut populated = vec![Vec::new(); SERVERS];
    while let Some(done) = fleet.join_next().await {
        let (server, instances) = done.expect("joined");
        populated[server] = instances;
    }

    // Every server queried at once.
    for (server, driver) in drivers.iter().enumerate() {
        let own = populated[server].clone();
        let stranger = populated[(server + 1) % SERVERS][0].clone();
        let driver = driver.clone();
        fleet.spawn(async move {
            verify(&driver, server, &own, &stranger).await;
            (server, own)
        });
    }
    while let Some(done) = fleet.join_next().await {
        done.expect("verified");
    }
}

/// Server `server` lists exactly `own`, holds their claims on each node and
/// their power states, and knows nothing of `stranger`, another server's.
async fn verify(driver: &RemoteDriver, server: usize, own: &[Instance], stranger: &Instance) {
    let listed: BTreeSet<String> = driver
        .list_instances()
        .await
        .expect("listed")
        .into_iter()
        .collect();
    let names: BTreeSet<String> = own.iter().map(|i| i.name.clone()).collect();
    assert_eq!(listed, names, "server {server} lists its own instances");
    let node_names: Vec<String> = (1..=NODES).map(|n| format!("fake-mini-{n}")).collect();
    assert_eq!(
        driver.get_available_nodes(false).await.expect("nodes"),
        node_names
    );
    // Each node holds its own claims: PER_NODE instances of m1.small.
    for node in &node_names {
        let resources = driver
            .get_available_resource(node)
            .await
            .expect("resources");
        assert_eq!(
            resources.vcpus_used, PER_NODE as u64,
            "server {server} {node}"
        );
        assert_eq!(resources.memory_mb_used, 2048 * PER_NODE as u64);
    }
    for (index, vm) in own.iter().enumerate() {
        let info = driver.get_info(vm).await.expect("info");
        assert_eq!(info.state, expected_state(index % PER_NODE), "{}", vm.name);
    }
    assert!(!driver.instance_exists(stranger).await.expect("asked"));
}

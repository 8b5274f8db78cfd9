//! `compute-serve --backend libvirt` (feature `libvirt`): every backend a
//! private in-process `test:///` hypervisor, served over a unix socket,
//! answering contract calls, and judged by the runner on the whole suite as
//! libvirt is in process.

use std::sync::Arc;

use driver_api::{
    BlockDeviceInfo, ComputeDriver, Flavor, ImageMeta, Instance, PowerState, RequestContext,
};
use driver_libvirt::LibvirtFactory;
use driver_remote::client::RemoteDriver;
use driver_remote::endpoint::connect;
use uuid::Uuid;

mod common;
use common::report::{differences, verdicts};
use common::served::ComputeServe;

fn serve(dir: &tempfile::TempDir) -> ComputeServe {
    let listen = format!("unix:{}", dir.path().join("libvirt.sock").display());
    ComputeServe::start(&["--backend", "libvirt", "--listen", &listen])
}

#[tokio::test]
async fn served_libvirt_answers_the_contract() {
    let dir = tempfile::tempdir().expect("a directory");
    let server = serve(&dir);
    let channel = connect(&server.endpoint, None).await.expect("connected");
    let driver = RemoteDriver::connect(channel).await.expect("described");
    assert!(
        driver.backend_name().contains("libvirt"),
        "{}",
        driver.backend_name()
    );
    let nodes = driver.get_available_nodes(false).await.expect("nodes");
    assert_eq!(nodes.len(), 1, "{nodes:?}");
    let vm = Instance::new(Uuid::new_v4(), Flavor::m1_small()).with_name("served-vm");
    driver
        .spawn(
            &RequestContext::admin(),
            &vm,
            &ImageMeta::new("cirros"),
            &[],
            None,
            &[],
            &BlockDeviceInfo::default(),
            true,
        )
        .await
        .expect("spawned");
    assert_eq!(
        driver.get_info(&vm).await.expect("info").state,
        PowerState::Running
    );
    driver.pause(&vm).await.expect("paused");
    assert_eq!(
        driver.get_info(&vm).await.expect("info").state,
        PowerState::Paused
    );
    assert!(driver
        .list_instances()
        .await
        .expect("listed")
        .contains(&vm.name));
    driver
        .destroy(&vm, &[], &BlockDeviceInfo::default(), true)
        .await
        .expect("destroyed");
    assert!(!driver.instance_exists(&vm).await.expect("asked"));
}

#[test]
fn the_runner_judges_served_libvirt_as_in_process() {
    let dir = tempfile::tempdir().expect("a directory");
    let server = serve(&dir);
    let endpoint = server.endpoint.to_string();
    let remote = verdicts(
        &["--backend", "remote", "--endpoint", &endpoint],
        None,
        dir.path(),
        "remote.json",
    );
    let in_process = verdicts(
        &[],
        Some(Arc::new(LibvirtFactory::test())),
        dir.path(),
        "in-process.json",
    );
    // libvirt offers no backend whose calls stay pending in process either,
    // so every case ends alike.
    assert_eq!(differences(&in_process, &remote), Vec::<String>::new());
}

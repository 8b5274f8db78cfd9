//! Export and import of the whole state as JSON.

mod common;

use driver_api::{
    BlockDeviceInfo, ComputeDriver, ConnectionInfo, Flavor, ImageMeta, LiveMigrateData,
    ResourceAmounts,
};
use driver_fake::{FakeDriver, NodeSize, StateError};

use common::*;

#[test]
fn state_round_trips_through_json() {
    rt().block_on(async {
        let driver = FakeDriver::builder().host("h").nodes(["a", "b"]).build();
        let vm = instance("vm").with_node("b");
        spawn_with(&driver, &vm, &[vif("aa:bb:cc:00:00:01")], true)
            .await
            .unwrap();
        driver
            .attach_volume(&ConnectionInfo::new("iscsi", "v"), &vm, "/dev/vdb")
            .await
            .unwrap();
        driver.inject_file(&vm, "L2E=", "Yg==").await.unwrap();
        driver.pause(&vm).await.unwrap();
        let off = instance("off");
        spawn_with(&driver, &off, &[], false).await.unwrap();
        let arriving = instance("arriving");
        driver
            .pre_live_migration(
                &ctx(),
                &arriving,
                &BlockDeviceInfo::default(),
                &[],
                &LiveMigrateData::new("h"),
            )
            .await
            .unwrap();
        driver.set_host_enabled("h", false).await.unwrap();

        let json = driver.to_json().unwrap();
        let copy = FakeDriver::from_json(&json).unwrap();
        assert_eq!(copy.export_state(), driver.export_state());
        assert_eq!(copy.claims("b"), driver.claims("b"));
        assert_eq!(copy.claims("a"), driver.claims("a"));
        assert_eq!(copy.nodes(), ["a", "b"]);
        assert!(!copy.host_enabled());
        // The copy is a working driver.
        copy.unpause(&vm).await.unwrap();
        copy.post_live_migration_at_destination(
            &ctx(),
            &arriving,
            &[],
            false,
            &BlockDeviceInfo::default(),
        )
        .await
        .unwrap();
        assert_eq!(copy.instances().len(), 3);
        // Names stay unique in the copy.
        assert!(spawn(&copy, &instance("off")).await.is_err());
    });
}

#[test]
fn inconsistent_states_are_refused() {
    rt().block_on(async {
        assert!(matches!(
            FakeDriver::from_json("{"),
            Err(StateError::Json(_))
        ));
        let driver = FakeDriver::new();
        spawn(&driver, &instance("a")).await.unwrap();
        let mut state = driver.export_state();
        let mut twin = state.instances[0].clone();
        twin.uuid = uuid::Uuid::new_v4();
        state.instances.push(twin);
        let err = FakeDriver::builder().build_with_state(state).unwrap_err();
        assert!(matches!(err, StateError::Inconsistent(_)));

        let mut state = driver.export_state();
        state.instances[0].claim = ResourceAmounts::new(5, 1, 1);
        let err = FakeDriver::builder()
            .node_size(NodeSize::Small)
            .build_with_state({
                state.capacities.clear();
                state
            })
            .unwrap_err();
        assert!(err.to_string().contains("insufficient"));
    });
}

#[test]
fn a_fixture_can_be_written_by_hand() {
    let json = r#"{
        "host": "fixture-host",
        "nodes": ["n1"],
        "capacities": {"n1": {"vcpus": 4, "memory_mb": 4096, "local_gb": 40}},
        "host_enabled": true,
        "maintenance": false,
        "instances": [{
            "name": "web", "uuid": "00000000-0000-0000-0000-000000000001",
            "status": {"state": "paused", "rescued": false, "soft_deleted": false},
            "node": "n1", "claim": {"vcpus": 1, "memory_mb": 512, "local_gb": 1}, "root_gb": 1,
            "volumes": {}, "interfaces": [], "injected_files": [], "console_log": ["started", "paused"],
            "snapshots": [], "admin_password_set": false, "cold_migration": null
        }],
        "incoming": []
    }"#;
    let driver = FakeDriver::from_json(json).unwrap();
    rt().block_on(async {
        let web =
            driver_api::Instance::new(uuid::Uuid::from_u128(1), Flavor::m1_tiny()).with_name("web");
        assert_eq!(
            driver.get_info(&web).await.unwrap().state,
            driver_api::PowerState::Paused
        );
        let r = driver.get_available_resource("n1").await.unwrap();
        assert_eq!(r.vcpus_used, 1);
        assert_eq!(r.vcpus, 4);
        assert!(driver
            .get_console_output(&web)
            .await
            .unwrap()
            .ends_with("guest paused"));
        let _ = ImageMeta::default();
    });
}

#[test]
fn every_capacity_survives_init_host_and_a_round_trip() {
    let size = ResourceAmounts::new(7, 7000, 70);
    let driver = FakeDriver::builder()
        .nodes(["built"])
        .node_size(NodeSize::Custom(size))
        .build();
    rt().block_on(driver.init_host("host-a")).unwrap();
    let json = driver.to_json().unwrap();
    let copy = FakeDriver::from_json(&json).unwrap();
    assert_eq!(copy.capacity("built"), Some(size));
    assert_eq!(copy.export_state(), driver.export_state());
    assert_eq!(copy.to_json().unwrap(), json);
}

#[test]
fn a_document_over_the_size_limit_is_refused_before_it_is_read() {
    let json = FakeDriver::builder().host("h").build().to_json().unwrap();
    // The same valid document, padded with whitespace to the limit: still read.
    let mut at_limit = json.clone();
    at_limit.push_str(&" ".repeat(driver_fake::MAX_STATE_JSON_BYTES - json.len()));
    assert_eq!(at_limit.len(), driver_fake::MAX_STATE_JSON_BYTES);
    assert_eq!(FakeDriver::from_json(&at_limit).unwrap().host(), "h");
    // One byte more: refused by size, naming both figures.
    at_limit.push(' ');
    match FakeDriver::from_json(&at_limit) {
        Err(StateError::TooLarge { bytes, limit }) => {
            assert_eq!(bytes, driver_fake::MAX_STATE_JSON_BYTES + 1);
            assert_eq!(limit, driver_fake::MAX_STATE_JSON_BYTES);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

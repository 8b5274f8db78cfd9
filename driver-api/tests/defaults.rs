//! The trait's defaults: optional methods answer NotSupported; derived methods
//! follow the mandatory ones; `Arc<T>` and `Box<T>` forward.

use std::sync::Arc;

use async_trait::async_trait;
use driver_api::{
    BlockDeviceInfo, Capabilities, ComputeDriver, DriverError, DriverMethod, DriverResult,
    ErrorKind, EventListener, EventSlot, Feature, Flavor, ImageMeta, InjectedFile, Instance,
    InstanceInfo, LifecycleEvent, NodeResources, PowerState, RequestContext, Secret, Vif,
};
use uuid::Uuid;

/// The smallest possible backend: mandatory methods only, one fixed instance.
#[derive(Debug, Default)]
struct Bare {
    events: EventSlot,
}

#[async_trait]
impl ComputeDriver for Bare {
    fn driver_name(&self) -> &'static str {
        "bare"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::none()
    }
    fn register_event_listener(&self, listener: Option<EventListener>) {
        self.events.register(listener);
    }
    fn emit_event(&self, event: LifecycleEvent) {
        self.events.emit(event);
    }
    async fn init_host(&self, _host: &str) -> DriverResult<()> {
        Ok(())
    }
    async fn get_available_nodes(&self, _refresh: bool) -> DriverResult<Vec<String>> {
        Ok(vec!["bare".into()])
    }
    async fn get_available_resource(&self, nodename: &str) -> DriverResult<NodeResources> {
        Err(DriverError::NodeNotFound {
            node: nodename.to_owned(),
        })
    }
    async fn spawn(
        &self,
        _: &RequestContext,
        _: &Instance,
        _: &ImageMeta,
        _: &[InjectedFile],
        _: Option<Secret>,
        _: &[Vif],
        _: &BlockDeviceInfo,
        _: bool,
    ) -> DriverResult<()> {
        Ok(())
    }
    async fn destroy(
        &self,
        _: &Instance,
        _: &[Vif],
        _: &BlockDeviceInfo,
        _: bool,
    ) -> DriverResult<()> {
        Ok(())
    }
    async fn get_info(&self, _: &Instance) -> DriverResult<InstanceInfo> {
        Ok(InstanceInfo::new(PowerState::Running))
    }
    async fn list_instances(&self) -> DriverResult<Vec<String>> {
        Ok(vec!["one".into()])
    }
    async fn list_instance_uuids(&self) -> DriverResult<Vec<Uuid>> {
        Ok(vec![Uuid::from_u128(1)])
    }
}

fn instance(n: u128) -> Instance {
    Instance::new(Uuid::from_u128(n), Flavor::m1_tiny())
}

#[tokio::test]
async fn optional_methods_answer_not_supported_with_operation_and_driver() {
    let driver = Bare::default();
    let i = instance(1);
    let err = driver.pause(&i).await.unwrap_err();
    assert!(matches!(
        err,
        DriverError::NotSupported {
            method: DriverMethod::Pause,
            driver: "bare"
        }
    ));
    assert_eq!(err.to_string(), "bare does not support pause");
    assert_eq!(
        driver.suspend(&i).await.unwrap_err().kind(),
        ErrorKind::NotSupported
    );
    assert_eq!(
        driver.get_host_uptime().await.unwrap_err().kind(),
        ErrorKind::NotSupported
    );
    assert_eq!(
        driver.refresh_provider_fw_rules().await.unwrap_err().kind(),
        ErrorKind::NotSupported
    );
}

#[tokio::test]
async fn derived_methods_follow_the_mandatory_ones() {
    let driver = Bare::default();
    assert_eq!(driver.get_num_instances().await.unwrap(), 1);
    assert!(driver.instance_exists(&instance(1)).await.unwrap());
    assert!(!driver.instance_exists(&instance(2)).await.unwrap());
    assert!(!driver.legacy_nwinfo());
}

#[tokio::test]
async fn arc_box_and_dyn_forward_every_call() {
    let arc: Arc<dyn ComputeDriver> = Arc::new(Bare::default());
    let boxed: Box<dyn ComputeDriver> = Box::new(Bare::default());
    let nested: Arc<Box<dyn ComputeDriver>> = Arc::new(Box::new(Bare::default()));
    assert_eq!(arc.driver_name(), "bare");
    assert_eq!(boxed.driver_name(), "bare");
    assert_eq!(nested.driver_name(), "bare");
    assert_eq!(
        nested.list_instances().await.unwrap(),
        vec!["one".to_owned()]
    );
    assert_eq!(boxed.get_num_instances().await.unwrap(), 1);
    assert_eq!(
        nested.pause(&instance(1)).await.unwrap_err().kind(),
        ErrorKind::NotSupported
    );
}

#[test]
fn every_optional_method_belongs_to_one_feature_and_every_feature_has_methods() {
    for feature in Feature::ALL {
        assert!(
            DriverMethod::of_feature(*feature).next().is_some(),
            "{feature} has no method"
        );
    }
    let mandatory: Vec<&str> = DriverMethod::ALL
        .iter()
        .filter(|m| m.is_mandatory())
        .map(|m| m.name())
        .collect();
    assert_eq!(
        mandatory,
        vec![
            "capabilities",
            "register_event_listener",
            "emit_event",
            "legacy_nwinfo",
            "init_host",
            "spawn",
            "destroy",
            "get_info",
            "list_instances",
            "list_instance_uuids",
            "get_num_instances",
            "instance_exists",
            "get_available_nodes",
            "get_available_resource",
        ]
    );
    for method in DriverMethod::ALL {
        assert_eq!(DriverMethod::from_name(method.name()), Some(*method));
    }
}

#[test]
fn capabilities_round_trip_through_serde_as_names() {
    let caps = Capabilities::none()
        .with(Feature::Pause)
        .with(Feature::LiveMigration);
    let json = serde_json::to_value(caps).unwrap();
    assert_eq!(
        json["features"],
        serde_json::json!(["pause", "live_migration"])
    );
    let back: Capabilities = serde_json::from_value(json).unwrap();
    assert_eq!(back, caps);
    assert!(serde_json::from_value::<Capabilities>(serde_json::json!({
        "supports_recreate": false, "has_imagecache": false, "features": ["warp_drive"]
    }))
    .is_err());
}

#[test]
fn the_event_slot_contains_a_panicking_listener_and_replaces_listeners() {
    let slot = EventSlot::default();
    let event = LifecycleEvent::new(Uuid::nil(), driver_api::LifecycleTransition::Started);
    assert!(!slot.emit(event), "no listener: dropped");
    slot.register(Some(Arc::new(|_| panic!("Hit Me!"))));
    assert!(!slot.emit(event), "panic contained");
    let seen = Arc::new(std::sync::Mutex::new(0));
    let counter = seen.clone();
    slot.register(Some(Arc::new(move |_| *counter.lock().unwrap() += 1)));
    assert!(slot.emit(event));
    assert!(slot.emit(event));
    assert_eq!(*seen.lock().unwrap(), 2);
}

#[test]
fn errors_never_print_secrets_and_kinds_match_variants() {
    let err = DriverError::invalid_input(DriverMethod::SetAdminPassword, "password too short");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let secret = Secret::new("p4ssw0rd");
    let shown = format!("{err} {err:?} {secret} {secret:?}");
    assert!(!shown.contains("p4ssw0rd"));
}

#[test]
fn version_to_int_matches_novas_conversion() {
    assert_eq!(driver_api::version_to_int("1.0"), Some(1000));
    assert_eq!(driver_api::version_to_int("7.2.22"), Some(7_002_022));
    assert_eq!(driver_api::version_to_int("1.1000"), None);
    assert_eq!(driver_api::version_to_int(""), None);
}

#[tokio::test]
async fn every_optional_default_answers_not_supported_naming_its_own_method() {
    use driver_api::testkit::{call, SampleArgs};
    let driver = Bare::default();
    let mut args = SampleArgs::new(instance(1).with_name("one"), "bare", "elsewhere");
    args.node_resources = Some(NodeResources::new(
        "bare",
        "bare",
        driver_api::ResourceAmounts::new(1, 512, 1),
        driver_api::ResourceAmounts::default(),
    ));
    let mut optional = 0;
    for method in DriverMethod::ALL {
        let answer = call(&driver, *method, &args).await;
        if method.is_mandatory() {
            continue;
        }
        optional += 1;
        match answer {
            Err(DriverError::NotSupported {
                method: named,
                driver: "bare",
            }) => assert_eq!(named, *method),
            other => panic!("{method}: {other:?}"),
        }
    }
    assert_eq!(optional, 64);
}

//! Instance records: get, update (with its guard), list by host; and store values.

use std::sync::Arc;

use driver_api::{Flavor, Instance, PowerState, TaskState, VmState};
use uuid::Uuid;
use virtapi::{InstanceUpdate, VirtAPI, VirtApiError, VirtApiErrorKind};

use super::{ctx, seeded_instance};
use crate::virtapi::FakeVirtAPI;

#[tokio::test]
async fn instance_get_by_uuid_returns_the_stored_instance_or_not_found() {
    let api = FakeVirtAPI::new();
    let instance = seeded_instance(&api, "h1");
    assert_eq!(
        api.instance_get_by_uuid(&ctx(), instance.uuid)
            .await
            .unwrap(),
        instance
    );
    let missing = Uuid::new_v4();
    let error = api.instance_get_by_uuid(&ctx(), missing).await.unwrap_err();
    assert!(matches!(
        error,
        VirtApiError::InstanceNotFound { instance_uuid } if instance_uuid == missing
    ));
}

#[tokio::test]
async fn instance_update_returns_before_and_after_and_stores_after() {
    let api = FakeVirtAPI::new();
    let instance = seeded_instance(&api, "h1");
    let update = InstanceUpdate::new()
        .with_vm_state(VmState::Active)
        .with_task_state(None)
        .with_power_state(PowerState::Running)
        .with_node("node-1");
    let (before, after) = api
        .instance_update(&ctx(), instance.uuid, update)
        .await
        .unwrap();
    assert_eq!(before, instance);
    assert_eq!(after.vm_state, VmState::Active);
    assert_eq!(after.task_state, None);
    assert_eq!(after.power_state, PowerState::Running);
    assert_eq!(after.node.as_deref(), Some("node-1"));
    assert_eq!(api.instance(instance.uuid), Some(after));
}

#[tokio::test]
async fn instance_update_of_an_unknown_instance_is_not_found() {
    let api = FakeVirtAPI::new();
    let error = api
        .instance_update(&ctx(), Uuid::new_v4(), InstanceUpdate::new())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), VirtApiErrorKind::InstanceNotFound);
    assert!(api.instances().is_empty());
}

#[tokio::test]
async fn instance_update_with_a_failing_guard_changes_nothing() {
    let api = FakeVirtAPI::new();
    let instance = seeded_instance(&api, "h1");
    let update = InstanceUpdate::new()
        .expecting_task_state(Some(TaskState::ImageUploading))
        .with_vm_state(VmState::Error);
    let error = api
        .instance_update(&ctx(), instance.uuid, update)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), VirtApiErrorKind::UnexpectedTaskState);
    assert_eq!(api.instance(instance.uuid), Some(instance));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_update_guard_is_a_compare_and_swap_under_contention() {
    let api = FakeVirtAPI::new();
    let instance = seeded_instance(&api, "h1");
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let api = api.clone();
            tokio::spawn(async move {
                let update = InstanceUpdate::new()
                    .expecting_task_state(Some(TaskState::Spawning))
                    .with_task_state(Some(TaskState::Deleting));
                api.instance_update(&ctx(), instance.uuid, update).await
            })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => winners += 1,
            Err(error) => assert_eq!(error.kind(), VirtApiErrorKind::UnexpectedTaskState),
        }
    }
    assert_eq!(winners, 1);
}

#[tokio::test]
async fn instance_get_all_by_host_filters_by_host_in_uuid_order() {
    let api = FakeVirtAPI::new();
    let mut on_h1 = vec![
        seeded_instance(&api, "h1"),
        seeded_instance(&api, "h1"),
        seeded_instance(&api, "h1"),
    ];
    seeded_instance(&api, "h2");
    api.insert_instance(Instance::new(Uuid::new_v4(), Flavor::m1_tiny()));
    on_h1.sort_by_key(|instance| instance.uuid);
    assert_eq!(
        api.instance_get_all_by_host(&ctx(), "h1").await.unwrap(),
        on_h1
    );
    assert!(api
        .instance_get_all_by_host(&ctx(), "nowhere")
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn insert_replaces_and_remove_forgets_an_instance() {
    let api = FakeVirtAPI::new();
    let instance = seeded_instance(&api, "h1");
    let moved = instance.clone().with_host("h2");
    assert_eq!(api.insert_instance(moved.clone()), Some(instance.clone()));
    assert_eq!(api.instances(), vec![moved.clone()]);
    assert_eq!(api.remove_instance(instance.uuid), Some(moved));
    assert_eq!(api.remove_instance(instance.uuid), None);
    let error = api
        .instance_get_by_uuid(&ctx(), instance.uuid)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), VirtApiErrorKind::InstanceNotFound);
}

#[tokio::test]
async fn clones_share_one_store_and_separate_values_never_interfere() {
    let api = FakeVirtAPI::new();
    let clone = api.clone();
    let other = FakeVirtAPI::default();
    let instance = seeded_instance(&clone, "h1");
    assert_eq!(api.instance(instance.uuid), Some(instance.clone()));
    assert_eq!(other.instance(instance.uuid), None);
    let shared: Arc<dyn VirtAPI> = Arc::new(api);
    assert_eq!(
        shared
            .instance_get_by_uuid(&ctx(), instance.uuid)
            .await
            .unwrap(),
        instance
    );
}

#[tokio::test]
async fn chained_setup_stores_what_it_is_given() {
    let instance = Instance::new(Uuid::new_v4(), Flavor::m1_tiny()).with_host("h1");
    let api = FakeVirtAPI::new()
        .with_instance(instance.clone())
        .with_aggregate(virtapi::Aggregate::new(0, "a").with_host("h1"))
        .with_auto_completed_events();
    assert_eq!(api.instance(instance.uuid), Some(instance.clone()));
    let aggregates = api.aggregate_get_by_host(&ctx(), "h1", None).await.unwrap();
    assert_eq!(aggregates.iter().map(|a| a.id).collect::<Vec<_>>(), vec![1]);
    let name = virtapi::InstanceEventName::new(virtapi::EventName::NetworkChanged);
    let events = api
        .wait_for_instance_event(instance.uuid, vec![name], std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
}

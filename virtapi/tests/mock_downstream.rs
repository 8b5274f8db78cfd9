//! A downstream crate's view: a driver-side routine written against
//! `Arc<dyn VirtAPI>`, tested with `MockVirtAPI` (feature `mock`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use driver_api::{Flavor, Instance, RequestContext, TaskState, VmState};
use mockall::predicate::{always, eq};
use mockall::Sequence;
use uuid::Uuid;
use virtapi::{
    Aggregate, EventStatus, InstanceEvent, InstanceEventName, InstanceUpdate, MockVirtAPI, VirtAPI,
    VirtApiError, VirtApiErrorKind,
};

/// What a driver might do after plugging VIFs: wait for Neutron, then mark the
/// instance active. Returns the instance afterwards.
async fn finish_spawn(
    api: &Arc<dyn VirtAPI>,
    instance: Uuid,
    vifs: &[Uuid],
) -> Result<Instance, VirtApiError> {
    let names = vifs
        .iter()
        .copied()
        .map(InstanceEventName::network_vif_plugged)
        .collect();
    api.wait_for_instance_event(instance, names, Duration::from_secs(300))
        .await?;
    let update = InstanceUpdate::new()
        .expecting_task_state(Some(TaskState::Spawning))
        .with_vm_state(VmState::Active)
        .with_task_state(None);
    let (_, after) = api
        .instance_update(&RequestContext::admin(), instance, update)
        .await?;
    Ok(after)
}

#[tokio::test]
async fn finish_spawn_waits_for_every_vif_then_updates() {
    let instance = Uuid::new_v4();
    let vifs = [Uuid::new_v4(), Uuid::new_v4()];
    let expected: Vec<_> = vifs
        .iter()
        .copied()
        .map(InstanceEventName::network_vif_plugged)
        .collect();
    let mut sequence = Sequence::new();
    let mut mock = MockVirtAPI::new();
    mock.expect_wait_for_instance_event()
        .with(eq(instance), eq(expected), eq(Duration::from_secs(300)))
        .times(1)
        .in_sequence(&mut sequence)
        .returning(|_, names, _| Ok(names.into_iter().map(InstanceEvent::completed).collect()));
    mock.expect_instance_update()
        .with(always(), eq(instance), always())
        .times(1)
        .in_sequence(&mut sequence)
        .returning(|_, uuid, update| {
            let before = Instance::new(uuid, Flavor::m1_tiny());
            let mut after = before.clone();
            update.apply(&mut after)?;
            Ok((before, after))
        });
    let api: Arc<dyn VirtAPI> = Arc::new(mock);

    let after = finish_spawn(&api, instance, &vifs).await.unwrap();
    assert_eq!(after.vm_state, VmState::Active);
    assert_eq!(after.task_state, None);
}

#[tokio::test]
async fn finish_spawn_stops_at_a_failed_vif_and_never_updates() {
    let instance = Uuid::new_v4();
    let vif = Uuid::new_v4();
    let mut mock = MockVirtAPI::new();
    mock.expect_wait_for_instance_event()
        .returning(move |uuid, names, _| {
            Err(VirtApiError::EventFailed {
                instance_uuid: uuid,
                event: names[0].clone(),
                status: EventStatus::Failed,
            })
        });
    mock.expect_instance_update().times(0);
    let api: Arc<dyn VirtAPI> = Arc::new(mock);

    let error = finish_spawn(&api, instance, &[vif]).await.unwrap_err();
    assert_eq!(error.kind(), VirtApiErrorKind::EventFailed);
}

#[tokio::test]
async fn aggregate_calls_pass_typed_arguments() {
    let mut mock = MockVirtAPI::new();
    mock.expect_aggregate_metadata_add()
        .withf(|_, id, metadata, set_delete| {
            *id == 7 && metadata.get("ssd").map(String::as_str) == Some("true") && *set_delete
        })
        .times(1)
        .returning(|_, id, metadata, set_delete| {
            let mut agg = Aggregate::new(id, "fast").with_metadata("old", "x");
            agg.merge_metadata(metadata, set_delete);
            Ok(agg)
        });
    let api: Arc<dyn VirtAPI> = Arc::new(mock);

    let metadata = BTreeMap::from([("ssd".to_owned(), "true".to_owned())]);
    let agg = api
        .aggregate_metadata_add(&RequestContext::admin(), 7, metadata.clone(), true)
        .await
        .unwrap();
    assert_eq!(agg.metadata, metadata);
}

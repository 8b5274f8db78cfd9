//! `MockVirtAPI`, used the way a driver's tests use it: through `Arc<dyn VirtAPI>`.

use std::sync::Arc;
use std::time::Duration;

use driver_api::{Flavor, Instance, RequestContext, VmState};
use mockall::predicate::eq;
use uuid::Uuid;

use crate::{
    EventName, InstanceEvent, InstanceEventName, InstanceUpdate, MockVirtAPI, VirtAPI,
    VirtApiError, VirtApiErrorKind,
};

#[tokio::test]
async fn the_mock_answers_through_arc_dyn() {
    let uuid = Uuid::new_v4();
    let mut mock = MockVirtAPI::new();
    mock.expect_instance_update()
        .withf(move |_, id, updates| *id == uuid && updates.vm_state == Some(VmState::Active))
        .times(1)
        .returning(|_, id, updates| {
            let before = Instance::new(id, Flavor::m1_tiny());
            let mut after = before.clone();
            updates.apply(&mut after)?;
            Ok((before, after))
        });
    mock.expect_instance_type_get()
        .with(mockall::predicate::always(), eq(42))
        .returning(|_, id| {
            Err(VirtApiError::FlavorNotFound {
                instance_type_id: id,
            })
        });

    let api: Arc<dyn VirtAPI> = Arc::new(mock);
    let ctx = RequestContext::admin();
    let (before, after) = api
        .instance_update(
            &ctx,
            uuid,
            InstanceUpdate::new().with_vm_state(VmState::Active),
        )
        .await
        .unwrap();
    assert_eq!(before.vm_state, VmState::Building);
    assert_eq!(after.vm_state, VmState::Active);

    let error = api.instance_type_get(&ctx, 42).await.unwrap_err();
    assert_eq!(error.kind(), VirtApiErrorKind::FlavorNotFound);
}

#[tokio::test]
async fn forwarding_through_box_and_arc_reaches_the_inner_api() {
    let uuid = Uuid::new_v4();
    let event = InstanceEventName::new(EventName::NetworkChanged);
    let mut mock = MockVirtAPI::new();
    mock.expect_wait_for_instance_event()
        .with(
            eq(uuid),
            eq(vec![event.clone()]),
            eq(Duration::from_secs(1)),
        )
        .times(1)
        .returning(|_, names, _| Ok(names.into_iter().map(InstanceEvent::completed).collect()));
    mock.expect_update_compute_provider_status()
        .withf(move |_, rp, enabled| *rp == uuid && !*enabled)
        .times(1)
        .returning(|_, _, _| Ok(()));

    let boxed: Box<dyn VirtAPI> = Box::new(mock);
    let shared: Arc<Box<dyn VirtAPI>> = Arc::new(boxed);
    let events = shared
        .wait_for_instance_event(uuid, vec![event.clone()], Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(events, vec![InstanceEvent::completed(event)]);
    shared
        .update_compute_provider_status(&RequestContext::admin(), uuid, false)
        .await
        .unwrap();
}

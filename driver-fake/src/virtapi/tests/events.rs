//! `wait_for_instance_event` and deliveries, under paused time.

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;
use virtapi::{
    EventName, EventStatus, InstanceEvent, InstanceEventName, VirtAPI, VirtApiError,
    VirtApiErrorKind,
};

use super::{vif_event, WAIT};
use crate::virtapi::{FakeVirtAPI, DELIVERY_LOG_LIMIT};

/// Starts a wait on a task and returns once the fake has registered it.
async fn spawn_wait(
    api: &FakeVirtAPI,
    instance: Uuid,
    names: Vec<InstanceEventName>,
    timeout: Duration,
) -> tokio::task::JoinHandle<virtapi::VirtApiResult<Vec<InstanceEvent>>> {
    let first = names.first().cloned();
    let waiter = api.clone();
    let handle = tokio::spawn(async move {
        waiter
            .wait_for_instance_event(instance, names, timeout)
            .await
    });
    if let Some(first) = first {
        api.until_waiting_for(instance, &first).await;
    }
    handle
}

#[tokio::test(start_paused = true)]
async fn wait_returns_every_event_in_the_order_asked_for() {
    let api = FakeVirtAPI::new();
    let uuid = Uuid::new_v4();
    let (first, second) = (vif_event(), vif_event());
    let wait = spawn_wait(&api, uuid, vec![first.clone(), second.clone()], WAIT).await;
    assert_eq!(api.waiting_for(uuid).len(), 2);

    assert_eq!(
        api.deliver_instance_event(uuid, InstanceEvent::completed(second.clone())),
        1
    );
    assert_eq!(api.waiting_for(uuid), vec![first.clone()]);
    assert_eq!(
        api.deliver_instance_event(uuid, InstanceEvent::completed(first.clone())),
        1
    );
    let events = wait.await.unwrap().unwrap();
    assert_eq!(
        events,
        vec![
            InstanceEvent::completed(first),
            InstanceEvent::completed(second)
        ]
    );
    assert!(api.waiting_for(uuid).is_empty());
}

#[tokio::test(start_paused = true)]
async fn wait_times_out_listing_the_missing_events_in_order() {
    let api = FakeVirtAPI::new();
    let uuid = Uuid::new_v4();
    let names = vec![vif_event(), vif_event(), vif_event()];
    let wait = spawn_wait(&api, uuid, names.clone(), WAIT).await;
    api.deliver_instance_event(uuid, InstanceEvent::completed(names[1].clone()));
    match wait.await.unwrap().unwrap_err() {
        VirtApiError::Timeout {
            instance_uuid,
            missing,
            timeout,
        } => {
            assert_eq!(instance_uuid, uuid);
            assert_eq!(missing, vec![names[0].clone(), names[2].clone()]);
            assert_eq!(timeout, WAIT);
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(api.waiting_for(uuid).is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_failed_or_in_progress_event_ends_the_wait_with_event_failed() {
    for status in [EventStatus::Failed, EventStatus::InProgress] {
        let api = FakeVirtAPI::new();
        let uuid = Uuid::new_v4();
        let (ok, bad) = (vif_event(), vif_event());
        let wait = spawn_wait(&api, uuid, vec![ok.clone(), bad.clone()], WAIT).await;
        api.deliver_instance_event(uuid, InstanceEvent::new(bad.clone(), status));
        match wait.await.unwrap().unwrap_err() {
            VirtApiError::EventFailed {
                instance_uuid,
                event,
                status: got,
            } => {
                assert_eq!(instance_uuid, uuid);
                assert_eq!(event, bad);
                assert_eq!(got, status);
            }
            other => panic!("expected EventFailed, got {other:?}"),
        }
        assert!(api.waiting_for(uuid).is_empty());
    }
}

#[tokio::test(start_paused = true)]
async fn events_for_other_names_or_instances_are_ignored() {
    let api = FakeVirtAPI::new();
    let uuid = Uuid::new_v4();
    let wanted = vif_event();
    let wait = spawn_wait(&api, uuid, vec![wanted.clone()], WAIT).await;
    let other_name = InstanceEventName::new(EventName::NetworkChanged);
    assert_eq!(
        api.deliver_instance_event(uuid, InstanceEvent::failed(other_name)),
        0
    );
    assert_eq!(
        api.deliver_instance_event(Uuid::new_v4(), InstanceEvent::failed(wanted.clone())),
        0
    );
    let untagged = InstanceEventName::new(EventName::NetworkVifPlugged);
    assert_eq!(
        api.deliver_instance_event(uuid, InstanceEvent::completed(untagged)),
        0
    );
    assert_eq!(api.waiting_for(uuid), vec![wanted.clone()]);
    api.deliver_instance_event(uuid, InstanceEvent::completed(wanted.clone()));
    assert_eq!(
        wait.await.unwrap().unwrap(),
        vec![InstanceEvent::completed(wanted)]
    );
}

#[tokio::test(start_paused = true)]
async fn an_event_delivered_before_the_wait_is_dropped_but_logged() {
    let api = FakeVirtAPI::new();
    let uuid = Uuid::new_v4();
    let early = vif_event();
    assert_eq!(
        api.deliver_instance_event(uuid, InstanceEvent::completed(early.clone())),
        0
    );
    assert_eq!(
        api.delivered_instance_events(),
        vec![(uuid, InstanceEvent::completed(early.clone()))]
    );
    let error = api
        .wait_for_instance_event(uuid, vec![early], Duration::from_secs(1))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), VirtApiErrorKind::Timeout);
}

#[tokio::test]
async fn an_empty_or_duplicated_list_of_names() {
    let api = FakeVirtAPI::new();
    let uuid = Uuid::new_v4();
    let nothing = api
        .wait_for_instance_event(uuid, Vec::new(), Duration::ZERO)
        .await
        .unwrap();
    assert!(nothing.is_empty());

    let name = vif_event();
    let (events, taken) = tokio::join!(
        api.wait_for_instance_event(uuid, vec![name.clone(), name.clone()], WAIT),
        async { api.deliver_instance_event(uuid, InstanceEvent::completed(name.clone())) },
    );
    assert_eq!(taken, 1);
    assert_eq!(events.unwrap(), vec![InstanceEvent::completed(name)]);
}

#[tokio::test(start_paused = true)]
async fn every_waiter_for_an_event_receives_it() {
    let api = FakeVirtAPI::new();
    let uuid = Uuid::new_v4();
    let name = vif_event();
    // `join!` polls in order: both waits register before the delivery runs.
    let (first, second, taken) = tokio::join!(
        api.wait_for_instance_event(uuid, vec![name.clone()], WAIT),
        api.wait_for_instance_event(uuid, vec![name.clone()], WAIT),
        async { api.deliver_instance_event(uuid, InstanceEvent::completed(name.clone())) },
    );
    assert_eq!(taken, 2);
    assert_eq!(first.unwrap(), vec![InstanceEvent::completed(name.clone())]);
    assert_eq!(second.unwrap(), vec![InstanceEvent::completed(name)]);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_wait_leaves_nothing_behind() {
    let api = FakeVirtAPI::new();
    let uuid = Uuid::new_v4();
    let name = vif_event();
    let wait = spawn_wait(&api, uuid, vec![name.clone()], WAIT).await;
    wait.abort();
    assert!(wait.await.unwrap_err().is_cancelled());
    assert!(api.waiting_for(uuid).is_empty());
    assert_eq!(
        api.deliver_instance_event(uuid, InstanceEvent::completed(name)),
        0
    );
}

#[tokio::test(start_paused = true)]
async fn auto_complete_answers_every_wait_at_once() {
    let api = FakeVirtAPI::new();
    api.auto_complete_events(true);
    let uuid = Uuid::new_v4();
    let names = vec![vif_event(), vif_event()];
    let events = api
        .wait_for_instance_event(uuid, names.clone(), WAIT)
        .await
        .unwrap();
    let expected: Vec<_> = names.into_iter().map(InstanceEvent::completed).collect();
    assert_eq!(events, expected);

    api.auto_complete_events(false);
    let error = api
        .wait_for_instance_event(uuid, vec![vif_event()], Duration::from_secs(1))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), VirtApiErrorKind::Timeout);
}

#[test]
fn the_delivery_log_is_bounded() {
    let api = FakeVirtAPI::new();
    let uuid = Uuid::new_v4();
    let last = vif_event();
    for _ in 0..DELIVERY_LOG_LIMIT {
        api.deliver_instance_event(uuid, InstanceEvent::completed(vif_event()));
    }
    api.deliver_instance_event(uuid, InstanceEvent::completed(last.clone()));
    let log = api.delivered_instance_events();
    assert_eq!(log.len(), DELIVERY_LOG_LIMIT);
    assert_eq!(log.last(), Some(&(uuid, InstanceEvent::completed(last))));
}

#[tokio::test(start_paused = true)]
async fn waits_work_through_arc_dyn_virtapi() {
    let api = FakeVirtAPI::new();
    let dynamic: Arc<dyn VirtAPI> = Arc::new(api.clone());
    let uuid = Uuid::new_v4();
    let name = vif_event();
    let waiter = Arc::clone(&dynamic);
    let wanted = name.clone();
    let wait = tokio::spawn(async move {
        waiter
            .wait_for_instance_event(uuid, vec![wanted], WAIT)
            .await
    });
    api.until_waiting_for(uuid, &name).await;
    api.deliver_instance_event(uuid, InstanceEvent::completed(name.clone()));
    assert_eq!(
        wait.await.unwrap().unwrap(),
        vec![InstanceEvent::completed(name)]
    );
}

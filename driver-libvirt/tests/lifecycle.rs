//! The lifecycle table on libvirt's test:/// driver: states, events, errors.

mod common;

use std::time::Duration;

use common::*;
use driver_api::{
    BlockDeviceInfo, ComputeDriver, ErrorKind, ImageMeta, LifecycleTransition as Ev, PowerState,
    RebootType, RequestContext, Secret,
};

#[tokio::test]
async fn spawn_runs_lists_and_emits_started() {
    let d = driver().await;
    let events = record_events(&d);
    let vm = instance("vm-a");
    spawn(&d, &vm).await;
    assert_eq!(state(&d, &vm).await, PowerState::Running);
    assert_eq!(d.list_instances().await.unwrap(), vec!["vm-a".to_owned()]);
    assert_eq!(d.list_instance_uuids().await.unwrap(), vec![vm.uuid]);
    assert_eq!(take(&events), vec![Ev::Started]);
}

#[tokio::test]
async fn spawn_without_power_on_is_shut_down_and_silent() {
    let d = driver().await;
    let events = record_events(&d);
    let vm = instance("vm-off");
    spawn_powered(&d, &vm, false).await;
    assert_eq!(state(&d, &vm).await, PowerState::Shutdown);
    assert!(take(&events).is_empty());
}

#[tokio::test]
async fn pause_suspend_power_follow_the_table() {
    let d = driver().await;
    let vm = instance("vm-b");
    spawn(&d, &vm).await;
    let events = record_events(&d);
    let ctx = RequestContext::default();
    let bdi = BlockDeviceInfo::default();

    d.pause(&vm).await.unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Paused);
    d.pause(&vm).await.unwrap(); // no-op
    d.unpause(&vm).await.unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Running);
    d.suspend(&vm).await.unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Suspended);
    assert_eq!(
        d.pause(&vm).await.unwrap_err().kind(),
        ErrorKind::InvalidState
    );
    d.resume(&vm, &[], &bdi).await.unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Running);
    d.pause(&vm).await.unwrap();
    d.suspend(&vm).await.unwrap();
    d.power_on(&ctx, &vm, &[], &bdi).await.unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Running);
    d.power_off(&vm, Duration::from_secs(1)).await.unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Shutdown);
    d.power_off(&vm, Duration::ZERO).await.unwrap(); // no-op
    assert_eq!(
        d.unpause(&vm).await.unwrap_err().kind(),
        ErrorKind::InvalidState
    );
    d.power_on(&ctx, &vm, &[], &bdi).await.unwrap();
    assert_eq!(
        take(&events),
        vec![
            Ev::Paused,
            Ev::Resumed,
            Ev::Suspended,
            Ev::Resumed,
            Ev::Paused,
            Ev::Suspended,
            Ev::Started,
            Ev::Stopped,
            Ev::Started
        ]
    );
}

#[tokio::test]
async fn reboots() {
    let d = driver().await;
    let vm = instance("vm-r");
    spawn(&d, &vm).await;
    let events = record_events(&d);
    let (ctx, bdi) = (RequestContext::default(), BlockDeviceInfo::default());
    d.reboot(&ctx, &vm, &[], RebootType::Soft, &bdi)
        .await
        .unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Running);
    d.reboot(&ctx, &vm, &[], RebootType::Hard, &bdi)
        .await
        .unwrap();
    assert!(take(&events).is_empty());
    d.pause(&vm).await.unwrap();
    let err = d
        .reboot(&ctx, &vm, &[], RebootType::Soft, &bdi)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    d.reboot(&ctx, &vm, &[], RebootType::Hard, &bdi)
        .await
        .unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Running);
    d.suspend(&vm).await.unwrap();
    d.reboot(&ctx, &vm, &[], RebootType::Hard, &bdi)
        .await
        .unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Running);
    assert_eq!(
        take(&events),
        vec![Ev::Paused, Ev::Started, Ev::Suspended, Ev::Started]
    );
}

#[tokio::test]
async fn rescue_and_soft_delete_keep_their_flags() {
    let d = driver().await;
    let vm = instance("vm-c");
    spawn(&d, &vm).await;
    let (ctx, meta) = (RequestContext::default(), ImageMeta::new("rescue"));

    d.rescue(&ctx, &vm, &[], &meta, Secret::new("pw"))
        .await
        .unwrap();
    let info = d.get_info(&vm).await.unwrap();
    assert!(info.rescued);
    assert_eq!(info.state, PowerState::Running);
    let again = d
        .rescue(&ctx, &vm, &[], &meta, Secret::new("pw"))
        .await
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::InvalidState);
    assert_eq!(
        d.pause(&vm).await.unwrap_err().kind(),
        ErrorKind::InvalidState
    );
    d.unrescue(&vm, &[]).await.unwrap();
    assert!(!d.get_info(&vm).await.unwrap().rescued);
    d.unrescue(&vm, &[]).await.unwrap(); // no-op

    d.soft_delete(&vm).await.unwrap();
    let info = d.get_info(&vm).await.unwrap();
    assert!(info.soft_deleted);
    assert_eq!(info.state, PowerState::Shutdown);
    let bdi = BlockDeviceInfo::default();
    let err = d.power_on(&ctx, &vm, &[], &bdi).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    d.restore(&vm).await.unwrap();
    let info = d.get_info(&vm).await.unwrap();
    assert!(!info.soft_deleted);
    assert_eq!(info.state, PowerState::Running);
}

#[tokio::test]
async fn soft_delete_of_a_rescued_instance_leaves_rescue() {
    let d = driver().await;
    let vm = instance("vm-rs");
    spawn(&d, &vm).await;
    let ctx = RequestContext::default();
    d.rescue(&ctx, &vm, &[], &ImageMeta::new("r"), Secret::new("pw"))
        .await
        .unwrap();
    d.soft_delete(&vm).await.unwrap();
    let info = d.get_info(&vm).await.unwrap();
    assert!(info.soft_deleted && !info.rescued);
    d.restore(&vm).await.unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Running);
}

#[tokio::test]
async fn rescue_from_shutdown_emits_started() {
    let d = driver().await;
    let vm = instance("vm-rd");
    spawn_powered(&d, &vm, false).await;
    let events = record_events(&d);
    d.rescue(
        &RequestContext::default(),
        &vm,
        &[],
        &ImageMeta::new("r"),
        Secret::new("x"),
    )
    .await
    .unwrap();
    assert_eq!(take(&events), vec![Ev::Started]);
    d.unrescue(&vm, &[]).await.unwrap();
    assert!(take(&events).is_empty());
    assert_eq!(state(&d, &vm).await, PowerState::Running);
}

#[tokio::test]
async fn destroy_removes_and_is_idempotent() {
    let d = driver().await;
    let vm = instance("vm-d");
    spawn(&d, &vm).await;
    let events = record_events(&d);
    let bdi = BlockDeviceInfo::default();
    d.destroy(&vm, &[], &bdi, true).await.unwrap();
    assert!(d.list_instances().await.unwrap().is_empty());
    d.destroy(&vm, &[], &bdi, true).await.unwrap();
    assert_eq!(take(&events), vec![Ev::Stopped]);
    assert_eq!(
        d.get_info(&vm).await.unwrap_err().kind(),
        ErrorKind::InstanceNotFound
    );
}

#[tokio::test]
async fn destroy_of_a_shut_down_instance_is_silent() {
    let d = driver().await;
    let vm = instance("vm-ds");
    spawn_powered(&d, &vm, false).await;
    let events = record_events(&d);
    d.destroy(&vm, &[], &BlockDeviceInfo::default(), true)
        .await
        .unwrap();
    assert!(take(&events).is_empty());
}

#[tokio::test]
async fn unknown_instances() {
    let d = driver().await;
    let vm = instance("ghost");
    let ctx = RequestContext::default();
    assert_eq!(
        d.pause(&vm).await.unwrap_err().kind(),
        ErrorKind::InstanceNotFound
    );
    assert_eq!(
        d.power_off(&vm, Duration::ZERO).await.unwrap_err().kind(),
        ErrorKind::InstanceNotFound
    );
    let cb: driver_api::TaskStateCallback = std::sync::Arc::new(|_, _| {});
    assert_eq!(
        d.snapshot(&ctx, &vm, "img", cb).await.unwrap_err().kind(),
        ErrorKind::InstanceNotRunning
    );
    d.destroy(&vm, &[], &BlockDeviceInfo::default(), true)
        .await
        .unwrap();
}

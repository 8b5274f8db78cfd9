//! Lifecycle events: one per real change, in order, to the one listener;
//! registering replaces it; a panicking listener is contained. The cases of
//! one listener drive their steps through the reference model
//! ([`crate::model::Rig`]): after every step the events and every other
//! observable equal the model's, besides the sequence each case names.

use std::sync::{Arc, Mutex};

use driver_api::{EventListener, LifecycleEvent};

use crate::model::{Rig, Step};
use crate::prelude::*;

fn collector() -> (EventListener, Arc<Mutex<Vec<LifecycleEvent>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let listener: EventListener = Arc::new(move |e: LifecycleEvent| {
        if let Ok(mut events) = sink.lock() {
            events.push(e);
        }
    });
    (listener, seen)
}

fn collected(seen: &Arc<Mutex<Vec<LifecycleEvent>>>) -> Vec<(uuid::Uuid, Ev)> {
    seen.lock()
        .map(|v| v.iter().map(|e| (e.instance_uuid, e.transition)).collect())
        .unwrap_or_default()
}

pub(crate) fn spawn_emits_started() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let mark = ctx.event_mark(0);
            let instance = rig.spawned(ctx, true).await?;
            ctx.expect_events(0, mark, &[(instance.uuid, Ev::Started)])
                .await
        })
    })
    .exercises(&[M::Spawn, M::RegisterEventListener])
}

pub(crate) fn destroy_running_emits_stopped() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = rig.spawned(ctx, true).await?;
            let mark = ctx.event_mark(0);
            rig.step(0, &instance, &Step::Lifecycle(Op::Destroy))
                .await?;
            ctx.expect_events(0, mark, &[(instance.uuid, Ev::Stopped)])
                .await
        })
    })
    .exercises(&[M::Spawn, M::Destroy])
}

pub(crate) fn destroy_stopped_emits_nothing() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = rig.spawned(ctx, false).await?;
            let mark = ctx.event_mark(0);
            rig.step(0, &instance, &Step::Lifecycle(Op::Destroy))
                .await?;
            ctx.expect_events(0, mark, &[]).await
        })
    })
    .exercises(&[M::Spawn, M::Destroy])
}

pub(crate) fn order_follows_changes() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = rig.spawned(ctx, true).await?;
            let mark = ctx.event_mark(0);
            for op in [
                Op::Pause,
                Op::Unpause,
                Op::Suspend,
                Op::Resume,
                Op::PowerOff,
                Op::PowerOn,
            ] {
                ctx.expect_apply(&instance, op).await?;
            }
            let u = instance.uuid;
            ctx.expect_events(
                0,
                mark,
                &[
                    (u, Ev::Paused),
                    (u, Ev::Resumed),
                    (u, Ev::Suspended),
                    (u, Ev::Resumed),
                    (u, Ev::Stopped),
                    (u, Ev::Started),
                ],
            )
            .await
        })
    })
    .exercises(&[
        M::Spawn,
        M::Pause,
        M::Unpause,
        M::Suspend,
        M::Resume,
        M::PowerOff,
        M::PowerOn,
    ])
}

pub(crate) fn interleaved_instances() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let a = rig.spawned(ctx, true).await?;
            let b = rig.spawned(ctx, true).await?;
            let mark = ctx.event_mark(0);
            rig.step(0, &a, &Step::Lifecycle(Op::Pause)).await?;
            rig.step(0, &b, &Step::Lifecycle(Op::Pause)).await?;
            rig.step(0, &a, &Step::Lifecycle(Op::Unpause)).await?;
            ctx.expect_events(
                0,
                mark,
                &[
                    (a.uuid, Ev::Paused),
                    (b.uuid, Ev::Paused),
                    (a.uuid, Ev::Resumed),
                ],
            )
            .await
        })
    })
    .exercises(&[M::Spawn, M::Pause, M::Unpause])
}

pub(crate) fn noop_emits_nothing() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = rig.spawned(ctx, true).await?;
            let mark = ctx.event_mark(0);
            rig.step(0, &instance, &Step::Lifecycle(Op::PowerOn))
                .await?;
            rig.step(0, &instance, &Step::Lifecycle(Op::Unrescue))
                .await?;
            rig.step(0, &instance, &Step::Lifecycle(Op::Restore))
                .await?;
            ctx.expect_events(0, mark, &[]).await
        })
    })
    .exercises(&[M::Spawn, M::PowerOn, M::Unrescue, M::Restore])
}

pub(crate) fn listener_replaced() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let (first, first_seen) = collector();
            let (second, second_seen) = collector();
            ctx.step("register listener 1, then listener 2");
            ctx.driver().register_event_listener(Some(first));
            ctx.driver().register_event_listener(Some(second));
            let instance = ctx.spawn_running().await?;
            expect_eq(
                "events to the replaced listener",
                Vec::new(),
                collected(&first_seen),
            )?;
            expect_eq(
                "events to the current listener",
                vec![(instance.uuid, Ev::Started)],
                collected(&second_seen),
            )
        })
    })
    .exercises(&[M::RegisterEventListener, M::Spawn])
}

/// `register_event_listener`: "A listener may call back into the driver's
/// synchronous methods ...: no driver lock is held while it runs, and a
/// listener it registers gets the next event." The first listener, at its
/// first event, reads the capabilities and registers the second; a backend
/// that delivers under its own lock deadlocks here, which the case reports
/// as a failure after 10 s.
pub(crate) fn listener_may_call_back() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let (second, second_seen) = collector();
            let (record, first_seen) = collector();
            let driver = Arc::downgrade(ctx.driver());
            let handed_on = Mutex::new(Some(second));
            let first: EventListener = Arc::new(move |e: LifecycleEvent| {
                record(e);
                let next = handed_on.lock().ok().and_then(|mut next| next.take());
                if let (Some(next), Some(driver)) = (next, driver.upgrade()) {
                    let _features = driver.capabilities();
                    driver.register_event_listener(Some(next));
                }
            });
            ctx.step("register a listener that, at its first event, registers a second one");
            ctx.driver().register_event_listener(Some(first));
            let instance = ctx.new_instance(Flavor::m1_tiny());
            ctx.track(&instance);
            let driver = ctx.driver().clone();
            let target = instance.clone();
            ctx.step(format!(
                "spawn {} (Started goes to the first listener)",
                instance.name
            ));
            let spawn = tokio::spawn(async move {
                driver
                    .spawn(
                        &fixtures::context(),
                        &target,
                        &fixtures::image(),
                        &[],
                        None,
                        &[fixtures::vif()],
                        &fixtures::no_block_devices(),
                        true,
                    )
                    .await
            });
            let spawned = tokio::time::timeout(std::time::Duration::from_secs(10), spawn).await;
            match spawned {
                Ok(Ok(result)) => expect_ok("spawn with a listener that calls back", result)?,
                Ok(Err(_)) => {
                    return Err(CaseError::fail(
                        "spawn returns",
                        "the call panicked (a listener calling back into the driver)",
                    ))
                }
                Err(_) => return Err(CaseError::fail(
                    "spawn returns",
                    "no answer within 10 s: the listener's call back into the driver deadlocked",
                )),
            }
            ctx.step(format!(
                "power_off {} (Stopped goes to the second)",
                instance.name
            ));
            expect_ok(
                "power_off",
                ctx.driver()
                    .power_off(&instance, std::time::Duration::ZERO)
                    .await,
            )?;
            expect_eq(
                "events to the first listener",
                vec![(instance.uuid, Ev::Started)],
                collected(&first_seen),
            )?;
            expect_eq(
                "events to the listener it registered",
                vec![(instance.uuid, Ev::Stopped)],
                collected(&second_seen),
            )
        })
    })
    .exercises(&[M::RegisterEventListener, M::Spawn, M::PowerOff])
    .covers(&[M::Capabilities])
}

pub(crate) fn listener_unregistered() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let (listener, seen) = collector();
            ctx.step("register a listener, then unregister (None)");
            ctx.driver().register_event_listener(Some(listener));
            ctx.driver().register_event_listener(None);
            let instance = ctx.spawn_running().await?;
            ctx.step("emit_event with no listener");
            ctx.driver()
                .emit_event(LifecycleEvent::new(instance.uuid, Ev::Paused));
            expect_eq("events after unregistering", Vec::new(), collected(&seen))?;
            ctx.expect_status(&instance, RUNNING).await
        })
    })
    .exercises(&[M::RegisterEventListener, M::EmitEvent, M::Spawn, M::GetInfo])
}

pub(crate) fn panicking_listener_contained() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step("register a listener that panics");
            ctx.driver()
                .register_event_listener(Some(Arc::new(|_e: LifecycleEvent| {
                    std::panic::panic_any("a deliberate listener panic: the conformance suite checks the driver contains it");
                })));
            let driver = ctx.driver().clone();
            let target = instance.clone();
            ctx.step(format!("pause {} (the listener panics)", instance.name));
            let paused = tokio::spawn(async move { driver.pause(&target).await }).await;
            match paused {
                Ok(result) => expect_ok("pause with a panicking listener", result)?,
                Err(_) => {
                    return Err(CaseError::fail(
                        "the listener's panic contained by the driver",
                        "the panic escaped pause",
                    ))
                }
            }
            ctx.expect_status(&instance, PAUSED).await?;
            ctx.step("register the recorder again");
            ctx.driver().register_event_listener(Some(ctx.recorder(0)));
            let mark = ctx.event_mark(0);
            ctx.expect_apply(&instance, Op::Unpause).await?;
            ctx.expect_events(0, mark, &[(instance.uuid, Ev::Resumed)])
                .await
        })
    })
    .exercises(&[
        M::RegisterEventListener,
        M::Spawn,
        M::Pause,
        M::Unpause,
        M::GetInfo,
    ])
}

pub(crate) fn crash_emits_stopped() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = rig.spawned(ctx, true).await?;
            ctx.hooks(0)?;
            let mark = ctx.event_mark(0);
            rig.step(0, &instance, &Step::Lifecycle(Op::Crash)).await?;
            ctx.expect_events(0, mark, &[(instance.uuid, Ev::Stopped)])
                .await?;
            ctx.expect_listed(0, &instance).await?;
            ctx.expect_used(0, claim(&instance.flavor)).await
        })
    })
    .needs_hooks()
    .exercises(&[
        M::Spawn,
        M::GetInfo,
        M::ListInstances,
        M::GetAvailableResource,
    ])
}

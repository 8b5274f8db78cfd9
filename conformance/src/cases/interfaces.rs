//! Interfaces: hot-plug, duplicates, unplug of nothing, VIF bandwidth counters.
//! Every case drives its steps through the reference model
//! ([`crate::model::Rig`]): each answer and every observable after it (the
//! bandwidth counters, one per attached VIF, among them) equal the model's.

use crate::model::step::slot_vif;
use crate::model::{Rig, Step};
use crate::prelude::*;

/// A VIF attaches and detaches; a second detach is `InterfaceDetachFailed`.
pub(crate) fn attach_detach() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            rig.step(0, &instance, &Step::AttachInterface(1)).await?;
            rig.step(0, &instance, &Step::DetachInterface(1)).await?;
            rig.step(0, &instance, &Step::DetachInterface(1)).await
        })
    })
    .exercises(&[M::Spawn, M::AttachInterface, M::DetachInterface])
}

/// Attaching the VIF the instance was spawned with is
/// `InterfaceAttachFailed`; that VIF detaches.
pub(crate) fn attach_duplicate() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            rig.step(0, &instance, &Step::AttachInterface(0)).await?;
            rig.step(0, &instance, &Step::DetachInterface(0)).await
        })
    })
    .exercises(&[M::Spawn, M::AttachInterface, M::DetachInterface])
}

/// `detach_interface` from an unknown instance is `InstanceNotFound`.
pub(crate) fn detach_unknown_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let unknown = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &unknown, &Step::DetachInterface(0)).await
        })
    })
    .exercises(&[M::DetachInterface])
}

/// `get_all_bw_counters` has one counter per attached VIF (by MAC) and none
/// for an instance not on the host: compared after every step (the spawn's
/// VIF; where interfaces hot-plug, a second one, then one again after its
/// detach), and asked once more here with both instances in one call.
pub(crate) fn bw_counters_per_vif() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let hot_plug = ctx.capabilities().supports(F::Interfaces);
            let instance = ctx.new_instance(Flavor::m1_tiny());
            let stranger = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            // A destroy of an instance not on the host: `Ok`, nothing
            // changes, and the stranger is compared from now on.
            rig.step(0, &stranger, &Step::Lifecycle(Op::Destroy))
                .await?;
            let mut vifs = vec![slot_vif(instance.uuid, 0)];
            if hot_plug {
                rig.step(0, &instance, &Step::AttachInterface(1)).await?;
                vifs.push(slot_vif(instance.uuid, 1));
            }
            ctx.step("get_all_bw_counters [instance, an instance not on this host]");
            let counters = ctx
                .driver()
                .get_all_bw_counters(&[instance.clone(), stranger.clone()])
                .await?;
            let mut macs: Vec<&str> = counters
                .iter()
                .filter(|c| c.uuid == instance.uuid)
                .map(|c| c.mac_address.as_str())
                .collect();
            macs.sort_unstable();
            let mut expected: Vec<&str> = vifs.iter().map(|v| v.address.as_str()).collect();
            expected.sort_unstable();
            expect_eq("one counter per VIF (by MAC)", expected, macs)?;
            ensure(
                counters.iter().all(|c| c.uuid != stranger.uuid),
                "no counters for an instance not on this host",
                format!("{counters:?}"),
            )?;
            if hot_plug {
                rig.step(0, &instance, &Step::DetachInterface(1)).await?;
            }
            Ok(())
        })
    })
    .exercises(&[M::Spawn, M::Destroy, M::GetAllBwCounters])
    .covers(&[M::AttachInterface, M::DetachInterface])
}

/// `plug_vifs` on an unknown instance is `InstanceNotFound`.
pub(crate) fn plug_unknown_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let unknown = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &unknown, &Step::PlugVifs).await
        })
    })
    .exercises(&[M::PlugVifs])
}

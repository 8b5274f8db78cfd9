//! Interfaces: hot-plug, duplicates, unplug of nothing, VIF bandwidth counters.

use crate::prelude::*;

pub(crate) fn attach_detach() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            let vif = fixtures::vif();
            ctx.step("attach_interface a new VIF");
            ctx.driver()
                .attach_interface(&instance, &fixtures::image(), &vif)
                .await?;
            ctx.step("detach_interface it");
            ctx.driver().detach_interface(&instance, &vif).await?;
            ctx.step("detach_interface it again");
            let again = ctx.driver().detach_interface(&instance, &vif).await;
            expect_kind("a second detach", again, ErrorKind::InterfaceDetachFailed)
        })
    })
    .exercises(&[M::Spawn, M::AttachInterface, M::DetachInterface])
}

pub(crate) fn attach_duplicate() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.new_instance(Flavor::m1_tiny());
            let vif = fixtures::vif();
            expect_ok(
                "spawn with a VIF",
                ctx.spawn_with(0, &instance, true, std::slice::from_ref(&vif))
                    .await,
            )?;
            ctx.step("attach_interface the VIF spawned with");
            let duplicate = ctx
                .driver()
                .attach_interface(&instance, &fixtures::image(), &vif)
                .await;
            expect_kind(
                "attach of an attached VIF",
                duplicate,
                ErrorKind::InterfaceAttachFailed,
            )?;
            ctx.step("detach_interface the spawned VIF");
            expect_ok(
                "detach of the spawned VIF",
                ctx.driver().detach_interface(&instance, &vif).await,
            )
        })
    })
    .exercises(&[M::Spawn, M::AttachInterface, M::DetachInterface])
}

pub(crate) fn detach_unknown_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let unknown = ctx.new_instance(Flavor::m1_tiny());
            ctx.step("detach_interface from an unknown instance");
            let result = ctx
                .driver()
                .detach_interface(&unknown, &fixtures::vif())
                .await;
            expect_kind(
                "detach from an unknown instance",
                result,
                ErrorKind::InstanceNotFound,
            )
        })
    })
    .exercises(&[M::DetachInterface])
}

pub(crate) fn bw_counters_per_vif() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.new_instance(Flavor::m1_tiny());
            let vifs = [fixtures::vif(), fixtures::vif()];
            expect_ok(
                "spawn with two VIFs",
                ctx.spawn_with(0, &instance, true, &vifs).await,
            )?;
            let stranger = ctx.new_instance(Flavor::m1_tiny());
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
            )
        })
    })
    .exercises(&[M::Spawn, M::GetAllBwCounters])
}

pub(crate) fn plug_unknown_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let unknown = ctx.new_instance(Flavor::m1_tiny());
            ctx.step("plug_vifs on an unknown instance");
            let result = ctx.driver().plug_vifs(&unknown, &[fixtures::vif()]).await;
            expect_kind(
                "plug_vifs of an unknown instance",
                result,
                ErrorKind::InstanceNotFound,
            )
        })
    })
    .exercises(&[M::PlugVifs])
}

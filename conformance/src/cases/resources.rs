//! Resource accounting: `*_used` equals the sum of the claims of the node's
//! instances, after every spawn, destroy and failure.

use crate::prelude::*;

fn total(flavors: &[Flavor]) -> ResourceAmounts {
    flavors.iter().fold(ResourceAmounts::default(), |sum, f| {
        sum.saturating_add(&claim(f))
    })
}

pub(crate) fn spawn_claims_flavor() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.expect_used(0, ResourceAmounts::default()).await?;
            let instance = ctx.spawn_running().await?;
            ctx.expect_used(0, claim(&instance.flavor)).await
        })
    })
    .exercises(&[M::Spawn, M::GetAvailableResource])
}

pub(crate) fn used_is_sum_of_flavors() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.require_free(&[Flavor::m1_tiny(), Flavor::m1_small(), Flavor::m1_medium()])
                .await?;
            let tiny = ctx.spawn_flavor(Flavor::m1_tiny()).await?;
            let small = ctx.spawn_flavor(Flavor::m1_small()).await?;
            let medium = ctx.spawn_flavor(Flavor::m1_medium()).await?;
            ctx.expect_used(
                0,
                total(&[
                    tiny.flavor.clone(),
                    small.flavor.clone(),
                    medium.flavor.clone(),
                ]),
            )
            .await?;
            ctx.expect_apply(&small, Op::Destroy).await?;
            ctx.expect_used(0, total(&[tiny.flavor.clone(), medium.flavor.clone()]))
                .await?;
            ctx.expect_apply(&tiny, Op::Destroy).await?;
            ctx.expect_apply(&medium, Op::Destroy).await?;
            ctx.expect_used(0, ResourceAmounts::default()).await
        })
    })
    .exercises(&[M::Spawn, M::Destroy, M::GetAvailableResource])
}

pub(crate) fn destroy_releases_claim() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_flavor(Flavor::m1_small()).await?;
            ctx.expect_apply(&instance, Op::Destroy).await?;
            ctx.expect_used(0, ResourceAmounts::default()).await
        })
    })
    .exercises(&[M::Spawn, M::Destroy, M::GetAvailableResource])
}

pub(crate) fn ephemeral_and_swap_claimed() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let flavor = Flavor::new("conformance.eph-swap", 2, 1024, 10)
                .with_ephemeral_gb(5)
                .with_swap_mb(1536);
            let instance = ctx.spawn_flavor(flavor).await?;
            let used = ctx.resources(0).await?.used();
            expect_eq(
                "local_gb_used (root 10 + ephemeral 5 + swap 2)",
                17,
                used.local_gb,
            )?;
            ctx.expect_used(0, claim(&instance.flavor)).await
        })
    })
    .exercises(&[M::Spawn, M::GetAvailableResource])
}

pub(crate) fn power_off_keeps_claim() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.expect_apply(&instance, Op::PowerOff).await?;
            ctx.expect_used(0, claim(&instance.flavor)).await
        })
    })
    .exercises(&[M::Spawn, M::PowerOff, M::GetAvailableResource])
}

pub(crate) fn soft_delete_keeps_claim() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.expect_apply(&instance, Op::SoftDelete).await?;
            ctx.expect_used(0, claim(&instance.flavor)).await?;
            ctx.expect_apply(&instance, Op::Destroy).await?;
            ctx.expect_used(0, ResourceAmounts::default()).await
        })
    })
    .exercises(&[M::Spawn, M::SoftDelete, M::Destroy, M::GetAvailableResource])
}

fn insufficient(which: usize, what: &'static str) -> CaseSpec {
    CaseSpec::new(move |ctx| {
        Box::pin(async move {
            let resident = ctx.spawn_running().await?;
            let before = ctx.resources(0).await?;
            let flavor = fixtures::oversized_flavor(&before.free(), which);
            let instance = ctx.new_instance(flavor);
            let mark = ctx.event_mark(0);
            let result = ctx.spawn_on(0, &instance, true).await;
            expect_kind(
                &format!("spawn needing more {what} than free"),
                result,
                ErrorKind::InsufficientResources,
            )?;
            ctx.expect_absent(0, &instance).await?;
            ctx.expect_used(0, claim(&resident.flavor)).await?;
            ctx.expect_events(0, mark, &[]).await
        })
    })
    .exercises(&[
        M::Spawn,
        M::GetAvailableResource,
        M::GetInfo,
        M::ListInstances,
    ])
}

pub(crate) fn insufficient_vcpus() -> CaseSpec {
    insufficient(0, "vCPUs")
}

pub(crate) fn insufficient_memory() -> CaseSpec {
    insufficient(1, "memory")
}

pub(crate) fn insufficient_disk() -> CaseSpec {
    insufficient(2, "disk")
}

pub(crate) fn exact_fit_accepted() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let free = ctx.resources(0).await?.free();
            let Ok(vcpus) = u32::try_from(free.vcpus) else {
                return Err(CaseError::skip("more vCPUs free than a flavor can ask for"));
            };
            let flavor = Flavor::new(
                "conformance.exact-fit",
                vcpus,
                free.memory_mb,
                free.local_gb,
            );
            let instance = ctx.spawn_flavor(flavor).await?;
            ctx.expect_used(0, claim(&instance.flavor)).await?;
            let one_more = ctx.new_instance(Flavor::m1_tiny());
            let result = ctx.spawn_on(0, &one_more, true).await;
            expect_kind(
                "a spawn on a full node",
                result,
                ErrorKind::InsufficientResources,
            )
        })
    })
    .exercises(&[M::Spawn, M::GetAvailableResource])
}

pub(crate) fn unknown_node() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("get_available_resource conformance-no-such-node");
            let result = ctx
                .driver()
                .get_available_resource("conformance-no-such-node")
                .await;
            expect_kind(
                "resources of an unmanaged node",
                result,
                ErrorKind::NodeNotFound,
            )
        })
    })
    .exercises(&[M::GetAvailableResource])
}

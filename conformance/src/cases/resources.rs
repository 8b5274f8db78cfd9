//! Resource accounting: `*_used` equals the sum of the claims of the node's
//! instances, after every spawn, destroy and failure. Every case drives its
//! steps through the reference model ([`crate::model::Rig`]): each answer
//! and every observable after it (`get_available_resource`'s used per node
//! among them) equal the model's.

use crate::model::{Rig, Step};
use crate::prelude::*;

const SPAWN: Step = Step::Spawn { power_on: true };

/// A spawn claims its flavor.
pub(crate) fn spawn_claims_flavor() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &SPAWN).await?;
            ctx.expect_used(0, claim(&instance.flavor)).await
        })
    })
    .exercises(&[M::Spawn, M::GetAvailableResource])
}

/// Used is the sum of the flavors of three instances, and falls back as each
/// is destroyed.
pub(crate) fn used_is_sum_of_flavors() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.require_free(&[Flavor::m1_tiny(), Flavor::m1_small(), Flavor::m1_medium()])
                .await?;
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let tiny = ctx.new_instance(Flavor::m1_tiny());
            let small = ctx.new_instance(Flavor::m1_small());
            let medium = ctx.new_instance(Flavor::m1_medium());
            for instance in [&tiny, &small, &medium] {
                rig.step(0, instance, &SPAWN).await?;
            }
            for instance in [&small, &tiny, &medium] {
                rig.step(0, instance, &Step::Lifecycle(Op::Destroy)).await?;
            }
            ctx.expect_used(0, ResourceAmounts::default()).await
        })
    })
    .exercises(&[M::Spawn, M::Destroy, M::GetAvailableResource])
}

/// A destroy releases the claim.
pub(crate) fn destroy_releases_claim() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_small());
            rig.step(0, &instance, &SPAWN).await?;
            rig.step(0, &instance, &Step::Lifecycle(Op::Destroy))
                .await?;
            ctx.expect_used(0, ResourceAmounts::default()).await
        })
    })
    .exercises(&[M::Spawn, M::Destroy, M::GetAvailableResource])
}

/// Ephemeral disk and swap are claimed as local disk, besides the root disk.
pub(crate) fn ephemeral_and_swap_claimed() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let flavor = Flavor::new("conformance.eph-swap", 2, 1024, 10)
                .with_ephemeral_gb(5)
                .with_swap_mb(1536);
            let instance = ctx.new_instance(flavor);
            rig.step(0, &instance, &SPAWN).await?;
            let used = ctx.resources(0).await?.used();
            expect_eq(
                "local_gb_used (root 10 + ephemeral 5 + swap 2)",
                17,
                used.local_gb,
            )
        })
    })
    .exercises(&[M::Spawn, M::GetAvailableResource])
}

/// A powered-off instance keeps its claim.
pub(crate) fn power_off_keeps_claim() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &SPAWN).await?;
            rig.step(0, &instance, &Step::Lifecycle(Op::PowerOff))
                .await?;
            ctx.expect_used(0, claim(&instance.flavor)).await
        })
    })
    .exercises(&[M::Spawn, M::PowerOff, M::GetAvailableResource])
}

/// A soft-deleted instance keeps its claim until it is destroyed.
pub(crate) fn soft_delete_keeps_claim() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &SPAWN).await?;
            rig.step(0, &instance, &Step::Lifecycle(Op::SoftDelete))
                .await?;
            ctx.expect_used(0, claim(&instance.flavor)).await?;
            rig.step(0, &instance, &Step::Lifecycle(Op::Destroy)).await
        })
    })
    .exercises(&[M::Spawn, M::SoftDelete, M::Destroy, M::GetAvailableResource])
}

/// A spawn needing more of one resource (`which`: 0 vCPUs, 1 memory, 2
/// disk) than is free is `InsufficientResources` and leaves no trace.
fn insufficient(which: usize) -> CaseSpec {
    CaseSpec::new(move |ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let resident = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &resident, &SPAWN).await?;
            let free = ctx.resources(0).await?.free();
            let instance = ctx.new_instance(fixtures::oversized_flavor(&free, which));
            rig.step(0, &instance, &SPAWN).await
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
    insufficient(0)
}

pub(crate) fn insufficient_memory() -> CaseSpec {
    insufficient(1)
}

pub(crate) fn insufficient_disk() -> CaseSpec {
    insufficient(2)
}

/// A flavor of exactly what is free fits; then the node is full.
pub(crate) fn exact_fit_accepted() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
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
            let instance = ctx.new_instance(flavor);
            rig.step(0, &instance, &SPAWN).await?;
            let one_more = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &one_more, &SPAWN).await
        })
    })
    .exercises(&[M::Spawn, M::GetAvailableResource])
}

/// `get_available_resource` of a node not managed is `NodeNotFound`, and a
/// spawn onto it is `NodeNotFound` too, leaving no trace.
pub(crate) fn unknown_node() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            ctx.step("get_available_resource conformance-no-such-node");
            let result = ctx
                .driver()
                .get_available_resource("conformance-no-such-node")
                .await;
            expect_kind(
                "resources of an unmanaged node",
                result,
                ErrorKind::NodeNotFound,
            )?;
            rig.check("get_available_resource conformance-no-such-node")
                .await?;
            let instance = ctx
                .new_instance(Flavor::m1_tiny())
                .with_node("conformance-no-such-node");
            rig.step(0, &instance, &SPAWN).await
        })
    })
    .exercises(&[M::Spawn, M::GetAvailableResource])
}

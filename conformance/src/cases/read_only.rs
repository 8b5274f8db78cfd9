//! Read-only mode: every query answers; every mutating method is refused
//! with `ReadOnly`, and nothing changes. The factory's read-only backend,
//! seeded with two instances, is driven through the reference model
//! ([`crate::model::Rig::read_only`]): the model holds the seeded
//! instances, refuses every mutating step as the trait's admission rule
//! says, and every observable is compared with it after each step.

use crate::context::HostUnderTest;
use crate::model::intent::step_answering;
use crate::model::{Rig, Step};
use crate::prelude::*;

/// The instances the factory seeds its read-only backend with.
pub(crate) fn seed(ctx: &CaseContext) -> Vec<Instance> {
    vec![
        ctx.new_instance(Flavor::m1_tiny()),
        ctx.new_instance(Flavor::m1_small()),
    ]
}

/// The factory's read-only backend seeded with `seed`, prepared as the
/// suite prepares a case's host (`init_host`, which read-only mode does not
/// refuse, and an event listener); a skip when the factory offers none.
pub(crate) async fn read_only_host(
    ctx: &CaseContext,
    seed: &[Instance],
) -> Result<Vec<HostUnderTest>, CaseError> {
    ctx.step("create_read_only (seeded with m1.tiny and m1.small)");
    let backend = match ctx.factory().create_read_only(seed).await {
        Ok(Some(backend)) => backend,
        Ok(None) => return Err(CaseError::skip("the factory offers no read-only backend")),
        Err(error) => return Err(error.into()),
    };
    ctx.step("init_host (not refused read-only), event listener");
    Ok(vec![
        HostUnderTest::prepare(fixtures::HOST_A, backend).await?,
    ])
}

/// The listings, nodes, resources and `get_info` of the seeded instances
/// answer as the model says (every observable compared), and `init_host`
/// again is not refused.
pub(crate) fn queries_answer() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let seed = seed(ctx);
            let hosts = read_only_host(ctx, &seed).await?;
            let log = |text: String| ctx.step(text);
            let rig = Rig::read_only(&hosts, &log, &seed).await?;
            rig.check("opening the seeded read-only backend").await?;
            let known = seed
                .first()
                .ok_or_else(|| CaseError::error("no seeded instance"))?;
            let again = Step::InitHost { empty: false };
            step_answering(&rig, 0, known, &again, Ok(())).await
        })
    })
    .tier(Tier::Optional)
    .covers(&[
        M::ListInstanceUuids,
        M::ListInstances,
        M::GetNumInstances,
        M::GetAvailableNodes,
        M::GetAvailableResource,
        M::GetInfo,
        M::InitHost,
    ])
}

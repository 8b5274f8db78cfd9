//! Cancellation: the trait's "A method that fails changes nothing ... That
//! holds when the future is dropped before completion, too."
//!
//! On a backend whose mutating calls do not complete on their first poll
//! ([`BackendFactory::create_pending`](crate::BackendFactory::create_pending)),
//! every step the model knows is called, polled once and dropped, on an
//! instance that started running with a volume (where declared) and went
//! through the steps before it: every observable must
//! then be exactly as before (no instance, claim, volume, VIF or event
//! half-made), and the same step called in full afterwards must answer and
//! change exactly what the model says (the dropped call left nothing behind
//! that changes it).

use crate::case::CaseResult;
use crate::cases::model::clean_up;
use crate::context::HostUnderTest;
use crate::model::{Rig, Step};
use crate::prelude::*;

/// One host from the factory's pending backend, prepared as the suite
/// prepares a case's (a skip when the factory offers none).
async fn pending_host(ctx: &CaseContext) -> Result<Vec<HostUnderTest>, CaseError> {
    let Some(backend) = ctx.factory().create_pending().await? else {
        return Err(CaseError::skip(
            "the factory offers no backend whose calls stay pending (create_pending)",
        ));
    };
    Ok(vec![
        HostUnderTest::prepare(fixtures::HOST_A, backend).await?,
    ])
}

async fn dropped_calls(ctx: &CaseContext, hosts: &[HostUnderTest]) -> CaseResult {
    let log = |text: String| ctx.step(text);
    let rig = Rig::start(hosts, &log).await?;
    let Some(host) = hosts.first() else {
        return Err(CaseError::error("no pending host"));
    };
    let capabilities = host.backend.driver.capabilities();
    let volumes = capabilities.supports(F::Volumes);
    let mut dropped = 0;
    let result = async {
        // A spawn dropped: no instance, no claim, no event.
        let instance = ctx.new_instance(Flavor::m1_tiny());
        let spawn = Step::Spawn { power_on: true };
        dropped += usize::from(rig.drop_pending(0, &instance, &spawn).await?);
        rig.step(0, &instance, &spawn).await?;
        rig.step(0, &instance, &Step::Lifecycle(Op::Destroy))
            .await?;
        // Every other step on one instance, in the model's order (the
        // table's rows, then volumes, VIFs and guest actions); a new running
        // instance with a volume replaces it once a step destroyed it.
        let mut instance = ctx.new_instance(Flavor::m1_tiny());
        for step in Step::on_one_host() {
            let offered = step
                .method()
                .is_some_and(|m| m.is_supported_by(&capabilities));
            if !offered || matches!(step, Step::Spawn { .. }) {
                continue;
            }
            let here = rig
                .world()
                .hosts
                .first()
                .is_some_and(|h| h.instances.contains_key(&instance.uuid));
            if !here {
                instance = ctx.new_instance(Flavor::m1_tiny());
                rig.step(0, &instance, &spawn).await?;
                if volumes {
                    rig.step(0, &instance, &Step::AttachVolume(0)).await?;
                }
            }
            dropped += usize::from(rig.drop_pending(0, &instance, &step).await?);
            rig.step(0, &instance, &step).await?;
        }
        Ok::<(), CaseError>(())
    }
    .await;
    clean_up(hosts, &rig.world().involved).await;
    result?;
    // A pending backend that finished every call on its first poll (a
    // latency shorter than the machine's scheduling delays can do that)
    // dropped nothing: every call was judged as a completed one, and the
    // rule of dropped calls was not, which is a skip, never a pass.
    if dropped == 0 {
        return Err(CaseError::skip(
            "every call of the pending backend completed on its first poll: nothing was dropped",
        ));
    }
    Ok(())
}

/// Every step the model knows, dropped after its first poll: nothing
/// changes; then called in full: exactly what the model says changes.
pub(crate) fn dropped_calls_change_nothing() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let hosts = pending_host(ctx).await?;
            dropped_calls(ctx, &hosts).await
        })
    })
    .exercises(&[M::Spawn, M::Destroy, M::GetInfo, M::GetAvailableResource])
    .covers(
        &Step::on_one_host()
            .iter()
            .filter_map(Step::method)
            .collect::<Vec<_>>(),
    )
}

//! Read-only, every method: each mutating method refused with `ReadOnly` on
//! a known and on an unknown instance; each query (every method that does
//! not mutate) answered on both, never with `ReadOnly` (nor `NotSupported`
//! when declared, nor a panic), an unknown instance with
//! `InstanceNotFound` where the method names one; and nothing the backend
//! shows changes. Every call runs through the reference model
//! ([`crate::model::Rig::read_only`]): a mutation's answer is the model's
//! (`NotSupported` when undeclared, else `ReadOnly`), a query's where the
//! model knows it, and every observable is compared with the model after
//! each call.

use driver_api::DriverError;

use super::read_only::{read_only_host, seed};
use crate::describe::describe_result;
use crate::model::{Rig, Step};
use crate::prelude::*;

/// The methods a sweep skips: the listener and event plumbing are not
/// calls to answer, and `init_host` is not refused read-only
/// (`read_only::queries_answer` calls it).
fn swept(method: M) -> bool {
    !matches!(
        method,
        M::RegisterEventListener | M::EmitEvent | M::LegacyNwinfo | M::Capabilities | M::InitHost
    )
}

async fn sweep(ctx: &CaseContext, mutating: bool) -> crate::case::CaseResult {
    let seed = seed(ctx);
    let hosts = read_only_host(ctx, &seed).await?;
    let log = |text: String| ctx.step(text);
    let rig = Rig::read_only(&hosts, &log, &seed).await?;
    rig.check("opening the seeded read-only backend").await?;
    let known = seed
        .first()
        .cloned()
        .ok_or_else(|| CaseError::error("no seeded instance"))?;
    let unknown = ctx.new_instance(Flavor::m1_tiny());
    let methods = M::ALL
        .iter()
        .copied()
        .filter(|m| swept(*m) && m.mutates() == mutating);
    for method in methods {
        for target in [&known, &unknown] {
            let step = Step::Invoke(method);
            let predicted = rig.predict(0, target, &step);
            if mutating {
                // The case's intent: every mutation refused.
                ensure(
                    matches!(
                        predicted,
                        Err(ErrorKind::ReadOnly | ErrorKind::NotSupported)
                    ),
                    format!("the model: {method} refused read-only"),
                    format!("{predicted:?}"),
                )?;
                rig.step(0, target, &step).await?;
            } else if matches!(
                predicted,
                Err(ErrorKind::NotSupported | ErrorKind::InstanceNotFound)
            ) {
                rig.step(0, target, &step).await?;
            } else {
                let answer = rig.probe(0, target, method).await?;
                let kind = answer.as_ref().err().map(DriverError::kind);
                if matches!(kind, Some(ErrorKind::ReadOnly | ErrorKind::NotSupported)) {
                    return Err(CaseError::fail(
                        format!(
                            "{method} on a read-only backend ({}): an answer (not ReadOnly, \
                             not NotSupported)",
                            target.name
                        ),
                        describe_result(&answer),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Every mutating method refused, on a known and an unknown instance (the
/// case id of the earlier known-instance-only check, which this replaces).
pub(crate) fn mutations_refused() -> CaseSpec {
    let mutating: Vec<M> = M::ALL.iter().copied().filter(|m| m.mutates()).collect();
    CaseSpec::new(|ctx| Box::pin(sweep(ctx, true)))
        .tier(Tier::Optional)
        .covers(&mutating)
}

/// Every query, on a known and an unknown instance.
pub(crate) fn every_query_answered() -> CaseSpec {
    let queries: Vec<M> = M::ALL
        .iter()
        .copied()
        .filter(|m| swept(*m) && !m.mutates())
        .collect();
    CaseSpec::new(|ctx| Box::pin(sweep(ctx, false)))
        .tier(Tier::Optional)
        .covers(&queries)
}

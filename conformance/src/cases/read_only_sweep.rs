//! Read-only, every method: each mutating method refused with `ReadOnly` on
//! a known and on an unknown instance; each query (every method that does
//! not mutate) answered on both, never with `ReadOnly` (nor `NotSupported`
//! when declared, nor a panic), an unknown instance with
//! `InstanceNotFound` where the method names one; and nothing the backend
//! shows changes.

use driver_api::DriverError;

use super::read_only::{observe, read_only_backend, seed};
use crate::describe::describe_result;
use crate::invoke::{invoke_guarded, not_found_for_unknown};
use crate::prelude::*;

/// The methods a sweep skips: the listener and event plumbing are not
/// calls to answer, and `init_host` renames the nodes, which is not
/// refused read-only (`read_only::queries_answer` calls it last).
fn swept(method: M) -> bool {
    !matches!(
        method,
        M::RegisterEventListener | M::EmitEvent | M::LegacyNwinfo | M::Capabilities | M::InitHost
    )
}

/// What a read-only backend must answer a swept call (an undeclared method
/// may always answer `NotSupported`).
#[derive(Clone, Copy)]
enum Expected {
    /// A mutation: `ReadOnly`.
    ReadOnly,
    /// A query naming an unknown instance: `InstanceNotFound`.
    NotFound,
    /// Any other query: an answer, never `ReadOnly` or `NotSupported`.
    Answer,
}

impl Expected {
    fn matches(self, kind: Option<ErrorKind>) -> bool {
        match self {
            Self::ReadOnly => kind == Some(ErrorKind::ReadOnly),
            Self::NotFound => kind == Some(ErrorKind::InstanceNotFound),
            Self::Answer => !matches!(kind, Some(ErrorKind::ReadOnly | ErrorKind::NotSupported)),
        }
    }

    fn text(self) -> &'static str {
        match self {
            Self::ReadOnly => "Err(ReadOnly)",
            Self::NotFound => "Err(InstanceNotFound)",
            Self::Answer => "an answer (not ReadOnly, not NotSupported)",
        }
    }
}

async fn sweep(ctx: &CaseContext, mutating: bool) -> crate::case::CaseResult {
    let seed = seed(ctx);
    let backend = read_only_backend(ctx, &seed).await?;
    let driver = &backend.driver;
    let capabilities = driver.capabilities();
    let before = observe(driver, &seed).await?;
    let known = seed
        .iter()
        .find(|i| before.uuids.contains(&i.uuid))
        .cloned()
        .ok_or_else(|| CaseError::fail("a seeded instance listed", "none"))?;
    let unknown = ctx.new_instance(Flavor::m1_tiny());
    let methods = M::ALL
        .iter()
        .copied()
        .filter(|m| swept(*m) && m.mutates() == mutating);
    for method in methods {
        for (which, target) in [("known", &known), ("unknown", &unknown)] {
            ctx.step(format!(
                "{method} on the read-only backend ({which} instance)"
            ));
            let answer = invoke_guarded(driver, method, target, fixtures::HOST_A)
                .await
                .map_err(|panic| {
                    CaseError::fail(format!("{method}: an answer"), format!("a panic: {panic}"))
                })?;
            let kind = answer.as_ref().err().map(DriverError::kind);
            let expected = if mutating {
                Expected::ReadOnly
            } else if which == "unknown" && not_found_for_unknown(method) {
                Expected::NotFound
            } else {
                Expected::Answer
            };
            let undeclared = !method.is_supported_by(&capabilities);
            let fine =
                expected.matches(kind) || (undeclared && kind == Some(ErrorKind::NotSupported));
            if !fine {
                return Err(CaseError::fail(
                    format!(
                        "{method} on a read-only backend, {which} instance: {}",
                        expected.text()
                    ),
                    describe_result(&answer),
                ));
            }
        }
    }
    let after = observe(driver, &seed).await?;
    expect_eq(
        "what the read-only backend shows, before and after",
        before,
        after,
    )
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

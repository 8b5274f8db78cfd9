//! Capability honesty: an undeclared feature answers `NotSupported` (never
//! `Ok`, never a panic); a declared one never does. The steps run through
//! the reference model ([`crate::model::Rig`]): it refuses a method the
//! backend does not declare with `NotSupported` and changes nothing, and
//! every observable is compared with it after each step
//! (`declared_never_not_supported`: its spawn and queries; the mutations it
//! sweeps with sample arguments are beyond the model).

use driver_api::Feature;

use crate::case::CaseResult;
use crate::describe::describe_result;
use crate::invoke::invoke_guarded;
use crate::model::intent::step_answering;
use crate::model::{Rig, Step};
use crate::prelude::*;

/// One case per feature, `undeclared_<feature>`, in the feature list's order.
pub(crate) fn undeclared_cases() -> Vec<(String, CaseSpec)> {
    Feature::ALL
        .iter()
        .map(|feature| {
            (
                format!("undeclared_{}", feature.name()),
                undeclared(*feature),
            )
        })
        .collect()
}

/// The case for one feature: when the backend does not declare it, every
/// method of the feature answers `NotSupported` naming the method.
fn undeclared(feature: Feature) -> CaseSpec {
    let methods: Vec<M> = M::of_feature(feature).collect();
    CaseSpec::new(move |ctx| Box::pin(check_undeclared(ctx, feature)))
        .covers(&[M::Capabilities, M::Spawn])
        .covers(&methods)
        .tier(Tier::Core)
}

async fn check_undeclared(ctx: &CaseContext, feature: Feature) -> CaseResult {
    if ctx.capabilities().supports(feature) {
        return Err(CaseError::skip(format!(
            "{feature} is declared (the declared side is capability::declared_never_not_supported)"
        )));
    }
    let log = |text: String| ctx.step(text);
    let rig = Rig::of(ctx, &log).await?;
    let instance = ctx.new_instance(Flavor::m1_tiny());
    rig.step(0, &instance, &Step::Spawn { power_on: true })
        .await?;
    for method in M::of_feature(feature) {
        let call = Step::Invoke(method);
        step_answering(&rig, 0, &instance, &call, Err(ErrorKind::NotSupported)).await?;
    }
    Ok(())
}

/// Fails when a declared method answered `NotSupported`.
fn answered(method: M, answer: &driver_api::DriverResult<()>) -> CaseResult {
    if matches!(answer, Err(e) if e.kind() == ErrorKind::NotSupported) {
        return Err(CaseError::fail(
            format!("{method} (declared): anything but NotSupported"),
            describe_result(answer),
        ));
    }
    Ok(())
}

/// Every declared optional method answers something other than
/// `NotSupported`. The spawn and the queries run through the model (each
/// query's answer judged here, every observable compared after it); the
/// mutations follow by hand, with the suite's sample arguments, whose
/// effects the model does not foresee.
pub(crate) fn declared_never_not_supported() -> CaseSpec {
    let optional: Vec<M> = M::ALL
        .iter()
        .copied()
        .filter(|m| !m.is_mandatory())
        .collect();
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let capabilities = ctx.capabilities();
            let declared: Vec<M> = M::ALL
                .iter()
                .copied()
                .filter(|m| !m.is_mandatory() && m.is_supported_by(&capabilities))
                .collect();
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            for method in declared.iter().copied().filter(|m| !m.mutates()) {
                answered(method, &rig.probe(0, &instance, method).await?)?;
            }
            for method in declared.iter().copied().filter(|m| m.mutates()) {
                ctx.step(format!("{method} (declared)"));
                let answer = invoke_guarded(ctx.driver(), method, &instance, ctx.host_name(0))
                    .await
                    .map_err(|panic| {
                        CaseError::fail(format!("{method}: no panic"), format!("a panic: {panic}"))
                    })?;
                answered(method, &answer)?;
            }
            Ok(())
        })
    })
    .covers(&[M::Capabilities, M::Spawn])
    .covers(&optional)
    .tier(Tier::Core)
}

/// `capabilities` answers the same before and after a spawn and a destroy
/// (each step through the model, every observable compared).
pub(crate) fn capabilities_are_constant() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("capabilities, before and after a spawn and destroy");
            let before = ctx.driver().capabilities();
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            rig.step(0, &instance, &Step::Lifecycle(Op::Destroy))
                .await?;
            let after = ctx.driver().capabilities();
            expect_eq("capabilities", before, after)
        })
    })
    .exercises(&[M::Capabilities, M::Spawn, M::Destroy])
}

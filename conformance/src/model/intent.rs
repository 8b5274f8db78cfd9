//! A case's intent, checked against the model before a step runs: a case
//! written to see a refusal (or a success) first asks the model that the
//! step must answer so, then runs it through the [`Rig`], which judges the
//! backend's answer and compares every observable. A model that drifted
//! from the case's intent fails the case instead of silently testing
//! something else.

use driver_api::Instance;

use super::rules::Expected;
use super::{Rig, Step};
use crate::case::{CaseError, CaseResult};

/// Runs `step` for `instance` on host `host` after checking that the model
/// says it must answer `want`.
pub(crate) async fn step_answering(
    rig: &Rig<'_>,
    host: usize,
    instance: &Instance,
    step: &Step,
    want: Expected,
) -> CaseResult {
    let predicted = rig.predict(host, instance, step);
    if predicted != want {
        return Err(CaseError::fail(
            format!("the model: {step} {} answers {want:?}", instance.name),
            format!("{predicted:?}"),
        ));
    }
    rig.step(host, instance, step).await
}

//! Runs one case: fresh backends, capability check, body under panic and
//! time protection, then clean-up of everything the case created.

use std::any::Any;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use driver_api::ComputeDriver;

use crate::case::{Case, CaseError, Hosts};
use crate::context::{CaseContext, HostUnderTest};
use crate::factory::{Backend, BackendFactory};
use crate::fixtures::{self, HOST_A, HOST_B};
use crate::verdict::{CaseReport, Verdict};

/// Runs `case` against fresh backends from `factory`, within `timeout`.
///
/// Must be called inside a Tokio runtime (the body runs as a task so that a
/// panicking backend is a failure, not a crash of the suite).
pub async fn execute(
    case: &Case,
    factory: Arc<dyn BackendFactory>,
    timeout: Duration,
) -> CaseReport {
    execute_seeded(case, factory, timeout, None).await
}

/// [`execute`], with the run's base seed for the seeded cases (see
/// [`CaseContext::seed`]).
pub async fn execute_seeded(
    case: &Case,
    factory: Arc<dyn BackendFactory>,
    timeout: Duration,
    seed: Option<u64>,
) -> CaseReport {
    let started = Instant::now();
    let verdict = verdict_of(case, factory, timeout, seed).await;
    CaseReport {
        id: case.id.clone(),
        tier: case.tier,
        hosts: case.hosts,
        needs: case.needs.clone(),
        exercises: case.exercises.clone(),
        verdict,
        duration_s: started.elapsed().as_secs_f64(),
    }
}

async fn verdict_of(
    case: &Case,
    factory: Arc<dyn BackendFactory>,
    timeout: Duration,
    seed: Option<u64>,
) -> Verdict {
    let names: &[&str] = match case.hosts {
        Hosts::One => &[HOST_A],
        Hosts::Two => &[HOST_A, HOST_B],
    };
    let mut hosts = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let backend = match factory.create_host(index).await {
            Ok(backend) => backend,
            Err(error) => {
                return Verdict::Error {
                    message: format!("the factory gave no backend: {error}"),
                    steps: Vec::new(),
                }
            }
        };
        hosts.push(HostUnderTest {
            name: (*name).to_owned(),
            backend,
            events: Arc::new(Mutex::new(Vec::new())),
        });
    }
    if let Some(reason) = skip_reason(case, hosts.iter().map(|h| &h.backend)) {
        return Verdict::Skipped { reason };
    }
    let ctx = Arc::new(CaseContext::new(&case.id, hosts, factory, seed));
    let outcome = match prepare(&ctx).await {
        Ok(()) => run_body(case, ctx.clone(), timeout).await,
        Err(error) => Err(error),
    };
    clean_up(&ctx).await;
    match outcome {
        Ok(()) => Verdict::Pass,
        Err(CaseError::Skip { reason }) => Verdict::Skipped { reason },
        Err(CaseError::Fail { expected, got }) => Verdict::Fail {
            expected,
            got,
            steps: ctx.steps(),
        },
        Err(CaseError::Error { message }) => Verdict::Error {
            message,
            steps: ctx.steps(),
        },
    }
}

/// Why `case` does not apply to `backends` (a feature they do not declare,
/// hooks they do not offer), or `None` when it does.
pub(crate) fn skip_reason<'a>(
    case: &Case,
    backends: impl IntoIterator<Item = &'a Backend>,
) -> Option<String> {
    for backend in backends {
        let driver = &backend.driver;
        let capabilities = driver.capabilities();
        let missing: Vec<&str> = case
            .needs
            .iter()
            .filter(|f| !capabilities.supports(**f))
            .map(|f| f.name())
            .collect();
        if !missing.is_empty() {
            return Some(format!(
                "needs {}, which {} does not declare",
                missing.join(", "),
                driver.driver_name()
            ));
        }
        if case.needs_hooks && backend.hooks.is_none() {
            return Some(format!(
                "needs test hooks (crash), which the {} factory does not offer",
                driver.driver_name()
            ));
        }
    }
    None
}

async fn prepare(ctx: &CaseContext) -> Result<(), CaseError> {
    for (index, host) in ctx.hosts().iter().enumerate() {
        ctx.step(format!("init_host {}", host.name));
        host.backend.driver.init_host(&host.name).await?;
        host.backend
            .driver
            .register_event_listener(Some(ctx.recorder(index)));
    }
    Ok(())
}

async fn run_body(case: &Case, ctx: Arc<CaseContext>, timeout: Duration) -> Result<(), CaseError> {
    let body = case.body.clone();
    let task = tokio::spawn(async move { body(&ctx).await });
    match tokio::time::timeout(timeout, task).await {
        Err(_) => Err(CaseError::fail(
            format!("the case to finish within {timeout:?}"),
            "it did not (a call hung?)",
        )),
        Ok(Err(join_error)) => Err(CaseError::fail(
            "no panic",
            format!("panicked: {}", panic_message(join_error)),
        )),
        Ok(Ok(result)) => result,
    }
}

/// The message of a task that panicked (or was cancelled).
pub(crate) fn panic_message(error: tokio::task::JoinError) -> String {
    match error.try_into_panic() {
        Ok(payload) => payload_text(payload.as_ref()),
        Err(_) => "the task was cancelled".into(),
    }
}

fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a non-text panic payload".into()
    }
}

async fn clean_up(ctx: &CaseContext) {
    let tracked = ctx.tracked();
    for host in ctx.hosts() {
        host.backend.driver.register_event_listener(None);
        for instance in &tracked {
            let driver: &Arc<dyn ComputeDriver> = &host.backend.driver;
            let no_devices = fixtures::no_block_devices();
            let destroy = driver.destroy(instance, &[], &no_devices, true);
            let _ = tokio::time::timeout(Duration::from_secs(30), destroy).await;
        }
    }
}

//! The chaos tier: the suite's fault-tolerance cases (cancellation, events,
//! idempotence, bad input) on libvirt's private `test:///` hypervisors, each
//! backend under a [`FaultLayer`] that delays every mutating call. The delay
//! makes each such call pending on its first poll, so the cancellation case
//! runs (on plain `test:///` calls complete at once and it is skipped); note
//! that the case then drops calls while the layer holds them, before libvirt
//! sees them, so it checks the layer and the backend together, not libvirt's
//! own mid-call cancellation. Events, idempotence and refusals are judged
//! with the layer between the suite and the backend.
//!
//! Cases the backend cannot run are reported skipped with their reason (printed
//! by the test), as on tier 1. Injected *errors* are not part of this tier: a
//! case expects the backend's own answers; `driver-libvirt/tests/faults.rs`
//! checks that a call failed by the layer changes nothing on libvirt.

use std::sync::Arc;
use std::time::Duration;

use conformance::{Backend, BackendFactory, FactoryError, RunOptions, Verdict};
use conformance_runner::LibvirtFactory;
use driver_api::{DriverMethod, Instance};
use driver_fake::FaultLayer;

/// The delay of every mutating call.
const LATENCY: Duration = Duration::from_millis(3);

/// The areas of the suite this tier runs.
const AREAS: [&str; 4] = ["cancellation::", "events::", "idempotence::", "bad_input::"];

/// [`LibvirtFactory::test`], every backend under latency.
struct ChaosFactory {
    inner: LibvirtFactory,
}

/// `backend` with every mutating call delayed by [`LATENCY`] (its hooks, if
/// any, still reach the backend itself).
fn under_latency(backend: Backend) -> Backend {
    let mut layer = FaultLayer::new(backend.driver);
    for method in DriverMethod::ALL.iter().filter(|method| method.mutates()) {
        layer = layer.with_latency(*method, LATENCY);
    }
    Backend {
        driver: Arc::new(layer),
        hooks: backend.hooks,
    }
}

#[conformance::async_trait]
impl BackendFactory for ChaosFactory {
    fn name(&self) -> String {
        format!("{} under latency", self.inner.name())
    }

    async fn create(&self) -> Result<Backend, FactoryError> {
        self.inner.create().await.map(under_latency)
    }

    async fn create_host(&self, index: usize) -> Result<Backend, FactoryError> {
        self.inner.create_host(index).await.map(under_latency)
    }

    async fn create_read_only(&self, seed: &[Instance]) -> Result<Option<Backend>, FactoryError> {
        let backend = self.inner.create_read_only(seed).await?;
        Ok(backend.map(under_latency))
    }

    async fn create_pending(&self) -> Result<Option<Backend>, FactoryError> {
        self.create().await.map(Some)
    }
}

#[test]
fn fault_tolerance_cases_pass_on_libvirt_under_latency() {
    let factory = ChaosFactory {
        inner: LibvirtFactory::test(),
    };
    let options = RunOptions {
        filters: AREAS.iter().map(|area| (*area).to_owned()).collect(),
        ..RunOptions::default()
    };
    let report = conformance::run(Arc::new(factory), &options, |_| {}).expect("the suite runs");
    let broken: Vec<String> = report
        .broken()
        .map(|case| format!("{}: {}", case.id, case.verdict))
        .collect();
    assert!(broken.is_empty(), "{broken:#?}");
    for case in &report.cases {
        if let Verdict::Skipped { reason } = &case.verdict {
            eprintln!("skipped {}: {reason}", case.id);
        }
    }
    for area in AREAS {
        assert!(
            report
                .cases
                .iter()
                .any(|case| case.id.starts_with(area) && case.verdict == Verdict::Pass),
            "no {area} case passed"
        );
    }
}

//! The `cargo test` front end (`suite!`): a case the backend does not
//! declare is ignored, never passed; a failing factory fails every case.

#[path = "../examples/minimal_backend.rs"]
#[allow(dead_code)]
mod minimal_backend;

use std::sync::Arc;

use conformance::harness::{run_with, Arguments};
use conformance::{Backend, BackendFactory, FactoryError};

/// Runs case `id` alone, libtest's output to a log file (its closing line
/// must not read as this binary's).
fn only(id: &str, test: &str) -> Arguments {
    let log = std::env::temp_dir().join(format!(
        "conformance-front-end-{}-{test}.log",
        std::process::id()
    ));
    Arguments {
        filter: Some(id.to_owned()),
        exact: true,
        test_threads: Some(1),
        logfile: Some(log.to_string_lossy().into_owned()),
        ..Arguments::default()
    }
}

#[test]
fn an_undeclared_feature_is_ignored_not_passed() {
    let conclusion = run_with(
        &only("nova::pause", "undeclared"),
        Arc::new(minimal_backend::MinimalFactory),
    )
    .unwrap();
    assert_eq!(conclusion.num_ignored, 1);
    assert_eq!(conclusion.num_passed, 0);
    assert_eq!(conclusion.num_failed, 0);
}

#[test]
fn a_core_case_passes() {
    let conclusion = run_with(
        &only("nova::spawn", "core"),
        Arc::new(minimal_backend::MinimalFactory),
    )
    .unwrap();
    assert_eq!(conclusion.num_passed, 1);
    assert_eq!(conclusion.num_ignored, 0);
}

struct BrokenFactory;

#[conformance::async_trait]
impl BackendFactory for BrokenFactory {
    fn name(&self) -> String {
        "broken".into()
    }
    async fn create(&self) -> Result<Backend, FactoryError> {
        Err(FactoryError::Create("no hypervisor here".into()))
    }
}

#[test]
fn a_failing_factory_fails_the_case_instead_of_skipping_it() {
    let conclusion = run_with(&only("nova::pause", "broken"), Arc::new(BrokenFactory)).unwrap();
    assert_eq!(conclusion.num_failed, 1);
    assert_eq!(conclusion.num_ignored, 0);
}

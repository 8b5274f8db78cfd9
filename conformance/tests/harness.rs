//! The harness itself: a panicking backend is a failure with the panic's
//! message, not a crash of the run; clean-up runs after failures; selection.

use std::sync::{Arc, Mutex};

use conformance::{Backend, BackendFactory, FactoryError, RunOptions, Verdict};
use driver_api::{Capabilities, MockComputeDriver};

/// Mocks that answer the harness's own calls and nothing else: any other
/// call panics (mockall: no matching expectation).
struct PanickingFactory {
    destroyed: Arc<Mutex<usize>>,
}

#[conformance::async_trait]
impl BackendFactory for PanickingFactory {
    fn name(&self) -> String {
        "panicking mock".into()
    }

    async fn create(&self) -> Result<Backend, FactoryError> {
        let mut mock = MockComputeDriver::new();
        mock.expect_capabilities().returning(Capabilities::none);
        mock.expect_driver_name().return_const("mock");
        mock.expect_init_host().returning(|_| Ok(()));
        mock.expect_register_event_listener().return_const(());
        let destroyed = self.destroyed.clone();
        mock.expect_destroy().returning(move |_, _, _, _| {
            *destroyed.lock().unwrap() += 1;
            Ok(())
        });
        Ok(Backend::new(Arc::new(mock)))
    }
}

#[test]
fn a_panicking_backend_fails_the_case_and_the_run_goes_on() {
    let destroyed = Arc::new(Mutex::new(0));
    let factory = PanickingFactory {
        destroyed: destroyed.clone(),
    };
    let options = RunOptions {
        filters: vec!["nova::spawn".into(), "nova::get_info".into()],
        exact: true,
        ..RunOptions::default()
    };
    let report = conformance::run(Arc::new(factory), &options, |_| {}).unwrap();
    assert_eq!(report.cases.len(), 2);
    for case in &report.cases {
        match &case.verdict {
            Verdict::Fail {
                expected,
                got,
                steps,
            } => {
                assert_eq!(expected, "no panic");
                assert!(got.starts_with("panicked:"), "{got}");
                assert!(
                    steps.iter().any(|s| s.starts_with("init_host")),
                    "{steps:?}"
                );
            }
            other => panic!("{}: expected a failure, got {other:?}", case.id),
        }
    }
    // nova::get_info spawned (and panicked) after tracking its instance:
    // clean-up destroyed it anyway.
    assert!(*destroyed.lock().unwrap() >= 1);
}

#[test]
fn options_select_by_substring_exact_skip_and_tier() {
    let ids = |options: RunOptions| -> Vec<String> {
        conformance::select(&options)
            .into_iter()
            .map(|c| c.id)
            .collect()
    };
    let nova = ids(RunOptions {
        filters: vec!["nova::".into()],
        ..RunOptions::default()
    });
    assert!(nova.iter().all(|id| id.starts_with("nova::")) && nova.len() > 60);
    let exact = ids(RunOptions {
        filters: vec!["nova::pause".into()],
        exact: true,
        ..RunOptions::default()
    });
    assert_eq!(exact, vec!["nova::pause".to_owned()]);
    let skipped = ids(RunOptions {
        filters: vec!["nova::pause".into()],
        skip: vec!["nova::pause".into()],
        ..RunOptions::default()
    });
    assert!(skipped.is_empty());
    let core = conformance::select(&RunOptions {
        tier: Some(conformance::Tier::Core),
        ..RunOptions::default()
    });
    assert!(core
        .iter()
        .all(|c| c.tier == conformance::Tier::Core && c.needs.is_empty()));
}

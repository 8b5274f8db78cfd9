//! `conformance::cli`, the command line `conformance::main!` gives a
//! backend crate: a factory that fails is an error (exit 2, JUnit
//! `<error>`), never a contract violation; a broken backend fails (exit 1)
//! and the summary names the smallest failures first; `--fail-fast` stops
//! starting cases.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use conformance::cli::{run, SuiteCli};
use conformance::{Backend, BackendFactory, FactoryError};
use conformance_runner::FakeFactory;
use driver_api::{Capabilities, Feature, MockComputeDriver};

struct NoBackend;

#[conformance::async_trait]
impl BackendFactory for NoBackend {
    fn name(&self) -> String {
        "no backend".into()
    }
    async fn create(&self) -> Result<Backend, FactoryError> {
        Err(FactoryError::Create("connection refused".into()))
    }
}

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cli-library-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn args(list: &[&str]) -> conformance::cli::RunArgs {
    let mut argv = vec!["conformance"];
    argv.extend_from_slice(list);
    SuiteCli::try_parse_from(argv).unwrap().run
}

#[test]
fn a_failing_factory_is_an_error_with_exit_code_2() {
    let junit = temp("errors.xml");
    let json = temp("errors.json");
    let mut flags = args(&["nova::spawn", "nova::get_info", "--exact", "-q"]);
    flags.junit = Some(junit.clone());
    flags.json = Some(json.clone());
    assert_eq!(run(Arc::new(NoBackend), &flags), ExitCode::from(2));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(xml.matches("<error ").count(), 2, "{xml}");
    assert!(!xml.contains("<failure"), "{xml}");
    assert!(xml.contains("errors=\"2\""), "{xml}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["summary"]["errors"], 2);
    assert_eq!(report["summary"]["failed"], 0);
}

/// A backend that answers the harness's own calls and panics on any other
/// (mockall: no matching expectation): a contract violation in every case.
struct PanickingBackend;

#[conformance::async_trait]
impl BackendFactory for PanickingBackend {
    fn name(&self) -> String {
        "panicking mock".into()
    }
    async fn create(&self) -> Result<Backend, FactoryError> {
        let mut mock = MockComputeDriver::new();
        mock.expect_capabilities().returning(Capabilities::none);
        mock.expect_driver_name().return_const("mock");
        mock.expect_init_host().returning(|_| Ok(()));
        mock.expect_register_event_listener().return_const(());
        mock.expect_destroy().returning(|_, _, _, _| Ok(()));
        Ok(Backend::new(Arc::new(mock)))
    }
}

#[test]
fn a_contract_violation_is_a_failure_with_exit_code_1() {
    let junit = temp("failures.xml");
    let mut flags = args(&["nova::spawn", "--exact", "-q"]);
    flags.junit = Some(junit.clone());
    assert_eq!(run(Arc::new(PanickingBackend), &flags), ExitCode::from(1));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("<failure "), "{xml}");
    assert!(!xml.contains("<error "), "{xml}");
}

#[test]
fn the_fake_passes_with_exit_code_0() {
    let factory = FakeFactory::new().without(Feature::Pause);
    let flags = args(&["nova::", "-q"]);
    assert_eq!(run(Arc::new(factory), &flags), ExitCode::SUCCESS);
}

#[test]
fn fail_fast_starts_no_case_after_the_first_error() {
    let json = temp("fail-fast.json");
    let mut flags = args(&["nova::", "--fail-fast", "--jobs", "1", "-q"]);
    flags.json = Some(json.clone());
    assert_eq!(run(Arc::new(NoBackend), &flags), ExitCode::from(2));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["summary"]["total"], 1);
}

struct PanickingFactory;

#[conformance::async_trait]
impl BackendFactory for PanickingFactory {
    fn name(&self) -> String {
        "panicking factory".into()
    }
    async fn create(&self) -> Result<Backend, FactoryError> {
        panic!("the factory's own bug")
    }
}

#[test]
fn a_panicking_factory_is_an_error_not_a_crash() {
    let json = temp("panicking-factory.json");
    let mut flags = args(&["nova::spawn", "--exact", "-q"]);
    flags.json = Some(json.clone());
    assert_eq!(run(Arc::new(PanickingFactory), &flags), ExitCode::from(2));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["summary"]["errors"], 1);
    let message = report["cases"][0]["message"].as_str().unwrap();
    assert!(message.contains("the factory's own bug"), "{message}");
}

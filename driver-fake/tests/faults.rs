//! Scripted failures, latency and presets.

mod common;

use std::time::Duration;

use driver_api::{ComputeDriver, DriverError, DriverMethod, ErrorKind, PowerState};
use driver_fake::{FakeDriver, Fault, FaultPreset, Times};

use common::*;

fn paused_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
}

#[test]
fn once_n_times_and_always() {
    rt().block_on(async {
        let driver = FakeDriver::new().with_faults();
        let events = Recorder::attach(driver.get_ref());
        let vm = instance("vm");
        spawn(&driver, &vm).await.unwrap();
        events.clear();
        driver
            .faults()
            .inject(Fault::on(DriverMethod::Pause).error(ErrorKind::Timeout));
        let err = driver.pause(&vm).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert_eq!(
            driver.get_info(&vm).await.unwrap().state,
            PowerState::Running
        );
        assert!(events.transitions().is_empty());
        driver.pause(&vm).await.unwrap();

        driver
            .faults()
            .inject(Fault::on(DriverMethod::Unpause).times(Times::N(2)));
        assert_eq!(driver.faults().pending(), 1);
        for _ in 0..2 {
            assert_eq!(
                driver.unpause(&vm).await.unwrap_err().kind(),
                ErrorKind::Backend
            );
        }
        assert_eq!(driver.faults().pending(), 0);
        driver.unpause(&vm).await.unwrap();

        driver
            .faults()
            .inject(Fault::on(DriverMethod::ListInstances).always());
        for _ in 0..5 {
            assert!(driver.list_instances().await.is_err());
        }
        driver.faults().clear();
        assert_eq!(driver.list_instances().await.unwrap(), ["vm"]);
    });
}

#[test]
fn a_fault_for_one_instance_spares_the_others() {
    rt().block_on(async {
        let driver = FakeDriver::new().with_faults();
        let (a, b) = (instance("a"), instance("b"));
        spawn(&driver, &a).await.unwrap();
        spawn(&driver, &b).await.unwrap();
        driver.faults().inject(
            Fault::on(DriverMethod::PowerOff)
                .for_instance(a.uuid)
                .always()
                .error_with(|site| DriverError::MigrationFailed {
                    instance: site.instance.unwrap_or_default(),
                    reason: "custom".into(),
                }),
        );
        driver.power_off(&b, Duration::ZERO).await.unwrap();
        let err = driver.power_off(&a, Duration::ZERO).await.unwrap_err();
        assert!(matches!(err, DriverError::MigrationFailed { instance, .. } if instance == a.uuid));
        assert_eq!(
            driver.get_info(&a).await.unwrap().state,
            PowerState::Running
        );
    });
}

#[test]
fn every_error_kind_can_be_injected() {
    rt().block_on(async {
        use ErrorKind as K;
        for kind in [
            K::InstanceNotFound,
            K::InstanceExists,
            K::InstanceNotRunning,
            K::InvalidState,
            K::NotSupported,
            K::ReadOnly,
            K::InsufficientResources,
            K::NodeNotFound,
            K::DeviceBusy,
            K::VolumeNotFound,
            K::InterfaceAttachFailed,
            K::InterfaceDetachFailed,
            K::MigrationFailed,
            K::InvalidInput,
            K::Timeout,
            K::Backend,
        ] {
            let driver = FakeDriver::new()
                .with_faults()
                .with_fault(Fault::on(DriverMethod::Spawn).error(kind));
            let vm = instance("vm");
            assert_eq!(spawn(&driver, &vm).await.unwrap_err().kind(), kind);
            assert!(driver.get_ref().instances().is_empty());
            assert_eq!(
                driver.get_ref().claims("fake-mini").unwrap(),
                Default::default()
            );
        }
    });
}

#[test]
fn reschedule_preset_fails_the_first_spawn_of_each_instance() {
    rt().block_on(async {
        let driver = FakeDriver::new()
            .with_faults()
            .with_preset(FaultPreset::Reschedule);
        let (a, b) = (instance("a"), instance("b"));
        let err = spawn(&driver, &a).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InsufficientResources);
        assert!(driver.get_ref().instances().is_empty());
        spawn(&driver, &a).await.unwrap();
        assert_eq!(
            spawn(&driver, &b).await.unwrap_err().kind(),
            ErrorKind::InsufficientResources
        );
        spawn(&driver, &b).await.unwrap();
        assert_eq!(driver.get_ref().instances().len(), 2);
        assert!(driver.faults().is_enabled(FaultPreset::Reschedule));
        driver.faults().disable(FaultPreset::Reschedule);
        assert!(!driver.faults().is_enabled(FaultPreset::Reschedule));
    });
}

#[test]
fn build_abort_preset_fails_every_spawn() {
    rt().block_on(async {
        let driver = FakeDriver::new()
            .with_faults()
            .with_preset(FaultPreset::BuildAbort);
        let vm = instance("vm");
        for _ in 0..3 {
            assert_eq!(
                spawn(&driver, &vm).await.unwrap_err().kind(),
                ErrorKind::Backend
            );
        }
        assert!(driver.get_ref().instances().is_empty());
        assert_eq!(
            driver.get_ref().claims("fake-mini").unwrap(),
            Default::default()
        );
    });
}

#[test]
fn latency_runs_on_tokio_time_and_a_dropped_call_changes_nothing() {
    paused_rt().block_on(async {
        let driver = FakeDriver::new()
            .with_faults()
            .with_latency(DriverMethod::Spawn, Duration::from_secs(30));
        let events = Recorder::attach(driver.get_ref());
        let vm = instance("vm");
        let timed_out = tokio::time::timeout(Duration::from_secs(29), spawn(&driver, &vm)).await;
        assert!(timed_out.is_err());
        assert!(driver.get_ref().instances().is_empty());
        assert_eq!(
            driver.get_ref().claims("fake-mini").unwrap(),
            Default::default()
        );
        assert!(events.transitions().is_empty());
        // Under paused time the 30 s pass instantly.
        spawn(&driver, &vm).await.unwrap();
        assert!(driver.get_ref().instance(vm.uuid).is_some());
        driver
            .faults()
            .set_latency(DriverMethod::Spawn, Duration::ZERO);
        spawn(&driver, &instance("vm2")).await.unwrap();
    });
}

#[test]
fn a_fault_behind_latency_is_not_consumed_by_a_dropped_call() {
    paused_rt().block_on(async {
        let driver = FakeDriver::new()
            .with_faults()
            .with_latency(DriverMethod::Pause, Duration::from_secs(10))
            .with_fault(Fault::on(DriverMethod::Pause));
        let vm = instance("vm");
        spawn(&driver, &vm).await.unwrap();
        let dropped = tokio::time::timeout(Duration::from_secs(1), driver.pause(&vm)).await;
        assert!(dropped.is_err());
        assert_eq!(driver.faults().pending(), 1);
        assert!(driver.pause(&vm).await.is_err());
        driver.pause(&vm).await.unwrap();
    });
}

#[test]
fn a_fault_for_one_instance_reaches_its_by_name_methods() {
    rt().block_on(async {
        let driver = FakeDriver::new().with_faults();
        let (a, b) = (instance("a"), instance("b"));
        spawn(&driver, &a).await.unwrap();
        spawn(&driver, &b).await.unwrap();
        driver.faults().inject(
            Fault::on(DriverMethod::GetDiagnostics)
                .for_instance(a.uuid)
                .always(),
        );
        driver.get_diagnostics("b").await.unwrap();
        assert!(driver.get_diagnostics("a").await.is_err());
    });
}

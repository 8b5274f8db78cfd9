//! Read-only mode and capabilities, driven by `DriverMethod::ALL`.

mod common;

use driver_api::{
    BlockDeviceInfo, BlockDeviceMapping, Capabilities, ComputeDriver, ConnectionInfo, DriverMethod,
    ErrorKind, Feature, ImageMeta, Vif,
};
use driver_fake::{FakeDriver, FakeState};

use common::invoke::invoke;
use common::*;

/// A running instance `vm-1` with a volume at `/dev/vdb` and one VIF.
fn fixture() -> (FakeState, driver_api::Instance, Vif) {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let vm = instance("vm-1");
        let vif = vif("aa:bb:cc:00:00:01");
        let mut bdi = BlockDeviceInfo::default();
        bdi.block_device_mapping.push(BlockDeviceMapping::new(
            ConnectionInfo::new("iscsi", "vol-1"),
            "/dev/vdb",
        ));
        driver
            .spawn(
                &ctx(),
                &vm,
                &ImageMeta::new("cirros"),
                &[],
                None,
                std::slice::from_ref(&vif),
                &bdi,
                true,
            )
            .await
            .unwrap();
        (driver.export_state(), vm, vif)
    })
}

fn from(state: &FakeState, read_only: bool, capabilities: Capabilities) -> FakeDriver {
    FakeDriver::builder()
        .read_only(read_only)
        .capabilities(capabilities)
        .build_with_state(state.clone())
        .unwrap()
}

#[test]
fn every_method_works_on_the_fixture_when_writable() {
    let (state, vm, vif) = fixture();
    rt().block_on(async {
        for method in DriverMethod::ALL {
            let driver = from(&state, false, Capabilities::all());
            invoke(&driver, *method, &vm, &vif)
                .await
                .unwrap_or_else(|e| panic!("{method}: {e}"));
        }
    });
}

#[test]
fn read_only_refuses_every_mutating_method_and_changes_nothing() {
    let (state, vm, vif) = fixture();
    rt().block_on(async {
        let mut refused = 0;
        for method in DriverMethod::ALL {
            let driver = from(&state, true, Capabilities::all());
            let events = Recorder::attach(&driver);
            let result = invoke(&driver, *method, &vm, &vif).await;
            if method.mutates() {
                let err = result.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::ReadOnly, "{method}");
                refused += 1;
            } else {
                result.unwrap_or_else(|e| panic!("{method} refused read-only: {e}"));
            }
            if *method != DriverMethod::RegisterEventListener && *method != DriverMethod::EmitEvent
            {
                assert!(events.transitions().is_empty(), "{method} emitted");
            }
            if *method == DriverMethod::InitHost {
                // Allowed read-only: it changes the node list, no instance.
                assert_eq!(driver.nodes(), ["fake-host"]);
            } else {
                assert_eq!(driver.export_state(), state, "{method} changed the state");
            }
        }
        assert!(refused > 40);
    });
}

#[test]
fn an_undeclared_feature_answers_not_supported_for_exactly_its_methods() {
    let (state, vm, vif) = fixture();
    rt().block_on(async {
        for feature in Feature::ALL {
            for method in DriverMethod::ALL {
                let driver = from(&state, false, Capabilities::all().without(*feature));
                let result = invoke(&driver, *method, &vm, &vif).await;
                if method.feature() == Some(*feature) {
                    assert_eq!(
                        result.unwrap_err().kind(),
                        ErrorKind::NotSupported,
                        "{method} without {feature}"
                    );
                    assert_eq!(driver.export_state(), state);
                } else {
                    result.unwrap_or_else(|e| panic!("{method} without {feature}: {e}"));
                }
            }
        }
    });
}

#[test]
fn no_capabilities_leaves_only_the_mandatory_methods() {
    let (state, vm, vif) = fixture();
    rt().block_on(async {
        for method in DriverMethod::ALL {
            let driver = from(&state, false, Capabilities::none());
            let result = invoke(&driver, *method, &vm, &vif).await;
            if method.is_mandatory() {
                result.unwrap_or_else(|e| panic!("{method}: {e}"));
            } else {
                assert_eq!(
                    result.unwrap_err().kind(),
                    ErrorKind::NotSupported,
                    "{method}"
                );
            }
        }
        let driver = from(&state, false, Capabilities::none());
        assert_eq!(driver.capabilities(), Capabilities::none());
        assert_eq!(FakeDriver::new().capabilities(), Capabilities::all());
    });
}

#[test]
fn not_supported_wins_over_read_only() {
    let (state, vm, vif) = fixture();
    rt().block_on(async {
        let driver = from(&state, true, Capabilities::all().without(Feature::Pause));
        let err = invoke(&driver, DriverMethod::Pause, &vm, &vif)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotSupported);
    });
}

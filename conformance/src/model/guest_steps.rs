//! How the guest-facing steps of the volumes, interfaces, consoles, guest and
//! resources cases (a spawn with a volume, a second volume at a taken
//! mountpoint, console queries and output, a relative injected path, the
//! reboot poll) are called on a backend; their rules are in [`super::rules`].

use std::time::Duration;

use driver_api::{ComputeDriver, DriverMethod, DriverResult, Instance};

use super::slots::{mountpoint, slot_vif, volume_id, with_volumes};
use super::Step;
use crate::fixtures;

/// Which console a [`Step::Console`] opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConsoleKind {
    /// `get_vnc_console`.
    Vnc,
    /// `get_spice_console`.
    Spice,
    /// `get_serial_console`.
    Serial,
}

impl ConsoleKind {
    /// The trait method that opens it.
    pub(crate) fn method(self) -> DriverMethod {
        match self {
            Self::Vnc => DriverMethod::GetVncConsole,
            Self::Spice => DriverMethod::GetSpiceConsole,
            Self::Serial => DriverMethod::GetSerialConsole,
        }
    }
}

/// Calls one of the added steps for `instance` on `driver`; any other step
/// is an `InvalidInput` that names it (the suite's own mistake).
pub(crate) async fn call(
    driver: &dyn ComputeDriver,
    instance: &Instance,
    step: &Step,
) -> DriverResult<()> {
    match step {
        Step::SpawnWithVolume(n) => {
            let volume = [(mountpoint(*n), volume_id(instance.uuid, *n, false))];
            driver
                .spawn(
                    &fixtures::context(),
                    instance,
                    &fixtures::image(),
                    &fixtures::injected_files(),
                    Some(fixtures::admin_password()),
                    &[slot_vif(instance.uuid, 0)],
                    &with_volumes(&volume),
                    true,
                )
                .await
        }
        Step::AttachSecondVolume(n) => {
            let second = fixtures::volume(&volume_id(instance.uuid, *n, true));
            driver
                .attach_volume(&second, instance, &mountpoint(*n))
                .await
        }
        Step::Console(ConsoleKind::Vnc) => driver.get_vnc_console(instance).await.map(drop),
        Step::Console(ConsoleKind::Spice) => driver.get_spice_console(instance).await.map(drop),
        Step::Console(ConsoleKind::Serial) => driver.get_serial_console(instance).await.map(drop),
        Step::ConsoleOutput => driver.get_console_output(instance).await.map(drop),
        // "testfile" and "testcontents".
        Step::InjectRelativeFile => {
            driver
                .inject_file(instance, "dGVzdGZpbGU=", "dGVzdGNvbnRlbnRz")
                .await
        }
        Step::PollRebootingInstances => {
            driver
                .poll_rebooting_instances(Duration::from_secs(60), std::slice::from_ref(instance))
                .await
        }
        other => Err(driver_api::DriverError::invalid_input(
            other.method().unwrap_or(DriverMethod::Spawn),
            format!("{other} is not one of the added steps"),
        )),
    }
}

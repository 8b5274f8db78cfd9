//! Consoles: the serial log (`get_console_output`), the interactive TCP
//! serial console, and the VNC and SPICE displays, each on 127.0.0.1 and
//! each (but the log) only while the guest runs or is paused.

use driver_api::{DriverError, DriverMethod, DriverResult, PowerState};
use uuid::Uuid;

use crate::domain_xml::{self, Graphics};
use crate::hypervisor::{backend, backend_msg, Hypervisor};

impl Hypervisor {
    /// `get_console_output`: the tail of the serial log (at most 100 KiB, as
    /// Nova returns).
    pub fn console_output(&self, uuid: Uuid) -> DriverResult<String> {
        const MAX_BYTES: usize = 100 * 1024;
        let (_, record) = self.get(uuid)?;
        match std::fs::read(&record.files.console_log) {
            Ok(bytes) => {
                let tail = &bytes[bytes.len().saturating_sub(MAX_BYTES)..];
                Ok(String::from_utf8_lossy(tail).into_owned())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(DriverError::backend(
                crate::hypervisor::DRIVER_NAME,
                DriverMethod::GetConsoleOutput,
                e,
            )),
        }
    }

    /// `get_serial_console`: the TCP port of the interactive serial console,
    /// for a running or paused domain.
    pub fn serial_console(&self, uuid: Uuid) -> DriverResult<driver_api::SerialConsole> {
        let (dom, record) = self.get(uuid)?;
        let state = self.power_state(&dom)?;
        if !matches!(state, PowerState::Running | PowerState::Paused) {
            return Err(DriverError::InstanceNotRunning {
                instance: uuid.into(),
            });
        }
        let port = record.serial_port.ok_or_else(|| {
            backend_msg(
                DriverMethod::GetSerialConsole,
                "the domain has no serial console",
            )
        })?;
        Ok(driver_api::SerialConsole::new("127.0.0.1", port))
    }

    /// `get_vnc_console`: the VNC display's port, for a running or paused
    /// domain.
    pub fn vnc_console(&self, uuid: Uuid) -> DriverResult<driver_api::VncConsole> {
        let port = self.display_port(uuid, Graphics::Vnc, DriverMethod::GetVncConsole)?;
        Ok(driver_api::VncConsole::new("127.0.0.1", port))
    }

    /// `get_spice_console`: the SPICE display's port, for a running or paused
    /// domain (no TLS port: the display listens on 127.0.0.1 only).
    pub fn spice_console(&self, uuid: Uuid) -> DriverResult<driver_api::SpiceConsole> {
        let port = self.display_port(uuid, Graphics::Spice, DriverMethod::GetSpiceConsole)?;
        Ok(driver_api::SpiceConsole::new("127.0.0.1", port, None))
    }

    /// The port of a running or paused domain's display of `kind`.
    fn display_port(&self, uuid: Uuid, kind: Graphics, method: DriverMethod) -> DriverResult<u16> {
        let (dom, _) = self.get(uuid)?;
        let state = self.power_state(&dom)?;
        if !matches!(state, PowerState::Running | PowerState::Paused) {
            return Err(DriverError::InstanceNotRunning {
                instance: uuid.into(),
            });
        }
        let xml = dom.xml_desc(0).map_err(backend(method))?;
        domain_xml::graphics_port(&xml, kind).ok_or_else(|| {
            backend_msg(method, format!("the domain has no {} display", kind.name()))
        })
    }
}

//! Consoles: VNC, SPICE, the console log, console pools.

use serde::{Deserialize, Serialize};

use crate::Secret;

/// A console protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConsoleType {
    /// VNC.
    Vnc,
    /// SPICE.
    Spice,
    /// A serial console.
    Serial,
}

/// Where a VNC console listens (`get_vnc_console`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VncConsole {
    /// Host to connect to.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Path on the host, for proxies.
    pub internal_access_path: Option<String>,
}

impl VncConsole {
    /// A VNC console at `host:port`.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Self {
            host: host.into(),
            port,
            internal_access_path: None,
        }
    }
}

/// Where a SPICE console listens (`get_spice_console`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SpiceConsole {
    /// Host to connect to.
    pub host: String,
    /// Plain port.
    pub port: u16,
    /// TLS port, if any.
    pub tls_port: Option<u16>,
    /// Path on the host, for proxies.
    pub internal_access_path: Option<String>,
}

impl SpiceConsole {
    /// A SPICE console at `host:port` with an optional TLS port.
    pub fn new(host: impl Into<String>, port: u16, tls_port: Option<u16>) -> Self {
        Self {
            host: host.into(),
            port,
            tls_port,
            internal_access_path: None,
        }
    }
}

/// Where a serial console listens (`get_serial_console`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SerialConsole {
    /// Host to connect to.
    pub host: String,
    /// Port.
    pub port: u16,
}

impl SerialConsole {
    /// A serial console at `host:port`.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Self {
            host: host.into(),
            port,
        }
    }
}

/// A console pool's access details (`get_console_pool_info`). The password never prints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConsolePoolInfo {
    /// Address of the pool.
    pub address: String,
    /// User name.
    pub username: String,
    /// Password.
    pub password: Secret,
}

impl ConsolePoolInfo {
    /// Pool access details.
    pub fn new(address: impl Into<String>, username: impl Into<String>, password: Secret) -> Self {
        Self {
            address: address.into(),
            username: username.into(),
            password,
        }
    }
}

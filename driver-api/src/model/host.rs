//! Host actions: power, maintenance, enabling.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A host power action (`host_power_action`); the driver returns the one performed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostPowerAction {
    /// Power the host on.
    Startup,
    /// Power the host off.
    Shutdown,
    /// Reboot the host.
    Reboot,
}

/// The result of `host_maintenance_mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaintenanceMode {
    /// Nova's `"on_maintenance"`.
    OnMaintenance,
    /// Nova's `"off_maintenance"`.
    OffMaintenance,
}

/// The result of `set_host_enabled`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostStatus {
    /// Nova's `"enabled"`.
    Enabled,
    /// Nova's `"disabled"`.
    Disabled,
}

impl fmt::Display for HostPowerAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Startup => "startup",
            Self::Shutdown => "shutdown",
            Self::Reboot => "reboot",
        })
    }
}

impl fmt::Display for MaintenanceMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OnMaintenance => "on_maintenance",
            Self::OffMaintenance => "off_maintenance",
        })
    }
}

impl fmt::Display for HostStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Enabled => "enabled",
            Self::Disabled => "disabled",
        })
    }
}

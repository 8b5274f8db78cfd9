//! The registry of contract methods: name, feature, and whether it mutates.
//!
//! One table answers "which capability does this method need?" and "does
//! read-only mode refuse it?" for the fake, the conformance suite and the
//! support matrix alike.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::capabilities::{Capabilities, Feature};
use crate::error::{DriverError, DriverResult};

macro_rules! methods {
    ($($variant:ident => $name:literal, $feature:expr, $mutates:literal;)*) => {
        /// A method of [`ComputeDriver`](crate::ComputeDriver).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum DriverMethod {
            $(#[doc = concat!("`", $name, "`")] $variant,)*
        }

        impl DriverMethod {
            /// Every method, in trait order.
            pub const ALL: &'static [DriverMethod] = &[$(DriverMethod::$variant,)*];

            /// The method's name, as in Nova.
            pub const fn name(self) -> &'static str {
                match self {
                    $(DriverMethod::$variant => $name,)*
                }
            }

            /// The feature the method belongs to; `None` for mandatory methods.
            pub const fn feature(self) -> Option<Feature> {
                match self {
                    $(DriverMethod::$variant => $feature,)*
                }
            }

            /// Whether read-only mode refuses the method (it changes an instance,
            /// the host or the hypervisor).
            pub const fn mutates(self) -> bool {
                match self {
                    $(DriverMethod::$variant => $mutates,)*
                }
            }

            /// The method with this name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(DriverMethod::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

use Feature as F;

methods! {
    Capabilities => "capabilities", None, false;
    RegisterEventListener => "register_event_listener", None, false;
    EmitEvent => "emit_event", None, false;
    LegacyNwinfo => "legacy_nwinfo", None, false;
    InitHost => "init_host", None, false;
    Spawn => "spawn", None, true;
    Destroy => "destroy", None, true;
    GetInfo => "get_info", None, false;
    ListInstances => "list_instances", None, false;
    ListInstanceUuids => "list_instance_uuids", None, false;
    GetNumInstances => "get_num_instances", None, false;
    InstanceExists => "instance_exists", None, false;
    GetAvailableNodes => "get_available_nodes", None, false;
    GetAvailableResource => "get_available_resource", None, false;
    Reboot => "reboot", Some(F::Reboot), true;
    PollRebootingInstances => "poll_rebooting_instances", Some(F::Reboot), true;
    PowerOff => "power_off", Some(F::PowerControl), true;
    PowerOn => "power_on", Some(F::PowerControl), true;
    Pause => "pause", Some(F::Pause), true;
    Unpause => "unpause", Some(F::Pause), true;
    Suspend => "suspend", Some(F::Suspend), true;
    Resume => "resume", Some(F::Suspend), true;
    Rescue => "rescue", Some(F::Rescue), true;
    Unrescue => "unrescue", Some(F::Rescue), true;
    SoftDelete => "soft_delete", Some(F::SoftDelete), true;
    Restore => "restore", Some(F::SoftDelete), true;
    Snapshot => "snapshot", Some(F::Snapshot), true;
    SetAdminPassword => "set_admin_password", Some(F::AdminPassword), true;
    InjectFile => "inject_file", Some(F::FileInjection), true;
    ResumeStateOnHostBoot => "resume_state_on_host_boot", Some(F::HostBootRecovery), true;
    TriggerCrashDump => "trigger_crash_dump", Some(F::CrashDump), true;
    InstanceOnDisk => "instance_on_disk", Some(F::DiskInfo), false;
    BlockStats => "block_stats", Some(F::Diagnostics), false;
    InterfaceStats => "interface_stats", Some(F::Diagnostics), false;
    GetDiagnostics => "get_diagnostics", Some(F::Diagnostics), false;
    GetInstanceDiskInfo => "get_instance_disk_info", Some(F::DiskInfo), false;
    GetAllBwCounters => "get_all_bw_counters", Some(F::UsageCounters), false;
    GetAllVolumeUsage => "get_all_volume_usage", Some(F::UsageCounters), false;
    GetConsoleOutput => "get_console_output", Some(F::ConsoleOutput), false;
    GetConsolePoolInfo => "get_console_pool_info", Some(F::ConsolePool), false;
    GetVncConsole => "get_vnc_console", Some(F::VncConsole), false;
    GetSpiceConsole => "get_spice_console", Some(F::SpiceConsole), false;
    GetSerialConsole => "get_serial_console", Some(F::SerialConsole), false;
    AttachVolume => "attach_volume", Some(F::Volumes), true;
    DetachVolume => "detach_volume", Some(F::Volumes), true;
    SwapVolume => "swap_volume", Some(F::Volumes), true;
    GetVolumeConnector => "get_volume_connector", Some(F::Volumes), false;
    AttachInterface => "attach_interface", Some(F::Interfaces), true;
    DetachInterface => "detach_interface", Some(F::Interfaces), true;
    PlugVifs => "plug_vifs", Some(F::VifPlugging), true;
    UnplugVifs => "unplug_vifs", Some(F::VifPlugging), true;
    EnsureFilteringRulesForInstance => "ensure_filtering_rules_for_instance", Some(F::Firewall), true;
    RefreshInstanceSecurityRules => "refresh_instance_security_rules", Some(F::Firewall), true;
    RefreshProviderFwRules => "refresh_provider_fw_rules", Some(F::Firewall), true;
    RefreshSecurityGroupMembers => "refresh_security_group_members", Some(F::Firewall), true;
    RefreshSecurityGroupRules => "refresh_security_group_rules", Some(F::Firewall), true;
    UnfilterInstance => "unfilter_instance", Some(F::Firewall), true;
    CheckCanLiveMigrateDestination => "check_can_live_migrate_destination", Some(F::LiveMigration), false;
    CheckCanLiveMigrateDestinationCleanup => "check_can_live_migrate_destination_cleanup", Some(F::LiveMigration), false;
    CheckCanLiveMigrateSource => "check_can_live_migrate_source", Some(F::LiveMigration), false;
    PreLiveMigration => "pre_live_migration", Some(F::LiveMigration), true;
    LiveMigration => "live_migration", Some(F::LiveMigration), true;
    PostLiveMigrationAtDestination => "post_live_migration_at_destination", Some(F::LiveMigration), true;
    RollbackLiveMigrationAtDestination => "rollback_live_migration_at_destination", Some(F::LiveMigration), true;
    LiveMigrationForceComplete => "live_migration_force_complete", Some(F::LiveMigration), true;
    LiveMigrationAbort => "live_migration_abort", Some(F::LiveMigration), true;
    MigrateDiskAndPowerOff => "migrate_disk_and_power_off", Some(F::ColdMigration), true;
    FinishMigration => "finish_migration", Some(F::ColdMigration), true;
    ConfirmMigration => "confirm_migration", Some(F::ColdMigration), true;
    FinishRevertMigration => "finish_revert_migration", Some(F::ColdMigration), true;
    GetDiskAvailableLeast => "get_disk_available_least", Some(F::DiskInfo), false;
    GetHostIpAddr => "get_host_ip_addr", Some(F::HostStats), false;
    GetHostStats => "get_host_stats", Some(F::HostStats), false;
    GetHostCpuStats => "get_host_cpu_stats", Some(F::HostStats), false;
    GetHostUptime => "get_host_uptime", Some(F::HostStats), false;
    HostMaintenanceMode => "host_maintenance_mode", Some(F::HostMaintenance), true;
    HostPowerAction => "host_power_action", Some(F::HostPower), true;
    SetHostEnabled => "set_host_enabled", Some(F::HostEnable), true;
}

impl DriverMethod {
    /// Whether the method is mandatory (belongs to no optional feature).
    pub const fn is_mandatory(self) -> bool {
        self.feature().is_none()
    }

    /// Whether a backend with `capabilities` must offer the method.
    pub const fn is_supported_by(self, capabilities: &Capabilities) -> bool {
        match self.feature() {
            None => true,
            Some(feature) => capabilities.supports(feature),
        }
    }

    /// The admission rule every backend applies before the method does
    /// anything: `NotSupported` if its feature is not in `capabilities`, else
    /// `ReadOnly` if it mutates and the backend is `read_only`, else `Ok`.
    /// (An undeclared feature answers `NotSupported` even read-only.)
    ///
    /// ```
    /// use driver_api::{Capabilities, DriverMethod, ErrorKind, Feature};
    /// let caps = Capabilities::all().without(Feature::Pause);
    /// let refused = DriverMethod::Pause.admit(&caps, true, "mine").map_err(|e| e.kind());
    /// assert_eq!(refused, Err(ErrorKind::NotSupported));
    /// let refused = DriverMethod::Spawn.admit(&caps, true, "mine").map_err(|e| e.kind());
    /// assert_eq!(refused, Err(ErrorKind::ReadOnly));
    /// assert!(DriverMethod::GetInfo.admit(&caps, true, "mine").is_ok());
    /// ```
    pub fn admit(
        self,
        capabilities: &Capabilities,
        read_only: bool,
        driver: &'static str,
    ) -> DriverResult<()> {
        if !self.is_supported_by(capabilities) {
            Err(DriverError::not_supported(self, driver))
        } else if read_only && self.mutates() {
            Err(DriverError::read_only(self, driver))
        } else {
            Ok(())
        }
    }

    /// The methods of one feature.
    pub fn of_feature(feature: Feature) -> impl Iterator<Item = DriverMethod> {
        Self::ALL
            .iter()
            .copied()
            .filter(move |m| m.feature() == Some(feature))
    }
}

impl fmt::Display for DriverMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

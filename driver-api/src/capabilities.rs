//! What a backend supports: Nova's two flags plus one flag per optional feature.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! features {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// An optional feature group. Each optional trait method belongs to exactly one
        /// (see [`DriverMethod::feature`](crate::DriverMethod::feature)).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Feature {
            $($(#[$doc])* $variant,)*
        }

        impl Feature {
            /// Every feature.
            pub const ALL: &'static [Feature] = &[$(Feature::$variant,)*];

            /// The feature's stable snake-case name.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Feature::$variant => $name,)*
                }
            }

            /// The feature with this name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(Feature::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

features! {
    /// `power_off`, `power_on`.
    PowerControl => "power_control",
    /// `reboot`, `poll_rebooting_instances`.
    Reboot => "reboot",
    /// `pause`, `unpause`.
    Pause => "pause",
    /// `suspend`, `resume`.
    Suspend => "suspend",
    /// `rescue`, `unrescue`.
    Rescue => "rescue",
    /// `soft_delete`, `restore`.
    SoftDelete => "soft_delete",
    /// `snapshot`.
    Snapshot => "snapshot",
    /// `attach_volume`, `detach_volume`, `get_volume_connector`.
    Volumes => "volumes",
    /// `attach_interface`, `detach_interface`.
    Interfaces => "interfaces",
    /// `plug_vifs`, `unplug_vifs`.
    VifPlugging => "vif_plugging",
    /// `get_vnc_console`.
    VncConsole => "vnc_console",
    /// `get_spice_console`.
    SpiceConsole => "spice_console",
    /// `get_console_output`.
    ConsoleOutput => "console_output",
    /// `get_console_pool_info`.
    ConsolePool => "console_pool",
    /// The live-migration protocol.
    LiveMigration => "live_migration",
    /// The cold-migration (resize) protocol.
    ColdMigration => "cold_migration",
    /// `inject_file`.
    FileInjection => "file_injection",
    /// `set_admin_password`.
    AdminPassword => "admin_password",
    /// The firewall methods.
    Firewall => "firewall",
    /// `host_power_action`.
    HostPower => "host_power",
    /// `host_maintenance_mode`.
    HostMaintenance => "host_maintenance",
    /// `set_host_enabled`.
    HostEnable => "host_enable",
    /// `get_diagnostics`, `block_stats`, `interface_stats`.
    Diagnostics => "diagnostics",
    /// `get_instance_disk_info`, `get_disk_available_least`, `instance_on_disk`.
    DiskInfo => "disk_info",
    /// `get_all_bw_counters`, `get_all_volume_usage`.
    UsageCounters => "usage_counters",
    /// `get_host_stats`, `get_host_ip_addr`, `get_host_cpu_stats`, `get_host_uptime`.
    HostStats => "host_stats",
    /// `resume_state_on_host_boot`.
    HostBootRecovery => "host_boot_recovery",
    /// `trigger_crash_dump`.
    CrashDump => "crash_dump",
    /// `get_serial_console`.
    SerialConsole => "serial_console",
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Feature {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Feature {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown feature {name:?}")))
    }
}

/// A set of [`Feature`]s (a bit set; serialised as a list of names).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FeatureSet(u64);

impl FeatureSet {
    /// No feature.
    pub const fn empty() -> Self {
        Self(0)
    }

    /// Every feature.
    pub fn all() -> Self {
        Feature::ALL.iter().copied().collect()
    }

    /// Whether `feature` is in the set.
    pub const fn contains(&self, feature: Feature) -> bool {
        self.0 & (1 << feature as u32) != 0
    }

    /// Adds `feature`.
    pub fn insert(&mut self, feature: Feature) {
        self.0 |= 1 << feature as u32;
    }

    /// Removes `feature`.
    pub fn remove(&mut self, feature: Feature) {
        self.0 &= !(1 << feature as u32);
    }

    /// The features in the set, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = Feature> + '_ {
        Feature::ALL.iter().copied().filter(|f| self.contains(*f))
    }
}

impl FromIterator<Feature> for FeatureSet {
    fn from_iter<I: IntoIterator<Item = Feature>>(iter: I) -> Self {
        let mut set = Self::empty();
        for feature in iter {
            set.insert(feature);
        }
        set
    }
}

impl fmt::Debug for FeatureSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl Serialize for FeatureSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for FeatureSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<Feature>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

/// What a backend declares it supports.
///
/// A method whose [`Feature`] is declared must never answer `NotSupported`; a
/// method whose feature is not declared must answer `NotSupported` (never `Ok`,
/// never a panic). The conformance suite checks both.
///
/// ```
/// use driver_api::{Capabilities, Feature};
/// let caps = Capabilities::all().without(Feature::SpiceConsole);
/// assert!(caps.supports(Feature::Pause));
/// assert!(!caps.supports(Feature::SpiceConsole));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Capabilities {
    /// Nova's `supports_recreate` (later `supports_evacuate`): can rebuild an
    /// instance on another host from shared storage.
    pub supports_recreate: bool,
    /// Nova's `has_imagecache`: keeps a local cache of base images.
    pub has_imagecache: bool,
    /// The optional feature groups offered.
    pub features: FeatureSet,
}

impl Capabilities {
    /// Nothing optional: the mandatory methods only.
    pub const fn none() -> Self {
        Self {
            supports_recreate: false,
            has_imagecache: false,
            features: FeatureSet::empty(),
        }
    }

    /// Every feature, and Nova's two flags set (the reference fake's answer).
    pub fn all() -> Self {
        Self {
            supports_recreate: true,
            has_imagecache: true,
            features: FeatureSet::all(),
        }
    }

    /// Whether `feature` is declared.
    pub const fn supports(&self, feature: Feature) -> bool {
        self.features.contains(feature)
    }

    /// The same, with `feature` declared.
    pub fn with(mut self, feature: Feature) -> Self {
        self.features.insert(feature);
        self
    }

    /// The same, without `feature`.
    pub fn without(mut self, feature: Feature) -> Self {
        self.features.remove(feature);
        self
    }

    /// The same, with Nova's two flags set as given.
    pub const fn with_flags(mut self, supports_recreate: bool, has_imagecache: bool) -> Self {
        self.supports_recreate = supports_recreate;
        self.has_imagecache = has_imagecache;
        self
    }
}

impl Default for Capabilities {
    fn default() -> Self {
        Self::none()
    }
}

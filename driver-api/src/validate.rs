//! The input rules every backend applies at every entry point, written once.
//!
//! Each function checks one kind of value and, when it breaks its rule,
//! returns a [`Violation`] naming the field and the rule;
//! [`Violation::into_error`] makes it the [`DriverError::InvalidInput`] of the
//! method that was called. The checks read the value in place and never
//! allocate unless the value is refused.
//!
//! | value | rule |
//! |---|---|
//! | instance name | [`NAME_RULE`] |
//! | host name, node name | [`HOST_RULE`] |
//! | volume mountpoint | [`MOUNTPOINT_RULE`] |
//! | injected-file path | [`FILE_PATH_RULE`] |
//! | VIF MAC address | [`MAC_RULE`] |
//! | flavor sizes | [`FLAVOR_RULE`] |
//! | volume connection data | [`CONNECTION_DATA_RULE`] |
//! | an instance's status | [`STATUS_RULE`] |
//! | a migration record's instance | [`MIGRATION_RULE`] |
//! | a live migration's destination | [`HOST_RULE`], [`DESTINATION_RULE`] |
//! | `live_migration`'s destination | the above, [`CHECKED_DESTINATION_RULE`] |
//!
//! ```
//! use driver_api::{validate, DriverMethod};
//! assert!(validate::instance_name("instance", "vm-1").is_ok());
//! let refused = validate::mountpoint("mountpoint", "/dev/../etc").unwrap_err();
//! assert_eq!(refused.field, "mountpoint");
//! let error = refused.into_error(DriverMethod::AttachVolume);
//! assert_eq!(error.kind(), driver_api::ErrorKind::InvalidInput);
//! ```

use crate::error::DriverError;
use crate::method::DriverMethod;
use crate::model::block_device::{BlockDeviceInfo, ConnectionInfo};
use crate::model::instance::{Flavor, InjectedFile, Instance};
use crate::model::migration::{LiveMigrateData, Migration};
use crate::model::network::Vif;
use crate::state::InstanceStatus;

/// The longest instance, host or node name, in bytes.
pub const MAX_NAME_BYTES: usize = 255;
/// The longest injected-file path, in bytes (Linux's `PATH_MAX`).
pub const MAX_PATH_BYTES: usize = 4096;
/// The longest device name after `/dev/` in a mountpoint, in bytes.
pub const MAX_DEVICE_BYTES: usize = 32;

/// Instance names: 1 to 255 bytes, no control character (NUL, newline, ...).
pub const NAME_RULE: &str = "must be 1 to 255 bytes with no control character";
/// Host and node names: 1 to 255 bytes, no control character, no whitespace.
pub const HOST_RULE: &str = "must be 1 to 255 bytes with no whitespace or control character";
/// Mountpoints: `/dev/` and a device name of ASCII letters, digits, `-` or `_`.
pub const MOUNTPOINT_RULE: &str =
    "must be /dev/ followed by 1 to 32 ASCII letters, digits, '-' or '_'";
/// Injected-file paths: absolute, no empty, `.` or `..` component, no control
/// character, at most 4096 bytes.
pub const FILE_PATH_RULE: &str = "must be an absolute path of at most 4096 bytes with no empty, \
     '.' or '..' component and no control character";
/// MAC addresses: six two-digit hex octets separated by `:`.
pub const MAC_RULE: &str = "must be six two-digit hex octets separated by ':'";
/// Flavor sizes: root + ephemeral + swap (in GiB, rounded up) must not
/// overflow a `u64`.
pub const FLAVOR_RULE: &str = "root_gb + ephemeral_gb + swap (GiB) must fit in 64 bits";

/// The deepest nesting of a volume's connection data (objects and arrays).
pub const MAX_DATA_DEPTH: usize = 32;
/// Volume connection data: nested at most [`MAX_DATA_DEPTH`] levels.
pub const CONNECTION_DATA_RULE: &str = "must nest objects and arrays at most 32 levels deep";
/// Instance statuses: one the transition table can produce
/// ([`InstanceStatus::reachable`]).
pub const STATUS_RULE: &str = "must be a status the transition table can produce";
/// Resizes: no disk shrinks (the new flavor's `root_gb` and `ephemeral_gb`
/// at least the current one's). Nova's API refuses a smaller root disk
/// (`CannotResizeDisk`) and its libvirt driver any smaller disk ("Unable to
/// resize disk down").
pub const RESIZE_RULE: &str =
    "must not have a smaller root_gb or ephemeral_gb than the instance's current flavor";
/// Migration records: the record's `instance_uuid` is the instance's.
pub const MIGRATION_RULE: &str = "must be the UUID of the instance the call is about";
/// Live-migration destinations: another host than the source.
pub const DESTINATION_RULE: &str = "must name another host than the source";
/// The rule for `live_migration`'s `dest` against its `migrate_data`: the
/// destination named must be the one that answered the destination check.
pub const CHECKED_DESTINATION_RULE: &str =
    "must be the host that answered check_can_live_migrate_destination (migrate_data.dest_host)";

/// A value that breaks its rule: which field, and the rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field} {rule}")]
#[non_exhaustive]
pub struct Violation {
    /// The refused field (`instance.name`, `mountpoint`, ...).
    pub field: &'static str,
    /// The rule it breaks (one of this module's `*_RULE`s).
    pub rule: &'static str,
}

impl Violation {
    /// `field` breaks `rule`.
    pub const fn new(field: &'static str, rule: &'static str) -> Self {
        Self { field, rule }
    }

    /// The [`DriverError::InvalidInput`] of `method` for this violation;
    /// its reason names the field and the rule.
    pub fn into_error(self, method: DriverMethod) -> DriverError {
        DriverError::invalid_input(method, self.to_string())
    }
}

/// The result of a check.
pub type Checked = Result<(), Violation>;

fn check(ok: bool, field: &'static str, rule: &'static str) -> Checked {
    if ok {
        Ok(())
    } else {
        Err(Violation::new(field, rule))
    }
}

/// An instance name ([`NAME_RULE`]).
#[inline]
pub fn instance_name(field: &'static str, name: &str) -> Checked {
    let ok =
        !name.is_empty() && name.len() <= MAX_NAME_BYTES && !name.chars().any(char::is_control);
    check(ok, field, NAME_RULE)
}

/// A host or node name ([`HOST_RULE`]).
pub fn host_name(field: &'static str, name: &str) -> Checked {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && !name.chars().any(|c| c.is_control() || c.is_whitespace());
    check(ok, field, HOST_RULE)
}

/// A node name: the same rule as host names ([`HOST_RULE`]).
pub fn node_name(field: &'static str, name: &str) -> Checked {
    host_name(field, name)
}

/// A volume mountpoint ([`MOUNTPOINT_RULE`]): `/dev/vdb`, `/dev/sdc`.
pub fn mountpoint(field: &'static str, mountpoint: &str) -> Checked {
    let ok = mountpoint.strip_prefix("/dev/").is_some_and(|device| {
        !device.is_empty()
            && device.len() <= MAX_DEVICE_BYTES
            && device
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    check(ok, field, MOUNTPOINT_RULE)
}

/// An injected-file path ([`FILE_PATH_RULE`]): `/etc/motd`.
pub fn file_path(field: &'static str, path: &str) -> Checked {
    let ok = path.len() <= MAX_PATH_BYTES
        && !path.chars().any(char::is_control)
        && path.strip_prefix('/').is_some_and(|rest| {
            rest.split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..")
        });
    check(ok, field, FILE_PATH_RULE)
}

/// A MAC address ([`MAC_RULE`]): `fa:16:3e:00:00:01` (either case).
pub fn mac(field: &'static str, address: &str) -> Checked {
    let bytes = address.as_bytes();
    let ok = bytes.len() == 17
        && bytes.iter().enumerate().all(|(i, b)| {
            if i % 3 == 2 {
                *b == b':'
            } else {
                b.is_ascii_hexdigit()
            }
        });
    check(ok, field, MAC_RULE)
}

/// A flavor's sizes ([`FLAVOR_RULE`]): its disk total does not overflow.
pub fn flavor(field: &'static str, flavor: &Flavor) -> Checked {
    check(flavor.checked_disk_gb().is_some(), field, FLAVOR_RULE)
}

/// An instance as every entry point that creates or moves one takes it: its
/// name, its flavor's sizes and its node (when given).
pub fn instance(instance: &Instance) -> Checked {
    instance_name("instance.name", &instance.name)?;
    flavor("instance.flavor", &instance.flavor)?;
    match instance.node.as_deref() {
        Some(node) => node_name("instance.node", node),
        None => Ok(()),
    }
}

/// A volume's connection info ([`CONNECTION_DATA_RULE`]).
pub fn connection_info(field: &'static str, info: &ConnectionInfo) -> Checked {
    let ok = info
        .data
        .values()
        .all(|value| nests_within(value, MAX_DATA_DEPTH));
    check(ok, field, CONNECTION_DATA_RULE)
}

/// Whether `value` nests at most `levels` levels of arrays and objects (the
/// walk goes no deeper than that, whatever the value).
fn nests_within(value: &serde_json::Value, levels: usize) -> bool {
    use serde_json::Value;
    match (value, levels.checked_sub(1)) {
        (Value::Array(items), Some(below)) => items.iter().all(|c| nests_within(c, below)),
        (Value::Object(fields), Some(below)) => fields.values().all(|c| nests_within(c, below)),
        (Value::Array(_) | Value::Object(_), None) => false,
        _ => true,
    }
}

/// An instance's status ([`STATUS_RULE`]).
pub fn status(field: &'static str, status: InstanceStatus) -> Checked {
    check(
        InstanceStatus::reachable().contains(&status),
        field,
        STATUS_RULE,
    )
}

/// The flavor of a cold migration or resize from `current`: its sizes
/// ([`FLAVOR_RULE`]) and no disk smaller than `current`'s ([`RESIZE_RULE`]).
pub fn resize(current: &Flavor, new: &Flavor) -> Checked {
    flavor("flavor", new)?;
    check(
        new.root_gb >= current.root_gb && new.ephemeral_gb >= current.ephemeral_gb,
        "flavor",
        RESIZE_RULE,
    )
}

/// A migration record handed with `instance` ([`MIGRATION_RULE`]).
pub fn migration_of(migration: &Migration, instance: &Instance) -> Checked {
    check(
        migration.instance_uuid == instance.uuid,
        "migration.instance_uuid",
        MIGRATION_RULE,
    )
}

/// A live migration's destination seen from the source host `source`: a
/// valid host name ([`HOST_RULE`]) other than `source` ([`DESTINATION_RULE`]).
pub fn live_destination(dest: &str, source: &str) -> Checked {
    host_name("dest", dest)?;
    check(dest != source, "dest", DESTINATION_RULE)
}

/// `live_migration`'s `dest` seen from the source host `source`: a live
/// destination ([`live_destination`]) and the very host whose destination
/// check produced `migrate_data` ([`CHECKED_DESTINATION_RULE`]). A host no
/// destination check vouched for is unknown to the protocol, so it is refused
/// before anything moves: a driver needs no registry of hosts to tell.
pub fn live_migration_target(dest: &str, source: &str, migrate_data: &LiveMigrateData) -> Checked {
    live_destination(dest, source)?;
    check(
        dest == migrate_data.dest_host,
        "dest",
        CHECKED_DESTINATION_RULE,
    )
}

/// What every entry point that creates or moves an instance here checks:
/// the instance ([`instance`]), its VIFs' MACs ([`vifs`]) and its volumes
/// ([`block_devices`]).
pub fn arrival(
    instance: &Instance,
    network_info: &[Vif],
    block_device_info: &BlockDeviceInfo,
) -> Checked {
    self::instance(instance)?;
    vifs("network_info.address", network_info)?;
    block_devices("block_device_mapping.mount_device", block_device_info)
}

/// The VIFs of a call: every MAC address.
pub fn vifs(field: &'static str, vifs: &[Vif]) -> Checked {
    vifs.iter().try_for_each(|vif| mac(field, &vif.address))
}

/// The block devices of a call: every volume's mountpoint and connection data.
pub fn block_devices(field: &'static str, info: &BlockDeviceInfo) -> Checked {
    info.block_device_mapping.iter().try_for_each(|mapping| {
        mountpoint(field, &mapping.mount_device)?;
        connection_info(
            "block_device_mapping.connection_info",
            &mapping.connection_info,
        )
    })
}

/// The files injected at spawn: every path.
pub fn injected_files(field: &'static str, files: &[InjectedFile]) -> Checked {
    files
        .iter()
        .try_for_each(|file| file_path(field, &file.path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_names() {
        for good in ["vm-1", "instance-00000001", "ünïcode name", "a"] {
            assert_eq!(instance_name("n", good), Ok(()), "{good:?}");
        }
        let long = "x".repeat(MAX_NAME_BYTES + 1);
        for bad in ["", "nul\0", "line\nbreak", "\u{85}", long.as_str()] {
            assert_eq!(
                instance_name("n", bad),
                Err(Violation::new("n", NAME_RULE)),
                "{bad:?}"
            );
        }
        assert!(instance_name("n", &"x".repeat(MAX_NAME_BYTES)).is_ok());
    }

    #[test]
    fn host_and_node_names() {
        for good in ["fake-host", "host.example.org", "fake-mini"] {
            assert!(host_name("h", good).is_ok(), "{good:?}");
            assert!(node_name("h", good).is_ok(), "{good:?}");
        }
        for bad in ["", " ", "two words", "tab\t", "nul\0"] {
            assert_eq!(host_name("h", bad), Err(Violation::new("h", HOST_RULE)));
        }
    }

    #[test]
    fn mountpoints() {
        for good in ["/dev/vdb", "/dev/sdc", "/dev/xvd_a", "/dev/nvme0n1"] {
            assert!(mountpoint("m", good).is_ok(), "{good:?}");
        }
        for bad in [
            "",
            "vdb",
            "/dev/",
            "/dev/../../etc/passwd",
            "/dev/vdb/x",
            "/dev/vd\0b",
            "/etc/passwd",
            "/dev/vdb ",
            "/dev/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert_eq!(
                mountpoint("m", bad),
                Err(Violation::new("m", MOUNTPOINT_RULE)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn file_paths() {
        for good in ["/etc/motd", "/a", "/root/.ssh/authorized_keys"] {
            assert!(file_path("p", good).is_ok(), "{good:?}");
        }
        let long = format!("/{}", "x".repeat(MAX_PATH_BYTES));
        for bad in [
            "",
            "/",
            "etc/motd",
            "../../etc/passwd",
            "/etc/../passwd",
            "/etc/./motd",
            "/etc//motd",
            "/etc/motd/",
            "/etc/mo\0td",
            long.as_str(),
        ] {
            assert_eq!(
                file_path("p", bad),
                Err(Violation::new("p", FILE_PATH_RULE)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn macs() {
        for good in ["fa:16:3e:00:00:01", "AA:BB:CC:DD:EE:FF"] {
            assert!(mac("m", good).is_ok(), "{good:?}");
        }
        for bad in [
            "",
            "fa:16:3e:00:00",
            "fa-16-3e-00-00-01",
            "fa:16:3e:00:00:0g",
        ] {
            assert_eq!(mac("m", bad), Err(Violation::new("m", MAC_RULE)), "{bad:?}");
        }
    }

    #[test]
    fn flavors() {
        assert!(flavor("f", &Flavor::m1_small()).is_ok());
        let mut huge = Flavor::m1_small();
        huge.root_gb = u64::MAX;
        huge.ephemeral_gb = 1;
        assert_eq!(flavor("f", &huge), Err(Violation::new("f", FLAVOR_RULE)));
    }

    fn nested(depth: usize) -> ConnectionInfo {
        let mut value = serde_json::json!(1);
        for _ in 0..depth {
            value = serde_json::json!([value]);
        }
        let mut info = ConnectionInfo::new("iscsi", "vol");
        info.data.insert("deep".to_owned(), value);
        info
    }

    #[test]
    fn connection_data_depth() {
        assert!(connection_info("c", &ConnectionInfo::new("iscsi", "vol")).is_ok());
        assert!(connection_info("c", &nested(MAX_DATA_DEPTH)).is_ok());
        assert_eq!(
            connection_info("c", &nested(MAX_DATA_DEPTH + 1)),
            Err(Violation::new("c", CONNECTION_DATA_RULE))
        );
        assert!(connection_info("c", &nested(500)).is_err());
    }

    #[test]
    fn statuses() {
        use crate::state::PowerState;
        for good in InstanceStatus::reachable() {
            assert!(status("s", good).is_ok(), "{good}");
        }
        for bad in [
            InstanceStatus::new(PowerState::Shutdown).rescued(),
            InstanceStatus::new(PowerState::Running).soft_deleted(),
            InstanceStatus::new(PowerState::NoState),
        ] {
            assert_eq!(
                status("s", bad),
                Err(Violation::new("s", STATUS_RULE)),
                "{bad}"
            );
        }
    }

    #[test]
    fn migrations_and_destinations() {
        let instance = Instance::new(uuid::Uuid::from_u128(1), Flavor::m1_tiny());
        let own = Migration::new(instance.uuid, "a", "b");
        let other = Migration::new(uuid::Uuid::from_u128(2), "a", "b");
        assert!(migration_of(&own, &instance).is_ok());
        assert_eq!(
            migration_of(&other, &instance),
            Err(Violation::new("migration.instance_uuid", MIGRATION_RULE))
        );
        assert!(live_destination("b", "a").is_ok());
        assert_eq!(
            live_destination("a", "a"),
            Err(Violation::new("dest", DESTINATION_RULE))
        );
        assert_eq!(
            live_destination("", "a"),
            Err(Violation::new("dest", HOST_RULE))
        );
        let checked_by_b = LiveMigrateData::new("b");
        assert!(live_migration_target("b", "a", &checked_by_b).is_ok());
        assert_eq!(
            live_migration_target("c", "a", &checked_by_b),
            Err(Violation::new("dest", CHECKED_DESTINATION_RULE))
        );
        assert_eq!(
            live_migration_target("a", "a", &LiveMigrateData::new("a")),
            Err(Violation::new("dest", DESTINATION_RULE))
        );
    }

    #[test]
    fn a_violation_is_invalid_input_naming_field_and_rule() {
        let error = Violation::new("instance.name", NAME_RULE).into_error(DriverMethod::Spawn);
        assert_eq!(error.kind(), crate::ErrorKind::InvalidInput);
        let text = error.to_string();
        assert!(text.contains("spawn"), "{text}");
        assert!(text.contains("instance.name"), "{text}");
        assert!(text.contains(NAME_RULE), "{text}");
    }
}

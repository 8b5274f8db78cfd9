//! What the driver keeps about an instance that libvirt does not: the
//! instance record, stored as domain metadata in the driver's own namespace.
//!
//! The record travels as base64-encoded JSON inside one element, so that any
//! driver opened on the same hypervisor reads exactly what another wrote, and
//! no XML escaping question can corrupt it:
//!
//! ```xml
//! <hv:instance xmlns:hv="urn:x-hvdriver:instance:1">
//!   <hv:record>eyJ2ZXJzaW9uIjox...</hv:record>
//! </hv:instance>
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use driver_api::{ConnectionInfo, Flavor, ResourceAmounts};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The metadata namespace URI of the driver's records.
pub const NAMESPACE: &str = "urn:x-hvdriver:instance:1";
/// The namespace prefix used when writing the record.
pub const NAMESPACE_PREFIX: &str = "hv";
const RECORD_VERSION: u32 = 1;

/// Everything the driver knows about one instance beyond libvirt's own state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceRecord {
    /// Format version.
    pub version: u32,
    /// The instance's UUID (equal to the domain's).
    pub uuid: Uuid,
    /// The compute service's name for the instance (`instance-0000000a`).
    pub name: String,
    /// The node the instance's resources are claimed on.
    pub node: String,
    /// The flavor: what the instance claims.
    pub flavor: Flavor,
    /// The image the instance was built from.
    pub image_ref: String,
    /// Booted from the rescue disk.
    pub rescued: bool,
    /// Soft-deleted.
    pub soft_deleted: bool,
    /// Files injected at spawn or by `inject_file`: path to base64 contents.
    pub injected_files: BTreeMap<String, String>,
    /// Attached volumes by mountpoint.
    pub volumes: BTreeMap<String, VolumeRecord>,
    /// The VIFs the instance was spawned with, by id.
    pub vifs: BTreeMap<Uuid, VifRecord>,
    /// The files the driver made for the instance.
    pub files: InstanceFiles,
    /// A cold migration or resize under way from this host.
    #[serde(default)]
    pub cold_migration: Option<ColdMigration>,
    /// The TCP port of the interactive serial console on 127.0.0.1, if any.
    #[serde(default)]
    pub serial_port: Option<u16>,
    /// Live-migrated here and not yet adopted by
    /// `post_live_migration_at_destination`: the instance is not listed
    /// here until then (the contract's "it is now listed here").
    #[serde(default)]
    pub arriving: bool,
}

/// A cold migration (or same-host resize) between `migrate_disk_and_power_off`
/// and `confirm_migration` / `finish_revert_migration`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColdMigration {
    /// The destination host.
    pub dest: String,
    /// The flavor before a same-host resize, for a revert.
    pub flavor_before: Option<Flavor>,
}

/// One VIF, as a NIC of the domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VifRecord {
    /// The MAC address.
    pub mac: String,
    /// The host-side tap device, if the VIF named a valid one.
    pub devname: Option<String>,
}

/// The files the driver makes for one instance (in its work directory).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceFiles {
    /// The root disk (qcow2), removed on destroy when `destroy_disks`.
    pub root_disk: PathBuf,
    /// The rescue disk (qcow2), present while rescued.
    pub rescue_disk: PathBuf,
    /// The serial console log, removed on destroy.
    pub console_log: PathBuf,
}

/// One attached volume.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VolumeRecord {
    /// The guest device (`sdb`) on the SCSI bus.
    pub target: String,
    /// The backing file.
    pub source: PathBuf,
    /// Its format (`qcow2`, `raw`).
    pub format: String,
    /// The volume's serial (its id), if the connection info had one.
    pub serial: Option<String>,
    /// The connection info it was attached with.
    pub connection_info: ConnectionInfo,
}

impl InstanceRecord {
    /// A fresh record: not rescued, not soft-deleted, nothing attached.
    pub fn new(
        uuid: Uuid,
        name: String,
        node: String,
        flavor: Flavor,
        image_ref: String,
        files: InstanceFiles,
    ) -> Self {
        Self {
            version: RECORD_VERSION,
            uuid,
            name,
            node,
            flavor,
            image_ref,
            rescued: false,
            soft_deleted: false,
            injected_files: BTreeMap::new(),
            volumes: BTreeMap::new(),
            vifs: BTreeMap::new(),
            files,
            cold_migration: None,
            serial_port: None,
            arriving: false,
        }
    }

    /// What the instance claims on its node.
    pub fn claim(&self) -> ResourceAmounts {
        ResourceAmounts::of_flavor(&self.flavor)
    }

    /// The metadata element body (without namespace declaration), as
    /// `set_metadata` takes it.
    pub fn to_metadata(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        format!(
            "<instance><record>{}</record></instance>",
            STANDARD.encode(json)
        )
    }

    /// The element as it appears inside a domain's `<metadata>` at define time.
    pub fn to_domain_metadata(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        format!(
            "<{p}:instance xmlns:{p}='{NAMESPACE}'><{p}:record>{}</{p}:record></{p}:instance>",
            STANDARD.encode(json),
            p = NAMESPACE_PREFIX
        )
    }

    /// `xml` (a whole domain's XML) with this record in place of the one
    /// its metadata holds; `None` if it holds none.
    pub fn replace_in_domain_xml(&self, xml: &str) -> Option<String> {
        let start = xml.find(NAMESPACE)?;
        let open = start + xml.get(start..)?.find("record>")? + "record>".len();
        let close = open + xml.get(open..)?.find('<')?;
        let json = serde_json::to_vec(self).ok()?;
        Some(format!(
            "{}{}{}",
            xml.get(..open)?,
            STANDARD.encode(json),
            xml.get(close..)?
        ))
    }

    /// Parses what `metadata()` returned; `None` if it is not a record of ours.
    pub fn from_metadata(xml: &str) -> Option<Self> {
        let start = xml.find("record>")? + "record>".len();
        let rest = xml.get(start..)?;
        let end = rest.find('<')?;
        let encoded: String = rest.get(..end)?.split_whitespace().collect();
        let json = STANDARD.decode(encoded).ok()?;
        let record: Self = serde_json::from_slice(&json).ok()?;
        (record.version == RECORD_VERSION).then_some(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> InstanceRecord {
        let mut r = InstanceRecord::new(
            Uuid::from_u128(7),
            "vm <&> 'one'".to_owned(),
            "node".to_owned(),
            Flavor::m1_small(),
            "image".to_owned(),
            InstanceFiles::default(),
        );
        r.rescued = true;
        r.injected_files
            .insert("/etc/motd".to_owned(), "aGk=".to_owned());
        r
    }

    #[test]
    fn round_trips_through_both_forms() {
        let r = record();
        assert_eq!(
            InstanceRecord::from_metadata(&r.to_metadata()),
            Some(r.clone())
        );
        assert_eq!(
            InstanceRecord::from_metadata(&r.to_domain_metadata()),
            Some(r.clone())
        );
        // libvirt may re-indent the element.
        let spaced = r
            .to_metadata()
            .replace("<record>", "<record>\n  ")
            .replace("</record>", "\n</record>");
        assert_eq!(InstanceRecord::from_metadata(&spaced), Some(r));
    }

    #[test]
    fn a_record_written_before_the_arriving_mark_reads_as_listed() {
        let mut json = serde_json::to_value(record()).unwrap();
        json.as_object_mut().unwrap().remove("arriving");
        let xml = format!(
            "<instance><record>{}</record></instance>",
            STANDARD.encode(json.to_string())
        );
        let read = InstanceRecord::from_metadata(&xml).unwrap();
        assert!(!read.arriving);
        assert_eq!(read, record());
    }

    #[test]
    fn rejects_foreign_metadata() {
        assert_eq!(InstanceRecord::from_metadata("<instance/>"), None);
        assert_eq!(
            InstanceRecord::from_metadata("<instance><record>!!!</record></instance>"),
            None
        );
    }
}

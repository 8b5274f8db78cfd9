//! What a live migration hands to the destination: the instance's files,
//! hard-linked under the destination's names (the hosts share storage), and
//! the domain XML rewritten for the destination's paths, serial-console port
//! and record (and, between two daemons on one machine, its tap names).

use std::path::{Path, PathBuf};

use driver_api::{DriverMethod, DriverResult};
use uuid::Uuid;

use crate::domain_xml::escape;
use crate::hypervisor::backend_msg;
use crate::record::InstanceRecord;

/// `path`'s file name in `dir`.
pub(crate) fn moved_to(path: &Path, dir: &Path) -> PathBuf {
    match path.file_name() {
        Some(name) => dir.join(name),
        None => path.to_path_buf(),
    }
}

/// The name a tap takes on a destination on this same machine while the
/// source's tap of that name still exists: 15 bytes, unique per destination
/// domain and interface.
pub(crate) fn interim_tap(dest_domain: &str, tap: &str) -> String {
    let id = Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("{dest_domain}/{tap}").as_bytes(),
    );
    format!("hvm{}", &id.simple().to_string()[..12])
}

/// The running guest's XML for a destination on this machine: both "hosts"
/// share one kernel's network devices, so each tap the source still holds is
/// renamed for the new QEMU process (its persistent definition keeps the
/// VIF's own name, used from its next start on).
/// The tap runs here under the VIF's name or (after an earlier move between
/// daemons on this machine) under this domain's interim name.
pub(crate) fn rename_taps(
    xml: &str,
    record: &InstanceRecord,
    own_domain: &str,
    dest_domain: &str,
) -> String {
    let mut out = xml.to_owned();
    for vif in record.vifs.values() {
        if let Some(tap) = &vif.devname {
            let new = format!("dev='{}'", interim_tap(dest_domain, tap));
            for current in [tap.clone(), interim_tap(own_domain, tap)] {
                out = out.replace(&format!("dev='{}'", escape(&current)), &new);
            }
        }
    }
    out
}

/// Each file of `from` and its name in `to`: the disks and the console log,
/// and the volumes' backing files (those the source driver made move with
/// the instance; a volume's own `device_path` stays).
pub(crate) fn file_pairs<'a>(
    from: &'a InstanceRecord,
    to: &'a InstanceRecord,
) -> Vec<(&'a Path, &'a Path)> {
    let mut pairs = vec![
        (from.files.root_disk.as_path(), to.files.root_disk.as_path()),
        (
            from.files.rescue_disk.as_path(),
            to.files.rescue_disk.as_path(),
        ),
        (
            from.files.console_log.as_path(),
            to.files.console_log.as_path(),
        ),
    ];
    for (mountpoint, volume) in &from.volumes {
        if let Some(moved) = to.volumes.get(mountpoint) {
            pairs.push((volume.source.as_path(), moved.source.as_path()));
        }
    }
    pairs
}

/// The domain XML libvirt gave for the source, rewritten for the destination:
/// the instance's file paths, its serial-console port and its record.
pub(crate) fn rewrite_for_destination(
    xml: &str,
    from: &InstanceRecord,
    to: &InstanceRecord,
) -> String {
    let mut out = xml.to_owned();
    for (old, new) in file_pairs(from, to) {
        if old != new && !old.as_os_str().is_empty() {
            out = out.replace(
                &format!("'{}'", escape(&old.to_string_lossy())),
                &format!("'{}'", escape(&new.to_string_lossy())),
            );
        }
    }
    if let (Some(old), Some(new)) = (from.serial_port, to.serial_port) {
        out = out.replace(&format!("service='{old}'"), &format!("service='{new}'"));
    }
    to.replace_in_domain_xml(&out).unwrap_or(out)
}

/// Hard-links each existing file to its destination name (skipping a file
/// already there under that name); the links made.
pub(crate) fn hand_over(pairs: &[(&Path, &Path)]) -> DriverResult<Vec<PathBuf>> {
    let mut linked = Vec::new();
    for &(old, new) in pairs {
        if old == new || !old.is_file() {
            continue;
        }
        if let Err(e) = std::fs::hard_link(old, new) {
            undo_hand_over(&linked);
            return Err(backend_msg(
                DriverMethod::LiveMigration,
                format!(
                    "cannot hand {} over to the destination as {} (the hosts must share \
                     instance storage): {e}",
                    old.display(),
                    new.display()
                ),
            ));
        }
        linked.push(new.to_path_buf());
    }
    Ok(linked)
}

/// Removes the links [`hand_over`] made.
pub(crate) fn undo_hand_over(linked: &[PathBuf]) {
    for path in linked {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::InstanceFiles;
    use driver_api::Flavor;

    fn record(dir: &str, port: u16) -> InstanceRecord {
        let uuid = Uuid::from_u128(9);
        let mut r = InstanceRecord::new(
            uuid,
            "vm".to_owned(),
            "node".to_owned(),
            Flavor::m1_tiny(),
            "image".to_owned(),
            InstanceFiles {
                root_disk: PathBuf::from(format!("{dir}/{uuid}-root.qcow2")),
                rescue_disk: PathBuf::from(format!("{dir}/{uuid}-rescue.qcow2")),
                console_log: PathBuf::from(format!("{dir}/{uuid}-console.log")),
            },
        );
        r.serial_port = Some(port);
        r
    }

    #[test]
    fn rewrites_paths_port_and_record() {
        let from = record("/a", 4000);
        let to = record("/b&c", 5000);
        let xml = format!(
            "<domain><name>x</name><metadata>{}</metadata><devices>\
             <disk><source file='/a/{u}-root.qcow2'/></disk>\
             <serial type='file'><source path='/a/{u}-console.log' append='on'/></serial>\
             <serial type='tcp'><source mode='bind' host='127.0.0.1' service='4000'/></serial>\
             </devices></domain>",
            from.to_domain_metadata(),
            u = from.uuid
        );
        let out = rewrite_for_destination(&xml, &from, &to);
        assert!(!out.contains("'/a/"), "{out}");
        assert!(out.contains(&format!("file='/b&amp;c/{}-root.qcow2'", to.uuid)));
        assert!(out.contains("service='5000'"));
        assert_eq!(InstanceRecord::from_metadata(&out), Some(to));
    }
}

//! Snapshots: libvirt internal snapshots, named after the image id.
//!
//! QEMU takes an internal snapshot of a running guest with `savevm`, which
//! covers every disk: the driver's own disks and volume files are qcow2, so
//! that works; a volume backed by a raw `device_path` makes the snapshot fail
//! (libvirt: "internal snapshot ... unsupported for storage type raw").

use driver_api::{DriverError, DriverMethod, DriverResult, TaskState, TaskStateCallback};
use uuid::Uuid;
use virt::domain::Domain;

use crate::domain_xml::escape;
use crate::hypervisor::{backend, Hypervisor};

impl Hypervisor {
    /// `snapshot`: takes the snapshot, then reports the two task states the
    /// contract asks for (there is no image service to upload to: the
    /// snapshot stays with the domain until it is destroyed).
    pub fn snapshot(
        &self,
        uuid: Uuid,
        image_id: &str,
        update_task_state: TaskStateCallback,
    ) -> DriverResult<()> {
        {
            let _guard = self.lock_instance(uuid);
            let Some((dom, record)) = self.find(uuid)? else {
                return Err(DriverError::InstanceNotRunning {
                    instance: uuid.into(),
                });
            };
            let status = self.status(&dom, &record)?;
            if status.soft_deleted {
                return Err(DriverError::invalid_state_of(
                    uuid,
                    DriverMethod::Snapshot,
                    status,
                ));
            }
            let name: String = image_id
                .chars()
                .map(|c| if c == '/' || c.is_control() { '_' } else { c })
                .collect();
            let name = if name.is_empty() {
                "snapshot".to_owned()
            } else {
                name
            };
            if let Ok(old) = Domain::lookup_snapshot_by_name(&dom, &name, 0) {
                old.delete(0).map_err(backend(DriverMethod::Snapshot))?;
            }
            let xml = format!(
                "<domainsnapshot><name>{}</name><description>image {}</description></domainsnapshot>",
                escape(&name),
                escape(image_id)
            );
            dom.create_snapshot_xml(&xml, 0)
                .map_err(backend(DriverMethod::Snapshot))?;
        }
        update_task_state(TaskState::ImagePendingUpload, TaskState::ImageSnapshot);
        update_task_state(TaskState::ImageUploading, TaskState::ImagePendingUpload);
        Ok(())
    }

    /// `inject_file`: decodes and records the file in the instance record
    /// (no guest filesystem is touched; a config-drive builder would read it
    /// from there).
    pub fn inject_file(&self, uuid: Uuid, b64_path: &str, b64_contents: &str) -> DriverResult<()> {
        use base64::engine::general_purpose::STANDARD;
        use base64::Engine;
        // Arguments first (the trait's order of refusals), then the instance.
        let path = STANDARD
            .decode(b64_path)
            .ok()
            .and_then(|p| String::from_utf8(p).ok())
            .ok_or_else(|| {
                DriverError::invalid_input(DriverMethod::InjectFile, "path is not base64 of UTF-8")
            })?;
        driver_api::validate::file_path("path", &path)
            .map_err(|v| v.into_error(DriverMethod::InjectFile))?;
        let contents = STANDARD.decode(b64_contents).map_err(|_| {
            DriverError::invalid_input(DriverMethod::InjectFile, "contents are not base64")
        })?;
        let _guard = self.lock_instance(uuid);
        let (dom, mut record) = self.get(uuid)?;
        record
            .injected_files
            .insert(path, STANDARD.encode(contents));
        self.write_record(&dom, &record)
    }
}

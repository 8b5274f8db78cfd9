//! Disk files on the host: `qemu-img` create, resize and size.

use std::path::Path;
use std::process::Command;

use driver_api::{DriverError, DriverResult};

use crate::hypervisor::{backend_msg, DRIVER_NAME};

fn run_qemu_img(qemu_img: &Path, operation: &'static str, args: &[&str]) -> DriverResult<String> {
    let output = Command::new(qemu_img)
        .args(args)
        .output()
        .map_err(|e| DriverError::backend(DRIVER_NAME, operation, e))?;
    if !output.status.success() {
        return Err(backend_msg(
            operation,
            format!(
                "qemu-img {}: {}",
                args.first().unwrap_or(&""),
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Creates an empty qcow2 image of `size_mib` at `path`.
pub fn create_qcow2(
    qemu_img: &Path,
    operation: &'static str,
    path: &Path,
    size_mib: u64,
) -> DriverResult<()> {
    let path = path.to_string_lossy();
    let size = format!("{}M", size_mib.max(1));
    run_qemu_img(
        qemu_img,
        operation,
        &["create", "-q", "-f", "qcow2", &path, &size],
    )
    .map(|_| ())
}

/// The virtual size of an image in bytes (read even while QEMU holds it).
pub fn virtual_size(qemu_img: &Path, operation: &'static str, path: &Path) -> DriverResult<u64> {
    let path = path.to_string_lossy();
    let json = run_qemu_img(qemu_img, operation, &["info", "-U", "--output=json", &path])?;
    serde_json::from_str::<serde_json::Value>(&json)
        .ok()
        .and_then(|v| v.get("virtual-size").and_then(serde_json::Value::as_u64))
        .ok_or_else(|| backend_msg(operation, "qemu-img info gave no virtual-size"))
}

/// Grows an image that no guest is using to `bytes`.
pub fn grow(qemu_img: &Path, operation: &'static str, path: &Path, bytes: u64) -> DriverResult<()> {
    let path = path.to_string_lossy();
    let size = bytes.to_string();
    run_qemu_img(qemu_img, operation, &["resize", "-q", &path, &size]).map(|_| ())
}

/// Removes a file the driver made; a missing file is fine.
pub fn remove(path: &Path) {
    if !path.as_os_str().is_empty() {
        let _ = std::fs::remove_file(path);
    }
}

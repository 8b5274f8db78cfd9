//! Disk files on the host: `qemu-img` create, resize and size.

use std::path::Path;
use std::process::Command;

use driver_api::{DriverError, DriverMethod, DriverResult};

use crate::hypervisor::{backend_msg, DRIVER_NAME};

fn run_qemu_img(qemu_img: &Path, method: DriverMethod, args: &[&str]) -> DriverResult<String> {
    let output = Command::new(qemu_img)
        .args(args)
        .output()
        .map_err(|e| DriverError::backend(DRIVER_NAME, method, e))?;
    if !output.status.success() {
        return Err(backend_msg(
            method,
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
    method: DriverMethod,
    path: &Path,
    size_mib: u64,
) -> DriverResult<()> {
    let path = path.to_string_lossy();
    let size = format!("{}M", size_mib.max(1));
    run_qemu_img(
        qemu_img,
        method,
        &["create", "-q", "-f", "qcow2", &path, &size],
    )
    .map(|_| ())
}

/// What `qemu-img info` says about an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageInfo {
    /// Virtual size in bytes.
    pub virtual_size: u64,
    /// Bytes allocated on the host.
    pub actual_size: u64,
    /// `qcow2`, `raw`, ...
    pub format: String,
    /// The backing file, for an overlay.
    pub backing_file: Option<String>,
}

/// Reads an image's sizes and format (even while QEMU holds it).
pub fn image_info(qemu_img: &Path, method: DriverMethod, path: &Path) -> DriverResult<ImageInfo> {
    let path = path.to_string_lossy();
    let json = run_qemu_img(qemu_img, method, &["info", "-U", "--output=json", &path])?;
    let value: serde_json::Value =
        serde_json::from_str(&json).map_err(|e| DriverError::backend(DRIVER_NAME, method, e))?;
    let number = |key: &str| value.get(key).and_then(serde_json::Value::as_u64);
    let text = |key: &str| {
        value
            .get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    Ok(ImageInfo {
        virtual_size: number("virtual-size")
            .ok_or_else(|| backend_msg(method, "qemu-img info gave no virtual-size"))?,
        actual_size: number("actual-size").unwrap_or(0),
        format: text("format").unwrap_or_else(|| "raw".to_owned()),
        backing_file: text("backing-filename"),
    })
}

/// Grows an image that no guest is using to `bytes`.
pub fn grow(qemu_img: &Path, method: DriverMethod, path: &Path, bytes: u64) -> DriverResult<()> {
    let path = path.to_string_lossy();
    let size = bytes.to_string();
    run_qemu_img(qemu_img, method, &["resize", "-q", &path, &size]).map(|_| ())
}

/// Removes a file the driver made; a missing file is fine.
pub fn remove(path: &Path) {
    if !path.as_os_str().is_empty() {
        let _ = std::fs::remove_file(path);
    }
}

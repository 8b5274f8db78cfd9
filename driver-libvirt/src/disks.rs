//! Disk files on the host: `qemu-img` create, resize and size.

use std::path::{Path, PathBuf};
use std::process::Command;

use driver_api::{DriverError, DriverMethod, DriverResult, Flavor};

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

/// Sets an image that no guest is using from `current` to `bytes` bytes,
/// growing or shrinking it (what lies past a new, smaller end is lost).
pub fn set_size(
    qemu_img: &Path,
    method: DriverMethod,
    path: &Path,
    (current, bytes): (u64, u64),
) -> DriverResult<()> {
    if bytes >= current {
        return grow(qemu_img, method, path, bytes);
    }
    let path = path.to_string_lossy();
    let size = bytes.to_string();
    run_qemu_img(
        qemu_img,
        method,
        &["resize", "-q", "--shrink", &path, &size],
    )
    .map(|_| ())
}

/// The size of a root disk of `flavor`: its `root_gb`, at least 1 GiB
/// (`qemu-img` makes no empty image).
pub fn root_bytes(flavor: &Flavor) -> u64 {
    flavor.root_gb.max(1).saturating_mul(1 << 30)
}

/// Where a same-host resize keeps the root disk `root` as it was, for a
/// revert: beside it, under the same name with `.pre-resize` added.
pub fn pre_resize_copy(root: &Path) -> PathBuf {
    let mut name = root.as_os_str().to_owned();
    name.push(".pre-resize");
    PathBuf::from(name)
}

/// Removes a file the driver made; a missing file is fine.
pub fn remove(path: &Path) {
    if !path.as_os_str().is_empty() {
        let _ = std::fs::remove_file(path);
    }
}

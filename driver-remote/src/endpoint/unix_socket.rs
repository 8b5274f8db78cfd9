//! The unix socket's own rules: a server binds one only its owner can reach;
//! a client connects only to one it can trust.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use tokio::net::UnixListener;

use super::{io, EndpointError};

/// Permission bit: writable by others (anyone may connect).
const OTHERS_WRITE: u32 = 0o002;

/// Whether a socket owned by `owner` with permission bits `mode` may be
/// trusted by a process whose effective uid is `me`: owned by that user or
/// root, and not writable by others.
fn trusts(owner: u32, mode: u32, me: u32) -> bool {
    (owner == me || owner == 0) && mode & OTHERS_WRITE == 0
}

/// Refuses the socket at `path` unless this process can trust it (see
/// [`trusts`]). A path that does not exist passes: connecting reports it.
pub(super) fn check_trusted(path: &Path) -> Result<(), EndpointError> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(io(format!("inspecting {}", path.display()))(error)),
    };
    let me = rustix::process::geteuid().as_raw();
    let (owner, mode) = (metadata.uid(), metadata.mode() & 0o7777);
    if trusts(owner, mode, me) {
        Ok(())
    } else {
        Err(EndpointError::UntrustedSocket {
            path: path.to_owned(),
            owner,
            mode,
            me,
        })
    }
}

/// Binds a unix socket at `path` that only its owner can connect to: bound
/// inside a fresh directory of mode 0700 beside `path` (nobody else can reach
/// it there), restricted to 0600, then renamed into place.
pub(super) fn bind_private(path: &Path) -> Result<UnixListener, EndpointError> {
    use std::os::unix::fs::DirBuilderExt;

    if path.symlink_metadata().is_ok() {
        return Err(EndpointError::Exists(path.to_owned()));
    }
    let name = path
        .file_name()
        .ok_or_else(|| EndpointError::Parse(path.display().to_string()))?;
    let mut private_name = std::ffi::OsString::from(".");
    private_name.push(name);
    private_name.push(format!(".{}.binding", std::process::id()));
    let private_dir = path.with_file_name(private_name);
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&private_dir)
        .map_err(io(format!("creating {}", private_dir.display())))?;
    let staging = private_dir.join("socket");
    let placed = UnixListener::bind(&staging)
        .map_err(io(format!("binding {}", path.display())))
        .and_then(|listener| {
            std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(0o600))
                .map_err(io(format!("restricting {}", path.display())))?;
            std::fs::rename(&staging, path).map_err(io(format!("placing {}", path.display())))?;
            Ok(listener)
        });
    let _ = std::fs::remove_file(&staging);
    let _ = std::fs::remove_dir(&private_dir);
    placed
}

#[cfg(test)]
mod tests {
    use super::trusts;

    #[test]
    fn a_socket_is_trusted_from_its_owner_or_root_unless_others_may_write() {
        assert!(trusts(1000, 0o600, 1000));
        assert!(trusts(0, 0o660, 1000), "root's socket, group-writable");
        assert!(trusts(0, 0o755, 0));
        assert!(!trusts(65534, 0o600, 1000), "another user's socket");
        assert!(!trusts(65534, 0o600, 0), "even for root");
        assert!(!trusts(1000, 0o666, 1000), "writable by others");
        assert!(!trusts(0, 0o602, 0));
    }
}

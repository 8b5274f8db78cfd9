//! A client connects to a unix socket only when it is owned by its own user
//! (or root) and not writable by others; otherwise it gets a typed error
//! before any connection is made. Giving a socket to another user needs
//! root: without it, that case reports itself ignored with the reason.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::ExitCode;

use driver_remote::endpoint::{connect, Endpoint, EndpointError};
use libtest_mimic::{Arguments, Completion, Failed, Trial};

/// The uid that owns nothing: `nobody`.
const NOBODY: u32 = 65534;

fn main() -> ExitCode {
    let root = rustix::process::geteuid().is_root();
    let trials = vec![
        Trial::test("a_socket_writable_by_others_is_refused", || {
            refused(|path| {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666))
                    .map_err(|e| format!("chmod: {e}"))?;
                Ok(())
            })
        }),
        Trial::ignorable_test("a_socket_of_another_user_is_refused", move || {
            if !root {
                return Ok(Completion::ignored_with(
                    "giving a socket to another uid needs root",
                ));
            }
            refused(|path| {
                std::os::unix::fs::chown(path, Some(NOBODY), None)
                    .map_err(|e| format!("chown: {e}"))?;
                Ok(())
            })?;
            Ok(Completion::Completed)
        }),
    ];
    libtest_mimic::run(&Arguments::from_args(), trials).exit_code()
}

/// A listening socket altered by `alter` is refused with
/// `UntrustedSocket`, and nothing connected to it.
fn refused(alter: impl FnOnce(&Path) -> Result<(), String>) -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| format!("a directory: {e}"))?;
    let path = dir.path().join("compute.sock");
    let listener = UnixListener::bind(&path).map_err(|e| format!("bind: {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("nonblocking: {e}"))?;
    alter(&path)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("a runtime: {e}"))?;
    let answer = runtime.block_on(connect(&Endpoint::Unix(path.clone()), None));
    match answer {
        Err(EndpointError::UntrustedSocket { path: named, .. }) if named == path => {}
        Err(other) => return Err(format!("refused with another error: {other}").into()),
        Ok(_) => return Err("connected to an untrusted socket".into()),
    }
    match listener.accept() {
        Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => Ok(()),
        Err(error) => Err(format!("accept: {error}").into()),
        Ok(_) => Err("the client connected before refusing".into()),
    }
}

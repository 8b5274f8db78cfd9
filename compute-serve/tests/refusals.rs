//! `compute-serve`'s refusals, through the built binary: each bad command
//! line ends the process with a non-zero status and a message naming the
//! problem, before anything listens, so no socket (nor the private directory
//! it is bound in) is left behind.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long a refusal may take (it is immediate; a server that did not
/// refuse would serve until killed).
const REFUSED_WITHIN: Duration = Duration::from_secs(20);

/// Runs `compute-serve ARGS` and waits for it to end (killed, and the test
/// failed, if it is still running after [`REFUSED_WITHIN`]).
fn run(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_compute-serve"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("compute-serve started");
    let started = Instant::now();
    while child.try_wait().expect("its status").is_none() {
        if started.elapsed() > REFUSED_WITHIN {
            let _ = child.kill();
            let _ = child.wait();
            panic!("compute-serve {args:?} did not refuse within {REFUSED_WITHIN:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("its output")
}

/// `compute-serve ARGS` ended with status `code`, printed nothing on stdout
/// (no `listening on`), and said every one of `words` on stderr.
fn assert_refused(args: &[&str], code: i32, words: &[&str]) {
    let output = run(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(code),
        "compute-serve {args:?} ended {:?}: {stderr}",
        output.status
    );
    assert!(
        output.stdout.is_empty(),
        "compute-serve {args:?} printed {:?}",
        String::from_utf8_lossy(&output.stdout)
    );
    for word in words {
        assert!(
            stderr.contains(word),
            "compute-serve {args:?}: {word:?} not in {stderr:?}"
        );
    }
}

/// Nothing is left in `dir` but what the test put there.
fn assert_left_only(dir: &Path, expected: &[&str]) {
    let mut left: Vec<String> = std::fs::read_dir(dir)
        .expect("the directory")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    left.sort();
    assert_eq!(left, expected, "what {} holds", dir.display());
}

/// A fresh directory and the `unix:` endpoint of a socket in it.
fn socket_dir() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("a directory");
    let listen = format!("unix:{}", dir.path().join("compute.sock").display());
    (dir, listen)
}

#[test]
fn uri_with_the_fake_backend_is_refused_and_leaves_no_socket() {
    let (dir, listen) = socket_dir();
    assert_refused(
        &[
            "--backend",
            "fake",
            "--uri",
            "qemu:///system",
            "--listen",
            &listen,
        ],
        1,
        &["compute-serve:", "--uri", "--backend libvirt"],
    );
    assert_left_only(dir.path(), &[]);
}

#[test]
#[cfg(not(feature = "libvirt"))]
fn libvirt_without_the_feature_is_refused_and_leaves_no_socket() {
    let (dir, listen) = socket_dir();
    assert_refused(
        &["--backend", "libvirt", "--listen", &listen],
        1,
        &["compute-serve:", "--backend libvirt", "feature libvirt"],
    );
    assert_left_only(dir.path(), &[]);
}

#[test]
fn tcp_without_tls_is_refused() {
    assert_refused(
        &["--backend", "fake", "--listen", "tcp:127.0.0.1:0"],
        1,
        &["tcp:127.0.0.1:0", "TLS only"],
    );
}

#[test]
fn a_bad_endpoint_is_refused() {
    for bad in [
        "http://127.0.0.1:7070",
        "tcp:host",
        "unix:",
        "tcp:host:http",
    ] {
        assert_refused(&["--listen", bad], 2, &["--listen", "bad endpoint"]);
    }
}

#[test]
fn a_tls_key_without_its_certificate_is_refused_and_leaves_no_socket() {
    let (dir, listen) = socket_dir();
    let key = dir.path().join("server.key");
    std::fs::write(&key, "not read").expect("a key file");
    let key = key.to_str().expect("a UTF-8 path");
    assert_refused(&["--listen", &listen, "--tls-key", key], 2, &["--tls-cert"]);
    assert_left_only(dir.path(), &["server.key"]);
}

#[test]
fn an_unreadable_certificate_is_refused_and_leaves_no_socket() {
    let (dir, listen) = socket_dir();
    let missing = dir.path().join("missing.pem");
    let missing = missing.to_str().expect("a UTF-8 path");
    assert_refused(
        &[
            "--listen",
            "tcp:127.0.0.1:0",
            "--tls-cert",
            missing,
            "--tls-key",
            missing,
        ],
        1,
        &["missing.pem"],
    );
    assert_refused(
        &[
            "--listen",
            &listen,
            "--tls-cert",
            missing,
            "--tls-key",
            missing,
        ],
        1,
        &["missing.pem"],
    );
    assert_left_only(dir.path(), &[]);
}

#[test]
fn an_existing_socket_path_is_refused_and_left_as_it_was() {
    let (dir, listen) = socket_dir();
    std::fs::write(dir.path().join("compute.sock"), "someone's").expect("a file");
    assert_refused(
        &["--backend", "fake", "--listen", &listen],
        1,
        &["compute.sock"],
    );
    assert_left_only(dir.path(), &["compute.sock"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("compute.sock")).expect("the file"),
        "someone's"
    );
}

#[test]
fn bad_fake_options_are_refused() {
    let (dir, listen) = socket_dir();
    assert_refused(&["--listen", &listen, "--nodes", "0"], 2, &["--nodes"]);
    assert_refused(
        &["--listen", &listen, "--without", "teleport"],
        2,
        &["--without", "unknown feature \"teleport\""],
    );
    assert_refused(
        &["--listen", &listen, "--backend", "vmware"],
        2,
        &["--backend"],
    );
    assert_left_only(dir.path(), &[]);
}

#[test]
fn a_certificate_that_is_no_pem_is_refused_before_listening() {
    let (dir, listen) = socket_dir();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "no PEM here").expect("a file");
    let garbage = garbage.to_str().expect("a UTF-8 path");
    for endpoint in ["tcp:127.0.0.1:0", listen.as_str()] {
        assert_refused(
            &[
                "--listen",
                endpoint,
                "--tls-cert",
                garbage,
                "--tls-key",
                garbage,
            ],
            1,
            &["compute-serve:", "TLS"],
        );
    }
    assert_left_only(dir.path(), &["garbage.pem"]);
}

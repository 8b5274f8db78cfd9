//! `compute-serve` as a child process of a test: started with its flags,
//! read until it prints where it listens, killed when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use driver_remote::endpoint::Endpoint;

/// A running `compute-serve`.
pub struct ComputeServe {
    child: Child,
    /// Where it listens (a TCP port 0 resolved to the real one).
    pub endpoint: Endpoint,
}

impl ComputeServe {
    /// Starts `compute-serve ARGS` and waits for its `listening on` line.
    pub fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_compute-serve"))
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("compute-serve started");
        let stdout = child.stdout.take().expect("its stdout");
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let Some(endpoint) = read
            .ok()
            .and_then(|_| line.trim().strip_prefix("listening on "))
            .and_then(|text| text.parse().ok())
        else {
            let _ = child.kill();
            let status = child.wait();
            panic!("compute-serve {args:?} printed {line:?} and ended {status:?}");
        };
        Self { child, endpoint }
    }
}

impl Drop for ComputeServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! What several test files share.
#![allow(dead_code)]

pub mod calls;
/// The test certificate authority, shared with driver-remote's TLS tests.
#[path = "../../../driver-remote/tests/common/certs.rs"]
pub mod certs;
pub mod served;
pub mod verdicts;

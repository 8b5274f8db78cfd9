//! The conformance runner (in progress).
#![forbid(unsafe_code)]
fn main() {}

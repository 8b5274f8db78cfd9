//! The conformance suite (in progress).
#![forbid(unsafe_code)]

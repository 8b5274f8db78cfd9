//! The VirtAPI contract (in progress).
#![forbid(unsafe_code)]

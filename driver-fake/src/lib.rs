//! The in-memory fake (in progress).
#![forbid(unsafe_code)]

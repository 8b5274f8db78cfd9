//! The libvirt backend (in progress).
#![forbid(unsafe_code)]

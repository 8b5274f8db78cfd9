//! The libvirt calls the `virt` crate does not wrap, each a small safe
//! function over `virt-sys`. The only module of the crate with `unsafe`.
#![allow(unsafe_code)]

use virt::domain::Domain;
use virt::error::Error as VirtError;

/// `virDomainInjectNMI`: sends a non-maskable interrupt to the guest (what
/// Nova's libvirt driver does for `trigger_crash_dump`; a Linux guest set up
/// for kdump panics and dumps).
pub fn inject_nmi(dom: &Domain) -> Result<(), VirtError> {
    // SAFETY: `dom` holds a counted reference to a live virDomain for the whole
    // call, and libvirt does not keep the pointer; 0 is the only defined flag.
    let rc = unsafe { virt::sys::virDomainInjectNMI(dom.as_ptr(), 0) };
    if rc < 0 {
        Err(VirtError::last_error())
    } else {
        Ok(())
    }
}

//! The libvirt calls the `virt` crate does not wrap, each a small safe
//! function over `virt-sys`. The only module of the crate with `unsafe`.
#![allow(unsafe_code)]

use std::ffi::{c_int, c_void, CStr};
use std::sync::Arc;

use virt::connect::Connect;
use virt::domain::Domain;
use virt::error::Error as VirtError;
use virt::sys;

/// `virDomainInjectNMI`: sends a non-maskable interrupt to the guest (what
/// Nova's libvirt driver does for `trigger_crash_dump`; a Linux guest set up
/// for kdump panics and dumps).
pub fn inject_nmi(dom: &Domain) -> Result<(), VirtError> {
    // SAFETY: `dom` holds a counted reference to a live virDomain for the whole
    // call, and libvirt does not keep the pointer; 0 is the only defined flag.
    let rc = unsafe { sys::virDomainInjectNMI(dom.as_ptr(), 0) };
    if rc < 0 {
        Err(VirtError::last_error())
    } else {
        Ok(())
    }
}

/// `virDomainAbortJob`: cancels the domain's current job (a live migration
/// from this host: `virDomainMigrate3` then fails and the guest runs on
/// here).
pub fn abort_job(dom: &Domain) -> Result<(), VirtError> {
    // SAFETY: `dom` holds a counted reference to a live virDomain for the whole
    // call, and libvirt does not keep the pointer; libvirt allows this call
    // while another thread waits in the job it aborts.
    let rc = unsafe { sys::virDomainAbortJob(dom.as_ptr()) };
    if rc < 0 {
        Err(VirtError::last_error())
    } else {
        Ok(())
    }
}

/// What a lifecycle subscription calls with the name of the domain whose
/// state changed (on libvirt's event-loop thread: it must not block).
pub type DomainSink = Box<dyn Fn(&str) + Send + Sync>;

/// A registered domain-lifecycle callback on one connection; deregistered
/// when dropped (libvirt then frees the sink).
pub struct LifecycleSubscription {
    conn: Arc<Connect>,
    id: c_int,
}

impl std::fmt::Debug for LifecycleSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LifecycleSubscription")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Drop for LifecycleSubscription {
    fn drop(&mut self) {
        // SAFETY: `conn` holds a counted reference to the connection the
        // callback was registered on, alive for the whole call; `id` is the
        // identifier libvirt returned for it and is deregistered only here.
        // A dead connection answers an error, which changes nothing.
        unsafe {
            sys::virConnectDomainEventDeregisterAny(self.conn.as_ptr(), self.id);
        }
    }
}

/// `virConnectDomainEventRegisterAny` for `VIR_DOMAIN_EVENT_ID_LIFECYCLE` on
/// every domain of `conn`: `sink` gets the domain's name for each event.
/// Events are delivered only while libvirt's event loop runs (see
/// [`crate::events::ensure_event_loop`]).
pub fn subscribe_lifecycle(
    conn: Arc<Connect>,
    sink: DomainSink,
) -> Result<LifecycleSubscription, VirtError> {
    type Lifecycle = unsafe extern "C" fn(
        sys::virConnectPtr,
        sys::virDomainPtr,
        c_int,
        c_int,
        *mut c_void,
    ) -> c_int;
    type Generic = unsafe extern "C" fn(sys::virConnectPtr, sys::virDomainPtr, *mut c_void);
    let opaque = Box::into_raw(Box::new(sink)).cast::<c_void>();
    // SAFETY: libvirt's VIR_DOMAIN_EVENT_CALLBACK cast: a lifecycle callback is
    // registered under the generic type and called back with the lifecycle
    // signature (the event id says which); both are plain C function pointers.
    let callback =
        unsafe { std::mem::transmute::<Lifecycle, Generic>(lifecycle_trampoline as Lifecycle) };
    // SAFETY: `conn` is a live connection for the whole call; a null domain
    // means every domain; `opaque` is a leaked `Box<DomainSink>` that libvirt
    // hands back to `lifecycle_trampoline` and frees through `free_sink` once.
    let id = unsafe {
        sys::virConnectDomainEventRegisterAny(
            conn.as_ptr(),
            std::ptr::null_mut(),
            sys::VIR_DOMAIN_EVENT_ID_LIFECYCLE as c_int,
            Some(callback),
            opaque,
            Some(free_sink),
        )
    };
    if id < 0 {
        // libvirt did not take the sink; it stays leaked rather than risk a
        // double free should a libvirt version free it on failure (a few bytes,
        // once per failed subscription).
        return Err(VirtError::last_error());
    }
    Ok(LifecycleSubscription { conn, id })
}

/// Called by libvirt's event loop for each lifecycle event.
unsafe extern "C" fn lifecycle_trampoline(
    _conn: sys::virConnectPtr,
    dom: sys::virDomainPtr,
    _event: c_int,
    _detail: c_int,
    opaque: *mut c_void,
) -> c_int {
    if dom.is_null() || opaque.is_null() {
        return 0;
    }
    // SAFETY: libvirt passes a domain valid for the duration of the callback;
    // the name it returns belongs to the domain and is NUL-terminated.
    let name = unsafe {
        let name = sys::virDomainGetName(dom);
        if name.is_null() {
            return 0;
        }
        CStr::from_ptr(name).to_string_lossy().into_owned()
    };
    // SAFETY: `opaque` is the `Box<DomainSink>` registered in
    // `subscribe_lifecycle`, freed only by `free_sink` after the last callback.
    let sink = unsafe { &*opaque.cast::<DomainSink>() };
    // A panic must not unwind into C.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sink(&name)));
    0
}

/// Frees the sink when libvirt drops the registration.
unsafe extern "C" fn free_sink(opaque: *mut c_void) {
    if !opaque.is_null() {
        // SAFETY: `opaque` came from `Box::into_raw` in `subscribe_lifecycle`,
        // and libvirt calls this exactly once.
        drop(unsafe { Box::from_raw(opaque.cast::<DomainSink>()) });
    }
}

//! Every scenario of Nova's `test_virt_drivers.py::_VirtDriverTestCase` (and the
//! Grizzly-only ones), asserting the contract's results rather than "no error".

mod guests;
mod host;
mod lifecycle;

pub(crate) use guests::*;
pub(crate) use host::*;
pub(crate) use lifecycle::*;

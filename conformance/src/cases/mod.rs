//! The cases, one module per area. The catalogue (`catalogue.rs`) names them.

pub(crate) mod bad_input;
pub(crate) mod cancellation;
pub(crate) mod capability;
pub(crate) mod consoles;
pub(crate) mod events;
pub(crate) mod guest;
pub(crate) mod host;
pub(crate) mod idempotence;
pub(crate) mod identity;
pub(crate) mod interfaces;
pub(crate) mod matrix;
pub(crate) mod migration;
pub(crate) mod model;
pub(crate) mod nova;
pub(crate) mod protocol;
pub(crate) mod read_only;
pub(crate) mod read_only_sweep;
pub(crate) mod resources;
pub(crate) mod secrets;
pub(crate) mod transition;
pub(crate) mod volumes;

//! The typed model: one family of types per module, all `serde`.

pub mod agent;
pub mod aggregate;
pub mod event;
pub mod firewall;
pub mod instance_update;

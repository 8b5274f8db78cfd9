//! The typed model: one family of types per module, all `serde`.

pub mod block_device;
pub mod console;
pub mod context;
pub mod host;
pub mod instance;
pub mod migration;
pub mod network;
pub mod resources;
pub mod stats;

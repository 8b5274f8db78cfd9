//! # virtapi: what a compute driver may ask of the compute service
//!
//! A virt driver ([`driver_api::ComputeDriver`]) sometimes needs the compute
//! service: to read or update an instance record, look at host aggregates or
//! security groups, find a flavor, wait for Neutron's "VIF plugged" event, or
//! mark its resource provider disabled. [`VirtAPI`] is that callback contract
//! (Nova's `nova.virt.virtapi.VirtAPI`): one object-safe async trait with
//! Grizzly's eleven database proxies and the two modern methods, each with its
//! contract written on the method.
//!
//! Around the trait:
//!
//! - a typed model ([`model`]): [`InstanceUpdate`], [`Aggregate`],
//!   [`SecurityGroup`], [`SecurityGroupRule`], [`ProviderFirewallRule`],
//!   [`AgentBuild`], [`InstanceEvent`] and its names, all `serde`;
//! - [`VirtApiError`], one `#[non_exhaustive]` enum with a `Copy`
//!   [`VirtApiErrorKind`], convertible into [`driver_api::DriverError`].
//!
//! Implementations: `driver-fake`'s `FakeVirtAPI` (in memory, real behaviour);
//! with feature `mock`, `MockVirtAPI` (mockall) for downstream tests:
//!
//! ```
//! # #[cfg(feature = "mock")] {
//! // Cargo.toml: virtapi = { version = "0.1", features = ["mock"] } (dev-dependencies)
//! use std::sync::Arc;
//! use driver_api::{Flavor, RequestContext};
//! use virtapi::{MockVirtAPI, VirtAPI};
//!
//! let mut mock = MockVirtAPI::new();
//! mock.expect_instance_type_get()
//!     .returning(|_, _| Ok(Flavor::m1_tiny()));
//! let api: Arc<dyn VirtAPI> = Arc::new(mock);
//!
//! let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! let flavor = runtime.block_on(api.instance_type_get(&RequestContext::admin(), 1)).unwrap();
//! assert_eq!(flavor.name, "m1.tiny");
//! # }
//! ```
#![forbid(unsafe_code)]

mod error;
pub mod layer;
pub mod model;
mod virt_api;

pub use error::{VirtApiError, VirtApiErrorKind, VirtApiResult};
pub use model::agent::AgentBuild;
pub use model::aggregate::{Aggregate, AVAILABILITY_ZONE_KEY};
pub use model::event::{EventName, EventStatus, InstanceEvent, InstanceEventName};
pub use model::firewall::{
    Cidr, CidrParseError, IpProtocol, ProviderFirewallRule, RuleSource, SecurityGroup,
    SecurityGroupRule,
};
pub use model::instance_update::InstanceUpdate;
#[cfg(any(test, feature = "mock"))]
pub use virt_api::MockVirtAPI;
pub use virt_api::VirtAPI;

#[cfg(test)]
mod tests;

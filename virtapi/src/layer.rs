//! Layers: a `VirtAPI` that wraps another and changes only some of its
//! methods, as [`driver_api::layer`] does for drivers: a wrapper implements
//! [`VirtApiLayer`], names its inner `VirtAPI` and overrides what it changes;
//! every other method forwards, and every layer is a [`VirtAPI`] (one blanket
//! impl, which a lint keeps complete). `Arc<T>` and `Box<T>` are layers that
//! change nothing. Not re-exported at the crate root: its methods share the
//! trait's names.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use driver_api::{Flavor, Instance, RequestContext};
use uuid::Uuid;

use crate::error::VirtApiResult;
use crate::model::agent::AgentBuild;
use crate::model::aggregate::Aggregate;
use crate::model::event::{InstanceEvent, InstanceEventName};
use crate::model::firewall::{ProviderFirewallRule, SecurityGroup, SecurityGroupRule};
use crate::model::instance_update::InstanceUpdate;
use crate::virt_api::VirtAPI;

/// Writes [`VirtApiLayer`] (each method forwarding by default) and the
/// blanket `VirtAPI` impl for every layer, from one list of the methods.
macro_rules! layer {
    ($( fn $a:ident(&self $(, $aa:ident: $at:ty)*) -> $ar:ty; )*) => {
        /// A `VirtAPI` wrapping [`Inner`](VirtApiLayer::Inner): every method
        /// forwards to [`inner`](VirtApiLayer::inner) unless the layer
        /// overrides it. Every `VirtApiLayer` is a [`VirtAPI`].
        #[async_trait]
        pub trait VirtApiLayer: Send + Sync + std::fmt::Debug + 'static {
            /// The wrapped `VirtAPI`'s type.
            type Inner: VirtAPI + ?Sized;

            /// The wrapped `VirtAPI`.
            fn inner(&self) -> &Self::Inner;

            $(
                #[doc = concat!("Forwards [`VirtAPI::", stringify!($a), "`] to the inner `VirtAPI`.")]
                async fn $a(&self $(, $aa: $at)*) -> $ar {
                    self.inner().$a($($aa),*).await
                }
            )*
        }

        #[async_trait]
        #[deny(clippy::missing_trait_methods)]
        impl<L: VirtApiLayer> VirtAPI for L {
            $(
                async fn $a(&self $(, $aa: $at)*) -> $ar {
                    VirtApiLayer::$a(self $(, $aa)*).await
                }
            )*
        }
    };
}

// Every method of `VirtAPI`, in the trait's order.
layer! {
    fn instance_update(&self, ctx: &RequestContext, instance_uuid: Uuid, updates: InstanceUpdate) -> VirtApiResult<(Instance, Instance)>;
    fn instance_get_by_uuid(&self, ctx: &RequestContext, instance_uuid: Uuid) -> VirtApiResult<Instance>;
    fn instance_get_all_by_host(&self, ctx: &RequestContext, host: &str) -> VirtApiResult<Vec<Instance>>;
    fn aggregate_get_by_host(&self, ctx: &RequestContext, host: &str, key: Option<String>) -> VirtApiResult<Vec<Aggregate>>;
    fn aggregate_metadata_add(&self, ctx: &RequestContext, aggregate_id: i64, metadata: BTreeMap<String, String>, set_delete: bool) -> VirtApiResult<Aggregate>;
    fn aggregate_metadata_delete(&self, ctx: &RequestContext, aggregate_id: i64, key: &str) -> VirtApiResult<()>;
    fn security_group_get_by_instance(&self, ctx: &RequestContext, instance_uuid: Uuid) -> VirtApiResult<Vec<SecurityGroup>>;
    fn security_group_rule_get_by_security_group(&self, ctx: &RequestContext, security_group_id: i64) -> VirtApiResult<Vec<SecurityGroupRule>>;
    fn provider_fw_rule_get_all(&self, ctx: &RequestContext) -> VirtApiResult<Vec<ProviderFirewallRule>>;
    fn agent_build_get_by_triple(&self, ctx: &RequestContext, hypervisor: &str, os: &str, architecture: &str) -> VirtApiResult<Option<AgentBuild>>;
    fn instance_type_get(&self, ctx: &RequestContext, instance_type_id: i64) -> VirtApiResult<Flavor>;
    fn wait_for_instance_event(&self, instance_uuid: Uuid, event_names: Vec<InstanceEventName>, timeout: Duration) -> VirtApiResult<Vec<InstanceEvent>>;
    fn update_compute_provider_status(&self, ctx: &RequestContext, rp_uuid: Uuid, enabled: bool) -> VirtApiResult<()>;
}

impl<T: VirtAPI + ?Sized> VirtApiLayer for Arc<T> {
    type Inner = T;

    fn inner(&self) -> &T {
        self
    }
}

impl<T: VirtAPI + ?Sized> VirtApiLayer for Box<T> {
    type Inner = T;

    fn inner(&self) -> &T {
        self
    }
}

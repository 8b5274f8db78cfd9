//! Forwarding impls: `Arc<T>` and `Box<T>` are VirtAPIs when `T` is.

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

macro_rules! forward {
    ($wrapper:ident) => {
        #[async_trait]
        impl<T: VirtAPI + ?Sized> VirtAPI for $wrapper<T> {
            async fn instance_update(
                &self,
                ctx: &RequestContext,
                instance_uuid: Uuid,
                updates: InstanceUpdate,
            ) -> VirtApiResult<(Instance, Instance)> {
                (**self).instance_update(ctx, instance_uuid, updates).await
            }

            async fn instance_get_by_uuid(
                &self,
                ctx: &RequestContext,
                instance_uuid: Uuid,
            ) -> VirtApiResult<Instance> {
                (**self).instance_get_by_uuid(ctx, instance_uuid).await
            }

            async fn instance_get_all_by_host(
                &self,
                ctx: &RequestContext,
                host: &str,
            ) -> VirtApiResult<Vec<Instance>> {
                (**self).instance_get_all_by_host(ctx, host).await
            }

            async fn aggregate_get_by_host(
                &self,
                ctx: &RequestContext,
                host: &str,
                key: Option<String>,
            ) -> VirtApiResult<Vec<Aggregate>> {
                (**self).aggregate_get_by_host(ctx, host, key).await
            }

            async fn aggregate_metadata_add(
                &self,
                ctx: &RequestContext,
                aggregate_id: i64,
                metadata: BTreeMap<String, String>,
                set_delete: bool,
            ) -> VirtApiResult<Aggregate> {
                (**self)
                    .aggregate_metadata_add(ctx, aggregate_id, metadata, set_delete)
                    .await
            }

            async fn aggregate_metadata_delete(
                &self,
                ctx: &RequestContext,
                aggregate_id: i64,
                key: &str,
            ) -> VirtApiResult<()> {
                (**self)
                    .aggregate_metadata_delete(ctx, aggregate_id, key)
                    .await
            }

            async fn security_group_get_by_instance(
                &self,
                ctx: &RequestContext,
                instance_uuid: Uuid,
            ) -> VirtApiResult<Vec<SecurityGroup>> {
                (**self)
                    .security_group_get_by_instance(ctx, instance_uuid)
                    .await
            }

            async fn security_group_rule_get_by_security_group(
                &self,
                ctx: &RequestContext,
                security_group_id: i64,
            ) -> VirtApiResult<Vec<SecurityGroupRule>> {
                (**self)
                    .security_group_rule_get_by_security_group(ctx, security_group_id)
                    .await
            }

            async fn provider_fw_rule_get_all(
                &self,
                ctx: &RequestContext,
            ) -> VirtApiResult<Vec<ProviderFirewallRule>> {
                (**self).provider_fw_rule_get_all(ctx).await
            }

            async fn agent_build_get_by_triple(
                &self,
                ctx: &RequestContext,
                hypervisor: &str,
                os: &str,
                architecture: &str,
            ) -> VirtApiResult<Option<AgentBuild>> {
                (**self)
                    .agent_build_get_by_triple(ctx, hypervisor, os, architecture)
                    .await
            }

            async fn instance_type_get(
                &self,
                ctx: &RequestContext,
                instance_type_id: i64,
            ) -> VirtApiResult<Flavor> {
                (**self).instance_type_get(ctx, instance_type_id).await
            }

            async fn wait_for_instance_event(
                &self,
                instance_uuid: Uuid,
                event_names: Vec<InstanceEventName>,
                timeout: Duration,
            ) -> VirtApiResult<Vec<InstanceEvent>> {
                (**self)
                    .wait_for_instance_event(instance_uuid, event_names, timeout)
                    .await
            }

            async fn update_compute_provider_status(
                &self,
                ctx: &RequestContext,
                rp_uuid: Uuid,
                enabled: bool,
            ) -> VirtApiResult<()> {
                (**self)
                    .update_compute_provider_status(ctx, rp_uuid, enabled)
                    .await
            }
        }
    };
}

forward!(Arc);
forward!(Box);

//! The `VirtAPI` trait: what a driver may ask of the compute service.

use std::collections::BTreeMap;
use std::fmt;
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

/// The callbacks a compute service offers its virt driver (Nova's
/// `nova.virt.virtapi.VirtAPI`), so that the driver never touches the database
/// or the placement service itself.
///
/// # Contract
///
/// - **Grizzly's eleven database proxies** (`instance_*`, `aggregate_*`,
///   `security_group_*`, `provider_fw_rule_get_all`, `agent_build_get_by_triple`,
///   `instance_type_get`) read and write the compute service's records. A read
///   returns owned snapshots: changing them changes nothing until written back
///   through a write method. Lists come in ascending id (or UUID) order so
///   results are reproducible.
/// - **The modern two**: [`wait_for_instance_event`](Self::wait_for_instance_event)
///   and [`update_compute_provider_status`](Self::update_compute_provider_status).
/// - **No partial writes.** A method that fails changes nothing.
/// - **Errors** are typed [`VirtApiError`](crate::VirtApiError)s; an
///   implementation that cannot offer a method (a modern service has no
///   aggregate proxies) answers
///   [`VirtApiError::NotSupported`](crate::VirtApiError::NotSupported).
/// - The [`RequestContext`] says on whose behalf the driver asks; it carries no
///   credentials.
///
/// Every method is required: there are no default bodies, so an implementation
/// says what it does for each, even if that is `NotSupported`.
///
/// # Object safety and mocking
///
/// The trait is object-safe and implemented for `Arc<T>` and `Box<T>`; drivers
/// hold an `Arc<dyn VirtAPI>`. With feature `mock`, `MockVirtAPI` (mockall)
/// stands in for any implementation; `driver-fake`'s `FakeVirtAPI` is the
/// in-memory one with real behaviour.
///
/// ```
/// use std::sync::Arc;
/// use driver_api::RequestContext;
/// use virtapi::{VirtAPI, VirtApiResult};
///
/// // A driver-side helper written once against the trait.
/// async fn ssd_hosts(api: &dyn VirtAPI, host: &str) -> VirtApiResult<bool> {
///     let ctx = RequestContext::admin();
///     let aggregates = api.aggregate_get_by_host(&ctx, host, Some("ssd".into())).await?;
///     Ok(aggregates.iter().any(|a| a.metadata.get("ssd").map(String::as_str) == Some("true")))
/// }
///
/// fn hold(_api: Arc<dyn VirtAPI>) {}
/// ```
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait VirtAPI: Send + Sync + fmt::Debug + 'static {
    // ----- instances ------------------------------------------------------------------

    /// Applies `updates` to the instance and returns it `(before, after)`.
    ///
    /// The update is atomic: with a task-state guard
    /// ([`InstanceUpdate::expected_task_state`]) the check and the write happen
    /// as one step, so two callers racing on the same guard cannot both win. An
    /// empty update returns two equal snapshots and changes nothing.
    ///
    /// Errors: [`InstanceNotFound`](crate::VirtApiError::InstanceNotFound);
    /// [`UnexpectedTaskState`](crate::VirtApiError::UnexpectedTaskState) when the
    /// guard does not hold (nothing changed).
    async fn instance_update(
        &self,
        ctx: &RequestContext,
        instance_uuid: Uuid,
        updates: InstanceUpdate,
    ) -> VirtApiResult<(Instance, Instance)>;

    /// The instance with this UUID.
    ///
    /// Errors: [`InstanceNotFound`](crate::VirtApiError::InstanceNotFound).
    async fn instance_get_by_uuid(
        &self,
        ctx: &RequestContext,
        instance_uuid: Uuid,
    ) -> VirtApiResult<Instance>;

    /// Every instance whose `host` is `host`, in UUID order; empty when none
    /// (an unknown host is not an error).
    async fn instance_get_all_by_host(
        &self,
        ctx: &RequestContext,
        host: &str,
    ) -> VirtApiResult<Vec<Instance>>;

    // ----- aggregates -----------------------------------------------------------------

    /// The aggregates `host` belongs to, in id order; with `key`, only those
    /// whose metadata holds that key. Empty when none.
    async fn aggregate_get_by_host(
        &self,
        ctx: &RequestContext,
        host: &str,
        key: Option<String>,
    ) -> VirtApiResult<Vec<Aggregate>>;

    /// Sets every entry of `metadata` on the aggregate (overwriting existing
    /// values) and returns the aggregate afterwards.
    ///
    /// With `set_delete`, keys not in `metadata` are removed too: the metadata
    /// becomes exactly `metadata` (so an empty map clears it). Without it, other
    /// keys are kept. Idempotent. The rule is
    /// [`Aggregate::merge_metadata`].
    ///
    /// Errors: [`AggregateNotFound`](crate::VirtApiError::AggregateNotFound).
    async fn aggregate_metadata_add(
        &self,
        ctx: &RequestContext,
        aggregate_id: i64,
        metadata: BTreeMap<String, String>,
        set_delete: bool,
    ) -> VirtApiResult<Aggregate>;

    /// Removes one metadata key from the aggregate.
    ///
    /// Errors: [`AggregateNotFound`](crate::VirtApiError::AggregateNotFound);
    /// [`AggregateMetadataNotFound`](crate::VirtApiError::AggregateMetadataNotFound)
    /// when the key is absent (as Nova's database layer answers), so a second
    /// delete of the same key fails.
    async fn aggregate_metadata_delete(
        &self,
        ctx: &RequestContext,
        aggregate_id: i64,
        key: &str,
    ) -> VirtApiResult<()>;

    // ----- firewall -------------------------------------------------------------------

    /// The security groups the instance is a member of, in id order (empty when
    /// it is in none).
    ///
    /// Errors: [`InstanceNotFound`](crate::VirtApiError::InstanceNotFound) for an
    /// unknown instance (stricter than Nova's database query, which returned an
    /// empty list).
    async fn security_group_get_by_instance(
        &self,
        ctx: &RequestContext,
        instance_uuid: Uuid,
    ) -> VirtApiResult<Vec<SecurityGroup>>;

    /// The rules of one security group, in id order; every rule's
    /// `parent_group_id` is `security_group_id`.
    ///
    /// Errors: [`SecurityGroupNotFound`](crate::VirtApiError::SecurityGroupNotFound).
    async fn security_group_rule_get_by_security_group(
        &self,
        ctx: &RequestContext,
        security_group_id: i64,
    ) -> VirtApiResult<Vec<SecurityGroupRule>>;

    /// Every provider firewall rule, in id order.
    async fn provider_fw_rule_get_all(
        &self,
        ctx: &RequestContext,
    ) -> VirtApiResult<Vec<ProviderFirewallRule>>;

    // ----- agents and flavors ---------------------------------------------------------

    /// The guest-agent build for this (hypervisor, os, architecture) triple, or
    /// `None` when there is none (not an error, as in Nova). Matching is exact
    /// and case-sensitive.
    async fn agent_build_get_by_triple(
        &self,
        ctx: &RequestContext,
        hypervisor: &str,
        os: &str,
        architecture: &str,
    ) -> VirtApiResult<Option<AgentBuild>>;

    /// The flavor (instance type) with this database id ([`Flavor::id`]).
    ///
    /// Errors: [`FlavorNotFound`](crate::VirtApiError::FlavorNotFound).
    async fn instance_type_get(
        &self,
        ctx: &RequestContext,
        instance_type_id: i64,
    ) -> VirtApiResult<Flavor>;

    // ----- modern additions -----------------------------------------------------------

    /// Waits until every event in `event_names` has arrived for the instance
    /// with status [`Completed`](crate::EventStatus::Completed), and returns
    /// those events in the order of `event_names` (a name listed twice counts
    /// once). An empty list returns at once.
    ///
    /// - **When the wait starts.** The wait is registered when the returned
    ///   future is first polled, and sees the events delivered from then on.
    ///   Events nobody waits for are dropped (as Nova drops "unexpected"
    ///   events), so start waiting *before* triggering the action that causes
    ///   them, e.g. `tokio::join!(api.wait_for_instance_event(..), plug_vifs())`,
    ///   which polls the wait first.
    /// - **Other events** (other names, other instances) are ignored.
    /// - **Failure.** An awaited event that arrives with any other status ends
    ///   the wait at once with
    ///   [`EventFailed`](crate::VirtApiError::EventFailed) (Nova's default
    ///   `error_callback`).
    /// - **Timeout.** When `timeout` elapses first:
    ///   [`Timeout`](crate::VirtApiError::Timeout) listing the events still
    ///   missing, in the order asked for.
    /// - **Cancellation.** Dropping the future abandons the wait and leaves
    ///   nothing behind (this is Nova's `exit_wait_early`).
    ///
    /// The instance need not be known to the implementation's instance records:
    /// events are keyed by UUID only. (Nova's `wait_for_instance_event` is a
    /// context manager around the action; an `async fn` plus `join!` is the
    /// Rust shape of it.)
    async fn wait_for_instance_event(
        &self,
        instance_uuid: Uuid,
        event_names: Vec<InstanceEventName>,
        timeout: Duration,
    ) -> VirtApiResult<Vec<InstanceEvent>>;

    /// Records whether the compute node's resource provider accepts new
    /// instances: `enabled == false` adds the `COMPUTE_STATUS_DISABLED` trait in
    /// placement, `true` removes it. Idempotent.
    ///
    /// Errors: [`Backend`](crate::VirtApiError::Backend) when placement cannot
    /// be updated.
    async fn update_compute_provider_status(
        &self,
        ctx: &RequestContext,
        rp_uuid: Uuid,
        enabled: bool,
    ) -> VirtApiResult<()>;
}

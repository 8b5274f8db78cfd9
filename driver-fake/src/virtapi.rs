//! `FakeVirtAPI`: every [`VirtAPI`] method over an in-memory store, with real
//! behaviour.
//!
//! Where Nova's fake calls straight into the database (Grizzly) or does nothing
//! (today), this one keeps its own tables: instances, aggregates, security
//! groups and their rules, provider firewall rules, agent builds, flavors
//! (Nova's standard five preloaded) and resource-provider status, plus an event
//! board on which tests deliver the external events that
//! `wait_for_instance_event` waits for.
//!
//! ```
//! use std::time::Duration;
//! use driver_api::{Flavor, Instance, RequestContext, VmState};
//! use driver_fake::FakeVirtAPI;
//! use uuid::Uuid;
//! use virtapi::{InstanceEvent, InstanceEventName, InstanceUpdate, VirtAPI};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let api = FakeVirtAPI::new();
//! let ctx = RequestContext::admin();
//! let uuid = Uuid::new_v4();
//! api.insert_instance(Instance::new(uuid, Flavor::m1_tiny()).with_host("compute-1"));
//!
//! let (before, after) = api
//!     .instance_update(&ctx, uuid, InstanceUpdate::new().with_vm_state(VmState::Active))
//!     .await?;
//! assert_eq!((before.vm_state, after.vm_state), (VmState::Building, VmState::Active));
//!
//! // Wait for a VIF while the "network service" (here: the test) delivers it.
//! let vif = InstanceEventName::network_vif_plugged(Uuid::new_v4());
//! let (events, _) = tokio::join!(
//!     api.wait_for_instance_event(uuid, vec![vif.clone()], Duration::from_secs(300)),
//!     async { api.deliver_instance_event(uuid, InstanceEvent::completed(vif.clone())) },
//! );
//! assert_eq!(events?, vec![InstanceEvent::completed(vif)]);
//! # Ok::<(), virtapi::VirtApiError>(())
//! # }).unwrap();
//! ```

mod event_board;
mod records;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use driver_api::{Flavor, Instance, RequestContext};
use uuid::Uuid;
use virtapi::{
    AgentBuild, Aggregate, InstanceEvent, InstanceEventName, InstanceUpdate, ProviderFirewallRule,
    SecurityGroup, SecurityGroupRule, VirtAPI, VirtApiResult,
};

use self::event_board::EventBoard;
pub use self::event_board::DELIVERY_LOG_LIMIT;
pub use self::records::ProviderStatusUpdate;
use self::records::Records;

/// An in-memory [`VirtAPI`] with real behaviour, for tests and for `FakeDriver`.
///
/// - **Per value.** Each [`FakeVirtAPI::new`] has its own store; clones share
///   it (the store sits behind an `Arc`), so a test keeps a clone to seed and
///   inspect while a driver holds another as `Arc<dyn VirtAPI>`.
/// - **Atomic.** Every method is one step under a lock: `instance_update`'s
///   task-state guard is a true compare-and-swap.
/// - **Seeding** methods (`insert_instance`, `create_aggregate`, ...) set up
///   state; **inspection** methods (`instance`, `aggregate`,
///   `compute_provider_status`, `delivered_instance_events`, ...) read it
///   without going through the trait.
/// - **Events** follow Nova: an event nobody waits for is dropped (but logged
///   in [`delivered_instance_events`](Self::delivered_instance_events)).
///   [`until_waiting_for`](Self::until_waiting_for) lets a test deliver only
///   once the code under test waits; [`auto_complete_events`](Self::auto_complete_events)
///   makes every wait succeed at once, as Nova's own fake does.
#[derive(Clone, Debug)]
pub struct FakeVirtAPI {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    records: Mutex<Records>,
    events: EventBoard,
}

impl Default for FakeVirtAPI {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeVirtAPI {
    /// An empty store with Nova's standard flavors (`m1.tiny` .. `m1.xlarge`,
    /// ids 1 to 5) and no other records.
    pub fn new() -> Self {
        Self {
            shared: Arc::new(Shared {
                records: Mutex::new(Records::new()),
                events: EventBoard::new(),
            }),
        }
    }

    /// Chaining form of [`insert_instance`](Self::insert_instance), for setup.
    pub fn with_instance(self, instance: Instance) -> Self {
        self.insert_instance(instance);
        self
    }

    /// Chaining form of [`create_aggregate`](Self::create_aggregate), for setup
    /// (ids count up from 1 in call order).
    pub fn with_aggregate(self, aggregate: Aggregate) -> Self {
        self.create_aggregate(aggregate);
        self
    }

    /// Chaining form of [`auto_complete_events(true)`](Self::auto_complete_events).
    pub fn with_auto_completed_events(self) -> Self {
        self.auto_complete_events(true);
        self
    }

    fn records(&self) -> MutexGuard<'_, Records> {
        // Nothing panics while holding the lock; recover the data if a caller's did.
        self.shared
            .records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    // ----- instances ------------------------------------------------------------------

    /// Stores `instance` under its UUID, returning the record it replaced.
    pub fn insert_instance(&self, instance: Instance) -> Option<Instance> {
        self.records().insert_instance(instance)
    }

    /// Removes an instance and its security-group memberships, returning it.
    pub fn remove_instance(&self, instance_uuid: Uuid) -> Option<Instance> {
        self.records().remove_instance(instance_uuid)
    }

    /// The stored instance, if any.
    pub fn instance(&self, instance_uuid: Uuid) -> Option<Instance> {
        self.records().instance(instance_uuid).ok().cloned()
    }

    /// Every stored instance, in UUID order.
    pub fn instances(&self) -> Vec<Instance> {
        self.records().instances()
    }

    // ----- aggregates -----------------------------------------------------------------

    /// Stores `aggregate` (hosts and metadata included) under a new id, ignoring
    /// the one it carries, and returns it with that id. Ids count up from 1.
    pub fn create_aggregate(&self, aggregate: Aggregate) -> Aggregate {
        self.records().create_aggregate(aggregate)
    }

    /// Adds `host` to the aggregate (idempotent); returns the aggregate.
    ///
    /// Errors: `AggregateNotFound`.
    pub fn add_aggregate_host(&self, aggregate_id: i64, host: &str) -> VirtApiResult<Aggregate> {
        self.records().set_aggregate_host(aggregate_id, host, true)
    }

    /// Removes `host` from the aggregate (idempotent); returns the aggregate.
    ///
    /// Errors: `AggregateNotFound`.
    pub fn remove_aggregate_host(&self, aggregate_id: i64, host: &str) -> VirtApiResult<Aggregate> {
        self.records().set_aggregate_host(aggregate_id, host, false)
    }

    /// The stored aggregate, if any.
    pub fn aggregate(&self, aggregate_id: i64) -> Option<Aggregate> {
        self.records().aggregate(aggregate_id)
    }

    // ----- security groups and firewall -----------------------------------------------

    /// Stores `group` under a new id (ignoring the one it carries) and returns it.
    pub fn create_security_group(&self, group: SecurityGroup) -> SecurityGroup {
        self.records().create_security_group(group)
    }

    /// Adds `rule` to the group, assigning its id and `parent_group_id`.
    ///
    /// Errors: `SecurityGroupNotFound`.
    pub fn add_security_group_rule(
        &self,
        security_group_id: i64,
        rule: SecurityGroupRule,
    ) -> VirtApiResult<SecurityGroupRule> {
        self.records()
            .add_security_group_rule(security_group_id, rule)
    }

    /// Makes the instance a member of the group (idempotent).
    ///
    /// Errors: `InstanceNotFound`, `SecurityGroupNotFound`.
    pub fn add_instance_to_security_group(
        &self,
        instance_uuid: Uuid,
        security_group_id: i64,
    ) -> VirtApiResult<()> {
        self.records()
            .join_security_group(instance_uuid, security_group_id)
    }

    /// Stores a provider firewall rule under a new id and returns it.
    pub fn add_provider_fw_rule(&self, rule: ProviderFirewallRule) -> ProviderFirewallRule {
        self.records().add_provider_fw_rule(rule)
    }

    // ----- agents, flavors, providers -------------------------------------------------

    /// Stores an agent build; a build for the same triple is replaced and keeps
    /// its id, otherwise a new id is assigned. Returns the stored build.
    pub fn add_agent_build(&self, build: AgentBuild) -> AgentBuild {
        self.records().add_agent_build(build)
    }

    /// Stores a flavor under its [`Flavor::id`], returning the one it replaced.
    pub fn insert_instance_type(&self, flavor: Flavor) -> Option<Flavor> {
        self.records().insert_flavor(flavor)
    }

    /// The provider's status as last set by `update_compute_provider_status`
    /// (`Some(false)`: disabled), or `None` if it was never set.
    pub fn compute_provider_status(&self, rp_uuid: Uuid) -> Option<bool> {
        self.records().provider_status(rp_uuid)
    }

    /// Every `update_compute_provider_status` call, in order (repeats included).
    pub fn compute_provider_status_updates(&self) -> Vec<ProviderStatusUpdate> {
        self.records().provider_status_updates()
    }

    // ----- instance events ------------------------------------------------------------

    /// Delivers an external event for an instance, as Neutron or Cinder would,
    /// and returns how many waits took it (0: nobody waited for it and it is
    /// dropped, as Nova drops unexpected events).
    ///
    /// A completed event satisfies its name in every wait for it; any other
    /// status ends those waits with `EventFailed`. Every delivery is logged.
    pub fn deliver_instance_event(&self, instance_uuid: Uuid, event: InstanceEvent) -> usize {
        self.shared.events.deliver(instance_uuid, event)
    }

    /// The last [`DELIVERY_LOG_LIMIT`] deliveries, oldest first, taken or not.
    pub fn delivered_instance_events(&self) -> Vec<(Uuid, InstanceEvent)> {
        self.shared.events.delivered()
    }

    /// The event names some running wait for the instance still awaits (sorted,
    /// each once).
    pub fn waiting_for(&self, instance_uuid: Uuid) -> Vec<InstanceEventName> {
        self.shared.events.waiting_for(instance_uuid)
    }

    /// Resolves once a running wait for the instance awaits `name`: a test
    /// awaits this, then delivers, and the event cannot be missed.
    pub async fn until_waiting_for(&self, instance_uuid: Uuid, name: &InstanceEventName) {
        self.shared
            .events
            .until_waiting_for(instance_uuid, name)
            .await;
    }

    /// With `on`, every `wait_for_instance_event` succeeds at once with a
    /// completed event per name (Nova's fake behaviour); without, waits wait for
    /// deliveries (the default).
    pub fn auto_complete_events(&self, on: bool) {
        self.shared.events.set_auto_complete(on);
    }
}

#[async_trait]
impl VirtAPI for FakeVirtAPI {
    async fn instance_update(
        &self,
        _ctx: &RequestContext,
        instance_uuid: Uuid,
        updates: InstanceUpdate,
    ) -> VirtApiResult<(Instance, Instance)> {
        self.records().update_instance(instance_uuid, &updates)
    }

    async fn instance_get_by_uuid(
        &self,
        _ctx: &RequestContext,
        instance_uuid: Uuid,
    ) -> VirtApiResult<Instance> {
        self.records().instance(instance_uuid).cloned()
    }

    async fn instance_get_all_by_host(
        &self,
        _ctx: &RequestContext,
        host: &str,
    ) -> VirtApiResult<Vec<Instance>> {
        Ok(self.records().instances_on_host(host))
    }

    async fn aggregate_get_by_host(
        &self,
        _ctx: &RequestContext,
        host: &str,
        key: Option<String>,
    ) -> VirtApiResult<Vec<Aggregate>> {
        Ok(self.records().aggregates_of_host(host, key.as_deref()))
    }

    async fn aggregate_metadata_add(
        &self,
        _ctx: &RequestContext,
        aggregate_id: i64,
        metadata: BTreeMap<String, String>,
        set_delete: bool,
    ) -> VirtApiResult<Aggregate> {
        self.records()
            .add_aggregate_metadata(aggregate_id, metadata, set_delete)
    }

    async fn aggregate_metadata_delete(
        &self,
        _ctx: &RequestContext,
        aggregate_id: i64,
        key: &str,
    ) -> VirtApiResult<()> {
        self.records().delete_aggregate_metadata(aggregate_id, key)
    }

    async fn security_group_get_by_instance(
        &self,
        _ctx: &RequestContext,
        instance_uuid: Uuid,
    ) -> VirtApiResult<Vec<SecurityGroup>> {
        self.records().security_groups_of(instance_uuid)
    }

    async fn security_group_rule_get_by_security_group(
        &self,
        _ctx: &RequestContext,
        security_group_id: i64,
    ) -> VirtApiResult<Vec<SecurityGroupRule>> {
        self.records().rules_of(security_group_id)
    }

    async fn provider_fw_rule_get_all(
        &self,
        _ctx: &RequestContext,
    ) -> VirtApiResult<Vec<ProviderFirewallRule>> {
        Ok(self.records().provider_fw_rules())
    }

    async fn agent_build_get_by_triple(
        &self,
        _ctx: &RequestContext,
        hypervisor: &str,
        os: &str,
        architecture: &str,
    ) -> VirtApiResult<Option<AgentBuild>> {
        Ok(self.records().agent_build(hypervisor, os, architecture))
    }

    async fn instance_type_get(
        &self,
        _ctx: &RequestContext,
        instance_type_id: i64,
    ) -> VirtApiResult<Flavor> {
        self.records().flavor(instance_type_id)
    }

    async fn wait_for_instance_event(
        &self,
        instance_uuid: Uuid,
        event_names: Vec<InstanceEventName>,
        timeout: Duration,
    ) -> VirtApiResult<Vec<InstanceEvent>> {
        self.shared
            .events
            .wait(instance_uuid, event_names, timeout)
            .await
    }

    async fn update_compute_provider_status(
        &self,
        _ctx: &RequestContext,
        rp_uuid: Uuid,
        enabled: bool,
    ) -> VirtApiResult<()> {
        self.records().set_provider_status(rp_uuid, enabled);
        Ok(())
    }
}

//! The fake's database: every record the VirtAPI proxies read and write.
//!
//! Plain synchronous data with the trait's rules; `FakeVirtAPI` holds it behind
//! a mutex so every method is one atomic step.

use std::collections::{BTreeMap, BTreeSet};

use driver_api::{Flavor, Instance};
use uuid::Uuid;
use virtapi::{
    AgentBuild, Aggregate, InstanceUpdate, ProviderFirewallRule, SecurityGroup, SecurityGroupRule,
    VirtApiError, VirtApiResult,
};

/// One `update_compute_provider_status` call, as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProviderStatusUpdate {
    /// The resource provider.
    pub rp_uuid: Uuid,
    /// Whether it was enabled (`false`: `COMPUTE_STATUS_DISABLED` set).
    pub enabled: bool,
}

/// Database ids handed out in ascending order from 1, like an auto-increment column.
#[derive(Debug, Default)]
struct IdSequence {
    last: i64,
}

impl IdSequence {
    fn next(&mut self) -> i64 {
        self.last = self.last.saturating_add(1);
        self.last
    }
}

/// Every table of the fake.
#[derive(Debug)]
pub(super) struct Records {
    instances: BTreeMap<Uuid, Instance>,
    aggregates: BTreeMap<i64, Aggregate>,
    aggregate_ids: IdSequence,
    security_groups: BTreeMap<i64, SecurityGroup>,
    security_group_ids: IdSequence,
    rules: BTreeMap<i64, SecurityGroupRule>,
    rule_ids: IdSequence,
    memberships: BTreeMap<Uuid, BTreeSet<i64>>,
    provider_fw_rules: BTreeMap<i64, ProviderFirewallRule>,
    provider_fw_rule_ids: IdSequence,
    agent_builds: BTreeMap<i64, AgentBuild>,
    agent_build_ids: IdSequence,
    flavors: BTreeMap<i64, Flavor>,
    provider_status: BTreeMap<Uuid, bool>,
    provider_status_updates: Vec<ProviderStatusUpdate>,
}

impl Records {
    /// Empty tables except the flavors: Nova's five standard ones, ids 1 to 5.
    pub(super) fn new() -> Self {
        Self {
            instances: BTreeMap::new(),
            aggregates: BTreeMap::new(),
            aggregate_ids: IdSequence::default(),
            security_groups: BTreeMap::new(),
            security_group_ids: IdSequence::default(),
            rules: BTreeMap::new(),
            rule_ids: IdSequence::default(),
            memberships: BTreeMap::new(),
            provider_fw_rules: BTreeMap::new(),
            provider_fw_rule_ids: IdSequence::default(),
            agent_builds: BTreeMap::new(),
            agent_build_ids: IdSequence::default(),
            flavors: Flavor::standard_flavors()
                .into_iter()
                .map(|flavor| (flavor.id, flavor))
                .collect(),
            provider_status: BTreeMap::new(),
            provider_status_updates: Vec::new(),
        }
    }

    // ----- instances ------------------------------------------------------------------

    pub(super) fn insert_instance(&mut self, instance: Instance) -> Option<Instance> {
        self.instances.insert(instance.uuid, instance)
    }

    pub(super) fn remove_instance(&mut self, uuid: Uuid) -> Option<Instance> {
        self.memberships.remove(&uuid);
        self.instances.remove(&uuid)
    }

    pub(super) fn instance(&self, uuid: Uuid) -> VirtApiResult<&Instance> {
        self.instances
            .get(&uuid)
            .ok_or(VirtApiError::InstanceNotFound {
                instance_uuid: uuid,
            })
    }

    pub(super) fn instances(&self) -> Vec<Instance> {
        self.instances.values().cloned().collect()
    }

    pub(super) fn update_instance(
        &mut self,
        uuid: Uuid,
        updates: &InstanceUpdate,
    ) -> VirtApiResult<(Instance, Instance)> {
        let instance = self
            .instances
            .get_mut(&uuid)
            .ok_or(VirtApiError::InstanceNotFound {
                instance_uuid: uuid,
            })?;
        let before = instance.clone();
        updates.apply(instance)?;
        Ok((before, instance.clone()))
    }

    pub(super) fn instances_on_host(&self, host: &str) -> Vec<Instance> {
        self.instances
            .values()
            .filter(|instance| instance.host.as_deref() == Some(host))
            .cloned()
            .collect()
    }

    // ----- aggregates -----------------------------------------------------------------

    pub(super) fn create_aggregate(&mut self, mut aggregate: Aggregate) -> Aggregate {
        aggregate.id = self.aggregate_ids.next();
        self.aggregates.insert(aggregate.id, aggregate.clone());
        aggregate
    }

    pub(super) fn aggregate(&self, id: i64) -> Option<Aggregate> {
        self.aggregates.get(&id).cloned()
    }

    fn aggregate_mut(&mut self, id: i64) -> VirtApiResult<&mut Aggregate> {
        self.aggregates
            .get_mut(&id)
            .ok_or(VirtApiError::AggregateNotFound { aggregate_id: id })
    }

    pub(super) fn set_aggregate_host(
        &mut self,
        id: i64,
        host: &str,
        member: bool,
    ) -> VirtApiResult<Aggregate> {
        let aggregate = self.aggregate_mut(id)?;
        if member {
            aggregate.hosts.insert(host.to_owned());
        } else {
            aggregate.hosts.remove(host);
        }
        Ok(aggregate.clone())
    }

    pub(super) fn aggregates_of_host(&self, host: &str, key: Option<&str>) -> Vec<Aggregate> {
        self.aggregates
            .values()
            .filter(|aggregate| aggregate.contains_host(host))
            .filter(|aggregate| key.is_none_or(|key| aggregate.metadata.contains_key(key)))
            .cloned()
            .collect()
    }

    pub(super) fn add_aggregate_metadata(
        &mut self,
        id: i64,
        metadata: BTreeMap<String, String>,
        set_delete: bool,
    ) -> VirtApiResult<Aggregate> {
        let aggregate = self.aggregate_mut(id)?;
        aggregate.merge_metadata(metadata, set_delete);
        Ok(aggregate.clone())
    }

    pub(super) fn delete_aggregate_metadata(&mut self, id: i64, key: &str) -> VirtApiResult<()> {
        let aggregate = self.aggregate_mut(id)?;
        aggregate.metadata.remove(key).map(drop).ok_or_else(|| {
            VirtApiError::AggregateMetadataNotFound {
                aggregate_id: id,
                key: key.to_owned(),
            }
        })
    }

    // ----- security groups and firewall -----------------------------------------------

    pub(super) fn create_security_group(&mut self, mut group: SecurityGroup) -> SecurityGroup {
        group.id = self.security_group_ids.next();
        self.security_groups.insert(group.id, group.clone());
        group
    }

    fn security_group(&self, id: i64) -> VirtApiResult<&SecurityGroup> {
        self.security_groups
            .get(&id)
            .ok_or(VirtApiError::SecurityGroupNotFound {
                security_group_id: id,
            })
    }

    pub(super) fn add_security_group_rule(
        &mut self,
        group_id: i64,
        mut rule: SecurityGroupRule,
    ) -> VirtApiResult<SecurityGroupRule> {
        self.security_group(group_id)?;
        rule.id = self.rule_ids.next();
        rule.parent_group_id = group_id;
        self.rules.insert(rule.id, rule.clone());
        Ok(rule)
    }

    pub(super) fn join_security_group(&mut self, uuid: Uuid, group_id: i64) -> VirtApiResult<()> {
        self.instance(uuid)?;
        self.security_group(group_id)?;
        self.memberships.entry(uuid).or_default().insert(group_id);
        Ok(())
    }

    pub(super) fn security_groups_of(&self, uuid: Uuid) -> VirtApiResult<Vec<SecurityGroup>> {
        self.instance(uuid)?;
        Ok(self
            .memberships
            .get(&uuid)
            .into_iter()
            .flatten()
            .filter_map(|id| self.security_groups.get(id))
            .cloned()
            .collect())
    }

    pub(super) fn rules_of(&self, group_id: i64) -> VirtApiResult<Vec<SecurityGroupRule>> {
        self.security_group(group_id)?;
        Ok(self
            .rules
            .values()
            .filter(|rule| rule.parent_group_id == group_id)
            .cloned()
            .collect())
    }

    pub(super) fn add_provider_fw_rule(
        &mut self,
        mut rule: ProviderFirewallRule,
    ) -> ProviderFirewallRule {
        rule.id = self.provider_fw_rule_ids.next();
        self.provider_fw_rules.insert(rule.id, rule.clone());
        rule
    }

    pub(super) fn provider_fw_rules(&self) -> Vec<ProviderFirewallRule> {
        self.provider_fw_rules.values().cloned().collect()
    }

    // ----- agents, flavors, providers -------------------------------------------------

    pub(super) fn add_agent_build(&mut self, mut build: AgentBuild) -> AgentBuild {
        let existing = self
            .agent_builds
            .values()
            .find(|old| old.matches(&build.hypervisor, &build.os, &build.architecture))
            .map(|old| old.id);
        build.id = match existing {
            Some(id) => id,
            None => self.agent_build_ids.next(),
        };
        self.agent_builds.insert(build.id, build.clone());
        build
    }

    pub(super) fn agent_build(
        &self,
        hypervisor: &str,
        os: &str,
        architecture: &str,
    ) -> Option<AgentBuild> {
        self.agent_builds
            .values()
            .find(|build| build.matches(hypervisor, os, architecture))
            .cloned()
    }

    pub(super) fn insert_flavor(&mut self, flavor: Flavor) -> Option<Flavor> {
        self.flavors.insert(flavor.id, flavor)
    }

    pub(super) fn flavor(&self, id: i64) -> VirtApiResult<Flavor> {
        self.flavors
            .get(&id)
            .cloned()
            .ok_or(VirtApiError::FlavorNotFound {
                instance_type_id: id,
            })
    }

    pub(super) fn set_provider_status(&mut self, rp_uuid: Uuid, enabled: bool) {
        self.provider_status.insert(rp_uuid, enabled);
        self.provider_status_updates
            .push(ProviderStatusUpdate { rp_uuid, enabled });
    }

    pub(super) fn provider_status(&self, rp_uuid: Uuid) -> Option<bool> {
        self.provider_status.get(&rp_uuid).copied()
    }

    pub(super) fn provider_status_updates(&self) -> Vec<ProviderStatusUpdate> {
        self.provider_status_updates.clone()
    }
}

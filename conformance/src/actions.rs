//! Helpers on [`CaseContext`] that call the backend: each logs a step first.

use std::time::Duration;

use driver_api::Instance;
use driver_api::{
    DriverMethod, DriverResult, ErrorKind, Flavor, InstanceInfo, InstanceStatus,
    LifecycleOperation, LifecycleTransition, NodeResources, RebootType, ResourceAmounts, Secret,
    Vif,
};
use uuid::Uuid;

use crate::case::{CaseError, CaseResult};
use crate::checks::{expect_eq, expect_kind, expect_ok};
use crate::context::CaseContext;
use crate::describe::describe_result;
use crate::fixtures;
use crate::paths::path_to;

/// The trait method behind a lifecycle operation (`None` for the crash hook):
/// [`LifecycleOperation::method`].
pub fn lifecycle_method(op: LifecycleOperation) -> Option<DriverMethod> {
    op.method()
}

/// What the crash hook answers on a backend that offers none (cases that
/// need it are skipped first): `NotSupported`, of the method closest to a
/// crash.
pub(crate) fn no_crash_hook() -> driver_api::DriverError {
    driver_api::DriverError::not_supported(
        DriverMethod::TriggerCrashDump,
        "conformance (no test hooks)",
    )
}

impl CaseContext {
    /// A new (not yet spawned) instance of `flavor` for the first host.
    pub fn new_instance(&self, flavor: Flavor) -> Instance {
        fixtures::instance(flavor, self.host_name(0))
    }

    /// Spawns `instance` on host `index` with one VIF; tracked for clean-up.
    pub async fn spawn_on(
        &self,
        index: usize,
        instance: &Instance,
        power_on: bool,
    ) -> DriverResult<()> {
        self.spawn_with(index, instance, power_on, &[fixtures::vif()])
            .await
    }

    /// Spawns `instance` on host `index` with `vifs`; tracked for clean-up.
    pub async fn spawn_with(
        &self,
        index: usize,
        instance: &Instance,
        power_on: bool,
        vifs: &[Vif],
    ) -> DriverResult<()> {
        self.step(format!(
            "spawn {} ({}) on {} power_on={power_on}",
            instance.name,
            instance.flavor.name,
            self.host_name(index)
        ));
        self.track(instance);
        self.driver_on(index)
            .spawn(
                &fixtures::context(),
                instance,
                &fixtures::image(),
                &fixtures::injected_files(),
                Some(fixtures::admin_password()),
                vifs,
                &fixtures::no_block_devices(),
                power_on,
            )
            .await
    }

    /// Spawns a running instance of `flavor` on the first host.
    pub async fn spawn_flavor(&self, flavor: Flavor) -> Result<Instance, CaseError> {
        let instance = self.new_instance(flavor);
        expect_ok("spawn", self.spawn_on(0, &instance, true).await)?;
        Ok(instance)
    }

    /// Spawns a running `m1.tiny` instance on the first host (Nova's
    /// `_get_running_instance`).
    pub async fn spawn_running(&self) -> Result<Instance, CaseError> {
        self.spawn_flavor(Flavor::m1_tiny()).await
    }

    /// `get_info` on host `index`.
    pub async fn info(&self, index: usize, instance: &Instance) -> DriverResult<InstanceInfo> {
        self.step(format!("get_info {}", instance.name));
        self.driver_on(index).get_info(instance).await
    }

    /// The instance's status (state and flags) on host `index`.
    pub async fn status_on(
        &self,
        index: usize,
        instance: &Instance,
    ) -> Result<InstanceStatus, CaseError> {
        Ok(expect_ok("get_info", self.info(index, instance).await)?.status())
    }

    /// Fails unless the instance on the first host is in `expected`.
    pub async fn expect_status(&self, instance: &Instance, expected: InstanceStatus) -> CaseResult {
        self.expect_status_on(0, instance, expected).await
    }

    /// Fails unless the instance on host `index` is in `expected`.
    pub async fn expect_status_on(
        &self,
        index: usize,
        instance: &Instance,
        expected: InstanceStatus,
    ) -> CaseResult {
        let got = self.status_on(index, instance).await?;
        if got == expected {
            Ok(())
        } else {
            Err(CaseError::fail(
                format!("get_info of {}: {expected}", instance.name),
                got.to_string(),
            ))
        }
    }

    /// Applies a lifecycle operation to the instance on host `index`.
    pub async fn apply_on(
        &self,
        index: usize,
        instance: &Instance,
        op: LifecycleOperation,
    ) -> DriverResult<()> {
        self.step(format!("{op} {}", instance.name));
        let driver = self.driver_on(index);
        let ctx = fixtures::context();
        let vifs: &[Vif] = &[];
        let bdi = fixtures::no_block_devices();
        use LifecycleOperation as Op;
        match op {
            Op::Pause => driver.pause(instance).await,
            Op::Unpause => driver.unpause(instance).await,
            Op::Suspend => driver.suspend(instance).await,
            Op::Resume => driver.resume(instance, vifs, &bdi).await,
            Op::PowerOff => driver.power_off(instance, Duration::ZERO).await,
            Op::PowerOn => driver.power_on(&ctx, instance, vifs, &bdi).await,
            Op::RebootSoft => {
                driver
                    .reboot(&ctx, instance, vifs, RebootType::Soft, &bdi)
                    .await
            }
            Op::RebootHard => {
                driver
                    .reboot(&ctx, instance, vifs, RebootType::Hard, &bdi)
                    .await
            }
            Op::Rescue => {
                let password = Secret::new(fixtures::RESCUE_PASSWORD);
                driver
                    .rescue(&ctx, instance, vifs, &fixtures::image(), password)
                    .await
            }
            Op::Unrescue => driver.unrescue(instance, vifs).await,
            Op::SoftDelete => driver.soft_delete(instance).await,
            Op::Restore => driver.restore(instance).await,
            Op::Destroy => driver.destroy(instance, vifs, &bdi, true).await,
            Op::Crash => match self.hooks(index) {
                Ok(hooks) => hooks.crash(instance).await,
                Err(_) => Err(no_crash_hook()),
            },
        }
    }

    /// Applies a lifecycle operation on the first host.
    pub async fn apply(&self, instance: &Instance, op: LifecycleOperation) -> DriverResult<()> {
        self.apply_on(0, instance, op).await
    }

    /// Applies `op` and fails unless it succeeds.
    pub async fn expect_apply(&self, instance: &Instance, op: LifecycleOperation) -> CaseResult {
        expect_ok(&op.to_string(), self.apply(instance, op).await).map(|_| ())
    }

    /// Brings a running instance on the first host to `target` through legal
    /// operations, and checks it got there.
    pub async fn bring_to(&self, instance: &Instance, target: InstanceStatus) -> CaseResult {
        let path = path_to(target)
            .ok_or_else(|| CaseError::fail(format!("a path to {target}"), "none in the table"))?;
        for op in path {
            if op == LifecycleOperation::Crash {
                self.hooks(0)?;
            }
            self.expect_apply(instance, op).await?;
        }
        self.expect_status(instance, target).await
    }

    /// The first node of host `index`.
    pub async fn node(&self, index: usize) -> Result<String, CaseError> {
        self.step(format!("get_available_nodes on {}", self.host_name(index)));
        let nodes = expect_ok(
            "get_available_nodes",
            self.driver_on(index).get_available_nodes(false).await,
        )?;
        nodes
            .first()
            .cloned()
            .ok_or_else(|| CaseError::fail("at least one node", "no node"))
    }

    /// `get_available_resource` of host `index`'s first node.
    pub async fn resources(&self, index: usize) -> Result<NodeResources, CaseError> {
        let node = self.node(index).await?;
        self.step(format!("get_available_resource {node}"));
        expect_ok(
            "get_available_resource",
            self.driver_on(index).get_available_resource(&node).await,
        )
    }

    /// Fails unless host `index`'s first node reports exactly `expected` used.
    pub async fn expect_used(&self, index: usize, expected: ResourceAmounts) -> CaseResult {
        let used = self.resources(index).await?.used();
        expect_eq(
            &format!("resources used on {}", self.host_name(index)),
            expected,
            used,
        )
    }

    /// The UUIDs listed by host `index`.
    pub async fn uuids(&self, index: usize) -> Result<Vec<Uuid>, CaseError> {
        self.step(format!("list_instance_uuids on {}", self.host_name(index)));
        expect_ok(
            "list_instance_uuids",
            self.driver_on(index).list_instance_uuids().await,
        )
    }

    /// The names listed by host `index`.
    pub async fn names(&self, index: usize) -> Result<Vec<String>, CaseError> {
        self.step(format!("list_instances on {}", self.host_name(index)));
        expect_ok(
            "list_instances",
            self.driver_on(index).list_instances().await,
        )
    }

    /// Fails unless host `index` lists the instance by UUID and by name.
    pub async fn expect_listed(&self, index: usize, instance: &Instance) -> CaseResult {
        let uuids = self.uuids(index).await?;
        if !uuids.contains(&instance.uuid) {
            return Err(CaseError::fail(
                format!("list_instance_uuids to contain {}", instance.uuid),
                format!("{uuids:?}"),
            ));
        }
        let names = self.names(index).await?;
        if !names.contains(&instance.name) {
            return Err(CaseError::fail(
                format!("list_instances to contain {}", instance.name),
                format!("{names:?}"),
            ));
        }
        Ok(())
    }

    /// Fails unless host `index` has no trace of the instance: not listed, and
    /// `get_info` is `InstanceNotFound`.
    pub async fn expect_absent(&self, index: usize, instance: &Instance) -> CaseResult {
        let uuids = self.uuids(index).await?;
        if uuids.contains(&instance.uuid) {
            return Err(CaseError::fail(
                format!(
                    "{} not in list_instance_uuids of {}",
                    instance.uuid,
                    self.host_name(index)
                ),
                format!("{uuids:?}"),
            ));
        }
        let names = self.names(index).await?;
        if names.contains(&instance.name) {
            return Err(CaseError::fail(
                format!(
                    "{} not in list_instances of {}",
                    instance.name,
                    self.host_name(index)
                ),
                format!("{names:?}"),
            ));
        }
        let info = self.info(index, instance).await;
        expect_kind(
            "get_info of a gone instance",
            info,
            ErrorKind::InstanceNotFound,
        )
    }

    /// Fails unless host `index` delivered exactly `expected` since `mark`.
    ///
    /// Waits briefly (up to half a second) for backends that deliver events
    /// asynchronously; a synchronous backend never waits.
    pub async fn expect_events(
        &self,
        index: usize,
        mark: usize,
        expected: &[(Uuid, LifecycleTransition)],
    ) -> CaseResult {
        let mut got = self.events_since(index, mark);
        let mut waited = 0;
        while got.len() < expected.len() && waited < 100 {
            tokio::time::sleep(Duration::from_millis(5)).await;
            waited += 1;
            got = self.events_since(index, mark);
        }
        let got: Vec<(Uuid, LifecycleTransition)> = got
            .iter()
            .map(|e| (e.instance_uuid, e.transition))
            .collect();
        if got == expected {
            Ok(())
        } else {
            Err(CaseError::fail(
                format!(
                    "events on {}: {}",
                    self.host_name(index),
                    show_events(expected)
                ),
                show_events(&got),
            ))
        }
    }

    /// Calls `get_info` and describes the answer (for failure messages).
    pub async fn describe_info(&self, index: usize, instance: &Instance) -> String {
        describe_result(&self.driver_on(index).get_info(instance).await)
    }
}

/// `[Started(1234abcd), Stopped(1234abcd)]`.
pub fn show_events(events: &[(Uuid, LifecycleTransition)]) -> String {
    let items: Vec<String> = events
        .iter()
        .map(|(uuid, t)| format!("{t}({})", &uuid.simple().to_string()[..8]))
        .collect();
    format!("[{}]", items.join(", "))
}

impl CaseContext {
    /// Skips the case unless the first host's node has `flavors` free at once
    /// (a small node cannot run the cases that need several instances).
    pub async fn require_free(&self, flavors: &[Flavor]) -> CaseResult {
        let needed = flavors
            .iter()
            .map(ResourceAmounts::of_flavor)
            .fold(ResourceAmounts::default(), |sum, f| sum.saturating_add(&f));
        let free = self.resources(0).await?.free();
        if needed.fits_in(&free) {
            Ok(())
        } else {
            Err(CaseError::skip(format!(
                "needs {needed:?} free at once; the node has {free:?}"
            )))
        }
    }
}

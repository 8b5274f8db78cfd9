//! A [`Rig`]: backends under test, the model beside them, and the one way a
//! case drives them: call a step on both, compare the answers, compare every
//! observable ([`crate::snapshot::compare`]).

use std::sync::Arc;

use driver_api::{Instance, ResourceAmounts};

use super::live_handover::{CallbackLog, HandedOver};
use super::rules::{self, Expected};
use super::step::{call, Target};
use super::{HostModel, Model, Step, World};
use crate::case::{CaseError, CaseResult};
use crate::context::{CaseContext, HostUnderTest};
use crate::describe::describe_result;
use crate::snapshot;

/// Where a rig writes its steps (a case's step log, or nowhere while a walk
/// shrinks).
pub(crate) type Log<'a> = &'a (dyn Fn(String) + Send + Sync);

/// The backends of a case and their model.
pub(crate) struct Rig<'a> {
    hosts: &'a [HostUnderTest],
    names: Vec<String>,
    model: Model,
    log: Log<'a>,
    tracker: Option<&'a CaseContext>,
    callbacks: Arc<CallbackLog>,
    handed_over: HandedOver,
}

impl<'a> Rig<'a> {
    /// A rig over `hosts` (already through `init_host`, listeners
    /// registered), modelling them as they are now: their nodes and totals,
    /// no instance, no event since now.
    pub(crate) async fn start(
        hosts: &'a [HostUnderTest],
        log: Log<'a>,
    ) -> Result<Rig<'a>, CaseError> {
        Self::open(hosts, log, &[]).await
    }

    /// A rig over `hosts` holding `seeded` already (each `Running` on the
    /// host's first node, no VIF, no volume, as the factory's seeding spawn
    /// leaves it), modelled as they are now.
    async fn open(
        hosts: &'a [HostUnderTest],
        log: Log<'a>,
        seeded: &[Instance],
    ) -> Result<Rig<'a>, CaseError> {
        let mut models = Vec::new();
        for host in hosts {
            let driver = &host.backend.driver;
            let listed = driver.get_available_nodes(false).await.map_err(|e| {
                CaseError::fail("get_available_nodes: Ok", crate::describe_error(&e))
            })?;
            let mut nodes = Vec::new();
            for node in listed {
                let resources = driver.get_available_resource(&node).await.map_err(|e| {
                    CaseError::fail("get_available_resource: Ok", crate::describe_error(&e))
                })?;
                if seeded.is_empty() && resources.used() != ResourceAmounts::default() {
                    return Err(CaseError::fail(
                        format!("a fresh backend: nothing used on {node}"),
                        format!("{:?}", resources.used()),
                    ));
                }
                nodes.push((node, resources.total()));
            }
            let event_mark = host.events.lock().map(|log| log.len()).unwrap_or(0);
            models.push(HostModel {
                name: host.name.clone(),
                nodes,
                instances: Default::default(),
                incoming: Default::default(),
                events: Vec::new(),
                event_mark,
                capabilities: driver.capabilities(),
                read_only: false,
            });
        }
        for model in &mut models {
            seed(model, seeded);
        }
        let model = Model::new(models);
        for instance in seeded {
            model.lock().involve(instance);
        }
        Ok(Rig {
            hosts,
            names: hosts.iter().map(|h| h.name.clone()).collect(),
            model,
            log,
            tracker: None,
            callbacks: Arc::default(),
            handed_over: HandedOver::default(),
        })
    }

    /// A rig over the hosts of `ctx`, logging to its steps; every instance
    /// a step creates is tracked for clean-up.
    pub(crate) async fn of(ctx: &'a CaseContext, log: Log<'a>) -> Result<Rig<'a>, CaseError> {
        let mut rig = Self::start(ctx.hosts(), log).await?;
        rig.tracker = Some(ctx);
        Ok(rig)
    }

    // Added for host/idempotence/read-only/capability.
    /// A rig over one read-only host (already through `init_host`, its
    /// listener registered) that the factory seeded with `seeded`: the
    /// model refuses every mutating step with `ReadOnly`
    /// ([`super::host_rules::refusal`]).
    pub(crate) async fn read_only(
        hosts: &'a [HostUnderTest],
        log: Log<'a>,
        seeded: &[Instance],
    ) -> Result<Rig<'a>, CaseError> {
        let rig = Self::open(hosts, log, seeded).await?;
        for host in &mut rig.model.lock().hosts {
            host.read_only = true;
        }
        Ok(rig)
    }

    /// Calls the query `method` (with the suite's sample arguments) for
    /// `instance` on host `host`, where the model knows no exact answer,
    /// and compares every observable with the model afterwards (a query
    /// changes nothing). Returns the answer for the caller to judge; a
    /// mutating method or a panic fails.
    pub(crate) async fn probe(
        &self,
        host: usize,
        instance: &Instance,
        method: driver_api::DriverMethod,
    ) -> Result<driver_api::DriverResult<()>, CaseError> {
        let Some(backend_host) = self.hosts.get(host) else {
            return Err(CaseError::fail(format!("a host {host}"), "none"));
        };
        let what = format!(
            "{method} {} on {} (a query)",
            instance.name, backend_host.name
        );
        (self.log)(what.clone());
        if method.mutates() {
            return Err(CaseError::error(format!("{method} mutates: not a query")));
        }
        let driver = &backend_host.backend.driver;
        let answer = crate::invoke::invoke_guarded(driver, method, instance, &backend_host.name)
            .await
            .map_err(|panic| {
                CaseError::fail(format!("{what}: an answer"), format!("a panic: {panic}"))
            })?;
        self.check(&what).await?;
        Ok(answer)
    }

    /// A new m1.tiny instance of `ctx` spawned on host 0 through the rig
    /// (started when `power_on`), every observable compared after it.
    pub(crate) async fn spawned(
        &self,
        ctx: &CaseContext,
        power_on: bool,
    ) -> Result<Instance, CaseError> {
        let instance = ctx.new_instance(driver_api::Flavor::m1_tiny());
        self.step(0, &instance, &Step::Spawn { power_on }).await?;
        Ok(instance)
    }

    /// Judges `got`, the answer of a call the model has no step for (hostile
    /// arguments, a step out of protocol) that the contract says is refused
    /// with `kind`: the kind, then every observable compared with the model,
    /// which the refusal left as it was ("a method that fails changes
    /// nothing"). `involved` instances are read too (and tracked for
    /// clean-up), so one the refused call named is checked to be nowhere.
    pub(crate) async fn refused<T>(
        &self,
        what: &str,
        involved: &[&Instance],
        kind: driver_api::ErrorKind,
        got: driver_api::DriverResult<T>,
    ) -> CaseResult {
        {
            let mut world = self.model.lock();
            for instance in involved {
                world.involve(instance);
            }
        }
        if let Some(ctx) = self.tracker {
            for instance in involved {
                ctx.track(instance);
            }
        }
        Self::judge(what, &Err(kind), &got.map(drop))?;
        self.check(what).await
    }

    /// The world as the model has it now.
    pub(crate) fn world(&self) -> World {
        self.model.world()
    }

    /// The volumes (mountpoint, volume id) the model has `uuid` holding on
    /// host `host`: what Nova passes in `block_device_info` when it moves.
    pub(crate) fn volumes(&self, host: usize, uuid: uuid::Uuid) -> Vec<(String, String)> {
        self.model
            .lock()
            .hosts
            .get(host)
            .and_then(|h| h.instances.get(&uuid))
            .map(|i| {
                i.volumes
                    .iter()
                    .map(|(at, id)| (at.clone(), id.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What `step` must answer on host `host` (without running it).
    pub(crate) fn predict(&self, host: usize, instance: &Instance, step: &Step) -> Expected {
        let mut world = self.model.world();
        rules::expect(&mut world, host, instance, step)
    }

    /// Runs `step` for `instance` on host `host` and on the model; fails
    /// unless the backend answers as the model does and every observable
    /// then matches.
    pub(crate) async fn step(&self, host: usize, instance: &Instance, step: &Step) -> CaseResult {
        self.answer(host, instance, step).await.map(drop)
    }

    /// As [`Rig::step`], and returns the backend's answer (for a case that
    /// reads more of it, e.g. an error's text).
    pub(crate) async fn answer(
        &self,
        host: usize,
        instance: &Instance,
        step: &Step,
    ) -> Result<driver_api::DriverResult<()>, CaseError> {
        let Some(backend_host) = self.hosts.get(host) else {
            return Err(CaseError::fail(format!("a host {host}"), "none"));
        };
        let what = format!("{step} {} on {}", instance.name, backend_host.name);
        (self.log)(what.clone());
        if let Some(ctx) = self.tracker {
            ctx.track(instance);
        }
        let expected = {
            let mut world = self.model.lock();
            rules::expect(&mut world, host, instance, step)
        };
        let target = Target {
            host_names: &self.names,
            backend: &backend_host.backend,
            index: host,
            callbacks: &self.callbacks,
            handed_over: &self.handed_over,
        };
        let got = call(&target, instance, step).await;
        Self::judge(&what, &expected, &got)?;
        self.check(&what).await?;
        Ok(got)
    }

    /// Calls `step` on host `host`, polls the call once and drops it if it
    /// is still pending: the trait's "A method that fails changes nothing
    /// ... That holds when the future is dropped before completion, too", so
    /// the model stays as it was and every observable must match it. A call
    /// that completed on its first poll is judged as [`Rig::step`] judges it.
    /// Returns whether the call was dropped.
    pub(crate) async fn drop_pending(
        &self,
        host: usize,
        instance: &Instance,
        step: &Step,
    ) -> Result<bool, CaseError> {
        let Some(backend_host) = self.hosts.get(host) else {
            return Err(CaseError::fail(format!("a host {host}"), "none"));
        };
        let what = format!(
            "{step} {} on {}, dropped after its first poll",
            instance.name, backend_host.name
        );
        (self.log)(what.clone());
        if let Some(ctx) = self.tracker {
            ctx.track(instance);
        }
        let target = Target {
            host_names: &self.names,
            backend: &backend_host.backend,
            index: host,
            callbacks: &self.callbacks,
            handed_over: &self.handed_over,
        };
        let first_poll =
            tokio::time::timeout(std::time::Duration::ZERO, call(&target, instance, step)).await;
        let dropped = match first_poll {
            Ok(got) => {
                let expected = {
                    let mut world = self.model.lock();
                    rules::expect(&mut world, host, instance, step)
                };
                Self::judge(&what, &expected, &got)?;
                false
            }
            Err(_) => true,
        };
        self.check(&what).await?;
        Ok(dropped)
    }

    /// Fails unless the backend answered `got` as the model `expected`.
    fn judge(what: &str, expected: &Expected, got: &driver_api::DriverResult<()>) -> CaseResult {
        let same = match (expected, got) {
            (Ok(()), Ok(())) => true,
            (Err(kind), Err(error)) => *kind == error.kind(),
            _ => false,
        };
        if !same {
            let want = match expected {
                Ok(()) => "Ok".to_owned(),
                Err(kind) => format!("Err({kind:?})"),
            };
            return Err(CaseError::fail(
                format!("{what}: {want}"),
                describe_result(got),
            ));
        }
        Ok(())
    }

    /// Compares every observable with the model.
    pub(crate) async fn check(&self, after: &str) -> CaseResult {
        let world = self.model.world();
        let calls = self.callbacks.calls();
        if calls != world.callbacks {
            return Err(CaseError::fail(
                format!(
                    "after {after}: live-migration callbacks = {:?}",
                    world.callbacks
                ),
                format!("{calls:?}"),
            ));
        }
        snapshot::compare(self.hosts, &world, after).await
    }
}

/// Puts `seeded` on `model`'s first node, `Running`, as the factory's seeding
/// spawn (no VIF, no block device, powered on) leaves them.
fn seed(model: &mut HostModel, seeded: &[Instance]) {
    let Some((node, _)) = model.nodes.first().cloned() else {
        return;
    };
    for instance in seeded {
        let seeded = super::ModelInstance {
            instance: instance.clone(),
            node: node.clone(),
            status: driver_api::InstanceStatus::new(driver_api::PowerState::Running),
            volumes: Default::default(),
            vifs: Default::default(),
            flavor_before_resize: None,
            migrating: false,
        };
        model.instances.insert(instance.uuid, seeded);
    }
}

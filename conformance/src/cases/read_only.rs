//! Read-only mode: every query answers; every mutating method is refused
//! with `ReadOnly`, and nothing changes.

use std::sync::Arc;

use driver_api::{ComputeDriver, InstanceInfo, InstanceStatus};
use uuid::Uuid;

use crate::case::CaseError;
use crate::factory::Backend;
use crate::prelude::*;

/// What the suite can observe of a backend without changing it.
#[derive(Debug, PartialEq)]
pub(crate) struct Observed {
    pub(crate) uuids: Vec<Uuid>,
    names: Vec<String>,
    infos: Vec<(Uuid, Option<StaticInfo>)>,
    used: Vec<(String, ResourceAmounts)>,
}

/// The parts of `get_info` a refused call must leave alone. CPU time and
/// current memory move on their own in a running guest, so they are left out.
#[derive(Debug, PartialEq)]
struct StaticInfo {
    status: InstanceStatus,
    max_mem_kb: u64,
    num_cpu: u32,
}

impl From<InstanceInfo> for StaticInfo {
    fn from(info: InstanceInfo) -> Self {
        Self {
            status: info.status(),
            max_mem_kb: info.max_mem_kb,
            num_cpu: info.num_cpu,
        }
    }
}

pub(crate) async fn observe(
    driver: &Arc<dyn ComputeDriver>,
    seed: &[Instance],
) -> Result<Observed, CaseError> {
    let mut uuids = expect_ok("list_instance_uuids", driver.list_instance_uuids().await)?;
    uuids.sort();
    let mut names = expect_ok("list_instances", driver.list_instances().await)?;
    names.sort();
    let mut infos = Vec::new();
    for instance in seed {
        let info = driver.get_info(instance).await.ok();
        infos.push((instance.uuid, info.map(StaticInfo::from)));
    }
    let mut used = Vec::new();
    for node in expect_ok(
        "get_available_nodes",
        driver.get_available_nodes(false).await,
    )? {
        let resources = expect_ok(
            "get_available_resource",
            driver.get_available_resource(&node).await,
        )?;
        used.push((node, resources.used()));
    }
    Ok(Observed {
        uuids,
        names,
        infos,
        used,
    })
}

pub(crate) fn seed(ctx: &CaseContext) -> Vec<Instance> {
    vec![
        ctx.new_instance(Flavor::m1_tiny()),
        ctx.new_instance(Flavor::m1_small()),
    ]
}

pub(crate) async fn read_only_backend(
    ctx: &CaseContext,
    seed: &[Instance],
) -> Result<Backend, CaseError> {
    ctx.step("create_read_only (seeded with m1.tiny and m1.small)");
    match ctx.factory().create_read_only(seed).await {
        Ok(Some(backend)) => Ok(backend),
        Ok(None) => Err(CaseError::skip("the factory offers no read-only backend")),
        Err(error) => Err(error.into()),
    }
}

pub(crate) fn queries_answer() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let seed = seed(ctx);
            let backend = read_only_backend(ctx, &seed).await?;
            let driver = &backend.driver;
            ctx.step("list, nodes, resources, get_info of the listed seed instances");
            let listed = expect_ok("list_instance_uuids", driver.list_instance_uuids().await)?;
            expect_ok("list_instances", driver.list_instances().await)?;
            expect_ok("get_num_instances", driver.get_num_instances().await)?;
            observe(driver, &[]).await?;
            for instance in seed.iter().filter(|i| listed.contains(&i.uuid)) {
                expect_ok(
                    "get_info of a seeded instance",
                    driver.get_info(instance).await,
                )?;
            }
            ctx.step("init_host (not refused read-only)");
            expect_ok("init_host", driver.init_host(fixtures::HOST_A).await)
        })
    })
    .tier(Tier::Optional)
    .covers(&[
        M::ListInstanceUuids,
        M::ListInstances,
        M::GetNumInstances,
        M::GetAvailableNodes,
        M::GetAvailableResource,
        M::GetInfo,
        M::InitHost,
    ])
}

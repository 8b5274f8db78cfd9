//! The backends the bench can open, sized so N instances of `m1.tiny` fit:
//! the runner's table of backends ([`BackendKind`]), each opened for the
//! workload.

use std::sync::Arc;
use std::time::Instant;

use conformance_runner::BackendKind;
use driver_api::{ComputeDriver, ResourceAmounts};
use driver_fake::{FakeDriver, NodeSize};
use serde::Serialize;

use crate::workload;

/// An opened backend and the nodes to spread instances over.
pub struct Backend {
    /// The driver.
    pub driver: Arc<dyn ComputeDriver>,
    /// Its nodes.
    pub nodes: Vec<String>,
}

/// Capacity for `n` instances of `m1.tiny` (1 vCPU, 512 MiB, 1 GiB), with room to spare.
fn capacity_for(n: usize) -> ResourceAmounts {
    let n = n as u64 + 1;
    ResourceAmounts::new(n, n * 512, n)
}

impl Backend {
    /// Opens backend `name` sized for `n` instances. With `presize`, the fake is
    /// told how many instances to expect (as a scale test that knows its size
    /// would), so its tables do not grow during the spawn phase.
    pub fn open(name: &str, n: usize, presize: bool) -> Result<Self, String> {
        let kind = BackendKind::from_name(name)
            .ok_or_else(|| format!("unknown backend {name:?} ({})", BackendKind::names()))?;
        match kind {
            BackendKind::Fake => {
                let driver = FakeDriver::builder()
                    .nodes(["bench-node"])
                    .node_size(NodeSize::Custom(capacity_for(n)))
                    .expected_instances(if presize { n } else { 0 })
                    .build();
                Ok(Self {
                    driver: Arc::new(driver),
                    nodes: vec!["bench-node".to_owned()],
                })
            }
            BackendKind::Libvirt => open_libvirt(n),
            BackendKind::Remote => Err(
                "the workload runs in process; `--calls N` measures the fake over a unix \
                 socket (driver-remote)"
                    .to_owned(),
            ),
        }
    }
}

#[cfg(feature = "libvirt")]
fn open_libvirt(n: usize) -> Result<Backend, String> {
    use driver_libvirt::{LibvirtConfig, LibvirtDriver};

    let cpus = u32::try_from(n / 8 + 64).map_err(|e| e.to_string())?;
    let mut config = LibvirtConfig::test()
        .with_test_node(cpus, (n as u64 + 1) * 512)
        .with_node_name("bench-node");
    config.local_gb = n as u64 + 1;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let driver = rt
        .block_on(LibvirtDriver::connect(config))
        .map_err(|e| e.to_string())?;
    Ok(Backend {
        driver: Arc::new(driver),
        nodes: vec!["bench-node".to_owned()],
    })
}

#[cfg(not(feature = "libvirt"))]
fn open_libvirt(_n: usize) -> Result<Backend, String> {
    Err("this build has no libvirt backend: rebuild with `--features libvirt`".to_owned())
}

/// The 1M-instance figure: spawn then destroy every instance over many nodes.
#[derive(Clone, Debug, Serialize)]
pub struct ScaleFigure {
    /// Instances.
    pub instances: usize,
    /// Nodes.
    pub nodes: usize,
    /// Seconds to spawn them all.
    pub spawn_seconds: f64,
    /// Seconds to destroy them all.
    pub destroy_seconds: f64,
}

/// Spawns and destroys `instances` instances of `m1.tiny` over `nodes` nodes of
/// the fake's default size (1000 vCPU each: 1000 nodes hold exactly 1M).
pub fn scale_fake(instances: usize, nodes: usize) -> Result<ScaleFigure, String> {
    let names: Vec<String> = (0..nodes).map(|i| format!("node-{i:04}")).collect();
    let driver = FakeDriver::builder().nodes(names.iter().cloned()).build();
    let specs = workload::build_specs(instances, &names);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| e.to_string())?;
    let ctx = driver_api::RequestContext::admin();
    let image = driver_api::ImageMeta::new("bench-image");
    let bdi = driver_api::BlockDeviceInfo::default();
    rt.block_on(async {
        let start = Instant::now();
        for s in &specs {
            driver
                .spawn(
                    &ctx,
                    &s.instance,
                    &image,
                    &[],
                    None,
                    &s.network_info,
                    &bdi,
                    true,
                )
                .await
                .map_err(|e| e.to_string())?;
        }
        let spawn_seconds = start.elapsed().as_secs_f64();
        let start = Instant::now();
        for s in &specs {
            driver
                .destroy(&s.instance, &s.network_info, &bdi, true)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(ScaleFigure {
            instances,
            nodes,
            spawn_seconds,
            destroy_seconds: start.elapsed().as_secs_f64(),
        })
    })
}

//! The workload: build N specs, then spawn, list, get_info, pause, unpause,
//! power_off, power_on and destroy each, timing every phase.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use driver_api::{
    BlockDeviceInfo, ComputeDriver, DriverResult, Flavor, ImageMeta, Instance, Network,
    RequestContext, Subnet, Vif,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One instance to run, with its network info (one VIF).
pub struct Spec {
    /// The instance.
    pub instance: Instance,
    /// Its VIFs.
    pub network_info: Vec<Vif>,
}

/// SplitMix64: a deterministic stream of well-mixed 64-bit values.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A random-looking version-4 UUID for index `i` (deterministic, distinct per
/// `i` and `stream`), as a compute service would hand out.
fn uuid_v4(stream: u64, i: usize) -> Uuid {
    let hi = splitmix64(stream ^ (i as u64).wrapping_mul(2));
    let lo = splitmix64(stream ^ (i as u64).wrapping_mul(2).wrapping_add(1));
    uuid::Builder::from_random_bytes(((u128::from(hi) << 64) | u128::from(lo)).to_be_bytes())
        .into_uuid()
}

/// Builds `n` specs of the standard flavor `m1.tiny` with one VIF each,
/// spread over `nodes` round-robin. UUIDs are random-looking v4 and names
/// follow Nova's template (`instance-%08x`), as a compute service makes them.
pub fn build_specs(n: usize, nodes: &[String]) -> Vec<Spec> {
    let network = Network::new(
        Uuid::from_u128(0xfeed),
        "private",
        Subnet::new("10.0.0.0/8", None, Vec::new()),
    );
    (0..n)
        .map(|i| {
            let mut instance = Instance::new(uuid_v4(1, i), Flavor::m1_tiny())
                .with_name(format!("instance-{:08x}", i + 1));
            if let Some(node) = nodes.get(i % nodes.len().max(1)) {
                instance = instance.with_node(node.clone());
            }
            let mac = format!(
                "fa:16:3e:{:02x}:{:02x}:{:02x}",
                (i >> 16) & 0xff,
                (i >> 8) & 0xff,
                i & 0xff
            );
            let vif = Vif::new(uuid_v4(2, i), mac, network.clone());
            Spec {
                instance,
                network_info: vec![vif],
            }
        })
        .collect()
}

/// One figure: a phase on a backend at a size and thread count.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Figure {
    /// Backend name.
    pub backend: String,
    /// Instances.
    pub n: usize,
    /// Worker threads.
    pub threads: usize,
    /// The phase.
    pub op: String,
    /// Operations (or lists) done.
    pub ops: u64,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Operations per second.
    pub ops_per_sec: f64,
}

/// The result of one run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunResult {
    /// Per-phase figures.
    pub figures: Vec<Figure>,
    /// Resident bytes per instance after spawning them all (0 if unknown).
    pub bytes_per_instance: f64,
}

/// Resident set size of this process in bytes, from `/proc/self/statm`.
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

type PhaseFn = fn(&dyn ComputeDriver, &[Spec], &tokio::runtime::Runtime) -> DriverResult<u64>;

/// The measured phases, in order: each a name and what it does to one
/// thread's slice of the specs (returning how many operations it made).
pub const PHASES: [(&str, PhaseFn); 8] = [
    ("spawn", |d, specs, rt| {
        let ctx = RequestContext::admin();
        let image = ImageMeta::new("bench-image");
        let bdi = BlockDeviceInfo::default();
        rt.block_on(async {
            for s in specs {
                d.spawn(
                    &ctx,
                    &s.instance,
                    &image,
                    &[],
                    None,
                    &s.network_info,
                    &bdi,
                    true,
                )
                .await?;
            }
            Ok(specs.len() as u64)
        })
    }),
    ("list_instances", |d, specs, rt| {
        // Enough lists to take measurable time, bounded for huge N.
        let lists = (2_000_000 / specs.len().max(1)).clamp(3, 1000) as u64;
        rt.block_on(async {
            for _ in 0..lists {
                let names = d.list_instances().await?;
                std::hint::black_box(names);
            }
            Ok(lists)
        })
    }),
    ("get_info", |d, specs, rt| {
        rt.block_on(async {
            for s in specs {
                std::hint::black_box(d.get_info(&s.instance).await?);
            }
            Ok(specs.len() as u64)
        })
    }),
    ("pause", |d, specs, rt| {
        each(rt, specs, |s| d.pause(&s.instance))
    }),
    ("unpause", |d, specs, rt| {
        each(rt, specs, |s| d.unpause(&s.instance))
    }),
    ("power_off", |d, specs, rt| {
        each(rt, specs, |s| d.power_off(&s.instance, Duration::ZERO))
    }),
    ("power_on", |d, specs, rt| {
        let ctx = RequestContext::admin();
        let bdi = BlockDeviceInfo::default();
        each(rt, specs, |s| {
            d.power_on(&ctx, &s.instance, &s.network_info, &bdi)
        })
    }),
    ("destroy", |d, specs, rt| {
        let bdi = BlockDeviceInfo::default();
        each(rt, specs, |s| {
            d.destroy(&s.instance, &s.network_info, &bdi, true)
        })
    }),
];

fn each<'a, F, Fut>(
    rt: &tokio::runtime::Runtime,
    specs: &'a [Spec],
    mut call: F,
) -> DriverResult<u64>
where
    F: FnMut(&'a Spec) -> Fut,
    Fut: std::future::Future<Output = DriverResult<()>>,
{
    rt.block_on(async {
        for s in specs {
            call(s).await?;
        }
        Ok(specs.len() as u64)
    })
}

/// Runs every phase on `driver` over `specs`, split into `threads` disjoint
/// slices, each on its own thread with its own current-thread runtime. Phases
/// start together (a barrier) and a phase's time is the slowest thread's.
pub fn run(
    backend: &str,
    driver: Arc<dyn ComputeDriver>,
    specs: Vec<Spec>,
    threads: usize,
) -> Result<RunResult, String> {
    let n = specs.len();
    let threads = threads.max(1);
    let chunk = n.div_ceil(threads).max(1);
    let specs = Arc::new(specs);
    let barrier = Arc::new(Barrier::new(threads + 1));
    let before = resident_bytes();
    let mut workers = Vec::new();
    for t in 0..threads {
        let (driver, specs, barrier) = (driver.clone(), specs.clone(), barrier.clone());
        workers.push(std::thread::spawn(
            move || -> Result<Vec<(u64, Duration)>, String> {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?;
                let lo = (t * chunk).min(specs.len());
                let hi = ((t + 1) * chunk).min(specs.len());
                let mine = &specs[lo..hi];
                let mut out = Vec::new();
                let mut failure = None;
                for (op, phase) in PHASES {
                    // Every thread meets the barrier for every phase, even after a
                    // failure, so nobody waits forever.
                    barrier.wait();
                    let start = Instant::now();
                    if failure.is_none() {
                        match phase(driver.as_ref(), mine, &rt) {
                            Ok(count) => out.push((count, start.elapsed())),
                            Err(e) => failure = Some(format!("{op}: {e}")),
                        }
                    }
                    barrier.wait();
                }
                failure.map_or(Ok(out), Err)
            },
        ));
    }
    // The main thread only paces the phases; each worker times its own slice
    // (a thread woken by a barrier may start late), and a phase takes as long as
    // its slowest worker.
    let mut spawned_rss = None;
    for (i, _) in PHASES.iter().enumerate() {
        barrier.wait();
        barrier.wait();
        if i == 0 {
            spawned_rss = resident_bytes();
        }
    }
    let mut ops = vec![0u64; PHASES.len()];
    let mut walls = vec![Duration::ZERO; PHASES.len()];
    for worker in workers {
        let per_phase = worker.join().map_err(|_| "worker panicked".to_owned())??;
        for (i, (count, elapsed)) in per_phase.iter().enumerate() {
            ops[i] += count;
            walls[i] = walls[i].max(*elapsed);
        }
    }
    let figures = PHASES
        .iter()
        .zip(ops.iter().zip(walls.iter()))
        .map(|((op, _), (count, wall))| {
            let seconds = wall.as_secs_f64();
            Figure {
                backend: backend.to_owned(),
                n,
                threads,
                op: (*op).to_owned(),
                ops: *count,
                seconds,
                ops_per_sec: if seconds > 0.0 {
                    *count as f64 / seconds
                } else {
                    0.0
                },
            }
        })
        .collect();
    let bytes_per_instance = match (before, spawned_rss) {
        (Some(b), Some(a)) if n > 0 => a.saturating_sub(b) as f64 / n as f64,
        _ => 0.0,
    };
    Ok(RunResult {
        figures,
        bytes_per_instance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::Backend;

    #[test]
    fn specs_are_distinct_and_spread_over_the_nodes() {
        let nodes = vec!["a".to_owned(), "b".to_owned()];
        let specs = build_specs(1000, &nodes);
        let uuids: std::collections::HashSet<_> = specs.iter().map(|s| s.instance.uuid).collect();
        let names: std::collections::HashSet<_> =
            specs.iter().map(|s| s.instance.name.clone()).collect();
        let vifs: std::collections::HashSet<_> =
            specs.iter().map(|s| s.network_info[0].id).collect();
        assert_eq!((uuids.len(), names.len(), vifs.len()), (1000, 1000, 1000));
        let on_a = specs
            .iter()
            .filter(|s| s.instance.node.as_deref() == Some("a"))
            .count();
        assert_eq!(on_a, 500);
    }

    #[test]
    fn every_phase_runs_every_instance_on_two_threads() {
        let backend = Backend::open("fake", 100, true).unwrap();
        let driver = backend.driver.clone();
        let specs = build_specs(100, &backend.nodes);
        let result = run("fake", backend.driver, specs, 2).unwrap();
        let ops: Vec<(&str, u64)> = result
            .figures
            .iter()
            .map(|f| (f.op.as_str(), f.ops))
            .collect();
        let expected_lists = 2 * (2_000_000 / 50_usize).clamp(3, 1000) as u64;
        assert_eq!(
            ops,
            vec![
                ("spawn", 100),
                ("list_instances", expected_lists),
                ("get_info", 100),
                ("pause", 100),
                ("unpause", 100),
                ("power_off", 100),
                ("power_on", 100),
                ("destroy", 100),
            ]
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert!(rt.block_on(driver.list_instances()).unwrap().is_empty());
    }

    #[test]
    fn a_failing_phase_is_reported_without_hanging_the_other_threads() {
        let backend = Backend::open("fake", 10, true).unwrap();
        let mut specs = build_specs(10, &backend.nodes);
        // Two instances with one name: the second spawn is InstanceExists.
        specs[9].instance.name = specs[0].instance.name.clone();
        let err = run("fake", backend.driver, specs, 2).unwrap_err();
        assert!(err.starts_with("spawn:"), "{err}");
    }
}

//! Times the fake's hot paths on one thread: spawn, get_info, pause, unpause,
//! power_off, power_on, list_instances, destroy over N instances (one VIF
//! each). `cargo run --release -p driver-fake --example hot_paths -- 100000 [phase]`
//! repeats one phase for profiling when `phase` is given.

use std::time::{Duration, Instant};

use driver_api::{
    BlockDeviceInfo, ComputeDriver, Flavor, ImageMeta, Instance, Network, RequestContext,
    ResourceAmounts, Subnet, Vif,
};
use driver_fake::{FakeDriver, NodeSize};
use uuid::Uuid;

fn specs(n: usize) -> Vec<(Instance, Vec<Vif>)> {
    let network = Network::new(
        Uuid::from_u128(1),
        "private",
        Subnet::new("10.0.0.0/8", None, Vec::new()),
    );
    (0..n)
        .map(|i| {
            let uuid = Uuid::from_u128(0xb0b0_0000_0000_0000_0000_0000_0000_0000 | i as u128);
            let instance = Instance::new(uuid, Flavor::m1_tiny()).with_name(format!("bench-{i}"));
            let mac = format!(
                "fa:16:3e:{:02x}:{:02x}:{:02x}",
                (i >> 16) & 0xff,
                (i >> 8) & 0xff,
                i & 0xff
            );
            let vif = Vif::new(
                Uuid::from_u128(0x7a70_0000 | ((i as u128) << 64)),
                mac,
                network.clone(),
            );
            (instance, vec![vif])
        })
        .collect()
}

fn report(name: &str, ops: usize, elapsed: Duration) {
    let rate = ops as f64 / elapsed.as_secs_f64();
    if rate < 1e5 {
        println!("{name:>15}: {rate:>8.1} /s");
    } else {
        println!("{name:>15}: {:>8.2} M ops/s", rate / 1e6);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let only = args.get(2).cloned();
    if only.as_deref() == Some("nodes") {
        return many_nodes(n);
    }
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    let capacity = ResourceAmounts::new(n as u64 + 1, (n as u64 + 1) * 512, n as u64 + 1);
    let driver = FakeDriver::builder()
        .nodes(["bench-node"])
        .node_size(NodeSize::Custom(capacity))
        .expected_instances(if std::env::var_os("NO_HINT").is_some() {
            0
        } else {
            n
        })
        .build();
    let specs = specs(n);
    let (ctx, image, bdi) = (
        RequestContext::admin(),
        ImageMeta::new("i"),
        BlockDeviceInfo::default(),
    );
    rt.block_on(async {
        if only.as_deref() == Some("churn") {
            // Spawn and destroy everything ten times (for profiling).
            for _ in 0..10 {
                for (instance, vifs) in &specs {
                    driver
                        .spawn(&ctx, instance, &image, &[], None, vifs, &bdi, true)
                        .await?;
                }
                for (instance, vifs) in &specs {
                    driver.destroy(instance, vifs, &bdi, true).await?;
                }
            }
            return Ok(());
        }
        let start = Instant::now();
        for (instance, vifs) in &specs {
            driver
                .spawn(&ctx, instance, &image, &[], None, vifs, &bdi, true)
                .await?;
        }
        report("spawn", n, start.elapsed());
        let rounds = if only.is_some() { 20 } else { 1 };
        for phase in [
            "get_info",
            "pause",
            "unpause",
            "power_off",
            "power_on",
            "list_instances",
        ] {
            if only.as_deref().is_some_and(|o| o != phase) {
                continue;
            }
            let start = Instant::now();
            let mut ops = 0;
            for round in 0..rounds {
                if phase == "list_instances" {
                    let lists = (2_000_000 / n).clamp(3, 1000);
                    for _ in 0..lists {
                        std::hint::black_box(driver.list_instances().await?);
                    }
                    ops += lists;
                    continue;
                }
                for (instance, _) in &specs {
                    match phase {
                        "get_info" => {
                            std::hint::black_box(driver.get_info(instance).await?);
                        }
                        "pause" if round % 2 == 0 => driver.pause(instance).await?,
                        "pause" => driver.unpause(instance).await?,
                        "unpause" => driver.unpause(instance).await?,
                        "power_off" if round % 2 == 0 || only.is_none() => {
                            driver.power_off(instance, Duration::ZERO).await?
                        }
                        "power_off" => driver.power_on(&ctx, instance, &[], &bdi).await?,
                        _ => driver.power_on(&ctx, instance, &[], &bdi).await?,
                    }
                }
                ops += n;
            }
            report(phase, ops, start.elapsed());
        }
        let start = Instant::now();
        for (instance, vifs) in &specs {
            driver.destroy(instance, vifs, &bdi, true).await?;
        }
        report("destroy", n, start.elapsed());
        // Steady state: the maps have grown already.
        let start = Instant::now();
        for (instance, vifs) in &specs {
            driver
                .spawn(&ctx, instance, &image, &[], None, vifs, &bdi, true)
                .await?;
        }
        report("spawn (again)", n, start.elapsed());
        Ok(())
    })
}

/// N instances over 1000 nodes: spawn all, then destroy all.
fn many_nodes(n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    let nodes: Vec<String> = (0..1000).map(|i| format!("node-{i}")).collect();
    let per_node = (n / nodes.len() + 1) as u64;
    let driver = FakeDriver::builder()
        .nodes(nodes.clone())
        .node_size(NodeSize::Custom(ResourceAmounts::new(
            per_node,
            per_node * 512,
            per_node,
        )))
        .expected_instances(if std::env::var_os("NO_HINT").is_some() {
            0
        } else {
            n
        })
        .build();
    let mut specs = specs(n);
    for (i, (instance, _)) in specs.iter_mut().enumerate() {
        instance.node = Some(nodes[i % nodes.len()].clone());
    }
    let (ctx, image, bdi) = (
        RequestContext::admin(),
        ImageMeta::new("i"),
        BlockDeviceInfo::default(),
    );
    rt.block_on(async {
        let start = Instant::now();
        for (instance, vifs) in &specs {
            driver
                .spawn(&ctx, instance, &image, &[], None, vifs, &bdi, true)
                .await?;
        }
        let spawned = start.elapsed();
        for (instance, vifs) in &specs {
            driver.destroy(instance, vifs, &bdi, true).await?;
        }
        println!(
            "{n} instances on {} nodes: spawn {:.2} s, spawn + destroy {:.2} s",
            nodes.len(),
            spawned.as_secs_f64(),
            start.elapsed().as_secs_f64()
        );
        Ok(())
    })
}

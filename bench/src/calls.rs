//! `--calls`: the cost of one call, in process and over the wire.
//!
//! `get_info` on one running instance, with 1 and with 16 calls in flight,
//! on the in-process fake and on the same fake served by `driver-remote`
//! over a unix socket (the server in its own runtime, as `compute-serve`
//! runs it) through one connection and through one per core (as
//! `RemoteFactory` opens them): calls per second and p50/p99 latency.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use driver_api::{BlockDeviceInfo, ComputeDriver, Flavor, ImageMeta, Instance, RequestContext};
use driver_remote::client::RemoteDriver;
use driver_remote::endpoint::{connect_pool, default_connections, Endpoint, Listener};
use driver_remote::fake::FakeSource;
use driver_remote::server::{routes, Registry};
use serde::Serialize;
use uuid::Uuid;

/// One configuration's figures.
#[derive(Debug, Clone, Serialize)]
pub struct CallFigure {
    /// `fake`, or `remote-fake (unix, N conn)`: over N connections.
    pub backend: String,
    /// Calls in flight.
    pub in_flight: usize,
    /// Calls made.
    pub calls: usize,
    /// Calls per second.
    pub calls_per_s: f64,
    /// Median latency, µs.
    pub p50_us: f64,
    /// 99th-percentile latency, µs.
    pub p99_us: f64,
}

/// Runs every configuration with `calls` calls each.
pub fn run(calls: usize) -> Result<Vec<CallFigure>, String> {
    let client = runtime(2)?;
    let server = runtime(2)?;
    let socket = socket_path();
    let endpoint = Endpoint::Unix(socket.clone());
    let stop = start_server(&server, &endpoint)?;
    let figures = client.block_on(async {
        let local: Arc<dyn ComputeDriver> = Arc::new(driver_fake::FakeDriver::new());
        let mut backends = vec![("fake".to_owned(), local)];
        // One connection, and one per core (what RemoteFactory opens).
        let mut pools = vec![1, default_connections()];
        pools.dedup();
        for connections in pools {
            let channels = connect_pool(&endpoint, None, connections)
                .await
                .map_err(|e| e.to_string())?;
            let remote: Arc<dyn ComputeDriver> = Arc::new(
                RemoteDriver::connect_pool(channels)
                    .await
                    .map_err(|e| e.to_string())?,
            );
            backends.push((format!("remote-fake (unix, {connections} conn)"), remote));
        }
        let mut figures = Vec::new();
        for (name, driver) in backends {
            let instance = prepare(&driver, &name).await?;
            for in_flight in [1, 16] {
                // Warm up: connections, allocations, caches.
                measure(&driver, &instance, in_flight, calls / 10 + 1).await?;
                let (elapsed, mut latencies) =
                    measure(&driver, &instance, in_flight, calls).await?;
                latencies.sort_unstable();
                figures.push(CallFigure {
                    backend: name.clone(),
                    in_flight,
                    calls,
                    calls_per_s: calls as f64 / elapsed.as_secs_f64(),
                    p50_us: percentile(&latencies, 50),
                    p99_us: percentile(&latencies, 99),
                });
            }
        }
        Ok::<_, String>(figures)
    });
    let _ = stop.send(());
    drop(server);
    let _ = std::fs::remove_file(&socket);
    figures
}

fn runtime(threads: usize) -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

fn socket_path() -> PathBuf {
    std::env::temp_dir().join(format!("driver-bench-{}.sock", std::process::id()))
}

fn start_server(
    server: &tokio::runtime::Runtime,
    endpoint: &Endpoint,
) -> Result<tokio::sync::oneshot::Sender<()>, String> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    server.block_on(async {
        let registry = Registry::new(Arc::new(FakeSource::new()))
            .await
            .map_err(|e| e.to_string())?;
        let listener = Listener::bind(endpoint, None)
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(listener.serve(routes(registry), async {
            let _ = stopped.await;
        }));
        Ok::<_, String>(())
    })?;
    Ok(stop)
}

/// A running instance named after the configuration (the remote ones share
/// the server's backend).
async fn prepare(driver: &Arc<dyn ComputeDriver>, name: &str) -> Result<Instance, String> {
    driver.init_host("bench").await.map_err(|e| e.to_string())?;
    let name: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    let instance =
        Instance::new(Uuid::new_v4(), Flavor::m1_tiny()).with_name(format!("bench-{name}"));
    driver
        .spawn(
            &RequestContext::admin(),
            &instance,
            &ImageMeta::new("cirros"),
            &[],
            None,
            &[],
            &BlockDeviceInfo::default(),
            true,
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(instance)
}

/// `calls` calls of `get_info`, `in_flight` at a time; the wall time and
/// every call's latency.
async fn measure(
    driver: &Arc<dyn ComputeDriver>,
    instance: &Instance,
    in_flight: usize,
    calls: usize,
) -> Result<(Duration, Vec<Duration>), String> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..in_flight)
        .map(|_| {
            let (driver, instance, next) = (driver.clone(), instance.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(calls / in_flight + 1);
                while next.fetch_add(1, Ordering::Relaxed) < calls {
                    let call = Instant::now();
                    driver
                        .get_info(&instance)
                        .await
                        .map_err(|e| e.to_string())?;
                    latencies.push(call.elapsed());
                }
                Ok::<_, String>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(calls);
    for worker in workers {
        latencies.extend(worker.await.map_err(|e| e.to_string())??);
    }
    Ok((started.elapsed(), latencies))
}

fn percentile(sorted: &[Duration], pct: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = (sorted.len() * pct / 100).min(sorted.len() - 1);
    sorted[index].as_secs_f64() * 1e6
}

/// Prints the figures as a table.
pub fn print(figures: &[CallFigure]) {
    println!(
        "{:<28} {:>9} {:>9} {:>12} {:>10} {:>10}",
        "backend", "in flight", "calls", "calls/s", "p50 µs", "p99 µs"
    );
    for f in figures {
        println!(
            "{:<28} {:>9} {:>9} {:>12.0} {:>10.1} {:>10.1}",
            f.backend, f.in_flight, f.calls, f.calls_per_s, f.p50_us, f.p99_us
        );
    }
}

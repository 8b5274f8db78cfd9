//! `driver-bench`: one workload on any backend, figures side by side.
//!
//! ```text
//! cargo run --release -p driver-bench -- --quick
//! cargo run --release -p driver-bench -- --sizes 1000,10000,100000,1000000 --json bench.json
//! cargo run --release -p driver-bench --features libvirt -- --backend fake,libvirt
//! cargo run --release -p driver-bench -- --calls 200000   # get_info in process vs over a unix socket
//! ```
#![forbid(unsafe_code)]

mod backends;
mod calls;
mod report;
mod workload;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(version, about = "Benchmark ComputeDriver backends with one workload")]
struct Options {
    /// Backends to measure, comma-separated: `fake`, `libvirt` (needs the `libvirt` feature).
    #[arg(long, value_delimiter = ',', default_value = "fake")]
    backend: Vec<String>,
    /// Instance counts, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000,100000")]
    sizes: Vec<usize>,
    /// Worker-thread counts, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    threads: Vec<usize>,
    /// Largest instance count for libvirt (its `test:///` driver is ~500x slower).
    #[arg(long, default_value_t = 10_000)]
    libvirt_max: usize,
    /// Do not tell the fake how many instances to expect (its tables then grow
    /// during the spawn phase).
    #[arg(long)]
    no_presize: bool,
    /// A quick run that only checks the bench works: 1000 instances, 1 and 2 threads.
    #[arg(long)]
    quick: bool,
    /// Also spawn and destroy 1M instances over 1000 nodes on the fake, timed.
    #[arg(long)]
    scale: bool,
    /// Instead of the workload: the cost of one call, `get_info` with 1 and 16
    /// in flight, on the fake in process and served over a unix socket
    /// (`driver-remote`); this many calls per configuration.
    #[arg(long, value_name = "CALLS")]
    calls: Option<usize>,
    /// Write every figure as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Internal: run one `backend:n:threads:presize` configuration in this process and
    /// print its result as JSON (every configuration runs in a fresh process, so
    /// resident memory is measured from a clean heap).
    #[arg(long, hide = true)]
    one: Option<String>,
}

fn main() -> ExitCode {
    let mut options = Options::parse();
    if let Some(one) = &options.one {
        return match run_one(one) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("driver-bench: {message}");
                ExitCode::FAILURE
            }
        };
    }
    if let Some(calls) = options.calls {
        let calls = if options.quick {
            calls.min(2000)
        } else {
            calls
        };
        return match calls::run(calls.max(1)) {
            Ok(figures) => {
                calls::print(&figures);
                if let Some(path) = &options.json {
                    let json = serde_json::to_string_pretty(&figures).unwrap_or_default();
                    if let Err(error) = std::fs::write(path, json) {
                        eprintln!("driver-bench: {}: {error}", path.display());
                        return ExitCode::FAILURE;
                    }
                }
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("driver-bench: {message}");
                ExitCode::FAILURE
            }
        };
    }
    if options.quick {
        options.sizes = vec![1000];
        options.threads = vec![1, 2];
    }
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("driver-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: &Options) -> Result<(), String> {
    let mut results = Vec::new();
    for backend in &options.backend {
        for &n in &options.sizes {
            if backend == "libvirt" && n > options.libvirt_max {
                eprintln!(
                    "skipping libvirt at n={n} (above --libvirt-max {})",
                    options.libvirt_max
                );
                continue;
            }
            for &threads in &options.threads {
                eprintln!("{backend}: n={n} threads={threads} ...");
                let result = run_child(backend, n, threads, !options.no_presize)?;
                report::print_run(&result);
                results.push(result);
            }
        }
    }
    let scale = if options.scale {
        let figure = backends::scale_fake(1_000_000, 1000)?;
        report::print_scale(&figure);
        Some(figure)
    } else {
        None
    };
    report::print_summary(&results);
    if let Some(path) = &options.json {
        report::write_json(path, &results, scale.as_ref())?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// Runs one configuration in a child process (a clean heap for the memory figure).
fn run_child(
    backend: &str,
    n: usize,
    threads: usize,
    presize: bool,
) -> Result<workload::RunResult, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let output = std::process::Command::new(exe)
        .arg("--one")
        .arg(format!("{backend}:{n}:{threads}:{presize}"))
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!("{backend} n={n} threads={threads} failed"));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("bad child output: {e}"))
}

/// The child's side: `backend:n:threads:presize`, run, result as JSON.
fn run_one(spec: &str) -> Result<String, String> {
    let parts: Vec<&str> = spec.split(':').collect();
    let [backend, n, threads, presize] = parts.as_slice() else {
        return Err(format!(
            "--one wants backend:n:threads:presize, got {spec:?}"
        ));
    };
    let presize = *presize == "true";
    let n: usize = n.parse().map_err(|e| format!("n: {e}"))?;
    let threads: usize = threads.parse().map_err(|e| format!("threads: {e}"))?;
    let opened = backends::Backend::open(backend, n, presize)?;
    let specs = workload::build_specs(n, &opened.nodes);
    let result = workload::run(backend, opened.driver, specs, threads)?;
    serde_json::to_string(&result).map_err(|e| e.to_string())
}

//! Tables and JSON for the figures, with the peers' published figures beside ours.

use std::path::Path;

use serde::Serialize;

use crate::backends::ScaleFigure;
use crate::workload::{RunResult, PHASES};

/// Peers measured on this kind of machine (one thread, 100k instances, ops/s):
/// Nova 34.0's Python fake and libvirt `test:///` through its C API.
pub const PEERS: [(&str, [Option<f64>; 8], f64); 2] = [
    (
        "nova-fake (Python, peer)",
        [
            Some(295e3),
            Some(108.0),
            Some(1.19e6),
            None,
            None,
            Some(1.58e6),
            Some(1.51e6),
            Some(716e3),
        ],
        245.0,
    ),
    (
        "libvirt test:/// C API (peer)",
        [
            Some(6.5e3),
            Some(4.5),
            Some(262e3),
            Some(233e3),
            Some(233e3),
            Some(209e3),
            Some(9.4e3),
            Some(73e3),
        ],
        5400.0,
    ),
];

fn human(rate: f64) -> String {
    if rate >= 1e6 {
        format!("{:.2}M", rate / 1e6)
    } else if rate >= 1e3 {
        format!("{:.1}k", rate / 1e3)
    } else {
        format!("{rate:.1}")
    }
}

fn header() -> String {
    let mut line = format!("| {:<30} | {:>8} | {:>3} |", "backend", "n", "thr");
    for (op, _) in PHASES {
        line.push_str(&format!(" {op:>14} |"));
    }
    line.push_str(" bytes/inst |");
    line
}

/// Prints one run as a table row.
pub fn print_run(result: &RunResult) {
    let Some(first) = result.figures.first() else {
        return;
    };
    let mut line = format!(
        "| {:<30} | {:>8} | {:>3} |",
        first.backend, first.n, first.threads
    );
    for figure in &result.figures {
        line.push_str(&format!(" {:>14} |", human(figure.ops_per_sec)));
    }
    line.push_str(&format!(" {:>10.0} |", result.bytes_per_instance));
    println!("{line}");
}

/// Prints every run, then the peers, as one Markdown table (ops/s; lists/s for `list_instances`).
pub fn print_summary(results: &[RunResult]) {
    println!();
    println!("{}", header());
    println!("|{}|", vec!["---"; PHASES.len() + 4].join("|"));
    for result in results {
        print_run(result);
    }
    for (name, rates, bytes) in PEERS {
        let mut line = format!("| {name:<30} | {:>8} | {:>3} |", 100_000, 1);
        for rate in rates {
            line.push_str(&format!(
                " {:>14} |",
                rate.map_or("no-op".to_owned(), human)
            ));
        }
        line.push_str(&format!(" {bytes:>10.0} |"));
        println!("{line}");
    }
}

/// Prints the 1M-instance scale figure.
pub fn print_scale(figure: &ScaleFigure) {
    println!(
        "scale: {} instances on {} nodes: spawn {:.3} s + destroy {:.3} s = {:.3} s",
        figure.instances,
        figure.nodes,
        figure.spawn_seconds,
        figure.destroy_seconds,
        figure.spawn_seconds + figure.destroy_seconds
    );
}

#[derive(Serialize)]
struct JsonReport<'a> {
    runs: &'a [RunResult],
    scale: Option<&'a ScaleFigure>,
}

/// Writes every figure as JSON.
pub fn write_json(
    path: &Path,
    results: &[RunResult],
    scale: Option<&ScaleFigure>,
) -> Result<(), String> {
    let report = JsonReport {
        runs: results,
        scale,
    };
    let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

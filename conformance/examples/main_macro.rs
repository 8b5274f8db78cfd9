//! A backend's own conformance runner in one line: `conformance::main!`
//! gives the minimal example backend the whole command line of
//! `conformance-runner` (filters, `--skip`, `--exact`, `--tier`, `--list`,
//! `--json`, `--junit`, `--matrix`, `--seed`, `--fail-fast`, `--jobs`,
//! `--timeout`):
//!
//! ```sh
//! cargo run -p conformance --features cli --example main_macro -- --tier core --junit core.xml
//! ```
#[path = "minimal_backend.rs"]
#[allow(dead_code)]
mod minimal_backend;

conformance::main!(minimal_backend::MinimalFactory);

//! Tier 2: the whole conformance suite on real QEMU guests, when
//! `LIBVIRT_TIER2_URI` names a libvirtd (`URI=$(bash .ci/libvirtd.sh start
//! /tmp/lvstate)`); otherwise it prints why it skips. The runner binary does
//! the same with reports: `cargo run --release -p conformance-runner
//! --features libvirt -- --backend libvirt --uri "$URI" --junit ...`.

use std::sync::Arc;

use conformance::RunOptions;
use driver_libvirt::factory::LibvirtFactory;

#[test]
fn conformance_suite_on_qemu() {
    let Ok(uri) = std::env::var("LIBVIRT_TIER2_URI") else {
        eprintln!("skipped: set LIBVIRT_TIER2_URI (e.g. from .ci/libvirtd.sh start) to run tier 2");
        return;
    };
    let options = RunOptions {
        concurrency: 4,
        ..RunOptions::default()
    };
    let report = conformance::run(Arc::new(LibvirtFactory::qemu(uri)), &options, |_| {})
        .expect("a Tokio runtime");
    // Failures and errors (a factory that cannot reach libvirtd) alike.
    let failures: Vec<String> = report
        .broken()
        .map(|c| format!("{}: {}", c.id, c.verdict))
        .collect();
    eprintln!(
        "tier 2: {} cases, {} passed, {} skipped, {} failed, {} errors in {:.1}s",
        report.summary.total,
        report.summary.passed,
        report.summary.skipped,
        report.summary.failed,
        report.summary.errors,
        report.duration_s
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

//! Tier 2: the whole conformance suite on real QEMU guests. Ignored (with the
//! reason) unless asked for with `--include-ignored` while `LIBVIRT_TIER2_URI`
//! names a libvirtd (`URI=$(bash .ci/libvirtd.sh start /tmp/lvstate)`); asked
//! for without it, the test fails rather than pass untested. The runner binary does
//! the same with reports: `cargo run --release -p conformance-runner
//! --features libvirt -- --backend libvirt --uri "$URI" --junit ...`.

use std::sync::Arc;

use conformance::RunOptions;
use conformance_runner::LibvirtFactory;

#[test]
#[ignore = "tier 2: needs a libvirtd (LIBVIRT_TIER2_URI); run with --include-ignored"]
fn conformance_suite_on_qemu() {
    let uri = std::env::var("LIBVIRT_TIER2_URI").unwrap_or_else(|_| {
        panic!("tier 2 was asked for, but LIBVIRT_TIER2_URI does not name a libvirtd")
    });
    // Real guests under TCG on a small machine: the protocol-variant cases
    // boot a dozen guests each.
    let options = RunOptions {
        concurrency: 4,
        case_timeout: std::time::Duration::from_secs(300),
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

//! JUnit XML: one test suite per area, one test case per case.

use std::collections::BTreeMap;
use std::time::Duration;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use super::Report;
use crate::verdict::Verdict;

/// The report as JUnit XML (Jenkins flavour), for CI dashboards.
pub fn to_junit(report: &Report) -> String {
    let mut junit = quick_junit::Report::new(format!("conformance ({})", report.backend));
    junit.set_time(Duration::from_secs_f64(report.duration_s.max(0.0)));
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for case in &report.cases {
        let status = match &case.verdict {
            Verdict::Pass => TestCaseStatus::success(),
            Verdict::Skipped { reason } => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(reason.as_str());
                status
            }
            Verdict::Fail {
                expected,
                got,
                steps,
            } => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(format!("expected {expected}, got {got}"));
                status.set_type("contract violation");
                let numbered: Vec<String> = steps
                    .iter()
                    .enumerate()
                    .map(|(n, s)| format!("{}. {s}", n + 1))
                    .collect();
                status.set_description(numbered.join("\n"));
                status
            }
        };
        let mut test_case = TestCase::new(case.id.as_str(), status);
        test_case.set_classname(format!("conformance.{}", case.area()));
        test_case.set_time(case.duration());
        suites
            .entry(case.area())
            .or_insert_with(|| TestSuite::new(case.area()))
            .add_test_case(test_case);
    }
    junit.add_test_suites(suites.into_values());
    junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot serialise the JUnit report: {e} -->"))
}

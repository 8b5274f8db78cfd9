//! JUnit XML as Jenkins' xUnit schema (`junit-10.xsd`) defines it: one test
//! suite per area, one test case per case, the run's properties on every
//! suite.

use std::collections::BTreeMap;

use driver_api::Feature;

use super::xml::XmlWriter;
use super::Report;
use crate::verdict::{CaseReport, Verdict};

/// The report as JUnit XML, valid against Jenkins xUnit's `junit-10.xsd`.
///
/// `<testsuites>` carries the totals (tests, failures, errors, time); each
/// `<testsuite>` (one per area) its own counts, `skipped`, `timestamp`,
/// `hostname` and `<properties>` (backend, driver, capabilities, selection,
/// seed). A failure is `<failure type="contract violation">` with expected /
/// got and the numbered steps; an error of the factory or the harness is
/// `<error type="harness error">`; a skip is `<skipped message="reason">`.
pub fn to_junit(report: &Report) -> String {
    let mut areas: BTreeMap<&str, Vec<&CaseReport>> = BTreeMap::new();
    for case in &report.cases {
        areas.entry(case.area()).or_default().push(case);
    }
    let properties = properties(report);
    let mut xml = XmlWriter::new();
    let summary = report.summary;
    xml.start(
        "testsuites",
        &[
            ("name", &format!("conformance ({})", report.backend)),
            ("tests", &summary.total.to_string()),
            ("failures", &summary.failed.to_string()),
            ("errors", &summary.errors.to_string()),
            ("time", &seconds(report.duration_s)),
        ],
    );
    for (id, (area, cases)) in areas.iter().enumerate() {
        let count = |f: fn(&Verdict) -> bool| cases.iter().filter(|c| f(&c.verdict)).count();
        let time: f64 = cases.iter().map(|c| c.duration_s).sum();
        xml.start(
            "testsuite",
            &[
                ("name", area),
                ("tests", &cases.len().to_string()),
                ("failures", &count(Verdict::is_fail).to_string()),
                ("errors", &count(Verdict::is_error).to_string()),
                ("skipped", &count(Verdict::is_skipped).to_string()),
                ("time", &seconds(time)),
                ("timestamp", &report.timestamp),
                ("hostname", &report.environment.hostname),
                ("id", &id.to_string()),
                ("package", "conformance"),
            ],
        );
        xml.start("properties", &[]);
        for (name, value) in &properties {
            xml.empty("property", &[("name", name), ("value", value)]);
        }
        xml.end();
        for case in cases {
            write_case(&mut xml, case);
        }
        xml.end();
    }
    xml.finish()
}

fn write_case(xml: &mut XmlWriter, case: &CaseReport) {
    let classname = format!("conformance.{}", case.area());
    let attributes = [
        ("name", case.id.as_str()),
        ("classname", classname.as_str()),
        ("time", &seconds(case.duration_s)),
    ];
    match &case.verdict {
        Verdict::Pass => xml.empty("testcase", &attributes),
        Verdict::Skipped { reason } => {
            xml.start("testcase", &attributes);
            xml.empty("skipped", &[("message", reason)]);
            xml.end();
        }
        Verdict::Fail {
            expected,
            got,
            steps,
        } => {
            xml.start("testcase", &attributes);
            let message = format!("expected {expected}, got {got}");
            xml.text(
                "failure",
                &[("message", &message), ("type", "contract violation")],
                &numbered(steps),
            );
            xml.end();
        }
        Verdict::Error { message, steps } => {
            xml.start("testcase", &attributes);
            xml.text(
                "error",
                &[("message", message), ("type", "harness error")],
                &numbered(steps),
            );
            xml.end();
        }
    }
}

/// The run's facts, as `<property>` pairs.
fn properties(report: &Report) -> Vec<(&'static str, String)> {
    let capabilities = report.capabilities.map_or_else(
        || "unknown (the factory failed)".to_owned(),
        |caps| {
            Feature::ALL
                .iter()
                .filter(|f| caps.supports(**f))
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(",")
        },
    );
    let selection = &report.selection;
    let mut properties = vec![
        ("backend", report.backend.clone()),
        ("driver", report.driver.clone()),
        ("capabilities", capabilities),
        ("filters", selection.filters.join(" ")),
        ("skip", selection.skip.join(" ")),
        ("exact", selection.exact.to_string()),
        (
            "tier",
            selection
                .tier
                .map_or_else(|| "all".to_owned(), |t| t.to_string()),
        ),
        (
            "seed",
            selection
                .seed
                .map_or_else(|| "default".to_owned(), |s| s.to_string()),
        ),
        ("suite_version", report.environment.suite_version.clone()),
    ];
    properties.retain(|(_, value)| !value.is_empty());
    properties
}

fn numbered(steps: &[String]) -> String {
    steps
        .iter()
        .enumerate()
        .map(|(n, s)| format!("{}. {s}", n + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Seconds as the schema's `SUREFIRE_TIME` accepts them (`12.345`).
fn seconds(value: f64) -> String {
    format!("{:.3}", value.max(0.0))
}

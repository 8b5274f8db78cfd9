//! The support matrix: each contract method, whether the backend declares it,
//! and how the cases exercising it fared.

use driver_api::DriverMethod;

use super::Report;

/// The support matrix as a Markdown table (method × declared / passed).
///
/// A method is "declared" when it is mandatory or its feature is in the
/// backend's capabilities; "passed" counts the cases that exercise it.
pub fn to_matrix(report: &Report) -> String {
    let mut out = format!(
        "# Support matrix: {} ({})\n\n{}\n\n| method | feature | declared | cases passed | failed | skipped | status |\n|---|---|---|---|---|---|---|\n",
        report.backend,
        report.driver,
        report.summary_line()
    );
    for method in DriverMethod::ALL {
        let feature = method.feature().map_or("mandatory", |f| f.name());
        let declared = match (method.feature(), &report.capabilities) {
            (None, _) => "yes",
            (Some(f), Some(caps)) if caps.supports(f) => "yes",
            (Some(_), Some(_)) => "no",
            (Some(_), None) => "?",
        };
        let cases: Vec<_> = report
            .cases
            .iter()
            .filter(|c| c.exercises.contains(method))
            .collect();
        let passed = cases.iter().filter(|c| c.verdict.is_pass()).count();
        let failed = cases.iter().filter(|c| c.verdict.is_fail()).count();
        let skipped = cases.iter().filter(|c| c.verdict.is_skipped()).count();
        let run = passed + failed;
        let status = if failed > 0 {
            "❌ broken"
        } else if run == 0 {
            "➖ not run"
        } else if declared == "yes" {
            "✅ supported"
        } else {
            "✅ refused as unsupported"
        };
        out.push_str(&format!(
            "| `{}` | {feature} | {declared} | {passed}/{run} | {failed} | {skipped} | {status} |\n",
            method.name()
        ));
    }
    out
}

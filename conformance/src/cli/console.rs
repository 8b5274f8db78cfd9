//! What the command line prints: one line per case (with the time of slow
//! ones), progress on long runs, failures and errors in full, the smallest
//! failing cases first when many fail, skips by reason, the summary.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use driver_api::Feature;

use super::ColorArg;
use crate::report::{skip_table, Report};
use crate::verdict::{CaseReport, Verdict};

/// A case slower than this shows its time.
const SLOW: Duration = Duration::from_secs(1);
/// Progress is printed at most this often.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);
/// With more failures than this, the smallest are named first.
const MANY_FAILURES: usize = 3;
/// How many of the smallest failures are named.
const ROOTS_SHOWN: usize = 5;

/// How the console prints: colour or not, quiet or not.
#[derive(Clone, Copy, Debug)]
pub struct Console {
    color: bool,
    quiet: bool,
}

/// An ANSI colour.
#[derive(Clone, Copy)]
enum Paint {
    Green,
    Red,
    Yellow,
    Magenta,
}

impl Console {
    /// A console: colour per `color` (`Auto`: stdout is a terminal and
    /// `NO_COLOR` is unset or empty), everything but failures, errors and
    /// the summary left out when `quiet`.
    pub fn new(color: ColorArg, quiet: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => !no_color && std::io::stdout().is_terminal(),
        };
        Self { color, quiet }
    }

    fn paint(&self, paint: Paint, text: &str) -> String {
        if !self.color {
            return text.to_owned();
        }
        let code = match paint {
            Paint::Green => "32",
            Paint::Red => "31",
            Paint::Yellow => "33",
            Paint::Magenta => "35",
        };
        format!("\u{1b}[{code}m{text}\u{1b}[0m")
    }

    /// The line of one finished case: `test nova::spawn ... ok`, the time
    /// when the case was slow.
    pub fn case_line(&self, case: &CaseReport) -> String {
        let outcome = match &case.verdict {
            Verdict::Pass => self.paint(Paint::Green, "ok"),
            Verdict::Fail { .. } => self.paint(Paint::Red, "FAILED"),
            Verdict::Error { .. } => self.paint(Paint::Magenta, "ERROR"),
            Verdict::Skipped { reason } => {
                format!("{} ({reason})", self.paint(Paint::Yellow, "skipped"))
            }
        };
        let time = if case.duration() >= SLOW {
            format!(" <{:.2}s>", case.duration_s)
        } else {
            String::new()
        };
        format!("test {} ... {outcome}{time}", case.id)
    }

    /// A progress tracker for a run of `total` cases.
    pub fn progress(self, total: usize) -> Progress {
        Progress {
            console: self,
            total,
            done: 0,
            broken: 0,
            started: Instant::now(),
            last_note: Instant::now(),
        }
    }

    /// Prints what follows the cases: failures and errors in full, the
    /// smallest failures when there are many, skips by reason, what the
    /// backend declares and the summary line.
    pub fn summary(&self, report: &Report) {
        let broken: Vec<&CaseReport> = report.broken().collect();
        if !broken.is_empty() {
            println!("\nfailures:\n");
            for case in &broken {
                println!("---- {} ----\n{}", case.id, case.verdict);
            }
            println!("failures:");
            for case in &broken {
                println!("    {}", case.id);
            }
        }
        let smallest = report.smallest_failures();
        if smallest.len() > MANY_FAILURES {
            println!(
                "\n{} cases failed; the smallest first (the likeliest to show the root):",
                smallest.len()
            );
            for case in smallest.iter().take(ROOTS_SHOWN) {
                println!(
                    "    {} ({} steps; re-run alone: --exact {})",
                    case.id,
                    case.verdict.steps().len(),
                    case.id
                );
            }
        }
        if report.summary.errors > 0 {
            println!(
                "\n{} cases ended in an error: the factory or the harness failed, so they judged \
                 nothing (exit code 2)",
                report.summary.errors
            );
        }
        if !self.quiet {
            print_skips(report);
        }
        println!("\n{}", declared_line(report));
        let line = report.summary_line();
        let paint = if report.is_success() {
            Paint::Green
        } else {
            Paint::Red
        };
        println!("{}", self.paint(paint, &line));
    }
}

fn print_skips(report: &Report) {
    let table = skip_table("skipped (not passed)", &report.skips_by_reason());
    if !table.is_empty() {
        print!("\n{table}");
    }
}

/// `declares every feature` or the undeclared ones, so skips make sense.
fn declared_line(report: &Report) -> String {
    let Some(capabilities) = report.capabilities else {
        return format!(
            "{}: capabilities unknown (the factory failed)",
            report.driver
        );
    };
    let undeclared: Vec<&str> = Feature::ALL
        .iter()
        .filter(|f| !capabilities.supports(**f))
        .map(|f| f.name())
        .collect();
    if undeclared.is_empty() {
        format!("{} declares every feature", report.driver)
    } else {
        format!(
            "{} does not declare: {}",
            report.driver,
            undeclared.join(", ")
        )
    }
}

/// Prints each finished case (failures only when quiet) and, every few
/// seconds of a long run, how many cases are done.
#[derive(Debug)]
pub struct Progress {
    console: Console,
    total: usize,
    done: usize,
    broken: usize,
    started: Instant,
    last_note: Instant,
}

impl Progress {
    /// Records and prints one finished case.
    pub fn case_done(&mut self, case: &CaseReport) {
        self.done += 1;
        let broken = case.verdict.is_fail() || case.verdict.is_error();
        if broken {
            self.broken += 1;
        }
        if !self.console.quiet || broken {
            println!("{}", self.console.case_line(case));
        }
        if self.last_note.elapsed() >= PROGRESS_EVERY && self.done < self.total {
            self.last_note = Instant::now();
            eprintln!(
                "progress: {}/{} cases done, {} failed, {:.0}s",
                self.done,
                self.total,
                self.broken,
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Hosts, Tier};

    fn case(verdict: Verdict, duration_s: f64) -> CaseReport {
        CaseReport {
            id: "nova::spawn".into(),
            tier: Tier::Core,
            hosts: Hosts::One,
            needs: Vec::new(),
            exercises: Vec::new(),
            verdict,
            duration_s,
        }
    }

    #[test]
    fn slow_cases_show_their_time_fast_ones_do_not() {
        let console = Console::new(ColorArg::Never, false);
        assert_eq!(
            console.case_line(&case(Verdict::Pass, 0.01)),
            "test nova::spawn ... ok"
        );
        assert_eq!(
            console.case_line(&case(Verdict::Pass, 2.5)),
            "test nova::spawn ... ok <2.50s>"
        );
    }

    #[test]
    fn colour_wraps_the_outcome_only_when_on() {
        let error = Verdict::Error {
            message: "down".into(),
            steps: Vec::new(),
        };
        let plain = Console::new(ColorArg::Never, false).case_line(&case(error.clone(), 0.0));
        assert_eq!(plain, "test nova::spawn ... ERROR");
        let coloured = Console::new(ColorArg::Always, false).case_line(&case(error, 0.0));
        assert_eq!(coloured, "test nova::spawn ... \u{1b}[35mERROR\u{1b}[0m");
    }
}

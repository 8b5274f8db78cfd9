//! The JUnit report against Jenkins xUnit's `junit-10.xsd`
//! (`tests/fixtures/junit-10.xsd`): a structural check driven by the schema
//! file itself (which elements, which attributes, which are required, which
//! children, the `SUREFIRE_TIME` pattern), on reports holding every verdict.
//! The reports are also written under `CARGO_TARGET_TMPDIR/junit-samples/`,
//! where `.ci/junit-schema.sh` validates them with `xmllint --schema`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use conformance::{CaseReport, Hosts, Report, RunOptions, Selection, Tier, Verdict};
use driver_api::{Capabilities, DriverMethod, Feature};
use roxmltree::{Document, Node};

const SCHEMA: &str = include_str!("fixtures/junit-10.xsd");

/// What the schema allows of one element.
#[derive(Debug, Default)]
struct ElementRule {
    attributes: BTreeMap<String, String>,
    required: BTreeSet<String>,
    children: BTreeSet<String>,
    text: bool,
}

fn xs<'a>(node: Node<'a, 'a>, name: &'a str) -> impl Iterator<Item = Node<'a, 'a>> {
    node.descendants()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

/// The rules of every top-level element of the schema.
fn rules(schema: &Document) -> BTreeMap<String, ElementRule> {
    let root = schema.root_element();
    let named_types: BTreeMap<&str, Node> = root
        .children()
        .filter(|n| n.tag_name().name() == "complexType")
        .filter_map(|n| Some((n.attribute("name")?, n)))
        .collect();
    let mut rules = BTreeMap::new();
    for element in root.children().filter(|n| n.tag_name().name() == "element") {
        let name = element.attribute("name").unwrap().to_owned();
        let mut rule = ElementRule::default();
        let body = match element.attribute("type") {
            Some("xs:string") => {
                rule.text = true;
                None
            }
            Some(other) => named_types.get(other).copied(),
            None => xs(element, "complexType").next(),
        };
        if let Some(body) = body {
            rule.text = body.attribute("mixed") == Some("true");
            for attribute in xs(body, "attribute") {
                let attr = attribute.attribute("name").unwrap().to_owned();
                if attribute.attribute("use") == Some("required") {
                    rule.required.insert(attr.clone());
                }
                let ty = attribute.attribute("type").unwrap_or("xs:string");
                rule.attributes.insert(attr, ty.to_owned());
            }
            for child in xs(body, "element") {
                let child = child
                    .attribute("ref")
                    .or_else(|| child.attribute("name"))
                    .unwrap();
                rule.children.insert(child.to_owned());
            }
        }
        rules.insert(name, rule);
    }
    rules
}

/// `SUREFIRE_TIME`: digits (commas between groups of three allowed), then
/// optionally a dot and digits.
fn surefire_time(value: &str) -> bool {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    whole.starts_with(|c: char| c.is_ascii_digit())
        && whole.chars().all(|c| c.is_ascii_digit() || c == ',')
        && fraction.chars().all(|c| c.is_ascii_digit())
}

fn check(node: Node, rules: &BTreeMap<String, ElementRule>, errors: &mut Vec<String>) {
    let name = node.tag_name().name();
    let Some(rule) = rules.get(name) else {
        errors.push(format!("element <{name}> is not in the schema"));
        return;
    };
    for attribute in node.attributes() {
        match rule.attributes.get(attribute.name()) {
            None => errors.push(format!(
                "<{name}>: attribute '{}' is not allowed",
                attribute.name()
            )),
            Some(ty) if ty == "SUREFIRE_TIME" && !surefire_time(attribute.value()) => {
                errors.push(format!(
                    "<{name}> {}={:?}: not a SUREFIRE_TIME",
                    attribute.name(),
                    attribute.value()
                ))
            }
            Some(_) => {}
        }
    }
    for required in &rule.required {
        if node.attribute(required.as_str()).is_none() {
            errors.push(format!("<{name}>: required attribute '{required}' missing"));
        }
    }
    for child in node.children() {
        if child.is_element() {
            let child_name = child.tag_name().name();
            if !rule.children.contains(child_name) {
                errors.push(format!("<{name}>: child <{child_name}> is not allowed"));
            }
            check(child, rules, errors);
        } else if child.is_text() && !rule.text && !child.text().unwrap_or("").trim().is_empty() {
            errors.push(format!("<{name}>: text is not allowed"));
        }
    }
}

fn case(id: &str, verdict: Verdict) -> CaseReport {
    CaseReport {
        id: id.into(),
        tier: Tier::Optional,
        hosts: Hosts::One,
        needs: vec![Feature::Pause],
        exercises: vec![DriverMethod::Pause],
        verdict,
        duration_s: 1234.5678,
    }
}

/// A report with every verdict and text XML must escape.
fn every_verdict() -> Report {
    Report::new(
        "backend <&> \"quoted\"".into(),
        "driver".into(),
        Some(Capabilities::all().without(Feature::SpiceConsole)),
        vec![
            case("nova::spawn", Verdict::Pass),
            case(
                "nova::pause",
                Verdict::Skipped {
                    reason: "needs pause, which <x> does not declare".into(),
                },
            ),
            case(
                "transition::pause_from_running",
                Verdict::Fail {
                    expected: "status paused & event Paused".into(),
                    got: "running\u{0}\u{7}".into(),
                    steps: vec!["spawn vm".into(), "pause vm <now>".into()],
                },
            ),
            case(
                "resources::claims",
                Verdict::Error {
                    message: "the factory gave no backend: refused".into(),
                    steps: Vec::new(),
                },
            ),
        ],
        Duration::from_millis(4321),
    )
    .with_selection(Selection::of(&RunOptions {
        filters: vec!["nova::".into()],
        seed: Some(7),
        ..RunOptions::default()
    }))
}

fn assert_valid(xml: &str, sample: &str) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("junit-samples");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{sample}.xml")), xml).unwrap();
    let schema = Document::parse(SCHEMA).unwrap();
    let rules = rules(&schema);
    let document = Document::parse(xml).unwrap_or_else(|e| panic!("not XML: {e}\n{xml}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let mut errors = Vec::new();
    check(root, &rules, &mut errors);
    assert!(errors.is_empty(), "{errors:#?}\n{xml}");
}

#[test]
fn the_schema_check_rejects_what_junit_10_rejects() {
    let schema = Document::parse(SCHEMA).unwrap();
    let rules = rules(&schema);
    let bad = r#"<testsuites skipped="1"><testsuite name="a" tests="1" failures="0" time="1e-3"><testcase name="x" timestamp="t"/></testsuite></testsuites>"#;
    let document = Document::parse(bad).unwrap();
    let mut errors = Vec::new();
    check(document.root_element(), &rules, &mut errors);
    let text = errors.join("\n");
    assert!(
        text.contains("<testsuites>: attribute 'skipped' is not allowed"),
        "{text}"
    );
    assert!(
        text.contains("required attribute 'errors' missing"),
        "{text}"
    );
    assert!(text.contains("not a SUREFIRE_TIME"), "{text}");
    assert!(text.contains("<testcase>: attribute 'timestamp'"), "{text}");
}

#[test]
fn every_verdict_is_valid_junit_10() {
    let xml = conformance::to_junit(&every_verdict());
    assert_valid(&xml, "every-verdict");
    assert!(
        xml.contains(
            "<error message=\"the factory gave no backend: refused\" type=\"harness error\""
        ),
        "{xml}"
    );
    assert!(xml.contains("type=\"contract violation\""), "{xml}");
    assert!(
        xml.contains("<property name=\"seed\" value=\"7\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains("<property name=\"capabilities\" value=\"power_control,"),
        "{xml}"
    );
    assert!(xml.contains("hostname=\""), "{xml}");
    assert!(xml.contains("timestamp=\""), "{xml}");
    assert!(xml.contains("<testsuites name=\"conformance (backend &lt;&amp;&gt; &quot;quoted&quot;)\" tests=\"4\" failures=\"1\" errors=\"1\" time=\"4.321\">"), "{xml}");
}

#[test]
fn an_empty_run_is_valid_junit_10() {
    let report = Report::new("b".into(), "d".into(), None, Vec::new(), Duration::ZERO);
    assert_valid(&conformance::to_junit(&report), "empty");
}

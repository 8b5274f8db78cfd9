//! Hostile fixtures: each row is one change to a valid export that
//! [`FakeDriver::from_json`] must refuse with its `StateError`.

use driver_fake::FakeDriver;
use uuid::Uuid;

use super::{env_for, rows};
use crate::common::rt;

/// Where a row puts a map with one key twice.
const TWICE: &str = "(volumes with one key twice)";

/// One bad import: a change to a valid export, and the `StateError` it gets.
pub(crate) struct JsonRow {
    pub(crate) input: &'static str,
    pub(crate) returns: &'static str,
    change: fn(&mut serde_json::Value),
}

pub(crate) fn json_rows() -> Vec<JsonRow> {
    use serde_json::json;
    let row = |input, returns, change| JsonRow {
        input,
        returns,
        change,
    };
    vec![
        row("an unknown top-level field", "Json", |s| {
            s["surprise"] = json!(1);
        }),
        row("a misspelt field in an instance (`nmae`)", "Json", |s| {
            s["instances"][0]["nmae"] = json!("x");
        }),
        row("status shut down and rescued", "Invalid", |s| {
            s["instances"][0]["status"] =
                json!({"state": "shutdown", "rescued": true, "soft_deleted": false});
        }),
        row("status `pending`", "Invalid", |s| {
            s["instances"][0]["status"]["state"] = json!("pending");
        }),
        row("one interface id twice in an instance", "Duplicate", |s| {
            let port = json!({"id": Uuid::nil(), "address": "fa:16:3e:00:00:01"});
            s["instances"][0]["interfaces"] = json!([port.clone(), port]);
        }),
        row("host `\"\"`", "Invalid", |s| {
            s["host"] = json!("");
        }),
        row("an instance on node `\"\"`", "Invalid", |s| {
            s["instances"][0]["node"] = json!("");
        }),
        row("an instance named `\"\"`", "Invalid", |s| {
            s["instances"][0]["name"] = json!("");
        }),
        row("a node listed twice", "Duplicate", |s| {
            s["nodes"] = json!(["fake-mini", "fake-mini"]);
        }),
        row("a volume at mountpoint `vdb`", "Invalid", |s| {
            s["instances"][0]["volumes"] = json!({"vdb": {
                "driver_volume_type": "iscsi", "serial": "v", "data": {}
            }});
        }),
        row("an injected file at `../x`", "Invalid", |s| {
            s["instances"][0]["injected_files"] = json!([{"path": "../x", "contents": []}]);
        }),
        row(
            "one mountpoint twice in an instance's volumes",
            "Json",
            |s| {
                // A JSON value cannot hold a key twice: the text goes in below.
                s["instances"][0]["volumes"] = json!(TWICE);
            },
        ),
        row(
            "a root disk larger than the instance's disk claim",
            "Invalid",
            |s| {
                s["instances"][0]["root_gb"] = json!(u64::MAX);
            },
        ),
        row("two instances with one name", "Inconsistent", |s| {
            let mut twin = s["instances"][0].clone();
            twin["uuid"] = json!(Uuid::new_v4());
            s["instances"].as_array_mut().unwrap().push(twin);
        }),
        row("claims beyond the node's capacity", "Inconsistent", |s| {
            s["instances"][0]["claim"]["vcpus"] = json!(u64::MAX);
        }),
        row("nesting 200 levels deep", "Json", |s| {
            // Inside a field the import reads (a volume's free-form data), so
            // that the parser's depth limit answers, not the unknown-field rule.
            let mut value = json!(1);
            for _ in 0..200 {
                value = json!([value]);
            }
            s["instances"][0]["volumes"] = json!({"/dev/vdb": {
                "driver_volume_type": "iscsi", "serial": "v", "data": {"deep": value}
            }});
        }),
    ]
}

fn variant(error: &driver_fake::StateError) -> &'static str {
    use driver_fake::StateError as E;
    match error {
        E::Json(_) => "Json",
        E::TooLarge { .. } => "TooLarge",
        E::Invalid { .. } => "Invalid",
        E::Duplicate { .. } => "Duplicate",
        E::Inconsistent(_) => "Inconsistent",
        _ => "other",
    }
}

#[test]
fn every_bad_import_is_refused_with_its_error() {
    let env = rt().block_on(env_for(&rows()[0]));
    let valid: serde_json::Value = serde_json::from_str(&env.driver.to_json().unwrap()).unwrap();
    assert!(FakeDriver::from_json(&valid.to_string()).is_ok());
    for row in json_rows() {
        let mut state = valid.clone();
        (row.change)(&mut state);
        let volume = r#"{"driver_volume_type": "iscsi", "serial": "v", "data": {}}"#;
        let twice = format!(r#"{{"/dev/vdb": {volume}, "/dev/vdb": {volume}}}"#);
        let text = state.to_string().replace(&format!("{TWICE:?}"), &twice);
        match FakeDriver::from_json(&text) {
            Ok(_) => panic!("{}: imported", row.input),
            Err(error) => assert_eq!(variant(&error), row.returns, "{}: {error}", row.input),
        }
    }
}

//! The JSON report's schema, generated from the report's types
//! ([`report_json_schema`]); `conformance/report.schema.json` is this
//! schema, checked by a test against the types and against real reports.

use driver_api::{DriverMethod, Feature};
use schemars::{json_schema, Schema, SchemaGenerator};

use super::Report;

/// The JSON Schema (draft 2020-12) of [`Report::to_json`]'s output.
pub fn report_json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Report)).unwrap_or_default()
}

fn feature_names() -> Vec<&'static str> {
    Feature::ALL.iter().map(|f| f.name()).collect()
}

/// A list of [`Feature`]s, by name.
pub(crate) fn features(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "array", "items": { "type": "string", "enum": feature_names() } })
}

/// A list of [`DriverMethod`]s, by name.
pub(crate) fn methods(_: &mut SchemaGenerator) -> Schema {
    let names: Vec<&str> = DriverMethod::ALL.iter().map(|m| m.name()).collect();
    json_schema!({ "type": "array", "items": { "type": "string", "enum": names } })
}

/// What the backend declares (`driver_api::Capabilities`), or `null` when
/// the factory could not make a backend.
pub(crate) fn capabilities(generator: &mut SchemaGenerator) -> Schema {
    let features = features(generator);
    json_schema!({
        "type": ["object", "null"],
        "properties": {
            "supports_recreate": { "type": "boolean" },
            "has_imagecache": { "type": "boolean" },
            "features": features,
        },
        "required": ["supports_recreate", "has_imagecache", "features"],
    })
}

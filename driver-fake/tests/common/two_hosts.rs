//! Two fake hosts for the migration tests: a host with one node named after
//! it, and where an instance is.

use driver_api::ResourceAmounts;
use driver_fake::FakeDriver;

/// A fake host `name` managing one node, `<name>-node`.
pub fn host(name: &str) -> FakeDriver {
    FakeDriver::builder()
        .host(name)
        .nodes([format!("{name}-node")])
        .build()
}

/// On how many of `a` and `b` the instance `uuid` is.
pub fn total_instances(a: &FakeDriver, b: &FakeDriver, uuid: uuid::Uuid) -> usize {
    usize::from(a.instance(uuid).is_some()) + usize::from(b.instance(uuid).is_some())
}

/// The claim of an m1.tiny instance.
pub fn tiny() -> ResourceAmounts {
    ResourceAmounts::new(1, 512, 1)
}

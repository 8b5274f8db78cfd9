//! Hostile input through every door: each row of the table is one call with
//! one bad value, what it must return, and (on an error) that nothing
//! changed. The README's bad-input table is rendered from these rows and
//! checked to be there word for word.

mod common;
#[path = "bad_input/imports.rs"]
mod imports;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use base64::Engine as _;
use common::{ctx, instance, rt, vif};
use driver_api::testkit::NoCallbacks;
use driver_api::{
    BlockDeviceInfo, BlockDeviceMapping, ComputeDriver, ConnectionInfo, DriverResult, Flavor,
    ImageMeta, InjectedFile, Instance, LiveMigrateData, Migration, ResourceAmounts, Vif,
};
use driver_fake::{FakeDriver, NodeSize};
use uuid::Uuid;

/// The driver of a row: host `fake-host`, node `fake-mini`, and `vm`
/// (m1.tiny) running on it.
#[derive(Clone)]
struct Env {
    driver: Arc<FakeDriver>,
    vm: Instance,
}

type Outcome = Pin<Box<dyn Future<Output = DriverResult<()>>>>;

struct Row {
    call: &'static str,
    input: &'static str,
    returns: &'static str,
    run: fn(Env) -> Outcome,
}

const fn row(
    call: &'static str,
    input: &'static str,
    returns: &'static str,
    run: fn(Env) -> Outcome,
) -> Row {
    Row {
        call,
        input,
        returns,
        run,
    }
}

fn volume_at(mountpoint: &str) -> BlockDeviceInfo {
    let mut bdi = BlockDeviceInfo::default();
    bdi.block_device_mapping.push(BlockDeviceMapping::new(
        ConnectionInfo::new("iscsi", "vol-1"),
        mountpoint,
    ));
    bdi
}

fn nested(depth: usize) -> ConnectionInfo {
    let mut value = serde_json::json!("leaf");
    for _ in 0..depth {
        value = serde_json::json!([value]);
    }
    let mut info = ConnectionInfo::new("iscsi", "vol-1");
    info.data.insert("deep".to_owned(), value);
    info
}

async fn spawn_full(
    env: &Env,
    instance: &Instance,
    files: &[InjectedFile],
    vifs: &[Vif],
    bdi: &BlockDeviceInfo,
) -> DriverResult<()> {
    env.driver
        .spawn(
            &ctx(),
            instance,
            &ImageMeta::new("cirros"),
            files,
            None,
            vifs,
            bdi,
            true,
        )
        .await
}

async fn spawn_named(env: &Env, instance: Instance) -> DriverResult<()> {
    spawn_full(env, &instance, &[], &[], &BlockDeviceInfo::default()).await
}

async fn finish(env: &Env, migration: &Migration, instance: &Instance) -> DriverResult<()> {
    env.driver
        .finish_migration(
            &ctx(),
            migration,
            instance,
            &Vec::new(),
            &[],
            &ImageMeta::new("cirros"),
            false,
            &BlockDeviceInfo::default(),
            true,
        )
        .await
}

async fn inject(env: &Env, path: &str) -> DriverResult<()> {
    let b64 = base64::engine::general_purpose::STANDARD;
    env.driver
        .inject_file(&env.vm, &b64.encode(path), &b64.encode("x"))
        .await
}

async fn migrate_out(env: &Env) -> DriverResult<()> {
    env.driver
        .migrate_disk_and_power_off(
            &ctx(),
            &env.vm,
            "other-host",
            &env.vm.flavor,
            &[],
            &BlockDeviceInfo::default(),
        )
        .await
        .map(drop)
}

async fn live_to(env: &Env, dest: &str) -> DriverResult<()> {
    live_to_checked_by(env, dest, dest).await
}

/// `live_migration` to `dest` with migrate data from `checked_by`'s destination check.
async fn live_to_checked_by(env: &Env, dest: &str, checked_by: &str) -> DriverResult<()> {
    let data = LiveMigrateData::new(checked_by);
    env.driver
        .live_migration(&ctx(), &env.vm, dest, Arc::new(NoCallbacks), false, &data)
        .await
}

fn rows() -> Vec<Row> {
    vec![
        row("spawn", "instance name `\"\"`", "InvalidInput", |env| {
            Box::pin(async move { spawn_named(&env, instance("")).await })
        }),
        row("spawn", "instance name with a NUL", "InvalidInput", |env| {
            Box::pin(async move { spawn_named(&env, instance("vm\0x")).await })
        }),
        row(
            "spawn",
            "instance name of 256 bytes",
            "InvalidInput",
            |env| Box::pin(async move { spawn_named(&env, instance(&"x".repeat(256))).await }),
        ),
        row("spawn", "node `\"\"`", "InvalidInput", |env| {
            Box::pin(async move { spawn_named(&env, instance("vm-2").with_node("")).await })
        }),
        row(
            "spawn",
            "flavor root_gb `u64::MAX`, ephemeral_gb 1",
            "InvalidInput",
            |env| {
                Box::pin(async move {
                    let mut flavor = Flavor::m1_tiny();
                    flavor.root_gb = u64::MAX;
                    flavor.ephemeral_gb = 1;
                    spawn_named(&env, instance("vm-2").with_flavor(flavor)).await
                })
            },
        ),
        row(
            "spawn",
            "memory `u64::MAX` MiB onto a node that has a claim",
            "InsufficientResources",
            |env| {
                Box::pin(async move {
                    let mut flavor = Flavor::m1_tiny();
                    flavor.memory_mb = u64::MAX;
                    spawn_named(&env, instance("vm-2").with_flavor(flavor)).await
                })
            },
        ),
        row(
            "spawn",
            "injected file `../../etc/passwd`",
            "InvalidInput",
            |env| {
                Box::pin(async move {
                    let file = InjectedFile::new("../../etc/passwd", "x");
                    let bdi = BlockDeviceInfo::default();
                    spawn_full(&env, &instance("vm-2"), &[file], &[], &bdi).await
                })
            },
        ),
        row("spawn", "injected file `\"\"`", "InvalidInput", |env| {
            Box::pin(async move {
                let file = InjectedFile::new("", "x");
                let bdi = BlockDeviceInfo::default();
                spawn_full(&env, &instance("vm-2"), &[file], &[], &bdi).await
            })
        }),
        row("spawn", "VIF MAC `not-a-mac`", "InvalidInput", |env| {
            Box::pin(async move {
                let bdi = BlockDeviceInfo::default();
                spawn_full(&env, &instance("vm-2"), &[], &[vif("not-a-mac")], &bdi).await
            })
        }),
        row("spawn", "volume mountpoint `vdb`", "InvalidInput", |env| {
            Box::pin(async move {
                spawn_full(&env, &instance("vm-2"), &[], &[], &volume_at("vdb")).await
            })
        }),
        row(
            "finish_migration",
            "instance name `\"\"`",
            "InvalidInput",
            |env| {
                Box::pin(async move {
                    let instance = instance("");
                    let migration = Migration::new(instance.uuid, "other-host", "fake-host");
                    finish(&env, &migration, &instance).await
                })
            },
        ),
        row(
            "finish_migration",
            "another instance's migration record",
            "InvalidInput",
            |env| {
                Box::pin(async move {
                    let migration = Migration::new(Uuid::new_v4(), "other-host", "fake-host");
                    finish(&env, &migration, &instance("vm-2")).await
                })
            },
        ),
        row(
            "pre_live_migration",
            "instance name `\"\"`",
            "InvalidInput",
            |env| {
                Box::pin(async move {
                    let data = LiveMigrateData::new("fake-host");
                    let bdi = BlockDeviceInfo::default();
                    env.driver
                        .pre_live_migration(&ctx(), &instance(""), &bdi, &[], &data)
                        .await
                        .map(drop)
                })
            },
        ),
        row(
            "post_live_migration_at_destination",
            "instance name `\"\"`",
            "InvalidInput",
            |env| {
                Box::pin(async move {
                    let bdi = BlockDeviceInfo::default();
                    env.driver
                        .post_live_migration_at_destination(&ctx(), &instance(""), &[], false, &bdi)
                        .await
                })
            },
        ),
        row(
            "attach_volume",
            "mountpoint `\"\"`",
            "InvalidInput",
            |env| {
                Box::pin(async move { attach(&env, "", ConnectionInfo::new("iscsi", "v")).await })
            },
        ),
        row("attach_volume", "mountpoint `vdb`", "InvalidInput", |env| {
            Box::pin(async move { attach(&env, "vdb", ConnectionInfo::new("iscsi", "v")).await })
        }),
        row(
            "attach_volume",
            "mountpoint `/dev/../../etc/passwd`",
            "InvalidInput",
            |env| {
                Box::pin(async move {
                    let info = ConnectionInfo::new("iscsi", "v");
                    attach(&env, "/dev/../../etc/passwd", info).await
                })
            },
        ),
        row(
            "attach_volume",
            "mountpoint with a NUL",
            "InvalidInput",
            |env| {
                Box::pin(async move {
                    attach(&env, "/dev/vd\0b", ConnectionInfo::new("iscsi", "v")).await
                })
            },
        ),
        row(
            "attach_volume",
            "connection data nested 33 levels",
            "InvalidInput",
            |env| Box::pin(async move { attach(&env, "/dev/vdb", nested(33)).await }),
        ),
        row("detach_volume", "mountpoint `vdb`", "InvalidInput", |env| {
            Box::pin(async move {
                let info = ConnectionInfo::new("iscsi", "v");
                env.driver.detach_volume(&info, &env.vm, "vdb").await
            })
        }),
        row("swap_volume", "mountpoint `\"\"`", "InvalidInput", |env| {
            Box::pin(async move {
                let info = ConnectionInfo::new("iscsi", "v");
                env.driver.swap_volume(&info, &info, &env.vm, "", 0).await
            })
        }),
        row(
            "inject_file",
            "path `../../etc/passwd`",
            "InvalidInput",
            |env| Box::pin(async move { inject(&env, "../../etc/passwd").await }),
        ),
        row(
            "inject_file",
            "path `/etc/../passwd`",
            "InvalidInput",
            |env| Box::pin(async move { inject(&env, "/etc/../passwd").await }),
        ),
        row("inject_file", "path `\"\"`", "InvalidInput", |env| {
            Box::pin(async move { inject(&env, "").await })
        }),
        row(
            "attach_interface",
            "MAC `zz:zz:zz:zz:zz:zz`",
            "InvalidInput",
            |env| {
                Box::pin(async move {
                    env.driver
                        .attach_interface(
                            &env.vm,
                            &ImageMeta::new("cirros"),
                            &vif("zz:zz:zz:zz:zz:zz"),
                        )
                        .await
                })
            },
        ),
        row(
            "confirm_migration",
            "a running instance that never migrated",
            "InvalidState",
            |env| {
                Box::pin(async move {
                    let migration = Migration::new(env.vm.uuid, "fake-host", "other-host");
                    env.driver.confirm_migration(&migration, &env.vm, &[]).await
                })
            },
        ),
        row(
            "confirm_migration",
            "another instance's migration record",
            "InvalidInput",
            |env| {
                Box::pin(async move {
                    let migration = Migration::new(Uuid::new_v4(), "fake-host", "other-host");
                    env.driver.confirm_migration(&migration, &env.vm, &[]).await
                })
            },
        ),
        row(
            "confirm_migration",
            "an instance no longer here",
            "Ok",
            |env| {
                Box::pin(async move {
                    let gone = instance("gone");
                    let migration = Migration::new(gone.uuid, "fake-host", "other-host");
                    env.driver.confirm_migration(&migration, &gone, &[]).await
                })
            },
        ),
        row(
            "finish_revert_migration",
            "a running instance that never migrated",
            "InvalidState",
            |env| {
                Box::pin(async move {
                    let bdi = BlockDeviceInfo::default();
                    env.driver
                        .finish_revert_migration(&env.vm, &[], &bdi, true)
                        .await
                })
            },
        ),
        row(
            "migrate_disk_and_power_off",
            "an instance already moving out",
            "InvalidState",
            |env| Box::pin(async move { migrate_out(&env).await }),
        ),
        row(
            "migrate_disk_and_power_off",
            "dest `\"\"`",
            "InvalidInput",
            |env| {
                Box::pin(async move {
                    env.driver
                        .migrate_disk_and_power_off(
                            &ctx(),
                            &env.vm,
                            "",
                            &env.vm.flavor,
                            &[],
                            &BlockDeviceInfo::default(),
                        )
                        .await
                        .map(drop)
                })
            },
        ),
        row(
            "live_migration",
            "dest: its own host",
            "InvalidInput",
            |env| Box::pin(async move { live_to(&env, "fake-host").await }),
        ),
        row("live_migration", "dest `\"\"`", "InvalidInput", |env| {
            Box::pin(async move { live_to(&env, "").await })
        }),
        row(
            "live_migration",
            "dest: a host other than the one whose destination check made `migrate_data`",
            "InvalidInput",
            |env| Box::pin(async move { live_to_checked_by(&env, "host-c", "other-host").await }),
        ),
        row(
            "check_can_live_migrate_source",
            "dest_host: its own host",
            "InvalidInput",
            |env| {
                Box::pin(async move {
                    let data = LiveMigrateData::new("fake-host");
                    env.driver
                        .check_can_live_migrate_source(&ctx(), &env.vm, &data)
                        .await
                        .map(drop)
                })
            },
        ),
        row("init_host", "host `\"\"`", "InvalidInput", |env| {
            Box::pin(async move { env.driver.init_host("").await })
        }),
        row("init_host", "host `two words`", "InvalidInput", |env| {
            Box::pin(async move { env.driver.init_host("two words").await })
        }),
    ]
}

async fn attach(env: &Env, mountpoint: &str, info: ConnectionInfo) -> DriverResult<()> {
    env.driver.attach_volume(&info, &env.vm, mountpoint).await
}

/// A fresh driver with `vm` running (for the "already moving out" row, moved
/// out first).
async fn env_for(row: &Row) -> Env {
    let driver = Arc::new(FakeDriver::new());
    let vm = instance("vm");
    let env = Env { driver, vm };
    spawn_named(&env, env.vm.clone()).await.unwrap();
    if row.input == "an instance already moving out" {
        migrate_out(&env).await.unwrap();
    }
    env
}

fn answer(result: &DriverResult<()>) -> String {
    match result {
        Ok(()) => "Ok".to_owned(),
        Err(error) => format!("{:?}", error.kind()),
    }
}

/// The README's table, from the rows.
fn render() -> String {
    let mut out = String::from("| call | input | returns |\n|---|---|---|\n");
    for row in rows() {
        out.push_str(&format!(
            "| `{}` | {} | `{}` |\n",
            row.call, row.input, row.returns
        ));
    }
    for row in imports::json_rows() {
        out.push_str(&format!(
            "| `from_json` | {} | `StateError::{}` |\n",
            row.input, row.returns
        ));
    }
    out
}

#[test]
fn every_row_returns_what_the_table_says_and_changes_nothing_on_error() {
    rt().block_on(async {
        for row in rows() {
            let env = env_for(&row).await;
            let before = env.driver.export_state();
            let result = (row.run)(env.clone()).await;
            assert_eq!(answer(&result), row.returns, "{}: {}", row.call, row.input);
            if result.is_err() {
                assert_eq!(
                    env.driver.export_state(),
                    before,
                    "{}: {} changed the state",
                    row.call,
                    row.input
                );
            }
        }
    });
}

#[test]
fn the_readme_table_is_the_rows() {
    let readme = include_str!("../../README.md");
    let table = render();
    assert!(
        readme.contains(&table),
        "README.md's bad-input table differs; it should read:\n{table}"
    );
}

#[test]
fn two_huge_nodes_make_get_disk_available_least_a_typed_error() {
    let huge = ResourceAmounts::new(1, 1, u64::MAX);
    let driver = FakeDriver::builder()
        .nodes(["a", "b"])
        .node_size(NodeSize::Custom(huge))
        .build();
    assert_eq!(
        driver.capacity("a").map(|c| c.local_gb),
        Some(i64::MAX as u64)
    );
    let error = rt()
        .block_on(driver.get_disk_available_least())
        .unwrap_err();
    assert_eq!(error.kind(), driver_api::ErrorKind::Backend);
    let one = FakeDriver::builder()
        .node_size(NodeSize::Custom(huge))
        .build();
    assert_eq!(
        rt().block_on(one.get_disk_available_least()).unwrap(),
        i64::MAX
    );
}

#[test]
fn a_claim_that_would_overflow_is_refused_and_used_stays_the_sum_of_claims() {
    let capacity = ResourceAmounts::new(10, u64::MAX, 100);
    let driver = FakeDriver::builder()
        .node_size(NodeSize::Custom(capacity))
        .build();
    rt().block_on(async {
        let mut big = Flavor::m1_tiny();
        big.memory_mb = i64::MAX as u64 - 1;
        let first = instance("first").with_flavor(big);
        common::spawn(&driver, &first).await.unwrap();
        let mut huge = Flavor::m1_tiny();
        huge.memory_mb = u64::MAX - 10;
        let second = instance("second").with_flavor(huge);
        let error = common::spawn(&driver, &second).await.unwrap_err();
        assert_eq!(error.kind(), driver_api::ErrorKind::InsufficientResources);
        assert!(driver.instance(second.uuid).is_none());
        let used = driver.claims("fake-mini").unwrap();
        assert_eq!(used.memory_mb, i64::MAX as u64 - 1);
        let sum: u64 = driver.instances().iter().map(|i| i.claim.memory_mb).sum();
        assert_eq!(used.memory_mb, sum);
    });
}

#[test]
fn absurd_builder_sizes_are_clamped_without_panic() {
    let driver = FakeDriver::builder()
        .shards(usize::MAX)
        .expected_instances(usize::MAX)
        .build();
    assert_eq!(driver.nodes(), ["fake-mini"]);
    let none = FakeDriver::builder().shards(0).build();
    rt().block_on(async {
        common::spawn(&none, &instance("vm")).await.unwrap();
    });
    assert_eq!(none.instances().len(), 1);
}

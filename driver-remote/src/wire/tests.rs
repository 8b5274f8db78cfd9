//! Every model value survives the wire; every malformed message is refused
//! by name.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, UNIX_EPOCH};

use driver_api::uuid::Uuid;
use driver_api::*;

use super::*;
use crate::proto;

fn round_trip<T, P>(value: &T) -> T
where
    T: ToWire<P> + FromWire<P> + std::fmt::Debug,
{
    T::from_wire(value.to_wire()).unwrap_or_else(|e| panic!("{value:?}: {e}"))
}

fn instance() -> Instance {
    let flavor = Flavor::m1_small().with_ephemeral_gb(3).with_swap_mb(512);
    let mut instance = Instance::new(Uuid::new_v4(), flavor)
        .with_name("vm-1")
        .with_host("compute-1")
        .with_node("node-1")
        .with_metadata("role", "db");
    instance
        .flavor
        .extra_specs
        .insert("hw:cpu_policy".into(), "dedicated".into());
    instance.vm_state = VmState::SoftDeleted;
    instance.task_state = Some(TaskState::PoweringOff);
    instance.power_state = PowerState::Crashed;
    instance
}

#[test]
fn inputs_survive_the_wire() {
    let instance = instance();
    assert_eq!(round_trip(&instance), instance);
    let mut bare = instance.clone();
    bare.task_state = None;
    assert_eq!(round_trip(&bare), bare);

    let mut context = RequestContext::new("user", "project");
    context.is_admin = true;
    assert_eq!(round_trip(&context), context);

    let mut image = ImageMeta::new("cirros");
    image.min_ram_mb = 64;
    image.properties.insert("hw_disk_bus".into(), "scsi".into());
    assert_eq!(round_trip(&image), image);

    let subnet = Subnet::new(
        "10.0.0.0/24",
        Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))),
        vec![
            "10.0.0.5"
                .parse()
                .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            "fe80::1".parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        ],
    );
    let mut network = Network::new(Uuid::new_v4(), "private", subnet);
    network
        .subnets
        .push(Subnet::new("10.1.0.0/24", None, Vec::new()));
    let vif = Vif::new(Uuid::new_v4(), "aa:bb:cc:dd:ee:ff", network);
    assert_eq!(round_trip(&vif), vif);
    let mut no_subnet = vif.clone();
    no_subnet.network.subnets.clear();
    no_subnet.network.bridge = None;
    no_subnet.devname = None;
    assert_eq!(round_trip(&no_subnet), no_subnet);

    let connection = ConnectionInfo::new("iscsi", "vol-1")
        .with_data("target_lun", serde_json::json!(1))
        .with_data(
            "nested",
            serde_json::json!({"a": [1.5, "x", null, true, {"b": u64::MAX}]}),
        );
    let mut block = BlockDeviceInfo::default();
    block.root_device_name = Some("/dev/vda".into());
    block.ephemerals.push(EphemeralDisk::new("/dev/vdb", 3));
    block.swap = Some(SwapDisk::new("/dev/vdc", 512));
    block
        .block_device_mapping
        .push(BlockDeviceMapping::new(connection, "/dev/vdd"));
    assert_eq!(round_trip(&block), block);

    let mut migration = Migration::new(instance.uuid, "a", "b").with_dest_node("n");
    migration.status = MigrationStatus::Finished;
    assert_eq!(round_trip(&migration), migration);

    let mut disk = InstanceDisk::new("/var/lib/x.qcow2", "qcow2", 1 << 30);
    disk.backing_file = Some("/base".into());
    let disks = vec![disk];
    assert_eq!(round_trip(&disks), disks);

    let mut data = LiveMigrateData::new("b");
    data.source_host = Some("a".into());
    data.disk_available_mb = 77;
    assert_eq!(round_trip(&data), data);
}

#[test]
fn outputs_survive_the_wire() {
    let mut info = InstanceInfo::new(PowerState::Paused);
    info.rescued = true;
    info.max_mem_kb = 1 << 40;
    info.num_cpu = 8;
    assert_eq!(round_trip(&info), info);

    let mut node = NodeResources::new(
        "n",
        "h",
        ResourceAmounts::new(4, 8192, 100),
        ResourceAmounts::new(1, 512, 1),
    );
    node.hypervisor_type = "fake".into();
    node.hypervisor_version = 1_002_003;
    node.disk_available_least = -3;
    node.supported_instances
        .push(SupportedInstance::new("x86_64", "fake", "hvm"));
    node.numa_topology = Some("{}".into());
    node.uuid = Uuid::new_v4();
    node.cpu_info.features.push("vmx".into());
    assert_eq!(round_trip(&node), node);

    let mut diagnostics = Diagnostics::new(PowerState::Running, "fake");
    diagnostics
        .cpu_details
        .push(CpuDiagnostics { id: 0, time_ns: 5 });
    diagnostics.nic_details.push(NicDiagnostics::new(
        "aa:bb:cc:dd:ee:ff",
        InterfaceStats {
            rx_bytes: 9,
            ..Default::default()
        },
    ));
    diagnostics.disk_details.push(DiskDiagnostics::new(
        "vda",
        BlockStats {
            errs: Some(2),
            ..Default::default()
        },
    ));
    assert_eq!(round_trip(&diagnostics), diagnostics);

    let mut spice = SpiceConsole::new("h", 5900, Some(5901));
    spice.internal_access_path = Some("/p".into());
    assert_eq!(round_trip(&spice), spice);
    let pool = ConsolePoolInfo::new("10.0.0.1", "admin", Secret::new("pw"));
    assert_eq!(round_trip(&pool), pool);
    let event = LifecycleEvent {
        instance_uuid: Uuid::new_v4(),
        transition: LifecycleTransition::MigrationCompleted,
        timestamp: UNIX_EPOCH + Duration::new(1_700_000_000, 123),
    };
    assert_eq!(round_trip(&event), event);
    let caps = Capabilities::all()
        .without(Feature::Pause)
        .with_flags(false, true);
    assert_eq!(round_trip(&caps), caps);
    let counter = BandwidthCounter::new(Uuid::new_v4(), "aa:bb:cc:dd:ee:ff", 1, 2);
    assert_eq!(round_trip(&counter), counter);
    let usage = VolumeUsage::new(
        "vol",
        Uuid::new_v4(),
        BlockStats {
            rd_req: 3,
            ..Default::default()
        },
    );
    assert_eq!(round_trip(&usage), usage);
}

#[test]
fn malformed_messages_are_refused_by_name() {
    let good = instance().to_wire();
    let cases: Vec<(&str, proto::Instance)> = vec![
        (
            "instance.uuid",
            proto::Instance {
                uuid: "not-a-uuid".into(),
                ..good.clone()
            },
        ),
        (
            "instance.flavor",
            proto::Instance {
                flavor: None,
                ..good.clone()
            },
        ),
        (
            "vm state",
            proto::Instance {
                vm_state: 0,
                ..good.clone()
            },
        ),
        (
            "task state",
            proto::Instance {
                task_state: 999,
                ..good.clone()
            },
        ),
        (
            "power state",
            proto::Instance {
                power_state: -1,
                ..good.clone()
            },
        ),
    ];
    for (field, wire) in cases {
        let refused = Instance::from_wire(wire).map(|_| ()).map_err(|e| e.field);
        assert_eq!(refused, Err(field));
    }
    let bad_ip = proto::Subnet {
        ips: vec!["10.0.0.300".into()],
        ..Default::default()
    };
    assert_eq!(
        Subnet::from_wire(bad_ip).map(|_| ()).map_err(|e| e.field),
        Err("subnet.ips")
    );
    let bad_port = proto::VncConsole {
        port: 70_000,
        ..Default::default()
    };
    assert_eq!(
        VncConsole::from_wire(bad_port)
            .map(|_| ())
            .map_err(|e| e.field),
        Err("vnc.port")
    );
    let bad_json = proto::ConnectionInfo {
        data_json: [("k".to_owned(), "{not json".to_owned())].into(),
        ..Default::default()
    };
    assert!(ConnectionInfo::from_wire(bad_json).is_err());
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let too_deep = proto::ConnectionInfo {
        data_json: [("k".to_owned(), deep)].into(),
        ..Default::default()
    };
    assert!(ConnectionInfo::from_wire(too_deep).is_err());
    let negative = prost_types::Duration {
        seconds: -1,
        nanos: 0,
    };
    assert!(duration_from_wire("timeout", Some(negative)).is_err());
    let nanos = prost_types::Duration {
        seconds: 1,
        nanos: 2_000_000_000,
    };
    assert!(duration_from_wire("timeout", Some(nanos)).is_err());
    assert_eq!(
        duration_from_wire("timeout", None).map_err(|e| e.field),
        Err("timeout")
    );
}

#[test]
fn unknown_features_are_ignored() {
    let wire = proto::Capabilities {
        supports_recreate: true,
        has_imagecache: false,
        features: vec![proto::Feature::Pause as i32, 12_345],
    };
    let caps = Capabilities::from_wire(wire).unwrap_or_default();
    assert_eq!(
        caps,
        Capabilities::none()
            .with(Feature::Pause)
            .with_flags(true, false)
    );
}

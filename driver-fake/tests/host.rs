//! Nodes, resources, host statistics and host actions.

mod common;

use driver_api::{
    ComputeDriver, ErrorKind, Flavor, HostPowerAction, HostStatus, MaintenanceMode, ResourceAmounts,
};
use driver_fake::{node_uuid, FakeDriver, NodeSize};

use common::*;

#[test]
fn nodes_default_init_host_set_and_restore() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        assert_eq!(
            driver.get_available_nodes(false).await.unwrap(),
            ["fake-mini"]
        );
        driver.init_host("myhostname").await.unwrap();
        assert_eq!(
            driver.get_available_nodes(true).await.unwrap(),
            ["myhostname"]
        );
        assert_eq!(driver.host(), "myhostname");
        driver.init_host("compute").await.unwrap();
        assert_eq!(
            driver.get_available_nodes(true).await.unwrap(),
            ["fake-mini"]
        );
        let err = driver.init_host("").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        driver.set_nodes(&["a", "b"]);
        assert_eq!(driver.get_available_nodes(false).await.unwrap(), ["a", "b"]);
        driver.restore_nodes();
        assert_eq!(driver.nodes(), ["fake-mini"]);
        // Per driver value.
        assert_eq!(FakeDriver::new().nodes(), ["fake-mini"]);
    });
}

#[test]
fn available_resource_reports_every_field_and_tracks_claims() {
    rt().block_on(async {
        let driver = FakeDriver::builder()
            .host("host-1")
            .nodes(["n1", "n2"])
            .build();
        let vm =
            instance("vm").with_flavor(Flavor::m1_small().with_ephemeral_gb(5).with_swap_mb(1536));
        spawn(&driver, &vm).await.unwrap();
        let on_n2 = instance("vm2").with_node("n2");
        spawn(&driver, &on_n2).await.unwrap();
        let r = driver.get_available_resource("n1").await.unwrap();
        assert_eq!((r.vcpus, r.memory_mb, r.local_gb), (1000, 800_000, 600_000));
        assert_eq!(
            (r.vcpus_used, r.memory_mb_used, r.local_gb_used),
            (1, 2048, 27)
        );
        assert_eq!(r.hypervisor_type, "fake");
        assert_eq!(r.hypervisor_version, 1000);
        assert_eq!(r.hypervisor_hostname, "n1");
        assert_eq!(r.host_hostname, "host-1");
        assert_eq!(r.cpu_info.model, "Nehalem");
        assert_eq!(r.cpu_info.vendor, "Intel");
        assert_eq!(r.cpu_info.arch, "x86_64");
        assert_eq!(
            (
                r.cpu_info.topology.sockets,
                r.cpu_info.topology.cores,
                r.cpu_info.topology.threads
            ),
            (4, 1, 1)
        );
        assert_eq!(r.supported_instances.len(), 1);
        assert_eq!(r.supported_instances[0].hypervisor_type, r.hypervisor_type);
        assert_eq!(r.supported_instances[0].vm_mode, "hvm");
        assert_eq!(r.disk_available_least, 600_000 - 27);
        assert_eq!(r.uuid, node_uuid("n1"));
        assert_eq!(
            r.uuid,
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_DNS, b"n1")
        );
        assert_eq!(r.numa_topology, None);
        let r2 = driver.get_available_resource("n2").await.unwrap();
        assert_eq!(r2.used(), ResourceAmounts::new(1, 512, 1));
        let err = driver.get_available_resource("n3").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NodeNotFound);
        destroy(&driver, &vm).await.unwrap();
        let r = driver.get_available_resource("n1").await.unwrap();
        assert_eq!(r.used(), ResourceAmounts::default());
    });
}

#[test]
fn presets_and_custom_sizes() {
    rt().block_on(async {
        for (size, vcpus) in [
            (NodeSize::Default, 1000),
            (NodeSize::Small, 2),
            (NodeSize::Medium, 10),
            (NodeSize::Custom(ResourceAmounts::new(3, 100, 100)), 3),
        ] {
            let driver = FakeDriver::builder().node_size(size).build();
            let r = driver.get_available_resource("fake-mini").await.unwrap();
            assert_eq!(r.vcpus, vcpus);
        }
        let driver = FakeDriver::builder()
            .node_size(NodeSize::Medium)
            .node_capacity("fake-mini", ResourceAmounts::new(1, 512, 1))
            .build();
        spawn(&driver, &instance("fits")).await.unwrap();
        let err = spawn(&driver, &instance("full")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InsufficientResources);
    });
}

#[test]
fn instances_on_a_removed_node_keep_their_claim() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let vm = instance("vm");
        spawn(&driver, &vm).await.unwrap();
        driver.set_nodes(&["other"]);
        let err = driver
            .get_available_resource("fake-mini")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NodeNotFound);
        assert_eq!(
            driver.claims("fake-mini"),
            Some(ResourceAmounts::new(1, 512, 1))
        );
        driver.restore_nodes();
        let r = driver.get_available_resource("fake-mini").await.unwrap();
        assert_eq!(r.used(), ResourceAmounts::new(1, 512, 1));
        driver.set_nodes::<&str>(&[]);
        let err = spawn(&driver, &instance("nowhere")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NodeNotFound);
    });
}

#[test]
fn host_actions_return_typed_values() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        for action in [
            HostPowerAction::Startup,
            HostPowerAction::Shutdown,
            HostPowerAction::Reboot,
        ] {
            assert_eq!(driver.host_power_action("h", action).await.unwrap(), action);
        }
        assert_eq!(
            driver.host_maintenance_mode("h", true).await.unwrap(),
            MaintenanceMode::OnMaintenance
        );
        assert!(driver.in_maintenance());
        assert_eq!(
            driver.host_maintenance_mode("h", false).await.unwrap(),
            MaintenanceMode::OffMaintenance
        );
        assert_eq!(
            driver.set_host_enabled("h", false).await.unwrap(),
            HostStatus::Disabled
        );
        assert!(!driver.host_enabled());
        assert_eq!(
            driver.set_host_enabled("h", true).await.unwrap(),
            HostStatus::Enabled
        );
        let err = driver.set_host_enabled("", true).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    });
}

#[test]
fn host_statistics() {
    rt().block_on(async {
        let driver = FakeDriver::builder().nodes(["a", "b"]).build();
        spawn(&driver, &instance("vm")).await.unwrap();
        assert_eq!(
            driver.get_host_ip_addr().await.unwrap().to_string(),
            "192.168.0.1"
        );
        let stats = driver.get_host_stats(false).await.unwrap();
        assert_eq!(stats.len(), 2);
        assert_eq!(stats[0].hypervisor_hostname, "a");
        assert_eq!(stats[0].vcpus_used, 1);
        assert_eq!(stats[1].vcpus_used, 0);
        assert_eq!(stats[0].disk_used, 1024 * 1024 * 1024);
        let cpu = driver.get_host_cpu_stats().await.unwrap();
        assert_eq!(cpu.frequency, 800);
        driver.get_host_uptime().await.unwrap();
        assert_eq!(
            driver.get_disk_available_least().await.unwrap(),
            2 * 600_000 - 1
        );
        let connector = driver.get_volume_connector(&instance("any")).await.unwrap();
        assert_eq!(
            (
                connector.ip.as_str(),
                connector.initiator.as_str(),
                connector.host.as_str()
            ),
            ("127.0.0.1", "fake", "fake-host")
        );
        assert!(!driver.legacy_nwinfo());
    });
}

#[test]
fn capacity_is_exact_whichever_shards_hold_the_claims() {
    rt().block_on(async {
        let capacity = ResourceAmounts::new(40, 40 * 512, 40);
        let driver = FakeDriver::builder()
            .node_size(NodeSize::Custom(capacity))
            .shards(16)
            .build();
        // Random UUIDs spread over the shards; exactly 40 tiny instances fit.
        let vms: Vec<_> = (0..40).map(|i| instance(&format!("vm-{i}"))).collect();
        for vm in &vms {
            spawn(&driver, vm).await.unwrap();
        }
        assert_eq!(driver.claims("fake-mini"), Some(capacity));
        let err = spawn(&driver, &instance("one-too-many")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InsufficientResources);
        // Free room in some shards; spawns landing in others must get it.
        for vm in vms.iter().take(10) {
            destroy(&driver, vm).await.unwrap();
        }
        for i in 0..10 {
            spawn(&driver, &instance(&format!("again-{i}")))
                .await
                .unwrap();
        }
        assert_eq!(driver.claims("fake-mini"), Some(capacity));
        assert_eq!(
            spawn(&driver, &instance("still-full"))
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::InsufficientResources
        );
        let r = driver.get_available_resource("fake-mini").await.unwrap();
        assert_eq!(r.used(), capacity);
    });
}

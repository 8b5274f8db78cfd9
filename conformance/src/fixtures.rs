//! Stable, realistic test data: flavors, images, VIFs, volumes, passwords.

use std::net::{IpAddr, Ipv4Addr};

use driver_api::{
    BlockDeviceInfo, ConnectionInfo, Flavor, ImageMeta, InjectedFile, Instance, LiveMigrateData,
    Network, RequestContext, Secret, Subnet, Vif,
};
use uuid::Uuid;

/// The host name the suite gives the first backend (`init_host`).
pub const HOST_A: &str = "conformance-a";
/// The host name the suite gives the second backend of a two-host case.
pub const HOST_B: &str = "conformance-b";
/// A host no case creates: a destination the protocol never vouched for.
pub const HOST_C: &str = "conformance-c";
/// The admin password the suite spawns with; it must never be printed.
pub const ADMIN_PASSWORD: &str = "conformance-admin-Pa55w0rd";
/// The rescue password the suite rescues with; it must never be printed.
pub const RESCUE_PASSWORD: &str = "conformance-rescue-Pa55w0rd";
/// The password `set_admin_password` sets; it must never be printed.
pub const NEW_PASSWORD: &str = "conformance-new-p4ssw0rd";
/// The mountpoint volumes are attached at.
pub const MOUNTPOINT: &str = "/dev/vdb";

/// The request context of every call.
pub fn context() -> RequestContext {
    RequestContext::admin()
}

/// The image every instance boots from.
pub fn image() -> ImageMeta {
    ImageMeta::new("cirros-0.6.2-x86_64-disk")
}

/// A fresh instance of `flavor` on `host`, with a unique UUID and name.
pub fn instance(flavor: Flavor, host: &str) -> Instance {
    let uuid = Uuid::new_v4();
    let short = &uuid.simple().to_string()[..8];
    Instance::new(uuid, flavor)
        .with_name(format!("conformance-{short}"))
        .with_host(host)
        .with_image_ref("cirros-0.6.2-x86_64-disk")
}

/// A VIF on the private network (`10.0.0.0/24`) with a fresh id.
pub fn vif() -> Vif {
    let id = Uuid::new_v4();
    let mac = format!("fa:16:3e:{}", mac_tail(&id));
    let subnet = Subnet::new(
        "10.0.0.0/24",
        Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))),
        vec![IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5))],
    );
    let network = Network::new(
        Uuid::from_u128(0x5a5a_0000_0000_4000_8000_0000_0000_0001),
        "private",
        subnet,
    );
    Vif::new(id, mac, network)
}

fn mac_tail(id: &Uuid) -> String {
    let bytes = id.as_bytes();
    format!("{:02x}:{:02x}:{:02x}", bytes[0], bytes[1], bytes[2])
}

/// An iSCSI volume's connection info, serial `volume_id`.
pub fn volume(volume_id: &str) -> ConnectionInfo {
    ConnectionInfo::new("iscsi", volume_id)
        .with_data(
            "target_iqn",
            serde_json::Value::String(format!("iqn.2010-10.org.openstack:volume-{volume_id}")),
        )
        .with_data("target_lun", serde_json::Value::from(1))
}

/// No block devices.
pub fn no_block_devices() -> BlockDeviceInfo {
    BlockDeviceInfo::default()
}

/// The files injected at spawn.
pub fn injected_files() -> Vec<InjectedFile> {
    vec![InjectedFile::new("/etc/motd", b"conformance\n".to_vec())]
}

/// The admin password as a secret.
pub fn admin_password() -> Secret {
    Secret::new(ADMIN_PASSWORD)
}

/// Live-migration check data for a move to `dest`.
pub fn migrate_data(dest: &str) -> LiveMigrateData {
    LiveMigrateData::new(dest)
}

/// A flavor larger than `free` in one dimension (`which`: 0 vcpus, 1 memory, 2 disk),
/// tiny in the others.
pub fn oversized_flavor(free: &driver_api::ResourceAmounts, which: usize) -> Flavor {
    let tiny = Flavor::m1_tiny();
    let vcpus = if which == 0 {
        u32::try_from(free.vcpus.saturating_add(1)).unwrap_or(u32::MAX)
    } else {
        tiny.vcpus
    };
    let memory = if which == 1 {
        free.memory_mb.saturating_add(1)
    } else {
        tiny.memory_mb
    };
    let disk = if which == 2 {
        free.local_gb.saturating_add(1)
    } else {
        tiny.root_gb
    };
    Flavor::new("conformance.oversized", vcpus, memory, disk)
}

/// A VIF on the private network with the given id (its MAC derived from it).
pub fn vif_with_id(id: Uuid) -> Vif {
    let mut vif = vif();
    vif.address = format!("fa:16:3e:{}", mac_tail(&id));
    vif.id = id;
    vif
}

//! What callers send: instances, flavors, images, networks, block devices,
//! migration records, request contexts.

use std::net::IpAddr;

use driver_api::{
    BlockDeviceInfo, BlockDeviceMapping, ConnectionInfo, CpuInfo, CpuTopology, EphemeralDisk,
    Flavor, ImageMeta, InjectedFile, Instance, InstanceDisk, LiveMigrateData, Migration, Network,
    NodeResources, RequestContext, ResourceAmounts, Subnet, SupportedInstance, SwapDisk, Vif,
};

use super::{read, read_all, uuid, write_all, FromWire, Malformed, ToWire};
use crate::proto;

impl ToWire<proto::RequestContext> for RequestContext {
    fn to_wire(&self) -> proto::RequestContext {
        proto::RequestContext {
            user_id: self.user_id.clone(),
            project_id: self.project_id.clone(),
            request_id: self.request_id.clone(),
            is_admin: self.is_admin,
        }
    }
}

impl FromWire<proto::RequestContext> for RequestContext {
    fn from_wire(wire: proto::RequestContext) -> Result<Self, Malformed> {
        let mut context = RequestContext::new(wire.user_id, wire.project_id);
        context.request_id = wire.request_id;
        context.is_admin = wire.is_admin;
        Ok(context)
    }
}

impl ToWire<proto::Flavor> for Flavor {
    fn to_wire(&self) -> proto::Flavor {
        proto::Flavor {
            id: self.id,
            flavor_id: self.flavor_id.clone(),
            name: self.name.clone(),
            vcpus: self.vcpus,
            memory_mb: self.memory_mb,
            root_gb: self.root_gb,
            ephemeral_gb: self.ephemeral_gb,
            swap_mb: self.swap_mb,
            extra_specs: self.extra_specs.clone(),
        }
    }
}

impl FromWire<proto::Flavor> for Flavor {
    fn from_wire(wire: proto::Flavor) -> Result<Self, Malformed> {
        let mut flavor = Flavor::new(wire.name, wire.vcpus, wire.memory_mb, wire.root_gb);
        flavor.id = wire.id;
        flavor.flavor_id = wire.flavor_id;
        flavor.ephemeral_gb = wire.ephemeral_gb;
        flavor.swap_mb = wire.swap_mb;
        flavor.extra_specs = wire.extra_specs;
        Ok(flavor)
    }
}

impl ToWire<proto::Instance> for Instance {
    fn to_wire(&self) -> proto::Instance {
        proto::Instance {
            uuid: self.uuid.to_string(),
            name: self.name.clone(),
            host: self.host.clone(),
            node: self.node.clone(),
            flavor: Some(self.flavor.to_wire()),
            image_ref: self.image_ref.clone(),
            metadata: self.metadata.clone(),
            project_id: self.project_id.clone(),
            user_id: self.user_id.clone(),
            vm_state: self.vm_state.to_wire(),
            task_state: self
                .task_state
                .map_or(proto::TaskState::Unspecified as i32, |t| t.to_wire()),
            power_state: self.power_state.to_wire(),
        }
    }
}

impl FromWire<proto::Instance> for Instance {
    fn from_wire(wire: proto::Instance) -> Result<Self, Malformed> {
        let mut instance = Instance::new(
            uuid("instance.uuid", &wire.uuid)?,
            read("instance.flavor", wire.flavor)?,
        );
        instance.name = wire.name;
        instance.host = wire.host;
        instance.node = wire.node;
        instance.image_ref = wire.image_ref;
        instance.metadata = wire.metadata;
        instance.project_id = wire.project_id;
        instance.user_id = wire.user_id;
        instance.vm_state = FromWire::from_wire(wire.vm_state)?;
        instance.task_state = if wire.task_state == proto::TaskState::Unspecified as i32 {
            None
        } else {
            Some(FromWire::from_wire(wire.task_state)?)
        };
        instance.power_state = FromWire::from_wire(wire.power_state)?;
        Ok(instance)
    }
}

impl ToWire<proto::ImageMeta> for ImageMeta {
    fn to_wire(&self) -> proto::ImageMeta {
        proto::ImageMeta {
            id: self.id.clone(),
            name: self.name.clone(),
            disk_format: self.disk_format.clone(),
            container_format: self.container_format.clone(),
            min_ram_mb: self.min_ram_mb,
            min_disk_gb: self.min_disk_gb,
            properties: self.properties.clone(),
        }
    }
}

impl FromWire<proto::ImageMeta> for ImageMeta {
    fn from_wire(wire: proto::ImageMeta) -> Result<Self, Malformed> {
        let mut image = ImageMeta::default();
        image.id = wire.id;
        image.name = wire.name;
        image.disk_format = wire.disk_format;
        image.container_format = wire.container_format;
        image.min_ram_mb = wire.min_ram_mb;
        image.min_disk_gb = wire.min_disk_gb;
        image.properties = wire.properties;
        Ok(image)
    }
}

impl ToWire<proto::InjectedFile> for InjectedFile {
    fn to_wire(&self) -> proto::InjectedFile {
        proto::InjectedFile {
            path: self.path.clone(),
            contents: self.contents.clone(),
        }
    }
}

impl FromWire<proto::InjectedFile> for InjectedFile {
    fn from_wire(wire: proto::InjectedFile) -> Result<Self, Malformed> {
        Ok(InjectedFile::new(wire.path, wire.contents))
    }
}

fn ip(field: &'static str, text: &str) -> Result<IpAddr, Malformed> {
    text.parse()
        .map_err(|_| Malformed::new(field, "not an IP address"))
}

impl ToWire<proto::Subnet> for Subnet {
    fn to_wire(&self) -> proto::Subnet {
        proto::Subnet {
            cidr: self.cidr.clone(),
            gateway: self.gateway.map(|g| g.to_string()),
            ips: self.ips.iter().map(ToString::to_string).collect(),
        }
    }
}

impl FromWire<proto::Subnet> for Subnet {
    fn from_wire(wire: proto::Subnet) -> Result<Self, Malformed> {
        let gateway = match wire.gateway {
            Some(text) => Some(ip("subnet.gateway", &text)?),
            None => None,
        };
        let ips = wire
            .ips
            .iter()
            .map(|text| ip("subnet.ips", text))
            .collect::<Result<_, _>>()?;
        Ok(Subnet::new(wire.cidr, gateway, ips))
    }
}

impl ToWire<proto::Network> for Network {
    fn to_wire(&self) -> proto::Network {
        proto::Network {
            id: self.id.to_string(),
            label: self.label.clone(),
            bridge: self.bridge.clone(),
            subnets: write_all(&self.subnets),
        }
    }
}

impl FromWire<proto::Network> for Network {
    fn from_wire(wire: proto::Network) -> Result<Self, Malformed> {
        let placeholder = Subnet::new("", None, Vec::new());
        let mut network = Network::new(uuid("network.id", &wire.id)?, wire.label, placeholder);
        network.subnets = read_all(wire.subnets)?;
        network.bridge = wire.bridge;
        Ok(network)
    }
}

impl ToWire<proto::Vif> for Vif {
    fn to_wire(&self) -> proto::Vif {
        proto::Vif {
            id: self.id.to_string(),
            address: self.address.clone(),
            network: Some(self.network.to_wire()),
            vif_type: self.vif_type.clone(),
            devname: self.devname.clone(),
        }
    }
}

impl FromWire<proto::Vif> for Vif {
    fn from_wire(wire: proto::Vif) -> Result<Self, Malformed> {
        let mut vif = Vif::new(
            uuid("vif.id", &wire.id)?,
            wire.address,
            read("vif.network", wire.network)?,
        );
        vif.vif_type = wire.vif_type;
        vif.devname = wire.devname;
        Ok(vif)
    }
}

impl ToWire<proto::ConnectionInfo> for ConnectionInfo {
    fn to_wire(&self) -> proto::ConnectionInfo {
        proto::ConnectionInfo {
            driver_volume_type: self.driver_volume_type.clone(),
            serial: self.serial.clone(),
            data_json: self
                .data
                .iter()
                .map(|(key, value)| (key.clone(), value.to_string()))
                .collect(),
        }
    }
}

impl FromWire<proto::ConnectionInfo> for ConnectionInfo {
    fn from_wire(wire: proto::ConnectionInfo) -> Result<Self, Malformed> {
        let mut info = ConnectionInfo::new(wire.driver_volume_type, "");
        info.serial = wire.serial;
        for (key, text) in wire.data_json {
            let value = json_document(&text)?;
            info.data.insert(key, value);
        }
        Ok(info)
    }
}

/// One JSON document (serde_json bounds its nesting; the backend checks the
/// contract's own limit).
fn json_document(text: &str) -> Result<serde_json::Value, Malformed> {
    serde_json::from_str(text)
        .map_err(|e| Malformed::new("connection_info.data_json", e.to_string()))
}

impl ToWire<proto::BlockDeviceInfo> for BlockDeviceInfo {
    fn to_wire(&self) -> proto::BlockDeviceInfo {
        proto::BlockDeviceInfo {
            root_device_name: self.root_device_name.clone(),
            ephemerals: self
                .ephemerals
                .iter()
                .map(|e| proto::EphemeralDisk {
                    device_name: e.device_name.clone(),
                    size_gb: e.size_gb,
                })
                .collect(),
            block_device_mapping: self
                .block_device_mapping
                .iter()
                .map(|m| proto::BlockDeviceMapping {
                    connection_info: Some(m.connection_info.to_wire()),
                    mount_device: m.mount_device.clone(),
                    delete_on_termination: m.delete_on_termination,
                })
                .collect(),
            swap: self.swap.as_ref().map(|s| proto::SwapDisk {
                device_name: s.device_name.clone(),
                swap_size_mb: s.swap_size_mb,
            }),
        }
    }
}

impl FromWire<proto::BlockDeviceInfo> for BlockDeviceInfo {
    fn from_wire(wire: proto::BlockDeviceInfo) -> Result<Self, Malformed> {
        let mut info = BlockDeviceInfo::default();
        info.root_device_name = wire.root_device_name;
        info.ephemerals = wire
            .ephemerals
            .into_iter()
            .map(|e| EphemeralDisk::new(e.device_name, e.size_gb))
            .collect();
        info.block_device_mapping = wire
            .block_device_mapping
            .into_iter()
            .map(|m| {
                let connection = read("block_device_mapping.connection_info", m.connection_info)?;
                let mut mapping = BlockDeviceMapping::new(connection, m.mount_device);
                mapping.delete_on_termination = m.delete_on_termination;
                Ok(mapping)
            })
            .collect::<Result<_, Malformed>>()?;
        info.swap = wire
            .swap
            .map(|s| SwapDisk::new(s.device_name, s.swap_size_mb));
        Ok(info)
    }
}

impl ToWire<proto::Migration> for Migration {
    fn to_wire(&self) -> proto::Migration {
        proto::Migration {
            id: self.id.to_string(),
            instance_uuid: self.instance_uuid.to_string(),
            source_compute: self.source_compute.clone(),
            dest_compute: self.dest_compute.clone(),
            source_node: self.source_node.clone(),
            dest_node: self.dest_node.clone(),
            status: self.status.to_wire(),
        }
    }
}

impl FromWire<proto::Migration> for Migration {
    fn from_wire(wire: proto::Migration) -> Result<Self, Malformed> {
        let mut migration = Migration::new(
            uuid("migration.instance_uuid", &wire.instance_uuid)?,
            wire.source_compute,
            wire.dest_compute,
        );
        migration.id = uuid("migration.id", &wire.id)?;
        migration.source_node = wire.source_node;
        migration.dest_node = wire.dest_node;
        migration.status = FromWire::from_wire(wire.status)?;
        Ok(migration)
    }
}

impl ToWire<proto::InstanceDisk> for InstanceDisk {
    fn to_wire(&self) -> proto::InstanceDisk {
        proto::InstanceDisk {
            path: self.path.clone(),
            disk_type: self.disk_type.clone(),
            virt_disk_size: self.virt_disk_size,
            disk_size: self.disk_size,
            backing_file: self.backing_file.clone(),
            over_committed_disk_size: self.over_committed_disk_size,
        }
    }
}

impl FromWire<proto::InstanceDisk> for InstanceDisk {
    fn from_wire(wire: proto::InstanceDisk) -> Result<Self, Malformed> {
        let mut disk = InstanceDisk::new(wire.path, wire.disk_type, wire.virt_disk_size);
        disk.disk_size = wire.disk_size;
        disk.backing_file = wire.backing_file;
        disk.over_committed_disk_size = wire.over_committed_disk_size;
        Ok(disk)
    }
}

impl ToWire<proto::DiskInfo> for Vec<InstanceDisk> {
    fn to_wire(&self) -> proto::DiskInfo {
        proto::DiskInfo {
            disks: write_all(self),
        }
    }
}

impl FromWire<proto::DiskInfo> for Vec<InstanceDisk> {
    fn from_wire(wire: proto::DiskInfo) -> Result<Self, Malformed> {
        read_all(wire.disks)
    }
}

impl ToWire<proto::LiveMigrateData> for LiveMigrateData {
    fn to_wire(&self) -> proto::LiveMigrateData {
        proto::LiveMigrateData {
            source_host: self.source_host.clone(),
            dest_host: self.dest_host.clone(),
            block_migration: self.block_migration,
            disk_over_commit: self.disk_over_commit,
            disk_available_mb: self.disk_available_mb,
            is_shared_block_storage: self.is_shared_block_storage,
            is_shared_instance_path: self.is_shared_instance_path,
            filename: self.filename.clone(),
        }
    }
}

impl FromWire<proto::LiveMigrateData> for LiveMigrateData {
    fn from_wire(wire: proto::LiveMigrateData) -> Result<Self, Malformed> {
        let mut data = LiveMigrateData::new(wire.dest_host);
        data.source_host = wire.source_host;
        data.block_migration = wire.block_migration;
        data.disk_over_commit = wire.disk_over_commit;
        data.disk_available_mb = wire.disk_available_mb;
        data.is_shared_block_storage = wire.is_shared_block_storage;
        data.is_shared_instance_path = wire.is_shared_instance_path;
        data.filename = wire.filename;
        Ok(data)
    }
}

impl ToWire<proto::ResourceAmounts> for ResourceAmounts {
    fn to_wire(&self) -> proto::ResourceAmounts {
        proto::ResourceAmounts {
            vcpus: self.vcpus,
            memory_mb: self.memory_mb,
            local_gb: self.local_gb,
        }
    }
}

impl FromWire<proto::ResourceAmounts> for ResourceAmounts {
    fn from_wire(wire: proto::ResourceAmounts) -> Result<Self, Malformed> {
        Ok(ResourceAmounts::new(
            wire.vcpus,
            wire.memory_mb,
            wire.local_gb,
        ))
    }
}

impl ToWire<proto::NodeResources> for NodeResources {
    fn to_wire(&self) -> proto::NodeResources {
        let cpu = &self.cpu_info;
        proto::NodeResources {
            vcpus: self.vcpus,
            memory_mb: self.memory_mb,
            local_gb: self.local_gb,
            vcpus_used: self.vcpus_used,
            memory_mb_used: self.memory_mb_used,
            local_gb_used: self.local_gb_used,
            hypervisor_type: self.hypervisor_type.clone(),
            hypervisor_version: self.hypervisor_version,
            hypervisor_hostname: self.hypervisor_hostname.clone(),
            host_hostname: self.host_hostname.clone(),
            cpu_info: Some(proto::CpuInfo {
                arch: cpu.arch.clone(),
                model: cpu.model.clone(),
                vendor: cpu.vendor.clone(),
                features: cpu.features.clone(),
                topology: Some(proto::CpuTopology {
                    sockets: cpu.topology.sockets,
                    cores: cpu.topology.cores,
                    threads: cpu.topology.threads,
                }),
            }),
            disk_available_least: self.disk_available_least,
            supported_instances: self
                .supported_instances
                .iter()
                .map(|s| proto::SupportedInstance {
                    arch: s.arch.clone(),
                    hypervisor_type: s.hypervisor_type.clone(),
                    vm_mode: s.vm_mode.clone(),
                })
                .collect(),
            numa_topology: self.numa_topology.clone(),
            uuid: self.uuid.to_string(),
        }
    }
}

impl FromWire<proto::NodeResources> for NodeResources {
    fn from_wire(wire: proto::NodeResources) -> Result<Self, Malformed> {
        let mut node = NodeResources::new(
            wire.hypervisor_hostname,
            wire.host_hostname,
            ResourceAmounts::new(wire.vcpus, wire.memory_mb, wire.local_gb),
            ResourceAmounts::new(wire.vcpus_used, wire.memory_mb_used, wire.local_gb_used),
        );
        let cpu = super::required("node_resources.cpu_info", wire.cpu_info)?;
        let topology = super::required("node_resources.cpu_info.topology", cpu.topology)?;
        let mut cpu_info = CpuInfo::new(
            cpu.arch,
            cpu.model,
            cpu.vendor,
            CpuTopology {
                sockets: topology.sockets,
                cores: topology.cores,
                threads: topology.threads,
            },
        );
        cpu_info.features = cpu.features;
        node.cpu_info = cpu_info;
        node.hypervisor_type = wire.hypervisor_type;
        node.hypervisor_version = wire.hypervisor_version;
        node.disk_available_least = wire.disk_available_least;
        node.supported_instances = wire
            .supported_instances
            .into_iter()
            .map(|s| SupportedInstance::new(s.arch, s.hypervisor_type, s.vm_mode))
            .collect();
        node.numa_topology = wire.numa_topology;
        node.uuid = uuid("node_resources.uuid", &wire.uuid)?;
        Ok(node)
    }
}

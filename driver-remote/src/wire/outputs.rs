//! What backends answer: info, statistics, consoles, connectors, events and
//! capabilities.

use driver_api::{
    BandwidthCounter, BlockStats, Capabilities, ConsolePoolInfo, CpuDiagnostics, Diagnostics,
    DiskDiagnostics, Feature, HostCpuStats, HostStats, InstanceInfo, InstanceStatus,
    InterfaceStats, LifecycleEvent, NicDiagnostics, Secret, SerialConsole, SpiceConsole,
    VncConsole, VolumeConnector, VolumeUsage,
};

use super::{read, time_from_wire, time_to_wire, uuid, write_all, FromWire, Malformed, ToWire};
use crate::proto;

impl ToWire<proto::InstanceInfo> for InstanceInfo {
    fn to_wire(&self) -> proto::InstanceInfo {
        proto::InstanceInfo {
            state: self.state.to_wire(),
            rescued: self.rescued,
            soft_deleted: self.soft_deleted,
            max_mem_kb: self.max_mem_kb,
            mem_kb: self.mem_kb,
            num_cpu: self.num_cpu,
            cpu_time_ns: self.cpu_time_ns,
        }
    }
}

impl FromWire<proto::InstanceInfo> for InstanceInfo {
    fn from_wire(wire: proto::InstanceInfo) -> Result<Self, Malformed> {
        let mut info = InstanceInfo::new(FromWire::from_wire(wire.state)?);
        info.rescued = wire.rescued;
        info.soft_deleted = wire.soft_deleted;
        info.max_mem_kb = wire.max_mem_kb;
        info.mem_kb = wire.mem_kb;
        info.num_cpu = wire.num_cpu;
        info.cpu_time_ns = wire.cpu_time_ns;
        Ok(info)
    }
}

impl ToWire<proto::InstanceStatus> for InstanceStatus {
    fn to_wire(&self) -> proto::InstanceStatus {
        proto::InstanceStatus {
            state: self.state.to_wire(),
            rescued: self.rescued,
            soft_deleted: self.soft_deleted,
        }
    }
}

impl FromWire<proto::InstanceStatus> for InstanceStatus {
    fn from_wire(wire: proto::InstanceStatus) -> Result<Self, Malformed> {
        Ok(InstanceStatus {
            state: FromWire::from_wire(wire.state)?,
            rescued: wire.rescued,
            soft_deleted: wire.soft_deleted,
        })
    }
}

impl ToWire<proto::HostStats> for HostStats {
    fn to_wire(&self) -> proto::HostStats {
        proto::HostStats {
            hypervisor_hostname: self.hypervisor_hostname.clone(),
            host_hostname: self.host_hostname.clone(),
            description: self.description.clone(),
            host_memory_total: self.host_memory_total,
            host_memory_overhead: self.host_memory_overhead,
            host_memory_free: self.host_memory_free,
            disk_total: self.disk_total,
            disk_used: self.disk_used,
            disk_available: self.disk_available,
            host_ip_address: self.host_ip_address.clone(),
            vcpus: self.vcpus,
            vcpus_used: self.vcpus_used,
        }
    }
}

impl FromWire<proto::HostStats> for HostStats {
    fn from_wire(wire: proto::HostStats) -> Result<Self, Malformed> {
        let mut stats = HostStats::new(wire.hypervisor_hostname, wire.host_hostname);
        stats.description = wire.description;
        stats.host_memory_total = wire.host_memory_total;
        stats.host_memory_overhead = wire.host_memory_overhead;
        stats.host_memory_free = wire.host_memory_free;
        stats.disk_total = wire.disk_total;
        stats.disk_used = wire.disk_used;
        stats.disk_available = wire.disk_available;
        stats.host_ip_address = wire.host_ip_address;
        stats.vcpus = wire.vcpus;
        stats.vcpus_used = wire.vcpus_used;
        Ok(stats)
    }
}

impl ToWire<proto::HostCpuStats> for HostCpuStats {
    fn to_wire(&self) -> proto::HostCpuStats {
        proto::HostCpuStats {
            kernel: self.kernel,
            idle: self.idle,
            user: self.user,
            iowait: self.iowait,
            frequency: self.frequency,
        }
    }
}

impl FromWire<proto::HostCpuStats> for HostCpuStats {
    fn from_wire(wire: proto::HostCpuStats) -> Result<Self, Malformed> {
        Ok(HostCpuStats::new(
            wire.kernel,
            wire.idle,
            wire.user,
            wire.iowait,
            wire.frequency,
        ))
    }
}

impl ToWire<proto::BlockStats> for BlockStats {
    fn to_wire(&self) -> proto::BlockStats {
        proto::BlockStats {
            rd_req: self.rd_req,
            rd_bytes: self.rd_bytes,
            wr_req: self.wr_req,
            wr_bytes: self.wr_bytes,
            errs: self.errs,
        }
    }
}

impl FromWire<proto::BlockStats> for BlockStats {
    fn from_wire(wire: proto::BlockStats) -> Result<Self, Malformed> {
        Ok(BlockStats {
            rd_req: wire.rd_req,
            rd_bytes: wire.rd_bytes,
            wr_req: wire.wr_req,
            wr_bytes: wire.wr_bytes,
            errs: wire.errs,
        })
    }
}

impl ToWire<proto::InterfaceStats> for InterfaceStats {
    fn to_wire(&self) -> proto::InterfaceStats {
        proto::InterfaceStats {
            rx_bytes: self.rx_bytes,
            rx_packets: self.rx_packets,
            rx_errs: self.rx_errs,
            rx_drop: self.rx_drop,
            tx_bytes: self.tx_bytes,
            tx_packets: self.tx_packets,
            tx_errs: self.tx_errs,
            tx_drop: self.tx_drop,
        }
    }
}

impl FromWire<proto::InterfaceStats> for InterfaceStats {
    fn from_wire(wire: proto::InterfaceStats) -> Result<Self, Malformed> {
        Ok(InterfaceStats {
            rx_bytes: wire.rx_bytes,
            rx_packets: wire.rx_packets,
            rx_errs: wire.rx_errs,
            rx_drop: wire.rx_drop,
            tx_bytes: wire.tx_bytes,
            tx_packets: wire.tx_packets,
            tx_errs: wire.tx_errs,
            tx_drop: wire.tx_drop,
        })
    }
}

impl ToWire<proto::Diagnostics> for Diagnostics {
    fn to_wire(&self) -> proto::Diagnostics {
        proto::Diagnostics {
            state: self.state.to_wire(),
            driver: self.driver.clone(),
            uptime_s: self.uptime_s,
            cpu_details: self
                .cpu_details
                .iter()
                .map(|c| proto::CpuDiagnostics {
                    id: c.id,
                    time_ns: c.time_ns,
                })
                .collect(),
            nic_details: self
                .nic_details
                .iter()
                .map(|n| proto::NicDiagnostics {
                    mac_address: n.mac_address.clone(),
                    stats: Some(n.stats.to_wire()),
                })
                .collect(),
            disk_details: self
                .disk_details
                .iter()
                .map(|d| proto::DiskDiagnostics {
                    device: d.device.clone(),
                    stats: Some(d.stats.to_wire()),
                })
                .collect(),
            memory_max_kb: self.memory_max_kb,
            memory_used_kb: self.memory_used_kb,
        }
    }
}

impl FromWire<proto::Diagnostics> for Diagnostics {
    fn from_wire(wire: proto::Diagnostics) -> Result<Self, Malformed> {
        let mut diagnostics = Diagnostics::new(FromWire::from_wire(wire.state)?, wire.driver);
        diagnostics.uptime_s = wire.uptime_s;
        diagnostics.cpu_details = wire
            .cpu_details
            .into_iter()
            .map(|c| CpuDiagnostics {
                id: c.id,
                time_ns: c.time_ns,
            })
            .collect();
        diagnostics.nic_details = wire
            .nic_details
            .into_iter()
            .map(|n| {
                Ok(NicDiagnostics::new(
                    n.mac_address,
                    read("nic.stats", n.stats)?,
                ))
            })
            .collect::<Result<_, Malformed>>()?;
        diagnostics.disk_details = wire
            .disk_details
            .into_iter()
            .map(|d| Ok(DiskDiagnostics::new(d.device, read("disk.stats", d.stats)?)))
            .collect::<Result<_, Malformed>>()?;
        diagnostics.memory_max_kb = wire.memory_max_kb;
        diagnostics.memory_used_kb = wire.memory_used_kb;
        Ok(diagnostics)
    }
}

impl ToWire<proto::BandwidthCounter> for BandwidthCounter {
    fn to_wire(&self) -> proto::BandwidthCounter {
        proto::BandwidthCounter {
            uuid: self.uuid.to_string(),
            mac_address: self.mac_address.clone(),
            bw_in: self.bw_in,
            bw_out: self.bw_out,
        }
    }
}

impl FromWire<proto::BandwidthCounter> for BandwidthCounter {
    fn from_wire(wire: proto::BandwidthCounter) -> Result<Self, Malformed> {
        Ok(BandwidthCounter::new(
            uuid("bandwidth_counter.uuid", &wire.uuid)?,
            wire.mac_address,
            wire.bw_in,
            wire.bw_out,
        ))
    }
}

impl ToWire<proto::VolumeUsage> for VolumeUsage {
    fn to_wire(&self) -> proto::VolumeUsage {
        proto::VolumeUsage {
            volume: self.volume.clone(),
            instance_uuid: self.instance_uuid.to_string(),
            rd_req: self.rd_req,
            rd_bytes: self.rd_bytes,
            wr_req: self.wr_req,
            wr_bytes: self.wr_bytes,
        }
    }
}

impl FromWire<proto::VolumeUsage> for VolumeUsage {
    fn from_wire(wire: proto::VolumeUsage) -> Result<Self, Malformed> {
        let stats = BlockStats {
            rd_req: wire.rd_req,
            rd_bytes: wire.rd_bytes,
            wr_req: wire.wr_req,
            wr_bytes: wire.wr_bytes,
            errs: None,
        };
        Ok(VolumeUsage::new(
            wire.volume,
            uuid("volume_usage.instance_uuid", &wire.instance_uuid)?,
            stats,
        ))
    }
}

fn port(field: &'static str, port: u32) -> Result<u16, Malformed> {
    u16::try_from(port).map_err(|_| Malformed::new(field, "beyond 65535"))
}

impl ToWire<proto::VncConsole> for VncConsole {
    fn to_wire(&self) -> proto::VncConsole {
        proto::VncConsole {
            host: self.host.clone(),
            port: self.port.into(),
            internal_access_path: self.internal_access_path.clone(),
        }
    }
}

impl FromWire<proto::VncConsole> for VncConsole {
    fn from_wire(wire: proto::VncConsole) -> Result<Self, Malformed> {
        let mut console = VncConsole::new(wire.host, port("vnc.port", wire.port)?);
        console.internal_access_path = wire.internal_access_path;
        Ok(console)
    }
}

impl ToWire<proto::SpiceConsole> for SpiceConsole {
    fn to_wire(&self) -> proto::SpiceConsole {
        proto::SpiceConsole {
            host: self.host.clone(),
            port: self.port.into(),
            tls_port: self.tls_port.map(u32::from),
            internal_access_path: self.internal_access_path.clone(),
        }
    }
}

impl FromWire<proto::SpiceConsole> for SpiceConsole {
    fn from_wire(wire: proto::SpiceConsole) -> Result<Self, Malformed> {
        let tls_port = match wire.tls_port {
            Some(p) => Some(port("spice.tls_port", p)?),
            None => None,
        };
        let mut console = SpiceConsole::new(wire.host, port("spice.port", wire.port)?, tls_port);
        console.internal_access_path = wire.internal_access_path;
        Ok(console)
    }
}

impl ToWire<proto::SerialConsole> for SerialConsole {
    fn to_wire(&self) -> proto::SerialConsole {
        proto::SerialConsole {
            host: self.host.clone(),
            port: self.port.into(),
        }
    }
}

impl FromWire<proto::SerialConsole> for SerialConsole {
    fn from_wire(wire: proto::SerialConsole) -> Result<Self, Malformed> {
        Ok(SerialConsole::new(
            wire.host,
            port("serial.port", wire.port)?,
        ))
    }
}

impl ToWire<proto::ConsolePoolInfo> for ConsolePoolInfo {
    fn to_wire(&self) -> proto::ConsolePoolInfo {
        proto::ConsolePoolInfo {
            address: self.address.clone(),
            username: self.username.clone(),
            password: self.password.expose().to_owned(),
        }
    }
}

impl FromWire<proto::ConsolePoolInfo> for ConsolePoolInfo {
    fn from_wire(wire: proto::ConsolePoolInfo) -> Result<Self, Malformed> {
        Ok(ConsolePoolInfo::new(
            wire.address,
            wire.username,
            Secret::new(wire.password),
        ))
    }
}

impl ToWire<proto::VolumeConnector> for VolumeConnector {
    fn to_wire(&self) -> proto::VolumeConnector {
        proto::VolumeConnector {
            ip: self.ip.clone(),
            initiator: self.initiator.clone(),
            host: self.host.clone(),
            multipath: self.multipath,
            wwpns: self.wwpns.clone(),
        }
    }
}

impl FromWire<proto::VolumeConnector> for VolumeConnector {
    fn from_wire(wire: proto::VolumeConnector) -> Result<Self, Malformed> {
        let mut connector = VolumeConnector::new(wire.ip, wire.initiator, wire.host);
        connector.multipath = wire.multipath;
        connector.wwpns = wire.wwpns;
        Ok(connector)
    }
}

impl ToWire<proto::LifecycleEvent> for LifecycleEvent {
    fn to_wire(&self) -> proto::LifecycleEvent {
        proto::LifecycleEvent {
            instance_uuid: self.instance_uuid.to_string(),
            transition: self.transition.to_wire(),
            timestamp: Some(time_to_wire(self.timestamp)),
        }
    }
}

impl FromWire<proto::LifecycleEvent> for LifecycleEvent {
    fn from_wire(wire: proto::LifecycleEvent) -> Result<Self, Malformed> {
        Ok(LifecycleEvent {
            instance_uuid: uuid("event.instance_uuid", &wire.instance_uuid)?,
            transition: FromWire::from_wire(wire.transition)?,
            timestamp: time_from_wire("event.timestamp", wire.timestamp)?,
        })
    }
}

impl ToWire<proto::Capabilities> for Capabilities {
    fn to_wire(&self) -> proto::Capabilities {
        let features: Vec<Feature> = self.features.iter().collect();
        proto::Capabilities {
            supports_recreate: self.supports_recreate,
            has_imagecache: self.has_imagecache,
            features: write_all(&features),
        }
    }
}

impl FromWire<proto::Capabilities> for Capabilities {
    /// Features this side does not know are ignored: it cannot call them.
    fn from_wire(wire: proto::Capabilities) -> Result<Self, Malformed> {
        let mut capabilities =
            Capabilities::none().with_flags(wire.supports_recreate, wire.has_imagecache);
        for feature in wire.features {
            if let Ok(feature) = Feature::from_wire(feature) {
                capabilities = capabilities.with(feature);
            }
        }
        Ok(capabilities)
    }
}

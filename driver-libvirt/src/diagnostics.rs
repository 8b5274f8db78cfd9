//! Diagnostics and disk facts: by-name statistics from libvirt, disk sizes
//! from `qemu-img` (or, on `test:///`, from the flavor).

use driver_api::{
    BandwidthCounter, BlockStats, Diagnostics, DiskDiagnostics, DiskInfo, DriverError,
    DriverMethod, DriverResult, Instance, InstanceDisk, InterfaceStats, NicDiagnostics,
    VolumeUsage,
};
use uuid::Uuid;
use virt::domain::Domain;

use crate::disks;
use crate::domain_xml;
use crate::hypervisor::{backend, step_failed, Hypervisor, DRIVER_NAME};
use crate::record::InstanceRecord;

impl Hypervisor {
    fn block_stats_of(dom: &Domain, disk: &str) -> DriverResult<BlockStats> {
        let stats = dom.block_stats(disk).map_err(|e| {
            DriverError::invalid_input(DriverMethod::BlockStats, e.message().to_owned())
        })?;
        let count = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(BlockStats {
            rd_req: count(stats.rd_req),
            rd_bytes: count(stats.rd_bytes),
            wr_req: count(stats.wr_req),
            wr_bytes: count(stats.wr_bytes),
            errs: u64::try_from(stats.errs).ok(),
        })
    }

    fn interface_stats_of(dom: &Domain, iface: &str) -> DriverResult<InterfaceStats> {
        let stats = dom.interface_stats(iface).map_err(|e| {
            DriverError::invalid_input(DriverMethod::InterfaceStats, e.message().to_owned())
        })?;
        let count = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(InterfaceStats {
            rx_bytes: count(stats.rx_bytes),
            rx_packets: count(stats.rx_packets),
            rx_errs: count(stats.rx_errs),
            rx_drop: count(stats.rx_drop),
            tx_bytes: count(stats.tx_bytes),
            tx_packets: count(stats.tx_packets),
            tx_errs: count(stats.tx_errs),
            tx_drop: count(stats.tx_drop),
        })
    }

    fn is_active(dom: &Domain) -> DriverResult<bool> {
        dom.is_active().map_err(step_failed("statistics"))
    }

    /// `block_stats`: libvirt's counters of a running guest's disk; all zero
    /// while no QEMU runs (nothing was read or written since it stopped).
    pub fn block_stats(&self, name: &str, disk: &str) -> DriverResult<BlockStats> {
        let (dom, _) = self.find_by_name(name)?;
        if !Self::is_active(&dom)? {
            return Ok(BlockStats::default());
        }
        Self::block_stats_of(&dom, disk)
    }

    /// `interface_stats` (by tap name or MAC); all zero while stopped.
    pub fn interface_stats(&self, name: &str, iface: &str) -> DriverResult<InterfaceStats> {
        let (dom, record) = self.find_by_name(name)?;
        if !Self::is_active(&dom)? {
            return Ok(InterfaceStats::default());
        }
        // A VIF's tap is asked for by its MAC (libvirt takes either): after a
        // live migration between two daemons on one machine the running tap
        // has an interim name (see the `live` module).
        let by_mac = record
            .vifs
            .values()
            .find(|v| v.devname.as_deref() == Some(iface))
            .map(|v| v.mac.as_str());
        Self::interface_stats_of(&dom, by_mac.unwrap_or(iface))
    }

    /// `get_diagnostics`: state and used memory from `info`, maximum memory
    /// from the instance's size (as `get_info`), counters of every disk and
    /// NIC while running. Per-vCPU times are not reported.
    pub fn diagnostics(&self, name: &str) -> DriverResult<Diagnostics> {
        let (dom, record) = self.find_by_name(name)?;
        let state = self.power_state(&dom)?;
        let info = dom.info().map_err(backend(DriverMethod::GetDiagnostics))?;
        let mut diagnostics = Diagnostics::new(state, DRIVER_NAME);
        // The instance's size, as `get_info` reports it (the record's claim).
        diagnostics.memory_max_kb = record.claim().memory_mb.saturating_mul(1024);
        diagnostics.memory_used_kb = info.memory;
        if Self::is_active(&dom)? {
            let xml = dom
                .xml_desc(0)
                .map_err(backend(DriverMethod::GetDiagnostics))?;
            for (target, _) in domain_xml::disks(&xml) {
                let stats = Self::block_stats_of(&dom, &target)?;
                diagnostics
                    .disk_details
                    .push(DiskDiagnostics::new(target, stats));
            }
            for vif in record.vifs.values() {
                if let Ok(stats) = Self::interface_stats_of(&dom, &vif.mac) {
                    diagnostics
                        .nic_details
                        .push(NicDiagnostics::new(vif.mac.clone(), stats));
                }
            }
        }
        Ok(diagnostics)
    }

    /// `get_instance_disk_info`: every disk of the domain with its sizes.
    pub fn instance_disk_info(&self, name: &str) -> DriverResult<DiskInfo> {
        let (dom, record) = self.find_by_name(name)?;
        self.disk_info_of(&dom, &record)
    }

    /// The disks of one domain with their sizes.
    pub fn disk_info_of(&self, dom: &Domain, record: &InstanceRecord) -> DriverResult<DiskInfo> {
        let xml = dom
            .xml_desc(virt::sys::VIR_DOMAIN_XML_INACTIVE)
            .map_err(backend(DriverMethod::GetInstanceDiskInfo))?;
        let mut disks_found = Vec::new();
        for (target, source) in domain_xml::disks(&xml) {
            let disk = if self.makes_files() {
                let info = disks::image_info(
                    &self.config.qemu_img,
                    DriverMethod::GetInstanceDiskInfo,
                    source.as_ref(),
                )?;
                let mut disk = InstanceDisk::new(source, info.format, info.virtual_size);
                disk.disk_size = info.actual_size;
                disk.backing_file = info.backing_file;
                disk.over_committed_disk_size = info.virtual_size.saturating_sub(info.actual_size);
                disk
            } else {
                // test:/// has no files: the sizes the driver would have made.
                let gib = if target == "vda" || target == "vdb" {
                    record.flavor.root_gb.max(1)
                } else {
                    0
                };
                let bytes = gib << 30;
                let size = if bytes == 0 {
                    self.config.volume_size_mib << 20
                } else {
                    bytes
                };
                let mut disk = InstanceDisk::new(source, "qcow2", size);
                disk.disk_size = 0;
                disk.over_committed_disk_size = size;
                disk
            };
            disks_found.push(disk);
        }
        Ok(disks_found)
    }

    /// `get_disk_available_least`: configured local disk minus what the
    /// instances on the first node claim, in GiB.
    pub fn disk_available_least(&self) -> DriverResult<i64> {
        let node = self.node_list().first().cloned().unwrap_or_default();
        let used = self.node_used(&node)?;
        Ok(i64::try_from(self.config.local_gb).unwrap_or(i64::MAX)
            - i64::try_from(used.local_gb).unwrap_or(i64::MAX))
    }

    /// `instance_on_disk`: whether the root disk is reachable here (always on
    /// `test:///`, which keeps everything in process).
    pub fn instance_on_disk(&self, uuid: Uuid) -> DriverResult<bool> {
        let (_, record) = self.get(uuid)?;
        Ok(!self.makes_files() || record.files.root_disk.exists())
    }

    /// `get_all_bw_counters`: the counters of every VIF of the given
    /// instances that are ours (zero while stopped); others are skipped.
    pub fn bw_counters(&self, instances: &[Instance]) -> DriverResult<Vec<BandwidthCounter>> {
        let mut counters = Vec::new();
        for instance in instances {
            let Some((dom, record)) = self.find(instance.uuid)? else {
                continue;
            };
            let active = Self::is_active(&dom)?;
            for vif in record.vifs.values() {
                // By MAC, as `interface_stats` asks: the tap may have an
                // interim name after a live migration.
                let stats = if active {
                    Self::interface_stats_of(&dom, &vif.mac)?
                } else {
                    InterfaceStats::default()
                };
                counters.push(BandwidthCounter::new(
                    record.uuid,
                    vif.mac.clone(),
                    stats.rx_bytes,
                    stats.tx_bytes,
                ));
            }
        }
        Ok(counters)
    }

    /// `get_all_volume_usage`: libvirt's counters of every volume attached to
    /// the given instances that are ours (zero while stopped), named by the
    /// volume's serial (else its mountpoint). libvirt keeps no history, so the
    /// figures are totals since the guest started, whatever the period.
    pub fn volume_usage(&self, instances: &[Instance]) -> DriverResult<Vec<VolumeUsage>> {
        let mut usage = Vec::new();
        for instance in instances {
            let Some((dom, record)) = self.find(instance.uuid)? else {
                continue;
            };
            let active = Self::is_active(&dom)?;
            for (mountpoint, volume) in &record.volumes {
                let stats = if active {
                    Self::block_stats_of(&dom, &volume.target)?
                } else {
                    BlockStats::default()
                };
                let id = volume.serial.clone().unwrap_or_else(|| mountpoint.clone());
                usage.push(VolumeUsage::new(id, record.uuid, stats));
            }
        }
        Ok(usage)
    }
}

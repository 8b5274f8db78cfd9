//! Host statistics, for a QEMU hypervisor on this machine: node info and free
//! memory from libvirt; CPU times and uptime from `/proc` (as Nova's libvirt
//! driver runs `uptime` locally).

use std::net::IpAddr;
use std::time::Duration;

use driver_api::{DriverMethod, DriverResult, HostCpuStats, HostStats};

use crate::hypervisor::{backend, backend_msg, Hypervisor};

/// Clock ticks per second of `/proc/stat` (`USER_HZ`, 100 on Linux).
const USER_HZ: u64 = 100;

/// Bytes in a GiB: `get_host_stats` reports disk in bytes, the resources in GB.
const GIB: u64 = 1 << 30;

impl Hypervisor {
    /// Whether the URI reaches a hypervisor on this machine (no host part).
    pub fn is_local(&self) -> bool {
        match &self.config.uri {
            None => true,
            Some(uri) => uri
                .split_once("://")
                .is_some_and(|(_, rest)| rest.starts_with('/')),
        }
    }

    /// `get_host_stats`: one entry per node, memory and disk in bytes; disk and
    /// `vcpus_used` from the same configuration and claims as
    /// `get_available_resource`.
    pub fn host_stats(&self) -> DriverResult<Vec<HostStats>> {
        let info = self
            .conn()
            .node_info()
            .map_err(backend(DriverMethod::GetHostStats))?;
        // virNodeGetFreeMemory answers bytes; the node info's memory is KiB.
        let free_bytes = self
            .conn()
            .free_memory()
            .map_err(backend(DriverMethod::GetHostStats))?;
        let mut stats = Vec::new();
        for node in self.node_list() {
            let used = self.node_used(&node)?;
            let mut entry = HostStats::new(node.clone(), self.host_name.clone());
            entry.description = format!(
                "libvirt {} on {}",
                self.conn().driver_type().unwrap_or_default(),
                info.model
            );
            entry.host_memory_total = info.memory.saturating_mul(1024);
            entry.host_memory_free = free_bytes.min(entry.host_memory_total);
            entry.disk_total = self.config.local_gb.saturating_mul(GIB);
            entry.disk_used = used.local_gb.saturating_mul(GIB);
            entry.disk_available = self
                .config
                .local_gb
                .saturating_sub(used.local_gb)
                .saturating_mul(GIB);
            entry.host_ip_address = self.config.host_ip.to_string();
            entry.vcpus = u64::from(info.cpus);
            entry.vcpus_used = used.vcpus;
            stats.push(entry);
        }
        Ok(stats)
    }

    /// `get_host_ip_addr`: the configured address.
    pub fn host_ip(&self) -> IpAddr {
        self.config.host_ip
    }

    /// `get_host_cpu_stats`: cumulative times from `/proc/stat`, in ns.
    pub fn host_cpu_stats(&self) -> DriverResult<HostCpuStats> {
        let stat = std::fs::read_to_string("/proc/stat")
            .map_err(|e| backend_msg(DriverMethod::GetHostCpuStats, e.to_string()))?;
        let line = stat
            .lines()
            .find(|l| l.starts_with("cpu "))
            .ok_or_else(|| {
                backend_msg(DriverMethod::GetHostCpuStats, "no cpu line in /proc/stat")
            })?;
        let ticks: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .map(|v| v.parse().unwrap_or(0))
            .collect();
        let ns = |i: usize| {
            ticks
                .get(i)
                .copied()
                .unwrap_or(0)
                .saturating_mul(1_000_000_000 / USER_HZ)
        };
        let mhz = self
            .conn()
            .node_info()
            .map(|i| u64::from(i.mhz))
            .unwrap_or(0);
        // user + nice, system, idle, iowait
        Ok(HostCpuStats::new(
            ns(2),
            ns(3),
            ns(0).saturating_add(ns(1)),
            ns(4),
            mhz,
        ))
    }

    /// `get_host_uptime`: from `/proc/uptime`.
    pub fn host_uptime(&self) -> DriverResult<Duration> {
        let text = std::fs::read_to_string("/proc/uptime")
            .map_err(|e| backend_msg(DriverMethod::GetHostUptime, e.to_string()))?;
        let seconds: f64 = text
            .split_whitespace()
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| backend_msg(DriverMethod::GetHostUptime, "unreadable /proc/uptime"))?;
        Ok(Duration::from_secs_f64(seconds.max(0.0)))
    }
}

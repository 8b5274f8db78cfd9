//! `LibvirtConfig`: where to connect and how to build domains.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

/// How a [`LibvirtDriver`](crate::LibvirtDriver) connects and builds its domains.
///
/// `LibvirtConfig::default()` opens a private, in-process `test:///` hypervisor
/// (a fresh node XML in a per-driver temporary directory), so parallel tests
/// never share state. [`LibvirtConfig::for_uri`] targets a real hypervisor,
/// e.g. `qemu:///system?socket=/tmp/lvstate/run/libvirt-sock`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LibvirtConfig {
    /// The connection URI; `None` means a private `test:///` hypervisor built
    /// from [`test_node`](Self::test_node).
    pub uri: Option<String>,
    /// Every domain this driver defines is named `<prefix><instance uuid>`;
    /// domains without the prefix are never listed or touched.
    pub domain_prefix: String,
    /// Where disks and console logs go. `None`: a per-driver temporary
    /// directory, removed when the driver is dropped.
    pub work_dir: Option<PathBuf>,
    /// The host's address (`get_host_ip_addr`, the volume connector).
    pub host_ip: IpAddr,
    /// The driver's node name; `None`: the hypervisor's host name.
    pub node_name: Option<String>,
    /// Local disk offered to instances, in GiB (`get_available_resource`'s
    /// `local_gb`).
    pub local_gb: u64,
    /// vCPUs offered per physical CPU (Nova's `cpu_allocation_ratio`).
    pub cpu_allocation_ratio: f64,
    /// Memory offered per MiB of host memory (Nova's `ram_allocation_ratio`).
    pub ram_allocation_ratio: f64,
    /// The domain type: `qemu` (TCG, works everywhere) or `kvm`.
    pub domain_type: String,
    /// The emulator binary QEMU domains run.
    pub emulator: PathBuf,
    /// The `qemu-img` binary used to create disks.
    pub qemu_img: PathBuf,
    /// Where a local root libvirtd keeps its QEMU pid files (the crash test
    /// hook kills QEMU by them).
    pub qemu_pid_dir: PathBuf,
    /// Guest memory in MiB regardless of the flavor (claims still follow the
    /// flavor). `None`: the flavor's memory. CI sets a small value so that many
    /// TCG guests fit on a small machine.
    pub guest_memory_mib: Option<u64>,
    /// Guest vCPUs regardless of the flavor (claims still follow the flavor).
    pub guest_vcpus: Option<u32>,
    /// Size of the volume files the driver creates for volumes whose connection
    /// info names no local path, in MiB.
    pub volume_size_mib: u64,
    /// Give QEMU guests a VNC display on 127.0.0.1 (`get_vnc_console`).
    pub vnc: bool,
    /// Boot QEMU guests into this operating system (direct kernel boot);
    /// `None`: guests boot their (empty) root disk and run no OS, so nothing
    /// answers ACPI and the console shows only the firmware.
    pub guest_os: Option<GuestOs>,
    /// Give QEMU guests a SPICE display on 127.0.0.1 (`get_spice_console`;
    /// QEMU's SPICE module and libspice-server must be installed).
    pub spice: bool,
    /// Give QEMU guests an interactive serial console on a TCP port of
    /// 127.0.0.1 (`get_serial_console`).
    pub serial_console: bool,
    /// How long a soft reboot waits for the guest to shut down before it falls
    /// back to a reset (Nova: `wait_soft_reboot_seconds`).
    pub soft_reboot_wait: Duration,
    /// Refuse every mutating method with `ReadOnly` (Nova's `read_only=True`).
    pub read_only: bool,
    /// The private `test:///` node, when [`uri`](Self::uri) is `None`.
    pub test_node: TestNode,
    /// When the driver is dropped, destroy every domain carrying its prefix
    /// (test fixtures on a shared hypervisor: nothing outlives the test).
    pub purge_on_drop: bool,
    /// Live migration: the libvirt URI of each destination host this driver
    /// may live-migrate to, by the host name the caller passes as `dest`
    /// (e.g. `"compute-2" => "qemu+ssh://compute-2/system"`, or a second
    /// libvirtd on this machine). Live migration is declared only on QEMU
    /// with at least one peer; a destination host not listed here fails the
    /// migration (`MigrationFailed`, after `recover`). The hosts must share
    /// the instance storage (the driver's work directories on one
    /// filesystem): disks are handed over, not copied.
    pub live_migration_peers: BTreeMap<String, String>,
    /// Where the destination QEMU listens for the migration stream, as
    /// libvirt's migration URI without a port (`tcp://127.0.0.1` for two
    /// daemons on one machine); `None`: libvirt's default, the destination's
    /// host name.
    pub live_migration_uri: Option<String>,
    /// The migration stream's bandwidth limit in MiB/s (Nova's
    /// `live_migration_bandwidth`); `None`: unlimited.
    /// `live_migration_force_complete` lifts it.
    pub live_migration_bandwidth_mib: Option<u64>,
}

/// The hardware of a private `test:///` hypervisor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TestNode {
    /// Physical CPUs.
    pub cpus: u32,
    /// Memory in MiB.
    pub memory_mib: u64,
}

impl Default for TestNode {
    fn default() -> Self {
        Self {
            cpus: 64,
            memory_mib: 256 * 1024,
        }
    }
}

impl Default for LibvirtConfig {
    fn default() -> Self {
        Self {
            uri: None,
            domain_prefix: "hvd-".to_owned(),
            work_dir: None,
            host_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            node_name: None,
            local_gb: 1000,
            cpu_allocation_ratio: 16.0,
            ram_allocation_ratio: 1.5,
            domain_type: "qemu".to_owned(),
            emulator: PathBuf::from("/usr/bin/qemu-system-x86_64"),
            qemu_img: PathBuf::from("qemu-img"),
            qemu_pid_dir: PathBuf::from("/run/libvirt/qemu"),
            guest_memory_mib: None,
            guest_vcpus: None,
            volume_size_mib: 16,
            vnc: true,
            guest_os: None,
            spice: true,
            serial_console: true,
            soft_reboot_wait: Duration::from_secs(1),
            read_only: false,
            test_node: TestNode::default(),
            purge_on_drop: false,
            live_migration_peers: BTreeMap::new(),
            live_migration_uri: None,
            live_migration_bandwidth_mib: None,
        }
    }
}

impl LibvirtConfig {
    /// A private `test:///` hypervisor (the default).
    pub fn test() -> Self {
        Self::default()
    }

    /// A connection to `uri`, everything else defaulted.
    pub fn for_uri(uri: impl Into<String>) -> Self {
        Self {
            uri: Some(uri.into()),
            ..Self::default()
        }
    }

    /// What CI uses on real QEMU: `uri`, 64 MiB and one vCPU per guest (claims
    /// still follow the flavors), a short soft-reboot wait.
    pub fn small_guests(uri: impl Into<String>) -> Self {
        Self {
            guest_memory_mib: Some(64),
            guest_vcpus: Some(1),
            soft_reboot_wait: Duration::from_millis(500),
            ..Self::for_uri(uri)
        }
    }

    /// The same, with domain names starting with `prefix`.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.domain_prefix = prefix.into();
        self
    }

    /// The same, with the node named `node`.
    pub fn with_node_name(mut self, node: impl Into<String>) -> Self {
        self.node_name = Some(node.into());
        self
    }

    /// The same, with disks and logs under `dir`.
    pub fn with_work_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.work_dir = Some(dir.into());
        self
    }

    /// The same, read-only (or not).
    pub fn with_read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// The same, destroying its domains when dropped (or not).
    pub fn with_purge_on_drop(mut self, purge: bool) -> Self {
        self.purge_on_drop = purge;
        self
    }

    /// The same, with guests booting `os`.
    pub fn with_guest_os(mut self, os: GuestOs) -> Self {
        self.guest_os = Some(os);
        self
    }

    /// The same, able to live-migrate to `host` through the libvirt at `uri`
    /// (see [`live_migration_peers`](Self::live_migration_peers)).
    pub fn with_live_migration_peer(
        mut self,
        host: impl Into<String>,
        uri: impl Into<String>,
    ) -> Self {
        self.live_migration_peers.insert(host.into(), uri.into());
        self
    }

    /// The same, with the migration stream going to `uri` (see
    /// [`live_migration_uri`](Self::live_migration_uri)).
    pub fn with_live_migration_uri(mut self, uri: impl Into<String>) -> Self {
        self.live_migration_uri = Some(uri.into());
        self
    }

    /// The same, with the migration stream limited to `mib` MiB/s.
    pub fn with_live_migration_bandwidth(mut self, mib: u64) -> Self {
        self.live_migration_bandwidth_mib = Some(mib);
        self
    }

    /// The same, with a private `test:///` node of this size.
    pub fn with_test_node(mut self, cpus: u32, memory_mib: u64) -> Self {
        self.test_node = TestNode { cpus, memory_mib };
        self
    }
}

/// An operating system QEMU guests boot directly (libvirt's `<kernel>`,
/// `<initrd>` and `<cmdline>`): what the tier-2 tests use to have a guest
/// that prints to its console and shuts down on the ACPI power button
/// (`.ci/guest-image.sh` builds one from Debian's kernel and busybox).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GuestOs {
    /// The kernel image.
    pub kernel: PathBuf,
    /// The initial RAM disk.
    pub initrd: PathBuf,
    /// The kernel command line (`console=ttyS0` sends it to the console log).
    pub cmdline: String,
}

impl GuestOs {
    /// `kernel` and `initrd`, with the console on the first serial port.
    pub fn new(kernel: impl Into<PathBuf>, initrd: impl Into<PathBuf>) -> Self {
        Self {
            kernel: kernel.into(),
            initrd: initrd.into(),
            cmdline: "console=ttyS0 panic=-1".to_owned(),
        }
    }

    /// `vmlinuz` and `initrd.gz` in `dir` (what `.ci/guest-image.sh` writes).
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Self::new(dir.join("vmlinuz"), dir.join("initrd.gz"))
    }
}

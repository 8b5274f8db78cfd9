//! Domain and device XML: what the driver defines, and the few facts it reads
//! back from libvirt's XML.

use std::fmt::Write as _;
use std::path::Path;

use uuid::Uuid;

use crate::config::LibvirtConfig;
use crate::record::{InstanceRecord, VolumeRecord};

/// Whether a domain boots its own root disk or the rescue disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootMode {
    /// The root disk is `vda`.
    Normal,
    /// The rescue disk is `vda` (booted), the root disk `vdb`.
    Rescue,
}

/// Escapes text for an XML attribute or element.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// How the guest boots: its operating system's kernel when configured, else
/// its root disk through the firmware (which prints to the serial log).
fn boot_xml(config: &LibvirtConfig) -> String {
    match &config.guest_os {
        Some(os) => format!(
            "<kernel>{}</kernel><initrd>{}</initrd><cmdline>{}</cmdline>",
            escape(&os.kernel.to_string_lossy()),
            escape(&os.initrd.to_string_lossy()),
            escape(&os.cmdline),
        ),
        None => "<boot dev='hd'/><bios useserial='yes'/>".to_owned(),
    }
}

/// The full domain definition of an instance.
pub fn domain(
    config: &LibvirtConfig,
    (domain_name, domain_uuid): (&str, Uuid),
    record: &InstanceRecord,
    mode: BootMode,
) -> String {
    let memory = config
        .guest_memory_mib
        .unwrap_or(record.flavor.memory_mb)
        .max(16);
    let vcpus = config.guest_vcpus.unwrap_or(record.flavor.vcpus).max(1);
    let mut xml = String::new();
    let _ = write!(
        xml,
        "<domain type='{dtype}'><name>{name}</name><uuid>{uuid}</uuid><title>{title}</title>\
         <metadata>{meta}</metadata>\
         <memory unit='MiB'>{memory}</memory><vcpu>{vcpus}</vcpu>\
         <os><type arch='x86_64' machine='pc'>hvm</type>{boot}</os>\
         <features><acpi/></features>\
         <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>\
         <devices><emulator>{emulator}</emulator>",
        dtype = escape(&config.domain_type),
        name = escape(domain_name),
        uuid = domain_uuid,
        title = escape(&record.name),
        meta = record.to_domain_metadata(),
        emulator = escape(&config.emulator.to_string_lossy()),
        boot = boot_xml(config),
    );
    let files = &record.files;
    match mode {
        BootMode::Normal => {
            xml.push_str(&file_disk(&files.root_disk, "qcow2", "vda", "virtio", None))
        }
        BootMode::Rescue => {
            xml.push_str(&file_disk(
                &files.rescue_disk,
                "qcow2",
                "vda",
                "virtio",
                None,
            ));
            xml.push_str(&file_disk(&files.root_disk, "qcow2", "vdb", "virtio", None));
        }
    }
    for volume in record.volumes.values() {
        xml.push_str(&volume_disk(volume));
    }
    xml.push_str("<controller type='scsi' index='0' model='virtio-scsi'/>");
    for vif in record.vifs.values() {
        // A tap libvirt creates and removes (no bridge needed); no option ROM,
        // so no iPXE files are needed either.
        xml.push_str("<interface type='ethernet'>");
        if is_mac(&vif.mac) {
            let _ = write!(xml, "<mac address='{}'/>", vif.mac.to_ascii_lowercase());
        }
        if let Some(dev) = &vif.devname {
            let _ = write!(xml, "<target dev='{}' managed='yes'/>", escape(dev));
        }
        xml.push_str("<model type='virtio'/><rom enabled='no'/></interface>");
    }
    let _ = write!(
        xml,
        "<serial type='file'><source path='{}' append='on'/><target port='0'/></serial>",
        escape(&files.console_log.to_string_lossy())
    );
    if let Some(port) = record.serial_port {
        // The interactive console (the first serial port is the log).
        let _ = write!(
            xml,
            "<serial type='tcp'><source mode='bind' host='127.0.0.1' service='{port}'/>\
             <protocol type='raw'/><target port='1'/></serial>"
        );
    }
    if config.vnc {
        xml.push_str("<graphics type='vnc' autoport='yes' listen='127.0.0.1'/>");
    }
    if config.spice {
        xml.push_str("<graphics type='spice' autoport='yes' listen='127.0.0.1'/>");
    }
    xml.push_str("<memballoon model='none'/></devices></domain>");
    xml
}

/// A volume's `<disk>` element (SCSI bus), for define and hotplug alike.
pub fn volume_disk(volume: &VolumeRecord) -> String {
    file_disk(
        &volume.source,
        &volume.format,
        &volume.target,
        "scsi",
        volume.serial.as_deref(),
    )
}

fn file_disk(path: &Path, format: &str, target: &str, bus: &str, serial: Option<&str>) -> String {
    let mut xml = format!(
        "<disk type='file' device='disk'><driver name='qemu' type='{}'/><source file='{}'/>\
         <target dev='{}' bus='{bus}'/>",
        escape(format),
        escape(&path.to_string_lossy()),
        escape(target),
    );
    if let Some(serial) = serial.map(disk_serial).filter(|s| !s.is_empty()) {
        let _ = write!(xml, "<serial>{serial}</serial>");
    }
    xml.push_str("</disk>");
    xml
}

/// A disk serial libvirt accepts: the characters it allows, at most 20 of them
/// (what a SCSI disk reports).
pub fn disk_serial(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(20)
        .collect()
}

/// Whether `name` can be a tap device name (Linux: at most 15 bytes, no `/`
/// or spaces); libvirt reserves `vnet*`.
pub fn is_tap_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 15
        && !name.starts_with("vnet")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Whether `mac` looks like `52:54:00:12:34:56`.
pub fn is_mac(mac: &str) -> bool {
    let parts: Vec<&str> = mac.split(':').collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The SCSI device names (`sda`, ...) of the disks in a domain's XML.
pub fn scsi_targets(xml: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut rest = xml;
    while let Some(pos) = rest.find("<target dev=") {
        rest = &rest[pos + "<target dev=".len()..];
        let Some(tag_end) = rest.find('>') else { break };
        let tag = &rest[..tag_end];
        if let Some(dev) = quoted(tag) {
            if tag.contains("bus=\"scsi\"") || tag.contains("bus='scsi'") {
                targets.push(dev.to_owned());
            }
        }
    }
    targets
}

/// The `(device, source file)` of every disk in a domain's XML.
pub fn disks(xml: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<disk ") {
        rest = &rest[start..];
        let Some(end) = rest.find("</disk>") else {
            break;
        };
        let disk = &rest[..end];
        rest = &rest[end..];
        let source = disk
            .find("<source file=")
            .and_then(|at| quoted(&disk[at + "<source file=".len()..]));
        let target = disk
            .find("<target dev=")
            .and_then(|at| quoted(&disk[at + "<target dev=".len()..]));
        if let (Some(target), Some(source)) = (target, source) {
            found.push((target.to_owned(), source.to_owned()));
        }
    }
    found
}

/// A kind of graphical display a domain may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Graphics {
    /// `<graphics type='vnc'>`.
    Vnc,
    /// `<graphics type='spice'>`.
    Spice,
}

impl Graphics {
    /// libvirt's name of the display type.
    pub fn name(self) -> &'static str {
        match self {
            Self::Vnc => "vnc",
            Self::Spice => "spice",
        }
    }
}

/// The port of a running domain's display of `kind`, if it has one (libvirt
/// writes the port it chose into the live XML; `-1` until then).
pub fn graphics_port(xml: &str, kind: Graphics) -> Option<u16> {
    let (double, single) = match kind {
        Graphics::Vnc => ("<graphics type=\"vnc\"", "<graphics type='vnc'"),
        Graphics::Spice => ("<graphics type=\"spice\"", "<graphics type='spice'"),
    };
    let start = xml.find(double).or_else(|| xml.find(single))?;
    let tag = &xml[start..];
    let tag = &tag[..tag.find('>')?];
    let port_at = tag.find(" port=")? + " port=".len();
    quoted(&tag[port_at..])?.parse().ok().filter(|p| *p > 0)
}

/// The first quoted value in `text` (either quote style).
fn quoted(text: &str) -> Option<&str> {
    let open = text.find(['"', '\''])?;
    let quote = text[open..].chars().next()?;
    let rest = &text[open + 1..];
    Some(&rest[..rest.find(quote)?])
}

/// The guest device for a volume at `mountpoint` (`/dev/sdb` → `sdb`): its
/// own name when it is a free SCSI name, else the first free `sdX`.
pub fn target_for_mountpoint<'a>(
    mountpoint: &str,
    used: impl Iterator<Item = &'a str> + Clone,
) -> Option<String> {
    let base = mountpoint.rsplit('/').next().unwrap_or(mountpoint);
    let is_scsi_name = base.len() == 3
        && base.starts_with("sd")
        && base.chars().nth(2).is_some_and(|c| c.is_ascii_lowercase());
    if is_scsi_name && !used.clone().any(|u| u == base) {
        return Some(base.to_owned());
    }
    ('a'..='z')
        .map(|c| format!("sd{c}"))
        .find(|name| !used.clone().any(|u| u == name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b>&'\""), "a&lt;b&gt;&amp;&apos;&quot;");
    }

    #[test]
    fn finds_scsi_targets_and_vnc_port() {
        let xml = r#"<disk><target dev="vda" bus="virtio"/></disk><disk><target dev="sdb" bus="scsi"/></disk>
            <graphics type="vnc" port="5901" autoport="yes" listen="127.0.0.1">"#;
        assert_eq!(scsi_targets(xml), vec!["sdb".to_owned()]);
        assert_eq!(graphics_port(xml, Graphics::Vnc), Some(5901));
        assert_eq!(graphics_port(xml, Graphics::Spice), None);
        assert_eq!(
            graphics_port(
                r#"<graphics type="vnc" port="-1" autoport="yes">"#,
                Graphics::Vnc
            ),
            None
        );
    }

    #[test]
    fn picks_targets() {
        let used = ["sda", "sdc"];
        assert_eq!(
            target_for_mountpoint("/dev/sdb", used.iter().copied()).as_deref(),
            Some("sdb")
        );
        assert_eq!(
            target_for_mountpoint("/dev/sda", used.iter().copied()).as_deref(),
            Some("sdb")
        );
        assert_eq!(
            target_for_mountpoint("/dev/vdb", used.iter().copied()).as_deref(),
            Some("sdb")
        );
    }

    #[test]
    fn serials_and_macs() {
        assert_eq!(disk_serial("vol-1/<x>"), "vol-1x");
        assert!(is_mac("52:54:00:AA:00:01"));
        assert!(!is_mac("fake"));
    }
}

//! What the fake keeps per instance, and the public view of it.

use std::collections::BTreeMap;
use std::sync::Arc;

use driver_api::{
    ConnectionInfo, InjectedFile, InstanceStatus, LifecycleTransition, PowerState, ResourceAmounts,
    Vif,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::arena::NameSpan;
use super::compact::{Name, Port, Ports};
use super::ledger::NodeId;

/// How many entries an instance's console log keeps (the oldest are dropped).
pub const CONSOLE_LOG_LIMIT: usize = 16;

/// The fixed first lines of every console output (Nova's fake's text).
pub const CONSOLE_BANNER: &str = "FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE";

/// Something an instance "printed" to its console.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[repr(u8)]
pub enum ConsoleEntry {
    /// The guest booted or was powered on.
    Started = 1,
    /// The guest stopped.
    Stopped,
    /// The guest was paused.
    Paused,
    /// The guest resumed after pause or suspend.
    Resumed,
    /// The guest was suspended.
    Suspended,
    /// The guest rebooted.
    Rebooted,
    /// The guest crashed.
    Crashed,
    /// The guest left rescue.
    Unrescued,
    /// A file was injected.
    FileInjected,
    /// The admin password changed.
    PasswordChanged,
    /// A crash dump (NMI) was requested.
    CrashDump,
    /// A snapshot was taken.
    Snapshot,
}

impl ConsoleEntry {
    const ALL: [Self; 12] = [
        Self::Started,
        Self::Stopped,
        Self::Paused,
        Self::Resumed,
        Self::Suspended,
        Self::Rebooted,
        Self::Crashed,
        Self::Unrescued,
        Self::FileInjected,
        Self::PasswordChanged,
        Self::CrashDump,
        Self::Snapshot,
    ];

    fn from_code(code: u8) -> Option<Self> {
        Self::ALL.iter().copied().find(|e| *e as u8 == code)
    }

    /// The console line.
    pub const fn line(self) -> &'static str {
        match self {
            Self::Started => "fake: guest started",
            Self::Stopped => "fake: guest stopped",
            Self::Paused => "fake: guest paused",
            Self::Resumed => "fake: guest resumed",
            Self::Suspended => "fake: guest suspended",
            Self::Rebooted => "fake: guest rebooted",
            Self::Crashed => "fake: guest crashed",
            Self::Unrescued => "fake: guest left rescue",
            Self::FileInjected => "fake: file injected",
            Self::PasswordChanged => "fake: admin password changed",
            Self::CrashDump => "fake: NMI received, dumping core",
            Self::Snapshot => "fake: snapshot taken",
        }
    }

    /// The entry a lifecycle event writes.
    pub(crate) const fn of_event(event: LifecycleTransition) -> Option<Self> {
        match event {
            LifecycleTransition::Started => Some(Self::Started),
            LifecycleTransition::Stopped => Some(Self::Stopped),
            LifecycleTransition::Paused => Some(Self::Paused),
            LifecycleTransition::Resumed => Some(Self::Resumed),
            LifecycleTransition::Suspended => Some(Self::Suspended),
            _ => None,
        }
    }
}

/// A bounded log of console entries packed four bits each into one word (no
/// allocation): the newest in the low bits, at most [`CONSOLE_LOG_LIMIT`].
/// Entry codes are never zero, so the length is where the nonzero nibbles end.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ConsoleRing {
    codes: u64,
}

// One word holds exactly the limit.
const _: () = assert!(CONSOLE_LOG_LIMIT * 4 == u64::BITS as usize);

impl ConsoleRing {
    #[inline]
    pub fn push(&mut self, entry: ConsoleEntry) {
        // The oldest entry (the top nibble) drops off once there are 16.
        self.codes = self.codes << 4 | u64::from(entry as u8);
    }

    /// How many entries there are.
    fn len(&self) -> usize {
        (64 - self.codes.leading_zeros() as usize).div_ceil(4)
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> Vec<ConsoleEntry> {
        (0..self.len())
            .rev()
            .filter_map(|age| ConsoleEntry::from_code(((self.codes >> (4 * age)) & 0xf) as u8))
            .collect()
    }

    pub fn from_entries(entries: &[ConsoleEntry]) -> Self {
        let mut ring = Self::default();
        for entry in entries {
            ring.push(*entry);
        }
        ring
    }
}

/// The console output of an instance with these entries.
pub(crate) fn render_console(entries: &[ConsoleEntry]) -> String {
    let mut out = String::from(CONSOLE_BANNER);
    for entry in entries {
        out.push('\n');
        out.push_str(entry.line());
    }
    out
}

/// A VIF as the fake keeps it: its id and MAC address.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FakeInterface {
    /// The VIF (port) id.
    pub id: Uuid,
    /// The MAC address.
    pub address: String,
}

impl Ports {
    /// The public view of these VIFs.
    pub fn public(&self) -> Vec<FakeInterface> {
        self.iter()
            .map(|port| FakeInterface {
                id: port.id,
                address: port.address(),
            })
            .collect()
    }

    /// VIFs from their public view.
    pub fn from_public(interfaces: &[FakeInterface]) -> Self {
        interfaces
            .iter()
            .map(|interface| Port::new(interface.id, &interface.address))
            .collect()
    }
}

impl From<&Vif> for FakeInterface {
    fn from(vif: &Vif) -> Self {
        Self {
            id: vif.id,
            address: vif.address.clone(),
        }
    }
}

/// Where an instance stands in a cold migration, on the source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColdMigrationMark {
    /// The destination host.
    pub dest: String,
    /// The claim before a same-host resize changed it (for a revert).
    pub claim_before: Option<ResourceAmounts>,
    /// The root disk's size (GiB) before a same-host resize changed it (for
    /// a revert).
    #[serde(default)]
    pub root_gb_before: Option<u64>,
}

/// The rarely used parts of an instance, boxed to keep the common record small.
#[derive(Clone, Debug, Default)]
pub(crate) struct InstanceExtras {
    pub volumes: BTreeMap<String, ConnectionInfo>,
    pub injected_files: Vec<InjectedFile>,
    pub snapshots: Vec<String>,
    pub cold_migration: Option<ColdMigrationMark>,
}

/// The fake's record of one instance (internal).
#[derive(Debug)]
pub(crate) struct InstanceRecord {
    /// The name, in the shard's [`NameArena`](super::arena::NameArena).
    pub name: NameSpan,
    pub node: NodeId,
    pub claim: ResourceAmounts,
    /// The root disk's size in GiB (the flavor's `root_gb`; the claim adds
    /// the ephemeral disk and swap).
    pub root_gb: u64,
    pub interfaces: Ports,
    pub extras: Option<Box<InstanceExtras>>,
    pub console: ConsoleRing,
    pub status: InstanceStatus,
    pub admin_password_set: bool,
}

impl InstanceRecord {
    /// The extras, created on first use.
    pub fn extras_mut(&mut self) -> &mut InstanceExtras {
        self.extras.get_or_insert_with(Box::default)
    }

    /// The public view; `name` is the record's name, `nodes` the node names
    /// by id.
    pub fn view(&self, uuid: Uuid, name: &str, nodes: &[Arc<str>]) -> FakeInstance {
        let extras = self.extras.as_deref();
        FakeInstance {
            name: name.to_owned(),
            uuid,
            status: self.status,
            node: nodes
                .get(super::ledger::slot(self.node))
                .map(|n| n.to_string())
                .unwrap_or_default(),
            claim: self.claim,
            root_gb: self.root_gb,
            volumes: extras.map(|e| e.volumes.clone()).unwrap_or_default(),
            interfaces: self.interfaces.public(),
            injected_files: extras.map(|e| e.injected_files.clone()).unwrap_or_default(),
            console_log: self.console.entries(),
            snapshots: extras.map(|e| e.snapshots.clone()).unwrap_or_default(),
            admin_password_set: self.admin_password_set,
            cold_migration: extras.and_then(|e| e.cold_migration.clone()),
        }
    }
}

/// A live migration reserved on the destination by `pre_live_migration`.
#[derive(Debug)]
pub(crate) struct IncomingMigration {
    pub name: Name,
    pub node: NodeId,
    pub claim: ResourceAmounts,
    /// The root disk's size in GiB, of the flavor the claim was made for.
    pub root_gb: u64,
    pub interfaces: Ports,
    pub volumes: BTreeMap<String, ConnectionInfo>,
}

/// The fake's record of one instance, as a test reads it (Nova's
/// `FakeInstance(name, state)` and more). Built on demand by
/// [`FakeDriver::instance`](crate::FakeDriver::instance); changing it changes
/// nothing in the driver.
///
/// The admin password is never kept, only whether one was set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
#[serde(deny_unknown_fields)]
pub struct FakeInstance {
    /// The hypervisor-visible name.
    pub name: String,
    /// The UUID.
    pub uuid: Uuid,
    /// Power state and flags.
    pub status: InstanceStatus,
    /// The node the instance runs on.
    pub node: String,
    /// What the instance claims on its node.
    pub claim: ResourceAmounts,
    /// The root disk's size in GiB: its flavor's `root_gb` (the claim adds
    /// the ephemeral disk and swap), the size `get_instance_disk_info` reports.
    pub root_gb: u64,
    /// Attached volumes, by mountpoint.
    #[serde(deserialize_with = "crate::unique_keys::unique_keys")]
    pub volumes: BTreeMap<String, ConnectionInfo>,
    /// Attached interfaces, in attach order.
    pub interfaces: Vec<FakeInterface>,
    /// Files written into the guest (spawn's and `inject_file`'s), one per path.
    pub injected_files: Vec<InjectedFile>,
    /// The console log, oldest first, at most [`CONSOLE_LOG_LIMIT`] entries.
    pub console_log: Vec<ConsoleEntry>,
    /// The image ids of the snapshots taken, in order.
    pub snapshots: Vec<String>,
    /// Whether an admin password was set (at spawn or later).
    pub admin_password_set: bool,
    /// The cold migration this instance is leaving by, if any.
    pub cold_migration: Option<ColdMigrationMark>,
}

impl FakeInstance {
    /// The power state.
    pub fn state(&self) -> PowerState {
        self.status.state
    }

    /// What `get_console_output` returns for this instance.
    pub fn console_output(&self) -> String {
        render_console(&self.console_log)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_ring_keeps_the_newest_sixteen_in_order() {
        assert!(ConsoleRing::default().entries().is_empty());
        let mut ring = ConsoleRing::default();
        let pushed: Vec<ConsoleEntry> = (0..20).map(|i| ConsoleEntry::ALL[i % 12]).collect();
        for (i, entry) in pushed.iter().enumerate() {
            ring.push(*entry);
            let kept = (i + 1).min(CONSOLE_LOG_LIMIT);
            assert_eq!(ring.entries(), pushed[i + 1 - kept..=i]);
        }
        assert_eq!(
            ConsoleRing::from_entries(&pushed[..3]).entries(),
            pushed[..3]
        );
    }
}

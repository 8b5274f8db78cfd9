//! Guest agent builds.

use serde::{Deserialize, Serialize};

/// A guest-agent build for one (hypervisor, os, architecture) triple (Nova's
/// `agent_builds` row, used by Xen-style drivers to update the agent in a guest).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AgentBuild {
    /// The database id.
    pub id: i64,
    /// The hypervisor (`xen`, `kvm`, ...).
    pub hypervisor: String,
    /// The guest OS (`linux`, `windows`, ...).
    pub os: String,
    /// The guest architecture (`x86_64`, ...).
    pub architecture: String,
    /// The agent's version.
    pub version: String,
    /// Where the build is downloaded from.
    pub url: String,
    /// The MD5 hash of the download, hex encoded.
    pub md5hash: String,
}

impl AgentBuild {
    /// A build not yet stored (id 0, filled in by the store that adds it).
    pub fn new(
        hypervisor: impl Into<String>,
        os: impl Into<String>,
        architecture: impl Into<String>,
        version: impl Into<String>,
    ) -> Self {
        Self {
            id: 0,
            hypervisor: hypervisor.into(),
            os: os.into(),
            architecture: architecture.into(),
            version: version.into(),
            url: String::new(),
            md5hash: String::new(),
        }
    }

    /// Sets the download URL and its MD5 hash.
    pub fn with_download(mut self, url: impl Into<String>, md5hash: impl Into<String>) -> Self {
        self.url = url.into();
        self.md5hash = md5hash.into();
        self
    }

    /// Whether this build is for the given triple.
    pub fn matches(&self, hypervisor: &str, os: &str, architecture: &str) -> bool {
        self.hypervisor == hypervisor && self.os == os && self.architecture == architecture
    }
}

//! Security groups, their rules, and provider firewall rules.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The IP protocol a firewall rule matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum IpProtocol {
    /// TCP: ports are a port range.
    Tcp,
    /// UDP: ports are a port range.
    Udp,
    /// ICMP: `from_port` is the ICMP type and `to_port` the code, `-1` meaning any.
    Icmp,
}

impl IpProtocol {
    /// Nova's name (`tcp`, `udp`, `icmp`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Udp => "udp",
            Self::Icmp => "icmp",
        }
    }
}

impl fmt::Display for IpProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/8`, `::/0`).
///
/// Parsed and validated; serialised as its string.
///
/// ```
/// use virtapi::Cidr;
///
/// let net: Cidr = "192.168.0.0/24".parse().unwrap();
/// assert_eq!(net.prefix_len(), 24);
/// assert_eq!(net.to_string(), "192.168.0.0/24");
/// assert!("192.168.0.0/33".parse::<Cidr>().is_err());
/// assert!("192.168.0.0".parse::<Cidr>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cidr {
    address: IpAddr,
    prefix_len: u8,
}

impl Cidr {
    /// A network from its address and prefix length; `None` when the prefix is
    /// longer than the address (32 bits for IPv4, 128 for IPv6).
    pub fn new(address: IpAddr, prefix_len: u8) -> Option<Self> {
        let max = if address.is_ipv4() { 32 } else { 128 };
        (prefix_len <= max).then_some(Self {
            address,
            prefix_len,
        })
    }

    /// Every IPv4 address (`0.0.0.0/0`).
    pub fn any_v4() -> Self {
        Self {
            address: IpAddr::from([0, 0, 0, 0]),
            prefix_len: 0,
        }
    }

    /// The network address.
    pub fn address(&self) -> IpAddr {
        self.address
    }

    /// The prefix length in bits.
    pub fn prefix_len(&self) -> u8 {
        self.prefix_len
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix_len)
    }
}

/// A string that is not a network in CIDR notation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a network in CIDR notation (address/prefix)")]
pub struct CidrParseError {
    /// The rejected text.
    pub input: String,
}

impl FromStr for Cidr {
    type Err = CidrParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || CidrParseError {
            input: text.to_owned(),
        };
        let (address, prefix) = text.split_once('/').ok_or_else(error)?;
        let address: IpAddr = address.parse().map_err(|_| error())?;
        let prefix_len: u8 = prefix.parse().map_err(|_| error())?;
        Self::new(address, prefix_len).ok_or_else(error)
    }
}

impl TryFrom<String> for Cidr {
    type Error = CidrParseError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Cidr> for String {
    fn from(cidr: Cidr) -> Self {
        cidr.to_string()
    }
}

/// A security group (Nova's `security_groups` row).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SecurityGroup {
    /// The database id (`security_group_rule_get_by_security_group` takes it).
    pub id: i64,
    /// The name, unique per project (`default`, `web`, ...).
    pub name: String,
    /// Free text.
    pub description: String,
    /// The owning project.
    pub project_id: String,
}

impl SecurityGroup {
    /// A group with an empty description.
    pub fn new(id: i64, name: impl Into<String>, project_id: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            description: String::new(),
            project_id: project_id.into(),
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }
}

/// Where the traffic a security-group rule admits comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RuleSource {
    /// Any address in this network (Nova's `cidr`).
    Cidr(Cidr),
    /// Any member of this security group (Nova's `group_id`).
    Group(i64),
}

/// One ingress rule of a security group (Nova's `security_group_rules` row).
///
/// ```
/// use virtapi::{Cidr, IpProtocol, RuleSource, SecurityGroupRule};
///
/// let ssh = SecurityGroupRule::new(IpProtocol::Tcp, 22, 22, RuleSource::Cidr(Cidr::any_v4()));
/// assert_eq!(ssh.cidr().map(|c| c.to_string()).as_deref(), Some("0.0.0.0/0"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SecurityGroupRule {
    /// The database id.
    pub id: i64,
    /// The group this rule belongs to (Nova's `parent_group_id`).
    pub parent_group_id: i64,
    /// The protocol matched.
    pub protocol: IpProtocol,
    /// First port of the range (ICMP: the type, `-1` for any).
    pub from_port: i32,
    /// Last port of the range (ICMP: the code, `-1` for any).
    pub to_port: i32,
    /// Where admitted traffic comes from.
    pub source: RuleSource,
}

impl SecurityGroupRule {
    /// A rule not yet stored: id and parent group 0, filled in by the store that
    /// adds it to a group.
    pub fn new(protocol: IpProtocol, from_port: i32, to_port: i32, source: RuleSource) -> Self {
        Self {
            id: 0,
            parent_group_id: 0,
            protocol,
            from_port,
            to_port,
            source,
        }
    }

    /// The source network, when the rule admits a network rather than a group.
    pub fn cidr(&self) -> Option<Cidr> {
        match self.source {
            RuleSource::Cidr(cidr) => Some(cidr),
            RuleSource::Group(_) => None,
        }
    }
}

/// A provider-level firewall rule, applied to every instance of the cloud
/// (Nova's `provider_fw_rules` row): it blocks matching traffic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProviderFirewallRule {
    /// The database id.
    pub id: i64,
    /// The protocol matched.
    pub protocol: IpProtocol,
    /// First port of the range (ICMP: the type, `-1` for any).
    pub from_port: i32,
    /// Last port of the range (ICMP: the code, `-1` for any).
    pub to_port: i32,
    /// The network the rule applies to.
    pub cidr: Cidr,
}

impl ProviderFirewallRule {
    /// A rule not yet stored (id 0, filled in by the store that adds it).
    pub fn new(protocol: IpProtocol, from_port: i32, to_port: i32, cidr: Cidr) -> Self {
        Self {
            id: 0,
            protocol,
            from_port,
            to_port,
            cidr,
        }
    }
}

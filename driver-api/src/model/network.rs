//! Network info: the VIFs an instance is plugged into.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Network info for one instance: its virtual interfaces (Nova's `network_info`).
pub type NetworkInfo = Vec<Vif>;

/// A virtual interface (Nova's `VIF`): one port of the instance on one network.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Vif {
    /// The port id; `attach_interface` and `detach_interface` key on it.
    pub id: Uuid,
    /// The MAC address, `aa:bb:cc:dd:ee:ff`.
    pub address: String,
    /// The network the port is on.
    pub network: Network,
    /// The binding type (`bridge`, `ovs`, ...).
    pub vif_type: String,
    /// The host-side device name (`tap...`), when known.
    pub devname: Option<String>,
}

impl Vif {
    /// A bridged VIF on `network` with one fixed IP.
    pub fn new(id: Uuid, address: impl Into<String>, network: Network) -> Self {
        Self {
            id,
            address: address.into(),
            network,
            vif_type: "bridge".to_owned(),
            devname: Some(format!("tap{}", &id.simple().to_string()[..11])),
        }
    }

    /// Every fixed IP of this VIF, over all subnets.
    pub fn fixed_ips(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.network
            .subnets
            .iter()
            .flat_map(|s| s.ips.iter().copied())
    }
}

/// A network a VIF is attached to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Network {
    /// The network id.
    pub id: Uuid,
    /// A human label (`private`).
    pub label: String,
    /// The host bridge, when the binding uses one.
    pub bridge: Option<String>,
    /// The subnets with the instance's fixed IPs in each.
    pub subnets: Vec<Subnet>,
}

impl Network {
    /// A network with one subnet.
    pub fn new(id: Uuid, label: impl Into<String>, subnet: Subnet) -> Self {
        Self {
            id,
            label: label.into(),
            bridge: Some("br100".to_owned()),
            subnets: vec![subnet],
        }
    }
}

/// A subnet and the instance's fixed IPs in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Subnet {
    /// The CIDR, e.g. `10.0.0.0/24`.
    pub cidr: String,
    /// The gateway, if any.
    pub gateway: Option<IpAddr>,
    /// The instance's fixed IPs in this subnet.
    pub ips: Vec<IpAddr>,
}

impl Subnet {
    /// A subnet with a gateway and the given fixed IPs.
    pub fn new(cidr: impl Into<String>, gateway: Option<IpAddr>, ips: Vec<IpAddr>) -> Self {
        Self {
            cidr: cidr.into(),
            gateway,
            ips,
        }
    }
}

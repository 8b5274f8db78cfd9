//! Compact representations for the per-instance hot data: names kept inline
//! when short, and VIFs kept inline (with parsed MAC addresses) when there is
//! one. They save heap allocations on spawn and destroy, and pointer chases on
//! listing.

use std::fmt;
use std::sync::Arc;

use driver_api::Vif;
use uuid::Uuid;

const INLINE: usize = 22;

/// An instance name: inline up to 22 bytes, shared on the heap beyond.
#[derive(Clone)]
pub(crate) enum Name {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(Arc<str>),
}

impl Name {
    pub fn new(name: &str) -> Self {
        let len = name.len();
        if len <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..len].copy_from_slice(name.as_bytes());
            Self::Inline {
                len: len as u8,
                bytes,
            }
        } else {
            Self::Shared(Arc::from(name))
        }
    }

    /// The name's bytes (UTF-8).
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Self::Shared(name) => name.as_bytes(),
        }
    }

    #[inline]
    pub fn as_str(&self) -> &str {
        match self {
            // Built from a `&str`, so always valid UTF-8.
            Self::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Self::Shared(name) => name,
        }
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Name {}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Lower-case hex digits' values; 0x10 for every other byte.
const HEX: [u8; 256] = {
    let mut table = [0x10u8; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// A MAC address: six bytes when in the canonical `aa:bb:cc:dd:ee:ff` form,
/// the text otherwise (so it always reads back exactly as given).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Mac {
    Bytes([u8; 6]),
    Text(Box<str>),
}

impl Mac {
    fn parse(text: &str) -> Self {
        match Self::canonical(text.as_bytes()) {
            Some(bytes) => Self::Bytes(bytes),
            None => Self::Text(text.into()),
        }
    }

    /// The six bytes of `aa:bb:cc:dd:ee:ff` (lower-case hex, so that it reads
    /// back exactly), `None` for anything else.
    fn canonical(raw: &[u8]) -> Option<[u8; 6]> {
        let raw: &[u8; 17] = raw.try_into().ok()?;
        let mut bytes = [0u8; 6];
        // Every digit's value, or 0x10 (and up) when a character is not one.
        let mut bad = 0u8;
        for (i, byte) in bytes.iter_mut().enumerate() {
            let at = i * 3;
            if i < 5 && raw[at + 2] != b':' {
                return None;
            }
            let (high, low) = (HEX[usize::from(raw[at])], HEX[usize::from(raw[at + 1])]);
            bad |= high | low;
            *byte = high << 4 | low & 0xf;
        }
        (bad < 0x10).then_some(bytes)
    }

    fn to_text(&self) -> String {
        match self {
            Self::Bytes(b) => format!(
                "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                b[0], b[1], b[2], b[3], b[4], b[5]
            ),
            Self::Text(text) => text.to_string(),
        }
    }
}

/// One attached VIF, compactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Port {
    pub id: Uuid,
    mac: Mac,
}

impl Port {
    pub fn address(&self) -> String {
        self.mac.to_text()
    }

    /// A VIF from its id and MAC address (any text).
    pub fn new(id: Uuid, address: &str) -> Self {
        Self {
            id,
            mac: Mac::parse(address),
        }
    }
}

impl From<&Vif> for Port {
    fn from(vif: &Vif) -> Self {
        Self {
            id: vif.id,
            mac: Mac::parse(&vif.address),
        }
    }
}

/// The VIFs of an instance, in attach order; one is kept inline.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum Ports {
    #[default]
    None,
    One(Port),
    Many(Vec<Port>),
}

impl Ports {
    pub fn iter(&self) -> std::slice::Iter<'_, Port> {
        match self {
            Self::None => [].iter(),
            Self::One(port) => std::slice::from_ref(port).iter(),
            Self::Many(ports) => ports.iter(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    pub fn contains(&self, id: Uuid) -> bool {
        self.iter().any(|p| p.id == id)
    }

    pub fn push(&mut self, port: Port) {
        *self = match std::mem::take(self) {
            Self::None => Self::One(port),
            Self::One(first) => Self::Many(vec![first, port]),
            Self::Many(mut ports) => {
                ports.push(port);
                Self::Many(ports)
            }
        };
    }

    /// Removes the VIF `id`; whether it was there.
    pub fn remove(&mut self, id: Uuid) -> bool {
        let mut ports: Vec<Port> = self.iter().cloned().collect();
        let before = ports.len();
        ports.retain(|p| p.id != id);
        if ports.len() == before {
            return false;
        }
        *self = Self::from_ports(ports);
        true
    }

    fn from_ports(mut ports: Vec<Port>) -> Self {
        match ports.len() {
            0 => Self::None,
            1 => ports.pop().map_or(Self::None, Self::One),
            _ => Self::Many(ports),
        }
    }
}

impl FromIterator<Port> for Ports {
    fn from_iter<I: IntoIterator<Item = Port>>(ports: I) -> Self {
        Self::from_ports(ports.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_inline_or_shared() {
        for text in [
            "",
            "vm-1",
            "exactly-twenty-two-by",
            &"x".repeat(45),
            "ünïcödé",
        ] {
            let name = Name::new(text);
            assert_eq!(name.as_str(), text);
            assert_eq!(name, Name::new(text));
        }
        assert!(matches!(Name::new("short"), Name::Inline { .. }));
        assert!(matches!(Name::new(&"x".repeat(23)), Name::Shared(_)));
    }

    #[test]
    fn macs_read_back_exactly() {
        for text in [
            "fa:16:3e:00:01:ff",
            "FA:16:3E:00:01:FF",
            "weird",
            "fa-16-3e-00-01-ff",
            "fa:16:3e:00:01:fg",
            "ga:16:3e:00:01:ff",
            "fa:16:3e:00:01:ff:",
            "fa:16:3e:0\u{e9}:1f",
            "",
        ] {
            assert_eq!(Mac::parse(text).to_text(), text);
        }
        assert!(matches!(Mac::parse("fa:16:3e:00:01:ff"), Mac::Bytes(_)));
        assert!(matches!(Mac::parse("fa:16:3e:00:01:fg"), Mac::Text(_)));
        assert_eq!(
            Mac::parse("0a:1b:2c:3d:4e:5f"),
            Mac::Bytes([0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f])
        );
    }

    #[test]
    fn ports_keep_order_through_push_and_remove() {
        let ids: Vec<Uuid> = (1..=3).map(Uuid::from_u128).collect();
        let mut ports = Ports::default();
        for id in &ids {
            ports.push(Port {
                id: *id,
                mac: Mac::parse("aa:bb:cc:dd:ee:ff"),
            });
        }
        assert!(ports.remove(ids[1]));
        assert!(!ports.remove(ids[1]));
        assert_eq!(
            ports.iter().map(|p| p.id).collect::<Vec<_>>(),
            [ids[0], ids[2]]
        );
        assert!(ports.remove(ids[0]));
        assert!(matches!(ports, Ports::One(_)));
        assert!(ports.remove(ids[2]));
        assert!(ports.is_empty());
    }
}

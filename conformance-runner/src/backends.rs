//! The backends the suite and the bench drive, in one table: the runner's
//! `--backend` and the bench's `--backend` both read [`BackendKind`], so a
//! new backend is one variant here, then a compile error in each `match`
//! until the runner can judge it and the bench can measure it.

use clap::ValueEnum;

/// A backend: what `--backend` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ValueEnum)]
pub enum BackendKind {
    /// The in-memory fake (`driver-fake`).
    Fake,
    /// libvirt (`driver-libvirt`; build with `--features libvirt`).
    Libvirt,
    /// Any backend behind a `compute.v1` server (`driver-remote`), e.g.
    /// `compute-serve`; needs `--endpoint`.
    Remote,
}

impl BackendKind {
    /// Every backend, in the order the help lists them.
    pub const ALL: [Self; 3] = [Self::Fake, Self::Libvirt, Self::Remote];

    /// The name `--backend` takes.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Fake => "fake",
            Self::Libvirt => "libvirt",
            Self::Remote => "remote",
        }
    }

    /// The backend named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The cargo feature that builds the backend in (of this crate and of
    /// the bench), if it needs one.
    pub const fn feature(self) -> Option<&'static str> {
        match self {
            Self::Fake | Self::Remote => None,
            Self::Libvirt => Some("libvirt"),
        }
    }

    /// Whether this build includes the backend.
    pub const fn is_built(self) -> bool {
        match self {
            Self::Fake | Self::Remote => true,
            Self::Libvirt => cfg!(feature = "libvirt"),
        }
    }

    /// Every name, comma-separated (for messages).
    pub fn names() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|kind| kind.name()).collect();
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_only_libvirt_needs_a_feature() {
        for kind in BackendKind::ALL {
            assert_eq!(BackendKind::from_name(kind.name()), Some(kind));
            assert_eq!(kind.feature().is_some(), kind == BackendKind::Libvirt);
            assert_eq!(
                kind.is_built(),
                kind.feature().is_none() || cfg!(feature = "libvirt")
            );
        }
        assert_eq!(BackendKind::from_name("vmware"), None);
        assert_eq!(BackendKind::names(), "fake, libvirt, remote");
    }
}

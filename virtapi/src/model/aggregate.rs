//! Host aggregates: named groups of hosts with shared metadata.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// The metadata key under which Nova keeps an aggregate's availability zone.
pub const AVAILABILITY_ZONE_KEY: &str = "availability_zone";

/// A host aggregate (Nova's `aggregates` row with its hosts and metadata).
///
/// The availability zone is not a separate field: as in Nova it is the
/// metadata entry [`AVAILABILITY_ZONE_KEY`], so one source of truth holds it and
/// `aggregate_metadata_add` / `aggregate_metadata_delete` change it like any
/// other key.
///
/// ```
/// use virtapi::Aggregate;
///
/// let agg = Aggregate::new(7, "ssd-hosts")
///     .with_host("compute-1")
///     .with_availability_zone("az-east")
///     .with_metadata("ssd", "true");
/// assert_eq!(agg.availability_zone(), Some("az-east"));
/// assert!(agg.contains_host("compute-1"));
/// assert_eq!(agg.metadata.len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Aggregate {
    /// The database id (`aggregate_metadata_add` and `_delete` name the aggregate by it).
    pub id: i64,
    /// The aggregate's name.
    pub name: String,
    /// The member hosts.
    pub hosts: BTreeSet<String>,
    /// Key/value metadata, including the availability zone if one is set.
    pub metadata: BTreeMap<String, String>,
}

impl Aggregate {
    /// An aggregate with no hosts and no metadata.
    pub fn new(id: i64, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            hosts: BTreeSet::new(),
            metadata: BTreeMap::new(),
        }
    }

    /// Adds a member host.
    pub fn with_host(mut self, host: impl Into<String>) -> Self {
        self.hosts.insert(host.into());
        self
    }

    /// Adds a metadata entry.
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Sets the availability zone (the metadata entry [`AVAILABILITY_ZONE_KEY`]).
    pub fn with_availability_zone(self, zone: impl Into<String>) -> Self {
        self.with_metadata(AVAILABILITY_ZONE_KEY, zone)
    }

    /// The availability zone, if the metadata names one.
    pub fn availability_zone(&self) -> Option<&str> {
        self.metadata.get(AVAILABILITY_ZONE_KEY).map(String::as_str)
    }

    /// Whether `host` is a member.
    pub fn contains_host(&self, host: &str) -> bool {
        self.hosts.contains(host)
    }

    /// Applies `aggregate_metadata_add`'s rule: every entry of `metadata` is set
    /// (overwriting an existing value); with `set_delete`, every key not in
    /// `metadata` is removed as well, so the metadata becomes exactly `metadata`.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use virtapi::Aggregate;
    ///
    /// let mut agg = Aggregate::new(1, "a").with_metadata("old", "1").with_metadata("keep", "1");
    /// let update = BTreeMap::from([("keep".to_owned(), "2".to_owned())]);
    ///
    /// agg.merge_metadata(update.clone(), false);
    /// assert_eq!(agg.metadata.get("old").map(String::as_str), Some("1"));
    ///
    /// agg.merge_metadata(update.clone(), true);
    /// assert_eq!(agg.metadata, update);
    /// ```
    pub fn merge_metadata(&mut self, metadata: BTreeMap<String, String>, set_delete: bool) {
        if set_delete {
            self.metadata.retain(|key, _| metadata.contains_key(key));
        }
        self.metadata.extend(metadata);
    }
}

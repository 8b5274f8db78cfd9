//! Our domains: finding them, reading and writing their records, listing
//! them, and keeping the driver's [`DomainIndex`] in step with libvirt.
//!
//! # The index and the metadata
//!
//! Every record lives in its domain's metadata (the persistent truth, read by
//! any driver opened on the same hypervisor). Each driver also keeps an index
//! of its domains ([`crate::index`]) so that the hot paths read no metadata:
//!
//! - it is built from the metadata when the driver connects, and rebuilt by
//!   [`Hypervisor::rescan`] (`get_available_nodes(refresh = true)`,
//!   `LibvirtDriver::rescan`);
//! - every change this driver makes goes to the metadata first, then to the
//!   index ([`Hypervisor::write_record`], [`Hypervisor::redefine`], spawn,
//!   destroy), under the driver's locks ([`crate::locks`]);
//! - a lookup the index misses asks libvirt (an instance another driver
//!   defined with the same prefix is still found, its record read each time);
//! - a listing asks libvirt which domains exist and brings the index in step:
//!   domains of ours it did not know are read once and indexed, indexed ones
//!   libvirt no longer has are dropped.
//!
//! What the index alone answers (name uniqueness, the claims of
//! `get_available_resource` and spawn's capacity check, the rescued and
//! soft-deleted flags of an indexed instance) assumes that this driver value
//! is the only writer for its prefix; a second writer's changes show after a
//! listing (new and removed domains) or a rescan (everything).

use std::collections::HashSet;
use std::sync::{Arc, RwLockReadGuard, RwLockWriteGuard};

use driver_api::{DriverError, DriverResult, InstanceRef};
use uuid::Uuid;
use virt::domain::Domain;
use virt::error::{Error as VirtError, ErrorNumber};
use virt::sys;

use crate::hypervisor::{step_failed, Hypervisor};
use crate::index::{DomainIndex, Entry, Flags};
use crate::locks;
use crate::record::{InstanceRecord, NAMESPACE, NAMESPACE_PREFIX};

/// Whether libvirt said the domain does not exist.
pub fn is_no_domain(e: &VirtError) -> bool {
    e.code().is(ErrorNumber::NoDomain)
}

impl Hypervisor {
    /// The index, for reading.
    pub fn index(&self) -> RwLockReadGuard<'_, DomainIndex<Domain>> {
        locks::read(&self.index)
    }

    /// The index, for changing (callers hold the catalog lock, or the
    /// instance's lock for a change of that instance's flags).
    pub fn index_mut(&self) -> RwLockWriteGuard<'_, DomainIndex<Domain>> {
        locks::write(&self.index)
    }

    /// Indexes `record`'s instance, whose domain is `dom`. A `Backend` error,
    /// with the index unchanged, when its claim would carry its node's total
    /// past 64 bits (only metadata written behind the driver's back can:
    /// spawn admits claims within the node's capacity).
    pub fn index_record(&self, dom: &Domain, record: &InstanceRecord) -> DriverResult<()> {
        let entry = Entry::of(Arc::new(dom.clone()), record);
        let new = {
            let mut index = self.index_mut();
            let new = !index.contains(record.uuid);
            index
                .upsert(record.uuid, entry)
                .map_err(step_failed("index"))?;
            new
        };
        if new {
            self.note_new_instance(record.uuid, dom);
        }
        Ok(())
    }

    /// The instance UUID of a domain named like ours (`<prefix><uuid>`).
    pub(crate) fn uuid_of_name(&self, name: &str) -> Option<Uuid> {
        let uuid: Uuid = name
            .strip_prefix(&self.config.domain_prefix)?
            .parse()
            .ok()?;
        (self.domain_name(uuid) == name).then_some(uuid)
    }

    /// The record of a domain, if it is one of ours.
    pub fn read_record(&self, dom: &Domain) -> DriverResult<Option<InstanceRecord>> {
        let name = match dom.name() {
            Ok(name) => name,
            Err(e) if is_no_domain(&e) => return Ok(None),
            Err(e) => return Err(step_failed("read metadata")(e)),
        };
        if !name.starts_with(&self.config.domain_prefix) {
            return Ok(None);
        }
        let kind = sys::VIR_DOMAIN_METADATA_ELEMENT as i32;
        match dom.metadata(kind, Some(NAMESPACE), 0) {
            Ok(xml) => Ok(
                InstanceRecord::from_metadata(&xml).filter(|r| self.domain_name(r.uuid) == name)
            ),
            Err(e) if e.code().is(ErrorNumber::NoDomainMetadata) || is_no_domain(&e) => Ok(None),
            Err(e) => Err(step_failed("read metadata")(e)),
        }
    }

    /// The record of `uuid`'s domain, or `InstanceNotFound`.
    pub fn record_of(&self, uuid: Uuid, dom: &Domain) -> DriverResult<InstanceRecord> {
        self.read_record(dom)?
            .ok_or_else(|| DriverError::instance_not_found(uuid))
    }

    /// Stores `record` in the domain's metadata (live and persistent config),
    /// then in the index.
    pub fn write_record(&self, dom: &Domain, record: &InstanceRecord) -> DriverResult<()> {
        let active = dom.is_active().map_err(step_failed("write metadata"))?;
        let flags = if active {
            sys::VIR_DOMAIN_AFFECT_LIVE | sys::VIR_DOMAIN_AFFECT_CONFIG
        } else {
            sys::VIR_DOMAIN_AFFECT_CONFIG
        };
        dom.set_metadata(
            sys::VIR_DOMAIN_METADATA_ELEMENT as i32,
            Some(&record.to_metadata()),
            Some(NAMESPACE_PREFIX),
            Some(NAMESPACE),
            flags,
        )
        .map_err(step_failed("write metadata"))?;
        self.index_record(dom, record)
    }

    /// The domain of `uuid` and its flags: from the index, else (an instance
    /// another driver defined) from libvirt and its metadata.
    pub fn known(&self, uuid: Uuid) -> DriverResult<Option<(Arc<Domain>, Flags)>> {
        if let Some(found) = self.index().domain_and_flags(uuid) {
            return Ok(Some(found));
        }
        Ok(self
            .find_uncached(uuid)?
            .map(|(dom, record)| (Arc::new(dom), Flags::of(&record))))
    }

    /// The domain of `uuid` and its flags, or `InstanceNotFound`.
    pub fn known_or_not_found(&self, uuid: Uuid) -> DriverResult<(Arc<Domain>, Flags)> {
        self.known(uuid)?
            .ok_or_else(|| DriverError::instance_not_found(uuid))
    }

    /// The current flags of `uuid`: the index's, else `fallback`.
    pub fn flags_now(&self, uuid: Uuid, fallback: Flags) -> Flags {
        self.index().get(uuid).map_or(fallback, |e| e.flags)
    }

    fn find_uncached(&self, uuid: Uuid) -> DriverResult<Option<(Domain, InstanceRecord)>> {
        let dom = match self.conn().lookup_domain_by_name(&self.domain_name(uuid)) {
            Ok(dom) => dom,
            Err(e) if is_no_domain(&e) => return Ok(None),
            Err(e) => return Err(step_failed("lookup")(e)),
        };
        Ok(self
            .read_record(&dom)?
            .filter(|record| !record.arriving)
            .map(|record| (dom, record)))
    }

    /// Our domain of the instance with this UUID, and its whole record (read
    /// from the metadata).
    pub fn find(&self, uuid: Uuid) -> DriverResult<Option<(Arc<Domain>, InstanceRecord)>> {
        let indexed = self.index().get(uuid).map(|e| Arc::clone(&e.domain));
        match indexed {
            Some(dom) => Ok(self.read_record(&dom)?.map(|record| (dom, record))),
            None => Ok(self
                .find_uncached(uuid)?
                .map(|(dom, record)| (Arc::new(dom), record))),
        }
    }

    /// Our domain with this UUID and its record, or `InstanceNotFound`.
    pub fn get(&self, uuid: Uuid) -> DriverResult<(Arc<Domain>, InstanceRecord)> {
        self.find(uuid)?
            .ok_or_else(|| DriverError::instance_not_found(uuid))
    }

    /// Our domain whose instance has this name, and its record (the legacy
    /// by-name methods). A name the index does not know is looked for again
    /// after a listing.
    pub fn find_by_name(&self, name: &str) -> DriverResult<(Arc<Domain>, InstanceRecord)> {
        for attempt in 0..2 {
            if attempt == 1 {
                self.listing()?;
            }
            let uuids: Vec<Uuid> = self.index().named(name).collect();
            for uuid in uuids {
                if let Some(found) = self.find(uuid)? {
                    return Ok(found);
                }
            }
        }
        Err(DriverError::instance_not_found(InstanceRef::Name(
            name.to_owned(),
        )))
    }

    /// Whether a domain with the instance's domain name or domain UUID exists
    /// (ours or not: either would clash).
    pub fn uuid_taken(&self, uuid: Uuid) -> DriverResult<bool> {
        let by_name = self.conn().lookup_domain_by_name(&self.domain_name(uuid));
        let by_uuid = self
            .conn()
            .lookup_domain_by_uuid_string(&self.domain_uuid(uuid).to_string());
        for lookup in [by_name, by_uuid] {
            match lookup {
                Ok(_) => return Ok(true),
                Err(e) if is_no_domain(&e) => {}
                Err(e) => return Err(step_failed("lookup")(e)),
            }
        }
        Ok(false)
    }

    /// Every domain of ours with its record, read from the metadata.
    pub fn scan(&self) -> DriverResult<Vec<(Domain, InstanceRecord)>> {
        let domains = self
            .conn()
            .list_all_domains(0)
            .map_err(step_failed("list"))?;
        let mut ours = Vec::new();
        for dom in domains {
            if let Some(record) = self.read_record(&dom)? {
                ours.push((dom, record));
            }
        }
        Ok(ours)
    }

    /// Rebuilds the index from the metadata of every domain of ours (all or
    /// nothing: a `Backend` error for a claim past 64 bits keeps the old index).
    /// Then, when the driver watches libvirt's events, each domain's state is
    /// compared with what was last announced (see [`crate::events`]), with no
    /// lock held.
    pub fn rescan(&self) -> DriverResult<()> {
        let mut domains = Vec::new();
        {
            let _guard = self.lock_catalog();
            let ours = self.scan()?;
            // Built aside and swapped in whole: a refused entry leaves the
            // index as it was.
            let mut fresh = DomainIndex::default();
            // An instance live-migrated here is listed once it is adopted.
            for (dom, record) in ours.into_iter().filter(|(_, r)| !r.arriving) {
                let dom = Arc::new(dom);
                if self.watches_events() {
                    domains.push((record.uuid, Arc::clone(&dom)));
                }
                fresh
                    .upsert(record.uuid, Entry::of(dom, &record))
                    .map_err(step_failed("index"))?;
            }
            *self.index_mut() = fresh;
        }
        for (uuid, dom) in domains {
            self.reconcile(uuid, &dom);
        }
        Ok(())
    }

    /// `list_instances`: our instances' names, in name order (see
    /// [`listing`](Self::listing)).
    pub fn instance_names(&self) -> DriverResult<Vec<String>> {
        Ok(self.listing()?.into_iter().map(|(name, _)| name).collect())
    }

    /// `list_instance_uuids`: our instances' UUIDs, in name order (see
    /// [`listing`](Self::listing)).
    pub fn instance_uuids(&self) -> DriverResult<Vec<Uuid>> {
        Ok(self.listing()?.into_iter().map(|(_, uuid)| uuid).collect())
    }

    /// Our instances as libvirt has them now, as (name, UUID) in name order;
    /// the index is brought in step on the way (see the module docs).
    pub fn listing(&self) -> DriverResult<Vec<(String, Uuid)>> {
        let _guard = self.lock_catalog();
        let domains = self
            .conn()
            .list_all_domains(0)
            .map_err(step_failed("list"))?;
        let mut present = HashSet::with_capacity(domains.len());
        let mut unknown = Vec::new();
        {
            let index = self.index();
            for dom in domains {
                let Ok(name) = dom.name() else { continue };
                let Some(uuid) = self.uuid_of_name(&name) else {
                    continue;
                };
                if index.contains(uuid) {
                    present.insert(uuid);
                } else {
                    unknown.push(dom);
                }
            }
        }
        for dom in unknown {
            if let Some(record) = self.read_record(&dom)?.filter(|r| !r.arriving) {
                present.insert(record.uuid);
                self.index_record(&dom, &record)?;
            }
        }
        let mut index = self.index_mut();
        let gone: Vec<Uuid> = index.uuids().filter(|u| !present.contains(u)).collect();
        for uuid in gone {
            index.remove(uuid);
        }
        Ok(index
            .by_name()
            .map(|(name, uuid)| (name.to_owned(), uuid))
            .collect())
    }
}

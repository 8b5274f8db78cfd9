//! Tier 1: the whole conformance suite on private `test:///` hypervisors, one
//! test per case (`cargo test -p driver-libvirt --test conformance_test
//! nova::` filters as usual). Cases needing a feature `test:///` does not
//! declare are reported ignored, with the reason.

conformance::suite!(driver_libvirt::factory::LibvirtFactory::test());

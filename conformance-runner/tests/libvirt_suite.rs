//! Tier 1: the whole conformance suite on libvirt's private `test:///`
//! hypervisors, one test per case (`cargo test -p conformance-runner
//! --features libvirt --test libvirt_suite nova::` filters as usual). Cases needing a feature `test:///` does not
//! declare are reported ignored, with the reason.

conformance::suite!(conformance_runner::LibvirtFactory::test());

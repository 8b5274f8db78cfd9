//! Front end 1 on the fake: one line generates one `#[test]` per case.

conformance::suite!(conformance_runner::FakeFactory::new());

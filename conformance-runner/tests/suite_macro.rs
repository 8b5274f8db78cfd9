//! Front end 1 on the fake: one line generates a test binary with one test
//! per case (`harness = false` in Cargo.toml).

conformance::suite!(conformance_runner::FakeFactory::new());

//! What [`MockComputeDriver`] does with the trait's default methods, and a
//! helper that wires them to the mandatory methods.
//!
//! mockall mocks **every** method of the trait, the ones with a default body
//! included: a default method (`driver_name`, `instance_exists`,
//! `get_num_instances`, and every optional method's `NotSupported`) does not
//! run its default on the mock. Calling one without an expectation panics
//! with mockall's `No matching expectation found` (the panic points into
//! the trait's source, not at the test). Set an expectation for each default
//! method the code under test calls, or use
//! [`MockComputeDriver::expect_listing`], which makes `list_instance_uuids`,
//! `instance_exists` and `get_num_instances` agree on one list, as the
//! defaults would:
//!
//! ```
//! # #[cfg(feature = "mock")] {
//! use driver_api::{ComputeDriver, Flavor, Instance, MockComputeDriver};
//! use uuid::Uuid;
//!
//! let known = Uuid::new_v4();
//! let mut mock = MockComputeDriver::new();
//! mock.expect_listing(vec![known]);
//!
//! let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! runtime.block_on(async {
//!     let instance = Instance::new(known, Flavor::m1_tiny());
//!     assert!(mock.instance_exists(&instance).await.unwrap());
//!     assert_eq!(mock.get_num_instances().await.unwrap(), 1);
//!     let stranger = Instance::new(Uuid::new_v4(), Flavor::m1_tiny());
//!     assert!(!mock.instance_exists(&stranger).await.unwrap());
//! });
//! # }
//! ```

use uuid::Uuid;

use crate::driver::MockComputeDriver;

impl MockComputeDriver {
    /// Makes `list_instance_uuids` answer `uuids`, and `instance_exists` and
    /// `get_num_instances` answer what their trait defaults would compute
    /// from that list (any number of calls each). Replaces no expectation
    /// set earlier for other methods.
    pub fn expect_listing(&mut self, uuids: Vec<Uuid>) -> &mut Self {
        let listed = uuids.clone();
        self.expect_list_instance_uuids()
            .returning(move || Ok(listed.clone()));
        let known = uuids.clone();
        self.expect_instance_exists()
            .returning(move |instance| Ok(known.contains(&instance.uuid)));
        let count = uuids.len();
        self.expect_get_num_instances().returning(move || Ok(count));
        self
    }
}

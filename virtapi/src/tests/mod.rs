//! Unit tests of the model, the errors and the mock.

mod errors;
mod mock;
mod model;

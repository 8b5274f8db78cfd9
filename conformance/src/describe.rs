//! How the suite prints what a backend answered.

use std::fmt::Debug;

use driver_api::{DriverError, DriverResult};

/// `Err(Kind: message)`: an error's kind and its display text.
pub fn describe_error(error: &DriverError) -> String {
    format!("Err({:?}: {error})", error.kind())
}

/// `Ok(value)` or `Err(Kind: message)`.
pub fn describe_result<T: Debug>(result: &DriverResult<T>) -> String {
    match result {
        Ok(value) => format!("Ok({value:?})"),
        Err(error) => describe_error(error),
    }
}

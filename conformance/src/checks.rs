//! Assertions that turn into a failure saying what was expected and what came back.

use std::fmt::Debug;

use driver_api::{DriverResult, ErrorKind};

use crate::case::{CaseError, CaseResult};
use crate::describe::describe_result;

/// Fails unless `result` is an error of `kind`.
pub fn expect_kind<T: Debug>(what: &str, result: DriverResult<T>, kind: ErrorKind) -> CaseResult {
    match &result {
        Err(error) if error.kind() == kind => Ok(()),
        _ => Err(CaseError::fail(
            format!("{what}: Err({kind:?})"),
            describe_result(&result),
        )),
    }
}

/// Fails unless `result` is `Ok`; returns the value.
pub fn expect_ok<T: Debug>(what: &str, result: DriverResult<T>) -> Result<T, CaseError> {
    result.map_err(|error| {
        CaseError::fail(
            format!("{what}: Ok"),
            crate::describe::describe_error(&error),
        )
    })
}

/// Fails unless `got == expected`.
pub fn expect_eq<T: PartialEq + Debug>(what: &str, expected: T, got: T) -> CaseResult {
    if expected == got {
        Ok(())
    } else {
        Err(CaseError::fail(
            format!("{what}: {expected:?}"),
            format!("{got:?}"),
        ))
    }
}

/// Fails with `expected` / `got` unless `condition` holds.
pub fn ensure(condition: bool, expected: impl Into<String>, got: impl Into<String>) -> CaseResult {
    if condition {
        Ok(())
    } else {
        Err(CaseError::fail(expected, got))
    }
}

//! Passwords and other secrets that must never print.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret string (admin or rescue password, console pool password).
///
/// `Debug` and `Display` print `[REDACTED]`; the only way to read the value is
/// [`Secret::expose`], which makes every use visible in review. The memory is
/// zeroed on drop (through [`secrecy`]).
///
/// Serialising a `Secret` writes the value: serialisation is an explicit export
/// (a fixture, a wire format), never a log line.
///
/// ```
/// use driver_api::Secret;
/// let password = Secret::new("p4ssw0rd");
/// assert_eq!(format!("{password:?}"), "Secret([REDACTED])");
/// assert_eq!(password.to_string(), "[REDACTED]");
/// assert_eq!(password.expose(), "p4ssw0rd");
/// ```
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// Reads the value. Never pass the result to a logger or an error.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether the secret is the empty string (Nova's tests rescue with `''`).
    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let secret = Secret::new("hunter2");
        let nested = Some(vec![secret.clone()]);
        assert!(!format!("{secret:?}{secret}{nested:?}{nested:#?}").contains("hunter2"));
    }

    #[test]
    fn round_trips_through_serde() {
        let secret = Secret::new("hunter2");
        let json = serde_json::to_string(&secret).unwrap_or_default();
        let back: Secret = serde_json::from_str(&json).unwrap_or_else(|_| Secret::new(""));
        assert_eq!(back, secret);
    }
}

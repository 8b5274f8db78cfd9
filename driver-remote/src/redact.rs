//! `Debug` for the messages that hold a secret: every field but the secret,
//! which prints as `[REDACTED]`.

use std::fmt;

use crate::proto;

const REDACTED: &str = "[REDACTED]";

impl fmt::Debug for proto::SpawnRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpawnRequest")
            .field("context", &self.context)
            .field("instance", &self.instance)
            .field("image_meta", &self.image_meta)
            .field("injected_files", &self.injected_files)
            .field(
                "admin_password",
                &self.admin_password.as_ref().map(|_| REDACTED),
            )
            .field("network_info", &self.network_info)
            .field("block_device_info", &self.block_device_info)
            .field("power_on", &self.power_on)
            .finish()
    }
}

impl fmt::Debug for proto::RescueRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RescueRequest")
            .field("context", &self.context)
            .field("instance", &self.instance)
            .field("network_info", &self.network_info)
            .field("image_meta", &self.image_meta)
            .field("rescue_password", &REDACTED)
            .finish()
    }
}

impl fmt::Debug for proto::SetAdminPasswordRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetAdminPasswordRequest")
            .field("instance", &self.instance)
            .field("new_pass", &REDACTED)
            .finish()
    }
}

impl fmt::Debug for proto::ConsolePoolInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsolePoolInfo")
            .field("address", &self.address)
            .field("username", &self.username)
            .field("password", &REDACTED)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let spawn = proto::SpawnRequest {
            admin_password: Some("hunter2".into()),
            ..Default::default()
        };
        let rescue = proto::RescueRequest {
            rescue_password: "hunter2".into(),
            ..Default::default()
        };
        let password = proto::SetAdminPasswordRequest {
            new_pass: "hunter2".into(),
            ..Default::default()
        };
        let pool = proto::ConsolePoolInfo {
            password: "hunter2".into(),
            ..Default::default()
        };
        let printed = format!("{spawn:?}{rescue:?}{password:?}{pool:?}{spawn:#?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains(REDACTED));
    }
}

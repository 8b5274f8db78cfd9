//! The request context every caller passes along.

use serde::{Deserialize, Serialize};

/// Who is asking, and on behalf of which request (Nova's `RequestContext`).
///
/// Drivers use it for logging and authorisation decisions; it carries no
/// credentials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RequestContext {
    /// The user making the request.
    pub user_id: String,
    /// The project (tenant) the request acts in.
    pub project_id: String,
    /// An id correlating log lines of one request.
    pub request_id: String,
    /// Whether the caller holds the admin role.
    pub is_admin: bool,
}

impl RequestContext {
    /// A context for `user_id` in `project_id`, without admin rights.
    pub fn new(user_id: impl Into<String>, project_id: impl Into<String>) -> Self {
        Self {
            user_id: user_id.into(),
            project_id: project_id.into(),
            request_id: format!("req-{}", uuid::Uuid::new_v4()),
            is_admin: false,
        }
    }

    /// An admin context (what Nova's tests and periodic tasks use).
    pub fn admin() -> Self {
        Self {
            is_admin: true,
            ..Self::new("admin", "admin")
        }
    }
}

impl Default for RequestContext {
    fn default() -> Self {
        Self::admin()
    }
}

//! What the account page shows of a hosted server's player.

use serde::{Deserialize, Serialize};

/// An API token as listed: its secret is shown once, when it is created, and never kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    /// Unix seconds.
    pub created_s: i64,
    pub last_used_s: Option<i64>,
}

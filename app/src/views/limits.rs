//! Responsible play: limits, cool-off and reality checks as the pages and REST show them.

use serde::{Deserialize, Serialize};

/// Responsible play as the dashboard, the Limits page and `GET /api/v1/limits` show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LimitsView {
    /// Every limit set or waiting to change, with what the player used of it.
    pub limits: Vec<models::limits::LimitStatus>,
    /// Whether PLAY may be recommended, and if not, why.
    pub gate: models::limits::PlayGate,
    /// The reality-check interval the player chose (seconds), if any, and the shortest
    /// this server accepts.
    pub reality_check_s: Option<i64>,
    pub reality_check_min_s: i64,
    /// When the player last answered a reality check.
    pub reality_answered_at: Option<i64>,
    /// The open session: its start and last activity (rounds recorded live, bets).
    pub session_start: Option<i64>,
    pub last_activity: Option<i64>,
    /// The session's bets next to the fair law (the reality check's "expected cost").
    pub session: models::bets::Position,
    /// The server's clock when this was made.
    pub now: i64,
}

impl LimitsView {
    /// True when a reality check is due at `now`: the session is still open (activity
    /// within the session gap) and the interval has passed.
    pub fn reality_check_due(&self, now: i64) -> bool {
        let open = self
            .last_activity
            .is_some_and(|t| now - t <= models::sessions::SESSION_GAP_S);
        open && models::limits::reality_check_due(
            self.reality_check_s,
            self.session_start,
            self.reality_answered_at,
            now,
        )
    }
}

/// `PUT /api/v1/limits`: set, lower, raise (after 24 hours) or remove (`amount: null`) one
/// limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LimitRequest {
    pub kind: models::limits::LimitKind,
    pub period: models::limits::LimitPeriod,
    #[serde(default)]
    pub amount: Option<f64>,
}

/// `POST /api/v1/reality-check/answer`: continue, or stop for today (no PLAY until the
/// next midnight on the player's clock).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RealityAnswer {
    #[serde(default)]
    pub stop_for_today: bool,
    #[serde(default)]
    pub offset_minutes: i64,
}

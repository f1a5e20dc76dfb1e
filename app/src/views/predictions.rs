//! Stored predictions and the live scoreboard that scores them.

use crate::types::{Mode, Recommendation};
use models::values::Multiplier;
use serde::{Deserialize, Serialize};

/// A stored next-round prediction and, once the next round is stored, its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StoredPrediction {
    pub id: i64,
    pub created_at: String,
    /// The newest stored round when it was made (0: none); the predicted round follows it.
    pub after_round_id: i64,
    pub rounds_seen: i64,
    /// Model version, or "fair" for the fair baseline.
    pub model: String,
    pub cashout: f64,
    pub mode: Mode,
    pub thresholds: Vec<f64>,
    pub probabilities: Vec<f64>,
    pub fair: Vec<f64>,
    pub ev: f64,
    pub recommendation: Recommendation,
    pub reason: String,
    pub outcome: Option<Multiplier>,
}

/// The live scoreboard: every stored prediction scored on the round that followed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LiveView {
    pub stored: usize,
    pub pending: usize,
    pub scoreboard: models::live::Scoreboard,
    /// Newest first.
    pub recent: Vec<StoredPrediction>,
}

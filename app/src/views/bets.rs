//! The player's real bets: what is recorded, and the view with its positions.

use super::LimitsView;
use serde::{Deserialize, Serialize};

/// A bet the player records (`POST /api/v1/bets`): on `round_id`, or the newest round,
/// with exactly one of a cash-out `target`, a manual `cashed_out` point, or `lost`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BetRequest {
    #[serde(default)]
    pub round_id: Option<i64>,
    pub stake: f64,
    #[serde(default)]
    pub target: Option<f64>,
    #[serde(default)]
    pub cashed_out: Option<f64>,
    #[serde(default)]
    pub lost: bool,
}

impl BetRequest {
    pub fn exit(&self) -> Result<models::bets::Exit, String> {
        use models::bets::Exit;
        match (self.target, self.cashed_out, self.lost) {
            (Some(c), None, false) => Ok(Exit::Target(c)),
            (None, Some(c), false) => Ok(Exit::CashedOut(c)),
            (None, None, true) => Ok(Exit::Lost),
            _ => Err("give exactly one of target (a cash-out set before the round), cashed_out (where you cashed out) or lost: true".into()),
        }
    }
}

/// A stored bet with its settlement (from its round's crash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BetRow {
    pub id: i64,
    pub round_id: i64,
    /// Unix seconds, UTC.
    pub placed_at: i64,
    #[serde(flatten)]
    pub settled: models::bets::Settled,
}

impl BetRow {
    pub fn timed(&self) -> models::bets::TimedBet {
        models::bets::TimedBet {
            at: self.placed_at,
            bet: self.settled,
        }
    }
}

/// The ledger: every bet and the net positions next to the fair law's expectation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BetsView {
    pub house_edge: f64,
    pub bets: Vec<BetRow>,
    pub summary: models::bets::BetsSummary,
    /// Bets whose round was edited below their manual cash-out: left out of the sums.
    pub inconsistent: usize,
    /// Limits, cool-off and reality checks, from the same bets.
    pub limits: LimitsView,
}

//! What a bet is made of: the cash-out target (and its one check), the confidence mode,
//! PLAY or WAIT. A leaf: the pattern scan and the decision rule both build on it.

use serde::{Deserialize, Serialize};

/// How sure the evidence must be before PLAY: the one-sided confidence of the lower bound
/// of the EV per bet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Mode {
    /// One-sided 85% confidence.
    #[default]
    Normal,
    /// One-sided 95% confidence.
    Rolling,
}

impl Mode {
    pub fn confidence(self) -> f64 {
        match self {
            Mode::Normal => 0.85,
            Mode::Rolling => 0.95,
        }
    }

    /// One-sided standard normal quantile of the confidence level.
    pub fn z(self) -> f64 {
        match self {
            Mode::Normal => 1.036_433_389_493_789_6,
            Mode::Rolling => 1.644_853_626_951_472_2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::Rolling => "rolling",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "normal" => Some(Mode::Normal),
            "rolling" => Some(Mode::Rolling),
            _ => None,
        }
    }
}

/// The cash-outs a bet can target: from just above 1x to the largest storable multiplier.
pub const CASHOUT_RANGE: std::ops::RangeInclusive<f64> = 1.01..=1_000_000.0;

/// A cash-out target outside [`CASHOUT_RANGE`] (or not a number).
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("cash-out {0} is outside 1.01–1,000,000")]
pub struct CashoutError(pub f64);

/// The one check of a cash-out target, for every entry point (server functions, REST,
/// CLI, backtest settings, pattern settings).
pub fn check_cashout(cashout: f64) -> Result<f64, CashoutError> {
    if CASHOUT_RANGE.contains(&cashout) {
        Ok(cashout)
    } else {
        Err(CashoutError(cashout))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Recommendation {
    Play,
    Wait,
}

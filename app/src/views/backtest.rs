//! Walk-forward backtests of the stored rounds: the request and the result.

use models::backtest::BacktestSummary;
use serde::{Deserialize, Serialize};

/// Walk-forward settings of the backtest page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestRequest {
    /// First round forecast (0-based).
    pub start: usize,
    /// "never", "every" or "rolling".
    pub refit: String,
    pub refit_every: usize,
    /// Training window of the rolling refit.
    pub window: usize,
    pub gap: usize,
    // Left out (as a form sends an empty list) they reach the settings check, which
    // names what is missing, instead of failing to deserialise.
    #[serde(default)]
    pub thresholds: Vec<f64>,
    #[serde(default)]
    pub models: Vec<String>,
    /// Cash-out of the P&L and of the cumulative score chart.
    pub cashout: f64,
}

impl Default for BacktestRequest {
    fn default() -> Self {
        Self {
            start: 1000,
            refit: "every".into(),
            refit_every: 500,
            window: 1000,
            gap: 0,
            thresholds: models::forecast::DEFAULT_THRESHOLDS.to_vec(),
            models: vec!["logistic".into()],
            cashout: 2.0,
        }
    }
}

/// One model's walk-forward result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestModel {
    pub name: String,
    pub seconds: f64,
    pub summary: BacktestSummary,
    /// (round, Σ log loss of the model − Σ log loss of the fair law) at the cash-out
    /// threshold; below 0 means the model was better so far.
    pub cumulative_log_loss_diff: Vec<(usize, f64)>,
    /// (round, cumulative profit of 1-unit bets placed when the signal fired).
    pub pnl: Vec<(usize, f64)>,
}

/// What the backtest page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestView {
    pub n_rounds: usize,
    pub request: BacktestRequest,
    pub models: Vec<BacktestModel>,
    /// The fits of the first model (the schedule is the same for every model).
    pub folds: Vec<models::walkforward::Fold>,
    pub seconds: f64,
}

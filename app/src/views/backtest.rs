//! Walk-forward backtests of the stored rounds: the request and the result.

use models::backtest::BacktestSummary;
use serde::{Deserialize, Serialize};

/// Walk-forward settings of the backtest page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

impl BacktestRequest {
    /// "from round 1,001 · refit every 500 · gap 0 · 1.5x, 2x · P&L at 2x"
    pub fn describe(&self) -> String {
        let refit = match self.refit.as_str() {
            "never" => "fitted once".to_string(),
            "rolling" => format!(
                "refit every {} on the last {}",
                crate::format::fmt_int(self.refit_every),
                crate::format::fmt_int(self.window)
            ),
            _ => format!("refit every {}", crate::format::fmt_int(self.refit_every)),
        };
        let thresholds: Vec<String> = self.thresholds.iter().map(|t| format!("{t}x")).collect();
        format!(
            "from round {} · {refit} · gap {} · {} · P&L at {}x",
            crate::format::fmt_int(self.start + 1),
            self.gap,
            thresholds.join(", "),
            self.cashout
        )
    }
}

/// One model's walk-forward result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BacktestView {
    pub n_rounds: usize,
    pub request: BacktestRequest,
    pub models: Vec<BacktestModel>,
    /// The fits of the first model (the schedule is the same for every model).
    pub folds: Vec<models::walkforward::Fold>,
    pub seconds: f64,
}

/// Where a backtest job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum BacktestState {
    Running,
    Done,
    Failed,
    Cancelled,
    /// Its server stopped while it ran (its lease ran out): no result.
    Interrupted,
}

impl BacktestState {
    pub fn as_str(self) -> &'static str {
        match self {
            BacktestState::Running => "running",
            BacktestState::Done => "done",
            BacktestState::Failed => "failed",
            BacktestState::Cancelled => "cancelled",
            BacktestState::Interrupted => "interrupted",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            BacktestState::Running,
            BacktestState::Done,
            BacktestState::Failed,
            BacktestState::Cancelled,
            BacktestState::Interrupted,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// How far a running backtest is: model m of n, fold k of n in it, forecasts done.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BacktestProgress {
    /// 1-based; 0 before the first model starts.
    pub model: usize,
    pub models: usize,
    pub model_name: String,
    /// The fold being forecast (1-based) and the folds of the schedule.
    pub fold: usize,
    pub folds: usize,
    /// Forecasts made by the current model, of its total.
    pub done: usize,
    pub total: usize,
    /// Of the whole job, 0–100 (each model an equal share).
    pub percent: f64,
    pub elapsed_s: f64,
    /// Seconds left at the pace so far; none before there is a pace.
    pub eta_s: Option<f64>,
}

impl BacktestProgress {
    /// The progress after `done` of `total` forecasts of model `index` (0-based), with the
    /// schedule's fit points ([`models::walkforward::fit_points`]).
    pub fn at(
        request: &BacktestRequest,
        index: usize,
        done: usize,
        total: usize,
        fit_points: &[usize],
        elapsed_s: f64,
    ) -> Self {
        let models = request.models.len().max(1);
        let share = if total == 0 {
            0.0
        } else {
            done as f64 / total as f64
        };
        let fraction = ((index as f64 + share) / models as f64).clamp(0.0, 1.0);
        // The fold of the last forecast made (a fit happens before the forecast at a point).
        let fold = fit_points.iter().filter(|&&p| p < done.max(1)).count();
        BacktestProgress {
            model: index + 1,
            models,
            model_name: request.models.get(index).cloned().unwrap_or_default(),
            fold,
            folds: fit_points.len(),
            done,
            total,
            percent: 100.0 * fraction,
            elapsed_s,
            eta_s: (fraction > 0.0).then(|| elapsed_s * (1.0 - fraction) / fraction),
        }
    }

    /// "model 1 of 2 (logistic) · fold 3 of 12 · 2,345 of 6,000 forecasts · about 12 s left"
    pub fn describe(&self) -> String {
        if self.model == 0 {
            return "starting…".into();
        }
        let mut parts = vec![
            format!(
                "model {} of {} ({})",
                self.model, self.models, self.model_name
            ),
            format!(
                "fold {} of {}",
                crate::format::fmt_int(self.fold),
                crate::format::fmt_int(self.folds)
            ),
            format!(
                "{} of {} forecasts",
                crate::format::fmt_int(self.done),
                crate::format::fmt_int(self.total)
            ),
        ];
        if let Some(eta) = self.eta_s {
            parts.push(format!("about {} left", crate::format::fmt_duration(eta)));
        }
        parts.join(" · ")
    }
}

/// A backtest job, running or ended, as stored: its settings, progress and result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BacktestJob {
    pub id: i64,
    /// Unix seconds.
    pub created_at: i64,
    pub state: BacktestState,
    pub request: BacktestRequest,
    /// Stored rounds it ran on.
    pub n_rounds: usize,
    pub progress: BacktestProgress,
    pub error: Option<String>,
    /// Left out of lists (it can be large); present when one job is read and it is done.
    pub result: Option<BacktestView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_counts_models_folds_and_time_left() {
        let request = BacktestRequest {
            models: vec!["empirical".into(), "logistic".into()],
            ..BacktestRequest::default()
        };
        // Fits before forecasts 0, 500 and 1000 of 1,200.
        let points = [0, 500, 1000];
        let first = BacktestProgress::at(&request, 0, 1, 1200, &points, 0.1);
        assert_eq!((first.model, first.fold, first.folds), (1, 1, 3));
        let p = BacktestProgress::at(&request, 1, 600, 1200, &points, 30.0);
        assert_eq!(
            (p.model, p.models, p.model_name.as_str()),
            (2, 2, "logistic")
        );
        assert_eq!(p.fold, 2);
        assert!((p.percent - 75.0).abs() < 1e-9);
        // A quarter left at the pace of three quarters in 30 s.
        assert!((p.eta_s.unwrap() - 10.0).abs() < 1e-9);
        assert_eq!(
            p.describe(),
            "model 2 of 2 (logistic) · fold 2 of 3 · 600 of 1,200 forecasts · about 10 s left"
        );
        let last = BacktestProgress::at(&request, 1, 1200, 1200, &points, 40.0);
        assert_eq!((last.fold, last.percent, last.eta_s), (3, 100.0, Some(0.0)));
        assert_eq!(BacktestProgress::default().describe(), "starting…");
        let rolling = BacktestRequest {
            refit: "rolling".into(),
            thresholds: vec![1.5, 2.0],
            ..BacktestRequest::default()
        };
        assert_eq!(
            rolling.describe(),
            "from round 1,001 · refit every 500 on the last 1,000 · gap 0 · 1.5x, 2x · P&L at 2x"
        );
    }

    #[test]
    fn states_read_back_from_their_names() {
        for s in ["running", "done", "failed", "cancelled", "interrupted"] {
            assert_eq!(BacktestState::parse(s).map(|s| s.as_str()), Some(s));
        }
        assert_eq!(BacktestState::parse("paused"), None);
    }
}

//! The trained models as the Models page and `GET /api/v1/models` show them, and the
//! training jobs that make them.

use models::backtest::BacktestSummary;
use serde::{Deserialize, Serialize};

/// One model's walk-forward row from its training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScoreRow {
    pub name: String,
    pub seconds: f64,
    pub summary: BacktestSummary,
}

/// A registered model version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelView {
    pub version: String,
    pub active: bool,
    /// Why the version cannot be used, when it cannot.
    pub problem: Option<String>,
    pub created_at: String,
    pub n_rounds: usize,
    pub device: String,
    pub members: Vec<String>,
    /// Fair law, each member and the stacked ensemble, walk-forward on the rounds the
    /// search never saw.
    pub scores: Vec<ScoreRow>,
}

/// Importance of the features to one member, largest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FeatureImportance {
    pub member: String,
    pub features: Vec<(String, f64)>,
}

/// What the models page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelsView {
    pub models: Vec<ModelView>,
    /// Feature importance of the active model's members that report one.
    pub importance: Vec<FeatureImportance>,
    pub importance_note: Option<String>,
    /// Devices training may use in this build ("cpu", and "cuda" where available).
    pub devices: Vec<String>,
    /// Devices this machine has ("cpu", and "cuda" where a CUDA device is found).
    #[serde(default)]
    pub machine_devices: Vec<String>,
    /// Member kinds training accepts.
    pub member_kinds: Vec<String>,
    pub training: TrainStatus,
}

/// What to train.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TrainRequest {
    /// Member kinds (empty or left out: all).
    #[serde(default)]
    pub members: Vec<String>,
    pub budget_s: f64,
    pub device: String,
    /// Make the finished model the active one.
    pub activate: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum JobState {
    #[default]
    Idle,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Idle => "idle",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }
}

/// One epoch of a network member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LossPoint {
    pub member: String,
    pub epoch: usize,
    pub train_loss: f64,
    /// NaN-free: `None` without a validation tail.
    pub valid_loss: Option<f64>,
}

/// The state of the (single) training job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TrainStatus {
    /// Counts jobs since the server started (0: none yet).
    pub job: u64,
    /// Bumped on every change, so a client keeps the newest of statuses that arrive out of
    /// order (a command's answer and the event stream).
    #[serde(default)]
    pub seq: u64,
    pub state: JobState,
    pub request: Option<TrainRequest>,
    /// "search", "epoch", "compare", "final fit", "saving", "done".
    pub stage: String,
    pub detail: String,
    /// 0–100.
    pub percent: f64,
    pub elapsed_s: f64,
    pub eta_s: Option<f64>,
    pub losses: Vec<LossPoint>,
    /// The registered version once it succeeded.
    pub version: Option<String>,
    pub error: Option<String>,
}

impl TrainStatus {
    /// Whether `self` should replace `current` (a newer job, or a newer state of the job).
    pub fn is_newer_than(&self, current: Option<&TrainStatus>) -> bool {
        current.is_none_or(|c| (self.job, self.seq) >= (c.job, c.seq))
    }
}

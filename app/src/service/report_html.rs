//! The shareable report (`/api/v1/report.html`): the fairness report and the pattern scan
//! of the stored rounds, and a strategy lab run when one is asked for, as one HTML file.

use crate::service::analysis::{self, AnalysisError};
use crate::service::patterns::{self, PatternRequest, PatternsError};
use crate::service::strategy::{self, SimulationError};
use crate::state::ServerState;
use crate::views::{ReportParts, SimulationRequest};
use serde::{Deserialize, Serialize};

/// What the report holds beyond the fairness report: the scan's settings and, optionally,
/// the strategy lab run to include (run again here, from its seed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportRequest {
    #[serde(default)]
    pub patterns: PatternRequest,
    #[serde(default)]
    pub strategy: Option<SimulationRequest>,
}

/// Why the report could not be made: the error of the part that failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    #[error(transparent)]
    Patterns(#[from] PatternsError),
    #[error(transparent)]
    Simulation(#[from] SimulationError),
    #[error("the report stopped unexpectedly: {0}")]
    Task(String),
}

impl ReportError {
    pub fn status_code(&self) -> u16 {
        match self {
            ReportError::Db(e) => e.status_code(),
            ReportError::Analysis(e) => e.status_code(),
            ReportError::Patterns(e) => e.status_code(),
            ReportError::Simulation(e) => e.status_code(),
            ReportError::Task(_) => 500,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ReportError::Db(e) => e.code(),
            ReportError::Analysis(e) => e.code(),
            ReportError::Patterns(e) => e.code(),
            ReportError::Simulation(e) => e.code(),
            ReportError::Task(_) => "internal",
        }
    }
}

crate::http_status_by_method!(ReportError);

/// What the report holds, each part made by its own use case (the history read once
/// more for its hash: every part also names the values it read).
pub async fn report(
    state: &ServerState,
    request: ReportRequest,
) -> Result<ReportParts, ReportError> {
    let snap = state.history().await?;
    let analysis = analysis::view(state).await?;
    let scan = patterns::report(state, &request.patterns).await?;
    let strategy = match request.strategy {
        Some(r) => Some((r.clone(), strategy::simulate(state, r).await?)),
        None => None,
    };
    let settings = serde_json::to_value(&request.patterns).unwrap_or_default();
    let rounds = snap.values.len();
    let values_sha256 =
        tokio::task::spawn_blocking(move || models::provenance::values_sha256(&snap.values))
            .await
            .map_err(|e| ReportError::Task(e.to_string()))?;
    metrics::counter!("jetx_reports_total").increment(1);
    Ok(ReportParts {
        rounds,
        values_sha256,
        generated_at: crate::service::leases::now(),
        analysis: Some(analysis),
        patterns: Some((settings, (*scan).clone())),
        strategy,
    })
}

//! The fairness report and charts of the stored rounds (Analysis page), off the async
//! workers.

use crate::state::ServerState;
use crate::views::AnalysisView;

/// Why the analysis could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error("the analysis stopped unexpectedly: {0}")]
    Task(String),
    /// The history cannot support the report (too few rounds).
    #[error("{0}")]
    Report(String),
}

impl AnalysisError {
    pub fn status_code(&self) -> u16 {
        match self {
            AnalysisError::Db(e) => e.status_code(),
            AnalysisError::Task(_) => 500,
            AnalysisError::Report(_) => 422,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AnalysisError::Db(e) => e.code(),
            AnalysisError::Task(_) => "internal",
            AnalysisError::Report(_) => "too_few_rounds",
        }
    }
}

crate::http_status_by_method!(AnalysisError);

pub async fn view(state: &ServerState) -> Result<AnalysisView, AnalysisError> {
    let snap = state.history().await?;
    let house_edge = state.house_edge;
    tokio::task::spawn_blocking(move || crate::reports::build_analysis(&snap.values, house_edge))
        .await
        .map_err(|e| AnalysisError::Task(e.to_string()))
}

/// The fairness report of the stored rounds (`GET /api/v1/analysis`): the game's own law,
/// memory, and the provenance to recompute it.
pub async fn fairness(
    state: &ServerState,
) -> Result<models::fairness::FairnessReport, AnalysisError> {
    let snap = state.history().await?;
    let cfg = models::fairness::ReportConfig {
        house_edge: state.house_edge,
        ..Default::default()
    };
    tokio::task::spawn_blocking(move || models::fairness::report(&snap.values, &cfg))
        .await
        .map_err(|e| AnalysisError::Task(e.to_string()))?
        .map_err(|e| AnalysisError::Report(e.to_string()))
}

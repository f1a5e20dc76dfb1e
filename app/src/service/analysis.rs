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
}

impl AnalysisError {
    pub fn status_code(&self) -> u16 {
        match self {
            AnalysisError::Db(e) => e.status_code(),
            AnalysisError::Task(_) => 500,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AnalysisError::Db(e) => e.code(),
            AnalysisError::Task(_) => "internal",
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

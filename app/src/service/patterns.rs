//! The pattern scan of the stored history (Patterns page, `GET /api/v1/patterns`),
//! computed once per history revision and settings, off the async workers.

use crate::db::DbError;
use crate::state::ServerState;
use models::patterns::{PatternConfig, PatternReport};
use std::sync::Arc;

/// Why a pattern report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PatternsError {
    #[error("invalid pattern settings: {0}")]
    Invalid(#[from] models::error::EvalError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("the pattern scan stopped unexpectedly: {0}")]
    Task(String),
}

impl PatternsError {
    /// The HTTP status of each variant.
    pub fn status_code(&self) -> u16 {
        match self {
            PatternsError::Invalid(_) => 400,
            PatternsError::Db(e) => e.status_code(),
            PatternsError::Task(_) => 500,
        }
    }

    /// A stable machine-readable code of each variant.
    pub fn code(&self) -> &'static str {
        match self {
            PatternsError::Invalid(_) => "bad_settings",
            PatternsError::Db(e) => e.code(),
            PatternsError::Task(_) => "internal",
        }
    }
}

/// What the caller may choose: the cash-outs and whether to list every rule.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PatternRequest {
    pub cashouts: Option<Vec<f64>>,
    #[serde(default)]
    pub all: bool,
}

impl PatternRequest {
    pub fn config(&self, house_edge: f64) -> Result<PatternConfig, PatternsError> {
        let mut cfg = PatternConfig {
            house_edge,
            listed_per_family: if self.all { usize::MAX } else { 25 },
            ..PatternConfig::default()
        };
        if let Some(c) = &self.cashouts {
            cfg.cashouts = c.clone();
        }
        cfg.validate()?;
        Ok(cfg)
    }
}

/// The report of the stored history (cached per revision and settings).
pub async fn report(
    state: &ServerState,
    request: &PatternRequest,
) -> Result<Arc<PatternReport>, PatternsError> {
    let config = request.config(state.house_edge)?;
    let snap = state.history().await?;
    let clock = snap.clock_now();
    // What the clock rules say of the next round changes with its hour and session.
    let key = (snap.revision, clock.as_ref().and_then(|c| c.next_slot()));
    if let Some(hit) = state.caches.cached_patterns(key, &config) {
        return Ok(hit);
    }
    let values = snap.values.clone();
    let cfg = config.clone();
    let started = std::time::Instant::now();
    let report =
        tokio::task::spawn_blocking(move || PatternReport::build_with_clock(&values, clock, &cfg))
            .await
            .map_err(|e| PatternsError::Task(e.to_string()))?;
    tracing::info!(
        rounds = report.rounds,
        tests = report.tests,
        confirmed = report.confirmed,
        ms = started.elapsed().as_secs_f64() * 1e3,
        "pattern scan"
    );
    let report = Arc::new(report);
    state.caches.store_patterns(key, config, report.clone());
    Ok(report)
}

//! The next round's estimate for the dashboard and `POST /api/v1/predict`: computed once
//! per history revision, model, cash-out and mode, stored for live scoring the first time,
//! then served from memory.

use crate::db::DbError;
use crate::state::ServerState;
use crate::types::{Mode, PredictionView};
use models::decision::CashoutError;

/// Why no estimate was made.
#[derive(Debug, thiserror::Error)]
pub enum PredictionError {
    #[error(transparent)]
    Cashout(#[from] CashoutError),
    #[error(transparent)]
    Db(#[from] DbError),
    /// The model panicked or its worker was lost.
    #[error("the estimate stopped unexpectedly: {0}")]
    Task(String),
}

impl PredictionError {
    /// The HTTP status of each variant.
    pub fn status_code(&self) -> u16 {
        match self {
            PredictionError::Cashout(_) => 400,
            PredictionError::Db(e) => e.status_code(),
            PredictionError::Task(_) => 500,
        }
    }
}

crate::http_status_by_method!(PredictionError);

fn task(e: tokio::task::JoinError) -> PredictionError {
    PredictionError::Task(e.to_string())
}

/// The estimate with PLAY withheld when a limit is reached or a cool-off is in force.
pub fn withhold(mut view: PredictionView, gate: &models::limits::PlayGate) -> PredictionView {
    if let Some(reason) = gate.reason() {
        if view.recommendation == crate::types::Recommendation::Play {
            view.recommendation = crate::types::Recommendation::Wait;
            view.reason = format!("The estimate alone would say PLAY: {}", view.reason);
        }
        view.withheld = Some(reason);
    }
    view
}

/// The estimate of the round after the stored history.
pub async fn predict_next(
    state: &ServerState,
    cashout: f64,
    mode: Mode,
) -> Result<PredictionView, PredictionError> {
    models::decision::check_cashout(cashout)?;
    let started = std::time::Instant::now();
    let snap = state.history().await?;
    let history_ms = started.elapsed().as_secs_f64() * 1e3;
    let predictor = state.predictor.clone();
    // The model key reads the registry (a file and the model's folder): blocking work.
    let keyed = predictor.clone();
    let model_key = tokio::task::spawn_blocking(move || keyed.model_key())
        .await
        .map_err(task)?;
    let key = (snap.revision, model_key, cashout.to_bits(), mode);
    // The model's estimate is cached and scored as it is; the player's limits are applied
    // to each answer.
    let gate = super::play::gate(state, crate::unix_now()).await?;
    if let Some(view) = state.caches.cached_prediction(&key) {
        return Ok(withhold(view, &gate));
    }
    let values = snap.values.clone();
    // Loading a model reads files and runs the networks: keep it off the async workers.
    let view = tokio::task::spawn_blocking(move || predictor.predict(&values, cashout, mode))
        .await
        .map_err(task)?;
    let computed_ms = started.elapsed().as_secs_f64() * 1e3;
    if let Err(e) = crate::db::store_prediction(&state.pool, snap.last_id, &view).await {
        tracing::warn!(error = %e, "could not store the prediction for live scoring");
    }
    state.caches.store_prediction(key, view.clone());
    let view = withhold(view, &gate);
    tracing::debug!(
        rounds = snap.values.len(),
        history_ms,
        computed_ms,
        total_ms = started.elapsed().as_secs_f64() * 1e3,
        "fresh prediction"
    );
    Ok(view)
}

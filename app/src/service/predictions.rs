//! Predictions: the next round's estimate for the dashboard and `POST /api/v1/predict`,
//! in three named steps — estimate (cached per history revision, model, cash-out and mode;
//! reads only), record it for live scoring (once), apply the player's limits — and the
//! stored predictions with the live scoreboard that scores them.

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

    /// A stable machine-readable code of each variant.
    pub fn code(&self) -> &'static str {
        use crate::errors::HttpStatus;
        match self {
            PredictionError::Cashout(e) => e.code(),
            PredictionError::Db(e) => e.code(),
            PredictionError::Task(_) => "internal",
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

/// The next round's estimate as a view, before the player's limits: computed once per
/// history revision, model, cash-out and mode, then served from memory. Reads only.
pub struct Estimated {
    pub view: PredictionView,
    key: crate::state::PredictionKey,
    /// The newest round when it was made (the round it predicts comes after it).
    after_round_id: i64,
}

/// Estimates the round after the stored history (cached; nothing is written).
pub async fn estimate_next(
    state: &ServerState,
    cashout: f64,
    mode: Mode,
) -> Result<Estimated, PredictionError> {
    models::decision::check_cashout(cashout)?;
    let started = std::time::Instant::now();
    let snap = state.history().await?;
    let estimator = state.estimator.clone();
    // The model key reads the registry (a file and the model's folder): blocking work.
    let model_key = tokio::task::spawn_blocking(move || estimator.model_key())
        .await
        .map_err(task)?;
    let clock = snap.clock_now();
    let slot = clock.as_ref().and_then(|c| c.next_slot());
    let key = (snap.revision, model_key, cashout.to_bits(), mode, slot);
    if let Some(view) = state.caches.cached_prediction(&key) {
        return Ok(Estimated {
            view,
            key,
            after_round_id: snap.last_id,
        });
    }
    let estimator = state.estimator.clone();
    let house_edge = state.house_edge;
    let values = snap.values.clone();
    // Loading a model reads files and runs the networks: keep it off the async workers.
    let view = tokio::task::spawn_blocking(move || {
        let estimate = estimator.estimate_at(&values, clock, cashout, mode);
        PredictionView::of(estimate, &values, cashout, mode, house_edge)
    })
    .await
    .map_err(task)?;
    state.caches.store_prediction(key.clone(), view.clone());
    tracing::debug!(
        rounds = snap.values.len(),
        ms = started.elapsed().as_secs_f64() * 1e3,
        "fresh prediction"
    );
    Ok(Estimated {
        view,
        key,
        after_round_id: snap.last_id,
    })
}

/// Records a prediction that is being shown, for live scoring when its round arrives: once
/// per history revision, model, cash-out and mode. A failure is logged, never shown: the
/// player still gets the estimate.
pub async fn record_for_scoring(state: &ServerState, estimated: &Estimated) {
    if state.caches.prediction_recorded(&estimated.key) {
        return;
    }
    match crate::db::store_prediction(&state.pool, estimated.after_round_id, &estimated.view).await
    {
        Ok(()) => state.caches.mark_prediction_recorded(&estimated.key),
        Err(e) => tracing::warn!(error = %e, "could not store the prediction for live scoring"),
    }
}

/// The estimate with PLAY withheld when one of the player's limits is reached or a
/// cool-off is in force.
pub async fn apply_limits(
    state: &ServerState,
    view: PredictionView,
) -> Result<PredictionView, PredictionError> {
    let gate = super::limits::gate(state, crate::unix_now()).await?;
    Ok(withhold(view, &gate))
}

/// What the dashboard and `POST /api/v1/predict` show: the estimate (cached), recorded for
/// live scoring, with the player's limits applied.
pub async fn show_next(
    state: &ServerState,
    cashout: f64,
    mode: Mode,
) -> Result<PredictionView, PredictionError> {
    let estimated = estimate_next(state, cashout, mode).await?;
    record_for_scoring(state, &estimated).await;
    apply_limits(state, estimated.view).await
}

/// A page of stored predictions, newest first, with their outcomes once the next round
/// is stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PredictionsPage {
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
    pub predictions: Vec<crate::views::StoredPrediction>,
}

/// Most predictions one page lists.
pub const MAX_PAGE: i64 = 1000;

/// Stored predictions from `offset` (clamped to 0…) with at most `limit` (1…1000).
pub async fn list(
    state: &ServerState,
    offset: i64,
    limit: i64,
) -> Result<PredictionsPage, PredictionError> {
    let offset = offset.max(0);
    let limit = limit.clamp(1, MAX_PAGE);
    let (total, predictions) = crate::db::list_predictions(&state.pool, offset, limit).await?;
    Ok(PredictionsPage {
        total,
        offset,
        limit,
        predictions,
    })
}

/// How many recent predictions the live scoreboard lists.
const LIVE_RECENT: i64 = 12;

/// The live scoreboard: PLAY hit rates, Brier against the fair law, the log-loss path.
pub async fn live(state: &ServerState) -> Result<crate::views::LiveView, PredictionError> {
    let (scored, pending) = crate::db::scored_predictions(&state.pool).await?;
    let (stored, recent) = crate::db::list_predictions(&state.pool, 0, LIVE_RECENT).await?;
    Ok(crate::reports::build_live(
        &scored,
        pending as usize,
        stored as usize,
        recent,
    ))
}

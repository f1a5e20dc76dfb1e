//! `POST /predict` (the next round's estimate), `GET /predictions` (stored, with their
//! outcomes) and `GET /predictions/live` (the live scoreboard).

use super::ApiResult;
use super::Player;
use app::api::ssr::ServerState;
use app::service::predictions::{self, PredictionsPage};
use app::types::{Mode, PredictionView};
use app::views::LiveView;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::Query;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/predict", post(predict))
        .route("/predictions", get(list))
        .route("/predictions/live", get(live))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredictRequest {
    /// Cash-out target (default 2).
    pub cashout: Option<f64>,
    /// `normal` (85%) or `rolling` (95%).
    #[serde(default)]
    pub mode: Mode,
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

/// `POST /api/v1/predict {"cashout": 2.0, "mode": "normal"}`: the next round's estimate.
async fn predict(
    Player(st): Player,
    body: Result<Json<PredictRequest>, JsonRejection>,
) -> ApiResult<Json<PredictionView>> {
    let Json(req) = body?;
    let cashout = req.cashout.unwrap_or(2.0);
    Ok(Json(predictions::show_next(&st, cashout, req.mode).await?))
}

/// `GET /api/v1/predictions?offset=0&limit=100`: stored predictions, newest first, with
/// their outcomes once the next round is stored.
async fn list(
    Player(st): Player,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult<Json<PredictionsPage>> {
    let Query(q) = query?;
    let page = predictions::list(&st, q.offset.unwrap_or(0), q.limit.unwrap_or(100)).await?;
    Ok(Json(page))
}

/// `GET /api/v1/predictions/live`: the live scoreboard.
async fn live(Player(st): Player) -> ApiResult<Json<LiveView>> {
    Ok(Json(predictions::live(&st).await?))
}

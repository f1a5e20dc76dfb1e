//! `POST /predict` (the next round's estimate), `GET /predictions` (stored, with their
//! outcomes) and `GET /predictions/live` (the live scoreboard).

use super::openapi::ErrorBody;
use super::ApiResult;
use super::Player;
use app::api::ssr::ServerState;
use app::service::predictions::{self, PredictionsPage};
use app::types::{Mode, PredictionView};
use app::views::LiveView;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::Query;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(predict))
        .routes(routes!(list))
        .routes(routes!(live))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PredictRequest {
    /// Cash-out target (default 2).
    pub cashout: Option<f64>,
    /// `normal` (85%) or `rolling` (95%).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub mode: Mode,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

/// `POST /api/v1/predict {"cashout": 2.0, "mode": "normal"}`: the next round's estimate.
#[utoipa::path(post, path = "/predict", tag = "predictions", request_body = PredictRequest, responses((status = 200, description = "the next round’s estimate: thresholds with probability, fair rate, members, EV, evidence, PLAY/WAIT and why", body = app::types::PredictionView), (status = 400, description = "a cash-out outside 1.01–1,000,000", body = ErrorBody)))]
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
#[utoipa::path(get, path = "/predictions", tag = "predictions", params(PageQuery), responses((status = 200, description = "stored predictions, newest first, with their outcomes", body = app::service::predictions::PredictionsPage), (status = 400, description = "a bad offset or limit", body = ErrorBody)))]
async fn list(
    Player(st): Player,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult<Json<PredictionsPage>> {
    let Query(q) = query?;
    let page = predictions::list(&st, q.offset.unwrap_or(0), q.limit.unwrap_or(100)).await?;
    Ok(Json(page))
}

/// `GET /api/v1/predictions/live`: the live scoreboard.
#[utoipa::path(get, path = "/predictions/live", tag = "predictions", responses((status = 200, description = "the live scoreboard: PLAY hit rates, Brier vs the fair law, log-loss difference", body = app::views::LiveView)))]
async fn live(Player(st): Player) -> ApiResult<Json<LiveView>> {
    Ok(Json(predictions::live(&st).await?))
}

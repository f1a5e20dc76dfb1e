//! `/limits`, `/reality-check`, `/cool-off`: responsible play.

use super::ApiResult;
use super::Player;
use app::api::ssr::ServerState;
use app::service::limits;
use app::views::{LimitRequest, LimitsView, RealityAnswer};
use axum::extract::rejection::JsonRejection;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;

pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/limits", get(view).put(set_limit))
        .route("/reality-check", put(set_reality_check))
        .route("/reality-check/answer", post(answer_reality_check))
        .route("/cool-off", post(cool_off))
}

/// `GET /api/v1/limits`: the limits with what was used of them, the cool-off, the
/// reality-check interval and whether PLAY may be recommended.
async fn view(Player(st): Player) -> ApiResult<Json<LimitsView>> {
    Ok(Json(limits::view(&st, app::unix_now()).await?))
}

/// `PUT /api/v1/limits {"kind": "loss", "period": "day", "amount": 50}`: lowering applies
/// at once, raising or removing (`"amount": null`) after 24 hours.
async fn set_limit(
    Player(st): Player,
    body: Result<Json<LimitRequest>, JsonRejection>,
) -> ApiResult<Json<LimitsView>> {
    let Json(req) = body?;
    Ok(Json(limits::set_limit(&st, &req, app::unix_now()).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RealityCheckSetting {
    /// Seconds between reality checks; `null` turns them off.
    interval_s: Option<i64>,
}

/// `PUT /api/v1/reality-check {"interval_s": 1800}`.
async fn set_reality_check(
    Player(st): Player,
    body: Result<Json<RealityCheckSetting>, JsonRejection>,
) -> ApiResult<Json<LimitsView>> {
    let Json(req) = body?;
    let view = limits::set_reality_check(&st, req.interval_s, app::unix_now()).await?;
    Ok(Json(view))
}

/// `POST /api/v1/reality-check/answer {"stop_for_today": false, "offset_minutes": 60}`.
async fn answer_reality_check(
    Player(st): Player,
    body: Result<Json<RealityAnswer>, JsonRejection>,
) -> ApiResult<Json<LimitsView>> {
    let Json(answer) = body?;
    let view = limits::answer_reality_check(&st, answer, app::unix_now()).await?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CoolOffRequest {
    hours: i64,
}

/// `POST /api/v1/cool-off {"hours": 24}` (24, 168 or 720): no PLAY until it ends; it
/// cannot be shortened.
async fn cool_off(
    Player(st): Player,
    body: Result<Json<CoolOffRequest>, JsonRejection>,
) -> ApiResult<Json<LimitsView>> {
    let Json(req) = body?;
    Ok(Json(
        limits::cool_off(&st, req.hours, app::unix_now()).await?,
    ))
}

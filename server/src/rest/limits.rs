//! `/limits`, `/reality-check`, `/cool-off`: responsible play.

use super::openapi::ErrorBody;
use super::ApiResult;
use super::Player;
use app::api::ssr::ServerState;
use app::service::limits;
use app::views::{LimitRequest, LimitsView, RealityAnswer};
use axum::extract::rejection::JsonRejection;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(view, set_limit))
        .routes(routes!(set_reality_check))
        .routes(routes!(answer_reality_check))
        .routes(routes!(cool_off))
}

/// `GET /api/v1/limits`: the limits with what was used of them, the cool-off, the
/// reality-check interval and whether PLAY may be recommended.
#[utoipa::path(get, path = "/limits", tag = "limits", responses((status = 200, description = "limits with what was used, the cool-off, reality checks, whether PLAY may be shown", body = LimitsView)))]
async fn view(Player(st): Player) -> ApiResult<Json<LimitsView>> {
    Ok(Json(limits::view(&st, app::unix_now()).await?))
}

/// `PUT /api/v1/limits {"kind": "loss", "period": "day", "amount": 50}`: lowering applies
/// at once, raising or removing (`"amount": null`) after 24 hours.
#[utoipa::path(put, path = "/limits", tag = "limits", request_body(content = LimitRequest, example = json!({"kind": "loss", "period": "day", "amount": 50})), responses((status = 200, description = "the limits view", body = LimitsView), (status = 400, description = "a bad kind, period or amount", body = ErrorBody)))]
async fn set_limit(
    Player(st): Player,
    body: Result<Json<LimitRequest>, JsonRejection>,
) -> ApiResult<Json<LimitsView>> {
    let Json(req) = body?;
    Ok(Json(limits::set_limit(&st, &req, app::unix_now()).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RealityCheckSetting {
    /// Seconds between reality checks; `null` turns them off.
    interval_s: Option<i64>,
}

/// `PUT /api/v1/reality-check {"interval_s": 1800}`.
#[utoipa::path(put, path = "/reality-check", tag = "limits", request_body = RealityCheckSetting, responses((status = 200, description = "the limits view", body = LimitsView), (status = 400, description = "an interval under the server’s minimum or over a day", body = ErrorBody)))]
async fn set_reality_check(
    Player(st): Player,
    body: Result<Json<RealityCheckSetting>, JsonRejection>,
) -> ApiResult<Json<LimitsView>> {
    let Json(req) = body?;
    let view = limits::set_reality_check(&st, req.interval_s, app::unix_now()).await?;
    Ok(Json(view))
}

/// `POST /api/v1/reality-check/answer {"stop_for_today": false, "offset_minutes": 60}`.
#[utoipa::path(post, path = "/reality-check/answer", tag = "limits", request_body(content = RealityAnswer, example = json!({"stop_for_today": false, "offset_minutes": 60})), responses((status = 200, description = "the limits view", body = LimitsView), (status = 400, description = "a bad answer", body = ErrorBody)))]
async fn answer_reality_check(
    Player(st): Player,
    body: Result<Json<RealityAnswer>, JsonRejection>,
) -> ApiResult<Json<LimitsView>> {
    let Json(answer) = body?;
    let view = limits::answer_reality_check(&st, answer, app::unix_now()).await?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CoolOffRequest {
    hours: i64,
}

/// `POST /api/v1/cool-off {"hours": 24}` (24, 168 or 720): no PLAY until it ends; it
/// cannot be shortened.
#[utoipa::path(post, path = "/cool-off", tag = "limits", request_body = CoolOffRequest, responses((status = 200, description = "the limits view", body = LimitsView), (status = 400, description = "hours other than 24, 168 or 720", body = ErrorBody)))]
async fn cool_off(
    Player(st): Player,
    body: Result<Json<CoolOffRequest>, JsonRejection>,
) -> ApiResult<Json<LimitsView>> {
    let Json(req) = body?;
    Ok(Json(
        limits::cool_off(&st, req.hours, app::unix_now()).await?,
    ))
}

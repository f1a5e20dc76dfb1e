//! `/bets`: record a real bet, list the bets with their positions next to the fair law,
//! export, delete.

use super::openapi::ErrorBody;
use super::Player;
use super::{csv_attachment, ApiResult};
use app::api::ssr::ServerState;
use app::service::bets;
use app::views::{BetRequest, BetRow, BetsView};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(list, record))
        .routes(routes!(export_csv))
        .routes(routes!(remove))
}

/// `POST /api/v1/bets` `{"stake": 2, "target": 2.0}` (or `"cashed_out": 1.8`, or
/// `"lost": true`; `"round_id"`, else the newest round) → 201 with the settled bet.
#[utoipa::path(post, path = "/bets", tag = "bets", request_body(content = BetRequest, example = json!({"stake": 2, "target": 2.0})), responses((status = 201, description = "the settled bet", body = BetRow), (status = 400, description = "a bad stake or cash-out, or not exactly one exit", body = ErrorBody), (status = 404, description = "no such round", body = ErrorBody), (status = 422, description = "a cash-out above the crash, a third bet on a round, or no rounds yet", body = ErrorBody)))]
async fn record(
    Player(st): Player,
    body: Result<Json<BetRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<BetRow>)> {
    let Json(req) = body?;
    let bet = bets::record(&st, &req).await?;
    Ok((StatusCode::CREATED, Json(bet)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct BetsQuery {
    /// The player's clock, minutes east of UTC (days, weeks and months start at their
    /// midnight).
    #[serde(default)]
    offset_minutes: i64,
}

/// `GET /api/v1/bets?offset_minutes=60`: every bet, and the session / day / week / month
/// positions next to the fair law's expectation.
#[utoipa::path(get, path = "/bets", tag = "bets", params(BetsQuery), responses((status = 200, description = "every bet, and the session / day / week / month positions next to the fair law", body = BetsView)))]
async fn list(
    Player(st): Player,
    query: Result<Query<BetsQuery>, QueryRejection>,
) -> ApiResult<Json<BetsView>> {
    let Query(q) = query?;
    Ok(Json(
        bets::view(&st, app::unix_now(), q.offset_minutes).await?,
    ))
}

/// The bet ledger as CSV.
#[utoipa::path(get, path = "/bets/export.csv", tag = "bets", responses((status = 200, description = "the ledger as CSV (UTC times)", content_type = "text/csv", body = String)))]
async fn export_csv(Player(st): Player) -> ApiResult<Response> {
    Ok(csv_attachment(
        "jetx_bets.csv",
        bets::export_csv(&st).await?,
    ))
}

/// Deletes one of the player's bets.
#[utoipa::path(delete, path = "/bets/{id}", tag = "bets", params(("id" = i64, Path)), responses((status = 204, description = "deleted"), (status = 404, description = "no such bet (also another player’s)", body = ErrorBody)))]
async fn remove(Player(st): Player, id: Result<Path<i64>, PathRejection>) -> ApiResult<StatusCode> {
    let Path(id) = id?;
    bets::delete(&st, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

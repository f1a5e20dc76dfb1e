//! `/bets`: record a real bet, list the bets with their positions next to the fair law,
//! export, delete.

use super::Player;
use super::{csv_attachment, ApiResult};
use app::api::ssr::ServerState;
use app::service::bets;
use app::views::{BetRequest, BetRow, BetsView};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;

pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/bets", get(list).post(record))
        .route("/bets/export.csv", get(export_csv))
        .route("/bets/{id}", delete(remove))
}

/// `POST /api/v1/bets` `{"stake": 2, "target": 2.0}` (or `"cashed_out": 1.8`, or
/// `"lost": true`; `"round_id"`, else the newest round) → 201 with the settled bet.
async fn record(
    Player(st): Player,
    body: Result<Json<BetRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<BetRow>)> {
    let Json(req) = body?;
    let bet = bets::record(&st, &req).await?;
    Ok((StatusCode::CREATED, Json(bet)))
}

#[derive(Debug, Deserialize)]
struct BetsQuery {
    /// The player's clock, minutes east of UTC (days, weeks and months start at their
    /// midnight).
    #[serde(default)]
    offset_minutes: i64,
}

/// `GET /api/v1/bets?offset_minutes=60`: every bet, and the session / day / week / month
/// positions next to the fair law's expectation.
async fn list(
    Player(st): Player,
    query: Result<Query<BetsQuery>, QueryRejection>,
) -> ApiResult<Json<BetsView>> {
    let Query(q) = query?;
    Ok(Json(
        bets::view(&st, app::unix_now(), q.offset_minutes).await?,
    ))
}

async fn export_csv(Player(st): Player) -> ApiResult<Response> {
    Ok(csv_attachment(
        "jetx_bets.csv",
        bets::export_csv(&st).await?,
    ))
}

async fn remove(Player(st): Player, id: Result<Path<i64>, PathRejection>) -> ApiResult<StatusCode> {
    let Path(id) = id?;
    bets::delete(&st, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

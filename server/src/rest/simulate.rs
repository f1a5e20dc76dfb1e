//! `POST /simulate`: the strategy lab.

use super::ApiResult;
use super::Player;
use app::api::ssr::ServerState;
use app::views::SimulationRequest;
use axum::extract::rejection::JsonRejection;
use axum::routing::post;
use axum::{Json, Router};
use models::strategy::SimulationResult;

pub fn router() -> Router<ServerState> {
    Router::new().route("/simulate", post(simulate))
}

/// `POST /api/v1/simulate {"strategy": "martingale", "params": {"multiplier": 2},
/// "stake": 1, "cashout": 2, "bankroll": 100, "paths": 10000, "rounds": 1000}`: the strategy
/// lab (the same result as `jetx simulate --json`); `"replay": true` plays the stored rounds.
async fn simulate(
    Player(st): Player,
    body: Result<Json<SimulationRequest>, JsonRejection>,
) -> ApiResult<Json<SimulationResult>> {
    let Json(req) = body?;
    Ok(Json(app::service::strategy::simulate(&st, req).await?))
}

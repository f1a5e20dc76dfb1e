//! `POST /simulate`: the strategy lab.

use super::openapi::ErrorBody;
use super::ApiResult;
use super::Player;
use app::api::ssr::ServerState;
use app::views::SimulationRequest;
use axum::extract::rejection::JsonRejection;
use axum::Json;
use models::strategy::SimulationResult;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new().routes(routes!(simulate))
}

/// `POST /api/v1/simulate {"strategy": "martingale", "params": {"multiplier": 2},
/// "stake": 1, "cashout": 2, "bankroll": 100, "paths": 10000, "rounds": 1000}`: the strategy
/// lab (the same result as `jetx simulate --json`); `"replay": true` plays the stored rounds;
/// `"law": "confirmed"` draws the Monte Carlo rounds from the patterns the scan confirms on
/// them (the result's `law` lists the rules and the rates played).
#[utoipa::path(post, path = "/simulate", tag = "strategies", request_body(content = SimulationRequest, description = "the strategy, its parameters and the run: see the README (REST API) for every field", example = json!({"strategy": "martingale", "params": {"multiplier": 2}, "stake": 1, "cashout": 2, "bankroll": 100, "paths": 10000, "rounds": 1000, "seed": 42})), responses((status = 200, description = "the strategy lab’s result (as `jetx simulate --json`)", body = SimulationResult), (status = 400, description = "a bad strategy, parameter or limit, or the script’s error with its line", body = ErrorBody), (status = 422, description = "a replay, or the confirmed law, of an empty history", body = ErrorBody)))]
async fn simulate(
    Player(st): Player,
    body: Result<Json<SimulationRequest>, JsonRejection>,
) -> ApiResult<Json<SimulationResult>> {
    let Json(req) = body?;
    Ok(Json(app::service::strategy::simulate(&st, req).await?))
}

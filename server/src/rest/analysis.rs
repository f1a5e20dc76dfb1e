//! `GET /analysis`: the fairness report of the stored history.

use super::openapi::ErrorBody;
use super::ApiResult;
use super::Player;
use app::api::ssr::ServerState;
use app::service::analysis;
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new().routes(routes!(report))
}

/// `GET /api/v1/analysis`: the game's own law (fitted RTP, instant crashes, tail), memory
/// and every test of the stored rounds, with its provenance (the same report as `jetx
/// analyze --json`); 422 below 30 rounds.
#[utoipa::path(get, path = "/analysis", tag = "analysis", responses((status = 200, description = "the fairness report: fitted law, memory, every test with its provenance (as `jetx analyze --json`)", body = models::fairness::FairnessReport), (status = 422, description = "fewer than 30 rounds stored", body = ErrorBody)))]
async fn report(Player(st): Player) -> ApiResult<Json<models::fairness::FairnessReport>> {
    Ok(Json(analysis::fairness(&st).await?))
}

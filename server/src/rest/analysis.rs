//! `GET /analysis`: the fairness report of the stored history.

use super::ApiResult;
use super::Player;
use app::api::ssr::ServerState;
use app::service::analysis;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<ServerState> {
    Router::new().route("/analysis", get(report))
}

/// `GET /api/v1/analysis`: the game's own law (fitted RTP, instant crashes, tail), memory
/// and every test of the stored rounds, with its provenance (the same report as `jetx
/// analyze --json`); 422 below 30 rounds.
async fn report(Player(st): Player) -> ApiResult<Json<models::fairness::FairnessReport>> {
    Ok(Json(analysis::fairness(&st).await?))
}

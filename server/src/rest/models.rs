//! `/models`: registered versions with their walk-forward scores; activation.

use super::ApiResult;
use super::Player;
use app::api::ssr::ServerState;
use app::service::models;
use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/models", get(list))
        .route("/models/{version}/activate", post(activate))
}

/// `GET /api/v1/models`: registered versions with their walk-forward scores, the active
/// model's feature importance and the training devices.
async fn list(Player(st): Player) -> ApiResult<Json<Value>> {
    let overview = models::overview(&st).await?;
    Ok(Json(json!({
        "models": overview.models,
        "importance": overview.importance,
        "importance_note": overview.importance_note,
        "devices": overview.devices,
        "machine_devices": overview.machine_devices,
    })))
}

/// `POST /api/v1/models/{version}/activate`.
async fn activate(
    Player(st): Player,
    version: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<Value>> {
    let Path(version) = version?;
    models::activate(&st, version.clone()).await?;
    Ok(Json(json!({ "active": version })))
}

//! `/models`: registered versions with their walk-forward scores; activation.

use super::openapi::ErrorBody;
use super::ApiResult;
use super::Player;
use app::api::ssr::ServerState;
use app::service::models;
use app::views::{FeatureImportance, ModelView};
use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(activate))
}

/// `GET /api/v1/models`: registered versions with their walk-forward scores, the active
/// model's feature importance and the training devices.
#[utoipa::path(get, path = "/models", tag = "models", responses((status = 200, description = "registered versions with walk-forward scores, the active model’s feature importance, devices", body = ModelsList)))]
async fn list(Player(st): Player) -> ApiResult<Json<ModelsList>> {
    let overview = models::overview(&st).await?;
    Ok(Json(ModelsList {
        models: overview.models,
        importance: overview.importance,
        importance_note: overview.importance_note,
        devices: overview.devices,
        machine_devices: overview.machine_devices,
    }))
}

/// The registry as the API lists it (the Models page also gets the training job).
#[derive(serde::Serialize, utoipa::ToSchema)]
struct ModelsList {
    models: Vec<ModelView>,
    /// Feature importance of the active model's members that report one.
    importance: Vec<FeatureImportance>,
    importance_note: Option<String>,
    /// Devices training may use in this build.
    devices: Vec<String>,
    /// Devices this machine has.
    machine_devices: Vec<String>,
}

/// `{"active": VERSION}`.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Activated {
    active: String,
}

/// `POST /api/v1/models/{version}/activate`.
#[utoipa::path(post, path = "/models/{version}/activate", tag = "models", params(("version" = String, Path, description = "a version folder name, e.g. v0003-20261201T200729Z")), responses((status = 200, description = "the version now active", body = Activated), (status = 400, description = "not a version name, or a version that does not load", body = ErrorBody), (status = 404, description = "no such version in this player’s registry", body = ErrorBody)))]
async fn activate(
    Player(st): Player,
    version: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<Activated>> {
    let Path(version) = version?;
    models::activate(&st, version.clone()).await?;
    Ok(Json(Activated { active: version }))
}

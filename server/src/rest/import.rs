//! `POST /import`: a history file as the request body (CSV, text, or the Python app's
//! SQLite database).

use super::ApiResult;
use super::Player;
use app::api::ssr::ServerState;
use app::types::{ImportOutcome, OnFault};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::Query;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

pub fn router() -> Router<ServerState> {
    Router::new().route("/import", post(import))
}

#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    #[serde(default)]
    pub dry_run: bool,
    #[serde(default)]
    pub on_fault: OnFault,
    #[serde(default)]
    pub filename: String,
}

/// `POST /api/v1/import?dry_run=true|false&on_fault=refuse|skip_faulty&filename=…` with the
/// file as the body.
async fn import(
    Player(st): Player,
    query: Result<Query<ImportQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<ImportOutcome>> {
    let Query(q) = query?;
    let bytes = body?;
    let outcome =
        app::service::import::import(&st, &bytes, &q.filename, q.dry_run, q.on_fault).await?;
    Ok(Json(outcome))
}

//! `POST /import`: a history file as the request body (CSV, text, or the Python app's
//! SQLite database).

use super::openapi::ErrorBody;
use super::ApiResult;
use super::Player;
use app::api::ssr::ServerState;
use app::types::{ImportOptions, ImportOutcome, OnDuplicate, OnFault, Place};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::Query;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new().routes(routes!(import))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Only report what would be stored.
    #[serde(default)]
    pub dry_run: bool,
    /// `refuse` (default: faulty rows store nothing) or `skip_faulty`.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub on_fault: OnFault,
    /// Rounds of the file already stored (the longest repeated run, at least 8): `keep`
    /// (default) stores them again, `skip` only the new ones, `refuse` nothing (409).
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub duplicates: OnDuplicate,
    /// Split fields that hold several values (`2.29⟨U+2028⟩1.29`) into their rounds.
    #[serde(default)]
    pub split: bool,
    /// `after` (default) the newest stored round, or `before` the oldest (an older
    /// history; every stored round keeps its id).
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub place: Place,
    /// The file's name (its extension picks the format).
    #[serde(default)]
    pub filename: String,
}

/// `POST /api/v1/import?dry_run=true|false&on_fault=refuse|skip_faulty&duplicates=keep|skip|refuse&split=true|false&place=after|before&filename=…`
/// with the file as the body.
#[utoipa::path(post, path = "/import", tag = "rounds", params(ImportQuery), request_body(content = Vec<u8>, description = "the file itself: CSV, text, or the Python app’s SQLite database", content_type = "application/octet-stream"), responses((status = 200, description = "what was read and stored: `{format, rows, valid, faults[], stored, dry_run, already_stored: {file_start, stored_start, len} | null, skipped_duplicates, splittable, split, place}`", body = ImportOutcome), (status = 409, description = "rounds already stored (with duplicates=refuse): nothing stored; the report in details", body = ErrorBody), (status = 413, description = "larger than the input limit", body = ErrorBody), (status = 422, description = "rows that cannot be read (with on_fault=refuse): nothing stored", body = ErrorBody)))]
async fn import(
    Player(st): Player,
    query: Result<Query<ImportQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<ImportOutcome>> {
    let Query(q) = query?;
    let bytes = body?;
    let options = ImportOptions {
        dry_run: q.dry_run,
        on_fault: q.on_fault,
        duplicates: q.duplicates,
        split: q.split,
        place: q.place,
    };
    let outcome = app::service::import::import(&st, &bytes, &q.filename, options).await?;
    Ok(Json(outcome))
}

//! `/rounds` and `/stats`: record, list, edit, delete, undo, export; the statistics.

use super::openapi::ErrorBody;
use super::Player;
use super::{csv_attachment, ApiResult};
use app::api::ssr::ServerState;
use app::errors::AppError;
use app::service::rounds;
use app::types::{RoundRow, RoundsPage, Source};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(list, add))
        .routes(routes!(undo))
        .routes(routes!(export_csv))
        .routes(routes!(one, update, delete))
        .routes(routes!(stats))
}

/// A value in a request: a string ("1.57", "1,57x") or a JSON number (1.57).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ValueInput {
    Text(String),
    Number(serde_json::Number),
}

impl ValueInput {
    fn text(&self) -> String {
        match self {
            ValueInput::Text(s) => s.clone(),
            ValueInput::Number(n) => n.to_string(),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddRounds {
    /// One value (a string such as "1.57", "1,57x", or a number)…
    #[schema(value_type = Option<String>)]
    pub value: Option<ValueInput>,
    /// …or many, stored in order, all or none.
    #[schema(value_type = Option<Vec<String>>)]
    pub values: Option<Vec<ValueInput>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Added {
    pub stored: usize,
    pub ids: Vec<i64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub offset: Option<i64>,
    pub limit: Option<i64>,
    /// Keyset paging: the rounds older than this id (the previous page's `next_before`).
    pub before: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateRound {
    /// The new value ("1.60" or 1.6).
    #[schema(value_type = String)]
    pub value: ValueInput,
}

pub async fn healthz(State(st): State<ServerState>) -> ApiResult<Json<Value>> {
    let rounds = rounds::count(&st).await?;
    Ok(Json(json!({ "status": "ok", "rounds": rounds })))
}

/// A page of rounds, newest first (`offset`, or keyset `before`).
#[utoipa::path(get, path = "/rounds", tag = "rounds", params(PageQuery), responses((status = 200, description = "a page of rounds, newest first", body = app::types::RoundsPage), (status = 400, description = "offset and before together, or a bad number", body = ErrorBody)))]
async fn list(
    Player(st): Player,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult<Json<RoundsPage>> {
    let Query(q) = query?;
    let limit = q.limit.unwrap_or(100);
    let page = match (q.before, q.offset) {
        (Some(_), Some(_)) => {
            return Err(AppError::new(
                400,
                "bad_query",
                "use either offset or before, not both",
            ))
        }
        (Some(before), None) => rounds::page_before(&st, before, limit).await?,
        (None, offset) => rounds::page(&st, offset.unwrap_or(0), limit).await?,
    };
    Ok(Json(page))
}

/// Stores one value or many, in order, all or none.
#[utoipa::path(post, path = "/rounds", tag = "rounds", request_body = AddRounds, responses((status = 201, description = "stored, in order", body = Added), (status = 400, description = "neither or both of value and values", body = ErrorBody), (status = 422, description = "a value that is not a multiplier: nothing stored; `details.invalid[]` names each", body = ErrorBody)))]
async fn add(
    Player(st): Player,
    body: Result<Json<AddRounds>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Added>)> {
    let Json(req) = body?;
    let inputs: Vec<ValueInput> = match (req.value, req.values) {
        (Some(v), None) => vec![v],
        (None, Some(vs)) => vs,
        _ => {
            return Err(AppError::new(
                400,
                "bad_body",
                "send either \"value\" or \"values\"",
            ))
        }
    };
    let texts: Vec<String> = inputs.iter().map(ValueInput::text).collect();
    let ids = rounds::add_batch(&st, &texts, Source::Api).await?;
    Ok((
        StatusCode::CREATED,
        Json(Added {
            stored: ids.len(),
            ids,
        }),
    ))
}

fn id(path: Result<Path<i64>, PathRejection>) -> ApiResult<i64> {
    Ok(path?.0)
}

/// One round.
#[utoipa::path(get, path = "/rounds/{id}", tag = "rounds", params(("id" = i64, Path)), responses((status = 200, description = "the round", body = app::types::RoundRow), (status = 404, description = "no such round (also another player’s)", body = ErrorBody)))]
async fn one(
    Player(st): Player,
    path: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<RoundRow>> {
    Ok(Json(rounds::get(&st, id(path)?).await?))
}

/// Changes a round's value.
#[utoipa::path(put, path = "/rounds/{id}", tag = "rounds", params(("id" = i64, Path)), request_body = UpdateRound, responses((status = 200, description = "the edited round", body = app::types::RoundRow), (status = 404, description = "no such round", body = ErrorBody), (status = 422, description = "not a multiplier", body = ErrorBody)))]
async fn update(
    Player(st): Player,
    path: Result<Path<i64>, PathRejection>,
    body: Result<Json<UpdateRound>, JsonRejection>,
) -> ApiResult<Json<RoundRow>> {
    let id = id(path)?;
    let Json(req) = body?;
    Ok(Json(rounds::update(&st, id, &req.value.text()).await?))
}

/// Deletes a round.
#[utoipa::path(delete, path = "/rounds/{id}", tag = "rounds", params(("id" = i64, Path)), responses((status = 200, description = "the deleted round", body = app::types::RoundRow), (status = 404, description = "no such round", body = ErrorBody)))]
async fn delete(
    Player(st): Player,
    path: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<RoundRow>> {
    Ok(Json(rounds::delete(&st, id(path)?).await?))
}

/// Deletes the latest round.
#[utoipa::path(post, path = "/rounds/undo", tag = "rounds", responses((status = 200, description = "the deleted latest round, or null when there is none", body = Option<app::types::RoundRow>)))]
async fn undo(Player(st): Player) -> ApiResult<Json<Option<RoundRow>>> {
    Ok(Json(rounds::undo(&st).await?))
}

/// The history's summary next to the fair-game values.
#[utoipa::path(get, path = "/stats", tag = "rounds", responses((status = 200, description = "count, shares ≥ 1.5x / 2x with 95% intervals and fair values, median, mean, max, streak, categories", body = app::service::rounds::Stats)))]
async fn stats(Player(st): Player) -> ApiResult<Json<rounds::Stats>> {
    Ok(Json(rounds::stats(&st).await?))
}

/// Every round as CSV, oldest first.
#[utoipa::path(get, path = "/rounds/export.csv", tag = "rounds", responses((status = 200, description = "CSV `id,value,synthetic,created_at`", content_type = "text/csv", body = String)))]
async fn export_csv(Player(st): Player) -> ApiResult<Response> {
    Ok(csv_attachment(
        "jetx_rounds.csv",
        rounds::export_csv(&st).await?,
    ))
}

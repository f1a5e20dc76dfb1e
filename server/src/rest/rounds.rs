//! `/rounds` and `/stats`: record, list, edit, delete, undo, export; the statistics.

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
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/rounds", get(list).post(add))
        .route("/rounds/undo", post(undo))
        .route("/rounds/export.csv", get(export_csv))
        .route("/rounds/{id}", get(one).put(update).delete(delete))
        .route("/stats", get(stats))
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddRounds {
    /// One value…
    pub value: Option<ValueInput>,
    /// …or many, stored in order, all or none.
    pub values: Option<Vec<ValueInput>>,
}

#[derive(Debug, Serialize)]
pub struct Added {
    pub stored: usize,
    pub ids: Vec<i64>,
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub offset: Option<i64>,
    pub limit: Option<i64>,
    /// Keyset paging: the rounds older than this id (the previous page's `next_before`).
    pub before: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct UpdateRound {
    pub value: ValueInput,
}

pub async fn healthz(State(st): State<ServerState>) -> ApiResult<Json<Value>> {
    let rounds = rounds::count(&st).await?;
    Ok(Json(json!({ "status": "ok", "rounds": rounds })))
}

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

async fn one(
    Player(st): Player,
    path: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<RoundRow>> {
    Ok(Json(rounds::get(&st, id(path)?).await?))
}

async fn update(
    Player(st): Player,
    path: Result<Path<i64>, PathRejection>,
    body: Result<Json<UpdateRound>, JsonRejection>,
) -> ApiResult<Json<RoundRow>> {
    let id = id(path)?;
    let Json(req) = body?;
    Ok(Json(rounds::update(&st, id, &req.value.text()).await?))
}

async fn delete(
    Player(st): Player,
    path: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<RoundRow>> {
    Ok(Json(rounds::delete(&st, id(path)?).await?))
}

async fn undo(Player(st): Player) -> ApiResult<Json<Option<RoundRow>>> {
    Ok(Json(rounds::undo(&st).await?))
}

async fn stats(Player(st): Player) -> ApiResult<Json<rounds::Stats>> {
    Ok(Json(rounds::stats(&st).await?))
}

async fn export_csv(Player(st): Player) -> ApiResult<Response> {
    Ok(csv_attachment(
        "jetx_rounds.csv",
        rounds::export_csv(&st).await?,
    ))
}

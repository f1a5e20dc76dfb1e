//! REST JSON API under `/api/v1`. Errors are `{ "error": { "code", "message", "details" } }`
//! with a 4xx status for bad input; nothing is stored when any value is bad.

use app::api::ssr::ServerState;
use app::db::{self, DbError};
use app::importer::{import_bytes, ImportFailure};
use app::types::{OnFault, RoundRow, Source};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use models::summary::{category_shares, Summary};
use models::values::{parse_multiplier, Multiplier, ValueError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// An API error: HTTP status, a stable code, a sentence for people, optional details.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Value::Null,
        }
    }

    /// A service error with the status its variant stands for and a stable `code`.
    fn status(e: &dyn app::errors::HttpStatus, code: &'static str) -> Self {
        let status =
            StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError::new(status, code, e.to_string())
    }

    /// As [`ApiError::status`], the code `invalid` for 4xx and `internal` for 5xx.
    fn from_status(e: &dyn app::errors::HttpStatus) -> Self {
        let code = if e.status_code() < 500 {
            "invalid"
        } else {
            "internal"
        };
        Self::status(e, code)
    }

    fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            metrics::counter!("jetx_server_errors_total", "status" => self.status.as_u16().to_string())
                .increment(1);
            tracing::error!(code = self.code, message = %self.message, "API error");
        }
        let body = json!({ "error": { "code": self.code, "message": self.message, "details": self.details } });
        (self.status, Json(body)).into_response()
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        if e.status_code() >= 500 {
            let kind = if e.status_code() == 503 {
                "busy"
            } else {
                "other"
            };
            metrics::counter!("jetx_database_errors_total", "kind" => kind).increment(1);
        }
        match e {
            DbError::NotFound(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string())
            }
            DbError::Refused(_) | DbError::NotAnExport(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "refused", e.to_string())
            }
            busy if busy.status_code() == 503 => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                format!("{busy}; nothing was stored, try again"),
            ),
            other => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                other.to_string(),
            ),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        let status = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        ApiError::new(status, "bad_json", e.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_query", e.body_text())
    }
}

impl From<BytesRejection> for ApiError {
    fn from(e: BytesRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "the upload is larger than the configured limit",
            )
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "bad_body", e.body_text())
        }
    }
}

fn value_error(e: &ValueError, index: Option<usize>) -> Value {
    json!({ "index": index, "token": e.token, "reason": e.problem.to_string() })
}

pub type ApiResult<T> = Result<T, ApiError>;

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
}

#[derive(Debug, Deserialize)]
pub struct UpdateRound {
    pub value: ValueInput,
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

pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/rounds", get(list_rounds).post(add_rounds))
        .route("/rounds/undo", post(undo))
        .route("/rounds/export.csv", get(export_csv))
        .route(
            "/rounds/{id}",
            get(get_round).put(update_round).delete(delete_round),
        )
        .route("/stats", get(stats))
        .route("/import", post(import))
        .route("/patterns", get(patterns))
        .route("/predict", post(predict))
        .route("/simulate", post(simulate))
        .route("/bets", get(list_bets).post(record_bet))
        .route("/bets/export.csv", get(export_bets))
        .route("/bets/{id}", axum::routing::delete(delete_bet))
        .route("/limits", get(get_limits).put(put_limit))
        .route("/reality-check", axum::routing::put(put_reality_check))
        .route("/reality-check/answer", post(answer_reality_check))
        .route("/cool-off", post(start_cool_off))
        .route("/predictions", get(list_predictions))
        .route("/predictions/live", get(live))
        .route("/models", get(list_models))
        .route("/models/{version}/activate", post(activate_model))
        .route("/train", get(train_status).post(start_training))
        .route("/train/cancel", post(cancel_training))
        .route("/train/events", get(train_events))
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such API endpoint")
        })
}

pub async fn healthz(State(st): State<ServerState>) -> ApiResult<Json<Value>> {
    let rounds = db::count(&st.pool).await?;
    Ok(Json(json!({ "status": "ok", "rounds": rounds })))
}

async fn list_rounds(
    State(st): State<ServerState>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult<Json<app::types::RoundsPage>> {
    let Query(q) = query?;
    let (offset, limit) =
        app::service::rounds::check_page(q.offset.unwrap_or(0), q.limit.unwrap_or(100))
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_query", e.to_string()))?;
    Ok(Json(db::list_page(&st.pool, offset, limit).await?))
}

async fn add_rounds(
    State(st): State<ServerState>,
    body: Result<Json<AddRounds>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Added>)> {
    let Json(req) = body?;
    let inputs: Vec<ValueInput> = match (req.value, req.values) {
        (Some(v), None) => vec![v],
        (None, Some(vs)) => vs,
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_body",
                "send either \"value\" or \"values\"",
            ))
        }
    };
    if inputs.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "no_values",
            "\"values\" is empty",
        ));
    }
    if inputs.len() > st.rules.max_values_per_batch {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_values",
            format!(
                "{} values; the limit is {} per request",
                inputs.len(),
                st.rules.max_values_per_batch
            ),
        ));
    }
    let mut values = Vec::with_capacity(inputs.len());
    let mut errors = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        match parse_multiplier(&input.text(), &st.rules) {
            Ok(v) => values.push(v),
            Err(e) => errors.push(value_error(&e, Some(i))),
        }
    }
    if !errors.is_empty() {
        let first = errors[0]["token"].as_str().unwrap_or_default().to_string();
        let reason = errors[0]["reason"].as_str().unwrap_or_default().to_string();
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            format!(
                "{} of {} values are invalid (first: \"{first}\": {reason}); nothing was stored",
                errors.len(),
                inputs.len()
            ),
        )
        .details(json!({ "invalid": errors })));
    }
    let ids = db::insert_values(&st.pool, &values, Source::Api).await?;
    Ok((
        StatusCode::CREATED,
        Json(Added {
            stored: ids.len(),
            ids,
        }),
    ))
}

async fn get_round(
    State(st): State<ServerState>,
    Path(id): Path<i64>,
) -> ApiResult<Json<RoundRow>> {
    Ok(Json(db::get_round(&st.pool, id).await?))
}

async fn update_round(
    State(st): State<ServerState>,
    Path(id): Path<i64>,
    body: Result<Json<UpdateRound>, JsonRejection>,
) -> ApiResult<Json<RoundRow>> {
    let Json(req) = body?;
    let value: Multiplier = parse_multiplier(&req.value.text(), &st.rules).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            e.to_string(),
        )
        .details(value_error(&e, None))
    })?;
    Ok(Json(db::update_value(&st.pool, id, value).await?))
}

async fn delete_round(
    State(st): State<ServerState>,
    Path(id): Path<i64>,
) -> ApiResult<Json<RoundRow>> {
    Ok(Json(db::delete_round(&st.pool, id).await?))
}

async fn undo(State(st): State<ServerState>) -> ApiResult<Json<Option<RoundRow>>> {
    Ok(Json(db::undo_last(&st.pool).await?))
}

async fn stats(State(st): State<ServerState>) -> ApiResult<Json<Value>> {
    let values = db::all_values(&st.pool).await?;
    Ok(Json(json!({
        "summary": Summary::compute(&values, st.house_edge),
        "categories": category_shares(&values, st.house_edge),
        "demo": db::demo_info(&st.pool).await?,
    })))
}

async fn export_csv(State(st): State<ServerState>) -> ApiResult<Response> {
    let rounds = db::all_rounds(&st.pool).await?;
    let csv = models::import::write_csv(
        rounds
            .iter()
            .map(|r| (r.id, r.value, r.synthetic, r.created_at.as_str())),
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"jetx_rounds.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

/// `POST /api/v1/import?dry_run=true|false&on_fault=refuse|skip_faulty&filename=…` with the
/// file as the body.
async fn import(
    State(st): State<ServerState>,
    query: Result<Query<ImportQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<app::types::ImportOutcome>> {
    let Query(q) = query?;
    let bytes = body?;
    match import_bytes(&st.pool, &bytes, &q.filename, &st.rules, q.dry_run, q.on_fault).await {
        Ok(outcome) => Ok(Json(outcome)),
        Err(ImportFailure::Faults(outcome)) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable_rows",
            format!(
                "{} of {} rows cannot be read; nothing was stored (send on_fault=skip_faulty to store the rest)",
                outcome.faults.len(),
                outcome.rows
            ),
        )
        .details(serde_json::to_value(&outcome).unwrap_or(Value::Null))),
        Err(ImportFailure::Db(e)) => Err(e.into()),
        Err(e @ (ImportFailure::TempFile(_) | ImportFailure::ReadFile { .. })) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            e.to_string(),
        )),
        Err(ImportFailure::Read(e)) => {
            let status = match &e {
                models::import::ImportError::Batch(
                    models::values::BatchError::TooManyBytes { .. } | models::values::BatchError::TooManyValues { .. },
                ) => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            Err(ApiError::new(status, "unreadable_file", e.to_string()))
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredictRequest {
    /// Cash-out target (default 2).
    pub cashout: Option<f64>,
    /// `normal` (85%) or `rolling` (95%).
    #[serde(default)]
    pub mode: app::types::Mode,
}

/// `POST /api/v1/predict {"cashout": 2.0, "mode": "normal"}`: the next round's estimate.
async fn predict(
    State(st): State<ServerState>,
    body: Result<Json<PredictRequest>, JsonRejection>,
) -> ApiResult<Json<app::types::PredictionView>> {
    let Json(req) = body?;
    let cashout = req.cashout.unwrap_or(2.0);
    models::decision::check_cashout(cashout)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_cashout", e.to_string()))?;
    let view = app::service::prediction::predict_next(&st, cashout, req.mode)
        .await
        .map_err(|e| ApiError::from_status(&e))?;
    Ok(Json(view))
}

/// `GET /api/v1/predictions?offset=0&limit=100`: stored predictions, newest first, with
/// their outcomes once the next round is stored.
async fn list_predictions(
    State(st): State<ServerState>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(q) = query?;
    let offset = q.offset.unwrap_or(0).max(0);
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let (total, predictions) = db::list_predictions(&st.pool, offset, limit).await?;
    Ok(Json(
        json!({ "total": total, "offset": offset, "limit": limit, "predictions": predictions }),
    ))
}

/// `GET /api/v1/predictions/live`: the live scoreboard.
async fn live(State(st): State<ServerState>) -> ApiResult<Json<app::views::LiveView>> {
    let (scored, pending) = db::scored_predictions(&st.pool).await?;
    let (stored, recent) = db::list_predictions(&st.pool, 0, 12).await?;
    Ok(Json(app::reports::build_live(
        &scored,
        pending as usize,
        stored as usize,
        recent,
    )))
}

impl From<app::service::training::TrainingError> for ApiError {
    fn from(e: app::service::training::TrainingError) -> Self {
        let status =
            StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError::new(status, e.code(), e.to_string())
    }
}

impl From<app::service::patterns::PatternsError> for ApiError {
    fn from(e: app::service::patterns::PatternsError) -> Self {
        let status =
            StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let code = if status.is_client_error() {
            "bad_settings"
        } else {
            "internal"
        };
        ApiError::new(status, code, e.to_string())
    }
}

#[derive(Debug, Deserialize)]
struct PatternQuery {
    /// Comma-separated cash-outs, e.g. `1.5,2,3`.
    cashouts: Option<String>,
    #[serde(default)]
    all: bool,
}

/// `GET /api/v1/patterns?cashouts=1.5,2&all=false`: the pattern scan of the stored
/// history (the same report as `jetx patterns --json`).
async fn patterns(
    State(st): State<ServerState>,
    query: Result<Query<PatternQuery>, QueryRejection>,
) -> ApiResult<Json<models::patterns::PatternReport>> {
    let Query(q) = query?;
    let cashouts = match q.cashouts.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            text.split(',')
                .map(|t| {
                    t.trim().parse::<f64>().map_err(|_| {
                        ApiError::new(
                            StatusCode::BAD_REQUEST,
                            "bad_query",
                            format!("cannot read the cash-out {:?}", t.trim()),
                        )
                    })
                })
                .collect::<Result<Vec<f64>, ApiError>>()?,
        ),
    };
    let request = app::service::patterns::PatternRequest {
        cashouts,
        all: q.all,
    };
    let report = app::service::patterns::report(&st, &request).await?;
    Ok(Json((*report).clone()))
}

impl From<app::service::strategy::SimulationError> for ApiError {
    fn from(e: app::service::strategy::SimulationError) -> Self {
        let status =
            StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError::new(status, e.code(), e.to_string())
    }
}

/// `POST /api/v1/simulate {"strategy": "martingale", "params": {"multiplier": 2},
/// "stake": 1, "cashout": 2, "bankroll": 100, "paths": 10000, "rounds": 1000}`: the strategy
/// lab (the same result as `jetx simulate --json`); `"replay": true` plays the stored rounds.
async fn simulate(
    State(st): State<ServerState>,
    body: Result<Json<app::views::SimulationRequest>, JsonRejection>,
) -> ApiResult<Json<models::strategy::SimulationResult>> {
    let Json(req) = body?;
    Ok(Json(app::service::strategy::simulate(&st, req).await?))
}

impl From<app::service::ledger::LedgerError> for ApiError {
    fn from(e: app::service::ledger::LedgerError) -> Self {
        let status =
            StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError::new(status, e.code(), e.to_string())
    }
}

/// `POST /api/v1/bets` `{"stake": 2, "target": 2.0}` (or `"cashed_out": 1.8`, or
/// `"lost": true`; `"round_id"`, else the newest round) → 201 with the settled bet.
async fn record_bet(
    State(st): State<ServerState>,
    body: Result<Json<app::views::BetRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<app::views::BetRow>)> {
    let Json(req) = body?;
    let bet = app::service::ledger::record(&st, &req).await?;
    Ok((StatusCode::CREATED, Json(bet)))
}

#[derive(Debug, Deserialize)]
struct LedgerQuery {
    /// The player's clock, minutes east of UTC (days, weeks and months start at their
    /// midnight).
    #[serde(default)]
    offset_minutes: i64,
}

/// `GET /api/v1/bets?offset_minutes=60`: every bet, and the session / day / week / month
/// positions next to the fair law's expectation.
async fn list_bets(
    State(st): State<ServerState>,
    query: Result<Query<LedgerQuery>, QueryRejection>,
) -> ApiResult<Json<app::views::LedgerView>> {
    let Query(q) = query?;
    Ok(Json(
        app::service::ledger::ledger(&st, app::unix_now(), q.offset_minutes).await?,
    ))
}

async fn export_bets(State(st): State<ServerState>) -> ApiResult<Response> {
    let csv = app::service::ledger::export_csv(&st).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"jetx_bets.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

async fn delete_bet(
    State(st): State<ServerState>,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<StatusCode> {
    let Path(id) =
        id.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_id", e.body_text()))?;
    app::service::ledger::delete(&st, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

impl From<app::service::play::PlayError> for ApiError {
    fn from(e: app::service::play::PlayError) -> Self {
        let status =
            StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError::new(status, e.code(), e.to_string())
    }
}

/// `GET /api/v1/limits`: the limits with what was used of them, the cool-off, the
/// reality-check interval and whether PLAY may be recommended.
async fn get_limits(State(st): State<ServerState>) -> ApiResult<Json<app::views::PlayView>> {
    Ok(Json(app::service::play::view(&st, app::unix_now()).await?))
}

/// `PUT /api/v1/limits {"kind": "loss", "period": "day", "amount": 50}`: lowering applies
/// at once, raising or removing (`"amount": null`) after 24 hours.
async fn put_limit(
    State(st): State<ServerState>,
    body: Result<Json<app::views::LimitRequest>, JsonRejection>,
) -> ApiResult<Json<app::views::PlayView>> {
    let Json(req) = body?;
    Ok(Json(
        app::service::play::set_limit(&st, &req, app::unix_now()).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RealityCheckSetting {
    /// Seconds between reality checks; `null` turns them off.
    interval_s: Option<i64>,
}

/// `PUT /api/v1/reality-check {"interval_s": 1800}`.
async fn put_reality_check(
    State(st): State<ServerState>,
    body: Result<Json<RealityCheckSetting>, JsonRejection>,
) -> ApiResult<Json<app::views::PlayView>> {
    let Json(req) = body?;
    Ok(Json(
        app::service::play::set_reality_check(&st, req.interval_s, app::unix_now()).await?,
    ))
}

/// `POST /api/v1/reality-check/answer {"stop_for_today": false, "offset_minutes": 60}`.
async fn answer_reality_check(
    State(st): State<ServerState>,
    body: Result<Json<app::views::RealityAnswer>, JsonRejection>,
) -> ApiResult<Json<app::views::PlayView>> {
    let Json(answer) = body?;
    Ok(Json(
        app::service::play::answer_reality_check(&st, answer, app::unix_now()).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CoolOffRequest {
    hours: i64,
}

/// `POST /api/v1/cool-off {"hours": 24}` (24, 168 or 720): no PLAY until it ends; it
/// cannot be shortened.
async fn start_cool_off(
    State(st): State<ServerState>,
    body: Result<Json<CoolOffRequest>, JsonRejection>,
) -> ApiResult<Json<app::views::PlayView>> {
    let Json(req) = body?;
    Ok(Json(
        app::service::play::cool_off(&st, req.hours, app::unix_now()).await?,
    ))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
}

/// `GET /api/v1/models`: registered versions with their walk-forward scores.
async fn list_models(State(st): State<ServerState>) -> ApiResult<Json<Value>> {
    let predictor = st.predictor.clone();
    let overview = tokio::task::spawn_blocking(move || predictor.models())
        .await
        .map_err(internal)?
        .map_err(|e| ApiError::from_status(&e))?;
    Ok(Json(json!({
        "models": overview.models,
        "importance": overview.importance,
        "importance_note": overview.importance_note,
        "devices": st.predictor.devices(),
    })))
}

/// `POST /api/v1/models/{version}/activate`.
async fn activate_model(
    State(st): State<ServerState>,
    Path(version): Path<String>,
) -> ApiResult<Json<Value>> {
    let predictor = st.predictor.clone();
    let v = version.clone();
    tokio::task::spawn_blocking(move || predictor.activate(&v))
        .await
        .map_err(internal)?
        .map_err(|e| ApiError::status(&e, "cannot_activate"))?;
    Ok(Json(json!({ "active": version })))
}

/// `GET /api/v1/train`: the training job's status.
async fn train_status(State(st): State<ServerState>) -> Json<app::views::TrainStatus> {
    Json(st.training.status())
}

/// `POST /api/v1/train {"members": ["mlp", "gbt"], "budget_s": 30, "device": "cpu",
/// "activate": true}`: starts a background training job (202), or 409 while one runs.
async fn start_training(
    State(st): State<ServerState>,
    body: Result<Json<app::views::TrainRequest>, JsonRejection>,
) -> ApiResult<Response> {
    let Json(req) = body?;
    let status = st.training.start(req)?;
    Ok((StatusCode::ACCEPTED, Json(status)).into_response())
}

/// `POST /api/v1/train/cancel`: kills the running job; nothing is registered.
async fn cancel_training(
    State(st): State<ServerState>,
) -> ApiResult<Json<app::views::TrainStatus>> {
    Ok(Json(st.training.cancel()?))
}

/// `GET /api/v1/train/events`: server-sent events, one `status` event per change of the
/// training job (the current status first).
async fn train_events(
    State(st): State<ServerState>,
) -> axum::response::sse::Sse<
    impl futures::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let rx = st.training.subscribe();
    let event = |s: &app::views::TrainStatus| {
        Event::default()
            .event("status")
            .json_data(s)
            .unwrap_or_else(|_| Event::default().event("status").data("{}"))
    };
    let stream = futures::stream::unfold((rx, true), move |(mut rx, first)| async move {
        if !first && rx.changed().await.is_err() {
            return None;
        }
        let status = rx.borrow_and_update().clone();
        Some((Ok(event(&status)), (rx, false)))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

//! `/train`: start a training job (one at a time), follow it (status, server-sent
//! events), cancel it.

use super::openapi::ErrorBody;
use super::ApiResult;
use super::Player;
use app::api::ssr::ServerState;
use app::service::training;
use app::views::{TrainRequest, TrainStatus};
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(status, start))
        .routes(routes!(cancel))
        .routes(routes!(events))
}

/// `GET /api/v1/train`: the training job's status.
#[utoipa::path(get, path = "/train", tag = "models", responses((status = 200, description = "the training job’s status: state, stage, percent, eta_s, losses, version, error", body = TrainStatus)))]
async fn status(Player(st): Player) -> Json<TrainStatus> {
    Json(training::status(&st).await)
}

/// `POST /api/v1/train {"members": ["mlp", "gbt"], "budget_s": 30, "device": "cpu",
/// "activate": true}`: starts a background training job (202), or 409 while one runs.
#[utoipa::path(post, path = "/train", tag = "models", request_body(content = TrainRequest, example = json!({"members": ["logistic", "gbt"], "budget_s": 30, "device": "cpu", "activate": true})), responses((status = 202, description = "started: the job status", body = TrainStatus), (status = 400, description = "a bad budget (1–3600 s), device or member", body = ErrorBody), (status = 409, description = "a job runs already (on this or another server)", body = ErrorBody)))]
async fn start(
    Player(st): Player,
    body: Result<Json<TrainRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<TrainStatus>)> {
    let Json(req) = body?;
    Ok((StatusCode::ACCEPTED, Json(training::start(&st, req).await?)))
}

/// `POST /api/v1/train/cancel`: kills the running job; nothing is registered.
#[utoipa::path(post, path = "/train/cancel", tag = "models", responses((status = 200, description = "the cancelled job’s status; nothing is registered", body = TrainStatus), (status = 409, description = "no job runs, or its model is registered already", body = ErrorBody)))]
async fn cancel(Player(st): Player) -> ApiResult<Json<TrainStatus>> {
    Ok(Json(training::cancel(&st).await?))
}

/// `GET /api/v1/train/events`: server-sent events, one `status` event per change of the
/// training job (the current status first), whichever server sharing the database runs
/// it (another server's job is read from its lease every second).
#[utoipa::path(get, path = "/train/events", tag = "models", responses((status = 200, description = "server-sent events: one `status` event (the job status JSON) per change, the current one first", content_type = "text/event-stream", body = String)))]
async fn events(
    Player(st): Player,
) -> Sse<impl futures::Stream<Item = Result<Event, std::convert::Infallible>>> {
    let rx = training::subscribe(&st);
    let event = |s: &TrainStatus| {
        Event::default()
            .event("status")
            .json_data(s)
            .unwrap_or_else(|_| Event::default().event("status").data("{}"))
    };
    let stream = futures::stream::unfold((rx, None, st), move |(mut rx, last, st)| async move {
        loop {
            if last.is_some() {
                tokio::select! {
                    changed = rx.changed() => if changed.is_err() { return None },
                    _ = tokio::time::sleep(app::service::leases::RENEW_EVERY) => {}
                }
            }
            rx.borrow_and_update();
            let status = training::status(&st).await;
            if last.as_ref() != Some(&status) {
                return Some((Ok(event(&status)), (rx, Some(status), st)));
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

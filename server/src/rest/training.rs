//! `/train`: start a training job (one at a time), follow it (status, server-sent
//! events), cancel it.

use super::ApiResult;
use app::api::ssr::ServerState;
use app::service::training;
use app::views::{TrainRequest, TrainStatus};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/train", get(status).post(start))
        .route("/train/cancel", post(cancel))
        .route("/train/events", get(events))
}

/// `GET /api/v1/train`: the training job's status.
async fn status(State(st): State<ServerState>) -> Json<TrainStatus> {
    Json(training::status(&st))
}

/// `POST /api/v1/train {"members": ["mlp", "gbt"], "budget_s": 30, "device": "cpu",
/// "activate": true}`: starts a background training job (202), or 409 while one runs.
async fn start(
    State(st): State<ServerState>,
    body: Result<Json<TrainRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<TrainStatus>)> {
    let Json(req) = body?;
    Ok((StatusCode::ACCEPTED, Json(training::start(&st, req)?)))
}

/// `POST /api/v1/train/cancel`: kills the running job; nothing is registered.
async fn cancel(State(st): State<ServerState>) -> ApiResult<Json<TrainStatus>> {
    Ok(Json(training::cancel(&st)?))
}

/// `GET /api/v1/train/events`: server-sent events, one `status` event per change of the
/// training job (the current status first).
async fn events(
    State(st): State<ServerState>,
) -> Sse<impl futures::Stream<Item = Result<Event, std::convert::Infallible>>> {
    let rx = training::subscribe(&st);
    let event = |s: &TrainStatus| {
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

//! `/backtests`: walk-forward backtests of the stored rounds as jobs: start one (one at a
//! time across servers), follow it (status, server-sent events), cancel it; past jobs
//! with their settings and results, re-opened and deleted.

use super::openapi::ErrorBody;
use super::ApiResult;
use super::Player;
use app::api::ssr::ServerState;
use app::service::backtest;
use app::views::{BacktestJob, BacktestRequest, BacktestState};
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(list, start))
        .routes(routes!(read, delete))
        .routes(routes!(cancel))
        .routes(routes!(events))
}

/// `GET /api/v1/backtests`: past and running backtests, newest first, without results.
#[utoipa::path(get, path = "/backtests", tag = "backtests", responses((status = 200, description = "jobs: id, created_at (Unix s), state (running, done, failed, cancelled, interrupted), request, n_rounds, progress, error", body = Vec<BacktestJob>)))]
async fn list(Player(st): Player) -> ApiResult<Json<Vec<BacktestJob>>> {
    Ok(Json(backtest::list(&st).await?))
}

/// `POST /api/v1/backtests {"start": 1000, "refit": "every", "refit_every": 500, "window":
/// 1000, "gap": 0, "thresholds": [2.0], "models": ["logistic"], "cashout": 2.0}`: starts
/// a backtest job (202 with the job), or 409 while one runs.
#[utoipa::path(post, path = "/backtests", tag = "backtests", request_body(content = BacktestRequest, example = json!({"start": 1000, "refit": "every", "refit_every": 500, "window": 1000, "gap": 0, "thresholds": [1.5, 2.0], "models": ["logistic"], "cashout": 2.0})), responses((status = 202, description = "started: the job", body = BacktestJob), (status = 400, description = "bad settings or an unknown model", body = ErrorBody), (status = 409, description = "a backtest runs already (on this or another server)", body = ErrorBody)))]
async fn start(
    Player(st): Player,
    body: Result<Json<BacktestRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<BacktestJob>)> {
    let Json(request) = body?;
    Ok((
        StatusCode::ACCEPTED,
        Json(backtest::start(&st, request).await?),
    ))
}

/// `GET /api/v1/backtests/{id}`: one job, with its result once done.
#[utoipa::path(get, path = "/backtests/{id}", tag = "backtests", params(("id" = i64, Path)), responses((status = 200, description = "the job, with `result` once done", body = BacktestJob), (status = 404, description = "no such backtest", body = ErrorBody)))]
async fn read(
    Player(st): Player,
    id: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<BacktestJob>> {
    let Path(id) = id?;
    Ok(Json(backtest::read(&st, id).await?))
}

/// `DELETE /api/v1/backtests/{id}`: deletes an ended job and its result (204).
#[utoipa::path(delete, path = "/backtests/{id}", tag = "backtests", params(("id" = i64, Path)), responses((status = 204, description = "deleted"), (status = 404, description = "no such backtest", body = ErrorBody), (status = 409, description = "it is still running: cancel it first", body = ErrorBody)))]
async fn delete(Player(st): Player, id: Result<Path<i64>, PathRejection>) -> ApiResult<StatusCode> {
    let Path(id) = id?;
    backtest::delete(&st, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/backtests/{id}/cancel`: asks the server running it to stop it.
#[utoipa::path(post, path = "/backtests/{id}/cancel", tag = "backtests", params(("id" = i64, Path)), responses((status = 200, description = "the job; it ends as `cancelled` within a second (or after the model fit under way)", body = BacktestJob), (status = 404, description = "no such backtest", body = ErrorBody), (status = 409, description = "it is not running", body = ErrorBody)))]
async fn cancel(
    Player(st): Player,
    id: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<BacktestJob>> {
    let Path(id) = id?;
    Ok(Json(backtest::cancel(&st, id).await?))
}

/// `GET /api/v1/backtests/{id}/events`: server-sent events, one `status` event (the job,
/// its result included at the end) per change of its state or progress, whichever server
/// runs it; the stream ends after the job ends.
#[utoipa::path(get, path = "/backtests/{id}/events", tag = "backtests", params(("id" = i64, Path)), responses((status = 200, description = "server-sent events: `status` (the job JSON) per change, the current one first; the last one has the final state", content_type = "text/event-stream", body = String), (status = 404, description = "no such backtest", body = ErrorBody)))]
async fn events(
    Player(st): Player,
    id: Result<Path<i64>, PathRejection>,
) -> ApiResult<Sse<impl futures::Stream<Item = Result<Event, std::convert::Infallible>>>> {
    let Path(id) = id?;
    let first = backtest::read(&st, id).await?;
    let event = |job: &BacktestJob| {
        Event::default()
            .event("status")
            .json_data(job)
            .unwrap_or_else(|_| Event::default().event("status").data("{}"))
    };
    // (state, the job last sent, whether it ended)
    let stream = futures::stream::unfold(
        (st, Some(first), None::<BacktestJob>),
        move |(st, next, last)| async move {
            let mut job = match next {
                Some(job) => job,
                None if last
                    .as_ref()
                    .is_some_and(|j| j.state != BacktestState::Running) =>
                {
                    return None
                }
                None => loop {
                    tokio::time::sleep(backtest::PROGRESS_EVERY).await;
                    let now = backtest::read(&st, id).await.ok()?;
                    let same = last
                        .as_ref()
                        .is_some_and(|l| l.state == now.state && l.progress == now.progress);
                    if !same {
                        break now;
                    }
                },
            };
            if job.state == BacktestState::Running {
                // The result only comes with the final event.
                job.result = None;
            }
            Some((Ok(event(&job)), (st, None, Some(job))))
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

//! REST JSON API under `/api/v1`, one module per resource with its own router, merged
//! here. Handlers only read the request, call one use case of `app::service` and format
//! its answer; errors are `{"error": {"status", "code", "message", "details"}}`
//! ([`AppError`]) with a 4xx status for bad input, and nothing is stored when any value
//! is bad.

use app::api::ssr::ServerState;
use app::errors::AppError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;

mod analysis;
mod backtests;
mod bets;
mod import;
mod limits;
mod models;
pub mod openapi;
mod patterns;
mod predictions;
mod report_html;
mod rounds;
mod simulate;
mod training;

pub use rounds::healthz;

pub type ApiResult<T> = Result<T, AppError>;

/// The state of the player the request works for: the local app's, or on a hosted
/// server the signed-in player's own (put there by [`crate::accounts::scope`]). Every
/// handler takes its data from here, never from the router's state.
pub struct Player(pub ServerState);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Player {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<ServerState>()
            .cloned()
            .map(Player)
            .ok_or_else(|| app::service::accounts::AccountError::Unauthenticated.into())
    }
}

/// Every REST route with its OpenAPI description: a route is registered only through
/// `routes!` on its annotated handler, so the document ([`openapi`]) lists them all.
pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .merge(rounds::router())
        .merge(import::router())
        .merge(patterns::router())
        .merge(analysis::router())
        .merge(predictions::router())
        .merge(simulate::router())
        .merge(bets::router())
        .merge(limits::router())
        .merge(models::router())
        .merge(training::router())
        .merge(backtests::router())
        .merge(report_html::router())
        .fallback(|| async { AppError::new(404, "not_found", NO_SUCH_ENDPOINT) })
}

/// The message of the API's 404 for a path that is no route (tests tell it from a
/// resource that is not found).
pub const NO_SUCH_ENDPOINT: &str = "no such API endpoint";

/// A CSV file to download.
pub fn csv_attachment(file_name: &str, body: String) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

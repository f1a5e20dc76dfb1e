//! `/report.html`: the shareable report, one self-contained HTML file to download.

use super::openapi::ErrorBody;
use super::patterns::{cashouts, PatternQuery};
use super::{ApiResult, Player};
use app::api::ssr::ServerState;
use app::service::patterns::PatternRequest;
use app::service::report_html::{self, ReportRequest};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::Query;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new().routes(routes!(fairness_and_patterns, with_strategy))
}

/// The report drawn (off the async workers) and sent as a download. Its own CSP: nothing
/// in it runs or loads, whoever opens it.
async fn attachment(parts: app::views::ReportParts) -> ApiResult<Response> {
    let file_name = parts.file_name();
    let html = tokio::task::spawn_blocking(move || app::report_html::document(parts))
        .await
        .map_err(|e| app::errors::AppError::new(500, "internal", e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:".to_string(),
            ),
        ],
        html,
    )
        .into_response())
}

/// `GET /api/v1/report.html?cashouts=1.5,2`: the fairness report and the pattern scan of
/// the stored rounds as one HTML file (charts as SVG, no script), with the values' SHA-256
/// and every setting.
#[utoipa::path(get, path = "/report.html", tag = "analysis", params(PatternQuery), responses((status = 200, description = "the report, a self-contained HTML file", content_type = "text/html", body = String), (status = 400, description = "a cash-out that cannot be read", body = ErrorBody)))]
async fn fairness_and_patterns(
    Player(st): Player,
    query: Result<Query<PatternQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = query?;
    let request = ReportRequest {
        patterns: PatternRequest {
            cashouts: cashouts(q.cashouts.as_deref())?,
            all: q.all,
        },
        strategy: None,
    };
    attachment(report_html::report(&st, request).await?).await
}

/// `POST /api/v1/report.html {"patterns": {"cashouts": [2]}, "strategy": {…}}`: the same
/// report with a strategy lab run (the body of `POST /simulate`), run again from its seed.
#[utoipa::path(post, path = "/report.html", tag = "analysis", request_body(content = ReportRequest, description = "`patterns` (`cashouts`, `all`) and `strategy` (as `POST /simulate`), both optional", example = json!({"strategy": {"strategy": "martingale", "stake": 1, "cashout": 2, "bankroll": 100, "paths": 1000, "rounds": 500, "seed": 42}})), responses((status = 200, description = "the report, a self-contained HTML file", content_type = "text/html", body = String), (status = 400, description = "a bad setting", body = ErrorBody), (status = 415, description = "a body that is not JSON", body = ErrorBody)))]
async fn with_strategy(
    Player(st): Player,
    body: Result<Json<ReportRequest>, JsonRejection>,
) -> ApiResult<Response> {
    let Json(request) = body?;
    attachment(report_html::report(&st, request).await?).await
}

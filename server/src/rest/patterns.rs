//! `GET /patterns`: the pattern scan of the stored history.

use super::openapi::ErrorBody;
use super::ApiResult;
use super::Player;
use app::api::ssr::ServerState;
use app::errors::AppError;
use app::service::patterns::{self, PatternRequest};
use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new().routes(routes!(report))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PatternQuery {
    /// Comma-separated cash-outs, e.g. `1.5,2,3`.
    pub(super) cashouts: Option<String>,
    #[serde(default)]
    pub(super) all: bool,
}

/// Reads `1.5,2,3`; an empty list means the defaults.
pub(super) fn cashouts(text: Option<&str>) -> ApiResult<Option<Vec<f64>>> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text
            .split(',')
            .map(|t| {
                t.trim().parse::<f64>().map_err(|_| {
                    AppError::new(
                        400,
                        "bad_query",
                        format!("cannot read the cash-out {:?}", t.trim()),
                    )
                })
            })
            .collect::<ApiResult<Vec<f64>>>()
            .map(Some),
    }
}

/// `GET /api/v1/patterns?cashouts=1.5,2&all=false`: the pattern scan of the stored
/// history (the same report as `jetx patterns --json`).
#[utoipa::path(get, path = "/patterns", tag = "analysis", params(PatternQuery), responses((status = 200, description = "the pattern scan (as `jetx patterns --json`)", body = models::patterns::PatternReport), (status = 400, description = "a cash-out that cannot be read", body = ErrorBody)))]
async fn report(
    Player(st): Player,
    query: Result<Query<PatternQuery>, QueryRejection>,
) -> ApiResult<Json<models::patterns::PatternReport>> {
    let Query(q) = query?;
    let request = PatternRequest {
        cashouts: cashouts(q.cashouts.as_deref())?,
        all: q.all,
    };
    let report = patterns::report(&st, &request).await?;
    Ok(Json((*report).clone()))
}

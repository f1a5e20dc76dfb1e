//! Prometheus metrics at `GET /metrics`: request counts and latency per route, and the
//! app's own events, recorded with the `metrics` facade where they happen:
//! `jetx_rounds_stored_total{source}`, `jetx_predictions_stored_total`,
//! `jetx_predictions_scored_total` (app/src/db), `jetx_training_jobs_total{outcome}` and
//! `jetx_training_job_seconds` (jobs.rs), `jetx_backtests_total{outcome}` and
//! `jetx_backtest_seconds` (app/src/service/backtest.rs), `jetx_database_errors_total{kind}`
//! and `jetx_server_errors_total{status}` (rest.rs, app/src/api.rs).

use axum::extract::{MatchedPath, Request};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Latency buckets from 1 ms (a cached prediction) to 10 min (a long training job).
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
    300.0, 600.0,
];

/// Installs the process-wide recorder once (every router in a test binary shares it);
/// `None` when another recorder was installed first.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .and_then(|b| b.install_recorder())
                .map_err(|e| tracing::error!(error = %e, "metrics are off"))
                .ok()
        })
        .as_ref()
}

/// Counts every request and times it, labelled with its route pattern (`/api/v1/rounds/{id}`,
/// never the raw path, so ids do not make new series); unrouted paths (files, 404s) are
/// `other`.
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_owned(), |p| p.as_str().to_owned());
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!(
        "jetx_http_requests_total",
        "method" => method.clone(),
        "route" => route.clone(),
        "status" => status
    )
    .increment(1);
    metrics::histogram!(
        "jetx_http_request_duration_seconds",
        "method" => method,
        "route" => route
    )
    .record(started.elapsed().as_secs_f64());
    res
}

/// `GET /metrics` in the Prometheus text format.
pub async fn render() -> Response {
    match install() {
        Some(handle) => {
            // Drains the histograms' buffers into their buckets (no background task here).
            handle.run_upkeep();
            (
                [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                handle.render(),
            )
                .into_response()
        }
        None => (StatusCode::SERVICE_UNAVAILABLE, "metrics are off").into_response(),
    }
}

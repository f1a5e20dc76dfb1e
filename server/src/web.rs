//! The web app: Leptos pages and server functions, the REST API and static files.

use crate::accounts::Scope;
use crate::config::Config;
use crate::rest;
use app::api::ssr::ServerState;
use app::{shell, App, OUTPUT_NAME};
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::future::IntoFuture;

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build()
}

/// The whole HTTP application of the local app (one player, no login), ready to serve.
pub fn router(state: ServerState, config: &Config) -> Router {
    router_with(state.clone(), config, Scope::Local(state))
}

/// The application for `scope`: the local player, or the players of a hosted server
/// (then with the sign-in API and the session layer). `state` answers `/healthz`.
pub fn router_with(state: ServerState, config: &Config, scope: Scope) -> Router {
    let options = leptos_options(config);
    crate::metrics::install();
    let hosts = std::sync::Arc::new(crate::security::HostPolicy::new(&config.allowed_hosts));
    let routes = generate_route_list(App);
    // Uploads may be as large as the input limit, plus room for multipart/JSON framing.
    let body_limit = state.rules.max_input_bytes.saturating_add(64 * 1024);
    let scope = std::sync::Arc::new(scope);
    let (api, doc) = api_routes(state.clone(), &scope);
    let mut app = Router::new()
        .route("/healthz", get(rest::healthz).with_state(state))
        .route("/metrics", get(crate::metrics::render))
        .route("/api-docs", get(api_docs_page))
        .route(
            "/api/v1/openapi.json",
            get(move || std::future::ready(axum::Json(doc.clone()))),
        )
        .merge(api)
        .leptos_routes_with_context(&options, routes, player_context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .layer(axum::middleware::from_fn_with_state(
            scope.clone(),
            crate::accounts::scope,
        ));
    if let Scope::Hosted(hosted) = scope.as_ref() {
        app = app.layer(crate::accounts::session_layer(hosted)).layer(
            axum::middleware::from_fn_with_state(hosted.clone(), crate::accounts::secure_over_tls),
        );
    }
    app.layer(axum::middleware::from_fn(server_fn_status))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(body_limit, too_large))
        .layer(axum::middleware::from_fn_with_state(
            hosts,
            crate::security::guard,
        ))
        // Refusals get the security headers too, and are counted (403, 400, 415).
        .layer(axum::middleware::from_fn(crate::security::headers))
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(log_response),
        )
        .with_state(options)
}

/// The REST routes under `/api/v1` (with the account routes on a hosted server) and their
/// OpenAPI document (which always lists the account routes, marked as hosted mode's).
fn api_routes(
    state: ServerState,
    scope: &Scope,
) -> (
    Router<LeptosOptions>,
    std::sync::Arc<utoipa::openapi::OpenApi>,
) {
    use utoipa_axum::router::OpenApiRouter;
    let mut api = rest::router().with_state(state);
    if let Scope::Hosted(hosted) = scope {
        api = api.merge(crate::accounts::rest::router().with_state(hosted.clone()));
    }
    let (router, doc) = OpenApiRouter::new().nest("/api/v1", api).split_for_parts();
    let auth = OpenApiRouter::<std::sync::Arc<crate::accounts::Hosted>>::new()
        .nest("/api/v1", crate::accounts::rest::router())
        .into_openapi();
    (
        router,
        std::sync::Arc::new(rest::openapi::document(doc, auth, crate::accounts::COOKIE)),
    )
}

/// The API docs page: Swagger UI (files from the `swagger-ui-dist` npm package, copied
/// into the site at build time) reading `/api/v1/openapi.json`. Its own policy: the
/// scripts and styles of this site only (Swagger UI sets inline styles).
async fn api_docs_page() -> impl axum::response::IntoResponse {
    use axum::http::header;
    let csp = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
               img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
               frame-ancestors 'none'";
    (
        [
            (header::CONTENT_SECURITY_POLICY, csp),
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        ],
        API_DOCS_HTML,
    )
}

const API_DOCS_HTML: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API · JetX Predictor</title>
<link rel="stylesheet" href="/api-docs/swagger-ui.css">
</head>
<body>
<main id="swagger-ui"></main>
<script src="/api-docs/swagger-ui-bundle.js"></script>
<script src="/api-docs/init.js"></script>
</body>
</html>
"#;

/// Server functions and pages work on the player the scope middleware chose for the
/// request (see [`crate::accounts::scope`]); a hosted page also knows who signed in.
fn player_context() {
    let Some(parts) = use_context::<axum::http::request::Parts>() else {
        return;
    };
    if let Some(state) = parts.extensions.get::<ServerState>() {
        provide_context(state.clone());
    }
    if let Some(user) = parts.extensions.get::<app::service::accounts::User>() {
        provide_context(user.clone());
    }
    if let Some(accounts) = parts.extensions.get::<app::service::accounts::Accounts>() {
        provide_context(accounts.clone());
    }
}

/// A declared body over this is answered at once (and the connection closed) instead of
/// being read to the end first.
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;

/// A body over the limit is answered 413 with the error JSON. The body is read and
/// dropped first: a server that answers while the client is still sending resets the
/// connection, and the client (a browser upload, curl) sees no answer at all.
async fn too_large(
    axum::extract::State(limit): axum::extract::State<usize>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use futures::StreamExt;
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
    let Some(bytes) = declared.filter(|&n| n > limit as u64) else {
        return next.run(req).await;
    };
    if bytes <= DRAIN_LIMIT {
        let mut body = req.into_body().into_data_stream();
        while let Some(Ok(_)) = body.next().await {}
    }
    app::errors::AppError::new(
        413,
        "too_large",
        format!("the request body has {bytes} bytes; at most {limit} are accepted"),
    )
    .into_response()
}

/// A request slower than this is logged as a warning (the rest at debug level:
/// `RUST_LOG=server=debug` shows every request).
const SLOW_REQUEST: std::time::Duration = std::time::Duration::from_millis(250);

/// Every request runs in a span naming its method and route (the route pattern, so a
/// slow `/api/v1/rounds/{id}` reads as one line of the logs, not one per id).
fn request_span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| req.uri().path().to_owned(), |m| m.as_str().to_owned());
    tracing::info_span!("request", method = %req.method(), route = %route)
}

fn log_response<B>(res: &axum::http::Response<B>, latency: std::time::Duration, _: &tracing::Span) {
    let status = res.status().as_u16();
    let ms = latency.as_secs_f64() * 1e3;
    if latency >= SLOW_REQUEST {
        tracing::warn!(status, ms, "slow request");
    } else {
        tracing::debug!(status, ms, "request");
    }
}

/// A server function that fails answers its [`app::errors::AppError`] as JSON with
/// status 500 (Leptos' default); this sets the status the error names (a value the user
/// can fix is 4xx, arguments that cannot be read 400), and logs and counts it. Only
/// server-function paths (`/api/…`, not the REST API) are looked at.
async fn server_fn_status(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::StatusCode;
    let path = req.uri().path();
    let server_fn = path.starts_with("/api/") && !path.starts_with("/api/v1/");
    let res = next.run(req).await;
    if !server_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // An error body is one small JSON object.
    let bytes = match axum::body::to_bytes(body, 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "could not read an error response");
            return axum::response::Response::from_parts(parts, axum::body::Body::empty());
        }
    };
    match serde_json::from_slice::<app::errors::AppError>(&bytes) {
        Ok(error) => {
            error.record();
            parts.status = error.http_status();
        }
        Err(_) => tracing::error!("a server function failed without an AppError body"),
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Why the web app could not start or stopped early.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Db(#[from] app::db::DbError),
    #[error("cannot find the jetx binary for training jobs: {0}")]
    NoBinary(std::io::Error),
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
}

/// Opens the database and serves until Ctrl+C or SIGTERM.
pub async fn serve(config: Config) -> Result<(), ServeError> {
    let started = std::time::Instant::now();
    let pool = app::db::connect(&config.database).await?;
    let exe = std::env::current_exe().map_err(ServeError::NoBinary)?;
    let factory = crate::accounts::TenantFactory {
        database: config.database.clone(),
        models_dir: config.models_dir.clone(),
        rules: config.rules,
        house_edge: config.house_edge,
        reality_check_min_s: config.reality_check_min_s,
        exe,
    };
    let state = factory.state(
        pool.clone(),
        config.database.clone(),
        config.models_dir.clone(),
    );
    let scope = match &config.accounts {
        None => Scope::Local(state.clone()),
        Some(settings) => Scope::Hosted(std::sync::Arc::new(crate::accounts::Hosted {
            pool: pool.clone(),
            settings: settings.clone(),
            tenants: crate::accounts::Tenants::new(factory, pool.clone()),
        })),
    };
    let hosted = match &scope {
        Scope::Hosted(h) => Some(h.clone()),
        Scope::Local(_) => None,
    };
    if hosted.is_none() {
        warm_up(state.clone());
    }
    let app = router_with(state.clone(), &config, scope);
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| ServeError::Bind(config.addr.to_string(), e))?;
    tracing::info!(
        addr = %config.addr,
        database = %app::db::redacted(&config.database.to_string_lossy()),
        startup_ms = started.elapsed().as_millis() as u64,
        "listening on http://{}",
        config.addr
    );
    let stopping = std::sync::Arc::new(tokio::sync::Notify::new());
    let notify = stopping.clone();
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        notify.notify_one();
    });
    // Event streams never end by themselves: give open requests a moment, then stop.
    tokio::select! {
        r = server.into_future() => r.map_err(|e| ServeError::Bind(config.addr.to_string(), e))?,
        _ = async {
            stopping.notified().await;
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        } => tracing::info!("closed the connections still open after 2 s"),
    }
    // A training run does not outlive the server that started it.
    let mut states = vec![state];
    if let Some(h) = hosted {
        states.extend(h.tenants.states().await);
    }
    for s in states {
        let _ = s.training.cancel();
    }
    tracing::info!("stopped");
    Ok(())
}

/// The first estimate of a long history scans it for patterns (16 s at 1,000,000 rounds
/// on 2 cores): begun at start, in the background, not when the player first asks.
fn warm_up(state: ServerState) {
    tokio::spawn(async move {
        let t = std::time::Instant::now();
        let result =
            app::service::predictions::estimate_next(&state, 2.0, app::types::Mode::Normal).await;
        let ms = t.elapsed().as_millis() as u64;
        match result {
            Ok(_) => tracing::info!(ms, "estimator ready"),
            Err(e) => tracing::warn!(error = %e, ms, "estimator warm-up failed"),
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

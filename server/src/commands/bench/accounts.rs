//! `bench --accounts`: what hosted mode adds to a request. `GET /api/v1/stats` with
//! 7,000 stored rounds on the local app (the baseline), and on a hosted server with a
//! session cookie and with an API token, in one run on one machine; and the login's
//! latency (Argon2id, 19 MiB, 2 passes).

use super::super::{print_json, CliError};
use super::requests::{synthetic, timing, Timing, BASELINE_ROUNDS};
use crate::accounts::{AccountSettings, Hosted, Scope, TenantFactory, Tenants};
use crate::config::{Config, Overrides};
use app::api::ssr::{FairLawEstimator, NoTraining, ServerState};
use app::types::Source;
use axum::body::Body;
use axum::http::Request;
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;

#[derive(Debug, Clone, serde::Serialize)]
pub struct AccountsBench {
    pub backend: String,
    pub repeats: usize,
    /// Local stats, hosted stats with a cookie, with a token, `auth/me`, login.
    pub timings: Vec<Timing>,
}

/// What a request carries: nothing (local), a session cookie, or a bearer token.
enum Credential<'a> {
    None,
    Cookie(&'a str),
    Token(&'a str),
}

fn bench_error(e: impl std::fmt::Display) -> CliError {
    CliError::Usage(format!("bench request failed: {e}"))
}

/// One request; its status and the session cookie it set, if any.
async fn send(
    router: &axum::Router,
    method: &str,
    uri: &str,
    body: Option<&str>,
    credential: &Credential<'_>,
) -> Result<(u16, Option<String>), CliError> {
    let mut req = Request::builder().method(method).uri(uri);
    match credential {
        Credential::None => {}
        Credential::Cookie(c) => req = req.header("cookie", format!("jetx_session={c}")),
        Credential::Token(t) => req = req.header("authorization", format!("Bearer {t}")),
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .map_err(bench_error)?;
    let resp = router.clone().oneshot(req).await.map_err(bench_error)?;
    let status = resp.status().as_u16();
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .and_then(|v| v.strip_prefix("jetx_session="))
        .map(str::to_owned);
    axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .map_err(bench_error)?;
    Ok((status, cookie))
}

async fn repeat(
    name: &str,
    router: &axum::Router,
    (method, uri, body): (&str, &str, Option<&str>),
    credential: &Credential<'_>,
    repeats: usize,
) -> Result<Timing, CliError> {
    let mut times = Vec::with_capacity(repeats);
    let mut status = 0;
    for k in 0..=repeats {
        let t = Instant::now();
        status = send(router, method, uri, body, credential).await?.0;
        if k > 0 {
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    Ok(timing(name, BASELINE_ROUNDS, times, status))
}

/// A fresh database: a SQLite file in `dir`, or one on the PostgreSQL server.
async fn database(
    dir: &std::path::Path,
    postgres: Option<&str>,
    name: &str,
) -> Result<std::path::PathBuf, CliError> {
    Ok(match postgres {
        Some(server) => {
            let db = format!("jetx_bench_{}_{name}", std::process::id());
            app::db::create_postgres_database(server, &db).await?.into()
        }
        None => dir.join(format!("{name}.sqlite")),
    })
}

fn local_state(pool: app::db::Pool, config: &Config) -> ServerState {
    let estimator = Arc::new(FairLawEstimator {
        house_edge: 0.03,
        notice: String::new(),
    });
    ServerState::new(
        pool,
        config.rules,
        0.03,
        estimator,
        Arc::new(NoTraining::default()),
    )
}

/// A hosted router with one player, `bench`, who has the baseline history; the
/// player's session cookie.
async fn hosted(
    dir: &std::path::Path,
    postgres: Option<&str>,
    config: &Config,
) -> Result<(axum::Router, String), CliError> {
    let db = database(dir, postgres, "accounts").await?;
    let pool = app::db::connect(&db).await?;
    let factory = TenantFactory {
        database: db,
        models_dir: dir.join("models"),
        rules: config.rules,
        house_edge: 0.03,
        reality_check_min_s: config.reality_check_min_s,
        exe: std::env::current_exe().map_err(bench_error)?,
    };
    let settings = AccountSettings {
        signup: true,
        session_idle_s: crate::accounts::DEFAULT_SESSION_IDLE_S,
        session_absolute_s: crate::accounts::DEFAULT_SESSION_ABSOLUTE_S,
        secure_cookies: false,
        trusted_proxies: Vec::new(),
        metrics_token: None,
    };
    let hosted = Arc::new(Hosted {
        pool: pool.clone(),
        settings,
        tenants: Tenants::new(factory, pool.clone()),
    });
    let router = crate::web::router_with(
        local_state(pool.clone(), config),
        config,
        Scope::Hosted(hosted.clone()),
    );
    let user = app::service::accounts::add_user(&pool, "bench", PASSWORD).await?;
    let player = hosted.tenants.get(user.id).await?;
    app::db::insert_values(&player.pool, &synthetic(BASELINE_ROUNDS), Source::Import).await?;
    let login = format!(r#"{{"username":"bench","password":"{PASSWORD}"}}"#);
    let (_, cookie) = send(
        &router,
        "POST",
        "/api/v1/auth/login",
        Some(&login),
        &Credential::None,
    )
    .await?;
    let cookie = cookie.ok_or_else(|| bench_error("login set no cookie"))?;
    Ok((router, cookie))
}

const PASSWORD: &str = "bench password";

/// An API token of the signed-in player (as the account page creates one).
async fn create_token(router: &axum::Router, cookie: &str) -> Result<String, CliError> {
    let created = router
        .clone()
        .oneshot(
            Request::post("/api/v1/tokens")
                .header("cookie", format!("jetx_session={cookie}"))
                .header("content-type", "application/json")
                .body(Body::from(r#"{"name":"bench"}"#))
                .map_err(bench_error)?,
        )
        .await
        .map_err(bench_error)?;
    let bytes = axum::body::to_bytes(created.into_body(), usize::MAX)
        .await
        .map_err(bench_error)?;
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["token"].as_str().map(str::to_owned))
        .ok_or_else(|| bench_error("no token was created"))
}

pub async fn run(repeats: usize, postgres: Option<&str>, json: bool) -> Result<(), CliError> {
    let work = tempfile::tempdir().map_err(bench_error)?;
    let config = Config::load(&Overrides::default(), |_| None)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let local_db = database(work.path(), postgres, "local").await?;
    let pool = app::db::connect(&local_db).await?;
    app::db::insert_values(&pool, &synthetic(BASELINE_ROUNDS), Source::Import).await?;
    let local = crate::web::router(local_state(pool, &config), &config);
    let (hosted, cookie) = hosted(work.path(), postgres, &config).await?;
    let token = create_token(&hosted, &cookie).await?;

    let stats = ("GET", "/api/v1/stats", None);
    let login = format!(r#"{{"username":"bench","password":"{PASSWORD}"}}"#);
    let timings = vec![
        repeat(
            "stats, local (baseline)",
            &local,
            stats,
            &Credential::None,
            repeats,
        )
        .await?,
        repeat(
            "stats, hosted, cookie",
            &hosted,
            stats,
            &Credential::Cookie(&cookie),
            repeats,
        )
        .await?,
        repeat(
            "stats, hosted, token",
            &hosted,
            stats,
            &Credential::Token(&token),
            repeats,
        )
        .await?,
        repeat(
            "auth/me, cookie",
            &hosted,
            ("GET", "/api/v1/auth/me", None),
            &Credential::Cookie(&cookie),
            repeats,
        )
        .await?,
        repeat(
            "login (Argon2id)",
            &hosted,
            ("POST", "/api/v1/auth/login", Some(&login)),
            &Credential::None,
            repeats.min(20),
        )
        .await?,
    ];
    let bench = AccountsBench {
        backend: if postgres.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
        .into(),
        repeats,
        timings,
    };
    if json {
        return print_json(&bench);
    }
    print!("{}", render(&bench));
    Ok(())
}

pub fn render(b: &AccountsBench) -> String {
    let base = b.timings.first().map_or(1.0, |t| t.p50_ms.max(1e-9));
    let mut s = format!(
        "hosted mode's cost per request on {}, {} rounds stored, {} repeats after a warm-up\n",
        b.backend, BASELINE_ROUNDS, b.repeats
    );
    s += &format!(
        "{:<26} {:>22} {:>16}\n",
        "request", "p50 / p95", "p50 vs baseline"
    );
    for t in &b.timings {
        let mark = if t.status >= 400 {
            format!(" [{}]", t.status)
        } else {
            String::new()
        };
        s += &format!(
            "{:<26} {:>22} {:>15.2}x\n",
            t.request,
            format!("{:.2} / {:.2} ms{mark}", t.p50_ms, t.p95_ms),
            t.p50_ms / base
        );
    }
    s
}

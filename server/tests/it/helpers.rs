//! The shared harness of the server's integration tests: a real temporary SQLite file
//! (or, with `JETX_TEST_POSTGRES` set to a server's URL, a fresh PostgreSQL database on
//! it: `scripts/with-postgres.sh` starts a throw-away one), the real router, and the real
//! `jetx` binary for training jobs.

use app::api::ssr::{Estimator, ServerState};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use models::values::ValueRules;
use serde_json::{json, Value};
use server::config::{Config, Overrides};
use std::path::PathBuf;
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub state: ServerState,
    pub models_dir: PathBuf,
    /// Holds the temporary folder (database file, models) for the test's lifetime.
    pub _dir: tempfile::TempDir,
    /// Where the data is: the SQLite file, or the PostgreSQL database's URL.
    pub database: PathBuf,
    /// A hosted server's accounts and players (see [`hosted_app`]).
    pub hosted: Option<std::sync::Arc<server::accounts::Hosted>>,
}

/// A new empty database for one test: a file in `dir`, or a database of its own on the
/// PostgreSQL server of `JETX_TEST_POSTGRES` (tests run in parallel).
pub async fn fresh_database(dir: &std::path::Path) -> PathBuf {
    let Ok(server) = std::env::var("JETX_TEST_POSTGRES") else {
        return dir.join("test.sqlite");
    };
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("jetx_test_{}_{n}", std::process::id());
    app::db::create_postgres_database(&server, &name)
        .await
        .unwrap()
        .into()
}

/// The default app: default value rules, the trained-ensemble estimator.
pub async fn test_app() -> TestApp {
    test_app_with_rules(ValueRules::default()).await
}

pub async fn test_app_with_rules(rules: ValueRules) -> TestApp {
    build(rules, |models_dir| {
        std::sync::Arc::new(server::estimator::EnsembleEstimator::new(
            models_dir.to_path_buf(),
            0.03,
            None,
        ))
    })
    .await
}

pub async fn test_app_with_predictor(
    estimator: impl FnOnce(&std::path::Path) -> std::sync::Arc<dyn Estimator>,
) -> TestApp {
    build(ValueRules::default(), estimator).await
}

/// A second server on the database of another (its own models folder and caches).
pub async fn test_app_on(database: &std::path::Path) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    build_on(
        dir,
        database.to_path_buf(),
        ValueRules::default(),
        |models_dir| {
            std::sync::Arc::new(server::estimator::EnsembleEstimator::new(
                models_dir.to_path_buf(),
                0.03,
                None,
            ))
        },
    )
    .await
}

async fn build(
    rules: ValueRules,
    estimator: impl FnOnce(&std::path::Path) -> std::sync::Arc<dyn Estimator>,
) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db_path = fresh_database(dir.path()).await;
    build_on(dir, db_path, rules, estimator).await
}

async fn build_on(
    dir: tempfile::TempDir,
    db_path: PathBuf,
    rules: ValueRules,
    estimator: impl FnOnce(&std::path::Path) -> std::sync::Arc<dyn Estimator>,
) -> TestApp {
    let pool = app::db::connect(&db_path).await.unwrap();
    let models_dir = dir.path().join("models");
    let estimator = estimator(&models_dir);
    let training = std::sync::Arc::new(server::jobs::TrainingJobs::new(
        server::jobs::TrainCommand {
            exe: env!("CARGO_BIN_EXE_jetx").into(),
            database: db_path.clone(),
            models_dir: models_dir.clone(),
            house_edge: 0.03,
        },
        vec!["cpu".into()],
        server::trainer::MEMBER_KINDS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    ));
    let state = ServerState::new(pool, rules, 0.03, estimator, training);
    let config = Config::load(&Overrides::default(), |_| None).unwrap();
    let router = server::web::router(state.clone(), &config);
    TestApp {
        router,
        state,
        models_dir,
        _dir: dir,
        database: db_path,
        hosted: None,
    }
}

/// A hosted server (`accounts = true`) on a fresh database, sessions ending after
/// `idle_s` seconds without a request.
pub async fn hosted_app(idle_s: i64) -> TestApp {
    hosted_app_with(idle_s, Vec::new()).await
}

/// [`hosted_app`] behind the reverse proxies `trusted_proxies`.
pub async fn hosted_app_with(idle_s: i64, trusted_proxies: Vec<std::net::IpAddr>) -> TestApp {
    hosted_app_settings(|s| {
        s.session_idle_s = idle_s;
        s.trusted_proxies = trusted_proxies;
    })
    .await
}

/// A hosted server whose account settings `change` makes from the defaults (sign-up
/// open, sessions idle for an hour at most, 12 hours in all).
pub async fn hosted_app_settings(
    change: impl FnOnce(&mut server::accounts::AccountSettings),
) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(dir.path()).await;
    let pool = app::db::connect(&database).await.unwrap();
    let models_dir = dir.path().join("models");
    let factory = server::accounts::TenantFactory {
        database: database.clone(),
        models_dir: models_dir.clone(),
        rules: ValueRules::default(),
        house_edge: 0.03,
        reality_check_min_s: models::limits::DEFAULT_MIN_REALITY_CHECK_S,
        exe: env!("CARGO_BIN_EXE_jetx").into(),
    };
    let state = factory.state(pool.clone(), database.clone(), models_dir.clone());
    let mut settings = server::accounts::AccountSettings {
        signup: true,
        session_idle_s: 3600,
        session_absolute_s: server::accounts::DEFAULT_SESSION_ABSOLUTE_S,
        secure_cookies: false,
        trusted_proxies: Vec::new(),
        metrics_token: None,
    };
    change(&mut settings);
    let hosted = std::sync::Arc::new(server::accounts::Hosted {
        pool: pool.clone(),
        settings,
        tenants: server::accounts::Tenants::new(factory, pool),
    });
    let config = Config::load(&Overrides::default(), |_| None).unwrap();
    let scope = server::accounts::Scope::Hosted(hosted.clone());
    let router = server::web::router_with(state.clone(), &config, scope);
    TestApp {
        router,
        state,
        models_dir,
        _dir: dir,
        database,
        hosted: Some(hosted),
    }
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Vec<u8>) {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let body = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        (status, body)
    }

    /// A POST of URL-encoded `pairs`, as the browser calls a server function; the answer
    /// as text.
    /// A server function called as the browser calls it (URL-encoded form).
    pub async fn server_fn(&self, endpoint: &str, form: &str) -> (StatusCode, String) {
        let req = Request::builder()
            .method("POST")
            .uri(format!("/api/{endpoint}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form.to_string()))
            .unwrap();
        let (status, body) = self.send(req).await;
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    pub async fn form(&self, uri: &str, pairs: &[(&str, &str)]) -> (StatusCode, String) {
        let encode = |s: &str| {
            s.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        };
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let (status, bytes) = self.send(req).await;
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// A JSON request (or none); the answer as JSON, or as a JSON string when it is not.
    pub async fn json(&self, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        let req = Request::builder().method(method).uri(uri);
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let (status, bytes) = self.send(req).await;
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes)));
        (status, value)
    }
}

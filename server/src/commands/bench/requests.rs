//! `bench --requests`: what a player's requests cost with 7,000 stored rounds and with N
//! (a year of rounds is about 1,000,000), through the real router and a real SQLite file
//! (or PostgreSQL database), in one run so the two sizes are compared on the same machine.

use super::super::{print_json, CliError};
use crate::config::{Config, Overrides};
use app::api::ssr::NoTraining;
use app::api::ssr::ServerState;
use app::types::Source;
use axum::body::Body;
use axum::http::Request;
use models::values::Multiplier;
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// The history size every run also measures (the real history's length).
pub const BASELINE_ROUNDS: usize = 7_000;

/// The requests measured, in the order of the report.
const REQUESTS: [&str; 9] = [
    "stats",
    "rounds page (newest 50)",
    "rounds page (offset: middle)",
    "rounds page (before: middle)",
    "dashboard SSR (GET /)",
    "predict",
    "one more round + predict",
    "undo + predict",
    "correct an old round + predict",
];

const PREDICT: &str = r#"{"cashout":2.0}"#;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Timing {
    pub request: String,
    pub rounds: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub status: u16,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RequestsBench {
    /// "sqlite" or "postgres".
    pub backend: String,
    pub sizes: Vec<usize>,
    pub repeats: usize,
    /// Seconds to store each size's history in bulk (the import path).
    pub store_s: Vec<f64>,
    pub model: String,
    pub timings: Vec<Timing>,
}

/// `postgres`: the URL of a PostgreSQL server to create the databases on (else SQLite
/// files in a temporary folder).
pub async fn run(
    rounds: usize,
    repeats: usize,
    postgres: Option<&str>,
    json: bool,
) -> Result<(), CliError> {
    let work =
        tempfile::tempdir().map_err(|e| CliError::Usage(format!("no temporary folder: {e}")))?;
    let models_dir = work.path().join("models");
    let model = train_small_model(&models_dir)?;
    let mut sizes = vec![BASELINE_ROUNDS];
    if rounds != BASELINE_ROUNDS {
        sizes.push(rounds);
    }
    let mut bench = RequestsBench {
        backend: if postgres.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
        .into(),
        sizes: sizes.clone(),
        repeats,
        store_s: Vec::new(),
        model,
        timings: Vec::new(),
    };
    for (k, &n) in sizes.iter().enumerate() {
        let db = match postgres {
            Some(server) => {
                let name = format!("jetx_bench_{}_{k}", std::process::id());
                app::db::create_postgres_database(server, &name)
                    .await?
                    .into()
            }
            None => work.path().join(format!("bench-{k}.sqlite")),
        };
        let (state, router, store_s) = open(&db, &models_dir, n).await?;
        bench.store_s.push(store_s);
        bench
            .timings
            .extend(measure(&state, &router, n, repeats).await?);
    }
    if json {
        return print_json(&bench);
    }
    print!("{}", render(&bench));
    Ok(())
}

/// A small trained ensemble (no networks, so the bench takes seconds) on the baseline
/// history: `predict` then runs a real model at both sizes.
fn train_small_model(models_dir: &std::path::Path) -> Result<String, CliError> {
    let values = synthetic(BASELINE_ROUNDS);
    let args = crate::trainer::TrainArgs {
        budget: Duration::from_secs(5),
        members: ["rules", "logistic", "gbt", "empirical", "fair"]
            .map(String::from)
            .to_vec(),
        device: neural::DeviceChoice::Cpu,
        models_dir,
        house_edge: 0.03,
        activate: true,
        source: Some("bench".into()),
        json_progress: false,
    };
    let (version, _) = crate::trainer::train(&values, &args)?;
    Ok(version)
}

pub(super) fn synthetic(n: usize) -> Vec<Multiplier> {
    models::generator::FairGenerator {
        seed: 42,
        house_edge: 0.03,
    }
    .generate(n)
}

async fn open(
    db: &std::path::Path,
    models_dir: &std::path::Path,
    n: usize,
) -> Result<(ServerState, axum::Router, f64), CliError> {
    let pool = app::db::connect(db).await?;
    let t = Instant::now();
    app::db::insert_values(&pool, &synthetic(n), Source::Import).await?;
    let store_s = t.elapsed().as_secs_f64();
    let config = Config::load(&Overrides::default(), |_| None)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let estimator = std::sync::Arc::new(crate::estimator::EnsembleEstimator::new(
        models_dir.to_path_buf(),
        0.03,
        None,
    ));
    let training = std::sync::Arc::new(NoTraining::default());
    let state = ServerState::new(pool, config.rules, 0.03, estimator, training);
    let router = crate::web::router(state.clone(), &config);
    Ok((state, router, store_s))
}

async fn measure(
    state: &ServerState,
    router: &axum::Router,
    n: usize,
    repeats: usize,
) -> Result<Vec<Timing>, CliError> {
    let total = app::service::rounds::count(state).await?;
    let middle = total / 2;
    let first_id: i64 = app::service::rounds::page(state, total - 1, 1)
        .await?
        .rounds
        .first()
        .map_or(1, |r| r.id);
    let urls = [
        ("GET", "/api/v1/stats".to_string(), None),
        ("GET", "/api/v1/rounds?limit=50".into(), None),
        (
            "GET",
            format!("/api/v1/rounds?offset={middle}&limit=50"),
            None,
        ),
        (
            "GET",
            format!("/api/v1/rounds?before={}&limit=50", first_id + middle),
            None,
        ),
        ("GET", "/".into(), None),
        ("POST", "/api/v1/predict".into(), Some(r#"{"cashout":2.0}"#)),
    ];
    let mut out = Vec::new();
    for (name, (method, uri, body)) in REQUESTS.iter().zip(urls.iter()) {
        let mut times = Vec::with_capacity(repeats);
        let mut status = 0;
        // One warm-up request: caches fill as they would after the first visit.
        for k in 0..=repeats {
            let t = Instant::now();
            status = send(router, method, uri, *body).await?;
            if k > 0 {
                times.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        out.push(timing(name, n, times, status));
    }
    // What Enter and Undo cost: a write, then the fresh estimate it calls for.
    let writes = [
        (REQUESTS[6], "/api/v1/rounds", Some(r#"{"value":"1.87"}"#)),
        (REQUESTS[7], "/api/v1/rounds/undo", None),
    ];
    for (name, uri, body) in writes {
        let mut times = Vec::with_capacity(repeats);
        let mut status = 0;
        for k in 0..=repeats {
            let t = Instant::now();
            let written = send(router, "POST", uri, body).await?;
            let predicted = send(router, "POST", "/api/v1/predict", Some(PREDICT)).await?;
            status = written.max(predicted);
            if k > 0 {
                times.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        out.push(timing(name, n, times, status));
    }
    // A correction of a round in the middle of the history, a new value each time.
    let uri = format!("/api/v1/rounds/{}", first_id + middle);
    let mut times = Vec::with_capacity(repeats);
    let mut status = 0;
    for k in 0..=repeats {
        let body = format!(r#"{{"value":"{}.{:02}"}}"#, 1 + k % 3, 10 + k % 80);
        let t = Instant::now();
        let written = send(router, "PUT", &uri, Some(&body)).await?;
        let predicted = send(router, "POST", "/api/v1/predict", Some(PREDICT)).await?;
        status = written.max(predicted);
        if k > 0 {
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    out.push(timing(REQUESTS[8], n, times, status));
    Ok(out)
}

async fn send(
    router: &axum::Router,
    method: &str,
    uri: &str,
    body: Option<&str>,
) -> Result<u16, CliError> {
    let req = Request::builder().method(method).uri(uri);
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .map_err(|e| CliError::Usage(format!("bad bench request: {e}")))?;
    let resp = router
        .clone()
        .oneshot(req)
        .await
        .map_err(|e| CliError::Usage(format!("bench request failed: {e}")))?;
    let status = resp.status().as_u16();
    // The body is part of the cost (SSR streams it).
    axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .map_err(|e| CliError::Usage(format!("bench body failed: {e}")))?;
    Ok(status)
}

pub(super) fn timing(name: &str, rounds: usize, mut times: Vec<f64>, status: u16) -> Timing {
    times.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let k = ((times.len() as f64 - 1.0) * q).round() as usize;
        times.get(k).copied().unwrap_or(f64::NAN)
    };
    Timing {
        request: name.to_string(),
        rounds,
        p50_ms: at(0.5),
        p95_ms: at(0.95),
        status,
    }
}

/// The report: one row per request, each size's p50 / p95, and the ratio of the largest
/// size's p95 to the baseline's.
pub fn render(b: &RequestsBench) -> String {
    let mut s = format!(
        "requests through the router on {}, {} repeats each after one warm-up; model {}\n",
        b.backend, b.repeats, b.model
    );
    for (n, t) in b.sizes.iter().zip(&b.store_s) {
        s += &format!("stored {n:>9} rounds in {t:.2} s\n");
    }
    s += &format!("{:<30}", "request");
    for n in &b.sizes {
        s += &format!(" {:>26}", format!("{n} rounds: p50 / p95"));
    }
    s += "   ratio (p95)\n";
    for name in REQUESTS {
        let rows: Vec<&Timing> = b.timings.iter().filter(|t| t.request == name).collect();
        s += &format!("{name:<30}");
        for t in &rows {
            let mark = if t.status >= 400 {
                format!(" [{}]", t.status)
            } else {
                String::new()
            };
            s += &format!(
                " {:>26}",
                format!("{:.1} / {:.1} ms{mark}", t.p50_ms, t.p95_ms)
            );
        }
        if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
            s += &format!("   {:.1}x", last.p95_ms / first.p95_ms.max(1e-9));
        }
        s += "\n";
    }
    s
}

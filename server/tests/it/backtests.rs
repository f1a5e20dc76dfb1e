//! Backtests as jobs: started, followed (progress from any server), cancelled (from any
//! server), kept with their result, listed, re-opened and deleted; bad input answered 4xx.

use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A quick backtest of two models on 2,500 rounds.
fn quick() -> Value {
    json!({"start": 1500, "refit": "every", "refit_every": 500, "window": 1000, "gap": 0,
           "thresholds": [1.5, 2.0], "models": ["empirical", "logistic"], "cashout": 2.0})
}

/// A backtest that takes many seconds: the logistic model refitted before every forecast.
fn slow() -> Value {
    json!({"start": 1000, "refit": "every", "refit_every": 1, "window": 1000, "gap": 0,
           "thresholds": [2.0], "models": ["logistic"], "cashout": 2.0})
}

pub(crate) async fn wait_until_ended(t: &TestApp, id: i64) -> Value {
    let start = Instant::now();
    loop {
        let (s, job) = t
            .json("GET", &format!("/api/v1/backtests/{id}"), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{job}");
        if job["state"] != "running" {
            return job;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "still running: {job}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn wait_for_lease_release(t: &TestApp) {
    let start = Instant::now();
    while app::db::read_lease(&t.state.pool, "backtest")
        .await
        .unwrap()
        .is_some_and(|l| l.live(app::service::leases::now()))
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "lease still held"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn start(t: &TestApp, request: Value) -> i64 {
    let (s, job) = t.json("POST", "/api/v1/backtests", Some(request)).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{job}");
    assert_eq!(job["state"], "running");
    job["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_backtest_runs_as_a_job_and_its_result_is_kept_until_deleted() {
    let a = test_app().await;
    app::db::load_demo(&a.state.pool, 2500, 7, 0.03)
        .await
        .unwrap();
    let id = start(&a, quick()).await;
    let job = wait_until_ended(&a, id).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["n_rounds"], 2500);
    assert_eq!(job["progress"]["percent"], 100.0);
    assert_eq!(job["progress"]["model"], 2);
    let result = &job["result"];
    assert_eq!(result["models"].as_array().unwrap().len(), 2);
    assert_eq!(result["request"], quick());
    assert_eq!(result["n_rounds"], 2500);

    // Another server on the database lists it and re-opens it with the same result.
    let b = test_app_on(&a.database).await;
    let (s, list) = b.json("GET", "/api/v1/backtests", None).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["state"], "done");
    assert_eq!(list[0]["request"], quick());
    assert!(list[0]["result"].is_null(), "lists leave results out");
    let (_, again) = b
        .json("GET", &format!("/api/v1/backtests/{id}"), None)
        .await;
    assert_eq!(again, job);

    wait_for_lease_release(&a).await;
    let second = start(&b, quick()).await;
    assert!(second > id);
    wait_until_ended(&b, second).await;
    let (_, list) = a.json("GET", "/api/v1/backtests", None).await;
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [second, id], "newest first");

    let (s, _) = a
        .json("DELETE", &format!("/api/v1/backtests/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = b
        .json("GET", &format!("/api/v1/backtests/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    let (s, _) = a
        .json("DELETE", &format!("/api/v1/backtests/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = a.json("GET", "/api/v1/backtests", None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn another_server_follows_the_progress_and_cancels_the_job() {
    let a = test_app().await;
    app::db::load_demo(&a.state.pool, 4000, 3, 0.03)
        .await
        .unwrap();
    let b = test_app_on(&a.database).await;
    let id = start(&a, slow()).await;
    // The other server streams its progress, read from the database.
    let mut events = b
        .event_stream(&format!("/api/v1/backtests/{id}/events"))
        .await;
    let mut seen: Vec<Value> = Vec::new();
    while seen
        .last()
        .is_none_or(|j| j["progress"]["done"].as_u64().unwrap_or(0) < 2)
    {
        let event = events.next_event().await;
        let data = event
            .lines()
            .find_map(|l| l.strip_prefix("data:"))
            .unwrap_or("{}");
        let job: Value = serde_json::from_str(data.trim()).unwrap();
        assert_eq!(job["state"], "running", "{job}");
        assert!(job["result"].is_null());
        seen.push(job);
    }
    let last = &seen.last().unwrap()["progress"];
    assert_eq!(
        (last["model"].as_u64(), last["models"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(last["total"], 3000);
    assert_eq!(last["folds"], 3000, "one fit per forecast");
    assert!(last["fold"].as_u64().unwrap() >= 2);
    assert!(last["percent"].as_f64().unwrap() < 100.0);
    assert!(last["eta_s"].as_f64().unwrap() > 0.0);
    // Only one backtest at a time, on either server.
    let (s, body) = b.json("POST", "/api/v1/backtests", Some(quick())).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    let (s, body) = b
        .json("DELETE", &format!("/api/v1/backtests/{id}"), None)
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("still_running"))
    );

    let asked = Instant::now();
    let (s, body) = b
        .json("POST", &format!("/api/v1/backtests/{id}/cancel"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let job = wait_until_ended(&a, id).await;
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(job["state"], "cancelled", "{job}");
    assert!(job["result"].is_null());
    assert!(job["progress"]["percent"].as_f64().unwrap() < 100.0);
    // The stream's last event is the ended job.
    let mut last_event = String::new();
    for _ in 0..20 {
        last_event = events.next_event().await;
        if last_event.contains("\"cancelled\"") {
            break;
        }
    }
    assert!(last_event.contains("\"cancelled\""), "{last_event}");
    let (s, body) = a
        .json("POST", &format!("/api/v1/backtests/{id}/cancel"), None)
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_running"))
    );
    // The lease is free: the next backtest starts on the other server.
    wait_for_lease_release(&a).await;
    let next = start(&b, quick()).await;
    assert_eq!(wait_until_ended(&b, next).await["state"], "done");
}

#[tokio::test]
async fn bad_backtest_requests_get_4xx_and_store_nothing() {
    let t = test_app().await;
    app::db::load_demo(&t.state.pool, 2500, 7, 0.03)
        .await
        .unwrap();
    let mut too_late = quick();
    too_late["start"] = json!(99_999);
    let mut unknown = quick();
    unknown["models"] = json!(["crystal-ball"]);
    let mut no_models = quick();
    no_models["models"] = json!([]);
    for (body, code) in [
        (too_late, "bad_settings"),
        (unknown, "unknown_model"),
        (no_models, "bad_settings"),
    ] {
        let (s, answer) = t.json("POST", "/api/v1/backtests", Some(body)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(answer["error"]["code"], code, "{answer}");
    }
    let (s, _) = t
        .json("POST", "/api/v1/backtests", Some(json!({"start": "x"})))
        .await;
    assert!(s.is_client_error(), "{s}");
    for (method, uri, status) in [
        ("GET", "/api/v1/backtests/77", StatusCode::NOT_FOUND),
        ("DELETE", "/api/v1/backtests/77", StatusCode::NOT_FOUND),
        ("POST", "/api/v1/backtests/77/cancel", StatusCode::NOT_FOUND),
        ("GET", "/api/v1/backtests/77/events", StatusCode::NOT_FOUND),
        ("GET", "/api/v1/backtests/abc", StatusCode::BAD_REQUEST),
    ] {
        let (s, body) = t.json(method, uri, None).await;
        assert_eq!(s, status, "{method} {uri}: {body}");
    }
    let (_, list) = t.json("GET", "/api/v1/backtests", None).await;
    assert_eq!(list, json!([]));
    // Nothing holds the lease after refusals: a good one starts.
    let id = start(&t, quick()).await;
    assert_eq!(wait_until_ended(&t, id).await["state"], "done");
}

#[tokio::test]
async fn a_job_whose_server_stopped_reads_as_interrupted() {
    let t = test_app().await;
    // A row left running by a server that stopped (it holds no lease).
    let request: app::views::BacktestRequest = serde_json::from_value(quick()).unwrap();
    let id = app::db::insert_backtest(&t.state.pool, &request, 2500, 1)
        .await
        .unwrap();
    let (s, job) = t
        .json("GET", &format!("/api/v1/backtests/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(job["state"], "interrupted");
    let (_, list) = t.json("GET", "/api/v1/backtests", None).await;
    assert_eq!(list[0]["state"], "interrupted");
    let (s, _) = t
        .json("DELETE", &format!("/api/v1/backtests/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}

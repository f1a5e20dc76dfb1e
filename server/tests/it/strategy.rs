//! The strategy lab over REST, as a server function and from the CLI.

use crate::cli::jetx_command;
use crate::helpers::test_app;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn simulate_answers_the_lab_result_and_refuses_bad_settings() {
    let app = test_app().await;
    let (status, body) = app
        .json(
            "POST",
            "/api/v1/simulate",
            Some(
                json!({"strategy": "martingale", "params": {"multiplier": 2, "reset_after": 6},
                "stake": 1, "cashout": 2, "bankroll": 50, "paths": 2000, "rounds": 300}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["mode"], "monte_carlo");
    assert_eq!(
        (body["paths"].as_u64(), body["rounds"].as_u64()),
        (Some(2000), Some(300))
    );
    // The exact ruin probability of this capped martingale is 0.7001 (dynamic programming
    // in models::strategy::exact); 2,000 paths put the estimate within ±0.04.
    let ruin = body["p_ruin"]["value"].as_f64().unwrap();
    assert!((ruin - 0.7001).abs() < 0.04, "{ruin}");
    assert!(body["p_ruin"]["low"].as_f64() <= Some(ruin));
    let closed = body["expected_loss_closed_form"].as_f64().unwrap();
    let turnover = body["mean_turnover"].as_f64().unwrap();
    assert!((closed - 0.03 * turnover).abs() < 1e-9);
    assert!(body["max_drawdown"]["p95"].is_number());
    assert_eq!(body["flat"]["label"], "Flat betting");
    assert_eq!(body["fan"]["p50"].as_array().map(Vec::len), Some(101));
    assert!(body["verdict"][0]
        .as_str()
        .unwrap()
        .starts_with("Probability of ruin"));

    for (request, status, needle) in [
        (
            json!({"strategy": "hodl", "stake": 1, "cashout": 2, "bankroll": 100}),
            400,
            "unknown strategy",
        ),
        (
            json!({"strategy": "kelly", "params": {"fraction": 5}, "stake": 1, "cashout": 2, "bankroll": 100}),
            400,
            "at most 1",
        ),
        (
            json!({"strategy": "flat", "params": {"multiplier": 2}, "stake": 1, "cashout": 2, "bankroll": 100}),
            400,
            "no parameters",
        ),
        (
            json!({"strategy": "flat", "stake": 500, "cashout": 2, "bankroll": 100}),
            400,
            "cannot cover",
        ),
        (
            json!({"strategy": "flat", "stake": 1, "cashout": 0.5, "bankroll": 100}),
            400,
            "outside",
        ),
        (
            json!({"strategy": "flat", "stake": 1, "cashout": 2, "bankroll": 100, "paths": 1000000, "rounds": 100000}),
            400,
            "path-rounds",
        ),
        (
            json!({"strategy": "flat", "stake": 1, "cashout": 2, "bankroll": 100, "replay": true}),
            422,
            "no stored rounds",
        ),
        (json!({"strategy": "flat", "stake": "one"}), 400, "stake"),
    ] {
        let (got, body) = app
            .json("POST", "/api/v1/simulate", Some(request.clone()))
            .await;
        assert_eq!(got.as_u16(), status, "{request} → {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains(needle),
            "{body}"
        );
    }
}

#[tokio::test]
async fn replay_plays_the_stored_rounds_in_order() {
    let app = test_app().await;
    // Four rounds: flat 1 at 2x wins, loses, wins, wins: 100 → 102.
    let (status, _) = app
        .json(
            "POST",
            "/api/v1/rounds",
            Some(json!({"values": ["2.5", "1.2", "2.00", "7"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = app
        .json(
            "POST",
            "/api/v1/simulate",
            Some(json!({"strategy": "martingale", "stake": 1, "cashout": 2, "bankroll": 100, "replay": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["mode"], "replay");
    // Martingale: +1, −1, +2 (stake 2), +1 → 103; flat: 102.
    assert_eq!(body["mean_final_bankroll"]["value"], 103.0);
    assert_eq!(body["flat"]["mean_final_bankroll"]["value"], 102.0);
    assert_eq!(
        body["fan"]["p50"],
        json!([100.0, 101.0, 100.0, 102.0, 103.0])
    );
    let fair: &Value = &body["fair_final_bankroll"];
    assert!(fair["value"].as_f64().unwrap() < 100.0, "{fair}");
}

#[tokio::test]
async fn the_page_calls_the_server_function() {
    let app = test_app().await;
    let form = "request[strategy]=fibonacci&request[stake]=1&request[cashout]=2&request[bankroll]=100&request[paths]=500&request[rounds]=200";
    let req = Request::builder()
        .method("POST")
        .uri("/api/simulate")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let (status, bytes) = app.send(req).await;
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["label"], "Fibonacci");
    let bad = "request[strategy]=fibonacci&request[params][x]=1&request[stake]=1&request[cashout]=2&request[bankroll]=100";
    let req = Request::builder()
        .method("POST")
        .uri("/api/simulate")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(bad))
        .unwrap();
    let (status, bytes) = app.send(req).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
}

#[test]
fn jetx_simulate_prints_json_with_the_closed_form_next_to_the_simulation() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let out = jetx_command(
        &db,
        &[
            "simulate",
            "--strategy",
            "d_alembert",
            "--param",
            "unit=1",
            "--paths",
            "3000",
            "--rounds",
            "200",
            "--bankroll",
            "200",
            "--json",
        ],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "expected_loss_closed_form",
        "mean_final_bankroll",
        "p_ruin",
        "max_drawdown",
        "paths",
        "rounds",
    ] {
        assert!(!v[key].is_null(), "{key} missing");
    }
    let m = &v["mean_final_bankroll"];
    assert!(m["low"].as_f64() < m["high"].as_f64());
    // Loss vs closed form: equal up to noise.
    let gap = &v["loss_minus_closed_form"];
    assert!(
        gap["low"].as_f64().unwrap() < 0.0 && gap["high"].as_f64().unwrap() > 0.0,
        "{gap}"
    );

    let bad = jetx_command(
        &db,
        &[
            "simulate",
            "--strategy",
            "martingale",
            "--param",
            "multiplier",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("KEY=VALUE"));
}
